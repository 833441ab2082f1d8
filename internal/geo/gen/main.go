//go:build ignore

// Command gen writes countries_gen.go, the ISO 3166-1 country table of package
// geo, from the Unicode CLDR JSON packages on npm (cldr-core and
// cldr-localenames-full) and the ISO 4217 table of minor units.
//
// Run it from internal/geo through go generate, after
//
//	cd /tmp && npm install cldr-localenames-full cldr-core
//
// The facts that CLDR does not carry (African Union regions, the platform's
// names for Taiwan, Hong Kong and Macao) are tables in this file, each with its
// source; SOURCES.md in internal/geo says the same for readers of the package.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// languages are the platform's six languages, mapped to the CLDR locale
// folders that hold their names; zh-Hans is the default content of zh, so
// older packages only have the zh folder.
var languages = []struct {
	tag     string
	folders []string
}{
	{"zh-Hans", []string{"zh-Hans", "zh"}},
	{"en", []string{"en"}},
	{"fr", []string{"fr"}},
	{"ar", []string{"ar"}},
	{"pt", []string{"pt"}},
	{"sw", []string{"sw"}},
}

// auRegions are the 54 African UN member states with their African Union
// region, as the AU assigns them (OAU Council of Ministers resolution
// CM/Res.464 (XXVI), 1976, which divided the continent into five regions; the
// list of member states by region is the one in the African Union Handbook,
// published each year by the African Union Commission, and on
// https://au.int/en/member_states/countryprofiles2). The AU's 55th member, the
// Sahrawi Arab Democratic Republic (Northern), is not a UN member and has no
// ISO 3166-1 code of its own; ISO's EH, Western Sahara, is left without a
// region.
var auRegions = map[string]string{
	// Central Africa (9)
	"BI": "central", // Burundi
	"CM": "central", // Cameroon
	"CF": "central", // Central African Republic
	"TD": "central", // Chad
	"CG": "central", // Congo
	"CD": "central", // Democratic Republic of the Congo
	"GQ": "central", // Equatorial Guinea
	"GA": "central", // Gabon
	"ST": "central", // São Tomé and Príncipe

	// Eastern Africa (14)
	"KM": "eastern", // Comoros
	"DJ": "eastern", // Djibouti
	"ER": "eastern", // Eritrea
	"ET": "eastern", // Ethiopia
	"KE": "eastern", // Kenya
	"MG": "eastern", // Madagascar
	"MU": "eastern", // Mauritius
	"RW": "eastern", // Rwanda
	"SC": "eastern", // Seychelles
	"SO": "eastern", // Somalia
	"SS": "eastern", // South Sudan
	"SD": "eastern", // Sudan
	"TZ": "eastern", // United Republic of Tanzania
	"UG": "eastern", // Uganda

	// Northern Africa (6 UN members; the SADR is the 7th AU member)
	"DZ": "northern", // Algeria
	"EG": "northern", // Egypt
	"LY": "northern", // Libya
	"MR": "northern", // Mauritania
	"MA": "northern", // Morocco
	"TN": "northern", // Tunisia

	// Southern Africa (10)
	"AO": "southern", // Angola
	"BW": "southern", // Botswana
	"SZ": "southern", // Eswatini
	"LS": "southern", // Lesotho
	"MW": "southern", // Malawi
	"MZ": "southern", // Mozambique
	"NA": "southern", // Namibia
	"ZA": "southern", // South Africa
	"ZM": "southern", // Zambia
	"ZW": "southern", // Zimbabwe

	// Western Africa (15)
	"BJ": "western", // Benin
	"BF": "western", // Burkina Faso
	"CV": "western", // Cabo Verde
	"CI": "western", // Côte d'Ivoire
	"GM": "western", // Gambia
	"GH": "western", // Ghana
	"GN": "western", // Guinea
	"GW": "western", // Guinea-Bissau
	"LR": "western", // Liberia
	"ML": "western", // Mali
	"NE": "western", // Niger
	"NG": "western", // Nigeria
	"SN": "western", // Senegal
	"SL": "western", // Sierra Leone
	"TG": "western", // Togo
}

// regionsOfChina are listed as regions of China (DESIGN.md section 6), under
// names that say so in every language, in place of CLDR's. The English names
// are the platform's contract; the Chinese ones are the official designations;
// the others follow the usage of the UN and of CLDR in each language.
var regionsOfChina = map[string]map[string]string{
	"TW": {
		"zh-Hans": "中国台湾省",
		"en":      "Taiwan, Province of China",
		"fr":      "Taïwan, province de Chine",
		"ar":      "مقاطعة تايوان الصينية",
		"pt":      "Taiwan, Província da China",
		"sw":      "Taiwan, Jimbo la China",
	},
	"HK": {
		"zh-Hans": "中国香港特别行政区",
		"en":      "Hong Kong SAR, China",
		"fr":      "Hong Kong, RAS de Chine",
		"ar":      "منطقة هونغ كونغ الإدارية الخاصة التابعة للصين",
		"pt":      "Hong Kong, RAE da China",
		"sw":      "Hong Kong, Eneo la Utawala Maalum la China",
	},
	"MO": {
		"zh-Hans": "中国澳门特别行政区",
		"en":      "Macao SAR, China",
		"fr":      "Macao, RAS de Chine",
		"ar":      "منطقة ماكاو الإدارية الخاصة التابعة للصين",
		"pt":      "Macau, RAE da China",
		"sw":      "Makau, Eneo la Utawala Maalum la China",
	},
}

// iso3166Count is the number of officially assigned ISO 3166-1 codes; the
// generator stops if CLDR yields another number, which would mean the
// selection below needs a look.
const iso3166Count = 249

type country struct {
	Code, Alpha3, Numeric string
	Names                 map[string]string
	AURegion              string
	Currency              string
	MinorUnits            int
	Languages             []string
	PartOf                string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	cldr := flag.String("cldr", "/tmp/node_modules", "folder holding the npm packages cldr-core and cldr-localenames-full")
	iso := flag.String("iso4217", "../../../shared/data/currencies/iso4217.csv", "ISO 4217 table (datasets/currency-codes data/codes-all.csv)")
	out := flag.String("o", "countries_gen.go", "output file")
	flag.Parse()

	version := cldrVersion(*cldr)
	codes := countryCodes(*cldr)
	names := territoryNames(*cldr)
	currencies := currentCurrencies(*cldr)
	minor, isoSum := minorUnits(*iso)
	official := officialLanguages(*cldr)

	var countries []country
	for _, cc := range codes {
		c := country{Code: cc.code, Alpha3: cc.alpha3, Numeric: cc.numeric, Names: map[string]string{}}
		for _, l := range languages {
			n := names[l.tag][c.Code]
			if n == "" {
				log.Fatalf("%s: no %s name in CLDR", c.Code, l.tag)
			}
			c.Names[l.tag] = n
		}
		if override, ok := regionsOfChina[c.Code]; ok {
			for _, l := range languages {
				if override[l.tag] == "" {
					log.Fatalf("%s: no %s name in regionsOfChina", c.Code, l.tag)
				}
			}
			c.Names = override
			c.PartOf = "CN"
		}
		c.AURegion = auRegions[c.Code]
		if cur := currencies[c.Code]; cur != "" {
			mu, ok := minor[cur]
			if !ok {
				log.Fatalf("%s: currency %s is not a current ISO 4217 code with minor units", c.Code, cur)
			}
			c.Currency, c.MinorUnits = cur, mu
		}
		c.Languages = official[c.Code]
		countries = append(countries, c)
	}

	if len(countries) != iso3166Count {
		log.Fatalf("found %d ISO 3166-1 codes in CLDR, want %d", len(countries), iso3166Count)
	}
	known := map[string]bool{}
	for _, c := range countries {
		known[c.Code] = true
	}
	for code := range auRegions {
		if !known[code] {
			log.Fatalf("AU member %s is not an ISO 3166-1 code", code)
		}
	}
	if len(auRegions) != 54 {
		log.Fatalf("%d African UN member states in auRegions, want 54", len(auRegions))
	}

	src := render(countries, version, isoSum)
	formatted, err := format.Source(src)
	if err != nil {
		log.Fatalf("format: %v", err)
	}
	if err := os.WriteFile(*out, formatted, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s: %d countries, CLDR %s", *out, len(countries), version)
}

func readJSON(path string, v any) {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
}

// cldrVersion returns the npm version of the CLDR packages, which must agree.
func cldrVersion(dir string) string {
	var core, names struct{ Version string }
	readJSON(filepath.Join(dir, "cldr-core", "package.json"), &core)
	readJSON(filepath.Join(dir, "cldr-localenames-full", "package.json"), &names)
	if core.Version == "" || core.Version != names.Version {
		log.Fatalf("cldr-core %q and cldr-localenames-full %q differ", core.Version, names.Version)
	}
	return core.Version
}

type codeMapping struct{ code, alpha3, numeric string }

var alpha2 = regexp.MustCompile(`^[A-Z]{2}$`)

// notAssigned reports whether an alpha-2 code is one ISO 3166-1 leaves to
// users (AA, QM–QZ, XA–XZ, ZZ; CLDR uses XK for Kosovo) or reserves
// exceptionally for other uses (such as EU, UN, UK), which CLDR also maps.
func notAssigned(code string) bool {
	switch code {
	case "AA", "ZZ", "AC", "CP", "DG", "EA", "EU", "EZ", "FX", "IC", "SU", "TA", "UK", "UN":
		return true
	}
	return code[0] == 'X' || (code[0] == 'Q' && code[1] >= 'M')
}

// countryCodes selects the officially assigned ISO 3166-1 codes from CLDR's
// codeMappings: two letters, an alpha-3 and a numeric code, not user-assigned
// or exceptionally reserved, and not deprecated (CLDR's territoryAlias lists the withdrawn codes).
func countryCodes(dir string) []codeMapping {
	var mappings struct {
		Supplemental struct {
			CodeMappings map[string]struct {
				Alpha3  string `json:"_alpha3"`
				Numeric string `json:"_numeric"`
			} `json:"codeMappings"`
		} `json:"supplemental"`
	}
	readJSON(filepath.Join(dir, "cldr-core", "supplemental", "codeMappings.json"), &mappings)
	var aliases struct {
		Supplemental struct {
			Metadata struct {
				Alias struct {
					Territory map[string]json.RawMessage `json:"territoryAlias"`
				} `json:"alias"`
			} `json:"metadata"`
		} `json:"supplemental"`
	}
	readJSON(filepath.Join(dir, "cldr-core", "supplemental", "aliases.json"), &aliases)

	var out []codeMapping
	for code, m := range mappings.Supplemental.CodeMappings {
		if !alpha2.MatchString(code) || notAssigned(code) || m.Alpha3 == "" || m.Numeric == "" {
			continue
		}
		if _, deprecated := aliases.Supplemental.Metadata.Alias.Territory[code]; deprecated {
			continue
		}
		out = append(out, codeMapping{code, m.Alpha3, m.Numeric})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out
}

// territoryNames returns language tag -> code -> CLDR's standard name.
func territoryNames(dir string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, l := range languages {
		var path, folder string
		for _, f := range l.folders {
			p := filepath.Join(dir, "cldr-localenames-full", "main", f, "territories.json")
			if _, err := os.Stat(p); err == nil {
				path, folder = p, f
				break
			}
		}
		if path == "" {
			log.Fatalf("no CLDR territories.json for %s", l.tag)
		}
		var doc struct {
			Main map[string]struct {
				LocaleDisplayNames struct {
					Territories map[string]string `json:"territories"`
				} `json:"localeDisplayNames"`
			} `json:"main"`
		}
		readJSON(path, &doc)
		names := doc.Main[folder].LocaleDisplayNames.Territories
		if len(names) == 0 {
			log.Fatalf("%s: no territory names", path)
		}
		out[l.tag] = names
	}
	return out
}

// currentCurrencies returns code -> the territory's current currency: the
// first legal tender in CLDR's list (which CLDR orders by precedence) that has
// no end date.
func currentCurrencies(dir string) map[string]string {
	var doc struct {
		Supplemental struct {
			CurrencyData struct {
				Region map[string][]map[string]struct {
					To     string `json:"_to"`
					Tender string `json:"_tender"`
				} `json:"region"`
			} `json:"currencyData"`
		} `json:"supplemental"`
	}
	readJSON(filepath.Join(dir, "cldr-core", "supplemental", "currencyData.json"), &doc)
	out := map[string]string{}
	for code, list := range doc.Supplemental.CurrencyData.Region {
		for _, entry := range list {
			for cur, info := range entry {
				if _, ok := out[code]; ok || info.To != "" || info.Tender == "false" {
					continue
				}
				out[code] = cur
			}
		}
	}
	return out
}

// minorUnits reads the ISO 4217 table and returns alphabetic code -> minor
// units for the current codes, with the file's SHA-256 for the record.
func minorUnits(path string) (map[string]int, string) {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatalf("%v (pass -iso4217)", err)
	}
	sum := sha256.Sum256(b)
	r := csv.NewReader(bytes.NewReader(b))
	header, err := r.Read()
	if err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, h := range []string{"AlphabeticCode", "MinorUnit", "WithdrawalDate"} {
		if _, ok := col[h]; !ok {
			log.Fatalf("%s: no column %s", path, h)
		}
	}
	out := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		code, unit := rec[col["AlphabeticCode"]], rec[col["MinorUnit"]]
		if code == "" || rec[col["WithdrawalDate"]] != "" {
			continue
		}
		n, err := strconv.Atoi(unit)
		if err != nil {
			continue // "N.A." or "-": funds and units of account, never a country's currency
		}
		if prev, ok := out[code]; ok && prev != n {
			log.Fatalf("%s: %s has minor units %d and %d", path, code, prev, n)
		}
		out[code] = n
	}
	return out, hex.EncodeToString(sum[:])
}

// officialLanguages returns code -> BCP 47 tags of the languages CLDR records
// as official or de facto official for the whole territory (not regional
// ones), most spoken first.
func officialLanguages(dir string) map[string][]string {
	var doc struct {
		Supplemental struct {
			TerritoryInfo map[string]struct {
				LanguagePopulation map[string]struct {
					Percent string `json:"_populationPercent"`
					Status  string `json:"_officialStatus"`
				} `json:"languagePopulation"`
			} `json:"territoryInfo"`
		} `json:"supplemental"`
	}
	readJSON(filepath.Join(dir, "cldr-core", "supplemental", "territoryInfo.json"), &doc)
	out := map[string][]string{}
	for code, info := range doc.Supplemental.TerritoryInfo {
		type lang struct {
			tag     string
			percent float64
		}
		var langs []lang
		for tag, p := range info.LanguagePopulation {
			if p.Status != "official" && p.Status != "de_facto_official" {
				continue
			}
			pct, _ := strconv.ParseFloat(p.Percent, 64)
			langs = append(langs, lang{strings.ReplaceAll(tag, "_", "-"), pct})
		}
		sort.Slice(langs, func(i, j int) bool {
			if langs[i].percent != langs[j].percent {
				return langs[i].percent > langs[j].percent
			}
			return langs[i].tag < langs[j].tag
		})
		for _, l := range langs {
			out[code] = append(out[code], l.tag)
		}
	}
	return out
}

func render(countries []country, version, isoSum string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by gen/main.go; DO NOT EDIT.
//
// Sources (see SOURCES.md):
//   - Unicode CLDR %s (npm cldr-core, cldr-localenames-full): codes, names,
//     currencies, official languages
//   - ISO 4217 minor units: datasets/currency-codes data/codes-all.csv,
//     sha256 %s
//   - African Union regions: African Union Handbook (table in gen/main.go)

package geo

// CLDRVersion is the version of the Unicode CLDR data the table was built from.
const CLDRVersion = %q

var countries = []Country{
`, version, isoSum, version)
	tags := make([]string, len(languages))
	for i, l := range languages {
		tags[i] = l.tag
	}
	for _, c := range countries {
		fmt.Fprintf(&b, "\t{Code: %q, Alpha3: %q, Numeric: %q,\n\t\tNames: map[string]string{", c.Code, c.Alpha3, c.Numeric)
		for i, t := range tags {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q: %q", t, c.Names[t])
		}
		b.WriteString("},\n\t\t")
		if c.AURegion != "" {
			fmt.Fprintf(&b, "AURegion: %q, African: true, ", c.AURegion)
		}
		if c.Currency != "" {
			fmt.Fprintf(&b, "Currency: %q, CurrencyMinorUnits: %d, ", c.Currency, c.MinorUnits)
		}
		b.WriteString("Languages: []string{")
		for i, l := range c.Languages {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", l)
		}
		b.WriteString("}")
		if c.PartOf != "" {
			fmt.Fprintf(&b, ", PartOf: %q", c.PartOf)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	if !slices.IsSortedFunc(countries, func(a, b country) int { return strings.Compare(a.Code, b.Code) }) {
		log.Fatal("countries not sorted")
	}
	return b.Bytes()
}
