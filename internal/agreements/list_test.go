package agreements_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// register is a register of four published CLEAR agreements, one in each
// status, and a draft.
type register struct {
	*world
	inForce, expired, expiring, notYet, draft *agreements.Agreement
}

func newRegister(t *testing.T) *register {
	w := newWorld(t)
	r := &register{world: w}
	const amina = "amina@ke-cert.example"
	in := w.input("Cooperation on submarine cables", []agreements.PartyInput{gov("KE"), gov("CN")}, -400, nil, nil)
	in.Kind = "mou"
	in.Scope = agreements.TextInput{Original: "en", Texts: map[string]string{"en": "Landing stations and 5G backhaul along the east coast."}}
	r.inForce = w.create(t, amina, in, sharing.Published, sharing.Clear)
	in = w.input("Old incident handling agreement", []agreements.PartyInput{gov("ZA"), orgParty("ke-cert")}, -3000, nil, days(-900))
	r.expired = w.create(t, amina, in, sharing.Published, sharing.Clear)
	in = w.input("Framework on digital skills", []agreements.PartyInput{gov("NG"), {Kind: agreements.PartyOther, Name: "African Union Commission", Country: "ET"}},
		-700, nil, days(30))
	in.Kind = "framework"
	in.Title.Texts["fr"] = "Cadre sur les compétences numériques"
	r.expiring = w.create(t, amina, in, sharing.Published, sharing.Clear)
	in = w.input("Protocol on data flows", []agreements.PartyInput{gov("EG"), gov("CN")}, -10, days(60), days(2000))
	in.Kind = "protocol"
	r.notYet = w.create(t, amina, in, sharing.Published, sharing.Clear)
	in = w.input("Draft on AI safety", []agreements.PartyInput{gov("KE"), gov("CN")}, -5, nil, nil)
	r.draft = w.create(t, amina, in, sharing.Draft, sharing.Clear)
	return r
}

// titles lists which of the register's agreements a body shows.
func (r *register) titles(body string) []string {
	var out []string
	for _, a := range []*agreements.Agreement{r.inForce, r.expired, r.expiring, r.notYet, r.draft} {
		if strings.Contains(body, a.TitlePlain) {
			out = append(out, a.TitlePlain)
		}
	}
	sort.Strings(out)
	return out
}

func names(as ...*agreements.Agreement) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.TitlePlain)
	}
	sort.Strings(out)
	return out
}

func TestListAndFilters(t *testing.T) {
	r := newRegister(t)
	anon := r.e.Browser()
	cases := []struct {
		query string
		want  []string
	}{
		{"", names(r.inForce, r.expired, r.expiring, r.notYet)},
		{"status=in_force", names(r.inForce, r.expiring)},
		{"status=expiring", names(r.expiring)},
		{"status=expired", names(r.expired)},
		{"status=not_yet_in_force", names(r.notYet)},
		{"country=KE", names(r.inForce, r.expired)}, // a government, and an organisation's country
		{"country=ET", names(r.expiring)},           // another body's country
		{"country=CN&kind=protocol", names(r.notYet)},
		{"kind=mou", names(r.inForce)},
		{"q=cables", names(r.inForce)},
		{"q=compétences", names(r.expiring)},                      // the French title
		{"q=" + url.QueryEscape("Commission"), names(r.expiring)}, // a party's name
		{"q=" + url.QueryEscape("埃及"), names(r.notYet)},           // Egypt, in Chinese
		{"q=agreement&status=expired", names(r.expired)},
	}
	for _, c := range cases {
		if got := r.titles(anon.Get("/agreements?" + c.query).Body); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("page ?%s: %v, want %v", c.query, got, c.want)
		}
		if got := r.titles(anon.Get("/api/v1/agreements?" + c.query).Body); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("API ?%s: %v, want %v", c.query, got, c.want)
		}
		if got := r.titles(anon.Get("/agreements.csv?" + c.query).Body); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("CSV ?%s: %v, want %v", c.query, got, c.want)
		}
	}
	if got := r.titles(r.amina.Get("/agreements").Body); len(got) != 5 {
		t.Errorf("the owner's list: %v", got)
	}

	t.Run("Row", func(t *testing.T) {
		body := r.e.Browser().Get("/agreements?status=expiring&lang=fr").Body // a browser of its own: ?lang= sets a cookie
		for _, want := range []string{`lang="fr" dir="ltr">Cadre sur les compétences numériques</a>`, "Gouvernement (Nigeria)",
			"African Union Commission (Éthiopie)", "Accord-cadre", `class="badge tlp-clear">TLP:CLEAR`, "En vigueur"} {
			if !strings.Contains(body, want) {
				t.Errorf("row lacks %s", want)
			}
		}
		if !strings.Contains(anon.Get("/agreements?status=in_force").Body, "No expiry") {
			t.Error("an agreement without expiry does not say so")
		}
	})
	t.Run("SearchSnippetsAndFacets", func(t *testing.T) {
		body := anon.Get("/agreements?q=" + url.QueryEscape("east coast")).Body
		if !strings.Contains(body, "<mark>east</mark> <mark>coast</mark>") {
			t.Error("no snippet with the words marked")
		}
		body = anon.Get("/agreements?q=government").Body // every agreement has a government among its parties
		if !strings.Contains(body, `data-total="4"`) {
			t.Errorf("total: %s", regexp.MustCompile(`data-total="\d+"`).FindString(body))
		}
		for _, want := range []string{`>Memorandum of understanding</a> (1)`, `>Agreement</a> (1)`,
			`>Framework agreement</a> (1)`, `>Protocol</a> (1)`, `href="/agreements?kind=protocol&amp;q=government"`} {
			if !strings.Contains(body, want) {
				t.Errorf("facets lack %s", want)
			}
		}
		// A filter is part of the search: the total and the facets follow it.
		body = anon.Get("/agreements?q=government&kind=protocol").Body
		if !strings.Contains(body, `data-total="1"`) || strings.Contains(body, `>Agreement</a> (1)`) {
			t.Errorf("filtered search: %s", regexp.MustCompile(`data-total="\d+"`).FindString(body))
		}
	})
	t.Run("Paging", func(t *testing.T) {
		seen := map[string]bool{}
		path := "/agreements?limit=1"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			body := anon.Get(path).Body
			for _, title := range r.titles(body) {
				if seen[title] {
					t.Fatalf("%s shown twice", title)
				}
				seen[title] = true
			}
			path = strings.ReplaceAll(regexpFind(body, `<a href="(/agreements\?[^"]*)" rel="next">`), "&amp;", "&")
		}
		if len(seen) != 4 {
			t.Fatalf("pages showed %d agreements", len(seen))
		}
		var list struct {
			Items []json.RawMessage `json:"items"`
			Next  *string           `json:"next"`
		}
		json.Unmarshal([]byte(anon.Get("/api/v1/agreements?limit=3").Body), &list)
		if len(list.Items) != 3 || list.Next == nil {
			t.Fatalf("API page: %d items", len(list.Items))
		}
		json.Unmarshal([]byte(anon.Get("/api/v1/agreements?limit=3&cursor="+url.QueryEscape(*list.Next)).Body), &list)
		if len(list.Items) != 1 || list.Next != nil {
			t.Fatalf("API second page: %d items", len(list.Items))
		}
		json.Unmarshal([]byte(anon.Get("/api/v1/agreements?limit=1&q=government").Body), &list)
		if len(list.Items) != 1 || list.Next == nil {
			t.Fatalf("API search page: %d items", len(list.Items))
		}
	})
	t.Run("CSV", func(t *testing.T) {
		res := anon.Get("/agreements.csv?status=expiring")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("%v: %q", err, res.Body)
		}
		row := map[string]string{}
		for i, h := range rows[0] {
			row[h] = rows[1][i]
		}
		if row["kind"] != "framework" || row["parties"] != "government:NG; other:African Union Commission (ET)" || row["status"] != "in_force" ||
			row["expires_on"] != r.date(30) || row["marking"] != "clear" || row["owner_org"] != "ke-cert" {
			t.Fatalf("row: %v", row)
		}
		if res := anon.Get("/agreements.csv?status=nonsense"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad filter: %d", res.StatusCode)
		}
		// A title a spreadsheet would take for a formula is defused.
		in := r.input("=HYPERLINK(\"http://evil.example\")", []agreements.PartyInput{gov("KE"), gov("UG")}, -1, nil, nil)
		r.create(t, "amina@ke-cert.example", in, sharing.Published, sharing.Clear)
		if body := anon.Get("/agreements.csv").Body; !strings.Contains(body, `"'=HYPERLINK(""http://evil.example"")"`) {
			t.Fatalf("formula not defused: %s", body)
		}
	})
}

func regexpFind(s, expr string) string {
	m := regexp.MustCompile(expr).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestForOrg(t *testing.T) {
	r := newRegister(t)
	ctx := context.Background()
	// CNCERT registers one with KE-CERT as a party, and keeps a draft that names it too.
	li := "li@cncert.example"
	in := r.input("CNCERT and KE-CERT MoU", []agreements.PartyInput{orgParty("cncert"), orgParty("ke-cert")}, -30, nil, nil)
	in.OwnerOrg = "cncert"
	withKE := r.create(t, li, in, sharing.Published, sharing.Clear)
	in.Title.Texts["en"] = "CNCERT draft naming KE-CERT"
	r.create(t, li, in, sharing.Draft, sharing.Clear)
	in.Title.Texts["en"] = "CNCERT and Egypt"
	in.Parties = []agreements.PartyInput{orgParty("cncert"), gov("EG")}
	r.create(t, li, in, sharing.Published, sharing.Clear)

	get := func(v *web.Viewer) []string {
		list, err := r.e.App.Agreements.ForOrg(ctx, v, r.keCERT.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range list {
			out = append(out, s.TitlePlain)
			if s.Path() != "/agreements/"+s.ID || len(s.Parties) < 2 {
				t.Errorf("summary %+v", s)
			}
		}
		sort.Strings(out)
		return out
	}
	// The public: KE-CERT's published agreements and the one CNCERT names it in.
	want := names(r.inForce, r.expired, r.expiring, r.notYet, withKE)
	if got := get(nil); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("public: %v, want %v", got, want)
	}
	// KE-CERT's members also see its own draft, not CNCERT's.
	want = append(want, r.draft.TitlePlain)
	sort.Strings(want)
	if got := get(r.viewer(t, "baraka@ke-cert.example")); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("member: %v, want %v", got, want)
	}
}

func TestIndicator(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const amina = "amina@ke-cert.example"
	clear := func(title string, state sharing.State, marking sharing.Marking, expires *int, parties ...agreements.PartyInput) {
		w.create(t, amina, w.input(title, parties, -100, nil, expires), state, marking)
	}
	clear("A in force", sharing.Published, sharing.Clear, nil, gov("KE"), gov("CN"))
	clear("B expired", sharing.Published, sharing.Clear, days(-1), gov("ZA"), gov("CN"))
	clear("C amber", sharing.Published, sharing.Amber, nil, gov("NG"), gov("CN"))
	clear("D draft", sharing.Draft, sharing.Clear, nil, gov("EG"), gov("CN"))
	clear("E two Kenyan parties", sharing.Published, sharing.Clear, days(10), orgParty("ke-cert"), gov("KE"))
	in := w.input("F not yet", []agreements.PartyInput{gov("GH"), gov("CN")}, -1, days(5), nil)
	w.create(t, amina, in, sharing.Published, sharing.Clear)

	var ind func(context.Context, *web.Viewer) (float64, map[string]float64)
	for _, x := range w.e.App.Indicators.All() {
		if x.Key == "plan.agreements" {
			x := x
			ind = func(ctx context.Context, v *web.Viewer) (float64, map[string]float64) {
				val, err := x.Compute(ctx, v)
				if err != nil {
					t.Fatal(err)
				}
				return val.Total, val.Breakdown
			}
		}
	}
	if ind == nil {
		t.Fatal("plan.agreements is not declared")
	}
	total, by := ind(ctx, nil)
	if total != 2 || by["KE"] != 2 || by["CN"] != 1 || len(by) != 2 {
		t.Errorf("public: %v %v", total, by)
	}
	total, by = ind(ctx, w.viewer(t, "baraka@ke-cert.example"))
	if total != 4 || by["KE"] != 2 || by["CN"] != 3 || by["NG"] != 1 || by["EG"] != 1 || len(by) != 4 {
		t.Errorf("owner's member: %v %v", total, by)
	}
	total, by = ind(ctx, w.viewer(t, "li@cncert.example"))
	if total != 2 || by["CN"] != 1 {
		t.Errorf("outsider: %v %v", total, by)
	}
	var list struct {
		Items []struct {
			Key   string `json:"key"`
			Name  string `json:"name"`
			Value struct {
				Total     float64            `json:"total"`
				Breakdown map[string]float64 `json:"breakdown"`
			} `json:"value"`
		} `json:"items"`
	}
	json.Unmarshal([]byte(w.e.Browser().Get("/api/v1/indicators?lang=pt").Body), &list)
	found := false
	for _, it := range list.Items {
		if it.Key == "plan.agreements" {
			found = it.Value.Total == 2 && it.Value.Breakdown["KE"] == 2 && it.Name == "Acordos em vigor"
		}
	}
	if !found {
		t.Fatalf("GET /api/v1/indicators: %+v", list.Items)
	}
}
