package geo

import "maps"

// The African Union's five regions, as codes for Country.AURegion.
const (
	RegionCentral  = "central"
	RegionEastern  = "eastern"
	RegionNorthern = "northern"
	RegionSouthern = "southern"
	RegionWestern  = "western"
)

// Region is one of the African Union's five regions.
type Region struct {
	Code  string            // RegionCentral ... RegionWestern
	Names map[string]string // platform language -> name
}

// Name returns the region's name in lang, with the same matching and
// English fallback as Country.Name.
func (r Region) Name(lang string) string {
	return localName(r.Names, lang)
}

// regions follow the AU's own names for them in its working languages
// (English, French, Arabic, Portuguese, Kiswahili) and the usual Chinese ones.
var regions = []Region{
	{RegionCentral, map[string]string{
		"zh-Hans": "中部非洲", "en": "Central Africa", "fr": "Afrique centrale",
		"ar": "وسط أفريقيا", "pt": "África Central", "sw": "Afrika ya Kati",
	}},
	{RegionEastern, map[string]string{
		"zh-Hans": "东部非洲", "en": "Eastern Africa", "fr": "Afrique de l’Est",
		"ar": "شرق أفريقيا", "pt": "África Oriental", "sw": "Afrika Mashariki",
	}},
	{RegionNorthern, map[string]string{
		"zh-Hans": "北部非洲", "en": "Northern Africa", "fr": "Afrique du Nord",
		"ar": "شمال أفريقيا", "pt": "África do Norte", "sw": "Afrika Kaskazini",
	}},
	{RegionSouthern, map[string]string{
		"zh-Hans": "南部非洲", "en": "Southern Africa", "fr": "Afrique australe",
		"ar": "الجنوب الأفريقي", "pt": "África Austral", "sw": "Kusini mwa Afrika",
	}},
	{RegionWestern, map[string]string{
		"zh-Hans": "西部非洲", "en": "Western Africa", "fr": "Afrique de l’Ouest",
		"ar": "غرب أفريقيا", "pt": "África Ocidental", "sw": "Afrika Magharibi",
	}},
}

// Regions returns the African Union's five regions, sorted by code.
func Regions() []Region {
	out := make([]Region, len(regions))
	for i, r := range regions {
		out[i] = Region{r.Code, maps.Clone(r.Names)}
	}
	return out
}

// isRegion reports whether code is one of the five region codes.
func isRegion(code string) bool {
	for _, r := range regions {
		if r.Code == code {
			return true
		}
	}
	return false
}
