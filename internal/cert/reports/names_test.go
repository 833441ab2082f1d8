package reports_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
)

// rename gives an organisation its name in English with a French
// translation, as its admin would on the organisation's form.
func (w *world) rename(o *org.Org, admin *person, en, fr string) {
	w.t.Helper()
	names := text.Text{Original: "en", Versions: map[string]text.Version{"en": {Text: en}, "fr": {Text: fr}}}
	if err := w.e.App.Orgs.Update(context.Background(), w.viewer(admin), o, org.Input{Names: names, Kind: string(o.Kind), Country: o.Country}, ""); err != nil {
		w.t.Fatal(err)
	}
}

// TestTeamNamesInTheReadersLanguage: the team a report went to, the
// organisation it was made for and the team that forwarded it show in
// French to a French reader and in the original, English, to an English
// one — on the pages, in the form's menu and in the API.
func TestTeamNamesInTheReadersLanguage(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	gh, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	bank, bankAdmin := w.team("kcb", org.Enterprise, "KE", true)
	w.rename(ke, keAdmin, "Kenya CERT", "CERT du Kenya")
	w.rename(gh, ghAdmin, "Ghana CERT", "CERT du Ghana")
	w.rename(bank, bankAdmin, "Kenya Commercial Bank", "Banque commerciale du Kenya")
	if res := bankAdmin.B.Post("/cert/report?lang=en", reportForm(map[string]string{"reporter_org": bank.ID})); res.StatusCode != http.StatusOK {
		t.Fatalf("member report: %d", res.StatusCode)
	}
	id := w.lastReport()
	keAPI, ghAPI := w.api(keAdmin), w.api(ghAdmin)
	type apiReport struct {
		Team            string `json:"team"`
		TeamLang        string `json:"team_lang"`
		ReporterOrg     string `json:"reporter_org"`
		ReporterOrgLang string `json:"reporter_org_lang"`
	}
	langs := []struct{ lang, ke, gh, bank, forwarded string }{
		{"fr", "CERT du Kenya", "CERT du Ghana", "Banque commerciale du Kenya", "Transmis par"},
		{"en", "Kenya CERT", "Ghana CERT", "Kenya Commercial Bank", "Forwarded by"},
	}
	for _, r := range langs {
		t.Run(r.lang, func(t *testing.T) {
			named := func(name string) string { return `lang="` + r.lang + `" dir="ltr">` + name + `<` }
			if body := bankAdmin.B.Get("/cert/report?lang=" + r.lang).Body; !strings.Contains(body, `<option value="`+bank.ID+`" `+named(r.bank)) {
				t.Errorf("report form: the reporter's organisation is not %s", named(r.bank))
			}
			if body := keAdmin.B.Get("/cert/reports?lang=" + r.lang).Body; !strings.Contains(body, `<td `+named(r.ke)) {
				t.Errorf("queue: no %s", named(r.ke))
			}
			body := keAdmin.B.Get("/cert/reports/" + id + "?lang=" + r.lang).Body
			for what, want := range map[string]string{"team": `<span ` + named(r.ke), "reporter's organisation": `(<span ` + named(r.bank)} {
				if !strings.Contains(body, want) {
					t.Errorf("report page, %s: no %s", what, want)
				}
			}
			var got apiReport
			if res := keAPI.Get("/api/v1/cert/reports/" + id + "?lang=" + r.lang); json.Unmarshal([]byte(res.Body), &got) != nil ||
				got != (apiReport{r.ke, r.lang, r.bank, r.lang}) {
				t.Errorf("report API: %s", res.Body)
			}
			var list struct{ Items []apiReport }
			if res := keAPI.Get("/api/v1/cert/reports?lang=" + r.lang); json.Unmarshal([]byte(res.Body), &list) != nil ||
				len(list.Items) != 1 || list.Items[0] != (apiReport{r.ke, r.lang, r.bank, r.lang}) {
				t.Errorf("queue API: %s", res.Body)
			}
		})
	}
	if res := keAdmin.B.Post("/cert/reports/"+id+"/forward", url.Values{"country": {"GH"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("forward: %d", res.StatusCode)
	}
	for _, r := range langs {
		named := func(name string) string { return `lang="` + r.lang + `" dir="ltr">` + name + `<` }
		body := ghAdmin.B.Get("/cert/reports/" + id + "?lang=" + r.lang).Body
		if want := r.forwarded + ` <bdi ` + named(r.ke) + `/bdi>`; !strings.Contains(body, want) {
			t.Errorf("%s: forwarded report: no %s", r.lang, want)
		}
		if !strings.Contains(body, `<span `+named(r.gh)) {
			t.Errorf("%s: forwarded report: its team is not %s", r.lang, named(r.gh))
		}
		var got apiReport
		if res := ghAPI.Get("/api/v1/cert/reports/" + id + "?lang=" + r.lang); json.Unmarshal([]byte(res.Body), &got) != nil || got.Team != r.gh {
			t.Errorf("%s: forwarded report API: %s", r.lang, res.Body)
		}
	}
}
