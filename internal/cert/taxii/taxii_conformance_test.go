package taxii_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/cert/taxii"
)

// TestConformance walks TAXII 2.1 (OASIS Standard, 10 June 2021) point by
// point. Each case names the section it checks: 4.x for the server and API
// root endpoints, 5.x for the collection endpoints, and the general rules
// (media types, content negotiation, filtering, pagination, errors) by
// name.
func TestConformance(t *testing.T) {
	w := newWorld(t)
	ke, gh, sn := w.callers["ke-cert"], w.callers["gh-cert"], w.callers["sn-cert"]
	anon, ent := w.callers["anonymous"], w.callers["ent"]
	root := "/taxii2/cert/"
	pub := root + "collections/" + taxii.PublicID + "/"
	vet := root + "collections/" + taxii.VettedID + "/"
	circA := root + "collections/" + w.circleA + "/"

	// Three versions of indicator 1 and one of indicators 2..5 in public;
	// one AMBER+STRICT object in circle A.
	st1 := w.mustAdd(ke, taxii.PublicID, indicator(1, "2024-01-01T00:00:00.000Z", ""), indicator(2, "2024-01-01T00:00:00.000Z", quoted(stix.TLP2Clear)))
	w.mustAdd(ke, taxii.PublicID, indicator(1, "2024-02-01T00:00:00.000Z", ""), indicator(3, "2024-01-01T00:00:00.000Z", ""))
	w.mustAdd(ke, taxii.PublicID, indicator(1, "2024-03-01T00:00:00.000Z", ""), indicator(4, "2024-01-01T00:00:00.000Z", ""), indicator(5, "2024-01-01T00:00:00.000Z", ""))
	w.mustAdd(gh, w.circleA, indicator(90, "2024-01-01T00:00:00.000Z", quoted(stix.TLP2AmberStrict)))
	id1 := "indicator--" + uuidN(1)

	type check func(t *testing.T, r response)
	objects := func(n int) check {
		return func(t *testing.T, r response) {
			t.Helper()
			l, _ := r.json(t)["objects"].([]any)
			if len(l) != n {
				t.Errorf("%d objects, want %d: %s", len(l), n, r.body)
			}
		}
	}
	has := func(parts ...string) check {
		return func(t *testing.T, r response) {
			t.Helper()
			for _, p := range parts {
				if !strings.Contains(r.body, p) {
					t.Errorf("body lacks %s: %s", p, r.body)
				}
			}
		}
	}
	lacks := func(parts ...string) check {
		return func(t *testing.T, r response) {
			t.Helper()
			for _, p := range parts {
				if strings.Contains(r.body, p) {
					t.Errorf("body has %s: %s", p, r.body)
				}
			}
		}
	}
	taxiiError := func(t *testing.T, r response) {
		t.Helper()
		m := r.json(t)
		if m["title"] == nil || m["title"] == "" || m["http_status"] != strconv.Itoa(r.status) {
			t.Errorf("not a TAXII error message: %s", r.body)
		}
	}
	headers := func(t *testing.T, r response) {
		t.Helper()
		first, last := r.header.Get("X-TAXII-Date-Added-First"), r.header.Get("X-TAXII-Date-Added-Last")
		if _, err := stix.ParseTimestamp(first); err != nil {
			t.Errorf("X-TAXII-Date-Added-First %q", first)
		}
		if _, err := stix.ParseTimestamp(last); err != nil || last < first {
			t.Errorf("X-TAXII-Date-Added-Last %q", last)
		}
	}
	cases := []struct {
		name         string
		who          caller
		method, path string
		body         string
		hdr          map[string]string
		status       int
		checks       []check
	}{
		{"4.1 Discovery", anon, "GET", "/taxii2/", "", nil, 200, []check{has(`"api_roots":["`+w.e.Server.URL+root+`"]`, `"default":"`, `"title":"`)}},
		{"4.2 API root information", anon, "GET", root, "", nil, 200, []check{has(`"versions":["application/taxii+json;version=2.1"]`, `"max_content_length":`)}},
		{"4.2 API root: 406 for another TAXII version", anon, "GET", root, "", map[string]string{"Accept": "application/taxii+json;version=2.0"}, 406, []check{taxiiError}},
		{"4.2 API root: 406 for application/json", anon, "GET", root, "", map[string]string{"Accept": "application/json"}, 406, []check{taxiiError}},
		{"4.2 API root: Accept application/taxii+json without version", anon, "GET", root, "", map[string]string{"Accept": "application/taxii+json"}, 200, nil},
		{"5.1 Collections: anonymous sees the public one only", anon, "GET", root + "collections/", "", nil, 200, []check{has(taxii.PublicID), lacks(taxii.VettedID, w.circleA, w.circleB)}},
		{"5.1 Collections: a circle member sees its circle", gh, "GET", root + "collections/", "", nil, 200, []check{has(taxii.PublicID, taxii.VettedID, w.circleA, `"can_write":true`, `"media_types":["application/stix+json;version=2.1"]`), lacks(w.circleB)}},
		{"5.1 Collections: a vetted CERT outside the circle", sn, "GET", root + "collections/", "", nil, 200, []check{has(taxii.VettedID, w.circleB), lacks(w.circleA)}},
		{"5.2 Collection", ke, "GET", circA, "", nil, 200, []check{has(`"id":"`+w.circleA+`"`, `"title":"Circle A"`, `"can_read":true`)}},
		{"5.2 Collection: 404 for a circle one is not in", sn, "GET", circA, "", nil, 404, []check{taxiiError}},
		{"5.2 Collection: 404 for anonymous", anon, "GET", vet, "", nil, 404, []check{taxiiError}},
		{"5.2 Collection: 404 for an unknown id", ke, "GET", root + "collections/00000000-0000-4000-8000-000000000000/", "", nil, 404, []check{taxiiError}},
		{"5.4 Get objects: last versions, added order", anon, "GET", pub + "objects/", "", nil, 200, []check{objects(5), headers, has(`"more":false`, `2024-03-01T00:00:00.000Z`), lacks(`"next"`, `2024-02-01T00:00:00.000Z`)}},
		{"5.4 Get objects: media type of the envelope", anon, "GET", pub + "objects/", "", nil, 200, []check{func(t *testing.T, r response) {
			if ct := r.header.Get("Content-Type"); ct != taxii.MediaTAXII {
				t.Errorf("Content-Type %q", ct)
			}
		}}},
		{"5.4 Get objects: match[version]=all", anon, "GET", pub + "objects/?match[version]=all", "", nil, 200, []check{objects(7)}},
		{"5.4 Get objects: match[version]=first", anon, "GET", pub + "objects/?match[version]=first&match[id]=" + id1, "", nil, 200, []check{objects(1), has(`2024-01-01T00:00:00.000Z`)}},
		{"5.4 Get objects: match[version]=timestamp", anon, "GET", pub + "objects/?match[version]=2024-02-01T00:00:00Z", "", nil, 200, []check{objects(1), has(`2024-02-01T00:00:00.000Z`)}},
		{"5.4 Get objects: match[version]=first,last", anon, "GET", pub + "objects/?match[version]=first,last&match[id]=" + id1, "", nil, 200, []check{objects(2)}},
		{"5.4 Get objects: match[id] list", anon, "GET", pub + "objects/?match[id]=" + id1 + ",indicator--" + uuidN(2), "", nil, 200, []check{objects(2)}},
		{"5.4 Get objects: match[type]", anon, "GET", pub + "objects/?match[type]=malware", "", nil, 200, []check{lacks(`"objects"`), has(`"more":false`)}},
		{"5.4 Get objects: match[type]=indicator", anon, "GET", pub + "objects/?match[type]=indicator,malware", "", nil, 200, []check{objects(5)}},
		{"5.4 Get objects: match[spec_version]", anon, "GET", pub + "objects/?match[spec_version]=2.0", "", nil, 200, []check{lacks(`"objects"`)}},
		{"5.4 Get objects: limit and next", anon, "GET", pub + "objects/?limit=2", "", nil, 200, []check{objects(2), has(`"more":true`, `"next":"`)}},
		{"5.4 Get objects: 400 for limit=0", anon, "GET", pub + "objects/?limit=0", "", nil, 400, []check{taxiiError}},
		{"5.4 Get objects: 400 for a bad next", anon, "GET", pub + "objects/?next=bm90LWEtdG9rZW4", "", nil, 400, []check{taxiiError}},
		{"5.4 Get objects: 400 for a bad added_after", anon, "GET", pub + "objects/?added_after=yesterday", "", nil, 400, []check{taxiiError}},
		{"5.4 Get objects: 400 for a bad match[version]", anon, "GET", pub + "objects/?match[version]=newest", "", nil, 400, []check{taxiiError}},
		{"5.4 Get objects: 404 outside the circle", sn, "GET", circA + "objects/", "", nil, 404, []check{taxiiError, lacks("zq indicator 90")}},
		{"5.4 Get objects: a circle member", gh, "GET", circA + "objects/", "", nil, 200, []check{objects(1), has("zq indicator 90")}},
		{"5.4 Get objects: 406", anon, "GET", pub + "objects/", "", map[string]string{"Accept": "application/stix+json;version=2.0"}, 406, []check{taxiiError}},
		{"5.5 Add objects: 401 for anonymous", anon, "POST", pub + "objects/", envelope(indicator(7, "2024-01-01T00:00:00.000Z", "")), nil, 401, []check{taxiiError}},
		{"5.5 Add objects: 403 for a reader", ent, "POST", pub + "objects/", envelope(indicator(7, "2024-01-01T00:00:00.000Z", "")), nil, 403, []check{taxiiError}},
		{"5.5 Add objects: 404 in a circle one is not in", sn, "POST", circA + "objects/", envelope(indicator(7, "2024-01-01T00:00:00.000Z", "")), nil, 404, []check{taxiiError}},
		{"5.5 Add objects: 415 for application/json", ke, "POST", pub + "objects/", envelope(indicator(7, "2024-01-01T00:00:00.000Z", "")), map[string]string{"Content-Type": "application/json"}, 415, []check{taxiiError}},
		{"5.5 Add objects: 415 for TAXII 2.0", ke, "POST", pub + "objects/", envelope(indicator(7, "2024-01-01T00:00:00.000Z", "")), map[string]string{"Content-Type": "application/taxii+json;version=2.0"}, 415, []check{taxiiError}},
		{"5.5 Add objects: 400 for malformed JSON", ke, "POST", pub + "objects/", `{"objects":[`, nil, 400, []check{taxiiError}},
		{"5.5 Add objects: 400 for a duplicate key, nothing stored", ke, "POST", pub + "objects/", envelope(indicator(8, "2024-01-01T00:00:00.000Z", ""), strings.Replace(indicator(9, "2024-01-01T00:00:00.000Z", ""), `"pattern_type":"stix"`, `"pattern_type":"stix","pattern_type":"x"`, 1)), nil, 400, []check{taxiiError}},
		{"5.5 Add objects: 422 for a STIX 2.0 object", ke, "POST", pub + "objects/", envelope(indicator(8, "2024-01-01T00:00:00.000Z", ""), strings.Replace(indicator(9, "2024-01-01T00:00:00.000Z", ""), `"spec_version":"2.1"`, `"spec_version":"2.0"`, 1)), nil, 422, []check{taxiiError, has("objects[1]")}},
		{"5.5 Add objects: above the collection's marking is a failure", ke, "POST", pub + "objects/", envelope(indicator(10, "2024-01-01T00:00:00.000Z", quoted(stix.TLP2Green))), nil, 202, []check{has(`"failure_count":1`, `"success_count":0`, "TLP:GREEN")}},
		{"5.5 Add objects: TLP 1.0 AMBER is AMBER", gh, "POST", vet + "objects/", envelope(indicator(11, "2024-01-01T00:00:00.000Z", quoted(stix.TLP1Amber))), nil, 202, []check{has(`"failure_count":1`, "TLP:AMBER,")}},
		{"5.5 Add objects: nothing of a refused envelope is stored", anon, "GET", pub + "objects/?match[id]=indicator--" + uuidN(8), "", nil, 200, []check{lacks(`"objects"`)}},
		{"5.6 Get an object: latest version", anon, "GET", pub + "objects/" + id1 + "/", "", nil, 200, []check{objects(1), headers, has("2024-03-01T00:00:00.000Z")}},
		{"5.6 Get an object: all versions", anon, "GET", pub + "objects/" + id1 + "/?match[version]=all", "", nil, 200, []check{objects(3)}},
		{"5.6 Get an object: 404 when absent", anon, "GET", pub + "objects/indicator--" + uuidN(999) + "/", "", nil, 404, []check{taxiiError}},
		{"5.6 Get an object: 404 outside the circle", sn, "GET", circA + "objects/indicator--" + uuidN(90) + "/", "", nil, 404, []check{taxiiError}},
		{"5.3 Manifest", anon, "GET", pub + "manifest/", "", nil, 200, []check{objects(5), headers, has(`"media_type":"application/stix+json;version=2.1"`, `"date_added":"`, `"version":"2024-03-01T00:00:00.000Z"`)}},
		{"5.3 Manifest: match[version]=all, limit", anon, "GET", pub + "manifest/?match[version]=all&limit=3", "", nil, 200, []check{objects(3), has(`"more":true`)}},
		{"5.3 Manifest: 404 outside the circle", w.callers["admin"], "GET", circA + "manifest/", "", nil, 404, []check{taxiiError}},
		{"5.8 Versions", anon, "GET", pub + "objects/" + id1 + "/versions/", "", nil, 200, []check{headers, has(`"versions":["2024-01-01T00:00:00.000Z","2024-02-01T00:00:00.000Z","2024-03-01T00:00:00.000Z"]`, `"more":false`)}},
		{"5.8 Versions: limit", anon, "GET", pub + "objects/" + id1 + "/versions/?limit=1", "", nil, 200, []check{has(`"versions":["2024-01-01T00:00:00.000Z"]`, `"more":true`, `"next":"`)}},
		{"5.8 Versions: 404 outside the circle", ent, "GET", circA + "objects/indicator--" + uuidN(90) + "/versions/", "", nil, 404, []check{taxiiError}},
		{"5.7 Delete: 401 for anonymous", anon, "DELETE", pub + "objects/" + id1 + "/", "", nil, 401, []check{taxiiError}},
		{"5.7 Delete: 403 for a reader", ent, "DELETE", pub + "objects/" + id1 + "/", "", nil, 403, []check{taxiiError}},
		{"5.7 Delete: one version", ke, "DELETE", pub + "objects/" + id1 + "/?match[version]=2024-02-01T00:00:00.000Z", "", nil, 200, nil},
		{"5.7 Delete: the version is gone", anon, "GET", pub + "objects/" + id1 + "/versions/", "", nil, 200, []check{has(`"versions":["2024-01-01T00:00:00.000Z","2024-03-01T00:00:00.000Z"]`)}},
		{"5.7 Delete: 404 for a circle one is not in", sn, "DELETE", circA + "objects/indicator--" + uuidN(90) + "/", "", nil, 404, []check{taxiiError}},
		{"5.7 Delete: every version", ke, "DELETE", pub + "objects/" + id1 + "/", "", nil, 200, nil},
		{"5.7 Delete: then 404", anon, "GET", pub + "objects/" + id1 + "/", "", nil, 404, []check{taxiiError}},
		{"4.3 Status", ke, "GET", root + "status/" + st1["id"].(string) + "/", "", nil, 200, []check{has(`"status":"complete"`, `"total_count":2`, `"success_count":2`, `"failure_count":0`, `"pending_count":0`, `"successes":[`)}},
		{"4.3 Status: taxii2-client's URL without the final slash", ke, "GET", root + "status/" + st1["id"].(string), "", nil, 200, []check{has(`"status":"complete"`)}},
		{"4.3 Status: public collection's status for anyone", anon, "GET", root + "status/" + st1["id"].(string) + "/", "", nil, 200, nil},
		{"4.3 Status: 404 for an unknown id", ke, "GET", root + "status/00000000-0000-4000-8000-000000000000/", "", nil, 404, []check{taxiiError}},
		{"Authentication: 401 for a bad token", caller{auth: basic("admin@ke-cert.example", "nope")}, "GET", root, "", nil, 401, nil},
		{"Authentication: Bearer", caller{auth: "Bearer " + w.keOrgTok}, "GET", circA + "objects/", "", nil, 200, []check{objects(1)}},
		{"Authentication: organisation service token with the slug", w.callers["ke-service"], "GET", circA, "", nil, 200, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := w.do(c.who, c.method, c.path, c.body, c.hdr)
			if r.status != c.status {
				t.Fatalf("%s %s: %d, want %d: %s", c.method, c.path, r.status, c.status, r.body)
			}
			// Every answer is TAXII content, but for an unknown token, which
			// the platform's authentication refuses before TAXII is reached.
			if ct := r.header.Get("Content-Type"); ct != taxii.MediaTAXII && !strings.HasPrefix(c.name, "Authentication: 401") {
				t.Errorf("Content-Type %q", ct)
			}
			for _, ch := range c.checks {
				ch(t, r)
			}
		})
	}

	// Pagination walks every version once, in date_added order, with added_after.
	t.Run("5.4 Pagination: next walks all, once", func(t *testing.T) {
		seen := map[string]bool{}
		next, pages := "", 0
		for {
			q := url.Values{"limit": {"2"}, "match[version]": {"all"}}
			if next != "" {
				q.Set("next", next)
			}
			r := w.do(anon, "GET", pub+"objects/?"+q.Encode(), "", nil)
			m := r.json(t)
			for _, o := range m["objects"].([]any) {
				k := o.(map[string]any)["id"].(string) + o.(map[string]any)["modified"].(string)
				if seen[k] {
					t.Fatalf("%s twice", k)
				}
				seen[k] = true
			}
			pages++
			if m["more"] != true {
				break
			}
			next = m["next"].(string)
		}
		if len(seen) != 4 || pages != 2 {
			t.Errorf("%d versions in %d pages", len(seen), pages)
		}
		first := w.do(anon, "GET", pub+"objects/?limit=1&match[version]=all", "", nil)
		after := first.header.Get("X-TAXII-Date-Added-Last")
		rest := w.do(anon, "GET", pub+"objects/?match[version]=all&added_after="+url.QueryEscape(after), "", nil)
		if n := len(rest.json(t)["objects"].([]any)); n != 3 {
			t.Errorf("added_after %s: %d objects, want 3", after, n)
		}
	})
}
