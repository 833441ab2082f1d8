package lessons_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
)

// rename gives an organisation its name in the original language and a
// translation, as its admin would on the organisation's form.
func (w *world) rename(o *org.Org, admin *person, original string, names map[string]string) {
	w.t.Helper()
	t := text.Text{Original: original, Versions: map[string]text.Version{}}
	for l, s := range names {
		t.Versions[l] = text.Version{Text: s}
	}
	if err := w.e.App.Orgs.Update(context.Background(), w.viewer(admin), o, org.Input{Names: t, Kind: string(o.Kind), Country: o.Country}, ""); err != nil {
		w.t.Fatal(err)
	}
}

// TestTeamNamesInTheReadersLanguage: a lesson's team shows in French to a
// French reader and in the original, English, to an English one, in the
// list, on the lesson's page and in the API; the form's menu of the
// writer's teams is sorted by the names the reader sees.
func TestTeamNamesInTheReadersLanguage(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	sn, snAdmin := w.team("sn-cert", org.NationalCERT, "SN", true)
	w.rename(ke, keAdmin, "en", map[string]string{"en": "Kenya CERT", "fr": "CERT du Kenya"})
	w.rename(sn, snAdmin, "fr", map[string]string{"fr": "Agence de cybersécurité du Sénégal", "en": "Senegal Cyber Agency"})
	if err := w.e.App.Orgs.AddMember(t.Context(), sn.Slug, keAdmin.ID, []string{cert.RoleAnalyst}); err != nil {
		t.Fatal(err)
	}
	l := w.lesson(keAdmin, ke, "Hospital ransomware", sharing.Clear)
	reader := w.person("reader@example.org")
	// Search finds it by its team's name in any language.
	for _, q := range []string{"Kenya", "CERT+du+Kenya"} {
		if body := reader.B.Get("/cert/lessons?q=" + q + "&lang=fr").Body; !strings.Contains(body, l.Path()) {
			t.Errorf("search for %s: the lesson is not found", q)
		}
	}
	for _, r := range []struct {
		lang, ke string
		menu     []string
	}{
		{"fr", "CERT du Kenya", []string{"Agence de cybersécurité du Sénégal", "CERT du Kenya"}},
		{"en", "Kenya CERT", []string{"Kenya CERT", "Senegal Cyber Agency"}},
	} {
		t.Run(r.lang, func(t *testing.T) {
			named := func(name string) string { return `lang="` + r.lang + `" dir="ltr">` + name + `<` }
			if body := reader.B.Get("/cert/lessons?lang=" + r.lang).Body; !strings.Contains(body, `<p class="meta"><span `+named(r.ke)) {
				t.Errorf("list: no %s", named(r.ke))
			}
			if body := reader.B.Get(l.Path() + "?lang=" + r.lang).Body; !strings.Contains(body, `<a href="/cert/teams/ke-cert" `+named(r.ke)) {
				t.Errorf("lesson page: no %s", named(r.ke))
			}
			var got struct {
				Team struct {
					Name     string `json:"name"`
					NameLang string `json:"name_lang"`
				} `json:"team"`
			}
			if res := reader.B.Get("/api/v1/cert/lessons/" + l.ID + "?lang=" + r.lang); json.Unmarshal([]byte(res.Body), &got) != nil ||
				got.Team.Name != r.ke || got.Team.NameLang != r.lang {
				t.Errorf("lesson API: %s", res.Body)
			}
			form := keAdmin.B.Get("/cert/lessons/new?lang=" + r.lang).Body
			first, second := strings.Index(form, named(r.menu[0])), strings.Index(form, named(r.menu[1]))
			if first < 0 || second < first {
				t.Errorf("team menu: %q at %d, %q at %d", r.menu[0], first, r.menu[1], second)
			}
		})
	}
}
