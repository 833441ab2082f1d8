package posts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/network/posts"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

const pw = "correct horse battery"

// world is a platform with three verified organisations: Kenya Cloud (KE)
// and Hua Cloud (CN), members of the network, and Dakar Digital (SN), which
// is not. Amina runs Kenya Cloud, Li Wei Hua Cloud, Moussa Dakar Digital;
// Otieno is an editor of Kenya Cloud and Baraka a plain member.
type world struct {
	e   *apptest.Env
	svc *posts.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	w := &world{e: e, svc: e.App.Network.Posts}
	admin, err := e.App.Accounts.Create(t.Context(), account.NewUser{Email: "root@example.org", Name: "Root", Password: pw, Confirmed: true,
		Roles: []string{account.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	adminV := &web.Viewer{ID: admin.ID, Pseudonym: admin.Pseudonym, Roles: admin.Roles}
	for _, o := range []struct{ person, email, name, slug, country string }{
		{"Amina Njoroge", "amina@kenya-cloud.example", "Kenya Cloud", "kenya-cloud", "KE"},
		{"Li Wei", "li@hua-cloud.example", "Hua Cloud", "hua-cloud", "CN"},
		{"Moussa Diop", "moussa@dakar-digital.example", "Dakar Digital", "dakar-digital", "SN"},
	} {
		w.person(t, o.person, o.email)
		created, err := e.App.Orgs.Create(t.Context(), w.viewer(t, o.email), org.Input{Name: o.name, Slug: o.slug, Kind: "enterprise", Country: o.country}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Orgs.SetVerified(t.Context(), adminV, created, true, ""); err != nil {
			t.Fatal(err)
		}
		if o.slug != "dakar-digital" {
			if _, err := e.App.DB.W.Exec(`INSERT INTO group_members (group_id, org_id, added_at) VALUES ($1, $2, $3)`,
				e.App.Network.Core.Group.ID, created.ID, e.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	for email, role := range map[string]string{"otieno@kenya-cloud.example": "editor", "baraka@kenya-cloud.example": "member"} {
		w.person(t, strings.Split(email, "@")[0], email)
		if err := e.App.Orgs.AddMember(t.Context(), "kenya-cloud", w.userID(t, email), []string{role}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// person creates a confirmed account.
func (w *world) person(t *testing.T, name, email string) {
	t.Helper()
	if _, err := w.e.App.Accounts.Create(t.Context(), account.NewUser{Email: email, Name: name, Password: pw, Confirmed: true}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) userID(t *testing.T, email string) string {
	t.Helper()
	u, err := w.e.App.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// signIn returns a browser signed in as email.
func (w *world) signIn(t *testing.T, email string) *apptest.Browser {
	t.Helper()
	b := w.e.Browser()
	if res := b.Post("/signin", url.Values{"email": {email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return b
}

// viewer builds the viewer of an account, as the sign-in middleware would.
func (w *world) viewer(t *testing.T, email string) *web.Viewer {
	t.Helper()
	u, err := w.e.App.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := w.e.App.Orgs.Memberships(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Email: u.Email, Name: u.Name, Roles: u.Roles, Orgs: ms, Locale: u.Locale}
}

// api returns a client with a token of the account's.
func (w *world) api(t *testing.T, email string) *apptest.Browser {
	t.Helper()
	u, err := w.e.App.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := w.e.App.Accounts.CreateToken(t.Context(), u, account.NewToken{Name: "test", Scopes: []string{account.ScopeRead, account.ScopeWrite}}, "")
	if err != nil {
		t.Fatal(err)
	}
	c := w.e.Browser()
	c.Header.Set("Authorization", "Bearer "+secret)
	return c
}

// form is a valid publishing form; changes set (or, when empty, remove) fields.
func form(changes map[string]string) url.Values {
	v := url.Values{
		"audience": {"public"}, "kind": {"opportunity_tender"},
		"title.original": {"fr"}, "title.fr": {"Appel d’offres : hébergement en nuage pour la douane kényane"},
		"body.original": {"fr"}, "body.fr": {"La douane du Kenya cherche un partenaire pour héberger ses services.\nRéponses avant la fin du mois."},
		"country": {"KE"}, "sectors": {"cloud_datacentres", "digital_government"},
	}
	for k, x := range changes {
		if x == "" {
			v.Del(k)
		} else {
			v.Set(k, x)
		}
	}
	return v
}

// publish posts the form and returns the new post's id.
func publish(t *testing.T, b *apptest.Browser, v url.Values) string {
	t.Helper()
	res := b.Post("/network/posts", v)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", res.StatusCode, res.Body)
	}
	loc := res.Header.Get("Location")
	id := strings.TrimPrefix(strings.TrimPrefix(loc, "/network/posts/"), "/share/network.post/")
	if id == "" || strings.Contains(id, "/") {
		t.Fatalf("publish: redirected to %q", loc)
	}
	return id
}

// input is a valid service input.
func input(title, country, kind string, sectors ...string) posts.Input {
	if len(sectors) == 0 {
		sectors = []string{"ecommerce"}
	}
	return posts.Input{Audience: posts.Public, Kind: kind, Title: posts.TextInput{Original: "en", Texts: map[string]string{"en": title}},
		Body: posts.TextInput{Original: "en", Texts: map[string]string{"en": title + " — details follow."}}, Country: country, Sectors: sectors}
}

// count is how many posts exist.
func (w *world) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM network_posts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
