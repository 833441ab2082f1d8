package org_test

import (
	"context"
	"testing"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// TestByIDs reads several organisations at once, with their translated
// names, and leaves out ids that name none.
func TestByIDs(t *testing.T) {
	e := apptest.Start(t)
	ctx := context.Background()
	e.SignUp("Awa Diop", "awa@example.sn", pw)
	u, err := e.App.Accounts.UserByEmail(ctx, "awa@example.sn")
	if err != nil {
		t.Fatal(err)
	}
	v := &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}
	names := text.Text{Original: "en", Versions: map[string]text.Version{"en": {Text: "Senegal Data"}, "fr": {Text: "Données du Sénégal"}}}
	a, err := e.App.Orgs.Create(ctx, v, org.Input{Names: names, Slug: "sn-data", Kind: "enterprise", Country: "SN"}, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.App.Orgs.Create(ctx, v, org.Input{Name: "Dakar Ports", Slug: "dakar-ports", Kind: "enterprise", Country: "SN"}, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.App.Orgs.ByIDs(ctx, []string{a.ID, b.ID, a.ID, "no-such-org", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d organisations, want 2: %v", len(got), got)
	}
	if n := got[a.ID].NameIn("fr"); n.Text != "Données du Sénégal" || n.Lang != "fr" {
		t.Errorf("French reader: %+v", n)
	}
	if n := got[a.ID].NameIn("sw"); n.Text != "Senegal Data" || n.Lang != "en" {
		t.Errorf("Swahili reader: %+v", n)
	}
	if got[b.ID].Slug != "dakar-ports" || got[b.ID].NameIn("fr").Text != "Dakar Ports" {
		t.Errorf("second organisation: %+v", got[b.ID])
	}
	if none, err := e.App.Orgs.ByIDs(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no ids: %v %v", none, err)
	}
}
