package taxii_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/cert/taxii"
)

// upload posts a bundle of objects to a collection's import page, in a
// language.
func (w *world) upload(c caller, collection, lang string, objects ...string) response {
	w.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "bundle.json")
	if err != nil {
		w.t.Fatal(err)
	}
	fw.Write([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + strings.Join(objects, ",") + `]}`))
	mw.Close()
	return w.do(c, http.MethodPost, "/cert/taxii/collections/"+collection+"/import", buf.String(),
		map[string]string{"Content-Type": mw.FormDataContentType(), "Accept": "text/html", "Accept-Language": lang})
}

// TestImportPageInTheReadersLanguage: the upload page says why objects were
// refused in the reader's language, with the technical part marked as
// English and left to right.
func TestImportPageInTheReadersLanguage(t *testing.T) {
	w := newWorld(t)
	ke := w.callers["ke-cert"]
	green := indicator(1, "2024-01-01T00:00:00.000Z", quoted(stix.TLP2Green))
	for _, c := range []struct {
		lang, want string
	}{
		{"fr", "Marqué TLP:GREEN, au-dessus de TLP:CLEAR, le maximum que cette collection accepte ; non enregistré."},
		{"ar", "موسوم بـ TLP:GREEN، وهو أعلى من TLP:CLEAR، أقصى ما تقبله هذه المجموعة؛ لم يُخزَّن."},
	} {
		t.Run("AboveTheCeiling/"+c.lang, func(t *testing.T) {
			page := w.upload(ke, taxii.PublicID, c.lang, green)
			if page.status != http.StatusOK {
				t.Fatalf("upload: %d", page.status)
			}
			if !strings.Contains(page.body, html.EscapeString(c.want)) && !strings.Contains(page.body, c.want) {
				t.Errorf("the page lacks %q", c.want)
			}
			if strings.Contains(page.body, "the most this collection accepts") {
				t.Error("the page shows the English message")
			}
		})
	}
	t.Run("NotSTIX", func(t *testing.T) {
		bad := strings.Replace(indicator(2, "2024-01-01T00:00:00.000Z", ""), `"created":"2024-01-01T00:00:00.000Z"`, `"created":"yesterday"`, 1)
		page := w.upload(ke, taxii.PublicID, "fr", bad)
		if page.status != http.StatusUnprocessableEntity {
			t.Fatalf("upload: %d", page.status)
		}
		i := strings.Index(page.body, "Ce n&#39;est pas un objet STIX 2.1 valide ; non enregistré.")
		if i < 0 {
			t.Fatal("the page lacks the French sentence")
		}
		// The parser's words follow, as English written left to right.
		if rest := page.body[i:]; !strings.Contains(rest[:min(len(rest), 300)], ` <code lang="en" dir="ltr">stix: invalid object: objects[0]`) {
			t.Errorf("no technical detail marked as English after the sentence: %s", rest[:min(len(rest), 300)])
		}
	})
}

// TestStatusStaysEnglish: the TAXII status resource and the JSON import
// API keep their fields (id, version, message) and English messages, while
// the stored status keeps the message keys for the pages.
func TestStatusStaysEnglish(t *testing.T) {
	w := newWorld(t)
	ke := w.callers["ke-cert"]
	green := indicator(1, "2024-01-01T00:00:00.000Z", quoted(stix.TLP2Green))
	clear := indicator(2, "2024-01-01T00:00:00.000Z", "")
	w.mustAdd(ke, taxii.PublicID, clear)
	st := w.mustAdd(ke, taxii.PublicID, green, clear)
	id := st["id"].(string)
	details := func(t *testing.T, body, list string) []map[string]any {
		t.Helper()
		var m map[string][]map[string]any
		json.Unmarshal([]byte(body), &m)
		return m[list]
	}
	checkFields := func(t *testing.T, where string, d map[string]any, message string) {
		t.Helper()
		var keys []string
		for k := range d {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != "id,message,version" || d["message"] != message {
			t.Errorf("%s: %v, want id, version and %q", where, d, message)
		}
	}
	const above = "marked TLP:GREEN, above TLP:CLEAR, the most this collection accepts"
	for _, lang := range []string{"en", "fr"} {
		res := w.do(ke, "GET", "/taxii2/cert/status/"+id+"/", "", map[string]string{"Accept-Language": lang})
		if res.status != http.StatusOK {
			t.Fatalf("status: %d %s", res.status, res.body)
		}
		f := details(t, res.body, "failures")
		s := details(t, res.body, "successes")
		if len(f) != 1 || len(s) != 1 {
			t.Fatalf("status %s", res.body)
		}
		checkFields(t, lang+" failure", f[0], above)
		checkFields(t, lang+" success", s[0], "already in the collection")
	}
	api := w.do(ke, "POST", "/api/v1/cert/collections/"+taxii.PublicID+"/import", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[`+green+`]}`,
		map[string]string{"Content-Type": "application/stix+json", "Accept": "application/json", "Accept-Language": "fr"})
	if f := details(t, api.body, "failures"); api.status != http.StatusAccepted || len(f) != 1 {
		t.Fatalf("API import: %d %s", api.status, api.body)
	} else {
		checkFields(t, "API import", f[0], above)
	}
	// Read back, the status has its message keys and arguments.
	cols, err := w.s.Collections(context.Background(), w.viewers["ke-cert"])
	if err != nil {
		t.Fatal(err)
	}
	back, err := w.s.StatusOf(context.Background(), cols, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Failures) != 1 || back.Failures[0].Key != "cert.taxii.import.above_ceiling" || back.Failures[0].Args["tlp"] != "TLP:GREEN" ||
		back.Failures[0].Args["ceiling"] != "TLP:CLEAR" || back.Failures[0].Message != above {
		t.Errorf("failures read back: %+v", back.Failures)
	}
	if len(back.Successes) != 1 || back.Successes[0].Key != "cert.taxii.import.already_stored" {
		t.Errorf("successes read back: %+v", back.Successes)
	}
}

// TestImportObjectsKeys: what the TAXII client imports gets the same keys,
// a STIX reason as the technical detail.
func TestImportObjectsKeys(t *testing.T) {
	w := newWorld(t)
	ke := w.viewers["ke-cert"].Orgs[0].OrgID
	bad := strings.Replace(indicator(3, "2024-01-01T00:00:00.000Z", ""), `"created":"2024-01-01T00:00:00.000Z"`, `"created":"yesterday"`, 1)
	red := indicator(4, "2024-01-01T00:00:00.000Z", quoted(stix.TLP2Red))
	good := indicator(5, "2024-01-01T00:00:00.000Z", "")
	res, err := w.s.ImportObjects(context.Background(), w.circleA, []json.RawMessage{json.RawMessage(bad), json.RawMessage(red), json.RawMessage(good), json.RawMessage(good)}, ke)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || res.Skipped != 1 || len(res.Failed) != 2 {
		t.Fatalf("result %+v", res)
	}
	byKey := map[string]int{}
	for i, f := range res.Failed {
		byKey[f.Key] = i
	}
	n, ok := byKey["cert.taxii.import.not_stix"]
	if f := res.Failed[n]; !ok || f.Detail == "" || f.Detail != f.Message || !strings.Contains(f.Detail, "created") {
		t.Errorf("invalid object: %+v", res.Failed)
	}
	n, ok = byKey["cert.taxii.import.above_ceiling"]
	if f := res.Failed[n]; !ok || f.Args["tlp"] != "TLP:RED" || f.Args["ceiling"] != "TLP:AMBER+STRICT" {
		t.Errorf("red object: %+v", res.Failed)
	}
}
