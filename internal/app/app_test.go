package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/app/apptest"
)

const pw = "correct horse battery"

func TestShell(t *testing.T) {
	e := apptest.Start(t)
	b := e.Browser()
	t.Run("SecurityHeaders", func(t *testing.T) {
		res := b.Get("/")
		for h, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'",
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "DENY",
			"Referrer-Policy":         "same-origin",
		} {
			if !strings.Contains(res.Header.Get(h), want) {
				t.Errorf("%s = %q, want %q", h, res.Header.Get(h), want)
			}
		}
	})
	t.Run("LanguageChoice", func(t *testing.T) {
		cases := []struct{ query, accept, wantLang, wantDir string }{
			{"?lang=ar", "", "ar", "rtl"},
			{"?lang=zh-Hans", "", "zh-Hans", "ltr"},
			{"", "fr-SN,fr;q=0.9", "fr", "ltr"},
			{"", "sw-KE", "sw", "ltr"},
			{"", "zh-CN,zh;q=0.9", "zh-Hans", "ltr"},
			{"?lang=xx", "pt-MZ", "pt", "ltr"},
			{"", "de-DE", "en", "ltr"},
		}
		for _, c := range cases {
			c2 := e.Browser()
			c2.Header.Set("Accept-Language", c.accept)
			res := c2.Get("/" + c.query)
			want := `<html lang="` + c.wantLang + `" dir="` + c.wantDir + `">`
			if !strings.Contains(res.Body, want) {
				t.Errorf("%s / %s: want %s", c.query, c.accept, want)
			}
		}
		c3 := e.Browser()
		c3.Get("/?lang=ar")
		if res := c3.Get("/orgs"); !strings.Contains(res.Body, `lang="ar"`) {
			t.Error("the ?lang= choice was not remembered")
		}
	})
	t.Run("NotFoundInTheReadersLanguage", func(t *testing.T) {
		res := b.Get("/no/such/page?lang=fr")
		if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, `lang="fr"`) {
			t.Fatalf("status %d", res.StatusCode)
		}
		api := b.Get("/api/v1/nothing")
		if api.StatusCode != http.StatusNotFound || !strings.Contains(api.Body, `"code":"not_found"`) {
			t.Fatalf("API 404: %d %s", api.StatusCode, api.Body)
		}
	})
	t.Run("StylesheetIsHashedAndCachedForever", func(t *testing.T) {
		res := b.Get("/")
		css := regexp.MustCompile(`/static/site\.[0-9a-f]{12}\.css`).FindString(res.Body)
		if css == "" {
			t.Fatal("no hashed stylesheet link")
		}
		r := b.Get(css)
		if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("stylesheet: %d %s", r.StatusCode, r.Header.Get("Cache-Control"))
		}
		if r := b.Get("/static/site.000000000000.css"); r.StatusCode != http.StatusNotFound {
			t.Fatalf("stale stylesheet name: %d", r.StatusCode)
		}
	})
	t.Run("Compression", func(t *testing.T) {
		c := e.Browser()
		c.Header.Set("Accept-Encoding", "gzip")
		c.Client.Transport = &http.Transport{DisableCompression: true}
		res := c.Get("/signin")
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatal("page not compressed")
		}
	})
	t.Run("Health", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz"} {
			if res := b.Get(p); res.StatusCode != 200 {
				t.Errorf("%s: %d", p, res.StatusCode)
			}
		}
		res := b.Get("/metrics")
		if !strings.Contains(res.Body, "harambee_http_requests_total") || !strings.Contains(res.Body, "harambee_jobs_due") {
			t.Fatal("metrics missing")
		}
	})
}

func TestBadInput(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Nia Okafor", "nia@example.ng", pw)
	countOrgs := func() int {
		orgs, _, err := e.App.Orgs.List(t.Context(), orgFilter())
		if err != nil {
			t.Fatal(err)
		}
		return len(orgs)
	}
	t.Run("CrossSiteFormPost", func(t *testing.T) {
		b.Header.Set("Origin", "https://evil.example")
		b.Header.Set("Sec-Fetch-Site", "cross-site")
		defer b.Header.Del("Origin")
		defer b.Header.Del("Sec-Fetch-Site")
		res := b.Post("/orgs", url.Values{"name": {"Evil"}, "slug": {"evil"}, "kind": {"enterprise"}, "country": {"NG"}})
		if res.StatusCode != http.StatusForbidden || countOrgs() != 0 {
			t.Fatalf("cross-site post: %d, orgs %d", res.StatusCode, countOrgs())
		}
	})
	t.Run("InvalidUTF8", func(t *testing.T) {
		res := b.Do("POST", "/orgs", strings.NewReader("name=%ff%fe&slug=x&kind=enterprise&country=NG"), "application/x-www-form-urlencoded")
		if res.StatusCode != http.StatusUnprocessableEntity || countOrgs() != 0 {
			t.Fatalf("invalid UTF-8: %d", res.StatusCode)
		}
	})
	t.Run("OversizeBody", func(t *testing.T) {
		res := b.Do("POST", "/orgs", strings.NewReader("name="+strings.Repeat("a", 2<<20)), "application/x-www-form-urlencoded")
		if res.StatusCode != http.StatusRequestEntityTooLarge || countOrgs() != 0 {
			t.Fatalf("oversize: %d", res.StatusCode)
		}
	})
	t.Run("SQLMetacharacters", func(t *testing.T) {
		res := b.Get("/orgs?q=" + url.QueryEscape("'; DROP TABLE orgs; --%_\\"))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("search: %d", res.StatusCode)
		}
		res = b.Post("/orgs", url.Values{"name": {"Robert'); DROP TABLE orgs;--"}, "slug": {"bobby-tables"}, "kind": {"enterprise"}, "country": {"NG"}})
		if res.StatusCode != http.StatusSeeOther || countOrgs() != 1 {
			t.Fatalf("quoted name: %d, orgs %d", res.StatusCode, countOrgs())
		}
	})
	t.Run("UnknownValues", func(t *testing.T) {
		res := b.Post("/orgs", url.Values{"name": {"X"}, "slug": {"x-org"}, "kind": {"pirate"}, "country": {"ZZ"}, "sectors": {"spaceships"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, id := range []string{"f-kind", "f-country"} {
			if !strings.Contains(res.Body, `<p class="field invalid"><label for="`+id) {
				t.Errorf("no error beside %s", id)
			}
		}
		if !strings.Contains(res.Body, `value="x-org"`) {
			t.Error("the form did not keep what was typed")
		}
		r := b.Post("/account/profile", url.Values{"name": {"Nia"}, "locale": {"tlh"}, "time_zone": {"Mars/Olympus"}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("unknown locale and zone: %d", r.StatusCode)
		}
	})
	t.Run("MalformedJSON", func(t *testing.T) {
		tok := token(t, e, b, "read write")
		api := e.Browser()
		api.Header.Set("Authorization", "Bearer "+tok)
		for _, body := range []string{`{"name": 5}`, `{"name":"A","slug":"a","kind":"enterprise","country":"NG","extra":1}`, `{`, "{\"name\":\"\xff\"}"} {
			res := api.Do("POST", "/api/v1/orgs", strings.NewReader(body), "application/json")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"error"`) {
				t.Errorf("%q: %d %s", body, res.StatusCode, res.Body)
			}
		}
		if countOrgs() != 1 {
			t.Fatal("a malformed request changed something")
		}
	})
}

func TestTokens(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Thabo Nkosi", "thabo@example.za", pw)
	readOnly := token(t, e, b, "read")
	rw := token(t, e, b, "read write")
	api := func(tok string) *apptest.Browser {
		c := e.Browser()
		c.Header.Set("Authorization", "Bearer "+tok)
		return c
	}
	res := api(readOnly).Get("/api/v1/me")
	var me struct {
		Email string `json:"email"`
		Orgs  []any  `json:"organisations"`
	}
	if res.StatusCode != 200 || json.Unmarshal([]byte(res.Body), &me) != nil || me.Email != "thabo@example.za" {
		t.Fatalf("/me: %d %s", res.StatusCode, res.Body)
	}
	body := `{"name":"Ubuntu Cloud","slug":"ubuntu-cloud","kind":"enterprise","country":"ZA"}`
	if res := api(readOnly).Do("POST", "/api/v1/orgs", strings.NewReader(body), "application/json"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("read-only token wrote: %d", res.StatusCode)
	}
	if res := api(rw).Do("POST", "/api/v1/orgs", strings.NewReader(body), "application/json"); res.StatusCode != http.StatusCreated {
		t.Fatalf("create with token: %d %s", res.StatusCode, res.Body)
	}
	if res := api("hbt_nonsense").Get("/api/v1/me"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d", res.StatusCode)
	}
	// Revoke through the API and check it stops at once.
	var list struct {
		Items []struct{ ID, Name string } `json:"items"`
	}
	json.Unmarshal([]byte(api(rw).Get("/api/v1/tokens").Body), &list)
	for _, it := range list.Items {
		if it.Name == "tok-read" {
			if res := api(rw).Do("DELETE", "/api/v1/tokens/"+it.ID, nil, ""); res.StatusCode != http.StatusNoContent {
				t.Fatalf("revoke: %d", res.StatusCode)
			}
		}
	}
	if res := api(readOnly).Get("/api/v1/me"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "revoked") {
		t.Fatalf("revoked token: %d %s", res.StatusCode, res.Body)
	}
	// An expiring token stops after its day.
	tomorrow := e.Clock.Now().Add(24 * time.Hour).Format("2006-01-02")
	res = b.Post("/account/tokens", url.Values{"name": {"short"}, "scopes": {"read"}, "expires": {tomorrow}})
	short := apptest.Between(res.Body, `<code class="secret">`, `</code>`)
	if res := api(short).Get("/api/v1/me"); res.StatusCode != 200 {
		t.Fatalf("fresh expiring token: %d", res.StatusCode)
	}
	e.Clock.Advance(49 * time.Hour)
	if res := api(short).Get("/api/v1/me"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "expired") {
		t.Fatalf("expired token: %d %s", res.StatusCode, res.Body)
	}
	// Basic auth with the e-mail and a token, as TAXII clients send it.
	c := e.Browser()
	c.Header.Set("Authorization", "Basic "+basic("thabo@example.za", rw))
	if res := c.Get("/api/v1/me"); res.StatusCode != 200 {
		t.Fatalf("basic auth: %d", res.StatusCode)
	}
	c.Header.Set("Authorization", "Basic "+basic("someone@example.za", rw))
	if res := c.Get("/api/v1/me"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("basic auth with another e-mail: %d", res.StatusCode)
	}
}

// TestOpenAPI checks that every API route is documented, that every
// documented path answers, and that nothing else is documented.
func TestOpenAPI(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Sara Tesfaye", "sara@example.et", pw)
	tok := token(t, e, b, "read write")
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	res := e.Browser().Get("/api/v1/openapi.json")
	if err := json.Unmarshal([]byte(res.Body), &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("document: %v %q", err, doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" /api/v1"+p] = true
		}
	}
	for _, rt := range e.App.Site.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		key := rt.Method + " " + rt.Path
		if !documented[key] {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
		delete(documented, key)
	}
	for k := range documented {
		t.Errorf("documented %s is not routed", k)
	}
	// Every documented GET answers something other than 404/405.
	c := e.Browser()
	c.Header.Set("Authorization", "Bearer "+tok)
	e.App.Orgs.Create(t.Context(), viewerOf(t, e, "sara@example.et"), orgInput("ethio-data", "ET"), "")
	for p, ops := range doc.Paths {
		if _, ok := ops["get"]; !ok {
			continue
		}
		path := strings.NewReplacer("{slug}", "ethio-data", "{id}", "x").Replace("/api/v1" + p)
		if res := c.Get(path); res.StatusCode == http.StatusNotFound && !strings.Contains(p, "{id}") || res.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
	}
}

func TestCountries(t *testing.T) {
	e := apptest.Start(t)
	res := e.Browser().Get("/api/v1/countries?african=true")
	var list struct {
		Items []struct {
			Code     string            `json:"code"`
			Names    map[string]string `json:"names"`
			AURegion *string           `json:"au_region"`
			Currency *struct {
				Code       string `json:"code"`
				MinorUnits int    `json:"minor_units"`
			} `json:"currency"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 54 {
		t.Fatalf("%d African states, want 54", len(list.Items))
	}
	for _, c := range list.Items {
		if c.AURegion == nil || c.Currency == nil || len(c.Names) != 6 {
			t.Errorf("%s incomplete", c.Code)
		}
	}
}
