package taxii_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/taxii"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

// caller is one way of calling the server: an Authorization header (none
// for anonymous).
type caller struct {
	name, auth string
}

// world: ke and gh are founding vetted CERTs in circle A (owned by ke); sn
// is vetted by their vouches and alone in circle B; ent is a verified
// enterprise; root a platform administrator.
type world struct {
	t        *testing.T
	e        *apptest.Env
	s        *taxii.Service
	admin    *web.Viewer
	viewers  map[string]*web.Viewer
	callers  map[string]caller
	circleA  string // collection ids
	circleB  string
	keOrgTok string
}

func basic(user, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+secret))
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	e := apptest.Start(t)
	w := &world{t: t, e: e, s: e.App.CertParts.TAXII, viewers: map[string]*web.Viewer{}, callers: map[string]caller{"anonymous": {name: "anonymous"}}}
	root, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "root@example.org", Name: "Root", Password: pw, Confirmed: true, Roles: []string{account.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	w.admin = &web.Viewer{ID: root.ID, Pseudonym: root.Pseudonym, Roles: root.Roles}
	w.token("admin", root, "")
	teams := map[string]*org.Org{}
	for _, tm := range []struct {
		slug, country string
		kind          org.Kind
	}{{"ke-cert", "KE", org.NationalCERT}, {"gh-cert", "GH", org.NationalCERT}, {"sn-cert", "SN", org.NationalCERT}, {"ent", "KE", org.Enterprise}} {
		u, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "admin@" + tm.slug + ".example", Name: tm.slug, Password: pw, Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		o, err := e.App.Orgs.Create(ctx, w.viewerOf(u), org.Input{Name: "Team " + tm.slug, Slug: tm.slug, Kind: string(tm.kind), Country: tm.country}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Orgs.SetVerified(ctx, w.admin, o, true, ""); err != nil {
			t.Fatal(err)
		}
		if o, err = e.App.Orgs.BySlug(ctx, tm.slug); err != nil {
			t.Fatal(err)
		}
		teams[tm.slug] = o
		w.viewers[tm.slug] = w.viewerOf(u)
		w.token(tm.slug, u, "")
		if tm.slug == "ke-cert" {
			w.keOrgTok = w.token("ke-service", u, o.ID)
		}
	}
	c := e.App.Cert
	for _, slug := range []string{"ke-cert", "gh-cert"} {
		if err := c.SetFounding(ctx, w.admin, teams[slug], true, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, by := range []string{"ke-cert", "gh-cert"} {
		if err := c.Vouch(ctx, w.viewers[by], teams["sn-cert"], teams[by].ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	a, err := c.CreateCircle(ctx, w.viewers["ke-cert"], teams["ke-cert"].ID, "circle-a", "Circle A")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetCircleMember(ctx, w.viewers["ke-cert"], a, "gh-cert", true); err != nil {
		t.Fatal(err)
	}
	w.viewers["sn-cert"] = w.reload(w.viewers["sn-cert"])
	b, err := c.CreateCircle(ctx, w.viewers["sn-cert"], teams["sn-cert"].ID, "circle-b", "Circle B")
	if err != nil {
		t.Fatal(err)
	}
	w.circleA, w.circleB = taxii.CircleCollectionID(a.ID), taxii.CircleCollectionID(b.ID)
	for k, v := range w.viewers {
		w.viewers[k] = w.reload(v)
	}
	return w
}

func (w *world) viewerOf(u *account.User) *web.Viewer {
	w.t.Helper()
	ms, err := w.e.App.Orgs.Memberships(context.Background(), u.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Name: u.Name, Email: u.Email, Roles: u.Roles, Orgs: ms}
}

func (w *world) reload(v *web.Viewer) *web.Viewer {
	w.t.Helper()
	u, err := w.e.App.Accounts.UserByID(context.Background(), v.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return w.viewerOf(u)
}

// token makes a read-write token and a Basic caller for it.
func (w *world) token(name string, u *account.User, orgID string) string {
	w.t.Helper()
	_, secret, err := w.e.App.Accounts.CreateToken(context.Background(), u, account.NewToken{Name: name, OrgID: orgID,
		Scopes: []string{account.ScopeRead, account.ScopeWrite}}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	user := u.Email
	if orgID != "" {
		user = "ke-cert"
	}
	w.callers[name] = caller{name: name, auth: basic(user, secret)}
	return secret
}

type response struct {
	status int
	header http.Header
	body   string
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.status, r.body)
	}
	return m
}

// do sends a request with TAXII's Accept header unless headers say otherwise.
func (w *world) do(c caller, method, path, body string, headers map[string]string) response {
	w.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, w.e.Server.URL+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Accept", taxii.MediaTAXII)
	if body != "" {
		req.Header.Set("Content-Type", taxii.MediaTAXII)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (w *world) post(c caller, collection, envelope string) response {
	w.t.Helper()
	return w.do(c, http.MethodPost, "/taxii2/cert/collections/"+collection+"/objects/", envelope, nil)
}

// mustAdd posts an envelope and checks the status resource says complete.
func (w *world) mustAdd(c caller, collection string, objects ...string) map[string]any {
	w.t.Helper()
	res := w.post(c, collection, envelope(objects...))
	if res.status != http.StatusAccepted {
		w.t.Fatalf("add objects: %d %s", res.status, res.body)
	}
	st := res.json(w.t)
	if st["status"] != "complete" {
		w.t.Fatalf("status %v", st)
	}
	return st
}

func envelope(objects ...string) string {
	return `{"objects":[` + strings.Join(objects, ",") + `]}`
}

func uuidN(n int) string { return fmt.Sprintf("8e2e2d2b-17d4-4cbf-938f-%012x", n) }

// indicator is a STIX indicator with an id number, a modified time and
// marking refs (JSON list body, may be empty).
func indicator(n int, modified, markings string) string {
	m := ""
	if markings != "" {
		m = `,"object_marking_refs":[` + markings + `]`
	}
	return `{"type":"indicator","spec_version":"2.1","id":"indicator--` + uuidN(n) + `","created":"2024-01-01T00:00:00.000Z","modified":"` + modified +
		`","name":"zq indicator ` + fmt.Sprint(n) + `","pattern":"[ipv4-addr:value = '198.51.100.` + fmt.Sprint(n%250) + `']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"` + m + `}`
}

func quoted(ids ...string) string {
	return `"` + strings.Join(ids, `","`) + `"`
}

var _ = cert.CirclePurpose
