package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/demo"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
)

func allOrgs(t *testing.T, a *app.App) []org.Org {
	t.Helper()
	var out []org.Org
	f := org.Filter{Limit: 100}
	for {
		page, next, err := a.Orgs.List(context.Background(), f)
		if err != nil {
			t.Fatalf("list organisations: %v", err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		f.After = next
	}
}

func userCount(t *testing.T, a *app.App) int {
	t.Helper()
	n, err := a.Accounts.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// networkMember are the demo's members of the cooperation network, which
// are verified so that network-only (GREEN) content reaches them.
var networkMember = map[string]bool{"silkroad-cloud": true, "xinghe-devices": true, "silkroad-select": true}

func TestLoad(t *testing.T) {
	e := apptest.Start(t)
	a := e.App
	ctx := context.Background()

	start := time.Now()
	accounts, err := demo.Load(ctx, a)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	t.Logf("first load: %d accounts in %v", len(accounts), time.Since(start))
	users, orgs := userCount(t, a), allOrgs(t, a)
	if users != len(accounts) {
		t.Fatalf("%d accounts in the database, %d in the list", users, len(accounts))
	}

	t.Run("Agreements", func(t *testing.T) {
		page := e.Browser().Get("/agreements?lang=en").Body
		for _, want := range []string{"Silk Road e-commerce cooperation framework (demo)", "cross-border incident response (demo)"} {
			if !strings.Contains(page, want) {
				t.Errorf("the public register lacks %q", want)
			}
		}
		if strings.Contains(page, "training network engineers") {
			t.Error("an AMBER demo agreement is public")
		}
	})

	t.Run("Network", func(t *testing.T) {
		anon := e.Browser()
		posts := anon.Get("/network/posts?lang=en").Body
		for _, want := range []string{"Looking for software integration partners in Kenya (demo)", "Novas rotas de entrega"} {
			if !strings.Contains(posts, want) {
				t.Errorf("the public posts lack %q", want)
			}
		}
		if strings.Contains(posts, "African goods showcase") {
			t.Error("a network-only demo post is public")
		}
		if members := anon.Get("/network/members?lang=en").Body; !strings.Contains(members, "Silk Road Cloud") {
			t.Error("the demo's network members are not listed")
		}
	})

	t.Run("CERT", func(t *testing.T) {
		count := func(q string) int {
			var n int
			if err := a.DB.R.QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		vetted, err := a.Cert.Vetted(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(vetted) != 4 {
			t.Errorf("%d vetted CERTs, want 4 (two founding, two vouched for)", len(vetted))
		}
		if n := count(`SELECT COUNT(*) FROM cert_cases`); n != 2 {
			t.Errorf("%d cases, want the Senegalese case and the Chinese team's linked case", n)
		}
		if n := count(`SELECT COUNT(*) FROM cert_observable_handed`); n != 2 {
			t.Errorf("%d observables handed over with the demo case, want its URL and address", n)
		}
		if n := count(`SELECT COUNT(*) FROM cert_handovers WHERE status = 'accepted'`); n != 1 {
			t.Errorf("%d accepted hand-overs", n)
		}
		if n := count(`SELECT COUNT(*) FROM cert_reports`); n != 1 {
			t.Errorf("%d reports", n)
		}
		taxii := e.Browser().Get("/taxii2/cert/collections/0a03e280-bc53-5490-82f8-36ed1ad69d2b/objects/")
		if !strings.Contains(taxii.Body, "mobile-money-verification.example") {
			t.Errorf("the public TAXII collection lacks the demo indicators: %d %s", taxii.StatusCode, taxii.Body)
		}
		anon := e.Browser().Get("/cert/lessons?lang=en").Body
		if strings.Contains(anon, "DDoS") {
			t.Error("the GREEN demo lesson is public")
		}
	})

	t.Run("SecondLoadChangesNothing", func(t *testing.T) {
		again, err := demo.Load(ctx, a)
		if err != nil {
			t.Fatalf("second load: %v", err)
		}
		if !reflect.DeepEqual(again, accounts) {
			t.Fatal("second load returned a different account list")
		}
		if n := userCount(t, a); n != users {
			t.Fatalf("accounts: %d after the second load, %d before", n, users)
		}
		if n := len(allOrgs(t, a)); n != len(orgs) {
			t.Fatalf("organisations: %d after the second load, %d before", n, len(orgs))
		}
	})

	t.Run("Organisations", func(t *testing.T) {
		if len(orgs) < 40 {
			t.Fatalf("%d organisations, want at least 40", len(orgs))
		}
		kinds := map[org.Kind]int{}
		african := map[string]bool{}
		regions := map[string]bool{}
		china := 0
		scripts := map[string]bool{}
		verified, pending := 0, 0
		for _, o := range orgs {
			kinds[o.Kind]++
			c, ok := geo.Lookup(o.Country)
			switch {
			case !ok:
				t.Errorf("%s: country %q", o.Slug, o.Country)
			case c.African:
				african[o.Country] = true
				regions[c.AURegion] = true
			case o.Country == "CN":
				china++
			default:
				t.Errorf("%s: country %s is neither African nor China", o.Slug, o.Country)
			}
			for name, script := range map[string]*unicode.RangeTable{"Han": unicode.Han, "Arabic": unicode.Arabic} {
				if strings.IndexFunc(o.Name, func(r rune) bool { return unicode.Is(script, r) }) >= 0 {
					scripts[name] = true
				}
			}
			if u, err := url.Parse(o.Website); err != nil || u.Scheme != "https" ||
				!(strings.HasSuffix(u.Host, ".example.org") || strings.HasSuffix(u.Host, ".test")) {
				t.Errorf("%s: website %q is not under example.org or .test", o.Slug, o.Website)
			}
			if o.Description.IsZero() {
				t.Errorf("%s: no description", o.Slug)
			}
			full, err := a.Orgs.BySlug(ctx, o.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if len(full.Sectors) == 0 {
				t.Errorf("%s: no sectors", o.Slug)
			}
			if o.Kind.CarriesAuthority() {
				if o.Verified {
					verified++
				} else {
					pending++
				}
			} else if o.Verified && !networkMember[o.Slug] {
				t.Errorf("%s (%s) is verified; only authority-carrying kinds and the network's members need it", o.Slug, o.Kind)
			}
		}
		for _, k := range org.Kinds {
			if kinds[k] == 0 {
				t.Errorf("no organisation of kind %s", k)
			}
		}
		if len(african) < 12 {
			t.Errorf("organisations from %d African countries, want at least 12", len(african))
		}
		if len(regions) != 5 {
			t.Errorf("African Union regions covered: %v, want all five", regions)
		}
		if china < 3 {
			t.Errorf("%d Chinese organisations, want several", china)
		}
		if !scripts["Han"] || !scripts["Arabic"] {
			t.Errorf("organisation names in scripts %v, want Han and Arabic too", scripts)
		}
		if verified == 0 || pending < 1 || pending > 2 {
			t.Errorf("authority-carrying organisations: %d verified, %d pending; want most verified and one or two pending", verified, pending)
		}
		t.Logf("%d organisations: %v; %d African countries in %d regions, %d Chinese; %d verified, %d pending",
			len(orgs), kinds, len(african), len(regions), china, verified, pending)
	})

	// Names are written in the owner's language; many organisations add
	// their name in a second language, which readers of it see.
	t.Run("NamesInSeveralLanguages", func(t *testing.T) {
		several := 0
		for _, o := range orgs {
			if o.Name == "" || o.Name != o.Names.String() || o.Names.Versions[o.Names.Original].By == "" {
				t.Errorf("%s: name %q, names %+v", o.Slug, o.Name, o.Names)
			}
			if len(o.Names.Versions) > 1 {
				several++
			}
			if o.Country == "CN" && (o.Names.Original != "zh-Hans" || o.Names.Versions["en"].Text == "") {
				t.Errorf("%s: a Chinese organisation's name in %s, English %q", o.Slug, o.Names.Original, o.Names.Versions["en"].Text)
			}
		}
		if several < len(orgs)/2 {
			t.Errorf("%d of %d organisations have their name in more than one language", several, len(orgs))
		}
		res := e.Browser().Get("/orgs?lang=en&q=" + url.QueryEscape("丝路云"))
		if !strings.Contains(res.Body, "Silk Road Cloud Technology Co., Ltd.") {
			t.Error("an English reader searching in Chinese does not see the English name")
		}
		res = e.Browser().Get("/orgs?lang=fr&q=" + url.QueryEscape("Teranga"))
		if !strings.Contains(res.Body, "Marché Teranga en ligne") {
			t.Error("a French reader does not see the French original name")
		}
	})

	t.Run("ProgrammeOffices", func(t *testing.T) {
		for _, m := range account.OfficerModules {
			o, err := a.Orgs.BySlug(ctx, "office-"+m)
			if err != nil {
				t.Errorf("office of %s: %v", m, err)
				continue
			}
			if o.Kind != org.ProgrammeOffice || !o.Verified {
				t.Errorf("office of %s: kind %s, verified %v", m, o.Kind, o.Verified)
			}
		}
	})

	t.Run("Accounts", func(t *testing.T) {
		platformRoles, orgRoles, orgKinds := map[string]bool{}, map[string]bool{}, map[string]bool{}
		emails, passwords, withAccount := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for _, acc := range accounts {
			if !strings.HasSuffix(acc.Email, "@demo.harambee.test") || emails[acc.Email] {
				t.Errorf("e-mail %q: not under demo.harambee.test, or twice", acc.Email)
			}
			emails[acc.Email] = true
			if len(acc.Password) < 10 || passwords[acc.Password] {
				t.Errorf("%s: password %q too short or shared", acc.Email, acc.Password)
			}
			passwords[acc.Password] = true
			u, err := a.Accounts.UserByEmail(ctx, acc.Email)
			if err != nil {
				t.Errorf("%s: %v", acc.Email, err)
				continue
			}
			if u.Name != acc.Name || !u.Confirmed || !i18n.Supported(u.Locale) || u.TimeZone == "UTC" {
				t.Errorf("%s: name %q, confirmed %v, locale %q, zone %q", acc.Email, u.Name, u.Confirmed, u.Locale, u.TimeZone)
			}
			got := slices.Clone(u.Roles)
			for _, r := range u.Roles {
				platformRoles[r] = true
			}
			ms, err := a.Orgs.Memberships(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case acc.Org == "" && len(ms) != 0:
				t.Errorf("%s: listed without an organisation but belongs to %d", acc.Email, len(ms))
			case acc.Org != "" && (len(ms) != 1 || ms[0].Slug != acc.Org || ms[0].Kind != acc.OrgKind):
				t.Errorf("%s: listed in %s (%s), memberships %+v", acc.Email, acc.Org, acc.OrgKind, ms)
			case acc.Org != "":
				got = append(got, ms[0].Roles...)
				for _, r := range ms[0].Roles {
					orgRoles[r] = true
				}
				orgKinds[acc.OrgKind] = true
				withAccount[acc.Org] = true
			}
			want := slices.Clone(acc.Roles)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: listed roles %v, holds %v", acc.Email, acc.Roles, got)
			}
		}
		for _, r := range account.AllRoles() {
			if !platformRoles[r] {
				t.Errorf("no account with platform role %s", r)
			}
		}
		for _, r := range org.Roles {
			if !orgRoles[r] {
				t.Errorf("no account with organisation role %s", r)
			}
		}
		for _, k := range org.Kinds {
			if !orgKinds[string(k)] {
				t.Errorf("no account in an organisation of kind %s", k)
			}
		}
		for _, o := range orgs {
			if !withAccount[o.Slug] {
				t.Errorf("no demo account in %s", o.Slug)
			}
		}
	})

	t.Run("PasswordsSignIn", func(t *testing.T) {
		// Each sign-in costs a password hash: with -short, one account of
		// each organisation kind and each platform account only.
		seen := map[string]bool{}
		for _, acc := range accounts {
			if testing.Short() && acc.Org != "" && !strings.HasPrefix(acc.Org, "office-") && seen[acc.OrgKind] {
				continue
			}
			seen[acc.OrgKind] = true
			res := e.Browser().Post("/signin", url.Values{"email": {acc.Email}, "password": {acc.Password}})
			if res.StatusCode != http.StatusSeeOther {
				t.Errorf("sign in as %s: status %d", acc.Email, res.StatusCode)
			}
		}
	})

	// A load that stopped half-way is completed by the next one: here the
	// last person created (the moderator) and a member are missing.
	t.Run("InterruptedLoadResumes", func(t *testing.T) {
		var gone []demo.Account
		for _, acc := range accounts {
			if slices.Contains(acc.Roles, account.RoleModerator) || slices.Contains(acc.Roles, "trainer") && !slices.Contains(acc.Roles, "admin") {
				gone = append(gone, acc)
			}
		}
		if len(gone) != 2 {
			t.Fatalf("want a moderator and a trainer to remove, have %v", gone)
		}
		for _, acc := range gone {
			u, err := a.Accounts.UserByEmail(ctx, acc.Email)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Accounts.Delete(ctx, u, acc.Password, ""); err != nil {
				t.Fatalf("delete %s: %v", acc.Email, err)
			}
		}
		again, err := demo.Load(ctx, a)
		if err != nil {
			t.Fatalf("resumed load: %v", err)
		}
		if !reflect.DeepEqual(again, accounts) || userCount(t, a) != users {
			t.Fatalf("resumed load: %d accounts in the database, want %d", userCount(t, a), users)
		}
		after := allOrgs(t, a)
		if len(after) != len(orgs) {
			t.Fatalf("organisations: %d after resuming, %d before", len(after), len(orgs))
		}
		for i := range after {
			if after[i].Verified != orgs[i].Verified {
				t.Errorf("%s: verified %v after resuming, %v before", after[i].Slug, after[i].Verified, orgs[i].Verified)
			}
		}
		for _, acc := range gone {
			u, err := a.Accounts.UserByEmail(ctx, acc.Email)
			if err != nil {
				t.Fatalf("%s not re-created: %v", acc.Email, err)
			}
			ms, _ := a.Orgs.Memberships(ctx, u.ID)
			got := slices.Clone(u.Roles)
			for _, m := range ms {
				got = append(got, m.Roles...)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(acc.Roles))
			if !slices.Equal(got, want) {
				t.Errorf("%s re-created with roles %v, want %v", acc.Email, got, want)
			}
		}
	})

	t.Run("AccountsFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "demo-accounts.json")
		var out bytes.Buffer
		if err := demo.Print(&out, accounts, path); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]any
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Fatal(err)
		}
		keys := []string{"email", "name", "org", "org_kind", "password", "roles"}
		for _, it := range items {
			var got []string
			for k := range it {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, keys) {
				t.Fatalf("entry keys %v, want %v", got, keys)
			}
			if _, ok := it["roles"].([]any); !ok {
				t.Fatalf("roles is %T, want a list", it["roles"])
			}
		}
		if len(items) != len(accounts) || !strings.Contains(out.String(), accounts[0].Email) {
			t.Fatalf("file has %d entries for %d accounts", len(items), len(accounts))
		}
	})
}
