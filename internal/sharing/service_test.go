package sharing_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/audit"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

type fixture struct {
	e                   *apptest.Env
	typ                 sharing.Type
	owner, recip, other *web.Viewer
	ownerOrg, recipOrg  *org.Org
}

func setup(t *testing.T) *fixture { return setupB(t) }

func setupB(t testing.TB) *fixture {
	e := apptest.Start(t)
	if _, err := e.App.DB.W.Exec(`CREATE TABLE things (id TEXT PRIMARY KEY, ` + sharing.Columns + `)`); err != nil {
		t.Fatal(err)
	}
	f := &fixture{e: e, typ: sharing.Type{Name: "test.thing", Table: "things"}}
	e.App.Sharing.Declare(f.typ)
	mk := func(email, slug string) (*web.Viewer, *org.Org) {
		ctx := context.Background()
		u, err := e.App.Accounts.Create(ctx, account.NewUser{Email: email, Name: email, Password: "long enough password", Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		v := &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}
		var o *org.Org
		if slug != "" {
			if o, err = e.App.Orgs.Create(ctx, v, org.Input{Name: slug, Slug: slug, Kind: "enterprise", Country: "GH"}, ""); err != nil {
				t.Fatal(err)
			}
			v.Orgs, _ = e.App.Orgs.Memberships(ctx, u.ID)
		}
		return v, o
	}
	f.owner, f.ownerOrg = mk("owner@example.gh", "owner-org")
	f.recip, f.recipOrg = mk("recip@example.gh", "recip-org")
	f.other, _ = mk("other@example.gh", "")
	return f
}

func (f *fixture) thing(t *testing.T, marking sharing.Marking) *sharing.Meta {
	id := uuid.Must(uuid.NewV7()).String()
	err := f.e.App.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO things (id, owner_org, marking, state) VALUES ($1, $2, $3, 'published')`, id, f.ownerOrg.ID, string(marking)); err != nil {
			return err
		}
		return sharing.NameCreator(context.Background(), tx, f.e.Clock.Now(), f.typ, id, f.owner.ID, f.ownerOrg.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.e.App.Sharing.Meta(context.Background(), f.owner, f.typ.Name, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBadShares(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sh := f.e.App.Sharing
	m := f.thing(t, sharing.Amber)
	cases := []struct {
		name     string
		v        *web.Viewer
		by, kind string
		target   string
		want     errs.Code
	}{
		{"UnknownOrg", f.owner, f.ownerOrg.ID, sharing.ToOrg, "no-such-org", errs.Invalid},
		{"UnknownPerson", f.owner, f.ownerOrg.ID, sharing.ToPerson, "no-such-person", errs.Invalid},
		{"UnknownKind", f.owner, f.ownerOrg.ID, "planet", f.recipOrg.ID, errs.Invalid},
		{"NotTheOwnersEditor", f.recip, f.ownerOrg.ID, sharing.ToOrg, f.recipOrg.ID, errs.Forbidden},
		{"RecipientWithoutConstituency", f.recip, f.recipOrg.ID, sharing.ToPerson, f.other.ID, errs.Forbidden},
	}
	before, _ := sh.Shares(ctx, m) // the creator, named
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sh.AddShare(ctx, c.v, m, c.by, c.kind, c.target, "")
			if errs.CodeOf(err) != c.want {
				t.Fatalf("got %v, want %s", err, c.want)
			}
			if list, _ := sh.Shares(ctx, m); len(list) != len(before) {
				t.Fatal("a refused share was stored")
			}
		})
	}
	t.Run("StrictRefusesGroupsAndPeople", func(t *testing.T) {
		s := f.thing(t, sharing.AmberStrict)
		if _, err := sh.AddShare(ctx, f.owner, s, f.ownerOrg.ID, sharing.ToPerson, f.other.ID, ""); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("person share of a strict record: %v", err)
		}
		if _, err := sh.AddShare(ctx, f.owner, s, f.ownerOrg.ID, sharing.ToOrg, f.recipOrg.ID, ""); err != nil {
			t.Fatal(err)
		}
		rv := f.recip
		rm, err := sh.Meta(ctx, rv, f.typ.Name, s.ID)
		if err != nil {
			t.Fatalf("recipient cannot see the strict record: %v", err)
		}
		if _, err := sh.AddShare(ctx, rv, rm, f.recipOrg.ID, sharing.ToOrg, f.ownerOrg.ID, ""); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("a recipient shared a strict record: %v", err)
		}
	})
	t.Run("RedIsForPeople", func(t *testing.T) {
		r := f.thing(t, sharing.Red)
		if _, err := sh.AddShare(ctx, f.owner, r, f.ownerOrg.ID, sharing.ToOrg, f.recipOrg.ID, ""); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("org share of a red record: %v", err)
		}
	})
}

func TestMarkings(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sh := f.e.App.Sharing
	m := f.thing(t, sharing.Amber)
	if err := sh.SetMarking(ctx, f.owner, m, "tlp:purple", ""); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("unknown marking: %v", err)
	}
	sh.AddShare(ctx, f.owner, m, f.ownerOrg.ID, sharing.ToOrg, f.recipOrg.ID, "")
	rm, err := sh.Meta(ctx, f.recip, f.typ.Name, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.SetMarking(ctx, f.recip, rm, sharing.Clear, ""); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("a recipient lowered the marking: %v", err)
	}
	if now, _ := sh.Meta(ctx, f.owner, f.typ.Name, m.ID); now.Marking != sharing.Amber {
		t.Fatalf("marking changed to %s", now.Marking)
	}
	if err := sh.SetMarking(ctx, f.owner, m, sharing.Green, ""); err != nil {
		t.Fatal(err)
	}
	page, err := f.e.App.Trail.List(ctx, audit.Filter{Action: "marking.lowered"}, 10, "")
	if err != nil || len(page.Items) != 1 || page.Items[0].TargetID != m.ID {
		t.Fatalf("lowering not audited: %+v %v", page.Items, err)
	}
	if _, err := sh.Meta(ctx, f.other, f.typ.Name, m.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("a person in no organisation sees a GREEN record: %v", err)
	}
}

func TestEmbargoToTheSecond(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sh := f.e.App.Sharing
	m := f.thing(t, sharing.Clear)
	at := f.e.Clock.Now().Add(10 * time.Second).Truncate(time.Second)
	if err := sh.SetVisibleFrom(ctx, f.owner, m, &at, ""); err != nil {
		t.Fatal(err)
	}
	see := func() bool { _, err := sh.Meta(ctx, nil, f.typ.Name, m.ID); return err == nil }
	f.e.Clock.Set(at.Add(-time.Microsecond))
	if see() {
		t.Fatal("visible before its time")
	}
	if _, err := sh.Meta(ctx, f.owner, f.typ.Name, m.ID); err != nil {
		t.Fatal("the owner does not see its embargoed record")
	}
	f.e.Clock.Set(at)
	if !see() {
		t.Fatal("not visible at its time")
	}
}

func TestGroups(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sh := f.e.App.Sharing
	if _, err := sh.CreateGroup(ctx, f.recip, f.ownerOrg.ID, "circle", "Circle", "test"); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("a non-admin made a group for another organisation: %v", err)
	}
	g, err := sh.CreateGroup(ctx, f.owner, f.ownerOrg.ID, "circle", "Circle", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.SetGroupMember(ctx, f.recip, g, f.recipOrg.ID, true); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("an outsider joined a group: %v", err)
	}
	if err := sh.SetGroupMember(ctx, f.owner, g, f.recipOrg.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := sh.SetGroupMember(ctx, f.owner, g, f.ownerOrg.ID, false); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("the owner left its group: %v", err)
	}
	members, _ := sh.GroupMembers(ctx, g)
	if len(members) != 2 {
		t.Fatalf("members %v", members)
	}
}

func TestSharePages(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sh := f.e.App.Sharing
	m := f.thing(t, sharing.Amber)
	owner := f.e.Browser()
	signIn(t, owner, "owner@example.gh")
	recip := f.e.Browser()
	signIn(t, recip, "recip@example.gh")
	page := "/share/test.thing/" + m.ID

	if res := recip.Get(page); res.StatusCode != http.StatusNotFound {
		t.Fatalf("an outsider reached the share page: %d", res.StatusCode)
	}
	if res := owner.Post(page+"/marking", url.Values{"marking": {"purple"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown marking: %d", res.StatusCode)
	}
	res := owner.Post(page+"/shares", url.Values{"target_kind": {"org"}, "target": {"no-such-org"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="e-target"`) {
		t.Fatalf("unknown target: %d", res.StatusCode)
	}
	if res := owner.Post(page+"/shares", url.Values{"target_kind": {"org"}, "target": {"recip-org"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("share: %d %s", res.StatusCode, res.Body)
	}
	if res := recip.Get(page); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "TLP:AMBER") {
		t.Fatalf("the recipient does not see the shared record: %d", res.StatusCode)
	}
	if res := recip.Post(page+"/marking", url.Values{"marking": {"clear"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a recipient lowered the marking: %d", res.StatusCode)
	}
	if now, _ := sh.Meta(ctx, f.owner, f.typ.Name, m.ID); now.Marking != sharing.Amber {
		t.Fatalf("marking is %s", now.Marking)
	}
	api := f.e.Browser()
	if res := api.Get("/api/v1/shares/test.thing/" + m.ID); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, `"not_found"`) {
		t.Fatalf("anonymous API read of an AMBER record: %d %s", res.StatusCode, res.Body)
	}
	if res := owner.Post(page+"/embargo", url.Values{"visible_from": {"tomorrow-ish"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad embargo time: %d", res.StatusCode)
	}
}

func signIn(t *testing.T, b *apptest.Browser, email string) {
	t.Helper()
	if res := b.Post("/signin", url.Values{"email": {email}, "password": {"long enough password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
}
