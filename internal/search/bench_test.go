package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/search"
)

// BenchmarkSearch searches 100,000 records in mixed scripts — a sixth each
// in Chinese, French, Arabic, English, Portuguese and Swahili, each record
// twelve words drawn from a vocabulary of 400 words per language, so that a
// word is in about 3% of its language's records — as an anonymous viewer,
// one-word and two-word queries, and reports the median and the 99th
// percentile.
func BenchmarkSearch(b *testing.B) {
	l := setupLib(b)
	o, _ := l.e.App.Orgs.BySlug(context.Background(), "library")
	const n = 100000
	words := vocabulary()
	langs := []string{"zh-Hans", "fr", "ar", "en", "pt", "sw"}
	rng := rand.New(rand.NewPCG(1, 2))
	err := l.e.App.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		for i := 0; i < n; i++ {
			lang := langs[i%len(langs)]
			var text []string
			for range 12 {
				text = append(text, words[lang][rng.IntN(len(words[lang]))])
			}
			sep := " "
			if lang == "zh-Hans" {
				sep = "，"
			}
			title := strings.Join(text, sep)
			id := fmt.Sprintf("b%06d", i)
			marking := "clear"
			if i%5 == 0 {
				marking = "amber"
			}
			if _, err := tx.Exec(`INSERT INTO docs (id, title, lang, created_at, owner_org, marking, state) VALUES ($1, $2, $3, $4, $5, $6, 'published')`,
				id, title, lang, l.e.Clock.Now().Add(time.Duration(i)*time.Second), o.ID, marking); err != nil {
				return err
			}
			if err := search.Index(context.Background(), tx, docType.Name, id, title); err != nil {
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
	facet := os.Getenv("BENCH_FACET")
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := l.e.App.Search.Search(context.Background(), nil, search.Request{Type: docType, Q: queries[i%len(queries)], Recency: "created_at", Facet: facet, Limit: 20}); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// vocabulary makes 400 distinct words per language from its own letters:
// syllables for the Latin-script languages, letter triples for Arabic and
// character pairs for Chinese.
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
