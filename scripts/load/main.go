// Command load is a small HTTP load generator for measuring Harambee's
// throughput: it keeps a fixed number of clients busy against a running
// server for a fixed time and reports requests per second and latency
// percentiles per path. It uses only the standard library.
//
// Usage:
//
//	go run ./scripts/load -url http://127.0.0.1:8080 [-paths /,/orgs] [-c 50] [-d 20s] [-cookie 'hsid=…'] [-gzip=true]
//
// Each of the -c workers sends one request at a time (closed loop) and
// starts the next as soon as the previous body has been read in full; all
// workers share one http.Transport that keeps up to -c idle connections, so
// connections are reused. Worker i starts at path i and then takes the
// paths in turn, so every path gets about the same share of requests. Pass
// -cookie with a session cookie (for example "hsid=…", copied from a curl
// cookie jar after POST /signin) to measure signed-in pages. With -gzip the
// requests carry "Accept-Encoding: gzip", as browsers send it; the body is
// read compressed and not decoded, as a browser's network layer would
// before rendering.
//
// For each path it prints the number of requests, requests per second over
// the whole run, the median, 90th and 99th percentile latency (time from
// sending the request to having read the last byte of the body) and the
// number of responses that were not 2xx (or failed outright). A non-zero
// non-2xx count means the figures are not to be trusted: check the cookie
// (an expired session is redirected to /signin, which is a 303).
//
// The load generator runs on the same machine as the server unless you put
// it elsewhere; on a small machine it takes a share of the CPU, so report
// that with the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// result is what one worker observed for one path.
type result struct {
	lat    []time.Duration
	codes  map[int]int
	errors int
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of the server")
	pathList := flag.String("paths", "/,/orgs", "comma-separated paths to request in turn")
	conc := flag.Int("c", 50, "number of concurrent clients")
	dur := flag.Duration("d", 20*time.Second, "duration of the run")
	cookie := flag.String("cookie", "", "Cookie header value to send (e.g. hsid=… for a signed-in session)")
	gz := flag.Bool("gzip", true, "send Accept-Encoding: gzip")
	flag.Parse()

	var paths []string
	for p := range strings.SplitSeq(*pathList, ",") {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 || *conc < 1 || *dur <= 0 {
		fmt.Fprintln(os.Stderr, "load: need at least one path, -c >= 1 and -d > 0")
		os.Exit(2)
	}
	baseURL := strings.TrimRight(*base, "/")

	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        *conc,
		MaxIdleConnsPerHost: *conc,
		IdleConnTimeout:     90 * time.Second,
		// The Transport adds Accept-Encoding: gzip and decodes the body
		// itself unless told not to; we set the header ourselves (or not)
		// and read the body as sent.
		DisableCompression: true,
	}
	client := &http.Client{
		Transport: tr,
		// Count redirects as the response they are, instead of following them.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}

	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()

	results := make([][]result, *conc) // [worker][path]
	var wg sync.WaitGroup
	start := time.Now()
	for w := range *conc {
		res := make([]result, len(paths))
		for i := range res {
			res[i].codes = map[int]int{}
		}
		results[w] = res
		wg.Go(func() {
			for n := w; ; n++ {
				if ctx.Err() != nil {
					return
				}
				pi := n % len(paths)
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+paths[pi], nil)
				if err != nil {
					fmt.Fprintln(os.Stderr, "load:", err)
					os.Exit(2)
				}
				if *gz {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				if *cookie != "" {
					req.Header.Set("Cookie", *cookie)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				d := time.Since(t0)
				if err != nil {
					// A request cut off by the end of the run is not counted.
					if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
						return
					}
					res[pi].errors++
					continue
				}
				res[pi].lat = append(res[pi].lat, d)
				res[pi].codes[resp.StatusCode]++
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	tr.CloseIdleConnections()

	fmt.Printf("url %s, %d clients, %s (measured %.1fs), gzip %v, cookie %v\n",
		baseURL, *conc, *dur, elapsed.Seconds(), *gz, *cookie != "")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "path\trequests\treq/s\tmedian ms\tp90 ms\tp99 ms\tnon-2xx\tstatus codes\t")
	var total int
	for pi, p := range paths {
		var lat []time.Duration
		codes := map[int]int{}
		errs := 0
		for w := range results {
			r := results[w][pi]
			lat = append(lat, r.lat...)
			for c, k := range r.codes {
				codes[c] += k
			}
			errs += r.errors
		}
		slices.Sort(lat)
		bad := errs
		var cs []string
		for _, c := range slices.Sorted(maps.Keys(codes)) {
			if c < 200 || c > 299 {
				bad += codes[c]
			}
			cs = append(cs, fmt.Sprintf("%d×%d", c, codes[c]))
		}
		if errs > 0 {
			cs = append(cs, fmt.Sprintf("err×%d", errs))
		}
		n := len(lat) + errs
		total += n
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%d\t%s\t\n", p, n, float64(n)/elapsed.Seconds(),
			ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)), bad, strings.Join(cs, " "))
	}
	fmt.Fprintf(tw, "all\t%d\t%.0f\t\t\t\t\t\t\n", total, float64(total)/elapsed.Seconds())
	tw.Flush()
}

// pct returns the p-th percentile of sorted (nearest rank), or 0 if empty.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }
