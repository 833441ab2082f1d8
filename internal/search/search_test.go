package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

var docType = sharing.Type{Name: "test.doc", Table: "docs", Title: "title"}

// corpus is a small library in the six languages. Each query of the
// relevance suite names the three documents that must come first.
var corpus = []struct{ key, lang, title, body string }{
	{"zh1", "zh-Hans", "中国与非洲的数字经济合作", "双方推动数字经济发展"},
	{"zh2", "zh-Hans", "網絡安全應急響應合作", "國家計算機網絡應急技術處理協調中心"},
	{"zh3", "zh-Hans", "跨境电子商务与非洲好物网购节", "非洲商品在线销售"},
	{"zh4", "zh-Hans", "数字经济人才培训计划", "面向非洲青年的培训"},
	{"zh5", "zh-Hans", "网络安全法律与数据跨境流动", "数据出境安全评估"},
	{"zh6", "zh-Hans", "国家网络安全事件报告", "事件处置流程"},
	{"zh7", "zh-Hans", "数字经济指标与统计", "年度数据"},
	{"fr1", "fr", "Cybersécurité : coopération entre CERT nationaux", "Échange d'indicateurs"},
	{"fr2", "fr", "La cybersécurité des données personnelles", "Protection des données"},
	{"fr3", "fr", "Formation en cybersécurité pour les jeunes", "Programme de formation"},
	{"fr4", "fr", "Commerce électronique et marchés africains", "Vente en ligne"},
	{"fr5", "fr", "Festival d'achats en ligne", "Produits africains"},
	{"en1", "en", "Submarine cable landing in Kenya", "A new cable lands in Mombasa"},
	{"en2", "en", "5G rollout in Nigeria", "Base stations in Lagos"},
	{"en3", "en", "Data centre and cable capacity", "Regional capacity grows"},
	{"en4", "en", "Cable repair training", "Technicians learn splicing"},
	{"en5", "en", "Online shopping festival", "African goods for Chinese buyers"},
	{"ar1", "ar", "الأمن السيبراني في مصر", "تعاون إقليمي"},
	{"ar2", "ar", "التعاون في مجال الأَمْن السِّيبْرَانِي", "تبادل الخبرات"},
	{"ar3", "ar", "حماية البيانات والأمن السيبراني", "قانون حماية البيانات"},
	{"ar4", "ar", "التجارة الإلكترونية في المغرب", "مهرجان التسوق"},
	{"pt1", "pt", "Comércio eletrónico em Angola", "Lojas em linha"},
	{"pt2", "pt", "Formação em comércio digital", "Curso para comerciantes"},
	{"pt3", "pt", "Comercio electronico em Moçambique", "Pagamentos móveis"},
	{"pt4", "pt", "Cabos submarinos", "Ligação internacional"},
	{"sw1", "sw", "Biashara mtandaoni Kenya", "Maduka ya mtandaoni"},
	{"sw2", "sw", "Mafunzo ya biashara ya kidijitali", "Vijana wanajifunza"},
	{"sw3", "sw", "Biashara kati ya Afrika na China", "Bidhaa za Afrika"},
	{"sw4", "sw", "Usalama wa mtandao", "Kituo cha kitaifa"},
}

type lib struct {
	e     *apptest.Env
	ids   map[string]string // key → id
	keys  map[string]string // id → key
	owner *web.Viewer
}

func setup(t *testing.T) *lib { return setupLib(t) }

func setupLib(t testing.TB) *lib {
	e := apptest.Start(t)
	if _, err := e.App.DB.W.Exec(`CREATE TABLE docs (id TEXT PRIMARY KEY, title TEXT NOT NULL, lang TEXT NOT NULL, created_at TIMESTAMP NOT NULL, ` + sharing.Columns + `)`); err != nil {
		t.Fatal(err)
	}
	e.App.Sharing.Declare(docType)
	ctx := context.Background()
	u, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "lib@example.org", Name: "Librarian", Password: "long enough password", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	v := &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}
	o, err := e.App.Orgs.Create(ctx, v, org.Input{Name: "Library", Slug: "library", Kind: "think_tank", Country: "SN"}, "")
	if err != nil {
		t.Fatal(err)
	}
	v.Orgs, _ = e.App.Orgs.Memberships(ctx, u.ID)
	l := &lib{e: e, ids: map[string]string{}, keys: map[string]string{}, owner: v}
	for i, d := range corpus {
		l.add(t, o.ID, d.key, d.lang, d.title, d.body, "clear", e.Clock.Now().Add(time.Duration(i)*time.Minute))
	}
	return l
}

func (l *lib) add(t testing.TB, owner, key, lang, title, body, marking string, at time.Time) {
	id := fmt.Sprintf("doc-%s", key)
	err := l.e.App.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO docs (id, title, lang, created_at, owner_org, marking, state) VALUES ($1, $2, $3, $4, $5, $6, 'published')`,
			id, title, lang, at, owner, marking); err != nil {
			return err
		}
		return search.Index(context.Background(), tx, docType.Name, id, title+"\n"+body)
	})
	if err != nil {
		t.Fatal(err)
	}
	l.ids[key], l.keys[id] = id, key
}

func (l *lib) find(t *testing.T, v *web.Viewer, q string) (*search.Result, []string) {
	t.Helper()
	res, err := l.e.App.Search.Search(context.Background(), v, search.Request{Type: docType, Q: q, Recency: "created_at", Facet: "lang", Limit: 10})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var keys []string
	for _, h := range res.Hits {
		keys = append(keys, l.keys[h.ID])
	}
	return res, keys
}

// TestRelevance is the suite of known answers: for each query, the three
// documents expected first, in every language, with and without accents,
// Arabic vowel marks and in Traditional or Simplified Chinese.
func TestRelevance(t *testing.T) {
	l := setup(t)
	cases := []struct {
		lang, q string
		top3    []string
	}{
		{"zh-Hans", "网络安全", []string{"zh2", "zh5", "zh6"}},
		{"zh-Hans", "數字經濟", []string{"zh1", "zh4", "zh7"}},
		{"fr", "cybersecurite", []string{"fr1", "fr2", "fr3"}},
		{"fr", "CYBERSÉCURITÉ", []string{"fr1", "fr2", "fr3"}},
		{"en", "cable", []string{"en1", "en3", "en4"}},
		{"ar", "الامن السيبراني", []string{"ar1", "ar2", "ar3"}},
		{"ar", "الأَمْنُ", []string{"ar1", "ar2", "ar3"}},
		{"pt", "comercio", []string{"pt1", "pt2", "pt3"}},
		{"pt", "comércio eletrónico", []string{"pt1"}},
		{"sw", "biashara", []string{"sw1", "sw2", "sw3"}},
	}
	for _, c := range cases {
		t.Run(c.lang+"/"+c.q, func(t *testing.T) {
			_, got := l.find(t, nil, c.q)
			top := got[:min(3, len(got))]
			if !sameSet(top, c.top3) {
				t.Fatalf("top three %v, want %v (all %v)", top, c.top3, got)
			}
		})
	}
	t.Run("FirstIsTheMostRelevant", func(t *testing.T) {
		// en1 says "cable" twice in a short text.
		if _, got := l.find(t, nil, "cable"); got[0] != "en1" {
			t.Fatalf("first %s, want en1 (%v)", got[0], got)
		}
	})
	t.Run("EveryWordMustMatch", func(t *testing.T) {
		if _, got := l.find(t, nil, "cable Kenya"); !slices.Equal(got, []string{"en1"}) {
			t.Fatalf("%v", got)
		}
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestSearchRespectsSharing checks that records the viewer may not see are
// not matched, not counted and not in the facets.
func TestSearchRespectsSharing(t *testing.T) {
	l := setup(t)
	o, _ := l.e.App.Orgs.BySlug(context.Background(), "library")
	l.add(t, o.ID, "secret", "fr", "Cybersécurité : rapport confidentiel", "", "amber", l.e.Clock.Now())
	anon, keys := l.find(t, nil, "cybersécurité")
	if slices.Contains(keys, "secret") || anon.Total != 3 {
		t.Fatalf("anonymous: %v, total %d", keys, anon.Total)
	}
	for _, f := range anon.Facets {
		if f.Value == "fr" && f.Count != 3 {
			t.Fatalf("facet fr = %d, want 3", f.Count)
		}
	}
	own, keys := l.find(t, l.owner, "cybersécurité")
	if !slices.Contains(keys, "secret") || own.Total != 4 {
		t.Fatalf("owner: %v, total %d", keys, own.Total)
	}
}

func TestBadQueries(t *testing.T) {
	l := setup(t)
	for _, q := range []string{"", "   ", "!!! ???", strings.Repeat("a ", 40), strings.Repeat("x", 10<<20)} {
		_, err := l.e.App.Search.Search(context.Background(), nil, search.Request{Type: docType, Q: q})
		if errs.CodeOf(err) != errs.Invalid {
			t.Errorf("query of %d bytes: %v", len(q), err)
		}
	}
	_, err := l.e.App.Search.Search(context.Background(), nil, search.Request{Type: docType, Q: "cable", Cursor: "-5"})
	if errs.CodeOf(err) != errs.Invalid {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestSnippet(t *testing.T) {
	got := string(search.Snippet("Une formation en <b>cybersécurité</b> pour les jeunes", search.Tokens("cybersecurite"), 200))
	if got != "Une formation en &lt;b&gt;<mark>cybersécurité</mark>&lt;/b&gt; pour les jeunes" {
		t.Fatalf("%s", got)
	}
}

// TestTotalsAndPages checks the total without facets (counted in the same
// query as the page) on every page, past the last one too, and that paging
// one by one gives the order of a single page.
func TestTotalsAndPages(t *testing.T) {
	l := setup(t)
	ask := func(limit int, cursor string) *search.Result {
		res, err := l.e.App.Search.Search(context.Background(), nil, search.Request{Type: docType, Q: "cybersécurité", Recency: "created_at", Limit: limit, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	all := ask(10, "")
	if all.Total != 3 || len(all.Hits) != 3 {
		t.Fatalf("one page: total %d, %d hits", all.Total, len(all.Hits))
	}
	cursor := ""
	for i := range 3 {
		page := ask(1, cursor)
		if page.Total != 3 || len(page.Hits) != 1 || page.Hits[0].ID != all.Hits[i].ID {
			t.Fatalf("page %d: total %d, hits %v, want %s", i, page.Total, page.Hits, all.Hits[i].ID)
		}
		cursor = page.Next
	}
	if cursor != "" {
		t.Fatalf("a next cursor after the last page: %q", cursor)
	}
	if past := ask(1, "7"); past.Total != 3 || len(past.Hits) != 0 {
		t.Fatalf("past the end: total %d, %d hits", past.Total, len(past.Hits))
	}
}

// TestWhereNarrowsInsideTheQuery checks that a module's filter is part of
// the search: the hits, the total and the facets all follow it.
func TestWhereNarrowsInsideTheQuery(t *testing.T) {
	l := setup(t)
	all, _ := l.find(t, nil, "cybersécurité")
	res, err := l.e.App.Search.Search(context.Background(), nil, search.Request{Type: docType, Q: "cybersécurité", Recency: "created_at",
		Facet: "lang", Limit: 10, Where: func(args *db.Args) string { return `t.id <> ` + args.Add(all.Hits[0].ID) }})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total < 2 || res.Total != all.Total-1 || len(res.Facets) != 1 || res.Facets[0].Count != res.Total || len(res.Hits) != res.Total ||
		slices.ContainsFunc(res.Hits, func(h search.Hit) bool { return h.ID == all.Hits[0].ID }) {
		t.Fatalf("with a filter: total %d of %d, facets %v, %d hits", res.Total, all.Total, res.Facets, len(res.Hits))
	}
}
