package geo_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"harambee.africa/harambee/internal/geo"
)

type apiList struct {
	Items []map[string]json.RawMessage `json:"items"`
	Next  *string                      `json:"next"`
}

func get(t *testing.T, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	geo.CountriesHandler().ServeHTTP(rec, req)
	return rec
}

func getList(t *testing.T, target string) apiList {
	t.Helper()
	rec := get(t, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", target, rec.Code, rec.Body)
	}
	var list apiList
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return list
}

func field[T any](t *testing.T, item map[string]json.RawMessage, key string) T {
	t.Helper()
	var v T
	raw, ok := item[key]
	if !ok {
		t.Fatalf("item has no %q: %v", key, item)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return v
}

func find(t *testing.T, list apiList, code string) map[string]json.RawMessage {
	t.Helper()
	for _, item := range list.Items {
		if field[string](t, item, "code") == code {
			return item
		}
	}
	t.Fatalf("%s not in the list", code)
	return nil
}

func TestCountriesHandlerShape(t *testing.T) {
	rec := get(t, "/api/v1/countries")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if got := rec.Header().Get("Cache-Control"); got != "public, max-age=86400" {
		t.Errorf("Cache-Control = %q", got)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw["next"]) != "null" {
		t.Errorf("next = %s, want null", raw["next"])
	}

	list := getList(t, "/api/v1/countries")
	if len(list.Items) != 249 {
		t.Fatalf("%d items, want 249", len(list.Items))
	}

	ke := find(t, list, "KE")
	var keys []string
	for k := range ke {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"african", "alpha3", "au_region", "code", "currency", "languages", "names", "numeric", "part_of"}
	if !slices.Equal(keys, want) {
		t.Errorf("item keys = %v, want %v", keys, want)
	}
	if got := field[map[string]string](t, ke, "names"); got["sw"] != "Kenya" || got["zh-Hans"] != "肯尼亚" || len(got) != 6 {
		t.Errorf("KE names = %v", got)
	}
	if got := field[string](t, ke, "au_region"); got != "eastern" {
		t.Errorf("KE au_region = %q", got)
	}
	type currency struct {
		Code       string `json:"code"`
		MinorUnits *int   `json:"minor_units"`
	}
	if got := field[currency](t, ke, "currency"); got.Code != "KES" || got.MinorUnits == nil || *got.MinorUnits != 2 {
		t.Errorf("KE currency = %+v", got)
	}
	if got := field[currency](t, find(t, list, "SN"), "currency"); got.Code != "XOF" || got.MinorUnits == nil || *got.MinorUnits != 0 {
		t.Errorf("SN currency = %+v", got)
	}
	if string(ke["part_of"]) != "null" {
		t.Errorf("KE part_of = %s, want null", ke["part_of"])
	}

	cn := find(t, list, "CN")
	if string(cn["au_region"]) != "null" || field[bool](t, cn, "african") {
		t.Errorf("CN au_region = %s, african = %s", cn["au_region"], cn["african"])
	}
	tw := find(t, list, "TW")
	if got := field[string](t, tw, "part_of"); got != "CN" {
		t.Errorf("TW part_of = %q", got)
	}
	if got := field[map[string]string](t, tw, "names")["en"]; got != "Taiwan, Province of China" {
		t.Errorf("TW en name = %q", got)
	}
	aq := find(t, list, "AQ")
	if string(aq["currency"]) != "null" || string(aq["languages"]) != "[]" {
		t.Errorf("AQ currency = %s, languages = %s", aq["currency"], aq["languages"])
	}
}

func TestCountriesHandlerFilters(t *testing.T) {
	tests := []struct {
		query  string
		want   int
		region string
	}{
		{"african=true", 54, ""},
		{"african=false", 249 - 54, ""},
		{"region=eastern", 14, "eastern"},
		{"region=Northern", 6, "northern"},
		{"african=true&region=western", 15, "western"},
		{"african=false&region=central", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			list := getList(t, "/api/v1/countries?"+tt.query)
			if len(list.Items) != tt.want {
				t.Fatalf("%d items, want %d", len(list.Items), tt.want)
			}
			for _, item := range list.Items {
				if tt.region != "" && field[string](t, item, "au_region") != tt.region {
					t.Errorf("%s has au_region %s", item["code"], item["au_region"])
				}
			}
		})
	}
}

func TestCountriesHandlerBadInput(t *testing.T) {
	for _, query := range []string{
		"african=yes", "african=TRUE", "african=1", "region=atlantis", "region=east",
		"limit=0", "limit=-1", "limit=abc", "limit=100000", "cursor=zz", "cursor=-5",
	} {
		t.Run(query, func(t *testing.T) {
			rec := get(t, "/api/v1/countries?"+query)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", rec.Code, rec.Body)
			}
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body.Error.Code != "invalid" || body.Error.Message == "" {
				t.Errorf("error = %+v", body.Error)
			}
			if rec.Header().Get("Cache-Control") == "public, max-age=86400" {
				t.Error("an error is cached publicly")
			}
		})
	}
}

func TestCountriesHandlerPages(t *testing.T) {
	seen := map[string]bool{}
	target := "/api/v1/countries?limit=100"
	pages := 0
	for {
		list := getList(t, target)
		pages++
		for _, item := range list.Items {
			code := field[string](t, item, "code")
			if seen[code] {
				t.Fatalf("%s on two pages", code)
			}
			seen[code] = true
		}
		if list.Next == nil {
			break
		}
		if pages > 10 {
			t.Fatal("no end to the pages")
		}
		target = "/api/v1/countries?limit=100&cursor=" + url.QueryEscape(*list.Next)
	}
	if pages != 3 || len(seen) != 249 {
		t.Errorf("%d pages with %d countries, want 3 with 249", pages, len(seen))
	}
}

func TestCountriesHandlerSearch(t *testing.T) {
	tests := []struct{ q, first string }{
		{"kenya", "KE"},
		{"肯尼亚", "KE"},
		{"KEN", "KE"},
		{"cote d'ivoire", "CI"},
		{"são tomé", "ST"},
		{"sao tome", "ST"},
		{"台湾", "TW"},
		{"السنغال", "SN"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			list := getList(t, "/api/v1/countries?q="+url.QueryEscape(tt.q))
			if len(list.Items) == 0 {
				t.Fatal("no results")
			}
			if got := field[string](t, list.Items[0], "code"); got != tt.first {
				t.Errorf("first result %s, want %s", got, tt.first)
			}
		})
	}
	if list := getList(t, "/api/v1/countries?q=zzzzz"); len(list.Items) != 0 || list.Next != nil {
		t.Errorf("q=zzzzz: %d items", len(list.Items))
	}
}

func TestCountriesHandlerConditional(t *testing.T) {
	first := get(t, "/api/v1/countries?african=true")
	etag := first.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	again := get(t, "/api/v1/countries?african=true", "If-None-Match", etag)
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("If-None-Match: status %d, %d bytes", again.Code, again.Body.Len())
	}
	if other := get(t, "/api/v1/countries", "If-None-Match", etag); other.Code != http.StatusOK {
		t.Errorf("another list answered %d to the first list's ETag", other.Code)
	}
}

func TestCountriesHandlerMethod(t *testing.T) {
	rec := httptest.NewRecorder()
	geo.CountriesHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/countries", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") == "" {
		t.Errorf("POST: status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

// FuzzCountriesHandler feeds arbitrary query strings to the handler: it
// answers 200 with a list or 400 with an error, always in JSON.
func FuzzCountriesHandler(f *testing.F) {
	for _, seed := range []string{"", "african=true", "region=eastern&limit=5&cursor=10", "q=c%C3%B4te", "q=%ff", "limit=99999999999999999999", "cursor=249"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/countries", nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		geo.CountriesHandler().ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var list apiList
			if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || list.Items == nil {
				t.Fatalf("200 with body %q: %v", rec.Body, err)
			}
		case http.StatusBadRequest:
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != "invalid" {
				t.Fatalf("400 with body %q: %v", rec.Body, err)
			}
		default:
			t.Fatalf("status %d for %q", rec.Code, rawQuery)
		}
	})
}
