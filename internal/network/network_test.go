package network_test

import (
	"context"
	"database/sql"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

func TestCoreProfileAndMembership(t *testing.T) {
	e := apptest.Start(t)
	ctx := context.Background()
	c, err := network.Open(ctx, e.App.DB, e.Clock, e.App.Orgs, e.App.Sharing)
	if err != nil {
		t.Fatal(err)
	}
	again, err := network.Open(ctx, e.App.DB, e.Clock, e.App.Orgs, e.App.Sharing)
	if err != nil || again.Group.ID != c.Group.ID || again.Office.ID != c.Office.ID {
		t.Fatalf("opening twice made a second group or office: %v", err)
	}
	u, _ := e.App.Accounts.Create(ctx, account.NewUser{Email: "li@example.cn", Name: "Li", Password: "long enough password", Confirmed: true})
	o, err := e.App.Orgs.Create(ctx, &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}, org.Input{Name: "Silk Cloud", Slug: "silk-cloud", Kind: "enterprise", Country: "CN"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := c.IsMember(ctx, o.ID); err != nil || m {
		t.Fatalf("a new organisation is a member: %v %v", m, err)
	}
	save := func(in network.ProfileInput) error {
		return e.App.DB.Tx(ctx, func(tx *sql.Tx) error { return c.Save(ctx, tx, o.ID, in) })
	}
	good := network.ProfileInput{Countries: []string{"ke", "NG", "KE"}, Languages: []string{"zh", "en", "sw"},
		Needs: []network.Need{{Direction: network.Offer, Sector: "cloud_datacentres", Detail: text.New("en", "Cloud hosting in Nairobi", u.ID, e.Clock.Now())},
			{Direction: network.Seek, Sector: "logistics"}}}
	if err := save(good); err != nil {
		t.Fatal(err)
	}
	p, err := c.Profile(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Countries) != 2 || p.Countries[0] != "KE" || len(p.Languages) != 3 || len(p.Offers) != 1 || len(p.Seeks) != 1 ||
		p.Offers[0].Detail.String() == "" {
		t.Fatalf("profile: %+v", p)
	}
	for name, bad := range map[string]network.ProfileInput{
		"unknown country":   {Countries: []string{"XX"}},
		"unknown language":  {Languages: []string{"not a language"}},
		"unknown sector":    {Needs: []network.Need{{Direction: network.Offer, Sector: "space_elevators"}}},
		"unknown direction": {Needs: []network.Need{{Direction: "sell", Sector: "logistics"}}},
	} {
		if err := save(bad); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	if p2, _ := c.Profile(ctx, o.ID); len(p2.Countries) != 2 || len(p2.Offers) != 1 {
		t.Errorf("a refused profile changed the stored one: %+v", p2)
	}
	if err := e.App.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, org_id, added_at) VALUES ($1, $2, $3)`, c.Group.ID, o.ID, e.Clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if m, _ := c.IsMember(ctx, o.ID); !m {
		t.Error("a member of the group is not a member of the network")
	}
}
