package match_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/network/match"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

// world is a small platform of eight organisations with what they offer
// and seek and where they work:
//
//	Silk Cloud       CN; works in KE, NG; offers cloud_datacentres ("Cloud hosting in Nairobi"), payments_fintech; seeks logistics, agritech
//	Nairobi Logistics KE; works in UG;    offers logistics ("Last-mile delivery"); seeks cloud_datacentres
//	Kano Agri        NG; works in KE;     offers agritech, logistics; seeks cybersecurity
//	Mombasa Data     KE; verified;        seeks cloud_datacentres, logistics
//	Kisumu Hosting   KE; network member;  offers cloud_datacentres (French only: "Hébergement à Kisumu"); seeks payments_fintech
//	Lagos Pay        NG; works in GH;     offers ecommerce; seeks payments_fintech
//	Accra Farms      GH;                  offers agritech, logistics; seeks cloud_datacentres (no country in common with the others but Lagos Pay)
//	Dormant Ltd      KE; its one member suspended; offers cloud_datacentres; seeks logistics
type world struct {
	e     *apptest.Env
	svc   *match.Service
	orgs  map[string]*org.Org
	users map[string]*web.Viewer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	ctx := context.Background()
	w := &world{e: e, svc: e.App.Network.Match, orgs: map[string]*org.Org{}, users: map[string]*web.Viewer{}}
	admin, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "admin@example.org", Name: "Admin", Password: pw, Confirmed: true, Roles: []string{account.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	adminV := &web.Viewer{ID: admin.ID, Pseudonym: admin.Pseudonym, Roles: admin.Roles}
	now := e.Clock.Now()
	need := func(dir, sector, lang, detail string) network.Need {
		n := network.Need{Direction: dir, Sector: sector}
		if detail != "" {
			n.Detail = text.New(lang, detail, "", now)
		}
		return n
	}
	offer := func(sector string) network.Need { return need(network.Offer, sector, "", "") }
	seek := func(sector string) network.Need { return need(network.Seek, sector, "", "") }
	for _, o := range []struct {
		slug, name, country string
		works               []string
		needs               []network.Need
	}{
		{"silk-cloud", "Silk Cloud", "CN", []string{"KE", "NG"}, []network.Need{need(network.Offer, "cloud_datacentres", "en", "Cloud hosting in Nairobi"),
			offer("payments_fintech"), seek("logistics"), seek("agritech")}},
		{"nairobi-logistics", "Nairobi Logistics", "KE", []string{"UG"}, []network.Need{need(network.Offer, "logistics", "en", "Last-mile delivery"), seek("cloud_datacentres")}},
		{"kano-agri", "Kano Agri", "NG", []string{"KE"}, []network.Need{offer("agritech"), offer("logistics"), seek("cybersecurity")}},
		{"mombasa-data", "Mombasa Data", "KE", nil, []network.Need{seek("cloud_datacentres"), seek("logistics")}},
		{"kisumu-hosting", "Kisumu Hosting", "KE", nil, []network.Need{need(network.Offer, "cloud_datacentres", "fr", "Hébergement à Kisumu"), seek("payments_fintech")}},
		{"lagos-pay", "Lagos Pay", "NG", []string{"GH"}, []network.Need{offer("ecommerce"), seek("payments_fintech")}},
		{"accra-farms", "Accra Farms", "GH", nil, []network.Need{offer("agritech"), offer("logistics"), seek("cloud_datacentres")}},
		{"dormant", "Dormant Ltd", "KE", nil, []network.Need{offer("cloud_datacentres"), seek("logistics")}},
	} {
		email := o.slug + "@example.org"
		u, err := e.App.Accounts.Create(ctx, account.NewUser{Email: email, Name: o.name + " admin", Password: pw, Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		v := &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Name: u.Name}
		made, err := e.App.Orgs.Create(ctx, v, org.Input{Name: o.name, Slug: o.slug, Kind: "enterprise", Country: o.country}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.DB.Tx(ctx, func(tx *sql.Tx) error {
			return e.App.Network.Core.Save(ctx, tx, made.ID, network.ProfileInput{Countries: o.works, Needs: o.needs})
		}); err != nil {
			t.Fatal(err)
		}
		v.Orgs, _ = e.App.Orgs.Memberships(ctx, u.ID)
		w.orgs[o.slug], w.users[o.slug] = made, v
	}
	if err := e.App.Orgs.SetVerified(ctx, adminV, w.orgs["mombasa-data"], true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.W.Exec(`INSERT INTO group_members (group_id, org_id, added_at) VALUES ($1, $2, $3)`,
		e.App.Network.Core.Group.ID, w.orgs["kisumu-hosting"].ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.W.Exec(`UPDATE users SET suspended_at = $1 WHERE id = $2`, now, w.users["dormant"].ID); err != nil {
		t.Fatal(err)
	}
	return w
}

// lines writes suggestions as "Name: reason — detail | reason" in lang.
func (w *world) lines(t *testing.T, slug, lang string) []string {
	t.Helper()
	list, err := w.svc.Suggest(context.Background(), w.orgs[slug].ID)
	if err != nil {
		t.Fatal(err)
	}
	p := w.e.App.Catalog.Printer(lang)
	var out []string
	for _, sg := range match.Filter(list, "suggested") {
		var rs []string
		for _, r := range sg.Reasons {
			s := r.Text(p)
			if d, _ := r.Detail(lang); d != "" {
				s += " — " + d
			}
			rs = append(rs, s)
		}
		out = append(out, sg.Partner.Name+": "+strings.Join(rs, " | "))
	}
	return out
}

func TestSuggestionsKnownAnswers(t *testing.T) {
	w := newWorld(t)
	want := map[string][]string{
		"silk-cloud": {
			// two-way first
			"Nairobi Logistics: Offers Logistics and delivery in Kenya, which you seek — Last-mile delivery | Seeks Cloud and data centres in Kenya, which you offer",
			// two sectors, two shared countries
			"Kano Agri: Offers Agriculture technology in Kenya, Nigeria, which you seek | Offers Logistics and delivery in Kenya, Nigeria, which you seek",
			// one sector, one country each: verified, then network member, then by name
			"Mombasa Data: Seeks Cloud and data centres in Kenya, which you offer",
			"Kisumu Hosting: Seeks Payments and fintech in Kenya, which you offer",
			"Lagos Pay: Seeks Payments and fintech in Nigeria, which you offer",
		},
		"nairobi-logistics": {
			"Silk Cloud: Offers Cloud and data centres in Kenya, which you seek — Cloud hosting in Nairobi | Seeks Logistics and delivery in Kenya, which you offer",
			"Mombasa Data: Seeks Logistics and delivery in Kenya, which you offer",
			// the detail exists in French only: shown in French
			"Kisumu Hosting: Offers Cloud and data centres in Kenya, which you seek — Hébergement à Kisumu",
		},
	}
	for slug, lines := range want {
		if got := w.lines(t, slug, "en"); !slices.Equal(got, lines) {
			t.Errorf("%s:\n got %s\nwant %s", slug, strings.Join(got, "\n     "), strings.Join(lines, "\n     "))
		}
	}
	if got := w.lines(t, "nairobi-logistics", "zh-Hans"); len(got) == 0 || got[0] != "Silk Cloud: 在肯尼亚提供“云计算与数据中心”，正是您所寻求的 — Cloud hosting in Nairobi | 在肯尼亚寻求“物流与配送”，正是您所提供的" {
		t.Errorf("in Chinese: %q", got)
	}
	// Lagos Pay shares Ghana with Accra Farms, but neither has what the other
	// seeks; Kisumu Hosting works in Kenya only.
	if got := w.lines(t, "lagos-pay", "en"); !slices.Equal(got, []string{"Silk Cloud: Offers Payments and fintech in Nigeria, which you seek"}) {
		t.Errorf("lagos-pay: %q", got)
	}
	if got := w.lines(t, "dormant", "en"); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "Dormant") }) {
		t.Errorf("an organisation was suggested to itself: %q", got)
	}
	t.Run("SameOrderAgain", func(t *testing.T) {
		for slug, lines := range want {
			if got := w.lines(t, slug, "en"); !slices.Equal(got, lines) {
				t.Errorf("%s: the order changed: %q", slug, got)
			}
		}
	})
}

func (w *world) signIn(t *testing.T, slug string) *apptest.Browser {
	t.Helper()
	b := w.e.Browser()
	if res := b.Post("/signin", url.Values{"email": {slug + "@example.org"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", slug, res.StatusCode)
	}
	return b
}

func TestSaveDismissRestore(t *testing.T) {
	w := newWorld(t)
	b := w.signIn(t, "nairobi-logistics")
	res := b.Get("/network/matches")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Silk Cloud") || !strings.Contains(res.Body, "Cloud hosting in Nairobi") {
		t.Fatalf("matches page: %d\n%s", res.StatusCode, res.Body)
	}
	post := func(action, partner string) *apptest.Response {
		return b.Post("/network/matches/nairobi-logistics/"+action, url.Values{"partner": {partner}, "status": {"suggested"}})
	}
	if res := post("save", "silk-cloud"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	if res := post("dismiss", "mombasa-data"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", res.StatusCode)
	}
	names := func(status string) []string {
		var got struct {
			Items []struct {
				Partner struct{ Slug string }
				Choice  string
			}
		}
		res := b.Get("/api/v1/network/matches?org=nairobi-logistics&status=" + status)
		if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
			t.Fatalf("%s: %v %s", status, err, res.Body)
		}
		var out []string
		for _, it := range got.Items {
			out = append(out, it.Partner.Slug)
		}
		return out
	}
	if got := names("suggested"); !slices.Equal(got, []string{"kisumu-hosting"}) {
		t.Errorf("suggested after save and dismiss: %v", got)
	}
	if got := names("saved"); !slices.Equal(got, []string{"silk-cloud"}) {
		t.Errorf("saved: %v", got)
	}
	if got := names("dismissed"); !slices.Equal(got, []string{"mombasa-data"}) {
		t.Errorf("dismissed: %v", got)
	}
	// Dismissed ones stay away, even when the partner changes its profile.
	ctx := context.Background()
	if err := w.e.App.DB.Tx(ctx, func(tx *sql.Tx) error {
		return w.e.App.Network.Core.Save(ctx, tx, w.orgs["mombasa-data"].ID, network.ProfileInput{Countries: []string{"UG"},
			Needs: []network.Need{{Direction: network.Seek, Sector: "logistics"}, {Direction: network.Seek, Sector: "agritech"}}})
	}); err != nil {
		t.Fatal(err)
	}
	if got := names("suggested"); slices.Contains(got, "mombasa-data") {
		t.Errorf("a dismissed suggestion came back: %v", got)
	}
	ind := w.accepted(t)
	if ind.Total != 1 || ind.Breakdown["KE"] != 1 {
		t.Errorf("matches accepted: %+v", ind)
	}
	// Silk Cloud saves Nairobi too: China gets one.
	sc := w.signIn(t, "silk-cloud")
	res = sc.Do("POST", "/api/v1/network/matches/silk-cloud", strings.NewReader(`{"action": "save", "partner": "nairobi-logistics"}`), "application/json")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"choice":"saved"`) {
		t.Fatalf("API save: %d %s", res.StatusCode, res.Body)
	}
	if ind := w.accepted(t); ind.Total != 2 || ind.Breakdown["KE"] != 1 || ind.Breakdown["CN"] != 1 {
		t.Errorf("matches accepted: %+v", ind)
	}
	if res := post("restore", "mombasa-data"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", res.StatusCode)
	}
	if got := names("suggested"); !slices.Equal(got, []string{"mombasa-data", "kisumu-hosting"}) {
		t.Errorf("suggested after restore: %v", got)
	}
	if res := post("restore", "silk-cloud"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore saved: %d", res.StatusCode)
	}
	if ind := w.accepted(t); ind.Total != 1 {
		t.Errorf("matches accepted after un-saving: %+v", ind)
	}

	t.Run("BadInput", func(t *testing.T) {
		before := w.accepted(t)
		for name, c := range map[string]struct {
			path, body string
			status     int
		}{
			"unknown action":      {"/api/v1/network/matches/nairobi-logistics", `{"action": "marry", "partner": "silk-cloud"}`, 422},
			"not a suggestion":    {"/api/v1/network/matches/nairobi-logistics", `{"action": "save", "partner": "accra-farms"}`, 422},
			"itself":              {"/api/v1/network/matches/nairobi-logistics", `{"action": "save", "partner": "nairobi-logistics"}`, 422},
			"unknown partner":     {"/api/v1/network/matches/nairobi-logistics", `{"action": "save", "partner": "nobody"}`, 422},
			"restore a new one":   {"/api/v1/network/matches/nairobi-logistics", `{"action": "restore", "partner": "kisumu-hosting"}`, 422},
			"not its member":      {"/api/v1/network/matches/silk-cloud", `{"action": "save", "partner": "kano-agri"}`, 404},
			"unknown field":       {"/api/v1/network/matches/nairobi-logistics", `{"action": "save", "partner": "silk-cloud", "x": 1}`, 422},
			"no such organsation": {"/api/v1/network/matches/nobody", `{"action": "save", "partner": "silk-cloud"}`, 404},
		} {
			res := b.Do("POST", c.path, strings.NewReader(c.body), "application/json")
			if res.StatusCode != c.status || !strings.Contains(res.Body, `"error"`) {
				t.Errorf("%s: %d %s", name, res.StatusCode, res.Body)
			}
		}
		if res := post("save", "accra-farms"); res.StatusCode != 422 {
			t.Errorf("page save of a non-suggestion: %d", res.StatusCode)
		}
		if res := b.Get("/network/matches?status=everything"); res.StatusCode != 422 {
			t.Errorf("unknown status: %d", res.StatusCode)
		}
		if res := b.Get("/api/v1/network/matches?cursor=-3"); res.StatusCode != 422 {
			t.Errorf("bad cursor: %d", res.StatusCode)
		}
		if after := w.accepted(t); after.Total != before.Total {
			t.Errorf("bad input changed the choices: %v → %v", before, after)
		}
	})

	t.Run("MembersOnly", func(t *testing.T) {
		if res := b.Get("/network/matches?org=silk-cloud"); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation's suggestions: %d", res.StatusCode)
		}
		if res := b.Post("/network/matches/silk-cloud/dismiss", url.Values{"partner": {"kano-agri"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("dismissing for another organisation: %d", res.StatusCode)
		}
		if res := w.e.Browser().Get("/network/matches"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous: %d", res.StatusCode)
		}
		if res := w.e.Browser().Get("/api/v1/network/matches"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous API: %d", res.StatusCode)
		}
		loner := w.e.SignUp("Loner", "loner@example.org", pw)
		if res := loner.Get("/network/matches"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "/orgs/new") {
			t.Errorf("someone without an organisation: %d", res.StatusCode)
		}
	})
}

func (w *world) accepted(t *testing.T) struct {
	Total     float64
	Breakdown map[string]float64
} {
	t.Helper()
	for _, ind := range w.e.App.Indicators.All() {
		if ind.Key == "network.matches_accepted" {
			v, err := ind.Compute(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			return struct {
				Total     float64
				Breakdown map[string]float64
			}{v.Total, v.Breakdown}
		}
	}
	t.Fatal("network.matches_accepted is not declared")
	panic("unreachable")
}

func TestPagesAreSmallAndEscaped(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// A partner whose name and need carry HTML.
	u, _ := w.e.App.Accounts.Create(ctx, account.NewUser{Email: "evil@example.org", Name: "Evil", Password: pw, Confirmed: true})
	o, err := w.e.App.Orgs.Create(ctx, &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}, org.Input{Name: "<b>Evil</b> Co", Slug: "evil", Kind: "enterprise", Country: "KE"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.e.App.DB.Tx(ctx, func(tx *sql.Tx) error {
		return w.e.App.Network.Core.Save(ctx, tx, o.ID, network.ProfileInput{Needs: []network.Need{{Direction: network.Offer, Sector: "cloud_datacentres",
			Detail: text.New("en", `<script>alert(1)</script>`, "", w.e.Clock.Now())}}})
	}); err != nil {
		t.Fatal(err)
	}
	b := w.signIn(t, "nairobi-logistics")
	res := b.Get("/network/matches")
	if strings.Contains(res.Body, "<script>alert") || strings.Contains(res.Body, "<b>Evil") || !strings.Contains(res.Body, "&lt;b&gt;Evil") {
		t.Errorf("user text rendered as HTML")
	}
	if n := len(res.Body); n > 30<<10 {
		t.Errorf("page of %d bytes", n)
	}
	for i := range 30 {
		slug := fmt.Sprintf("cloud-%02d", i)
		o, err := w.e.App.Orgs.Create(ctx, &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}, org.Input{Name: "Cloud " + slug, Slug: slug, Kind: "enterprise", Country: "KE"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.e.App.DB.Tx(ctx, func(tx *sql.Tx) error {
			return w.e.App.Network.Core.Save(ctx, tx, o.ID, network.ProfileInput{Needs: []network.Need{{Direction: network.Offer, Sector: "cloud_datacentres",
				Detail: text.New("en", strings.Repeat("Reliable hosting with local support. ", 13), "", w.e.Clock.Now())}}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	res = b.Get("/network/matches")
	if strings.Count(res.Body, `action="/network/matches/nairobi-logistics/save"`) != match.PageSize {
		t.Errorf("a page shows %d suggestions", strings.Count(res.Body, `action="/network/matches/nairobi-logistics/save"`))
	}
	if n := len(res.Body); n > 30<<10 {
		t.Errorf("a full page is %d bytes uncompressed", n)
	}
	next := apptestBetween(res.Body, `<p class="pager"><a href="`, `"`)
	if next == "" {
		t.Fatal("no next page")
	}
	res = b.Get(strings.ReplaceAll(next, "&amp;", "&"))
	if res.StatusCode != http.StatusOK || strings.Count(res.Body, `/save"`) != 34-match.PageSize {
		t.Errorf("second page: %d, %d suggestions", res.StatusCode, strings.Count(res.Body, `/save"`))
	}
}

func apptestBetween(s, a, b string) string { return apptest.Between(s, a, b) }
