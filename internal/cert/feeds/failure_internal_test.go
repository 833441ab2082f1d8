package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestCheckPageSaysWhyInKeys: each way a page is not TAXII is a message
// key (the object's number counted from 1), not English prose in the
// detail.
func TestCheckPageSaysWhyInKeys(t *testing.T) {
	for _, c := range []struct {
		name, body, addedLast, key, n string
	}{
		{"ObjectWithoutType", `{"objects":[{"type":"x","id":"x--1"},{"id":"y--1"}]}`, "2026-01-01T00:00:00Z", "cert.feeds.error.object_id", "2"},
		{"DateNotATimestamp", `{"objects":[{"type":"x","id":"x--1"}]}`, "yesterday", "cert.feeds.error.added_last_invalid", ""},
		{"NoDate", `{"objects":[{"type":"x","id":"x--1"}]}`, "", "cert.feeds.error.no_added_last", ""},
		{"LongNext", `{"more":true,"next":"` + strings.Repeat("n", 1001) + `","objects":[{"type":"x","id":"x--1"}]}`, "2026-01-01T00:00:00Z",
			"cert.feeds.error.next_too_long", ""},
		{"MoreWithoutObjects", `{"more":true,"objects":[]}`, "", "cert.feeds.error.more_empty", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var env envelope
			if err := json.Unmarshal([]byte(c.body), &env); err != nil {
				t.Fatal(err)
			}
			_, f := checkPage(&env, c.addedLast)
			if f == nil || f.key != "cert.feeds.error.malformed" || f.detailKey != c.key || f.detail != "" || f.detailArgs["n"] != c.n {
				t.Errorf("%+v, want %s with n %q", f, c.key, c.n)
			}
		})
	}
}

// TestNetworkFailure: a timeout is said in words; another network error
// stays in the library's own (technical) words.
func TestNetworkFailure(t *testing.T) {
	f := networkFailure(&url.Error{Op: "Get", URL: "https://taxii.example.org/", Err: context.DeadlineExceeded})
	if f.detailKey != "cert.feeds.error.timeout" || f.detail != "" {
		t.Errorf("timeout: %+v", f)
	}
	f = networkFailure(&url.Error{Op: "Get", URL: "https://taxii.example.org/", Err: errors.New("connection reset by peer")})
	if f.detailKey != "" || f.detail != "connection reset by peer" {
		t.Errorf("reset: %+v", f)
	}
}
