package org_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

const pw = "correct horse battery"

func TestMembership(t *testing.T) {
	e := apptest.Start(t)
	owner := e.SignUp("Wanjiru Kamau", "wanjiru@example.ke", pw)
	res := owner.Post("/orgs", url.Values{"name": {"Nairobi Data Exchange"}, "slug": {"nairobi-dx"}, "kind": {"enterprise"},
		"country": {"KE"}, "sectors": {"cloud_datacentres", "payments_fintech"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	if res := owner.Post("/orgs", url.Values{"name": {"Again"}, "slug": {"nairobi-dx"}, "kind": {"enterprise"}, "country": {"KE"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate slug: %d", res.StatusCode)
	}

	member := e.SignUp("Juma Said", "juma@example.tz", pw)
	if res := member.Post("/orgs/nairobi-dx/invitations", url.Values{"email": {"x@example.org"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("outsider invited: %d", res.StatusCode)
	}
	owner.Post("/orgs/nairobi-dx/invitations", url.Values{"email": {"juma@example.tz"}, "roles": {"member", "merchant"}, "lang": {"sw"}})
	inv, ok := e.Mail.Last("juma@example.tz", "mail.invitation.subject")
	if !ok || inv.Lang != "sw" {
		t.Fatalf("invitation mail: %v %q", ok, inv.Lang)
	}
	link := e.PathOf(inv.Arg("link"))

	other := e.SignUp("Someone Else", "else@example.org", pw)
	if res := other.Post(link, nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("invitation used by another address: %d", res.StatusCode)
	}
	if res := member.Post(link, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", res.StatusCode, res.Body)
	}
	if res := member.Post(link, nil); res.StatusCode != http.StatusConflict {
		t.Fatalf("invitation used twice: %d", res.StatusCode)
	}
	if res := owner.Get("/orgs/nairobi-dx/members"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `value="merchant" checked`) {
		t.Fatalf("members page for the admin: %d", res.StatusCode)
	}
	if res := member.Get("/orgs/nairobi-dx"); !strings.Contains(res.Body, "Wanjiru Kamau") {
		t.Fatal("member does not see fellow members")
	}

	t.Run("ExpiredInvitation", func(t *testing.T) {
		owner.Post("/orgs/nairobi-dx/invitations", url.Values{"email": {"else@example.org"}})
		m, _ := e.Mail.Last("else@example.org", "mail.invitation.subject")
		e.Clock.Advance(15 * 24 * time.Hour)
		if res := e.Browser().Get(e.PathOf(m.Arg("link"))); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("expired invitation accepted: %d", res.StatusCode)
		}
	})
}

func TestRemovalEndsAccessAndTokens(t *testing.T) {
	e := apptest.Start(t)
	owner := e.SignUp("Owner", "owner@example.sn", pw)
	owner.Post("/orgs", url.Values{"name": {"CERT démo"}, "slug": {"cert-demo"}, "kind": {"national_cert"}, "country": {"SN"}})
	analyst := e.SignUp("Analyste", "analyste@example.sn", pw)
	owner.Post("/orgs/cert-demo/invitations", url.Values{"email": {"analyste@example.sn"}, "roles": {"admin"}})
	m, _ := e.Mail.Last("analyste@example.sn", "mail.invitation.subject")
	analyst.Post(e.PathOf(m.Arg("link")), nil)

	res := analyst.Post("/orgs/cert-demo/tokens", url.Values{"name": {"taxii"}, "scopes": {"read"}})
	secret := apptest.Between(res.Body, `<code class="secret">`, `</code>`)
	api := e.Browser()
	api.Header.Set("Authorization", "Bearer "+secret)
	var me struct {
		Orgs []struct{ Slug string } `json:"organisations"`
	}
	if res := api.Get("/api/v1/me"); res.StatusCode != 200 || json.Unmarshal([]byte(res.Body), &me) != nil || len(me.Orgs) != 1 {
		t.Fatalf("service token: %d %s", res.StatusCode, res.Body)
	}

	u, _ := e.App.Accounts.UserByEmail(t.Context(), "analyste@example.sn")
	o, _ := e.App.Orgs.BySlug(t.Context(), "cert-demo")
	if res := owner.Post("/orgs/cert-demo/members/"+u.ID+"/remove", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.StatusCode)
	}
	if res := analyst.Get("/orgs/cert-demo/members"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("removed member still sees the members page: %d", res.StatusCode)
	}
	if res := api.Get("/api/v1/me"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("removed member's service token still works: %d", res.StatusCode)
	}
	ownerUser, _ := e.App.Accounts.UserByEmail(t.Context(), "owner@example.sn")
	t.Run("LastAdminCannotLeave", func(t *testing.T) {
		if res := owner.Post("/orgs/cert-demo/members/"+ownerUser.ID+"/remove", nil); res.StatusCode != http.StatusConflict {
			t.Fatalf("owner left: %d", res.StatusCode)
		}
		if res := owner.Post("/orgs/cert-demo/members/"+ownerUser.ID+"/roles", url.Values{"roles": {"member"}}); res.StatusCode != http.StatusConflict {
			t.Fatalf("last admin demoted: %d", res.StatusCode)
		}
	})
	t.Run("VerificationIsForPlatformAdmins", func(t *testing.T) {
		if res := owner.Post("/admin/orgs/cert-demo/verify", url.Values{"verified": {"1"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("org admin verified itself: %d", res.StatusCode)
		}
		o2, _ := e.App.Orgs.BySlug(t.Context(), o.Slug)
		if o2.Verified {
			t.Fatal("verified without a platform admin")
		}
	})
}

func TestTransferOwnership(t *testing.T) {
	e := apptest.Start(t)
	a := e.SignUp("Ahmed", "ahmed@example.dz", pw)
	a.Post("/orgs", url.Values{"name": {"شركة الجزائر الرقمية"}, "slug": {"dz-digital"}, "kind": {"enterprise"}, "country": {"DZ"}})
	b := e.SignUp("Yasmine", "yasmine@example.dz", pw)
	a.Post("/orgs/dz-digital/invitations", url.Values{"email": {"yasmine@example.dz"}})
	m, _ := e.Mail.Last("yasmine@example.dz", "mail.invitation.subject")
	b.Post(e.PathOf(m.Arg("link")), nil)
	y, _ := e.App.Accounts.UserByEmail(t.Context(), "yasmine@example.dz")
	x, _ := e.App.Accounts.UserByEmail(t.Context(), "ahmed@example.dz")
	if res := b.Post("/orgs/dz-digital/transfer", url.Values{"user": {y.ID}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("non-owner transferred: %d", res.StatusCode)
	}
	if res := a.Post("/orgs/dz-digital/transfer", url.Values{"user": {y.ID}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("transfer: %d", res.StatusCode)
	}
	if res := a.Post("/orgs/dz-digital/members/"+x.ID+"/remove", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("former owner cannot leave: %d", res.StatusCode)
	}
	res := e.Browser().Get("/orgs?q=" + url.QueryEscape("الجزائر"))
	if !strings.Contains(res.Body, "dz-digital") {
		t.Fatal("Arabic name not found in the directory")
	}
	if !strings.Contains(res.Body, "· Algeria") {
		t.Fatal("the directory does not name the country")
	}
}

func TestOfficersJoinTheirOffice(t *testing.T) {
	e := apptest.Start(t)
	admin, err := e.App.Accounts.Create(t.Context(), account.NewUser{Email: "root@example.org", Name: "Root", Password: pw, Confirmed: true, Roles: []string{account.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	e.SignUp("Officer Li", "li@example.cn", pw)
	u, _ := e.App.Accounts.UserByEmail(t.Context(), "li@example.cn")
	av := &web.Viewer{ID: admin.ID, Pseudonym: admin.Pseudonym, Roles: admin.Roles}
	inOffice := func() bool {
		ms, err := e.App.Orgs.Memberships(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Slug == "office-commerce" && m.Kind == string(org.ProgrammeOffice) {
				return true
			}
		}
		return false
	}
	if err := e.App.Accounts.SetRole(t.Context(), av, u.ID, "officer:commerce", true, ""); err != nil {
		t.Fatal(err)
	}
	if !inOffice() {
		t.Fatal("a new e-commerce officer is not in the e-commerce programme office")
	}
	if err := e.App.Accounts.SetRole(t.Context(), av, u.ID, "officer:commerce", false, ""); err != nil {
		t.Fatal(err)
	}
	if inOffice() {
		t.Fatal("a former officer is still in the programme office")
	}
	if err := e.App.Accounts.SetRole(t.Context(), av, u.ID, "officer:piracy", true, ""); err == nil {
		t.Fatal("an unknown module's officer role was granted")
	}
}

func TestPartnersIndicator(t *testing.T) {
	e := apptest.Start(t)
	admin, _ := e.App.Accounts.Create(t.Context(), account.NewUser{Email: "root@example.org", Name: "Root", Password: pw, Confirmed: true, Roles: []string{account.RoleAdmin}})
	av := &web.Viewer{ID: admin.ID, Pseudonym: admin.Pseudonym, Roles: admin.Roles}
	u, _ := e.App.Accounts.Create(t.Context(), account.NewUser{Email: "u@example.org", Name: "U", Password: pw, Confirmed: true})
	uv := &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}
	for _, c := range []struct {
		slug, country string
		verified      bool
	}{{"ke-one", "KE", true}, {"ke-two", "KE", true}, {"cn-one", "CN", true}, {"ng-unverified", "NG", false}} {
		o, err := e.App.Orgs.Create(t.Context(), uv, org.Input{Name: c.slug, Slug: c.slug, Kind: "enterprise", Country: c.country}, "")
		if err != nil {
			t.Fatal(err)
		}
		if c.verified {
			e.App.Orgs.SetVerified(t.Context(), av, o, true, "")
		}
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
	res := e.Browser().Get("/api/v1/indicators?lang=fr")
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil {
		t.Fatal(err)
	}
	for _, it := range list.Items {
		if it.Key != "plan.partners" {
			continue
		}
		if it.Value.Total != 3 || it.Value.Breakdown["KE"] != 2 || it.Value.Breakdown["CN"] != 1 || it.Value.Breakdown["NG"] != 0 || it.Name != "Organisations partenaires" {
			t.Fatalf("%+v", it)
		}
		return
	}
	t.Fatal("plan.partners not listed")
}
