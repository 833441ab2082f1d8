package moderation_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

func TestReportHideRestore(t *testing.T) {
	e := apptest.Start(t)
	ctx := context.Background()
	if _, err := e.App.DB.W.Exec(`CREATE TABLE posts (id TEXT PRIMARY KEY, title TEXT NOT NULL, ` + sharing.Columns + `)`); err != nil {
		t.Fatal(err)
	}
	typ := sharing.Type{Name: "test.post", Table: "posts", Title: "title"}
	e.App.Sharing.Declare(typ)
	owner, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "owner@example.ma", Name: "Owner", Password: pw, Confirmed: true, Locale: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	ov := &web.Viewer{ID: owner.ID, Pseudonym: owner.Pseudonym}
	o, err := e.App.Orgs.Create(ctx, ov, org.Input{Name: "Souk", Slug: "souk", Kind: "enterprise", Country: "MA"}, "")
	if err != nil {
		t.Fatal(err)
	}
	e.App.DB.W.Exec(`INSERT INTO posts (id, title, owner_org, marking, state) VALUES ('p1', 'Cheap watches!!!', $1, 'clear', 'published')`, o.ID)
	e.App.DB.W.Exec(`INSERT INTO posts (id, title, owner_org, marking, state) VALUES ('p2', 'Internal', $1, 'amber', 'published')`, o.ID)
	if _, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "mod@example.org", Name: "Mod", Password: pw, Confirmed: true, Roles: []string{account.RoleModerator}}); err != nil {
		t.Fatal(err)
	}

	anon := e.Browser()
	if res := anon.Post("/report/test.post/p2", url.Values{"reason": {"spam"}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("report of an unseen record: %d", res.StatusCode)
	}
	if res := anon.Post("/report/test.post/p1", url.Values{"reason": {"boring"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown reason: %d", res.StatusCode)
	}
	if res := anon.Post("/report/test.post/p1", url.Values{"reason": {"spam"}, "details": {"Same advert everywhere"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("report: %d %s", res.StatusCode, res.Body)
	}

	user := e.SignUp("Someone", "someone@example.org", pw)
	if res := user.Get("/moderation"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a non-moderator reached the queue: %d", res.StatusCode)
	}
	mod := e.Browser()
	if res := mod.Post("/signin", url.Values{"email": {"mod@example.org"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal("moderator sign-in")
	}
	res := mod.Get("/moderation")
	if !strings.Contains(res.Body, "Cheap watches!!!") || !strings.Contains(res.Body, "Same advert everywhere") {
		t.Fatalf("queue: %d", res.StatusCode)
	}
	if res := mod.Post("/moderation/test.post/p1", url.Values{"decision": {"hide"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("hiding without a reason: %d", res.StatusCode)
	}
	if res := mod.Post("/moderation/test.post/p1", url.Values{"decision": {"hide"}, "reason": {"Spam advert"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("hide: %d", res.StatusCode)
	}
	if _, err := e.App.Sharing.Meta(ctx, nil, typ.Name, "p1"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("a hidden record is still visible: %v", err)
	}
	ov.Orgs, _ = e.App.Orgs.Memberships(ctx, owner.ID)
	if _, err := e.App.Sharing.Meta(ctx, ov, typ.Name, "p1"); err != nil {
		t.Fatalf("the owner lost sight of its hidden record: %v", err)
	}
	m, ok := e.Mail.Last("owner@example.ma", "mail.moderation_hide.subject")
	if !ok || m.Lang != "fr" || m.Arg("reason") != "Spam advert" {
		t.Fatalf("owner not told: %v %+v", ok, m)
	}
	if res := mod.Post("/moderation/test.post/p1", url.Values{"decision": {"restore"}, "reason": {"Appeal accepted"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", res.StatusCode)
	}
	if _, err := e.App.Sharing.Meta(ctx, nil, typ.Name, "p1"); err != nil {
		t.Fatalf("restored record not visible: %v", err)
	}

	t.Run("ReportsAreLimitedPerAddress", func(t *testing.T) {
		var last int
		for i := 0; i < 12; i++ {
			last = anon.Post("/report/test.post/p1", url.Values{"reason": {"spam"}}).StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("twelfth report in an hour: %d", last)
		}
	})
}
