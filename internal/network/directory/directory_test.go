package directory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/network/directory"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

func TestDirectoryFilters(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	for _, c := range []struct {
		name string
		f    directory.Filter
		want []string
	}{
		{"everyone, by name", directory.Filter{}, []string{"nairobi-pay", "egypt-cyber", "anssi-sn", "silk-cloud"}},
		{"home country or working there", directory.Filter{Country: "ke"}, []string{"nairobi-pay", "silk-cloud"}},
		{"home country", directory.Filter{Country: "CN"}, []string{"silk-cloud"}},
		{"working there only", directory.Filter{Country: "NG"}, []string{"silk-cloud"}},
		{"kind", directory.Filter{Kind: "regulator"}, []string{"egypt-cyber"}},
		{"sector", directory.Filter{Sector: "cybersecurity"}, []string{"egypt-cyber", "anssi-sn"}},
		{"language", directory.Filter{Language: "sw"}, []string{"nairobi-pay", "silk-cloud"}},
		{"members only", directory.Filter{Members: true}, []string{"silk-cloud"}},
		{"members in Kenya", directory.Filter{Members: true, Country: "KE"}, []string{"silk-cloud"}},
		{"words in a translation", directory.Filter{Q: "route soie"}, []string{"silk-cloud"}},
		{"no match", directory.Filter{Q: "zzz"}, []string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			es, _, err := w.d.Search(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			got := slugs(es)
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	es, _, err := w.d.Search(ctx, directory.Filter{Members: true})
	if err != nil || len(es) != 1 || !es[0].Member || !es[0].Verified || !slices.Equal(es[0].Sectors, []string{"cloud_datacentres"}) {
		t.Fatalf("member entry: %+v %v", es, err)
	}
	for name, f := range map[string]directory.Filter{
		"unknown country": {Country: "XX"}, "unknown kind": {Kind: "guild"}, "unknown sector": {Sector: "alchemy"},
		"bad language": {Language: "not a language"}, "bad cursor": {Cursor: "!!"}, "huge query": {Q: strings.Repeat("word ", 200)},
	} {
		if _, _, err := w.d.Search(ctx, f); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDirectoryPaging(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	for i := range 7 {
		w.org(t, "amina@nairobipay.example", fmt.Sprintf("cloud-%d", i), "enterprise", "KE", nil,
			names("en", map[string]string{"en": fmt.Sprintf("Kenya Cloud %d", i)}))
	}
	for _, f := range []directory.Filter{{Country: "KE"}, {Q: "cloud"}} {
		var all []string
		f.Limit = 3
		for pages := 0; ; pages++ {
			es, next, err := w.d.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, slugs(es)...)
			if next == "" {
				break
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			f.Cursor = next
		}
		seen := map[string]bool{}
		for _, s := range all {
			if seen[s] {
				t.Errorf("%+v: %s twice", f, s)
			}
			seen[s] = true
		}
		if len(all) != 9 && f.Q == "" || len(all) != 8 && f.Q != "" {
			t.Errorf("%+v: %d organisations over the pages: %v", f, len(all), all)
		}
	}
	// A browsing cursor is refused for a search.
	_, next, _ := w.d.Search(ctx, directory.Filter{Limit: 1})
	if _, _, err := w.d.Search(ctx, directory.Filter{Q: "cloud", Cursor: next}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("cursor of another ordering: %v", err)
	}
}

func TestNamesInTheReadersLanguage(t *testing.T) {
	w := newWorld(t)
	b := w.e.Browser()
	for _, c := range []struct{ lang, want, not string }{
		{"fr", "Nuage de la Route de la Soie", "Silk Road Cloud"},
		{"zh-Hans", "丝路云科技", "Silk Road Cloud"},
		{"en", "Silk Road Cloud", "丝路云科技</strong>"},
		{"sw", "Silk Road Cloud", "Nuage"}, // no Swahili version: English
		{"ar", "Silk Road Cloud", "Nuage"},
	} {
		res := b.Get("/network/orgs?q=silk&lang=" + c.lang)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, c.want) || strings.Contains(res.Body, c.not) {
			t.Errorf("%s: %d, want %q without %q", c.lang, res.StatusCode, c.want, c.not)
		}
	}
	// Only in French: every reader gets the original.
	res := b.Get("/network/orgs/anssi-sn?lang=zh-Hans")
	if !strings.Contains(res.Body, `<h1 lang="fr" dir="ltr">Agence nationale`) {
		t.Errorf("French original for a Chinese reader:\n%s", res.Body)
	}
	res = b.Get("/network/orgs/egypt-cyber?lang=en")
	if !strings.Contains(res.Body, `<h1 lang="ar" dir="rtl">الهيئة الوطنية`) {
		t.Errorf("Arabic original for an English reader")
	}
	var list struct {
		Items []struct {
			Slug     string `json:"slug"`
			Name     string `json:"name"`
			NameLang string `json:"name_lang"`
		} `json:"items"`
	}
	res = b.Get("/api/v1/network/orgs?q=silk&lang=fr")
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil || len(list.Items) != 1 || list.Items[0].Name != "Nuage de la Route de la Soie" {
		t.Fatalf("API in French: %s", res.Body)
	}
}

func TestRelevance(t *testing.T) {
	w := newWorld(t)
	add := func(slug, lang, name string) {
		w.org(t, "amina@nairobipay.example", slug, "enterprise", "KE", nil, names(lang, map[string]string{lang: name}))
	}
	// Chinese: the phrase first, then names with every bigram apart.
	add("yun-jisuan", "zh-Hans", "非洲云计算有限公司")
	add("jisuan-yun", "zh-Hans", "计算机与云服务中心")  // 计算 and 云 apart: no bigram 云计
	add("yunji-suanfa", "zh-Hans", "云计划算法研究院") // 云计 but not 计算
	// French: the words as a phrase, then as whole words, then inside words.
	add("reseau-mobile", "fr", "Réseau mobile du Sahel")
	add("mobile-reseau", "fr", "Mobile et réseau Dakar")
	add("reseaux-mobiles", "fr", "Réseautage mobiles Abidjan")
	// Arabic: letter variants and the article fold away.
	add("amn-misr", "ar", "مركز أمن المعلومات")
	add("amn-jazair", "ar", "الأمن الرقمي الجزائري")
	add("amaan", "ar", "أمانة الاتصالات")
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"云计算", []string{"yun-jisuan"}},
		{"算法", []string{"yunji-suanfa"}},
		{"云 计算", []string{"jisuan-yun", "yun-jisuan"}}, // 云计划算法 has 云 but not 计算
		{"雲計算", []string{"yun-jisuan"}},                // Traditional folds to Simplified
		{"reseau mobile", []string{"reseau-mobile", "mobile-reseau", "reseaux-mobiles"}},
		{"RÉSEAU", []string{"mobile-reseau", "reseau-mobile", "reseaux-mobiles"}},
		{"الامن", []string{"amn-jazair", "amn-misr", "egypt-cyber"}},
		{"أمن المعلومات", []string{"amn-misr"}},
	} {
		es, _, err := w.d.Search(t.Context(), directory.Filter{Q: c.q})
		if err != nil {
			t.Fatal(err)
		}
		got := slugs(es)
		if c.q == "RÉSEAU" || c.q == "الامن" || c.q == "云 计算" {
			// Equal relevance orders by recency: only the last is fixed.
			if len(got) != len(c.want) || got[len(got)-1] != c.want[len(c.want)-1] {
				t.Errorf("%q: got %v, want %v (last fixed)", c.q, got, c.want)
			}
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%q: got %v, want the set %v", c.q, got, want)
			}
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.q, got, c.want)
		}
	}
}

func profileForm(changes url.Values) url.Values {
	v := url.Values{
		"countries": {"KE", "TZ"}, "languages": {"zh", "sw"},
		"need.0.direction": {"offer"}, "need.0.sector": {"cloud_datacentres"},
		"need.0.detail.original": {"fr"}, "need.0.detail.fr": {"Hébergement en nuage à Nairobi"}, "need.0.detail.zh-Hans": {"内罗毕云托管"},
		"need.1.direction": {"seek"}, "need.1.sector": {"logistics"}, "need.1.detail.original": {"en"},
		"need.2.direction": {"offer"}, "need.2.sector": {""}, "need.2.detail.original": {"en"}, // a blank row
	}
	for k, x := range changes {
		v[k] = x
	}
	return v
}

func TestProfileEditing(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	silk := w.orgs["silk-cloud"]
	zhang := w.viewer(t, "zhang@silkcloud.example")
	li := w.viewer(t, "li@silkcloud.example")

	res := w.li.Get("/network/orgs/silk-cloud/edit?lang=fr")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `value="KE" checked`) || !strings.Contains(res.Body, "Cloud hosting in Nairobi") {
		t.Fatalf("edit page: %d\n%s", res.StatusCode, res.Body)
	}
	form := profileForm(url.Values{"contact": {zhang.ID}, "contact." + zhang.ID + ".title": {"Directeur commercial"}})
	res = w.li.Post("/network/orgs/silk-cloud/edit", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	p, err := w.e.App.Network.Core.Profile(ctx, silk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Countries, []string{"KE", "TZ"}) || !slices.Equal(p.Languages, []string{"sw", "zh"}) || len(p.Offers) != 1 || len(p.Seeks) != 1 ||
		p.Offers[0].Detail.Original != "fr" || p.Offers[0].Detail.Versions["zh-Hans"].Text != "内罗毕云托管" || p.Offers[0].Detail.Versions["fr"].By != li.ID {
		t.Fatalf("saved profile: %+v", p)
	}
	page := w.e.Browser().Get("/network/orgs/silk-cloud?lang=zh-Hans").Body
	for _, want := range []string{"内罗毕云托管", "Zhang Min", "Directeur commercial", "zhang@silkcloud.example", `href="/network/countries/TZ"`, "斯瓦希里"} {
		if !strings.Contains(page, want) {
			t.Errorf("profile lacks %q", want)
		}
	}

	before := p
	for name, c := range map[string]struct {
		change url.Values
		field  string // the form field with the error
		msg    string // part of the French message
	}{
		"unknown country":  {url.Values{"countries": {"KE", "XX"}}, "countries", "Choisissez les pays"},
		"unknown language": {url.Values{"languages": {"not a language"}}, "languages", "Choisissez les langues"},
		"unknown sector":   {url.Values{"need.1.sector": {"alchemy"}}, "need.1.sector", "Choisissez un secteur"},
		"bad direction":    {url.Values{"need.0.direction": {"sell"}}, "need.0.direction", "Indiquez s’il s’agit"},
		"HTML in text":     {url.Values{"need.0.detail.fr": {`<script>alert(1)</script>`}}, "need.0.detail", "balisage HTML"},
		"oversize text":    {url.Values{"need.0.detail.fr": {strings.Repeat("é", 501)}}, "need.0.detail.fr", "trop long"},
		"no original":      {url.Values{"need.0.detail.fr": {""}}, "need.0.detail.fr", ""},
		"HTML in a title":  {url.Values{"contact": {zhang.ID}, "contact." + zhang.ID + ".title": {"<b>Boss</b>"}}, "contact." + zhang.ID + ".title", "balisage HTML"},
		"long title":       {url.Values{"contact": {zhang.ID}, "contact." + zhang.ID + ".title": {strings.Repeat("x", 101)}}, "contact." + zhang.ID + ".title", "100 caractères"},
		"stranger contact": {url.Values{"contact": {w.viewer(t, "amina@nairobipay.example").ID}}, "", "membre de l’organisation"},
	} {
		t.Run(name, func(t *testing.T) {
			res := w.li.Post("/network/orgs/silk-cloud/edit?lang=fr", profileForm(c.change))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.msg) || !strings.Contains(res.Body, "Certains éléments sont à corriger") {
				t.Fatalf("%d\n%s", res.StatusCode, res.Body)
			}
			if c.field != "" && !strings.Contains(res.Body, `id="f-`+c.field) {
				t.Errorf("no field %s", c.field)
			}
			if strings.Contains(res.Body, "<script>alert") {
				t.Error("markup echoed unescaped")
			}
			after, err := w.e.App.Network.Core.Profile(ctx, silk.ID)
			if err != nil || !slices.Equal(after.Countries, before.Countries) || len(after.Offers) != 1 || after.Offers[0].Detail.Versions["fr"].Text != "Hébergement en nuage à Nairobi" {
				t.Errorf("changed: %+v %v", after, err)
			}
		})
	}

	// Only the organisation's admins edit.
	zb := w.signIn(t, "zhang@silkcloud.example")
	if res := zb.Get("/network/orgs/silk-cloud/edit"); res.StatusCode != http.StatusForbidden {
		t.Errorf("member opens the editor: %d", res.StatusCode)
	}
	if res := zb.Post("/network/orgs/silk-cloud/edit", profileForm(nil)); res.StatusCode != http.StatusForbidden {
		t.Errorf("member saves: %d", res.StatusCode)
	}
	if res := w.e.Browser().Get("/network/orgs/silk-cloud/edit"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous editor: %d", res.StatusCode)
	}
	if err := w.d.SaveProfile(ctx, zhang, silk, directory.ProfileInput{}, ""); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("member SaveProfile: %v", err)
	}
	if res := w.e.Browser().Get("/network/orgs/office-network"); res.StatusCode != http.StatusNotFound {
		t.Errorf("programme office in the directory: %d", res.StatusCode)
	}
}

func TestContactsOnlyWhenChosen(t *testing.T) {
	w := newWorld(t)
	page := w.e.Browser().Get("/network/orgs/silk-cloud").Body
	for _, not := range []string{"li@silkcloud.example", "zhang@silkcloud.example", "Zhang Min"} {
		if strings.Contains(page, not) {
			t.Errorf("shown before being chosen: %s", not)
		}
	}
	zhang := w.viewer(t, "zhang@silkcloud.example")
	if err := w.d.SaveProfile(t.Context(), w.viewer(t, "li@silkcloud.example"), w.orgs["silk-cloud"],
		directory.ProfileInput{Contacts: []directory.ContactInput{{UserID: zhang.ID, Title: "销售总监"}}}, ""); err != nil {
		t.Fatal(err)
	}
	page = w.e.Browser().Get("/network/orgs/silk-cloud").Body
	if !strings.Contains(page, "zhang@silkcloud.example") || !strings.Contains(page, "销售总监") || strings.Contains(page, "li@silkcloud.example") {
		t.Errorf("contacts: only Zhang should be shown")
	}
	// A contact who leaves the organisation is no longer shown.
	if _, err := w.e.App.DB.W.ExecContext(t.Context(), `DELETE FROM member_roles WHERE user_id = $1`, zhang.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.e.App.DB.W.ExecContext(t.Context(), `DELETE FROM memberships WHERE user_id = $1`, zhang.ID); err != nil {
		t.Fatal(err)
	}
	if cs, err := w.d.Contacts(t.Context(), w.orgs["silk-cloud"].ID); err != nil || len(cs) != 0 {
		t.Errorf("a former member is still a contact: %v %v", cs, err)
	}
}

func TestProfilePageAndPosts(t *testing.T) {
	w := newWorld(t)
	w.d.Posts = fakePosts{posts: []directory.PostSummary{{ID: "p1", Title: text.New("fr", "Appel à partenaires à Nairobi", "", w.e.Clock.Now()),
		Country: "KE", Path: "/network/posts/p1", PublishedAt: w.e.Clock.Now()}}}
	t.Cleanup(func() { w.d.Posts = nil })
	page := w.e.Browser().Get("/network/orgs/silk-cloud?lang=en").Body
	for _, want := range []string{`<script type="application/ld+json">`, `"@type":"Organization"`, `"addressCountry":"CN"`, "Appel à partenaires à Nairobi",
		"Network member", ">verified<", "Cloud hosting in Nairobi", "Logistics", "Kenya", "Nigeria", "Swahili"} {
		if !strings.Contains(page, want) {
			t.Errorf("profile lacks %q", want)
		}
	}
	ld := apptestBetween(page, `<script type="application/ld+json">`, `</script>`)
	var doc map[string]any
	if err := json.Unmarshal([]byte(ld), &doc); err != nil || doc["name"] != "Silk Road Cloud" {
		t.Errorf("JSON-LD: %v %s", err, ld)
	}
	country := w.e.Browser().Get("/network/countries/ke?lang=en").Body
	if !strings.Contains(country, "Appel à partenaires à Nairobi") {
		t.Errorf("country page lacks the post")
	}
}

func apptestBetween(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return ""
}

func TestCountryPages(t *testing.T) {
	w := newWorld(t)
	b := w.e.Browser()
	res := b.Get("/network/countries?lang=fr")
	if res.StatusCode != http.StatusOK || strings.Count(res.Body, `href="/network/countries/`) != 55 || !strings.Contains(res.Body, "Kenya") {
		t.Fatalf("countries: %d, %d links", res.StatusCode, strings.Count(res.Body, `href="/network/countries/`))
	}
	res = b.Get("/network/countries/KE?lang=en")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Nairobi Pay") || !strings.Contains(res.Body, "Silk Road Cloud") ||
		!strings.Contains(res.Body, "2 organisations") || !strings.Contains(res.Body, "1 network member") || strings.Contains(res.Body, "الهيئة") {
		t.Fatalf("Kenya: %d\n%s", res.StatusCode, res.Body)
	}
	if res := b.Get("/network/countries/cn?lang=zh-Hans"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "中国") {
		t.Errorf("China: %d", res.StatusCode)
	}
	for _, code := range []string{"FR", "XX", "kenya", "TW"} {
		if res := b.Get("/network/countries/" + code); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", code, res.StatusCode)
		}
	}
	var c struct {
		Code    string
		Name    string
		Figures []struct {
			Key   string
			Label string
			Value int
		}
		Organisations []struct{ Slug string }
	}
	res = b.Get("/api/v1/network/countries/NG?lang=fr")
	if err := json.Unmarshal([]byte(res.Body), &c); err != nil || c.Code != "NG" || c.Name != "Nigeria" || len(c.Organisations) != 1 ||
		c.Figures[0].Value != 1 || c.Figures[0].Label != "1 organisation" {
		t.Errorf("API Nigeria: %v %s", err, res.Body)
	}
	if res := b.Get("/api/v1/network/countries/FR"); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, `"code"`) {
		t.Errorf("API France: %d %s", res.StatusCode, res.Body)
	}
	// Later modules add their figures.
	w.d.AddFigures(func(_ context.Context, _ *web.Viewer, country string) ([]directory.Figure, error) {
		return []directory.Figure{{Key: directory.FigureMembers, Value: len(country) * 21}}, nil
	})
	if res := b.Get("/network/countries/KE?lang=en"); !strings.Contains(res.Body, "42 network members") {
		t.Errorf("a later module's figure is missing")
	}
}
