package directory_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/network/directory"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

const pw = "correct horse battery"

// world is a platform with four organisations:
//   - silk-cloud, a Chinese cloud company (names in Chinese, English and
//     French) working in Kenya and Nigeria, a verified network member run
//     by Li Wei, with Zhang Min as a plain member;
//   - nairobi-pay, a Kenyan fintech (English), run by Amina;
//   - anssi-sn, a Senegalese agency named in French only;
//   - egypt-cyber, an Egyptian regulator named in Arabic only.
type world struct {
	e    *apptest.Env
	d    *directory.Service
	li   *apptest.Browser
	orgs map[string]*org.Org
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	w := &world{e: e, d: e.App.Network.Directory, orgs: map[string]*org.Org{}}
	w.li = w.person(t, "Li Wei", "li@silkcloud.example")
	w.person(t, "Zhang Min", "zhang@silkcloud.example")
	w.person(t, "Amina Njoroge", "amina@nairobipay.example")
	w.org(t, "li@silkcloud.example", "silk-cloud", "enterprise", "CN", []string{"cloud_datacentres"},
		names("zh-Hans", map[string]string{"zh-Hans": "丝路云科技", "en": "Silk Road Cloud", "fr": "Nuage de la Route de la Soie"}))
	w.org(t, "amina@nairobipay.example", "nairobi-pay", "enterprise", "KE", []string{"payments_fintech"},
		names("en", map[string]string{"en": "Nairobi Pay"}))
	w.org(t, "amina@nairobipay.example", "anssi-sn", "government_agency", "SN", []string{"cybersecurity"},
		names("fr", map[string]string{"fr": "Agence nationale de la sécurité des systèmes d’information"}))
	w.org(t, "amina@nairobipay.example", "egypt-cyber", "regulator", "EG", []string{"cybersecurity"},
		names("ar", map[string]string{"ar": "الهيئة الوطنية للأمن السيبراني"}))
	w.addMember(t, "silk-cloud", "zhang@silkcloud.example", "member")
	w.save(t, "silk-cloud", network.ProfileInput{Countries: []string{"KE", "NG"}, Languages: []string{"zh", "en", "sw"},
		Needs: []network.Need{{Direction: network.Offer, Sector: "cloud_datacentres", Detail: text.New("en", "Cloud hosting in Nairobi", "", e.Clock.Now())},
			{Direction: network.Seek, Sector: "logistics"}}})
	w.save(t, "nairobi-pay", network.ProfileInput{Languages: []string{"en", "sw"}})
	w.join(t, "silk-cloud")
	w.verify(t, "silk-cloud")
	return w
}

func names(orig string, versions map[string]string) text.Text {
	t := text.Text{Original: orig, Versions: map[string]text.Version{}}
	for l, s := range versions {
		t.Versions[l] = text.Version{Text: s}
	}
	return t
}

// person creates a confirmed account and returns a browser signed in to it.
func (w *world) person(t *testing.T, name, email string) *apptest.Browser {
	t.Helper()
	if _, err := w.e.App.Accounts.Create(t.Context(), account.NewUser{Email: email, Name: name, Password: pw, Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	return w.signIn(t, email)
}

func (w *world) signIn(t *testing.T, email string) *apptest.Browser {
	t.Helper()
	b := w.e.Browser()
	if res := b.Post("/signin", url.Values{"email": {email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return b
}

// viewer builds the viewer of an account, as the sign-in middleware would.
func (w *world) viewer(t testing.TB, email string) *web.Viewer {
	t.Helper()
	u, err := w.e.App.Accounts.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := w.e.App.Orgs.Memberships(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Email: u.Email, Name: u.Name, Roles: u.Roles, Orgs: ms}
}

func (w *world) org(t *testing.T, owner, slug, kind, country string, sectors []string, n text.Text) *org.Org {
	t.Helper()
	o, err := w.e.App.Orgs.Create(t.Context(), w.viewer(t, owner), org.Input{Names: n, Slug: slug, Kind: kind, Country: country, Sectors: sectors}, "")
	if err != nil {
		t.Fatalf("create %s: %v", slug, err)
	}
	w.orgs[slug] = o
	return o
}

func (w *world) addMember(t *testing.T, slug, email, role string) {
	t.Helper()
	u, err := w.e.App.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.e.App.Orgs.AddMember(t.Context(), slug, u.ID, []string{role}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) save(t *testing.T, slug string, in network.ProfileInput) {
	t.Helper()
	err := w.e.App.DB.Tx(t.Context(), func(tx *sql.Tx) error { return w.e.App.Network.Core.Save(t.Context(), tx, w.orgs[slug].ID, in) })
	if err != nil {
		t.Fatal(err)
	}
}

// join makes an organisation a member of the network, as an approved
// application would.
func (w *world) join(t *testing.T, slug string) {
	t.Helper()
	_, err := w.e.App.DB.W.ExecContext(t.Context(), `INSERT INTO group_members (group_id, org_id, added_at) VALUES ($1, $2, $3)`,
		w.e.App.Network.Core.Group.ID, w.orgs[slug].ID, w.e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
}

func (w *world) verify(t *testing.T, slug string) {
	t.Helper()
	if _, err := w.e.App.DB.W.ExecContext(t.Context(), `UPDATE orgs SET verified_at = $1 WHERE id = $2`, w.e.Clock.Now(), w.orgs[slug].ID); err != nil {
		t.Fatal(err)
	}
}

// api returns a client with a token of the account's.
func (w *world) api(t *testing.T, email string, scopes ...string) *apptest.Browser {
	t.Helper()
	u, err := w.e.App.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := w.e.App.Accounts.CreateToken(t.Context(), u, account.NewToken{Name: "test " + strings.Join(scopes, " "), Scopes: scopes}, "")
	if err != nil {
		t.Fatal(err)
	}
	c := w.e.Browser()
	c.Header.Set("Authorization", "Bearer "+secret)
	return c
}

// slugs returns the slugs of entries, in order.
func slugs(es []directory.Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Slug)
	}
	return out
}

// fakePosts lists fixed posts.
type fakePosts struct{ posts []directory.PostSummary }

func (f fakePosts) ByOrg(_ context.Context, _ *web.Viewer, orgID string, limit int) ([]directory.PostSummary, error) {
	return f.posts, nil
}

func (f fakePosts) ByCountry(_ context.Context, _ *web.Viewer, country string, limit int) ([]directory.PostSummary, error) {
	var out []directory.PostSummary
	for _, p := range f.posts {
		if p.Country == country {
			out = append(out, p)
		}
	}
	return out, nil
}

var _ = time.Second
