package feeds_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/cert/feeds"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/cert/taxii"
)

// escaper escapes text as html/template does.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;")

// has reports whether an HTML page shows text, escaped as templates escape.
func has(page, text string) bool {
	return strings.Contains(page, text) || strings.Contains(page, escaper.Replace(text))
}

// TestDetailsInTheReadersLanguage: the subscription page says what was
// wrong with the remote server's answer in the reader's language, and shows
// the technical part (an HTTP status, the server's words) marked as English
// written left to right; the API gives the key and its text too.
func TestDetailsInTheReadersLanguage(t *testing.T) {
	t.Run("NoDateAddedLast", func(t *testing.T) {
		s := newSetup(t)
		s.srv.add(2)
		s.srv.noLast = true
		f := s.subscribe()
		s.poll(s.s, f.ID)
		if got := s.feed(f.ID); got.LastDetailKey != "cert.feeds.error.no_added_last" || got.LastDetail != "" {
			t.Fatalf("recorded %q / %q", got.LastDetailKey, got.LastDetail)
		}
		page := s.analyst.B.Get("/cert/feeds/" + f.ID + "?lang=fr").Body
		if !has(page, "La page contient des objets mais pas d'en-tête X-TAXII-Date-Added-Last.") {
			t.Error("the French page lacks the French detail")
		}
		if strings.Contains(page, "no X-TAXII-Date-Added-Last") || strings.Contains(page, "The page has objects") {
			t.Error("the French page shows English prose")
		}
		var api map[string]any
		res := s.api(s.token(s.analyst), "GET", "/api/v1/cert/feeds/"+f.ID+"?lang=fr", "")
		if err := json.Unmarshal([]byte(res.Body), &api); err != nil {
			t.Fatalf("API: %d %s", res.StatusCode, res.Body)
		}
		if api["last_error_detail_key"] != "cert.feeds.error.no_added_last" || !has(fmt.Sprint(api["last_error_detail_text"]), "La page contient des objets") {
			t.Errorf("API: %s", res.Body)
		}
	})
	t.Run("ObjectWithoutID", func(t *testing.T) {
		s := newSetup(t)
		s.srv.fail = func(int) (int, http.Header, string) {
			return http.StatusOK, http.Header{"Content-Type": {feeds.MediaType}, "X-Taxii-Date-Added-Last": {"2026-01-01T00:00:00Z"}},
				`{"objects": [{"type": "indicator", "id": "indicator--1"}, {"type": "indicator"}]}`
		}
		f := s.subscribe()
		s.poll(s.s, f.ID)
		page := s.analyst.B.Get("/cert/feeds/" + f.ID + "?lang=ar").Body
		if !strings.Contains(page, `dir="rtl"`) || !has(page, "الكائن رقم 2 في الصفحة بلا نوع، أو معرّفه لا يطابق نوعه.") {
			t.Error("the Arabic page lacks the Arabic detail with the object's number")
		}
		if strings.Contains(page, "has no type") {
			t.Error("the Arabic page shows English prose")
		}
	})
	t.Run("ServerError", func(t *testing.T) {
		s := newSetup(t)
		s.srv.add(1)
		f := s.subscribe()
		s.srv.pass = "changed"
		s.poll(s.s, f.ID)
		page := s.analyst.B.Get("/cert/feeds/" + f.ID + "?lang=ar").Body
		// The sentence in Arabic, then the server's words marked as English.
		if !has(page, "رفض الخادم البعيد بيانات الاعتماد (401). "+`<code lang="en" dir="ltr">HTTP 401: bad credentials</code>`) {
			t.Error("the failure is not the Arabic sentence followed by the server's words marked as English left to right")
		}
	})
}

// TestConnectionTestInTheReadersLanguage: testing a subscription whose
// server answers with bytes that are not UTF-8 says so in the reader's
// language, on the page and in the API.
func TestConnectionTestInTheReadersLanguage(t *testing.T) {
	s := newSetup(t)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", feeds.MediaType)
		w.Write([]byte("{\"title\": \"\xff\xfe\"}"))
	}))
	t.Cleanup(bad.Close)
	f, err := s.s.Create(context.Background(), s.viewer(s.analyst), feeds.Input{Team: s.team.ID, Circle: s.circle.ID, Title: "Broken",
		APIRoot: bad.URL + "/api1/", Collection: "coll-1", Interval: 30}, "")
	if err != nil {
		t.Fatal(err)
	}
	page := s.analyst.B.Post("/cert/feeds/"+f.ID+"/test?lang=fr", nil)
	if page.StatusCode != http.StatusOK || !has(page.Body, "La réponse n'est pas de l'UTF-8 valide.") || strings.Contains(page.Body, "invalid UTF-8") {
		t.Errorf("test page: %d, lacks the French detail", page.StatusCode)
	}
	res := s.api(s.token(s.analyst), "POST", "/api/v1/cert/feeds/"+f.ID+"/test?lang=fr", "")
	var pr map[string]any
	if err := json.Unmarshal([]byte(res.Body), &pr); err != nil || pr["error_detail_key"] != "cert.feeds.error.not_utf8" ||
		pr["error_detail_text"] != "La réponse n'est pas de l'UTF-8 valide." {
		t.Errorf("API test: %d %s", res.StatusCode, res.Body)
	}
}

// circleCollections names a circle's collection as the app's wiring does.
type circleCollections struct{}

func (circleCollections) CircleCollection(_ context.Context, groupID string) (string, error) {
	return taxii.CircleCollectionID(groupID), nil
}

// TestRefusedInTheReadersLanguage: objects the real STIX store refuses are
// listed on the page in the reader's language, through the store's keys
// kept in last_refused; the API keeps TAXII's id, version and English
// message. A refusal recorded without a key shows its English message,
// marked as English.
func TestRefusedInTheReadersLanguage(t *testing.T) {
	s := newSetup(t)
	s.srv.add(1)
	red := `{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-00000000aaaa","created":"2026-01-01T00:00:00.000Z",` +
		`"modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.99']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z",` +
		`"object_marking_refs":["` + stix.TLP2Red + `"]}`
	s.srv.objects = append(s.srv.objects, stored{added: time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC), json: red})
	s.s.Importer, s.s.Collections = s.e.App.CertParts.TAXII, circleCollections{}
	f := s.subscribe()
	if o := s.poll(s.s, f.ID); o.Added != 1 || o.Refused != 1 || o.Error != "" {
		t.Fatalf("poll: %+v", o)
	}
	page := s.analyst.B.Get("/cert/feeds/" + f.ID + "?lang=fr").Body
	if !has(page, "Marqué TLP:RED, au-dessus de TLP:AMBER+STRICT, le maximum que cette collection accepte ; non enregistré.") {
		t.Error("the French page lacks the French refusal")
	}
	if strings.Contains(page, "the most this collection accepts") {
		t.Error("the French page shows the English refusal")
	}
	res := s.api(s.token(s.analyst), "GET", "/api/v1/cert/feeds/"+f.ID+"?lang=fr", "")
	var api struct {
		Refused []map[string]any `json:"last_refused"`
	}
	if err := json.Unmarshal([]byte(res.Body), &api); err != nil || len(api.Refused) != 1 {
		t.Fatalf("API: %d %s", res.StatusCode, res.Body)
	}
	var keys []string
	for k := range api.Refused[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if strings.Join(keys, ",") != "id,message,version" || api.Refused[0]["message"] != "marked TLP:RED, above TLP:AMBER+STRICT, the most this collection accepts" {
		t.Errorf("API refused: %v", api.Refused[0])
	}

	// The fake store's refusals carry no key.
	t2 := newSetup(t)
	t2.srv.objects = append(t2.srv.objects, stored{added: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		json: `{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-00000000bbbb"}`})
	g := t2.subscribe()
	if o := t2.poll(t2.s, g.ID); o.Refused != 1 {
		t.Fatalf("poll: %+v", o)
	}
	if page := t2.analyst.B.Get("/cert/feeds/" + g.ID + "?lang=fr").Body; !strings.Contains(page, `<span lang="en" dir="ltr">no modified</span>`) {
		t.Error("a refusal without key is not shown as English")
	}
}
