package taxii_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/cert/taxii"
	"harambee.africa/harambee/internal/web"
)

// probes are the correlation keys a case observable looks up.
func probes(t *testing.T, kind observable.Kind, value string) []string {
	t.Helper()
	o, err := observable.Parse(kind, value)
	if err != nil {
		t.Fatal(err)
	}
	return observable.KeysOf(o).Probes
}

func (w *world) searchAPI(c caller, collection, q string) response {
	w.t.Helper()
	return w.do(c, http.MethodGet, "/api/v1/cert/collections/"+collection+"/objects?q="+url.QueryEscape(q), "", map[string]string{"Accept": "application/json"})
}

// TestSearchAndCorrelateMatrix: the objects of circle A's collection,
// marked AMBER+STRICT, are found by search and by correlation for the
// circle's members only; for everyone else the collection answers 404 and
// Correlate returns nothing from it. Public objects are found by all.
func TestSearchAndCorrelateMatrix(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	amber := quoted(stix.TLP2AmberStrict)
	w.mustAdd(w.callers["ke-cert"], w.circleA,
		`{"type":"indicator","spec_version":"2.1","id":"indicator--`+uuidN(1)+`","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Zanzibar beacon","description":"Command server of the qwertyfox campaign","pattern":"[ipv4-addr:value = '203.0.113.7'] OR [domain-name:value = 'evil.example.com']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","object_marking_refs":[`+amber+`]}`,
		`{"type":"malware","spec_version":"2.1","id":"malware--`+uuidN(2)+`","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Qwertyfox loader","is_family":true,"object_marking_refs":[`+amber+`]}`,
		`{"type":"file","spec_version":"2.1","id":"file--`+uuidN(3)+`","hashes":{"SHA-256":"4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877"},"object_marking_refs":[`+amber+`]}`)
	w.mustAdd(w.callers["ke-cert"], taxii.PublicID,
		`{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--`+uuidN(4)+`","value":"198.51.100.0/24"}`,
		`{"type":"attack-pattern","spec_version":"2.1","id":"attack-pattern--`+uuidN(5)+`","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Spear phishing","description":"Published everywhere: openwords"}`)

	for _, who := range []struct {
		name   string
		c      caller
		viewer string
		inside bool
	}{
		{"anonymous", w.callers["anonymous"], "", false},
		{"a verified non-CERT", w.callers["ent"], "ent", false},
		{"a platform administrator", w.callers["admin"], "", false},
		{"a vetted CERT in circle B only", w.callers["sn-cert"], "sn-cert", false},
		{"the circle's owner", w.callers["ke-cert"], "ke-cert", true},
		{"a circle member", w.callers["gh-cert"], "gh-cert", true},
	} {
		t.Run(who.name, func(t *testing.T) {
			r := w.searchAPI(who.c, w.circleA, "qwertyfox")
			if who.inside {
				if r.status != 200 || !strings.Contains(r.body, "indicator--"+uuidN(1)) || !strings.Contains(r.body, "malware--"+uuidN(2)) {
					t.Fatalf("member search: %d %s", r.status, r.body)
				}
			} else if r.status != http.StatusNotFound || strings.Contains(r.body, "qwertyfox") || strings.Contains(r.body, "Qwertyfox") {
				t.Fatalf("outsider search: %d %s", r.status, r.body)
			}
			for _, col := range []string{taxii.PublicID, taxii.VettedID} {
				if r := w.searchAPI(who.c, col, "qwertyfox"); strings.Contains(r.body, uuidN(1)) || strings.Contains(r.body, uuidN(2)) {
					t.Fatalf("circle object found through %s: %s", col, r.body)
				}
			}
			if r := w.searchAPI(who.c, taxii.PublicID, "openwords"); r.status != 200 || !strings.Contains(r.body, "attack-pattern--"+uuidN(5)) {
				t.Fatalf("public search: %d %s", r.status, r.body)
			}

			var v *web.Viewer
			if who.viewer != "" {
				v = w.viewers[who.viewer]
			} else if who.name == "a platform administrator" {
				v = w.admin
			}
			for _, probe := range []struct {
				kind  observable.Kind
				value string
				id    string
			}{
				{observable.IPv4, "203.0.113.7", "indicator--" + uuidN(1)},
				{observable.Domain, "mail.evil.example.com", "indicator--" + uuidN(1)}, // a sub-domain of the indicator's
				{observable.SHA256, "4BAC27393BDD9777CE02453256C5577CD02275510B2227F473D03F533924F877", "file--" + uuidN(3)},
			} {
				ms, err := w.s.Correlate(ctx, v, probes(t, probe.kind, probe.value), 10)
				if err != nil {
					t.Fatal(err)
				}
				found := len(ms) == 1 && ms[0].ObjectID == probe.id && ms[0].CollectionID == w.circleA && ms[0].CollectionTitle == "Circle A"
				if who.inside != found || (!who.inside && len(ms) > 0) {
					t.Fatalf("correlate %s: %+v", probe.value, ms)
				}
			}
			// An address inside the public CIDR: everyone sees that match.
			ms, err := w.s.Correlate(ctx, v, probes(t, observable.IPv4, "198.51.100.23"), 10)
			if err != nil || len(ms) != 1 || ms[0].ObjectID != "ipv4-addr--"+uuidN(4) || ms[0].CollectionID != taxii.PublicID {
				t.Fatalf("correlate public CIDR: %+v %v", ms, err)
			}
		})
	}

	t.Run("DeletedAndReplaced", func(t *testing.T) {
		ke := w.viewers["ke-cert"]
		// A new version of the malware with another name: only the latest is found.
		w.mustAdd(w.callers["ke-cert"], w.circleA,
			`{"type":"malware","spec_version":"2.1","id":"malware--`+uuidN(2)+`","created":"2024-01-01T00:00:00.000Z","modified":"2024-02-01T00:00:00.000Z","name":"Renamed dropper","is_family":true,"object_marking_refs":[`+amber+`]}`)
		if r := w.searchAPI(w.callers["ke-cert"], w.circleA, "loader"); r.status != 200 || strings.Contains(r.body, "malware--") {
			t.Fatalf("old version found: %s", r.body)
		}
		if r := w.searchAPI(w.callers["ke-cert"], w.circleA, "renamed dropper"); !strings.Contains(r.body, "malware--"+uuidN(2)) || !strings.Contains(r.body, "2024-02-01") {
			t.Fatalf("new version not found: %s", r.body)
		}
		// Deleting the indicator takes it out of the index and the keys.
		if r := w.do(w.callers["ke-cert"], http.MethodDelete, "/taxii2/cert/collections/"+w.circleA+"/objects/indicator--"+uuidN(1)+"/", "", nil); r.status != 200 {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		if r := w.searchAPI(w.callers["ke-cert"], w.circleA, "zanzibar"); r.status != 200 || strings.Contains(r.body, "indicator--") {
			t.Fatalf("deleted object found: %s", r.body)
		}
		if ms, err := w.s.Correlate(ctx, ke, probes(t, observable.IPv4, "203.0.113.7"), 10); err != nil || len(ms) != 0 {
			t.Fatalf("deleted object correlated: %+v %v", ms, err)
		}
	})

	t.Run("Unpublished", func(t *testing.T) {
		// A key row above the watermark (an import in progress) is not matched.
		if _, err := w.e.App.DB.W.ExecContext(ctx, `INSERT INTO cert_taxii_keys (term, collection_id, seq) VALUES ('ipv4:192.0.2.99', $1, 1000000)`, w.circleA); err != nil {
			t.Fatal(err)
		}
		if ms, err := w.s.Correlate(ctx, w.viewers["ke-cert"], probes(t, observable.IPv4, "192.0.2.99"), 10); err != nil || len(ms) != 0 {
			t.Fatalf("unpublished key matched: %+v %v", ms, err)
		}
	})

	t.Run("BadQuery", func(t *testing.T) {
		for _, q := range []string{"", "   ", strings.Repeat("x", 600)} {
			if r := w.searchAPI(w.callers["ke-cert"], w.circleA, q); r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity {
				t.Fatalf("q=%.20q: %d %s", q, r.status, r.body)
			}
		}
		if r := w.do(w.callers["ke-cert"], http.MethodGet, "/api/v1/cert/collections/"+w.circleA+"/objects?q=x&limit=0", "", map[string]string{"Accept": "application/json"}); r.status < 400 || r.status >= 500 {
			t.Fatalf("limit=0: %d %s", r.status, r.body)
		}
	})
}
