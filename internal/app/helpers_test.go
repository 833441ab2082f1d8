package app_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// token creates a personal API token through the tokens page.
func token(t *testing.T, e *apptest.Env, b *apptest.Browser, scopes string) string {
	t.Helper()
	res := b.Post("/account/tokens", url.Values{"name": {"tok-" + strings.ReplaceAll(scopes, " ", "-")}, "scopes": strings.Fields(scopes)})
	secret := apptest.Between(res.Body, `<code class="secret">`, `</code>`)
	if secret == "" {
		t.Fatalf("no token shown: %d", res.StatusCode)
	}
	return secret
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

func orgFilter() org.Filter { return org.Filter{Limit: 100} }

func orgInput(slug, country string) org.Input {
	return org.Input{Name: "Org " + slug, Slug: slug, Kind: "enterprise", Country: country}
}

// viewerOf builds the viewer of an account, as the sign-in middleware would.
func viewerOf(t *testing.T, e *apptest.Env, email string) *web.Viewer {
	t.Helper()
	u, err := e.App.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := e.App.Orgs.Memberships(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Email: u.Email, Name: u.Name, Roles: u.Roles, Orgs: ms}
}
