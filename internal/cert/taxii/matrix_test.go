package taxii_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/cert/taxii"
)

// TestMatrix: an AMBER+STRICT object in circle A's collection is never
// visible, counted, listed (collections, manifest, versions, status) or
// exportable for anyone outside circle A — anonymous, a verified non-CERT,
// a platform administrator, a vetted CERT outside the circle who is in
// circle B — through TAXII, the pages and the API; circle members see it.
func TestMatrix(t *testing.T) {
	w := newWorld(t)
	const marker = "zq indicator 77"
	obj := indicator(77, "2024-05-01T00:00:00.000Z", quoted(stix.TLP2AmberStrict))
	st := w.mustAdd(w.callers["ke-cert"], w.circleA, obj)
	statusID := st["id"].(string)
	oid := "indicator--" + uuidN(77)
	colA := "/taxii2/cert/collections/" + w.circleA + "/"
	probes := []struct {
		name, method, path string
	}{
		{"collections", "GET", "/taxii2/cert/collections/"},
		{"collection", "GET", colA},
		{"objects", "GET", colA + "objects/"},
		{"objects all versions", "GET", colA + "objects/?match[version]=all"},
		{"object", "GET", colA + "objects/" + oid + "/"},
		{"versions", "GET", colA + "objects/" + oid + "/versions/"},
		{"manifest", "GET", colA + "manifest/"},
		{"status", "GET", "/taxii2/cert/status/" + statusID + "/"},
		{"public objects", "GET", "/taxii2/cert/collections/" + taxii.PublicID + "/objects/?match[id]=" + oid},
		{"vetted objects", "GET", "/taxii2/cert/collections/" + taxii.VettedID + "/objects/?match[id]=" + oid},
	}
	for _, who := range []struct {
		name    string
		c       caller
		inside  bool
		viewers string // key of w.viewers for the indicator check, "" for none
	}{
		{"anonymous", w.callers["anonymous"], false, ""},
		{"a verified non-CERT", w.callers["ent"], false, "ent"},
		{"a platform administrator", w.callers["admin"], false, ""},
		{"a vetted CERT in circle B only", w.callers["sn-cert"], false, "sn-cert"},
		{"the circle's owner", w.callers["ke-cert"], true, "ke-cert"},
		{"a circle member", w.callers["gh-cert"], true, "gh-cert"},
		{"the owner's service token", w.callers["ke-service"], true, ""},
	} {
		t.Run(who.name, func(t *testing.T) {
			for _, p := range probes {
				r := w.do(who.c, p.method, p.path, "", nil)
				seen := strings.Contains(r.body, marker) || strings.Contains(r.body, oid) || strings.Contains(r.body, w.circleA) ||
					strings.Contains(r.body, "2024-05-01T00:00:00.000Z")
				switch {
				case who.inside && !strings.HasPrefix(p.name, "public") && !strings.HasPrefix(p.name, "vetted") && (r.status != 200 || !seen):
					t.Errorf("%s: %d, seen %v, want 200 with the object", p.name, r.status, seen)
				case !who.inside && seen:
					t.Errorf("%s: the circle's object or collection shows (%d): %s", p.name, r.status, r.body)
				case !who.inside && p.name != "collections" && !strings.HasPrefix(p.name, "public") && !strings.HasPrefix(p.name, "vetted") && r.status != 404:
					t.Errorf("%s: %d, want 404", p.name, r.status)
				}
			}
			// Writing and deleting are refused as if the collection did not exist.
			if who.c.auth != "" && !who.inside {
				if r := w.post(who.c, w.circleA, envelope(indicator(78, "2024-05-01T00:00:00.000Z", ""))); r.status != 404 {
					t.Errorf("add: %d", r.status)
				}
				if r := w.do(who.c, "DELETE", colA+"objects/"+oid+"/", "", nil); r.status != 404 {
					t.Errorf("delete: %d", r.status)
				}
			}
			// The JSON API's collections and the page.
			page := w.do(who.c, "GET", "/cert/taxii", "", map[string]string{"Accept": "text/html"})
			api := w.do(who.c, "GET", "/api/v1/cert/collections", "", map[string]string{"Accept": "application/json"})
			if page.status != 200 || api.status != 200 {
				t.Fatalf("page %d, api %d", page.status, api.status)
			}
			if strings.Contains(page.body, w.circleA) != who.inside || strings.Contains(api.body, w.circleA) != who.inside {
				t.Errorf("collections page/API show circle A: %v/%v", strings.Contains(page.body, w.circleA), strings.Contains(api.body, w.circleA))
			}
			imp := w.do(who.c, "GET", "/cert/taxii/collections/"+w.circleA+"/import", "", map[string]string{"Accept": "text/html"})
			if who.inside && imp.status != 200 || !who.inside && imp.status == 200 {
				t.Errorf("import page: %d", imp.status)
			}
			// The indicator counts the object only for the circle's members.
			if who.viewers != "" {
				val, err := w.s.IndicatorsShared().Compute(context.Background(), w.viewers[who.viewers])
				if err != nil {
					t.Fatal(err)
				}
				if (val.Total == 1) != who.inside || val.Total > 1 {
					t.Errorf("indicator %v", val.Total)
				}
			}
		})
	}
	anonVal, err := w.s.IndicatorsShared().Compute(context.Background(), nil)
	if err != nil || anonVal.Total != 0 {
		t.Errorf("anonymous indicator %v %v", anonVal.Total, err)
	}
}

// TestImportAtomic: a bundle with one bad object stores nothing, through
// TAXII, the upload page and the API; readers never see an import before
// it is published.
func TestImportAtomic(t *testing.T) {
	w := newWorld(t)
	ke := w.callers["ke-cert"]
	good := make([]string, 0, 30)
	for i := 1; i <= 30; i++ {
		good = append(good, indicator(i, "2024-01-01T00:00:00.000Z", ""))
	}
	bad := strings.Replace(indicator(31, "2024-01-01T00:00:00.000Z", ""), `"created":"2024-01-01T00:00:00.000Z"`, `"created":"yesterday"`, 1)
	if r := w.post(ke, taxii.VettedID, envelope(append(good, bad)...)); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("TAXII: %d %s", r.status, r.body)
	}
	bundle := `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + strings.Join(append(good, bad), ",") + `]}`
	if r := w.do(ke, "POST", "/api/v1/cert/collections/"+taxii.VettedID+"/import", bundle, map[string]string{"Content-Type": "application/stix+json", "Accept": "application/json"}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("API: %d %s", r.status, r.body)
	}
	if r := w.do(ke, "POST", "/api/v1/cert/collections/"+taxii.VettedID+"/import", bundle[:len(bundle)/2], map[string]string{"Content-Type": "application/stix+json", "Accept": "application/json"}); r.status != http.StatusBadRequest {
		t.Fatalf("API truncated: %d %s", r.status, r.body)
	}
	var n int
	if err := w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM cert_taxii_objects`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows stored (%v)", n, err)
	}
	// Small batches: an import spans many transactions and is still published at once.
	w.s.BatchRows = 7
	st := w.mustAdd(ke, taxii.VettedID, good...)
	if st["success_count"].(float64) != 30 {
		t.Fatalf("status %v", st)
	}
	r := w.do(ke, "GET", "/taxii2/cert/collections/"+taxii.VettedID+"/objects/?limit=1000", "", nil)
	if got := strings.Count(r.body, `"type":"indicator"`); got != 30 {
		t.Errorf("%d objects after the import", got)
	}
	// Re-importing the same versions adds nothing.
	st = w.mustAdd(ke, taxii.VettedID, good[:5]...)
	if st["success_count"].(float64) != 5 || !strings.Contains(w.do(ke, "GET", "/taxii2/cert/status/"+st["id"].(string)+"/", "", nil).body, "already in the collection") {
		t.Errorf("re-import status %v", st)
	}
	if err := w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM cert_taxii_objects`).Scan(&n); err != nil || n != 30 {
		t.Errorf("%d rows after a re-import", n)
	}
	// Rows written above the watermark (an import in progress, or one that
	// crashed) are invisible, and the next import removes them.
	if _, err := w.e.App.DB.W.Exec(`INSERT INTO cert_taxii_objects (collection_id, seq, added_us, stix_id, type, spec_version, version, version_us, tlp, digest, import_id, raw)
		VALUES ($1, 1000, 9999999999999999, 'indicator--8e2e2d2b-17d4-4cbf-938f-0000000003e8', 'indicator', '2.1', 'v', 1, 'green', 'd', 'crashed', '{"zqghost":1}')`, taxii.VettedID); err != nil {
		t.Fatal(err)
	}
	if r := w.do(ke, "GET", "/taxii2/cert/collections/"+taxii.VettedID+"/objects/?match[version]=all&limit=1000", "", nil); strings.Contains(r.body, "zqghost") {
		t.Error("an unpublished row is visible")
	}
	w.mustAdd(ke, taxii.VettedID, indicator(40, "2024-01-01T00:00:00.000Z", ""))
	if err := w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM cert_taxii_objects WHERE import_id = 'crashed'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the crashed import's row is still there (%d)", n)
	}
}

// TestMarkingsAndRoundTrip: TLP 1.0 ids decide as TLP 2.0; an unmarked
// object takes the collection's marking (recorded, not written into it);
// a copyright marking definition, objects marked with it and x- objects
// with custom properties come back byte for byte.
func TestMarkingsAndRoundTrip(t *testing.T) {
	w := newWorld(t)
	ke, gh := w.callers["ke-cert"], w.callers["gh-cert"]
	copyright := `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168","created":"2017-06-01T00:00:00.000Z","definition_type":"statement","definition":{"statement":"Copyright 2015-2025, zq Corp."}}`
	custom := `{ "type": "x-acme-case",  "spec_version": "2.1", "id": "x-acme-case--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
	  "created": "2024-02-01T10:00:00.000Z", "modified": "2024-02-02T10:00:00.000Z", "object_marking_refs": ["marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"],
	  "zeta": [1, 2.50, {"nested": "\u00e9t\u00e9"}], "alpha": null, "x_acme_note": "<b>&</b>" }`
	sco := `{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`
	tlp1Green := indicator(3, "2024-01-01T00:00:00.000Z", quoted(stix.TLP1Green))
	tlp1White := indicator(4, "2024-01-01T00:00:00.000Z", quoted(stix.TLP1White))
	tlp1Red := indicator(5, "2024-01-01T00:00:00.000Z", quoted(stix.TLP1Red))
	st := w.mustAdd(gh, w.circleA, copyright, custom, sco, tlp1Green, tlp1White, tlp1Red)
	if st["success_count"].(float64) != 5 || st["failure_count"].(float64) != 1 || !strings.Contains(w.do(gh, "GET", "/taxii2/cert/status/"+st["id"].(string)+"/", "", nil).body, "TLP:RED") {
		t.Fatalf("status %v", st)
	}
	st = w.mustAdd(ke, taxii.PublicID, tlp1Green, tlp1White)
	if st["success_count"].(float64) != 1 || st["failure_count"].(float64) != 1 {
		t.Errorf("public: TLP 1.0 GREEN must be refused, WHITE accepted: %v", st)
	}
	r := w.do(gh, "GET", "/taxii2/cert/collections/"+w.circleA+"/objects/?limit=10", "", nil)
	for _, o := range []string{copyright, custom, sco, tlp1Green, tlp1White} {
		if !strings.Contains(r.body, o) {
			t.Errorf("not served byte for byte: %s", o[:60])
		}
	}
	// The effective markings: the unmarked ones take the circle's.
	rows, err := w.e.App.DB.R.Query(`SELECT stix_id, tlp FROM cert_taxii_objects WHERE collection_id = $1`, w.circleA)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var id, tlp string
		if err := rows.Scan(&id, &tlp); err != nil {
			t.Fatal(err)
		}
		got[id] = tlp
	}
	want := map[string]string{"x-acme-case--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061": "amber+strict", "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd": "amber+strict",
		"indicator--" + uuidN(3): "green", "indicator--" + uuidN(4): "clear"}
	for id, tlp := range want {
		if got[id] != tlp {
			t.Errorf("%s: %q, want %q", id, got[id], tlp)
		}
	}
	// A granular TLP:RED marking counts as much as an object marking.
	granular := strings.Replace(indicator(6, "2024-01-01T00:00:00.000Z", ""), `"name":`, `"granular_markings":[{"marking_ref":"`+stix.TLP2Red+`","selectors":["description"]}],"name":`, 1)
	st = w.mustAdd(gh, w.circleA, granular)
	if st["failure_count"].(float64) != 1 {
		t.Errorf("an object with a granular TLP:RED marking was accepted: %v", st)
	}
	// The SCO again, unchanged: skipped; changed: a new version.
	st = w.mustAdd(gh, w.circleA, sco)
	if r := w.do(gh, "GET", "/taxii2/cert/collections/"+w.circleA+"/objects/ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd/versions/", "", nil); strings.Count(r.body, "Z\"") != 1 {
		t.Errorf("re-imported SCO made a version: %s (%v)", r.body, st)
	}
}
