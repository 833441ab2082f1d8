package taxii_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/taxii"
)

// TestKernelErrorsAreTAXII: what the platform refuses before the TAXII
// handlers run — an unknown token, a body declared over the limit — is
// answered as a TAXII 2.1 error resource with TAXII's media type, while
// the JSON API keeps the platform's error shape.
func TestKernelErrorsAreTAXII(t *testing.T) {
	w := newWorld(t)
	isTAXIIError := func(t *testing.T, status int, header http.Header, body string, want int) {
		t.Helper()
		if status != want || header.Get("Content-Type") != taxii.MediaTAXII {
			t.Fatalf("%d %q %s", status, header.Get("Content-Type"), body)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil || m["http_status"] != fmt.Sprint(want) || m["title"] == "" || m["error"] != nil {
			t.Fatalf("not a TAXII error resource: %s", body)
		}
	}
	for _, auth := range []string{"Bearer no-such-token", basic("admin@ke-cert.example", "no-such-token")} {
		r := w.do(caller{name: "bad", auth: auth}, http.MethodGet, "/taxii2/cert/collections/", "", nil)
		isTAXIIError(t, r.status, r.header, r.body, http.StatusUnauthorized)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
			t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
		}
	}
	// The JSON API keeps the platform's error.
	r := w.do(caller{name: "bad", auth: "Bearer no-such-token"}, http.MethodGet, "/api/v1/cert/collections", "", map[string]string{"Accept": "application/json"})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, `"error"`) {
		t.Fatalf("API: %d %s", r.status, r.body)
	}

	// A body declared far over the limit: refused before it is read.
	u, _ := url.Parse(w.e.Server.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /taxii2/cert/collections/%s/objects/ HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nAccept: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		w.circleA, u.Host, w.callers["ke-cert"].auth, taxii.MediaTAXII, taxii.MediaTAXII, 1<<30)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	if _, err := bufio.NewReader(res.Body).WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	isTAXIIError(t, res.StatusCode, res.Header, b.String(), http.StatusRequestEntityTooLarge)
}
