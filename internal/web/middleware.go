package web

import (
	"compress/gzip"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
)

// MaxBody is the largest request body accepted outside upload routes.
const MaxBody = 1 << 20

func limitBody(next http.Handler) http.Handler {
	return limitBodyBy(nil, nil, next)
}

// limitBodyBy caps request bodies at MaxBody, or at the larger limit that
// limit gives for the request's route (upload routes); tooLarge, if set,
// answers a body declared over the limit.
func limitBodyBy(limit func(r *http.Request) int64, tooLarge func(w http.ResponseWriter, r *http.Request), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		max := int64(MaxBody)
		if limit != nil {
			if n := limit(r); n > max {
				max = n
			}
		}
		if r.ContentLength > max {
			r.Body.Close()
			w.Header().Set("Connection", "close")
			if tooLarge != nil {
				tooLarge(w, r)
				return
			}
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets a strict policy: no scripts at all, styles and images
// from this site only, no framing.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses cross-site form posts (CSRF) using Fetch metadata and
// Origin, as the standard library implements it. Bearer-token API calls
// carry no cookies and are not exposed to CSRF.
func crossOrigin(next http.Handler, s *Site) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Fail(w, r, errs.E("csrf", errs.Forbidden, "error.cross_origin"))
	}))
	s.mu.Lock()
	for _, p := range s.crossOrigin {
		cop.AddInsecureBypassPattern(p)
	}
	s.mu.Unlock()
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") ||
			strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

func (s *Site) withLocale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l := r.URL.Query().Get("lang"); i18n.Supported(l) {
			http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		}
		p := s.Catalog.Printer(i18n.Negotiate(r, ""))
		w.Header().Set("Content-Language", p.Lang)
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), printerKey, p)))
	})
}

// SetViewer returns r carrying the viewer, with the language chosen again
// now that the person's own setting is known.
func (s *Site) SetViewer(w http.ResponseWriter, r *http.Request, v *Viewer) *http.Request {
	ctx := WithViewer(r.Context(), v)
	if v != nil {
		p := s.Catalog.Printer(i18n.Negotiate(r, v.Locale))
		w.Header().Set("Content-Language", p.Lang)
		ctx = context.WithValue(ctx, printerKey, p)
	}
	return r.WithContext(ctx)
}

// Prefix is a trusted proxy network.
type Prefix = netip.Prefix

// ParseProxies parses a comma-separated list of addresses or CIDR networks.
func ParseProxies(list string) ([]Prefix, error) {
	var out []Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		if a := p.Addr(); a.Is4In6() {
			if p.Bits() < 96 {
				return nil, fmt.Errorf("%s: an IPv4-mapped network needs at least 96 bits", f)
			}
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// withClientIP finds the client's address: the peer, or, when the peer is a
// trusted proxy, the right-most untrusted address of X-Forwarded-For.
func (s *Site) withClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := clientIP(r, s.TrustedProxies)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey, ip)))
	})
}

func clientIP(r *http.Request, trusted []Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !isTrusted(a, trusted) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

func isTrusted(a netip.Addr, trusted []Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s *Site) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				// The route's pattern, not the path: paths can hold secrets
				// (single-use links, unsubscribe tokens).
				_, pattern := s.mux.Handler(r)
				s.Log.Error("panic", "method", r.Method, "route", pattern, "panic", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}

// compress gzips text responses for clients that accept it.
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(r.Header.Get("Accept-Encoding")) || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
	status  int
}

func (g *gzipWriter) WriteHeader(status int) {
	if g.decided {
		return
	}
	g.decided = true
	g.status = status
	h := g.Header()
	ct := h.Get("Content-Type")
	if h.Get("Content-Encoding") == "" && h.Get("Content-Range") == "" && status != http.StatusNoContent &&
		status != http.StatusNotModified && compressible(ct) {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		g.gz = gzipPool.Get().(*gzip.Writer)
		g.gz.Reset(g.ResponseWriter)
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.decided {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(b))
		}
		g.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		return g.gz.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

func (g *gzipWriter) Flush() {
	if !g.decided {
		g.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		g.gz.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) close() {
	if g.gz != nil {
		g.gz.Close()
		gzipPool.Put(g.gz)
	}
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) with a quality
// above zero.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					f = 0
				}
				q = f
			}
		}
		if q > 0 {
			return true
		}
		if name == "gzip" {
			return false
		}
	}
	return false
}

func compressible(ct string) bool {
	for _, p := range []string{"text/", "application/json", "application/xml", "application/atom+xml",
		"application/rss+xml", "application/feed+json", "application/ld+json", "application/taxii+json",
		"application/stix+json", "image/svg+xml"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}
