package geo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// countryJSON is a country in the JSON API; absent values are null.
type countryJSON struct {
	Code      string            `json:"code"`
	Alpha3    string            `json:"alpha3"`
	Numeric   string            `json:"numeric"`
	Names     map[string]string `json:"names"`
	AURegion  *string           `json:"au_region"`
	African   bool              `json:"african"`
	Currency  *currencyJSON     `json:"currency"`
	Languages []string          `json:"languages"`
	PartOf    *string           `json:"part_of"`
}

type currencyJSON struct {
	Code       string `json:"code"`
	MinorUnits int    `json:"minor_units"`
}

type listJSON struct {
	Items []countryJSON `json:"items"`
	Next  *string       `json:"next"`
}

// maxLimit bounds ?limit; it is above the number of countries, so one page
// can hold them all.
const maxLimit = 300

var apiCountries = sync.OnceValue(func() []countryJSON {
	out := make([]countryJSON, len(countries))
	for i, c := range countries {
		j := countryJSON{
			Code: c.Code, Alpha3: c.Alpha3, Numeric: c.Numeric,
			Names: c.Names, African: c.African, Languages: c.Languages,
		}
		if j.Languages == nil {
			j.Languages = []string{}
		}
		if c.AURegion != "" {
			j.AURegion = &c.AURegion
		}
		if c.Currency != "" {
			j.Currency = &currencyJSON{c.Currency, c.CurrencyMinorUnits}
		}
		if c.PartOf != "" {
			j.PartOf = &c.PartOf
		}
		out[i] = j
	}
	return out
})

// CountriesHandler serves GET /api/v1/countries: the countries as
// {"items": [...], "next": cursor-or-null}, sorted by code. Query parameters:
//
//	african=true|false  only the 54 African UN member states, or only the others
//	region=CODE         only one African Union region (central, eastern, ...)
//	q=TEXT              codes and names in any platform language containing TEXT
//	                    (case and accents ignored); exact code matches come first,
//	                    then names starting with TEXT, then the rest, each by code
//	limit=N, cursor=C   pages of N (1–300); the default is every match at once
//
// Reference data changes only with a release, so responses are public and
// cacheable for a day, with an ETag.
func CountriesHandler() http.Handler {
	return http.HandlerFunc(serveCountries)
}

func serveCountries(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET")
		return
	}
	query := r.URL.Query()

	african := query.Get("african")
	if african != "" && african != "true" && african != "false" {
		writeError(w, http.StatusBadRequest, "invalid", "african must be true or false")
		return
	}
	region := strings.ToLower(query.Get("region"))
	if region != "" && !isRegion(region) {
		writeError(w, http.StatusBadRequest, "invalid",
			"unknown region "+strconv.Quote(query.Get("region"))+"; use central, eastern, northern, southern or western")
		return
	}
	limit := maxLimit
	if s := query.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			writeError(w, http.StatusBadRequest, "invalid", "limit must be a whole number from 1 to "+strconv.Itoa(maxLimit))
			return
		}
		limit = n
	}
	offset := 0
	if s := query.Get("cursor"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "invalid", "cursor is not one this endpoint returned")
			return
		}
		offset = n
	}

	var items []countryJSON
	for _, c := range apiCountries() {
		if african != "" && c.African != (african == "true") {
			continue
		}
		if region != "" && (c.AURegion == nil || *c.AURegion != region) {
			continue
		}
		items = append(items, c)
	}
	if q := fold(strings.TrimSpace(query.Get("q"))); q != "" {
		items = search(items, q)
	}

	page := listJSON{Items: []countryJSON{}}
	if offset < len(items) {
		end := min(offset+limit, len(items))
		page.Items = items[offset:end]
		if end < len(items) {
			next := strconv.Itoa(end)
			page.Next = &next
		}
	}

	body, err := json.Marshal(page)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`

	h := w.Header()
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", etag)
	if matchesETag(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// search keeps the countries matching the folded query q and orders them by
// relevance: an exact code, then a name that starts with q, then any other
// match; ties stay in code order.
func search(items []countryJSON, q string) []countryJSON {
	type hit struct {
		c    countryJSON
		rank int
	}
	var hits []hit
	for _, c := range items {
		rank := -1
		if q == fold(c.Code) || q == fold(c.Alpha3) || q == c.Numeric {
			rank = 0
		}
		for _, n := range c.Names {
			name := fold(n)
			switch {
			case rank == 0:
			case strings.HasPrefix(name, q):
				rank = 1
			case rank < 0 && strings.Contains(name, q):
				rank = 2
			}
		}
		if rank >= 0 {
			hits = append(hits, hit{c, rank})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.rank - b.rank })
	out := make([]countryJSON, len(hits))
	for i, h := range hits {
		out[i] = h.c
	}
	return out
}

// fold lower-cases s and strips the accents of Latin letters, so that
// "cote" finds "Côte d’Ivoire" and "sao tome" finds "São Tomé-et-Príncipe".
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r <= unicode.MaxASCII {
			b.WriteRune(r)
			continue
		}
		if a, ok := latinBase[r]; ok {
			b.WriteString(a)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// latinBase maps the accented lower-case Latin letters and typographic
// apostrophe found in the country names to plain ASCII.
var latinBase = func() map[rune]string {
	m := map[rune]string{'’': "'", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ı': "i"}
	for base, accented := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "e": "èéêëēĕėęě", "g": "ĝğġģ",
		"i": "ìíîïĩīĭį", "n": "ñńņňŉ", "o": "òóôõöōŏő", "s": "śŝşšș",
		"t": "ţťț", "u": "ùúûüũūŭůűų", "y": "ýÿŷ", "z": "źżž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()

func matchesETag(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// writeError answers with the platform's JSON error shape.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}
