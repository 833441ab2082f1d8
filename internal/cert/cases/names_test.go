package cases_test

import (
	"context"
	"encoding/json"
	"html/template"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
)

// rename gives a team of the world its name in the original language and
// translations, as its admin would on the organisation's form.
func (w *world) rename(slug, original string, names map[string]string) {
	w.t.Helper()
	t := text.Text{Original: original, Versions: map[string]text.Version{}}
	for l, s := range names {
		t.Versions[l] = text.Version{Text: s}
	}
	o := w.orgs[slug]
	if err := w.e.App.Orgs.Update(context.Background(), w.v(slug[:2]+"-admin"), o,
		org.Input{Names: t, Kind: string(o.Kind), Country: o.Country}, ""); err != nil {
		w.t.Fatal(err)
	}
}

// apiTeam is a team as the cases API names it.
type apiTeam struct {
	Name     string `json:"name"`
	NameLang string `json:"name_lang"`
}

// TestTeamNamesInTheReadersLanguage gives Kenya's and Ghana's CERTs names
// written in English and translated into French, and Senegal's one written
// in French and translated into English; then a French reader meets the
// French names and an English one the originals, in the case list, on the
// case page, on a hand-over for both sides, in the inbox, the timelines,
// the menus of teams (sorted as each reader sorts) and the API.
func TestTeamNamesInTheReadersLanguage(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.rename("ke-cert", "en", map[string]string{"en": "Kenya CERT", "fr": "CERT du Kenya"})
	w.rename("gh-cert", "en", map[string]string{"en": "Ghana CERT", "fr": "CERT du Ghana"})
	w.rename("sn-cert", "fr", map[string]string{"fr": "Agence de cybersécurité du Sénégal", "en": "Senegal Cyber Agency"})
	c := w.open("ke-analyst", "Phishing kit on a Kenyan host", "high")
	h, err := w.s.HandOver(ctx, w.v("ke-analyst"), c.ID, cases.HandOverInput{To: "gh-cert", Summary: "Please take the kit down."}, "")
	if err != nil {
		t.Fatal(err)
	}
	ke, gh := w.p["ke-analyst"].B, w.p["gh-analyst"].B
	// Someone who works for two teams chooses one when opening a case.
	both := w.person("ke-sn-analyst", nil)
	for _, slug := range []string{"ke-cert", "sn-cert"} {
		if err := w.e.App.Orgs.AddMember(ctx, slug, both.ID, []string{cert.RoleAnalyst}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []struct {
		lang, ke, gh string
		menu         []string // the receiving teams, in the reader's order
		own          []string // the two teams of ke-sn-analyst, in the reader's order
	}{
		{"fr", "CERT du Kenya", "CERT du Ghana", []string{"Agence de cybersécurité du Sénégal", "CERT du Ghana"},
			[]string{"Agence de cybersécurité du Sénégal", "CERT du Kenya"}},
		{"en", "Kenya CERT", "Ghana CERT", []string{"Ghana CERT", "Senegal Cyber Agency"}, []string{"Kenya CERT", "Senegal Cyber Agency"}},
	} {
		t.Run(r.lang, func(t *testing.T) {
			named := func(name string) string { return `lang="` + r.lang + `" dir="ltr">` + name + `<` }
			if body := ke.Get("/cert/cases?lang=" + r.lang).Body; !strings.Contains(body, `<td `+named(r.ke)) {
				t.Errorf("case list: no %s", named(r.ke))
			}
			body := ke.Get(c.Path() + "?lang=" + r.lang).Body
			for what, want := range map[string]string{
				"the case's team":          `<a href="/cert/teams/ke-cert" ` + named(r.ke),
				"its hand-over":            `<a href="/cert/handovers/` + h.ID + `" ` + named(r.gh),
				"the timeline's hand-over": `<bdi ` + named(r.gh),
			} {
				if !strings.Contains(body, want) {
					t.Errorf("case page, %s: no %s", what, want)
				}
			}
			fromTo := `<bdi ` + named(r.ke) + `/bdi> → <bdi ` + named(r.gh) + `/bdi>`
			if body := gh.Get(h.Path() + "?lang=" + r.lang).Body; !strings.Contains(body, fromTo) {
				t.Errorf("hand-over, receiving side: no %s", fromTo)
			}
			if body := ke.Get(h.Path() + "?lang=" + r.lang).Body; !strings.Contains(body, fromTo) {
				t.Errorf("hand-over, sending side: no %s", fromTo)
			}
			if body := gh.Get("/cert/handovers?lang=" + r.lang).Body; !strings.Contains(body, `<span `+named(r.ke)) {
				t.Errorf("inbox, incoming: no %s", named(r.ke))
			}
			if body := ke.Get("/cert/handovers?lang=" + r.lang).Body; !strings.Contains(body, `<span `+named(r.gh)) {
				t.Errorf("inbox, outgoing: no %s", named(r.gh))
			}
			// The notification of the hand-over names the sending team in
			// the reader's language too.
			want := w.e.App.Catalog.Printer(r.lang).T("cert.cases.note.handover_new", "team", r.ke, "title", c.Title)
			if body := gh.Get("/notifications?lang=" + r.lang).Body; !strings.Contains(body, template.HTMLEscapeString(want)) {
				t.Errorf("notifications: no %q", want)
			}
			menu := ke.Get(c.Path() + "/handover?lang=" + r.lang).Body
			first, second := strings.Index(menu, "\u2068"+r.menu[0]+"\u2069 ("), strings.Index(menu, "\u2068"+r.menu[1]+"\u2069 (")
			if first < 0 || second < first {
				t.Errorf("receiving teams: %q at %d, %q at %d", r.menu[0], first, r.menu[1], second)
			}
			form := both.B.Get("/cert/cases/new?lang=" + r.lang).Body
			first, second = strings.Index(form, `dir="ltr">`+r.own[0]+`</option>`), strings.Index(form, `dir="ltr">`+r.own[1]+`</option>`)
			if first < 0 || second < first || !strings.Contains(form, named(r.own[0])) {
				t.Errorf("team menu: %q at %d, %q at %d", r.own[0], first, r.own[1], second)
			}
			var got struct{ From, To apiTeam }
			if res := api(gh, "GET", "/api/v1/cert/handovers/"+h.ID+"?lang="+r.lang, nil); json.Unmarshal([]byte(res.Body), &got) != nil ||
				got.From != (apiTeam{r.ke, r.lang}) || got.To != (apiTeam{r.gh, r.lang}) {
				t.Errorf("hand-over API: %s", res.Body)
			}
			var list struct {
				Items []struct {
					ID    string  `json:"id"`
					Owner apiTeam `json:"owner_org"`
				} `json:"items"`
			}
			if res := api(ke, "GET", "/api/v1/cert/cases?lang="+r.lang, nil); json.Unmarshal([]byte(res.Body), &list) != nil ||
				len(list.Items) != 1 || list.Items[0].Owner != (apiTeam{r.ke, r.lang}) {
				t.Errorf("case list API: %s", res.Body)
			}
		})
	}
	// The receiving team accepts: its own case names the sender in the
	// reader's language, where it was received from and in its timeline.
	linked, err := w.s.Accept(ctx, w.v("gh-analyst"), h.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	body := gh.Get(linked.Path() + "?lang=fr").Body
	if want := `<h2 id="received">Transmis par <bdi lang="fr" dir="ltr">CERT du Kenya</bdi></h2>`; !strings.Contains(body, want) {
		t.Errorf("received case: no %s", want)
	}
	if want := `Transmission de <bdi lang="fr" dir="ltr">CERT du Kenya</bdi> acceptée`; !strings.Contains(body, want) {
		t.Errorf("received case's timeline: no %s", want)
	}
	if body := ke.Get(c.Path() + "?lang=fr").Body; !strings.Contains(body, `Transmis à <bdi lang="fr" dir="ltr">CERT du Ghana</bdi>`) {
		t.Error("sending case's timeline: the hand-over does not name Ghana's team in French")
	}
	// A change of the sending case's marking shows on the received one.
	if err := w.s.SetMarking(ctx, w.v("ke-analyst"), c.ID, "amber+strict", ""); err != nil {
		t.Fatal(err)
	}
	if body := gh.Get(linked.Path() + "?lang=fr").Body; !strings.Contains(body, `Cas lié chez <bdi lang="fr" dir="ltr">CERT du Kenya</bdi>`) {
		t.Error("received case's timeline: the marking change does not name Kenya's team in French")
	}
	// What people wrote stays text in an entry that is now HTML.
	task := `Block <script>alert("x")</script> & report`
	if _, err := w.s.AddTask(ctx, w.v("ke-analyst"), c.ID, cases.TaskInput{Title: &task}, ""); err != nil {
		t.Fatal(err)
	}
	if body := ke.Get(c.Path() + "?lang=en").Body; strings.Contains(body, `<script>alert`) ||
		!strings.Contains(body, `<p>Task added: Block &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; report</p>`) {
		t.Error("a task's title in the timeline is not escaped")
	}
	// A timeline entry written before entries kept the team's id shows the
	// name it kept.
	if _, err := w.e.App.DB.W.Exec(`UPDATE cert_case_events SET data = $1 WHERE case_id = $2 AND kind = 'handover_sent'`,
		`{"team": "GH-CERT", "marking": "amber"}`, c.ID); err != nil {
		t.Fatal(err)
	}
	if body := ke.Get(c.Path() + "?lang=fr").Body; !strings.Contains(body, `Transmis à GH-CERT (TLP:AMBER)`) {
		t.Error("an entry without the team's id lost its name")
	}
}

// TestWrittenTextTakesItsOwnDirection: a title typed in Arabic keeps its
// direction on an English page, in the list, on the case and in the
// hand-over inbox (the browser reads it from the text: dir="auto").
func TestWrittenTextTakesItsOwnDirection(t *testing.T) {
	w := newWorld(t)
	title := "رسائل تصيد تنتحل صفة بنك"
	c := w.open("ke-analyst", title, "high")
	if _, err := w.s.HandOver(context.Background(), w.v("ke-analyst"), c.ID, cases.HandOverInput{To: "gh-cert", Summary: "ملخص"}, ""); err != nil {
		t.Fatal(err)
	}
	ke, gh := w.p["ke-analyst"].B, w.p["gh-analyst"].B
	for where, body := range map[string]string{
		"case page": ke.Get(c.Path() + "?lang=en").Body,
		"case list": ke.Get("/cert/cases?lang=en").Body,
		"inbox":     gh.Get("/cert/handovers?lang=en").Body,
	} {
		if !strings.Contains(body, `dir="auto">`+title) {
			t.Errorf("%s: the title is not marked dir=auto", where)
		}
	}
}
