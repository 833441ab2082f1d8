package directory_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/network/directory"
	"harambee.africa/harambee/internal/sharing"
)

func TestAPI(t *testing.T) {
	w := newWorld(t)
	anon := w.e.Browser()
	var list struct {
		Items []struct {
			Slug    string
			Member  bool
			Country string
		}
		Next *string
	}
	res := anon.Get("/api/v1/network/orgs?country=KE&language=sw&limit=1")
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil || len(list.Items) != 1 || list.Next == nil {
		t.Fatalf("list: %v %s", err, res.Body)
	}
	res = anon.Get("/api/v1/network/orgs?country=KE&language=sw&limit=1&cursor=" + *list.Next)
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil || len(list.Items) != 1 || list.Next != nil {
		t.Fatalf("second page: %v %s", err, res.Body)
	}
	if res := anon.Get("/api/v1/network/orgs?members=1"); !strings.Contains(res.Body, `"slug":"silk-cloud"`) || strings.Contains(res.Body, "nairobi-pay") {
		t.Errorf("members only: %s", res.Body)
	}
	for _, q := range []string{"country=XX", "sector=alchemy", "limit=500", "cursor=%21"} {
		if res := anon.Get("/api/v1/network/orgs?" + q); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"error"`) {
			t.Errorf("%s: %d %s", q, res.StatusCode, res.Body)
		}
	}
	res = anon.Get("/api/v1/network/orgs/silk-cloud?lang=en")
	var p struct {
		Organisation struct{ Name string }
		Countries    []string
		Offers       []struct {
			Sector     string
			DetailText string `json:"detail_text"`
			Detail     struct {
				Versions map[string]map[string]any
			}
		}
		Contacts []directory.Contact
	}
	if err := json.Unmarshal([]byte(res.Body), &p); err != nil || p.Organisation.Name != "Silk Road Cloud" || len(p.Countries) != 2 ||
		len(p.Offers) != 1 || p.Offers[0].DetailText != "Cloud hosting in Nairobi" || len(p.Contacts) != 0 {
		t.Fatalf("profile: %v %s", err, res.Body)
	}
	if res := anon.Get("/api/v1/network/orgs/nobody"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown org: %d", res.StatusCode)
	}

	zhang := w.viewer(t, "zhang@silkcloud.example")
	body := fmt.Sprintf(`{"countries": ["KE", "ET"], "languages": ["zh", "am"],
		"offers": [{"sector": "cloud_datacentres", "detail": {"original": "zh-Hans", "versions": {"zh-Hans": {"text": "亚的斯亚贝巴云托管"}}}}],
		"seeks": [{"sector": "logistics"}], "contacts": [{"user_id": %q, "title": "Sales"}]}`, zhang.ID)
	li := w.api(t, "li@silkcloud.example", "read", "write")
	res = li.Do(http.MethodPut, "/api/v1/network/orgs/silk-cloud/profile", strings.NewReader(body), "application/json")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "亚的斯亚贝巴云托管") || !strings.Contains(res.Body, "zhang@silkcloud.example") ||
		strings.Contains(res.Body, `"by"`) {
		t.Fatalf("put: %d %s", res.StatusCode, res.Body)
	}
	for name, c := range map[string]struct {
		body   string
		status int
	}{
		"unknown country": {`{"countries": ["XX"]}`, http.StatusUnprocessableEntity},
		"unknown sector":  {`{"offers": [{"sector": "alchemy"}]}`, http.StatusUnprocessableEntity},
		"HTML":            {`{"offers": [{"sector": "logistics", "detail": {"original": "en", "versions": {"en": {"text": "<img src=x>"}}}}]}`, http.StatusUnprocessableEntity},
		"huge text":       {`{"offers": [{"sector": "logistics", "detail": {"original": "en", "versions": {"en": {"text": "` + strings.Repeat("a", 501) + `"}}}}]}`, http.StatusUnprocessableEntity},
		"stranger":        {`{"contacts": [{"user_id": "01900000-0000-7000-8000-000000000000"}]}`, http.StatusUnprocessableEntity},
		"unknown field":   {`{"colour": "red"}`, http.StatusUnprocessableEntity},
	} {
		res := li.Do(http.MethodPut, "/api/v1/network/orgs/silk-cloud/profile", strings.NewReader(c.body), "application/json")
		if res.StatusCode != c.status || !strings.Contains(res.Body, `"error"`) {
			t.Errorf("%s: %d %s", name, res.StatusCode, res.Body)
		}
	}
	if prof, _ := w.e.App.Network.Core.Profile(t.Context(), w.orgs["silk-cloud"].ID); len(prof.Countries) != 2 || prof.Countries[0] != "ET" {
		t.Errorf("bad input changed the profile: %+v", prof)
	}
	zb := w.api(t, "zhang@silkcloud.example", "read", "write")
	if res := zb.Do(http.MethodPut, "/api/v1/network/orgs/silk-cloud/profile", strings.NewReader(`{}`), "application/json"); res.StatusCode != http.StatusForbidden {
		t.Errorf("member: %d", res.StatusCode)
	}
	if res := anon.Do(http.MethodPut, "/api/v1/network/orgs/silk-cloud/profile", strings.NewReader(`{}`), "application/json"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
	res = anon.Get("/api/v1/openapi.json")
	for _, op := range []string{"listNetworkOrgs", "getNetworkProfile", "putNetworkProfile", "getNetworkCountry"} {
		if !strings.Contains(res.Body, op) {
			t.Errorf("OpenAPI lacks %s", op)
		}
	}
}

func pngImage(t *testing.T, size int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for x := range size {
		for y := range size {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func multipartFile(t *testing.T, name string, data []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestLogo(t *testing.T) {
	w := newWorld(t)
	body, ct := multipartFile(t, "logo.png", pngImage(t, 300))
	res := w.li.Do(http.MethodPost, "/network/orgs/silk-cloud/logo", body, ct)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	logo, err := w.d.Logo(t.Context(), nil, w.orgs["silk-cloud"].ID)
	if err != nil || logo == nil {
		t.Fatalf("no logo: %v", err)
	}
	page := w.e.Browser().Get("/network/orgs/silk-cloud").Body
	if !strings.Contains(page, `src="/files/`+logo.ID+`/thumb"`) || !strings.Contains(page, `"logo":`) {
		t.Errorf("profile lacks the logo")
	}
	// A new logo replaces the old one.
	body, ct = multipartFile(t, "logo2.png", pngImage(t, 120))
	if res := w.li.Do(http.MethodPost, "/network/orgs/silk-cloud/logo", body, ct); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second upload: %d", res.StatusCode)
	}
	var n int
	w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM files WHERE record_type = $1 AND record_id = $2`, directory.Type.Name, w.orgs["silk-cloud"].ID).Scan(&n)
	if n != 1 {
		t.Errorf("%d files after replacing the logo", n)
	}
	// Images only; members who are not admins may not.
	body, ct = multipartFile(t, "logo.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	if res := w.li.Do(http.MethodPost, "/network/orgs/silk-cloud/logo?lang=fr", body, ct); res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Errorf("a document as a logo: %d", res.StatusCode)
	}
	zb := w.signIn(t, "zhang@silkcloud.example")
	body, ct = multipartFile(t, "logo.png", pngImage(t, 50))
	if res := zb.Do(http.MethodPost, "/network/orgs/silk-cloud/logo", body, ct); res.StatusCode != http.StatusForbidden {
		t.Errorf("member uploads a logo: %d", res.StatusCode)
	}
	// The logo follows its record's marking: raised to AMBER, the public no longer sees it.
	li := w.viewer(t, "li@silkcloud.example")
	m, err := w.e.App.Sharing.Meta(t.Context(), li, directory.Type.Name, w.orgs["silk-cloud"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.e.App.Sharing.SetMarking(t.Context(), li, m, sharing.Amber, ""); err != nil {
		t.Fatal(err)
	}
	if logo, err := w.d.Logo(t.Context(), nil, w.orgs["silk-cloud"].ID); err != nil || logo != nil {
		t.Errorf("AMBER logo shown to the public: %v %v", logo, err)
	}
	if res := w.e.Browser().Get("/network/orgs/silk-cloud"); res.StatusCode != http.StatusOK || strings.Contains(res.Body, "/thumb") {
		t.Errorf("profile with a hidden logo: %d", res.StatusCode)
	}
}

// TestPageWeight checks that a full page of the directory, and a full
// profile, weigh at most 30 KB transferred (gzip, as browsers ask).
func TestPageWeight(t *testing.T) {
	w := newWorld(t)
	for i := range directory.PageSize + 5 {
		w.org(t, "amina@nairobipay.example", fmt.Sprintf("org-%02d", i), "enterprise", "KE", []string{"ecommerce", "logistics", "payments_fintech"},
			names("fr", map[string]string{"fr": fmt.Sprintf("Société panafricaine de commerce électronique et de logistique numéro %d", i),
				"zh-Hans": fmt.Sprintf("泛非电子商务与物流公司第%d号", i), "ar": fmt.Sprintf("الشركة الأفريقية للتجارة الإلكترونية رقم %d", i)}))
	}
	b := w.e.Browser()
	b.Header.Set("Accept-Encoding", "gzip")
	for _, path := range []string{"/network/orgs?lang=fr", "/network/orgs?lang=ar&country=KE", "/network", "/network/countries?lang=zh-Hans",
		"/network/countries/KE?lang=sw", "/network/orgs/silk-cloud?lang=fr"} {
		res := b.Get(path)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d %q", path, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(strings.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if path == "/network/orgs?lang=fr" && strings.Count(string(plain), `<li><a href="/network/orgs/`) != directory.PageSize {
			t.Errorf("%s: not a full page", path)
		}
		if len(res.Body) > 30<<10 {
			t.Errorf("%s: %d bytes transferred (%d uncompressed), over 30 KB", path, len(res.Body), len(plain))
		}
	}
	li := w.signIn(t, "li@silkcloud.example")
	li.Header.Set("Accept-Encoding", "gzip")
	if res := li.Get("/network/orgs/silk-cloud/edit?lang=ar"); res.StatusCode != http.StatusOK || len(res.Body) > 30<<10 {
		t.Errorf("profile form: %d, %d bytes transferred", res.StatusCode, len(res.Body))
	}
}
