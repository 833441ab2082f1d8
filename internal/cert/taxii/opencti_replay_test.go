package taxii_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestOpenCTIIngestion replays how OpenCTI's TAXII 2.1 ingestion polls a
// collection (opencti-graphql src/manager/ingestion/ingestionTaxii.ts, read
// for this test): GET {api root}/collections/{id}/objects/ with only an
// Accept header and Basic auth, the query parameters next and added_after
// (a JavaScript date, so milliseconds) and its configurable limit; while
// more and next, it keeps next and the same added_after; then it drops next
// and starts again after X-TAXII-Date-Added-Last read as a JavaScript date.
// Every object must arrive, in two rounds of polling, however the
// millisecond truncation falls.
func TestOpenCTIIngestion(t *testing.T) {
	w := newWorld(t)
	ke := w.callers["ke-service"]
	add := func(from, to int) {
		for n := from; n < to; n++ {
			w.mustAdd(ke, w.circleA, indicator(n, "2024-01-01T00:00:00.000Z", ""))
			w.e.Clock.Advance(137 * time.Microsecond)
		}
	}
	var next, addedAfter string
	seen := map[string]bool{}
	poll := func() {
		for range 100 {
			q := url.Values{"limit": {"10"}}
			if next != "" {
				q.Set("next", next)
			}
			if addedAfter != "" {
				q.Set("added_after", addedAfter)
			}
			res := w.do(ke, http.MethodGet, "/taxii2/cert/collections/"+w.circleA+"/objects/?"+q.Encode(), "",
				map[string]string{"Accept": "application/taxii+json;version=2.1"})
			if res.status != http.StatusOK {
				t.Fatalf("poll: %d %s", res.status, res.body)
			}
			env := res.json(t)
			objects, _ := env["objects"].([]any)
			if len(objects) == 0 {
				return
			}
			for _, o := range objects {
				seen[o.(map[string]any)["id"].(string)] = true
			}
			if more, _ := env["more"].(bool); more && env["next"] != nil && env["next"] != "" {
				next = env["next"].(string)
				continue
			}
			next = ""
			last, err := time.Parse(time.RFC3339Nano, res.header.Get("X-TAXII-Date-Added-Last"))
			if err != nil {
				t.Fatalf("X-TAXII-Date-Added-Last %q: %v", res.header.Get("X-TAXII-Date-Added-Last"), err)
			}
			addedAfter = last.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		}
		t.Fatal("polling does not end")
	}
	add(0, 25)
	poll()
	if len(seen) != 25 {
		t.Fatalf("first round: %d objects, want 25", len(seen))
	}
	add(25, 32)
	poll()
	if len(seen) != 32 {
		t.Fatalf("second round: %d objects, want 32", len(seen))
	}
}
