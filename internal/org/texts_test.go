package org_test

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// sideBySide is the organisation form as a browser submits it, with the
// name and description written side by side.
func sideBySide(slug, nameOrig string, names map[string]string, descOrig string, descs map[string]string) url.Values {
	v := url.Values{"slug": {slug}, "kind": {"enterprise"}, "country": {"SN"}, "name.original": {nameOrig}, "description.original": {descOrig}}
	for l, s := range names {
		v.Set("name."+l, s)
	}
	for l, s := range descs {
		v.Set("description."+l, s)
	}
	return v
}

// apiOrg is an organisation as the API returns it.
type apiOrg struct {
	Slug            string    `json:"slug"`
	Name            string    `json:"name"`
	NameLang        string    `json:"name_lang"`
	Names           text.Text `json:"names"`
	Description     string    `json:"description"`
	DescriptionLang string    `json:"description_lang"`
	Descriptions    text.Text `json:"descriptions"`
}

func apiList(t *testing.T, b *apptest.Browser, path string) []apiOrg {
	t.Helper()
	res := b.Get(path)
	var list struct{ Items []apiOrg }
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(res.Body), &list) != nil {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, res.Body)
	}
	return list.Items
}

func apiClient(t *testing.T, e *apptest.Env, b *apptest.Browser) *apptest.Browser {
	t.Helper()
	res := b.Post("/account/tokens", url.Values{"name": {"api"}, "scopes": {"read", "write"}})
	secret := apptest.Between(res.Body, `<code class="secret">`, `</code>`)
	if secret == "" {
		t.Fatalf("no token: %d", res.StatusCode)
	}
	c := e.Browser()
	c.Header.Set("Authorization", "Bearer "+secret)
	return c
}

// TestReadersSeeTheirLanguage checks the fallback order wherever a reader
// meets an organisation: their language, then English, then the original.
func TestReadersSeeTheirLanguage(t *testing.T) {
	e := apptest.Start(t)
	owner := e.SignUp("Awa Diop", "awa@example.sn", pw)
	for _, form := range []url.Values{
		sideBySide("donnees-teranga", "fr", map[string]string{"fr": "Données Teranga", "en": "Teranga Data", "zh-Hans": "特兰加数据"},
			"fr", map[string]string{"fr": "Une bourse de données.", "en": "A data exchange."}),
		sideBySide("marche-du-fleuve", "fr", map[string]string{"fr": "Marché du Fleuve", "zh-Hans": "河流市场"}, "fr", nil),
	} {
		if res := owner.Post("/orgs", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
	}
	cases := []struct {
		lang, slug, name, nameLang, desc string
	}{
		{"zh-Hans", "donnees-teranga", "特兰加数据", "zh-Hans", "A data exchange."}, // own language, then English
		{"sw", "donnees-teranga", "Teranga Data", "en", "A data exchange."},
		{"fr", "donnees-teranga", "Données Teranga", "fr", "Une bourse de données."},
		{"ar", "marche-du-fleuve", "Marché du Fleuve", "fr", ""}, // no English: the original
		{"zh-Hans", "marche-du-fleuve", "河流市场", "zh-Hans", ""},
	}
	for _, c := range cases {
		t.Run(c.lang+"/"+c.slug, func(t *testing.T) {
			heading := `lang="` + c.nameLang + `" dir="ltr">` + c.name + `</`
			if res := e.Browser().Get("/orgs?lang=" + c.lang); !strings.Contains(res.Body, `<strong `+heading) {
				t.Errorf("directory: no %s", heading)
			}
			res := e.Browser().Get("/orgs/" + c.slug + "?lang=" + c.lang)
			if !strings.Contains(res.Body, `<h1 `+heading) || c.desc != "" && !strings.Contains(res.Body, c.desc) {
				t.Errorf("profile: no %s or %q", heading, c.desc)
			}
			original := c.nameLang != "fr"
			if got := strings.Contains(res.Body, `<p class="meta"><bdi lang="fr" dir="ltr">`); got != original {
				t.Errorf("profile shows the original name beside a translation: %v, want %v", got, original)
			}
			var found bool
			for _, it := range apiList(t, e.Browser(), "/api/v1/orgs?lang="+c.lang) {
				if it.Slug == c.slug {
					found = it.Name == c.name && it.NameLang == c.nameLang && it.Description == c.desc && it.Names.Original == "fr"
				}
			}
			if !found {
				t.Error("API list: not in the reader's language")
			}
			b := e.Browser()
			b.Header.Set("Accept-Language", c.lang+";q=0.9, de;q=0.5")
			res = b.Get("/api/v1/orgs/" + c.slug)
			var one apiOrg
			if json.Unmarshal([]byte(res.Body), &one) != nil || one.Name != c.name || len(one.Names.Versions) < 2 {
				t.Errorf("API with Accept-Language: %s", res.Body)
			}
		})
	}
	t.Run("PersonalSetting", func(t *testing.T) {
		if _, err := e.App.Accounts.Create(t.Context(), account.NewUser{Email: "li@example.cn", Name: "李娜", Password: pw,
			Locale: "zh-Hans", Confirmed: true}); err != nil {
			t.Fatal(err)
		}
		b := e.Browser()
		b.Header.Set("Accept-Language", "en")
		if res := b.Post("/signin", url.Values{"email": {"li@example.cn"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %d", res.StatusCode)
		}
		var one apiOrg
		if res := b.Get("/api/v1/orgs/donnees-teranga"); json.Unmarshal([]byte(res.Body), &one) != nil || one.Name != "特兰加数据" {
			t.Fatalf("a reader whose setting is Chinese: %s", res.Body)
		}
	})
}

// TestTranslationsRecordTheirAuthors goes round the side-by-side form: a
// translation added by a second administrator is theirs, and the original
// keeps its author and time.
func TestTranslationsRecordTheirAuthors(t *testing.T) {
	e := apptest.Start(t)
	owner := e.SignUp("Wang Fang", "wang.fang@example.cn", pw)
	form := sideBySide("silk-cloud", "zh-Hans", map[string]string{"zh-Hans": "丝路云科技"}, "zh-Hans", map[string]string{"zh-Hans": "为非洲企业提供云计算服务。"})
	form.Set("country", "CN")
	if res := owner.Post("/orgs", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	created := e.Clock.Now()
	translator := e.SignUp("Amina Otieno", "amina@example.ke", pw)
	owner.Post("/orgs/silk-cloud/invitations", url.Values{"email": {"amina@example.ke"}, "roles": {"admin"}})
	m, _ := e.Mail.Last("amina@example.ke", "mail.invitation.subject")
	translator.Post(e.PathOf(m.Arg("link")), nil)
	wang, _ := e.App.Accounts.UserByEmail(t.Context(), "wang.fang@example.cn")
	amina, _ := e.App.Accounts.UserByEmail(t.Context(), "amina@example.ke")

	e.Clock.Advance(time.Hour)
	res := translator.Get("/orgs/silk-cloud/edit")
	for _, want := range []string{`name="name.zh-Hans" lang="zh-Hans" dir="ltr" value="丝路云科技"`, `name="name.en" lang="en" dir="ltr" value=""`,
		`<option value="zh-Hans" selected>`, `>为非洲企业提供云计算服务。</textarea>`} {
		if !strings.Contains(res.Body, want) {
			t.Fatalf("edit form lacks %s", want)
		}
	}
	form.Set("name.en", "Silk Road Cloud")
	form.Set("description.en", "Cloud services for African businesses.")
	if res := translator.Post("/orgs/silk-cloud/edit", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("translate: %d %s", res.StatusCode, res.Body)
	}
	o, _ := e.App.Orgs.BySlug(t.Context(), "silk-cloud")
	want := map[string]text.Version{"zh-Hans": {Text: "丝路云科技", By: wang.ID, At: created}, "en": {Text: "Silk Road Cloud", By: amina.ID, At: created.Add(time.Hour)}}
	if !reflect.DeepEqual(o.Names.Versions, want) || o.Names.Original != "zh-Hans" || o.Name != "丝路云科技" {
		t.Fatalf("names %+v, want %+v", o.Names, want)
	}
	if d := o.Description.Versions; d["zh-Hans"].By != wang.ID || d["en"].By != amina.ID || d["en"].Text != "Cloud services for African businesses." {
		t.Fatalf("description %+v", o.Description)
	}

	t.Run("SavingAgainKeepsAuthors", func(t *testing.T) {
		e.Clock.Advance(time.Hour)
		owner.Post("/orgs/silk-cloud/edit", form)
		again, _ := e.App.Orgs.BySlug(t.Context(), "silk-cloud")
		if !reflect.DeepEqual(again.Names, o.Names) || !reflect.DeepEqual(again.Description, o.Description) {
			t.Fatalf("an unchanged save changed the authors: %+v", again.Names)
		}
		form.Set("name.en", "Silk Road Cloud Technology")
		owner.Post("/orgs/silk-cloud/edit", form)
		again, _ = e.App.Orgs.BySlug(t.Context(), "silk-cloud")
		if v := again.Names.Versions["en"]; v.By != wang.ID || !v.At.Equal(e.Clock.Now()) || !again.Names.Versions["zh-Hans"].At.Equal(created) {
			t.Fatalf("a changed translation: %+v", again.Names)
		}
	})

	t.Run("OnlyMembersSeeWho", func(t *testing.T) {
		if res := owner.Get("/orgs/silk-cloud?lang=en"); !strings.Contains(res.Body, `<bdi lang="zh-Hans" dir="ltr">丝路云科技</bdi> · 中文 · original, written by Wang Fang`) ||
			!strings.Contains(res.Body, "English · translated by Amina Otieno") {
			t.Errorf("a member does not see who wrote each version")
		}
		res := e.Browser().Get("/orgs/silk-cloud?lang=en")
		if strings.Contains(res.Body, "Amina Otieno") || strings.Contains(res.Body, "translated by") {
			t.Error("an outsider sees who translated")
		}
		if !strings.Contains(res.Body, `<h1 lang="en" dir="ltr">Silk Road Cloud Technology</h1>`) {
			t.Error("the profile does not show the English name")
		}
		if body := e.Browser().Get("/api/v1/orgs/silk-cloud").Body; strings.Contains(body, amina.ID) || strings.Contains(body, `"by"`) {
			t.Errorf("the public API names authors: %s", body)
		}
		var one apiOrg
		json.Unmarshal([]byte(owner.Get("/api/v1/orgs/silk-cloud").Body), &one)
		if one.Descriptions.Versions["en"].By != amina.ID {
			t.Errorf("a member's API view lacks the authors: %+v", one.Descriptions)
		}
	})
}

// TestBadTextsChangeNothing refuses texts without their original version,
// too long, or with control characters, in the reader's language, through
// the form, the API and the service.
func TestBadTextsChangeNothing(t *testing.T) {
	e := apptest.Start(t)
	owner := e.SignUp("Baraka Mollel", "baraka@example.tz", pw)
	good := sideBySide("kibo-data", "sw", map[string]string{"sw": "Data ya Kibo", "en": "Kibo Data"}, "sw", map[string]string{"sw": "Soko la data."})
	if res := owner.Post("/orgs", good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	before, _ := e.App.Orgs.BySlug(t.Context(), "kibo-data")
	with := func(change func(url.Values)) url.Values {
		v := url.Values{}
		maps.Copy(v, good)
		for k := range v {
			v[k] = append([]string(nil), v[k]...)
		}
		change(v)
		return v
	}
	cases := []struct {
		name   string
		form   url.Values
		status int
		field  string // the input the error is beside, "" for a whole-page error
		msg    string // in French
	}{
		{"NoOriginal", with(func(v url.Values) { v.Del("name.sw") }), 422, "f-name.sw", "Saisissez le texte dans sa langue d&#39;origine."},
		{"OriginalChangedToAMissingVersion", with(func(v url.Values) { v.Set("name.original", "fr") }), 422, "f-name.fr", "Saisissez le texte dans sa langue d&#39;origine."},
		{"DescriptionWithoutOriginal", with(func(v url.Values) { v.Del("description.sw"); v.Set("description.en", "A data market.") }), 422, "f-description.sw",
			"Saisissez le texte dans sa langue d&#39;origine."},
		{"UnknownOriginal", with(func(v url.Values) { v.Set("name.original", "tlh") }), 422, "", "Choisissez la langue dans laquelle le texte a été rédigé."},
		{"NameTooLong", with(func(v url.Values) { v.Set("name.en", strings.Repeat("数", org.MaxName+1)) }), 422, "f-name.en", "Le nom est trop long"},
		{"DescriptionTooLong", with(func(v url.Values) { v.Set("description.sw", strings.Repeat("a", org.MaxDescription+1)) }), 422, "f-description.sw",
			"La description est trop longue"},
		{"LineBreakInName", with(func(v url.Values) { v.Set("name.en", "Kibo\nData") }), 422, "f-name.en", "Écrivez le nom sur une seule ligne."},
		{"ControlCharacter", with(func(v url.Values) { v.Set("name.en", "Kibo\x07Data") }), 422, "", "caractères de contrôle"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := owner.Post("/orgs/kibo-data/edit?lang=fr", c.form)
			if res.StatusCode != c.status || !strings.Contains(res.Body, c.msg) {
				t.Fatalf("%d, want %d with %q:\n%s", res.StatusCode, c.status, c.msg, res.Body)
			}
			if c.field != "" && !strings.Contains(res.Body, `<p class="field invalid"><label for="`+c.field+`">`) {
				t.Errorf("no error beside %s", c.field)
			}
			after, _ := e.App.Orgs.BySlug(t.Context(), "kibo-data")
			if !reflect.DeepEqual(after, before) {
				t.Fatalf("a refused edit changed the organisation: %+v", after)
			}
		})
	}
	t.Run("LongestAccepted", func(t *testing.T) {
		form := with(func(v url.Values) {
			v.Set("name.zh-Hans", strings.Repeat("数", org.MaxName))
			v.Set("description.en", strings.Repeat("é", org.MaxDescription))
		})
		if res := owner.Post("/orgs/kibo-data/edit", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%d %s", res.StatusCode, res.Body)
		}
		owner.Post("/orgs/kibo-data/edit", good)
		before, _ = e.App.Orgs.BySlug(t.Context(), "kibo-data")
	})

	api := apiClient(t, e, owner) // answers in French: ?lang= outranks the owner's own setting
	count := func() int {
		orgs, _, err := e.App.Orgs.List(t.Context(), org.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(orgs)
	}
	n := count()
	for _, c := range []struct{ name, body, field, msg string }{
		{"NoOriginal", `{"name": {"original": "fr", "versions": {"en": {"text": "Kivu Data"}}}}`, "name.fr", "Saisissez le texte dans sa langue d'origine."},
		{"PlainNameTooLong", `{"name": "` + strings.Repeat("k", org.MaxName+1) + `"}`, "name.en", "Le nom est trop long"},
		{"DescriptionTooLong", `{"name": "Kivu", "lang": "sw", "description": "` + strings.Repeat("k", org.MaxDescription+1) + `"}`, "description.sw",
			"La description est trop longue"},
		{"UnknownLanguage", `{"name": {"original": "en", "versions": {"en": {"text": "Kivu"}, "tlh": {"text": "Qivu"}}}}`, "name",
			"Les textes ne peuvent être fournis que dans les six langues de la plateforme."},
		{"UnknownLang", `{"name": "Kivu", "lang": "tlh"}`, "lang", "Choisissez la langue dans laquelle le texte a été rédigé."},
		{"ControlCharacter", `{"name": "Kivu\u0007"}`, "", "caractères de contrôle"},
		{"UnknownTextField", `{"name": {"original": "en", "versions": {"en": {"text": "Kivu", "colour": "red"}}}}`, "", ""},
		{"NumberForName", `{"name": 7}`, "", ""},
	} {
		t.Run("API/"+c.name, func(t *testing.T) {
			body := strings.Replace(c.body, "{", `{"slug": "kivu", "kind": "enterprise", "country": "CD", `, 1)
			res := api.Do("POST", "/api/v1/orgs?lang=fr", strings.NewReader(body), "application/json")
			var got struct {
				Error struct {
					Message string
					Fields  map[string]string
				}
			}
			if res.StatusCode != http.StatusUnprocessableEntity || json.Unmarshal([]byte(res.Body), &got) != nil {
				t.Fatalf("%d %s", res.StatusCode, res.Body)
			}
			if c.field != "" && !strings.HasPrefix(got.Error.Fields[c.field], c.msg) || c.field == "" && !strings.Contains(got.Error.Message, c.msg) {
				t.Errorf("%s: %+v", c.field, got.Error)
			}
			if count() != n {
				t.Fatal("a refused request created an organisation")
			}
		})
	}
	t.Run("Service", func(t *testing.T) {
		u, _ := e.App.Accounts.UserByEmail(t.Context(), "baraka@example.tz")
		v := &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}
		_, err := e.App.Orgs.Create(t.Context(), v, org.Input{Name: "Kivu", Slug: "kivu", Kind: "enterprise", Country: "CD",
			Description: text.New("fr", "Une\x00description", "", time.Time{})}, "")
		var fe *errs.Error
		if !errors.As(err, &fe) || fe.Fields["description.fr"] != "org.error.control" || count() != n {
			t.Fatalf("a control character from a Go caller: %v", err)
		}
	})
}

// TestCreateThroughTheAPI takes the name as a plain string in the request's
// lang, or as text in several languages, whose authors the server sets.
func TestCreateThroughTheAPI(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Fatou Sarr", "fatou@example.sn", pw)
	me, _ := e.App.Accounts.UserByEmail(t.Context(), "fatou@example.sn")
	api := apiClient(t, e, b)
	api.Header.Set("Accept-Language", "en")
	post := func(body string) apiOrg {
		t.Helper()
		res := api.Do("POST", "/api/v1/orgs", strings.NewReader(body), "application/json")
		var o apiOrg
		if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(res.Body), &o) != nil {
			t.Fatalf("%d %s", res.StatusCode, res.Body)
		}
		return o
	}
	o := post(`{"name": "Agence du numérique", "lang": "fr", "description": "Services en ligne.", "slug": "agence", "kind": "government_agency", "country": "SN"}`)
	if o.Names.Original != "fr" || o.Name != "Agence du numérique" || o.NameLang != "fr" || o.Descriptions.Versions["fr"].Text != "Services en ligne." ||
		o.Names.Versions["fr"].By != me.ID {
		t.Fatalf("plain strings in fr: %+v", o)
	}
	if o := post(`{"name": "Dakar Cloud", "slug": "dakar-cloud", "kind": "enterprise", "country": "SN"}`); o.Names.Original != "en" || o.Description != "" {
		t.Fatalf("a plain name without lang: %+v", o)
	}
	o = post(`{"name": {"original": "fr", "versions": {"fr": {"text": " Téranga Pay "}, "zh-Hans": {"text": "特兰加支付", "by": "someone-else", "at": "2020-01-01T00:00:00Z"}}},
		"description": {"original": "fr", "versions": {}}, "slug": "teranga-pay", "kind": "enterprise", "country": "SN"}`)
	if v := o.Names.Versions["zh-Hans"]; v.By != me.ID || !v.At.Equal(e.Clock.Now()) || o.Names.Versions["fr"].Text != "Téranga Pay" || o.Name != "Téranga Pay" {
		t.Fatalf("text in several languages: %+v", o.Names)
	}
	if res := api.Get("/api/v1/openapi.json"); !strings.Contains(res.Body, `"name_lang"`) || !strings.Contains(res.Body, `"oneOf"`) {
		t.Error("the OpenAPI document does not describe translatable texts")
	}
}

// TestSearchFindsAnyVersion searches the directory by the name's
// translations, folded as the kernel search folds text.
func TestSearchFindsAnyVersion(t *testing.T) {
	e := apptest.Start(t)
	u, err := e.App.Accounts.Create(t.Context(), account.NewUser{Email: "njeri@example.ke", Name: "Njeri", Password: pw, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	v := &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}
	names := text.Text{Original: "en", Versions: map[string]text.Version{"en": {Text: "Nairobi Data Exchange"},
		"zh-Hans": {Text: "内罗毕数据交易所"}, "fr": {Text: "Bourse de données de Nairobi"}, "ar": {Text: "بورصة نيروبي للبيانات"}}}
	for _, in := range []org.Input{
		{Names: names, Slug: "nairobi-dx", Kind: "enterprise", Country: "KE"},
		{Name: "Lagos Fintech Hub", Slug: "lagos-hub", Kind: "enterprise", Country: "NG"},
		{Name: "深圳云桥科技", Lang: "zh-Hans", Slug: "yunqiao", Kind: "enterprise", Country: "CN"},
	} {
		if _, err := e.App.Orgs.Create(t.Context(), v, in, ""); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"数据交易", []string{"nairobi-dx"}}, // the Chinese version of an English name
		{"內羅畢", []string{"nairobi-dx"}},  // Traditional characters find the Simplified version
		{"donnees nairobi", []string{"nairobi-dx"}},
		{"البيانات", []string{"nairobi-dx"}},
		{"Exchange", []string{"nairobi-dx"}},
		{"云桥", []string{"yunqiao"}},
		{"hub", []string{"lagos-hub"}},
		{"lagos-h", []string{"lagos-hub"}}, // the slug as typed
		{"交易所 Lagos", nil},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			var got []string
			for _, it := range apiList(t, e.Browser(), "/api/v1/orgs?q="+url.QueryEscape(c.q)) {
				got = append(got, it.Slug)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("API: %v, want %v", got, c.want)
			}
			page := e.Browser().Get("/orgs?q=" + url.QueryEscape(c.q)).Body
			for _, slug := range []string{"nairobi-dx", "lagos-hub", "yunqiao"} {
				if strings.Contains(page, `href="/orgs/`+slug+`"`) != (len(c.want) > 0 && c.want[0] == slug) {
					t.Errorf("directory page and %s disagree with %v", slug, c.want)
				}
			}
		})
	}
	if res := e.Browser().Get("/orgs?q=" + url.QueryEscape(strings.Repeat("a ", 40))); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a query of 40 words: %d", res.StatusCode)
	}
}
