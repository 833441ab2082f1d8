package observables_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/taxii"
	"harambee.africa/harambee/internal/sharing"
)

// TestIntelFromCollections: an observable's page names the STIX objects
// that carry its value in the TAXII collections the viewer reads, and
// never those of a collection the viewer may not read.
func TestIntelFromCollections(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	gh, ghAdmin := w.team("gh-cert", "GH")
	c := w.e.App.Cert
	for _, slug := range []string{"ke-cert", "gh-cert"} {
		o, err := w.e.App.Orgs.BySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetFounding(ctx, w.admin, o, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	circle, err := c.CreateCircle(ctx, w.viewer(ghAdmin), gh.ID, "ghana-only", "Ghana only")
	if err != nil {
		t.Fatal(err)
	}
	indicator := func(n, value string) json.RawMessage {
		return json.RawMessage(`{"type":"indicator","spec_version":"2.1","id":"indicator--6f1c3d0e-2f4a-4c83-9d6e-1a7b8c9d0e0` + n +
			`","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"zq intel ` + n +
			`","pattern":"[domain-name:value = '` + value + `']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}`)
	}
	store := w.e.App.CertParts.TAXII
	if _, err := store.ImportObjects(ctx, taxii.PublicID, []json.RawMessage{indicator("1", "evil.example.org")}, gh.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportObjects(ctx, taxii.CircleCollectionID(circle.ID), []json.RawMessage{indicator("2", "hidden.example.org")}, gh.ID); err != nil {
		t.Fatal(err)
	}
	k := w.newCase(ke, "Kenyan case", sharing.Amber)
	evil := w.paste(keAdmin, k, "login.evil.example.org", sharing.Amber)[0]
	hidden := w.paste(keAdmin, k, "hidden.example.org", sharing.Amber)[0]
	if page := keAdmin.B.Get("/cert/observables/" + evil).Body; !strings.Contains(page, "zq intel 1") || !strings.Contains(page, "Public") {
		t.Errorf("the public collection's indicator for the parent domain is not on the page")
	}
	if page := keAdmin.B.Get("/cert/observables/" + hidden).Body; strings.Contains(page, "zq intel 2") || strings.Contains(page, "Ghana only") {
		t.Errorf("a circle the team is not in shows on its observable's page")
	}
	// Ghana, in the circle, would see it on an observable of its own.
	g := w.newCase(gh, "Ghanaian case", sharing.Amber)
	own := w.paste(ghAdmin, g, "hidden.example.org", sharing.Amber)[0]
	if page := ghAdmin.B.Get("/cert/observables/" + own).Body; !strings.Contains(page, "zq intel 2") {
		t.Errorf("the circle's member does not see its collection's indicator")
	}
}
