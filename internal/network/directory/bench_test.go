package directory_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/network/directory"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/text"
)

// Name parts of realistic organisations, in the scripts the platform sees.
var (
	zhParts = [][]string{{"华", "中", "丝路", "非洲", "长城", "星", "云", "蓝海", "金桥", "东方"},
		{"云计算", "网络", "数字", "支付", "物流", "电子商务", "通信", "安全", "智能", "数据"}, {"科技有限公司", "集团", "技术公司", "研究院"}}
	frParts = [][]string{{"Société", "Agence", "Groupe", "Compagnie", "Réseau", "Banque"}, {"numérique", "des télécommunications", "de sécurité",
		"de paiement mobile", "de logistique", "du commerce électronique"}, {"du Sénégal", "de Côte d’Ivoire", "du Cameroun", "d’Algérie", "du Mali", "de Tunisie"}}
	arParts = [][]string{{"شركة", "الهيئة الوطنية", "مؤسسة", "مركز", "مجموعة"}, {"الأمن السيبراني", "الاتصالات", "التجارة الإلكترونية", "الدفع الرقمي",
		"المعلومات", "البيانات"}, {"المصرية", "المغربية", "السودانية", "الليبية", "الموريتانية"}}
	enParts = [][]string{{"Lagos", "Nairobi", "Kigali", "Accra", "Addis", "Cape", "Pan-African", "Savannah", "Baobab"}, {"Cloud", "Pay", "Fibre",
		"Data", "Logistics", "Commerce", "Cyber", "Mobile", "Solar"}, {"Ltd", "Group", "Holdings", "Technologies", "Labs", "Networks"}}
	swParts = [][]string{{"Kampuni ya", "Shirika la"}, {"Mawasiliano", "Biashara Mtandaoni", "Malipo", "Usafirishaji"}, {"Tanzania", "Afrika Mashariki", "Zanzibar"}}
)

func pick(r *rand.Rand, parts [][]string, sep string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += sep
		}
		s += p[r.IntN(len(p))]
	}
	return s
}

// seedDirectory inserts n organisations with names in mixed scripts (most
// with a translation or two), sectors, countries and languages they work
// in, a tenth of them network members.
func seedDirectory(b testing.TB, e *apptest.Env, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	now := e.Clock.Now()
	countries := []string{"CN", "KE", "NG", "ZA", "EG", "ET", "SN", "CI", "GH", "TZ", "RW", "MA", "DZ", "CM", "UG", "ZM", "AO", "MZ"}
	langs := []string{"zh", "en", "fr", "ar", "pt", "sw", "am", "ha"}
	err := e.App.DB.Tx(b.Context(), func(tx *sql.Tx) error {
		for i := range n {
			id := uuid.Must(uuid.NewV7()).String()
			t := text.Text{Versions: map[string]text.Version{}}
			switch i % 5 {
			case 0:
				t.Original, t.Versions["zh-Hans"] = "zh-Hans", text.Version{Text: pick(r, zhParts, "")}
				t.Versions["en"] = text.Version{Text: pick(r, enParts, " ")}
			case 1:
				t.Original, t.Versions["fr"] = "fr", text.Version{Text: pick(r, frParts, " ")}
			case 2:
				t.Original, t.Versions["ar"] = "ar", text.Version{Text: pick(r, arParts, " ")}
				t.Versions["fr"] = text.Version{Text: pick(r, frParts, " ")}
			case 3:
				t.Original, t.Versions["en"] = "en", text.Version{Text: pick(r, enParts, " ")}
				t.Versions["zh-Hans"] = text.Version{Text: pick(r, zhParts, "")}
			default:
				t.Original, t.Versions["sw"] = "sw", text.Version{Text: pick(r, swParts, " ")}
			}
			name := fmt.Sprintf("%s %d", t.String(), i)
			t.Versions[t.Original] = text.Version{Text: name}
			kind := org.Kinds[r.IntN(len(org.Kinds))]
			home := countries[r.IntN(len(countries))]
			created := now.Add(-time.Duration(n-i) * time.Minute)
			var verified any
			if r.IntN(3) == 0 {
				verified = created
			}
			if _, err := tx.ExecContext(b.Context(), `INSERT INTO orgs (id, slug, name, names, names_search, kind, country, description, verified_at, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9)`, id, fmt.Sprintf("bench-%05d", i), name, t, search.Document(t.All()),
				string(kind), home, verified, created); err != nil {
				return err
			}
			for _, sec := range pickSome(r, org.Sectors, 3) {
				if _, err := tx.ExecContext(b.Context(), `INSERT INTO org_sectors (org_id, sector) VALUES ($1, $2)`, id, sec); err != nil {
					return err
				}
			}
			for _, c := range pickSome(r, countries, 3) {
				if _, err := tx.ExecContext(b.Context(), `INSERT INTO network_countries (org_id, country) VALUES ($1, $2)`, id, c); err != nil {
					return err
				}
			}
			for _, l := range pickSome(r, langs, 3) {
				if _, err := tx.ExecContext(b.Context(), `INSERT INTO network_languages (org_id, lang) VALUES ($1, $2)`, id, l); err != nil {
					return err
				}
			}
			if i%10 == 0 {
				if _, err := tx.ExecContext(b.Context(), `INSERT INTO group_members (group_id, org_id, added_at) VALUES ($1, $2, $3)`,
					e.App.Network.Core.Group.ID, id, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.App.DB.W.ExecContext(b.Context(), `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

func pickSome(r *rand.Rand, from []string, most int) []string {
	k := 1 + r.IntN(most)
	out := []string{}
	for _, i := range r.Perm(len(from))[:k] {
		out = append(out, from[i])
	}
	return out
}

// BenchmarkDirectorySearch runs the directory's searches at 10,000
// organisations: free text in Chinese, French, Arabic, English and Swahili,
// each filter, their combinations, and the second page. It reports the
// median and the 99th percentile of one search, in milliseconds.
func BenchmarkDirectorySearch(b *testing.B) {
	e := apptest.Start(b)
	seedDirectory(b, e, 10000)
	d := e.App.Network.Directory
	_, next, err := d.Search(b.Context(), directory.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	_, nextQ, err := d.Search(b.Context(), directory.Filter{Q: "cloud"})
	if err != nil {
		b.Fatal(err)
	}
	filters := []directory.Filter{
		{}, {Cursor: next}, {Q: "云计算"}, {Q: "丝路 科技"}, {Q: "sécurité"}, {Q: "Société numérique du Sénégal"}, {Q: "الأمن السيبراني"},
		{Q: "الاتصالات المغربية"}, {Q: "cloud"}, {Q: "cloud", Cursor: nextQ}, {Q: "Nairobi Pay"}, {Q: "mawasiliano"}, {Q: "zzzz"},
		{Country: "KE"}, {Country: "RW", Members: true}, {Kind: "regulator"}, {Sector: "cybersecurity"}, {Language: "ha"},
		{Members: true}, {Country: "SN", Sector: "payments_fintech", Language: "fr"}, {Q: "data", Country: "NG", Kind: "enterprise"},
		{Q: "网络", Members: true}, {Country: "MZ", Kind: "university", Sector: "agritech", Members: true},
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, _, err := d.Search(b.Context(), filters[i%len(filters)]); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	if len(times) > 0 {
		b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
	}
}
