package posts_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/network/posts"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/text"
)

// BenchmarkPostSearch searches 100,000 posts in mixed scripts — a sixth
// each in Chinese, French, Arabic, English, Portuguese and Swahili, each
// title and body sixteen words drawn from 400 words per language, a fifth
// of them TLP:AMBER and a tenth expired — as an anonymous reader, through
// the service (the kernel search with the filter tokens, then the posts
// read back under the sharing rule), one- and two-word queries, and a
// country filter every third query. It reports the median and the 99th
// percentile, measured as internal/search's benchmark does.
func BenchmarkPostSearch(b *testing.B) {
	e := apptest.Start(b)
	ctx := context.Background()
	svc := e.App.Network.Posts
	var ownerOrg string
	if err := e.App.DB.R.QueryRow(`SELECT id FROM orgs LIMIT 1`).Scan(&ownerOrg); err != nil {
		b.Fatal(err)
	}
	const n = 100000
	words := vocabulary()
	langs := []string{"zh-Hans", "fr", "ar", "en", "pt", "sw"}
	countries := posts.Countries()
	rng := rand.New(rand.NewPCG(1, 2))
	now := e.Clock.Now()
	err := e.App.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			lang := langs[i%len(langs)]
			pick := func(k int) string {
				var ws []string
				for range k {
					ws = append(ws, words[lang][rng.IntN(len(words[lang]))])
				}
				sep := " "
				if lang == "zh-Hans" {
					sep = "，"
				}
				return strings.Join(ws, sep)
			}
			at := now.Add(-time.Duration(n-i) * time.Minute)
			p := &posts.Post{ID: fmt.Sprintf("p%06d", i), Kind: posts.Kinds[i%len(posts.Kinds)],
				Title: text.New(lang, pick(6), "bench", at), Body: text.New(lang, pick(10), "bench", at),
				Country: countries[i%len(countries)], Sectors: []string{org.Sectors[i%len(org.Sectors)]}, OwnerName: "Bench"}
			p.TitlePlain = p.Title.String()
			marking := "clear"
			if i%5 == 0 {
				marking = "amber"
			}
			var expires any
			if i%10 == 3 {
				expires = now.AddDate(0, 0, -1)
			}
			if _, err := tx.Exec(`INSERT INTO network_posts (id, kind, title, title_plain, body, country, sectors, expires_on,
				created_by, created_at, updated_at, owner_org, marking, state, community) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'bench', $9, $9, $10, $11, 'published', '')`,
				p.ID, p.Kind, p.Title, p.TitlePlain, p.Body, p.Country, p.Sectors[0], expires, at, ownerOrg, marking); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO network_post_sectors (post_id, sector) VALUES ($1, $2)`, p.ID, p.Sectors[0]); err != nil {
				return err
			}
			if err := search.Index(ctx, tx, posts.TypeName, p.ID, posts.SearchText(svc, p)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var queries []string
	for _, lang := range langs {
		queries = append(queries, words[lang][7], words[lang][42]+" "+words[lang][99])
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := posts.Filter{Q: queries[i%len(queries)], Limit: 20}
		if i%3 == 2 {
			f.Country = "KE"
		}
		start := time.Now()
		if _, err := svc.List(ctx, nil, f); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// vocabulary makes 400 distinct words per language from its own letters,
// as internal/search's benchmark does.
func vocabulary() map[string][]string {
	out := map[string][]string{}
	latin := map[string][]string{
		"fr": {"ré", "sé", "cu", "ri", "té", "co", "mè", "rce", "ni", "que", "dé", "vel", "op", "pe", "ment", "ta", "ble", "for", "ma", "tion"},
		"en": {"cy", "ber", "net", "work", "da", "ta", "cen", "tre", "ca", "ble", "trade", "mar", "ket", "sup", "ply", "chain", "gov", "ern", "ance", "link"},
		"pt": {"co", "mér", "cio", "ele", "tró", "ni", "co", "for", "ma", "ção", "re", "de", "se", "gu", "ran", "ça", "da", "dos", "lo", "ja"},
		"sw": {"bia", "sha", "ra", "mta", "nda", "o", "ma", "fu", "nzo", "usa", "la", "ma", "ki", "ji", "ta", "li", "wa", "tu", "ka", "zi"},
	}
	for lang, syl := range latin {
		seen := map[string]bool{}
		for i := 0; len(out[lang]) < 400 && i < 8000; i++ {
			w := syl[i%20] + syl[(i/20)%20] + syl[(i/400)%20]
			if !seen[w] && len(search.Tokens(w)) == 1 {
				seen[w] = true
				out[lang] = append(out[lang], w)
			}
		}
	}
	arabic := []rune("بتثجحخدذرزسشصضطظعغفقكلمنهي")
	han := []rune("数字经济合作网络安全数据跨境电子商务人才培训发展中国非洲国家技术应用服务平台信息通信基础设施标准法律政策市场投资贸易创新研究")
	for a := 0; len(out["ar"]) < 400; a++ {
		for b := 0; b < len(arabic) && len(out["ar"]) < 400; b++ {
			out["ar"] = append(out["ar"], string([]rune{arabic[a], arabic[b], arabic[(a+b)%len(arabic)]}))
		}
	}
	for a := 0; len(out["zh-Hans"]) < 400; a++ {
		for b := 0; b < len(han) && len(out["zh-Hans"]) < 400; b++ {
			if a != b {
				out["zh-Hans"] = append(out["zh-Hans"], string([]rune{han[a], han[b]}))
			}
		}
	}
	return out
}
