package taxii_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/taxii"
)

// TestTaxii2ClientReplay sends exactly what the OASIS reference client,
// taxii2-client 2.3.0 (taxii2client/v21 and common.py), sends, and checks
// what it checks:
//   - every GET carries User-Agent "taxii2-client/2.3.0", Accept
//     "application/taxii+json;version=2.1" and HTTP Basic (requests'
//     HTTPBasicAuth), plus requests' Accept-Encoding "gzip, deflate";
//   - the answer's Content-Type, split on ";" without spaces, holds every
//     token of the Accept header and starts with application/taxii+json;
//   - filters go as added_after=<STIX timestamp, trailing zeros of the
//     fraction stripped>, match[type]=a,b, match[version]=…; as_pages sends
//     limit=N and then next=<the envelope's next>, as long as "more" is true;
//   - add_objects posts json.dumps(envelope, ensure_ascii=False) with Accept
//     and Content-Type "application/taxii+json;version=2.1", then follows
//     the status at urljoin(collection_url, "../../status/<id>") — with no
//     final slash — and requires total = success + failure + pending and
//     lists as long as their counts;
//   - a collection needs id, title, can_read and can_write.
func TestTaxii2ClientReplay(t *testing.T) {
	w := newWorld(t)
	auth := w.callers["gh-cert"].auth
	base := w.e.Server.URL
	get := func(u string, params url.Values) (map[string]any, http.Header) {
		t.Helper()
		if params != nil {
			u += "?" + params.Encode()
		}
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("User-Agent", "taxii2-client/2.3.0")
		req.Header.Set("Accept-Encoding", "gzip, deflate")
		req.Header.Set("Accept", "*/*")
		req.Header.Set("Connection", "keep-alive")
		req.Header.Set("Accept", taxii.MediaTAXII)
		req.Header.Set("Authorization", auth)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode >= 400 {
			t.Fatalf("GET %s: %d", u, res.StatusCode)
		}
		ct := strings.Split(strings.ReplaceAll(res.Header.Get("Content-Type"), " ", ""), ";")
		for _, tok := range strings.Split(strings.ReplaceAll(taxii.MediaTAXII, " ", ""), ";") {
			if !contains(ct, tok) || ct[0] != "application/taxii+json" {
				t.Fatalf("GET %s: Content-Type %v does not satisfy the client", u, ct)
			}
		}
		var rd io.Reader = res.Body
		if res.Header.Get("Content-Encoding") == "gzip" {
			gz, err := gzip.NewReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			rd = gz
		}
		var m map[string]any
		if err := json.NewDecoder(rd).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m, res.Header
	}
	// Server(url).api_roots, then ApiRoot.refresh_information and refresh_collections.
	disc, _ := get(base+"/taxii2/", nil)
	roots := disc["api_roots"].([]any)
	rootURL := roots[0].(string)
	info, _ := get(rootURL, nil)
	if info["title"] == nil || info["versions"] == nil {
		t.Fatalf("api root %v", info)
	}
	cols, _ := get(rootURL+"collections/", nil)
	var circle map[string]any
	for _, c := range cols["collections"].([]any) {
		m := c.(map[string]any)
		for _, k := range []string{"id", "title", "can_read", "can_write"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("collection without %s: %v", k, m)
			}
		}
		if m["id"] == w.circleA {
			circle = m
		}
	}
	if circle == nil || circle["can_write"] != true {
		t.Fatalf("circle A not writable for gh: %v", cols)
	}
	colURL := rootURL + "collections/" + w.circleA + "/"

	// Collection.add_objects(envelope dict).
	objs := []any{}
	for i := 1; i <= 5; i++ {
		var o map[string]any
		_ = json.Unmarshal([]byte(indicator(i, "2024-01-01T00:00:00.000Z", "")), &o)
		objs = append(objs, o)
	}
	body, _ := json.Marshal(map[string]any{"objects": objs})
	req, _ := http.NewRequest("POST", colURL+"objects/", strings.NewReader(string(body)))
	req.Header.Set("User-Agent", "taxii2-client/2.3.0")
	req.Header.Set("Accept", taxii.MediaTAXII)
	req.Header.Set("Content-Type", taxii.MediaTAXII)
	req.Header.Set("Authorization", auth)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	_ = json.NewDecoder(res.Body).Decode(&st)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("add_objects: %d %v", res.StatusCode, st)
	}
	u, _ := url.Parse(colURL)
	statusURL := u.ResolveReference(&url.URL{Path: "../../status/" + st["id"].(string)}).String()
	status, _ := get(statusURL, nil)
	checkStatus(t, status)
	if status["status"] != "complete" || status["success_count"].(float64) != 5 {
		t.Fatalf("status %v", status)
	}

	// as_pages(collection.get_objects, per_request=2, type="indicator").
	params := url.Values{"limit": {"2"}, "match[type]": {"indicator"}}
	n, pages := 0, 0
	var lastAdded string
	for {
		env, h := get(colURL+"objects/", params)
		pages++
		if l, ok := env["objects"].([]any); ok {
			n += len(l)
		}
		lastAdded = h.Get("X-TAXII-Date-Added-Last")
		if more, _ := env["more"].(bool); !more {
			break
		}
		params.Set("next", env["next"].(string))
	}
	if n != 5 || pages != 3 {
		t.Errorf("as_pages: %d objects in %d pages", n, pages)
	}
	// get_objects(added_after=<datetime>) with the fraction's zeros
	// stripped, and no fraction at all when it is zero.
	after := strings.TrimSuffix(strings.TrimRight(strings.TrimSuffix(lastAdded, "Z"), "0"), ".") + "Z"
	env, _ := get(colURL+"objects/", url.Values{"added_after": {after}})
	if _, ok := env["objects"]; ok {
		t.Errorf("added_after the last date_added returned objects: %v", env)
	}
	// get_manifest, get_object, object_versions; delete_object.
	man, _ := get(colURL+"manifest/", url.Values{"match[version]": {"last"}})
	if len(man["objects"].([]any)) != 5 {
		t.Errorf("manifest %v", man)
	}
	id := "indicator--" + uuidN(3)
	one, _ := get(colURL+"objects/"+id+"/", nil)
	if len(one["objects"].([]any)) != 1 {
		t.Errorf("get_object %v", one)
	}
	vs, _ := get(colURL+"objects/"+id+"/versions/", nil)
	if len(vs["versions"].([]any)) != 1 {
		t.Errorf("object_versions %v", vs)
	}
	req, _ = http.NewRequest("DELETE", colURL+"objects/"+id+"/", nil)
	req.Header.Set("Accept", taxii.MediaTAXII)
	req.Header.Set("Authorization", auth)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("delete_object: %v %v", res, err)
	}
}

func checkStatus(t *testing.T, st map[string]any) {
	t.Helper()
	for _, k := range []string{"id", "status", "total_count", "success_count", "failure_count", "pending_count"} {
		if _, ok := st[k]; !ok {
			t.Fatalf("status without %s: %v", k, st)
		}
	}
	total := st["total_count"].(float64)
	if st["success_count"].(float64)+st["failure_count"].(float64)+st["pending_count"].(float64) != total {
		t.Errorf("counts do not add up: %v", st)
	}
	for _, l := range []string{"successes", "failures", "pendings"} {
		if list, ok := st[l].([]any); ok && float64(len(list)) != st[strings.TrimSuffix(l, "es")+"_count"].(float64) && float64(len(list)) != st[strings.TrimSuffix(l, "s")+"_count"].(float64) {
			t.Errorf("%s has %d entries: %v", l, len(list), st)
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
