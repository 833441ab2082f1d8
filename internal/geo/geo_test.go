package geo_test

import (
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"harambee.africa/harambee/internal/geo"
)

var platformLanguages = []string{"zh-Hans", "en", "fr", "ar", "pt", "sw"}

func mustLookup(t *testing.T, code string) geo.Country {
	t.Helper()
	c, ok := geo.Lookup(code)
	if !ok {
		t.Fatalf("Lookup(%q): not found", code)
	}
	return c
}

func TestAllIsTheISO3166Table(t *testing.T) {
	all := geo.All()
	if len(all) != 249 {
		t.Fatalf("len(All()) = %d, want the 249 ISO 3166-1 codes", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b geo.Country) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("All() is not sorted by code")
	}
	alpha2 := regexp.MustCompile(`^[A-Z]{2}$`)
	alpha3 := regexp.MustCompile(`^[A-Z]{3}$`)
	numeric := regexp.MustCompile(`^[0-9]{3}$`)
	seen := map[string]bool{}
	for _, c := range all {
		for _, code := range []string{c.Code, c.Alpha3, c.Numeric} {
			if seen[code] {
				t.Errorf("%s: code %s used twice", c.Code, code)
			}
			seen[code] = true
		}
		if !alpha2.MatchString(c.Code) || !alpha3.MatchString(c.Alpha3) || !numeric.MatchString(c.Numeric) {
			t.Errorf("%s: malformed codes %q %q %q", c.Code, c.Code, c.Alpha3, c.Numeric)
		}
	}
	for _, code := range []string{"XK", "EU", "UK", "AN", "YU", "ZZ", "AC"} {
		if geo.IsValid(code) {
			t.Errorf("IsValid(%q) = true; it is not an assigned ISO 3166-1 code", code)
		}
	}
}

func TestEveryCountryHasSixNames(t *testing.T) {
	for _, c := range geo.All() {
		if len(c.Names) != len(platformLanguages) {
			t.Errorf("%s: %d names, want %d", c.Code, len(c.Names), len(platformLanguages))
		}
		for _, lang := range platformLanguages {
			if strings.TrimSpace(c.Names[lang]) == "" {
				t.Errorf("%s: no %s name", c.Code, lang)
			}
		}
		// The names are in their language's script, not an English stand-in.
		if !hasScript(c.Names["ar"], unicode.Arabic) {
			t.Errorf("%s: Arabic name %q has no Arabic letters", c.Code, c.Names["ar"])
		}
		if !hasScript(c.Names["zh-Hans"], unicode.Han) {
			t.Errorf("%s: Chinese name %q has no Han characters", c.Code, c.Names["zh-Hans"])
		}
	}
}

func hasScript(s string, script *unicode.RangeTable) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(script, r) }) >= 0
}

func TestAfricanUnionRegions(t *testing.T) {
	var withRegion []string
	perRegion := map[string]int{}
	for _, c := range geo.All() {
		if c.AURegion != "" {
			withRegion = append(withRegion, c.Code)
			perRegion[c.AURegion]++
		}
		if c.African != (c.AURegion != "") {
			t.Errorf("%s: African = %v but AURegion = %q", c.Code, c.African, c.AURegion)
		}
	}
	if len(withRegion) != 54 {
		t.Fatalf("%d countries with an AU region, want the 54 African UN member states", len(withRegion))
	}
	// The AU Handbook's regions, less the Sahrawi Republic (Northern), which
	// is not a UN member.
	want := map[string]int{"central": 9, "eastern": 14, "northern": 6, "southern": 10, "western": 15}
	for region, n := range want {
		if perRegion[region] != n {
			t.Errorf("region %s has %d members, want %d", region, perRegion[region], n)
		}
	}

	african := geo.African()
	var codes []string
	for _, c := range african {
		codes = append(codes, c.Code)
	}
	if !slices.Equal(codes, withRegion) {
		t.Errorf("African() = %v, want %v", codes, withRegion)
	}

	for code, region := range map[string]string{
		"KE": "eastern", "SD": "eastern", "MG": "eastern", "RW": "eastern",
		"BI": "central", "CD": "central", "ST": "central",
		"EG": "northern", "MR": "northern", "MA": "northern",
		"ZA": "southern", "SZ": "southern", "ZW": "southern",
		"NG": "western", "CV": "western", "CI": "western",
	} {
		if got := mustLookup(t, code).AURegion; got != region {
			t.Errorf("%s: AURegion = %q, want %q", code, got, region)
		}
	}
	for _, code := range []string{"EH", "CN", "FR", "RE", "YT", "SH"} {
		if c := mustLookup(t, code); c.AURegion != "" || c.African {
			t.Errorf("%s: AURegion = %q, African = %v; it is not an African UN member state", code, c.AURegion, c.African)
		}
	}
}

func TestRegions(t *testing.T) {
	regions := geo.Regions()
	var codes []string
	for _, r := range regions {
		codes = append(codes, r.Code)
		for _, lang := range platformLanguages {
			if r.Names[lang] == "" {
				t.Errorf("region %s: no %s name", r.Code, lang)
			}
		}
	}
	want := []string{geo.RegionCentral, geo.RegionEastern, geo.RegionNorthern, geo.RegionSouthern, geo.RegionWestern}
	if !slices.Equal(codes, want) {
		t.Errorf("Regions() = %v, want %v", codes, want)
	}
	if got := regions[1].Name("sw-TZ"); got != "Afrika Mashariki" {
		t.Errorf("eastern in Swahili = %q", got)
	}
}

func TestChina(t *testing.T) {
	cn := mustLookup(t, "CN")
	if cn.Currency != "CNY" || cn.CurrencyMinorUnits != 2 {
		t.Errorf("CN currency = %s/%d, want CNY/2", cn.Currency, cn.CurrencyMinorUnits)
	}
	if cn.Names["zh-Hans"] != "中国" || cn.Names["en"] != "China" {
		t.Errorf("CN names = %v", cn.Names)
	}
	if !slices.Contains(cn.Languages, "zh") {
		t.Errorf("CN languages = %v, want zh among them", cn.Languages)
	}
	if cn.PartOf != "" || cn.African {
		t.Errorf("CN: PartOf = %q, African = %v", cn.PartOf, cn.African)
	}
}

func TestKenya(t *testing.T) {
	ke := mustLookup(t, "ke")
	if ke.Names["sw"] != "Kenya" || ke.Names["zh-Hans"] != "肯尼亚" || ke.Names["ar"] != "كينيا" {
		t.Errorf("KE names = %v", ke.Names)
	}
	if ke.Alpha3 != "KEN" || ke.Numeric != "404" {
		t.Errorf("KE codes = %s %s", ke.Alpha3, ke.Numeric)
	}
	if ke.Currency != "KES" || ke.CurrencyMinorUnits != 2 {
		t.Errorf("KE currency = %s/%d", ke.Currency, ke.CurrencyMinorUnits)
	}
	slices.Sort(ke.Languages)
	if !slices.Equal(ke.Languages, []string{"en", "sw"}) {
		t.Errorf("KE languages = %v, want en and sw", ke.Languages)
	}
}

func TestRegionsOfChina(t *testing.T) {
	tests := []struct {
		code, en, zh string
	}{
		{"TW", "Taiwan, Province of China", "中国台湾省"},
		{"HK", "Hong Kong SAR, China", "中国香港特别行政区"},
		{"MO", "Macao SAR, China", "中国澳门特别行政区"},
	}
	// The word for China in each language, which every name must carry (in
	// Arabic without the article, which merges into "للصين" and "الصينية").
	china := map[string]string{"zh-Hans": "中国", "en": "China", "fr": "Chine", "ar": "صين", "pt": "China", "sw": "China"}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c := mustLookup(t, tt.code)
			if c.Names["en"] != tt.en || c.Names["zh-Hans"] != tt.zh {
				t.Errorf("names = %q, %q; want %q, %q", c.Names["en"], c.Names["zh-Hans"], tt.en, tt.zh)
			}
			if c.PartOf != "CN" {
				t.Errorf("PartOf = %q, want CN", c.PartOf)
			}
			for lang, word := range china {
				if !strings.Contains(c.Names[lang], word) {
					t.Errorf("%s name %q does not name China (%s)", lang, c.Names[lang], word)
				}
			}
		})
	}
	for _, c := range geo.All() {
		if c.PartOf != "" && !slices.Contains([]string{"TW", "HK", "MO"}, c.Code) {
			t.Errorf("%s: PartOf = %q", c.Code, c.PartOf)
		}
	}
}

func TestCurrencyMinorUnits(t *testing.T) {
	tests := []struct {
		country, currency string
		minor             int
	}{
		{"SN", "XOF", 0}, {"CI", "XOF", 0}, {"CM", "XAF", 0},
		{"JP", "JPY", 0}, {"KW", "KWD", 3}, {"BH", "BHD", 3}, {"TN", "TND", 3},
		{"NG", "NGN", 2}, {"ZW", "ZWG", 2}, {"SL", "SLE", 2}, {"MR", "MRU", 2},
	}
	for _, tt := range tests {
		c := mustLookup(t, tt.country)
		if c.Currency != tt.currency || c.CurrencyMinorUnits != tt.minor {
			t.Errorf("%s: currency %s/%d, want %s/%d", tt.country, c.Currency, c.CurrencyMinorUnits, tt.currency, tt.minor)
		}
	}
	code := regexp.MustCompile(`^[A-Z]{3}$`)
	for _, c := range geo.All() {
		if c.Currency == "" {
			if c.Code != "AQ" {
				t.Errorf("%s: no currency", c.Code)
			}
			continue
		}
		if !code.MatchString(c.Currency) {
			t.Errorf("%s: currency %q", c.Code, c.Currency)
		}
	}
}

// TestCurrenciesAgainstISO4217 checks every currency against the ISO 4217
// table in the shared reference data.
func TestCurrenciesAgainstISO4217(t *testing.T) {
	f, err := os.Open("../../../shared/data/currencies/iso4217.csv")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("../shared/data/currencies/iso4217.csv is absent; CI has it")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	current := map[string]int{}
	for _, row := range rows[1:] { // Entity,Currency,AlphabeticCode,NumericCode,MinorUnit,WithdrawalDate
		if n, err := strconv.Atoi(row[4]); err == nil && row[2] != "" && row[5] == "" {
			current[row[2]] = n
		}
	}
	for _, c := range geo.All() {
		if c.Currency == "" {
			continue
		}
		n, ok := current[c.Currency]
		if !ok {
			t.Errorf("%s: %s is not a current ISO 4217 currency", c.Code, c.Currency)
		} else if n != c.CurrencyMinorUnits {
			t.Errorf("%s: %s minor units %d, ISO 4217 says %d", c.Code, c.Currency, c.CurrencyMinorUnits, n)
		}
	}
}

func TestLanguagesAreBCP47(t *testing.T) {
	tag := regexp.MustCompile(`^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$`)
	for _, c := range geo.All() {
		for _, l := range c.Languages {
			if !tag.MatchString(l) {
				t.Errorf("%s: language %q is not a BCP 47 tag", c.Code, l)
			}
		}
	}
	if l := mustLookup(t, "DZ").Languages; !slices.Contains(l, "ar") || !slices.Contains(l, "fr") {
		t.Errorf("DZ languages = %v", l)
	}
	if l := mustLookup(t, "TW").Languages; !slices.Contains(l, "zh-Hant") {
		t.Errorf("TW languages = %v", l)
	}
}

func TestLookup(t *testing.T) {
	for _, code := range []string{"KE", "ke", "Ke", "cn"} {
		if !geo.IsValid(code) {
			t.Errorf("IsValid(%q) = false", code)
		}
		if c, ok := geo.Lookup(code); !ok || c.Code != strings.ToUpper(code) {
			t.Errorf("Lookup(%q) = %q, %v", code, c.Code, ok)
		}
	}
	for _, code := range []string{"", "K", "KEN", "404", " KE", "QQ"} {
		if geo.IsValid(code) {
			t.Errorf("IsValid(%q) = true", code)
		}
		if _, ok := geo.Lookup(code); ok {
			t.Errorf("Lookup(%q) found a country", code)
		}
	}
}

func TestName(t *testing.T) {
	ci := mustLookup(t, "CI")
	tests := []struct{ lang, want string }{
		{"fr", ci.Names["fr"]},
		{"fr-CI", ci.Names["fr"]},
		{"zh-Hans", ci.Names["zh-Hans"]},
		{"zh-CN", ci.Names["zh-Hans"]},
		{"zh", ci.Names["zh-Hans"]},
		{"pt_BR", ci.Names["pt"]},
		{"AR", ci.Names["ar"]},
		{"de", ci.Names["en"]},
		{"", ci.Names["en"]},
	}
	for _, tt := range tests {
		if got := ci.Name(tt.lang); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.lang, got, tt.want)
		}
	}
}

func TestCallersCannotChangeTheTable(t *testing.T) {
	ke := mustLookup(t, "KE")
	ke.Names["en"] = "changed"
	ke.Languages[0] = "changed"
	geo.All()[0].Names["en"] = "changed"
	geo.Regions()[0].Names["en"] = "changed"

	if again := mustLookup(t, "KE"); again.Names["en"] != "Kenya" || slices.Contains(again.Languages, "changed") {
		t.Errorf("Lookup shares its data with callers: %v %v", again.Names["en"], again.Languages)
	}
	if geo.All()[0].Names["en"] == "changed" || geo.Regions()[0].Names["en"] == "changed" {
		t.Error("All or Regions shares its data with callers")
	}
}

// TestMenu: every country once, by its name in the reader's language and
// that language's collation (É sorts with E in French, not after Z).
func TestMenu(t *testing.T) {
	fr := geo.Menu("fr")
	if len(fr) != len(geo.All()) {
		t.Fatalf("%d countries in the menu, %d in all", len(fr), len(geo.All()))
	}
	pos := map[string]int{}
	for i, o := range fr {
		pos[o.Code] = i
	}
	if o := fr[pos["EG"]]; o.Name != "Égypte" {
		t.Fatalf("EG is %q in French, want Égypte", o.Name)
	}
	if !(pos["ZA"] < pos["EG"] && pos["EG"] < pos["ES"] && pos["ES"] < pos["ZM"]) {
		t.Errorf("French order: Afrique du Sud %d, Égypte %d, Espagne %d, Zambie %d", pos["ZA"], pos["EG"], pos["ES"], pos["ZM"])
	}
	if en := geo.Menu("en"); en[0].Code != "AF" {
		t.Errorf("first in English: %s, want AF (Afghanistan)", en[0].Code)
	}
}
