package membership_test

import (
	"context"
	"testing"

	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/text"
)

// TestMembersByCountry computes "network.members" on known data: members
// counted once per African country of their approved application or
// network profile; non-members, closed applications and countries outside
// Africa left out.
func TestMembersByCountry(t *testing.T) {
	w := newWorld(t)
	e := w.e
	ctx := context.Background()
	core := e.App.Network.Core
	owner := w.person("owner@example.cn")
	a := w.org(owner, "member-a", "enterprise", "CN")
	b := w.org(owner, "member-b", "enterprise", "HK")
	c := w.org(owner, "not-member", "enterprise", "CN")
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := e.App.DB.W.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	now := e.Clock.Now()
	app := func(id, orgID, status string, countries ...string) {
		exec(`INSERT INTO network_applications (id, org_name, activities, started_year, contact_name, contact_email, statement, status,
			submitted_by, created_at, updated_at, owner_org, marking, state) VALUES ($1, 'x', $2, 2015, 'x', 'x@example.cn', 'x', $3, 'seed', $4, $4, $5,
			'amber+strict', 'published')`, id, text.New("en", "x", "", now), status, now, orgID)
		for _, cc := range countries {
			exec(`INSERT INTO network_application_countries (application_id, country) VALUES ($1, $2)`, id, cc)
		}
	}
	app("a1", a.ID, "approved", "KE", "NG")
	app("a0", a.ID, "rejected", "GH") // an earlier, closed application
	app("c1", c.ID, "approved", "ET") // approved, then no longer in the group
	for _, p := range []struct{ org, cc string }{{a.ID, "KE"}, {a.ID, "CN"}, {b.ID, "ZA"}, {c.ID, "TZ"}} {
		exec(`INSERT INTO network_countries (org_id, country) VALUES ($1, $2)`, p.org, p.cc)
	}
	for _, id := range []string{a.ID, b.ID} {
		exec(`INSERT INTO group_members (group_id, org_id, added_at) VALUES ($1, $2, $3)`, core.Group.ID, id, now)
	}
	var ind indicators.Indicator
	for _, i := range e.App.Indicators.All() {
		if i.Key == "network.members" {
			ind = i
		}
	}
	if ind.Compute == nil || ind.Action != "1.2" || ind.By != "country" {
		t.Fatalf("indicator not declared: %+v", ind)
	}
	got, err := ind.Compute(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"KE": 1, "NG": 1, "ZA": 1}
	if got.Total != 2 || len(got.Breakdown) != len(want) {
		t.Fatalf("value %+v, want total 2 and %v", got, want)
	}
	for cc, n := range want {
		if got.Breakdown[cc] != n {
			t.Errorf("%s: %v, want %v", cc, got.Breakdown[cc], n)
		}
	}
}
