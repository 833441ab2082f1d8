package observables_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/cert/observables"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

func TestPasteDefangedAndErrors(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	analyst := w.member(ke, "analyst@ke-cert.example", cert.RoleAnalyst)
	member := w.member(ke, "member@ke-cert.example", "member")
	gh, _ := w.team("gh-cert", "GH")
	_ = gh
	caseID := w.newCase(ke, "Phishing wave", sharing.Amber)
	text := "hxxps://Evil[.]Example[.]com/login?x=1\n198.51.100[.]7, user[@]bad(.)example\n# a comment\nthis-is-not-anything!!\n"

	t.Run("AnyInvalidLineStoresNothing", func(t *testing.T) {
		res, err := w.svc.Paste(ctx, w.viewer(analyst), caseID, observables.PasteInput{Text: text}, "")
		if !errs.Is(err, errs.Invalid) || res == nil || len(res.Problems) != 1 || res.Problems[0].Line != 4 {
			t.Fatalf("paste with a bad line: %v %+v", err, res)
		}
		if n := w.count(`SELECT COUNT(*) FROM cert_observables WHERE case_id = $1`, caseID); n != 0 {
			t.Errorf("%d observables stored from an invalid paste", n)
		}
	})
	t.Run("SkipInvalidStoresNormalised", func(t *testing.T) {
		res, err := w.svc.Paste(ctx, w.viewer(analyst), caseID, observables.PasteInput{Text: text, SkipInvalid: true, Labels: []string{"Phishing", " c2 "}}, "")
		if err != nil || res.Added != 3 || res.Merged != 0 || len(res.Problems) != 1 {
			t.Fatalf("paste skipping: %v %+v", err, res)
		}
		rows, err := w.e.App.DB.R.Query(`SELECT kind, value, original, marking, labels FROM cert_observables WHERE case_id = $1 ORDER BY value`, caseID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var kind, value, original, marking, labels string
			if err := rows.Scan(&kind, &value, &original, &marking, &labels); err != nil {
				t.Fatal(err)
			}
			if marking != "amber" || labels != "phishing,c2" {
				t.Errorf("%s: marking %s labels %q, want the case's marking and clean labels", value, marking, labels)
			}
			got = append(got, kind+" "+value+" <- "+original)
		}
		want := []string{"ipv4 198.51.100.7 <- 198.51.100[.]7", "url https://evil.example.com/login?x=1 <- hxxps://Evil[.]Example[.]com/login?x=1",
			"email user@bad.example <- user[@]bad(.)example"}
		slices.Sort(want)
		slices.Sort(got)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("stored:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("DuplicatesMerge", func(t *testing.T) {
		res, err := w.svc.Paste(ctx, w.viewer(analyst), caseID, observables.PasteInput{Text: "198.51.100.7 evil.example.com", Labels: []string{"new"}}, "")
		if err != nil || res.Added != 1 || res.Merged != 1 {
			t.Fatalf("second paste: %v %+v", err, res)
		}
		var labels string
		w.e.App.DB.R.QueryRow(`SELECT labels FROM cert_observables WHERE case_id = $1 AND value = '198.51.100.7'`, caseID).Scan(&labels)
		if labels != "phishing,c2,new" {
			t.Errorf("merged labels %q", labels)
		}
	})
	t.Run("OnlyEditors", func(t *testing.T) {
		for name, p := range map[string]*person{"plain member": member} {
			if _, err := w.svc.Paste(ctx, w.viewer(p), caseID, observables.PasteInput{Text: "203.0.113.9"}, ""); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s pastes: %v", name, err)
			}
		}
		_, ghAdmin := w.team("sn-cert", "SN")
		if _, err := w.svc.Paste(ctx, w.viewer(ghAdmin), caseID, observables.PasteInput{Text: "203.0.113.9"}, ""); !errs.Is(err, errs.NotFound) {
			t.Errorf("another team pastes into a case it cannot see: %v", err)
		}
		if _, err := w.svc.Paste(ctx, w.viewer(keAdmin), caseID, observables.PasteInput{Text: "203.0.113.9", Marking: "purple"}, ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("bad marking: %v", err)
		}
	})
	t.Run("FormShowsLineErrorsInTheUsersLanguage", func(t *testing.T) {
		before := w.count(`SELECT COUNT(*) FROM cert_observables`)
		res := analyst.B.Post("/cert/cases/"+caseID+"/observables?lang=fr", url.Values{"text": {"203.0.113.10\nhxxp://ok[.]example[.]net\n999.1.1.1"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("form with a bad line: %d", res.StatusCode)
		}
		for _, want := range []string{"Ligne 3", "999.1.1.1", "Certaines lignes ne sont pas valides", "203.0.113.10"} {
			if !strings.Contains(res.Body, want) {
				t.Errorf("form page lacks %q", want)
			}
		}
		if after := w.count(`SELECT COUNT(*) FROM cert_observables`); after != before {
			t.Errorf("a failed form stored %d observables", after-before)
		}
		res = analyst.B.Post("/cert/cases/"+caseID+"/observables", url.Values{"text": {"203.0.113.10\n999.1.1.1"}, "skip_invalid": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("form skipping: %d %s", res.StatusCode, res.Body)
		}
		if n := w.count(`SELECT COUNT(*) FROM cert_observables WHERE case_id = $1 AND value = '203.0.113.10'`, caseID); n != 1 {
			t.Errorf("skipping form stored %d", n)
		}
	})
	t.Run("API", func(t *testing.T) {
		c := w.api(analyst)
		res := c.Do("POST", "/api/v1/cert/cases/"+caseID+"/observables", strings.NewReader(`{"text": "192.0.2.0/24\nnope nope"}`), "application/json")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"line":2`) {
			t.Errorf("API paste with bad lines: %d %s", res.StatusCode, res.Body)
		}
		res = c.Do("POST", "/api/v1/cert/cases/"+caseID+"/observables", strings.NewReader(`{"text": "192.0.2.0/24", "marking": "amber+strict"}`), "application/json")
		if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, `"added":1`) {
			t.Errorf("API paste: %d %s", res.StatusCode, res.Body)
		}
	})
}

func TestIndicatorPatternStoredCanonical(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	caseA := w.newCase(ke, "Botnet", sharing.Green)
	caseB := w.newCase(ke, "Older botnet", sharing.Green)
	w.paste(keAdmin, caseB, "c2.evil.example.com\n10.9.8.7", "")
	src := "[domain-name:value = 'EVIL.example.com' ] OR [ipv4-addr:value='10.0.0.0/8'] AND [file:hashes.'SHA-256' = 'AB" + strings.Repeat("0", 62) + "']"
	id, err := w.svc.AddIndicator(ctx, w.viewer(keAdmin), caseA, observables.IndicatorInput{Pattern: src, Name: "Botnet C2"}, "")
	if err != nil {
		t.Fatal(err)
	}
	o, err := w.svc.Get(ctx, w.viewer(keAdmin), id)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := stix.ParsePattern(src)
	if o.Kind != observables.KindIndicator || o.Value != p.String() || o.Original != src || o.ValidFrom == nil {
		t.Errorf("stored %+v, want canonical %q", o, p.String())
	}
	var kinds []string
	for _, r := range o.Refs {
		kinds = append(kinds, r.Kind+"="+r.Value)
	}
	want := []string{"domain=evil.example.com", "cidr4=10.0.0.0/8", "sha256=ab" + strings.Repeat("0", 62)}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Errorf("refs %v, want %v", kinds, want)
	}
	// The indicator correlates by what its pattern refers to.
	m, err := w.svc.Correlate(ctx, w.viewer(keAdmin), observablesOf(o), []string{caseA}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, x := range m {
		values = append(values, x.Value)
	}
	slices.Sort(values)
	if strings.Join(values, " ") != "10.9.8.7 c2.evil.example.com" {
		t.Errorf("indicator correlations %v", values)
	}
	for _, bad := range []string{"", "[ipv4-addr:value = ", "domain-name:value = 'x'", strings.Repeat("[a:b = 'c'] OR ", 400) + "[a:b = 'c']"} {
		_, err := w.svc.AddIndicator(ctx, w.viewer(keAdmin), caseA, observables.IndicatorInput{Pattern: bad}, "")
		var e *errs.Error
		if !errs.Is(err, errs.Invalid) || !asErr(err, &e) || e.Fields["pattern"] == "" {
			t.Errorf("pattern %.30q: %v", bad, err)
		}
	}
	// The form takes a pattern too, and shows its error beside it.
	res := keAdmin.B.Post("/cert/cases/"+caseA+"/observables?lang=en", url.Values{"pattern": {"[ipv4-addr:value ="}, "labels": {"zqlabel"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "not a valid STIX 2.1 pattern") {
		t.Errorf("bad pattern form: %d", res.StatusCode)
	}
	// What was typed stays in the indicator form only, not in the paste form.
	if strings.Count(res.Body, `value="zqlabel"`) != 1 || !strings.Contains(res.Body, `id="f-ind-labels" name="labels" value="zqlabel"`) {
		t.Errorf("the typed labels show %d times, or not in the indicator form", strings.Count(res.Body, `value="zqlabel"`))
	}
}

func observablesOf(o *observables.Observable) []observable.Observable {
	var out []observable.Observable
	for _, r := range o.Refs {
		if r.Kind != "" {
			out = append(out, observable.Observable{Kind: observable.Kind(r.Kind), Value: r.Value})
		}
	}
	return out
}

func asErr(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestCorrelationOnlyInVisibleCases(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	gh, ghAdmin := w.team("gh-cert", "GH")
	mine := w.newCase(ke, "Kenya case", sharing.Amber)
	other := w.newCase(ke, "Kenya other case", sharing.Amber)
	ghHidden := w.newCase(gh, "Ghana secret case", sharing.Amber)
	ghShared := w.newCase(gh, "Ghana shared case", sharing.Amber)
	w.shareCase(ghShared, ke, gh)
	w.paste(keAdmin, other, "evil.example.com\n10.0.0.0/8\n192.0.2.55\nhttp://login.evil.example.com/a", "")
	// A CLEAR observable in a hidden case: visible by its marking, but its
	// case must never show.
	w.paste(ghAdmin, ghHidden, "sub.evil.example.com\n10.1.2.3", sharing.Clear)
	// The case is shared with Kenya, but an AMBER observable in it is not:
	// only the GREEN one shows.
	w.paste(ghAdmin, ghShared, "deep.sub.evil.example.com", sharing.Green)
	w.paste(ghAdmin, ghShared, "other.sub.evil.example.com", sharing.Amber)
	ids := w.paste(keAdmin, mine, "sub.evil.example.com\n10.1.2.3\n192.0.2.0/24", "")

	values := func(p *person, o observable.Observable) []string {
		t.Helper()
		m, err := w.svc.Correlate(ctx, w.viewer(p), []observable.Observable{o}, []string{mine}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range m {
			out = append(out, x.Value+"@"+x.CaseTitle)
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		o    observable.Observable
		want string
	}{
		{observable.Observable{Kind: observable.Domain, Value: "sub.evil.example.com"},
			"deep.sub.evil.example.com@Ghana shared case evil.example.com@Kenya other case"},
		{observable.Observable{Kind: observable.Domain, Value: "evil.example.com"},
			"deep.sub.evil.example.com@Ghana shared case evil.example.com@Kenya other case http://login.evil.example.com/a@Kenya other case"},
		{observable.Observable{Kind: observable.IPv4, Value: "10.1.2.3"}, "10.0.0.0/8@Kenya other case"},
		{observable.Observable{Kind: observable.CIDR4, Value: "192.0.2.0/24"}, "192.0.2.55@Kenya other case"},
	} {
		if got := strings.Join(values(keAdmin, c.o), " "); got != c.want {
			t.Errorf("%s: %s\nwant %s", c.o.Value, got, c.want)
		}
	}
	// The case page and the API show the same, and never the hidden case.
	for _, body := range []string{keAdmin.B.Get("/cert/cases/" + mine + "/observables").Body,
		w.api(keAdmin).Get("/api/v1/cert/cases/" + mine + "/observables").Body,
		w.api(keAdmin).Get("/api/v1/cert/observables/correlate?value=sub.evil[.]example[.]com").Body,
		keAdmin.B.Get("/cert/observables/" + ids[0]).Body} {
		if !strings.Contains(body, "Kenya other case") || !strings.Contains(body, "Ghana shared case") {
			t.Errorf("correlations missing from a page:\n%s", body)
		}
		if strings.Contains(body, "Ghana secret case") || strings.Contains(body, ghHidden) {
			t.Errorf("a hidden case shows through correlation")
		}
	}
	// Even the address alone does not hint at it: an outsider's correlate
	// finds nothing, though the CLEAR observables exist.
	res := w.e.Browser().Get("/api/v1/cert/observables/correlate?value=10.1.2.3")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"items":[]`) {
		t.Errorf("anonymous correlate: %d %s", res.StatusCode, res.Body)
	}
	// Ghana sees its own cases and nothing of Kenya's.
	if got := strings.Join(values(ghAdmin, observable.Observable{Kind: observable.Domain, Value: "evil.example.com"}), " "); got !=
		"deep.sub.evil.example.com@Ghana shared case other.sub.evil.example.com@Ghana shared case sub.evil.example.com@Ghana secret case" {
		t.Errorf("Ghana's correlations: %s", got)
	}
	res = w.e.Browser().Get("/api/v1/cert/observables/correlate?kind=domain&value=not..valid")
	if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad value: %d %s", res.StatusCode, res.Body)
	}
}

func TestHandOverVisibility(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	gh, ghAdmin := w.team("gh-cert", "GH")
	sn, snAdmin := w.team("sn-cert", "SN")
	origin := w.newCase(ke, "Origin case title", sharing.Amber)
	strict := w.paste(keAdmin, origin, "strict.example.org", sharing.AmberStrict)[0]
	green := w.paste(keAdmin, origin, "green.example.org", sharing.Green)[0]
	red := w.paste(keAdmin, origin, "red.example.org", sharing.Red)[0]
	kept := w.paste(keAdmin, origin, "kept.example.org", sharing.Amber)[0]
	linked := w.newCase(gh, "Linked case in Ghana", sharing.Amber)

	handable, err := w.svc.Handable(ctx, w.viewer(keAdmin), origin)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range handable {
		names = append(names, h.Value)
	}
	if slices.Contains(names, "red.example.org") || len(names) != 3 {
		t.Errorf("handable %v", names)
	}
	if _, err := w.svc.Handable(ctx, w.viewer(ghAdmin), origin); !errs.Is(err, errs.NotFound) {
		t.Errorf("another team lists the handable: %v", err)
	}

	// RED is refused, and the refusal changes nothing.
	err = w.svc.ShareWith(ctx, w.viewer(keAdmin), origin, []string{strict, red}, gh.ID, "")
	if !errs.Is(err, errs.Invalid) || errs.KeyOf(err) != "cert.observables.error.red_handover" {
		t.Fatalf("handing RED: %v", err)
	}
	if n := w.count(`SELECT COUNT(*) FROM shares WHERE record_type = 'cert.observable'`) + w.count(`SELECT COUNT(*) FROM cert_observable_handed`); n != 1 {
		// one: the RED observable names its creator
		t.Errorf("a refused hand-over left %d rows", n)
	}
	if err := w.svc.ShareWith(ctx, w.viewer(ghAdmin), origin, []string{strict}, sn.ID, ""); !errs.Is(err, errs.NotFound) {
		t.Errorf("a stranger hands over: %v", err)
	}
	// A share made by hand before the hand-over is not the hand-over's to take back.
	meta, err := w.e.App.Sharing.Meta(ctx, w.viewer(keAdmin), observables.TypeName, kept)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.e.App.Sharing.AddShare(ctx, w.viewer(keAdmin), meta, ke.ID, sharing.ToOrg, gh.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.ShareWith(ctx, w.viewer(keAdmin), origin, []string{strict, green, kept}, gh.ID, ""); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_observable_handed WHERE org_id = $1 AND share_id <> ''`, gh.ID); n != 1 {
		t.Errorf("%d shares recorded, want the AMBER+STRICT one only", n)
	}

	// Ghana sees the handed observables on its linked case, without the
	// origin case; Senegal sees nothing.
	list, err := w.svc.ListCase(ctx, w.viewer(ghAdmin), []string{linked, origin}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, o := range list {
		seen = append(seen, o.Value)
		if !o.Handed {
			t.Errorf("%s not marked as handed", o.Value)
		}
	}
	slices.Sort(seen)
	if strings.Join(seen, " ") != "green.example.org kept.example.org strict.example.org" {
		t.Errorf("Ghana sees %v", seen)
	}
	page := ghAdmin.B.Get("/cert/observables/" + strict)
	if page.StatusCode != http.StatusOK || strings.Contains(page.Body, "Origin case title") || strings.Contains(page.Body, "/cert/cases/"+origin) {
		t.Errorf("the handed observable's page: %d, reveals origin=%v", page.StatusCode, strings.Contains(page.Body, "Origin case title"))
	}
	if res := ghAdmin.B.Get("/cert/cases/" + origin + "/observables"); res.StatusCode != http.StatusNotFound {
		t.Errorf("Ghana opens the origin case's observables: %d", res.StatusCode)
	}
	for _, id := range []string{strict, green, red, kept} {
		if _, err := w.svc.Get(ctx, w.viewer(snAdmin), id); !errs.Is(err, errs.NotFound) {
			t.Errorf("Senegal sees %s: %v", id, err)
		}
	}
	// The block the case page embeds shows them on the linked case.
	r := httptest.NewRequest("GET", "/cert/cases/"+linked, nil).WithContext(web.WithViewer(ctx, w.viewer(ghAdmin)))
	section, err := w.svc.Section(r, &cert.CaseRef{ID: linked, OwnerOrg: gh.ID, Title: "Linked case in Ghana", Marking: sharing.Amber,
		From: []string{origin}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(section), "strict.example.org") || strings.Contains(string(section), "Origin case title") ||
		!strings.Contains(string(section), `action="/cert/cases/`+linked+`/observables"`) {
		t.Errorf("the section of the linked case:\n%s", section)
	}
	// Ghana's export of its linked case carries what was handed to it,
	// never the RED one nor the origin case itself.
	bundle, err := w.svc.ExportCase(ctx, w.viewer(ghAdmin), cert.CaseExport{ID: linked, Title: "Linked case in Ghana", Severity: "high",
		Status: cert.StatusInProgress, Marking: sharing.Amber, Created: w.e.Clock.Now(), TeamID: gh.ID, TeamName: "gh-cert", From: []string{origin}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"strict.example.org", "green.example.org", "kept.example.org"} {
		if !strings.Contains(string(bundle), want) {
			t.Errorf("the linked case's export lacks %s", want)
		}
	}
	if strings.Contains(string(bundle), "red.example.org") || strings.Contains(string(bundle), "Origin case title") {
		t.Errorf("the linked case's export carries the RED observable or the origin case")
	}

	// Correlation from Ghana's own case never points at the origin case.
	w.paste(ghAdmin, linked, "strict.example.org", sharing.Amber)
	m, err := w.svc.Correlate(ctx, w.viewer(ghAdmin), []observable.Observable{{Kind: observable.Domain, Value: "strict.example.org"}}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range m {
		if x.CaseID == origin {
			t.Errorf("correlation reveals the origin case")
		}
	}

	// Unshare takes back exactly what the hand-over gave.
	if err := w.svc.Unshare(ctx, origin, nil, gh.ID); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_observable_handed`); n != 0 {
		t.Errorf("%d hand-over records left", n)
	}
	if n := w.count(`SELECT COUNT(*) FROM shares WHERE record_type = 'cert.observable' AND record_id = $1`, strict); n != 0 {
		t.Errorf("the hand-over's share survived")
	}
	if n := w.count(`SELECT COUNT(*) FROM shares WHERE record_type = 'cert.observable' AND record_id = $1`, kept); n != 1 {
		t.Errorf("the share made by hand was taken back")
	}
	for _, id := range []string{strict, green} {
		if _, err := w.svc.Get(ctx, w.viewer(ghAdmin), id); !errs.Is(err, errs.NotFound) {
			t.Errorf("Ghana still sees %s after Unshare: %v", id, err)
		}
	}
	if n := w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'cert.observables.handed'`); n != 3 {
		t.Errorf("%d hand-overs in the audit log", n)
	}
}

func TestSightings(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	_, ghAdmin := w.team("gh-cert", "GH")
	_, snAdmin := w.team("sn-cert", "SN")
	open := w.newCase(ke, "Public advisory", sharing.Clear)
	id := w.paste(keAdmin, open, "198.51.100.20", sharing.Clear)[0]
	secret := w.newCase(ke, "Secret", sharing.Amber)
	hidden := w.paste(keAdmin, secret, "198.51.100.21", sharing.Amber)[0]

	if _, err := w.svc.AddSighting(ctx, w.viewer(snAdmin), hidden, observables.SightingInput{Count: 1, FirstSeen: w.e.Clock.Now()}, ""); !errs.Is(err, errs.NotFound) {
		t.Errorf("sighting of a hidden observable: %v", err)
	}
	if _, err := w.svc.AddSighting(ctx, w.viewer(ghAdmin), id, observables.SightingInput{Count: 0, FirstSeen: w.e.Clock.Now()}, ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("zero count: %v", err)
	}
	res := ghAdmin.B.Post("/cert/observables/"+id+"/sightings", url.Values{"count": {"3"}, "first_seen": {"2026-11-01"}, "last_seen": {"2026-11-20"},
		"source": {"Ghana sensor 7"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sighting form: %d %s", res.StatusCode, res.Body)
	}
	body := `{"count": 5, "first_seen": "2026-11-10T00:00:00Z", "source": "Dakar honeypot"}`
	if res := w.api(snAdmin).Do("POST", "/api/v1/cert/observables/"+id+"/sightings", strings.NewReader(body), "application/json"); res.StatusCode != http.StatusCreated {
		t.Fatalf("sighting API: %d %s", res.StatusCode, res.Body)
	}
	read := func(p *person) *observables.Sightings {
		t.Helper()
		var v *observables.Sightings
		var err error
		if p == nil {
			o, gerr := w.svc.Get(ctx, nil, id)
			if gerr != nil {
				t.Fatal(gerr)
			}
			v, err = w.svc.SightingsOf(ctx, nil, o)
		} else {
			o, gerr := w.svc.Get(ctx, w.viewer(p), id)
			if gerr != nil {
				t.Fatal(gerr)
			}
			v, err = w.svc.SightingsOf(ctx, w.viewer(p), o)
		}
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	owner := read(keAdmin)
	if owner.Total != 8 || owner.Teams != 2 || len(owner.Items) != 2 {
		t.Fatalf("owner's view %+v", owner)
	}
	var names []string
	for _, s := range owner.Items {
		names = append(names, s.OrgName+"/"+s.Source)
	}
	slices.Sort(names)
	if strings.Join(names, " ") != "Team gh-cert/Ghana sensor 7 Team sn-cert/Dakar honeypot" {
		t.Errorf("owner sees %v", names)
	}
	gh := read(ghAdmin)
	for _, s := range gh.Items {
		if (s.OrgName != "") != s.Mine || strings.Contains(s.Source, "Dakar") {
			t.Errorf("Ghana sees another team's sighting named: %+v", s)
		}
	}
	anon := read(nil)
	if anon.Total != 8 {
		t.Errorf("counts are for all who see the observable: %+v", anon)
	}
	for _, s := range anon.Items {
		if s.OrgName != "" || s.Source != "" {
			t.Errorf("anonymous sees names: %+v", s)
		}
	}
	if page := w.e.Browser().Get("/cert/observables/" + id); strings.Contains(page.Body, "Team gh-cert") || !strings.Contains(page.Body, "Times seen: 8") ||
		!strings.Contains(page.Body, "Public advisory") {
		t.Errorf("public page shows a team name, or misses the count or the (public) case")
	}
}

func TestExportCase(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	keMember := w.member(ke, "member@ke-cert.example", "member")
	gh, ghAdmin := w.team("gh-cert", "GH")
	caseID := w.newCase(ke, "Ransomware in a ministry", sharing.Amber)
	w.shareCase(caseID, gh, ke)
	w.paste(keAdmin, caseID, "hxxp://pay[.]ransom[.]example/x\n203.0.113.0/24\n"+strings.Repeat("a", 64)+"\nfilename:invoice.pdf.exe\nvictim@mail.example", sharing.Green)
	w.paste(keAdmin, caseID, "strict.ransom.example", sharing.AmberStrict)
	w.paste(keAdmin, caseID, "red.ransom.example", sharing.Red)
	if _, err := w.svc.AddIndicator(ctx, w.viewer(keAdmin), caseID, observables.IndicatorInput{Pattern: "[url:value = 'http://pay.ransom.example/x']",
		Name: "Payment page"}, ""); err != nil {
		t.Fatal(err)
	}
	c := cert.CaseExport{ID: caseID, Title: "Ransomware in a ministry", Summary: "Files encrypted", Category: "malicious-code", Severity: "high",
		Status: cert.StatusInProgress, Marking: sharing.Amber, Created: w.e.Clock.Now(), Modified: w.e.Clock.Now(), TeamID: ke.ID, TeamName: "Team ke-cert"}
	export := func(p *person) (*stix.Bundle, string) {
		t.Helper()
		raw, err := w.svc.ExportCase(ctx, w.viewer(p), c, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := stix.ParseBundle(bytes.NewReader(raw), stix.Limits{})
		if err != nil {
			t.Fatalf("the export does not validate: %v\n%s", err, raw)
		}
		return b, string(raw)
	}
	b, raw := export(keAdmin)
	types := map[string]int{}
	for _, o := range b.Objects {
		types[o.Type]++
	}
	want := map[string]int{"identity": 1, "incident": 1, "indicator": 1, "observed-data": 7, "relationship": 8, "marking-definition": 4,
		"url": 1, "ipv4-addr": 1, "file": 2, "email-addr": 1, "domain-name": 2}
	for typ, n := range want {
		if types[typ] != n {
			t.Errorf("%d %s objects, want %d (%v)", types[typ], typ, n, types)
		}
	}
	var incident struct {
		Extensions map[string]map[string]any `json:"extensions"`
	}
	for _, o := range b.Objects {
		if o.Type == "incident" {
			json.Unmarshal(o.Raw, &incident)
		}
	}
	core := incident.Extensions[stix.IncidentCoreExtension]
	if core["extension_type"] != "property-extension" || core["investigation_status"] != "open" || core["determination"] != "suspected" ||
		core["criticality"] != float64(75) {
		t.Errorf("incident core extension %v", core)
	}
	for _, id := range []string{stix.TLP2Green, stix.TLP2Amber, stix.TLP2AmberStrict, stix.TLP2Red} {
		if !strings.Contains(raw, id) {
			t.Errorf("marking %s missing", id)
		}
	}
	// Only what the viewer may see: a plain member of the owner does not
	// see RED; Ghana, which the case is shared with, sees the GREEN
	// observables but neither the AMBER indicator (not shared with it),
	// nor RED, nor AMBER+STRICT.
	_, raw = export(keMember)
	if strings.Contains(raw, "red.ransom.example") || !strings.Contains(raw, "strict.ransom.example") {
		t.Errorf("member's export: red=%v", strings.Contains(raw, "red.ransom.example"))
	}
	_, raw = export(ghAdmin)
	if strings.Contains(raw, "red.ransom.example") || strings.Contains(raw, "strict.ransom.example") || !strings.Contains(raw, "pay.ransom.example") ||
		strings.Contains(raw, `"type":"indicator"`) || strings.Contains(raw, "Payment page") {
		t.Errorf("Ghana's export leaks or misses")
	}
	_, snAdmin := w.team("sn-cert", "SN")
	if _, err := w.svc.ExportCase(ctx, w.viewer(snAdmin), c, nil); !errs.Is(err, errs.NotFound) {
		t.Errorf("a stranger exports the case: %v", err)
	}
	// A selection: the chosen observable only, and never one the viewer
	// may not see even when named.
	strict := w.count(`SELECT COUNT(*) FROM cert_observables WHERE value = 'strict.ransom.example'`)
	var strictID, redID string
	w.e.App.DB.R.QueryRow(`SELECT id FROM cert_observables WHERE value = 'strict.ransom.example'`).Scan(&strictID)
	w.e.App.DB.R.QueryRow(`SELECT id FROM cert_observables WHERE value = 'red.ransom.example'`).Scan(&redID)
	if strict != 1 || strictID == "" || redID == "" {
		t.Fatal("no observables to select")
	}
	sel, err := w.svc.ExportCase(ctx, w.viewer(keMember), c, []string{strictID, redID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sel), "strict.ransom.example") || strings.Contains(string(sel), "red.ransom.example") ||
		strings.Contains(string(sel), "pay.ransom.example") {
		t.Errorf("the selection's export carries the wrong observables")
	}
}

func TestDelete(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	member := w.member(ke, "member@ke-cert.example", "member")
	gh, ghAdmin := w.team("gh-cert", "GH")
	origin := w.newCase(ke, "Origin", sharing.Amber)
	id := w.paste(keAdmin, origin, "gone.example.org", sharing.AmberStrict)[0]
	if err := w.svc.ShareWith(ctx, w.viewer(keAdmin), origin, []string{id}, gh.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AddSighting(ctx, w.viewer(ghAdmin), id, observables.SightingInput{Count: 2, FirstSeen: w.e.Clock.Now()}, ""); err != nil {
		t.Fatal(err)
	}
	// The receiving team and plain members may not delete it.
	if err := w.svc.Delete(ctx, w.viewer(ghAdmin), id, ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("receiver deletes: %v", err)
	}
	if res := member.B.Post("/cert/observables/"+id+"/delete", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("member deletes: %d", res.StatusCode)
	}
	if res := w.api(keAdmin).Do("DELETE", "/api/v1/cert/observables/"+id, nil, ""); res.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.StatusCode, res.Body)
	}
	for table, q := range map[string]string{
		"observable": `SELECT COUNT(*) FROM cert_observables WHERE id = $1`, "terms": `SELECT COUNT(*) FROM cert_observable_terms WHERE observable_id = $1`,
		"hand-over": `SELECT COUNT(*) FROM cert_observable_handed WHERE observable_id = $1`, "sightings": `SELECT COUNT(*) FROM cert_observable_sightings WHERE observable_id = $1`,
		"shares": `SELECT COUNT(*) FROM shares WHERE record_id = $1`} {
		if n := w.count(q, id); n != 0 {
			t.Errorf("%d %s rows left", n, table)
		}
	}
	if _, err := w.svc.Get(ctx, w.viewer(ghAdmin), id); !errs.Is(err, errs.NotFound) {
		t.Errorf("receiver still sees it: %v", err)
	}
}

// TestCorrelateManyAgrees: the case page's one query gives each observable
// what Correlate alone gives it, for every viewer, including when a limit
// cuts a list and when two observables of the page share terms.
func TestCorrelateManyAgrees(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	gh, ghAdmin := w.team("gh-cert", "GH")
	mine := w.newCase(ke, "Kenya case", sharing.Amber)
	other := w.newCase(ke, "Kenya other case", sharing.Amber)
	ghHidden := w.newCase(gh, "Ghana secret case", sharing.Amber)
	ghShared := w.newCase(gh, "Ghana shared case", sharing.Amber)
	w.shareCase(ghShared, ke, gh)
	w.paste(keAdmin, other, "evil.example.com\n10.0.0.0/8\n192.0.2.55\n192.0.2.56\nhttp://login.evil.example.com/a\nmail@evil.example.com", "")
	w.paste(ghAdmin, ghHidden, "sub.evil.example.com\n10.1.2.3", sharing.Clear)
	w.paste(ghAdmin, ghShared, "deep.sub.evil.example.com\n192.0.2.57", sharing.Green)
	w.paste(ghAdmin, ghShared, "other.sub.evil.example.com", sharing.Amber)
	w.paste(keAdmin, mine, "sub.evil.example.com\nevil.example.com\n10.1.2.3\n192.0.2.0/24\nhttp://evil.example.com/x\nnothing.example.org", "")
	for _, p := range []*person{keAdmin, ghAdmin} {
		v := w.viewer(p)
		list, err := w.svc.ListCase(ctx, v, []string{mine}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if p == keAdmin && len(list) != 6 {
			t.Fatalf("%d observables on the case, want 6", len(list))
		}
		// Each observable alone, then all of them as one group (as an
		// indicator whose pattern names several values).
		var groups [][]observable.Observable
		var all []observable.Observable
		for _, o := range list {
			k := observable.Observable{Kind: observable.Kind(o.Kind), Value: o.Value}
			groups = append(groups, []observable.Observable{k})
			all = append(all, k)
		}
		groups = append(groups, all, nil)
		for _, limit := range []int{1, 2, 10} {
			many, err := w.svc.CorrelateMany(ctx, v, groups, []string{mine}, limit)
			if err != nil {
				t.Fatal(err)
			}
			for i, g := range groups {
				one, err := w.svc.Correlate(ctx, v, g, []string{mine}, limit)
				if err != nil {
					t.Fatal(err)
				}
				if one == nil {
					one = []observables.Match{}
				}
				if !slices.Equal(one, many[i]) {
					t.Errorf("%s, limit %d, group %d %v: alone %v, with the page %v", p.Email, limit, i, g, one, many[i])
				}
			}
			// Not vacuous: Kenya's page correlates with several visible observables.
			if p == keAdmin && limit == 10 && len(many[len(groups)-2]) < 6 {
				t.Fatalf("the whole page correlates with %d observables, want at least 6", len(many[len(groups)-2]))
			}
		}
	}
}
