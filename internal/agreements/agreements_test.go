package agreements_test

import (
	"bytes"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/app/apptest"
)

func TestRegisterAndShow(t *testing.T) {
	w := newWorld(t)
	anon := w.e.Browser()
	if res := w.amina.Get("/agreements/new"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `name="title.fr"`) {
		t.Fatalf("form: %d", res.StatusCode)
	}
	id := w.register(t, w.amina, nil)
	page := w.amina.Get("/agreements/" + id)
	for _, want := range []string{
		"MoU on cyber incident response between KE-CERT and China",
		`<a href="/orgs/ke-cert">KE-CERT</a>`, "Government of China",
		`class="badge tlp-clear"`, "TLP:CLEAR", "Memorandum of understanding", "In force",
		`href="/agreements/` + id + `/edit"`, `href="/share/agreements.agreement/` + id + `"`, // editors manage it
		"This agreement is a draft", "Nairobi", "Swahili", "2.1", "Cybersecurity",
	} {
		if !strings.Contains(page.Body, html.EscapeString(want)) && !strings.Contains(page.Body, want) {
			t.Errorf("record page lacks %q", want)
		}
	}
	if res := anon.Get("/agreements/" + id); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a draft was shown to the public: %d", res.StatusCode)
	}
	if res := anon.Get("/agreements"); strings.Contains(res.Body, "KE-CERT and China") {
		t.Fatal("a draft was listed to the public")
	}
	w.publish(t, w.amina, id)
	res := anon.Get("/agreements/" + id + "?lang=fr")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Gouvernement (Chine)") || !strings.Contains(res.Body, "Protocole d&#39;accord") {
		t.Fatalf("published, in French: %d", res.StatusCode)
	}
	if strings.Contains(res.Body, "/edit") || strings.Contains(res.Body, "/share/agreements.agreement/") {
		t.Fatal("the public was offered the editors' links")
	}
	if !strings.Contains(anon.Get("/agreements").Body, "KE-CERT and China") {
		t.Fatal("a published CLEAR agreement is not listed to the public")
	}

	t.Run("TranslationsSideBySide", func(t *testing.T) {
		id := w.register(t, w.amina, map[string]string{"title.original": "fr", "title.en": "MoU on e-commerce",
			"title.fr": "Protocole d'accord sur le commerce électronique", "title.ar": "مذكرة تفاهم بشأن التجارة الإلكترونية",
			"scope.original": "fr", "scope.en": "", "scope.fr": "Échanges entre plateformes.\nFormations conjointes."})
		ar := w.amina.Get("/agreements/" + id + "?lang=ar").Body
		if !strings.Contains(ar, `<h1 lang="ar" dir="rtl">مذكرة تفاهم بشأن التجارة الإلكترونية</h1>`) {
			t.Error("Arabic readers do not get the Arabic title, right to left")
		}
		sw := w.amina.Get("/agreements/" + id + "?lang=sw").Body
		if !strings.Contains(sw, `<h1 lang="en" dir="ltr">MoU on e-commerce</h1>`) || !strings.Contains(sw, "Imeonyeshwa kwa English") {
			t.Error("Swahili readers do not get the English title, said to be English")
		}
		if !strings.Contains(sw, `<div lang="fr" dir="ltr"><p>Échanges entre plateformes.</p><p>Formations conjointes.</p></div>`) {
			t.Error("the scope is not shown in its original, by paragraph")
		}
		edit := w.amina.Get("/agreements/" + id + "/edit").Body
		for _, want := range []string{`name="title.fr" lang="fr" dir="ltr" maxlength="300" value="Protocole d&#39;accord sur le commerce électronique" required`,
			`name="title.ar" lang="ar" dir="rtl"`, `<option value="fr" lang="fr" selected>`} {
			if !strings.Contains(edit, want) {
				t.Errorf("edit form lacks %s", want)
			}
		}
		// Otieno, an editor, adds the Swahili title; the French keeps its author.
		otieno := w.signIn(t, "otieno@ke-cert.example")
		vals := w.form(map[string]string{"title.original": "fr", "title.en": "MoU on e-commerce",
			"title.fr": "Protocole d'accord sur le commerce électronique", "title.sw": "Hati ya makubaliano kuhusu biashara mtandaoni"})
		if res := otieno.Post("/agreements/"+id+"/edit", vals); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit by an editor: %d\n%s", res.StatusCode, res.Body)
		}
		a, err := w.e.App.Agreements.Get(t.Context(), w.viewer(t, "amina@ke-cert.example"), id)
		if err != nil {
			t.Fatal(err)
		}
		amina, otienoV := w.viewer(t, "amina@ke-cert.example"), w.viewer(t, "otieno@ke-cert.example")
		if a.Title.Versions["fr"].By != amina.ID || a.Title.Versions["sw"].By != otienoV.ID || a.TitlePlain != "Protocole d'accord sur le commerce électronique" {
			t.Fatalf("authorship: %+v", a.Title.Versions)
		}
		if _, ok := a.Title.Versions["ar"]; ok {
			t.Fatal("a translation left out of the form was kept")
		}
	})

	t.Run("MoreParties", func(t *testing.T) {
		vals := w.form(nil)
		vals.Set("more", "1")
		n := w.count(t)
		res := w.amina.Post("/agreements", vals)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `name="party.5.kind"`) || strings.Contains(res.Body, `name="party.6.kind"`) {
			t.Fatalf("more rows: %d", res.StatusCode)
		}
		if !strings.Contains(res.Body, `value="ke-cert"`) || w.count(t) != n {
			t.Fatal("asking for more rows lost the input or saved it")
		}
	})

	t.Run("HTMLIsText", func(t *testing.T) {
		evil := `<script>alert("x")</script><b>Bold</b> & co`
		id := w.register(t, w.amina, map[string]string{"title.en": evil, "scope.en": evil, "party.1.kind": "other", "party.1.name": evil, "party.1.country": ""})
		page := w.amina.Get("/agreements/" + id).Body
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>Bold") {
			t.Fatal("HTML in text was rendered")
		}
		if !strings.Contains(page, html.EscapeString(evil)) {
			t.Fatal("HTML in text is not shown as text")
		}
		var got struct {
			Title struct{ Texts map[string]string } `json:"title"`
		}
		json.Unmarshal([]byte(w.amina.Get("/api/v1/agreements/"+id).Body), &got)
		if got.Title.Texts["en"] != evil {
			t.Fatalf("stored as %q", got.Title.Texts["en"])
		}
	})
}

func TestBadInput(t *testing.T) {
	w := newWorld(t)
	long := strings.Repeat("é", agreements.TitleMax+1)
	cases := []struct {
		name    string
		changes map[string]string
		field   string // the input beside which the error shows
		message string
	}{
		{"UnknownKind", map[string]string{"kind": "treaty"}, "f-kind", "Choose the kind of document from the list."},
		{"OneParty", map[string]string{"party.1.kind": "", "party.1.country": ""}, "", "Name at least two parties."},
		{"UnknownOrg", map[string]string{"party.0.org": "no-such-cert"}, "f-party.0.org", "No organisation on Harambee has this short name."},
		{"UnknownCountry", map[string]string{"party.1.country": "ZZ"}, "f-party.1.country", "Choose a country from the list."},
		{"RegionIsNoState", map[string]string{"party.1.country": "TW"}, "f-party.1.country", "Choose a country from the list."},
		{"PartyKindMissing", map[string]string{"party.1.kind": ""}, "f-party.1.kind", "Choose what this party is."},
		{"SamePartyTwice", map[string]string{"party.1.kind": "org", "party.1.org": "ke-cert", "party.1.country": "", "party.2.kind": "government", "party.2.country": "CN"},
			"f-party.1.kind", "This party is named twice."},
		{"ExpiresBeforeSigned", map[string]string{"signed_on": "2025-06-01", "expires_on": "2025-05-31"}, "f-expires_on", "It cannot expire before it was signed."},
		{"ExpiresBeforeInForce", map[string]string{"signed_on": "2025-06-01", "effective_from": "2025-09-01", "expires_on": "2025-08-01"},
			"f-expires_on", "It cannot expire before it comes into force."},
		{"DateNotParsed", map[string]string{"signed_on": "01/06/2025"}, "f-signed_on", "Enter a date as YYYY-MM-DD, for example 2026-11-27."},
		{"NoSuchDay", map[string]string{"expires_on": "2027-02-30"}, "f-expires_on", "Enter a date as YYYY-MM-DD, for example 2026-11-27."},
		{"NoSignatureDate", map[string]string{"signed_on": ""}, "f-signed_on", "Enter a date as YYYY-MM-DD, for example 2026-11-27."},
		{"TitleMissingInOriginal", map[string]string{"title.original": "fr", "title.en": "Only in English"}, "f-title.fr", "Write the text in its original language."},
		{"TitleTooLong", map[string]string{"title.en": long}, "f-title.en", "This text is too long."},
		{"ScopeTooLong", map[string]string{"scope.en": strings.Repeat("a", agreements.ScopeMax+1)}, "f-scope.en", "This text is too long."},
		{"UnknownSector", map[string]string{"sectors": "piracy"}, "", "Choose sectors from the list."},
		{"UnknownAction", map[string]string{"actions": "6.1"}, "", "Choose action items from the list."},
		{"UnknownLanguage", map[string]string{"languages": "tlh"}, "", "Choose languages from the list."},
		{"UnknownMarking", map[string]string{"marking": "purple"}, "f-marking", "Choose one of the TLP markings."},
		{"UnknownOwner", map[string]string{"owner_org": "cncert"}, "", "Choose one of the organisations you are an administrator or editor of."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := w.count(t)
			res := w.amina.Post("/agreements", w.form(c.changes))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", res.StatusCode)
			}
			if !strings.Contains(res.Body, html.EscapeString(c.message)) {
				t.Errorf("no message %q", c.message)
			}
			if c.field != "" && !strings.Contains(res.Body, `id="`+c.field+`"`) {
				t.Errorf("no field %s", c.field)
			}
			if c.field != "" && !strings.Contains(res.Body, `aria-describedby="e-`+strings.TrimPrefix(c.field, "f-")+`"`) {
				t.Errorf("the error is not tied to %s", c.field)
			}
			if !strings.Contains(res.Body, `value="Nairobi"`) {
				t.Error("the form did not keep what was typed")
			}
			if w.count(t) != before {
				t.Fatal("bad input was saved")
			}
		})
	}
	t.Run("ErrorsInTheReadersLanguage", func(t *testing.T) {
		res := w.amina.Post("/agreements?lang=ar", w.form(map[string]string{"kind": "treaty"}))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "اختر نوع الوثيقة من القائمة.") || !strings.Contains(res.Body, `dir="rtl"`) {
			t.Fatalf("Arabic: %d", res.StatusCode)
		}
	})
	t.Run("NoOrganisation", func(t *testing.T) {
		b := w.person(t, "Kofi Mensah", "kofi@example.gh")
		if res := b.Get("/agreements/new"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("form for someone without an organisation: %d", res.StatusCode)
		}
		if res := b.Post("/agreements", w.form(nil)); res.StatusCode != http.StatusForbidden {
			t.Fatalf("registration by someone without an organisation: %d", res.StatusCode)
		}
		baraka := w.signIn(t, "baraka@ke-cert.example") // a plain member
		if res := baraka.Post("/agreements", w.form(nil)); res.StatusCode != http.StatusForbidden {
			t.Fatalf("registration by a plain member: %d", res.StatusCode)
		}
		if res := w.e.Browser().Post("/agreements", w.form(nil)); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Fatalf("anonymous registration: %d", res.StatusCode)
		}
	})
	t.Run("BadFilters", func(t *testing.T) {
		for _, q := range []string{"kind=treaty", "status=maybe", "country=ZZ", "cursor=zzz", "limit=1000", "q=x&cursor=-5"} {
			if res := w.amina.Get("/agreements?" + q); res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d", q, res.StatusCode)
			}
			if res := w.amina.Get("/api/v1/agreements?" + q); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"error"`) {
				t.Errorf("API %s: %d", q, res.StatusCode)
			}
		}
		if res := w.amina.Get("/agreements?q=" + url.QueryEscape(strings.Repeat("word ", 200))); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(res.Body, `id="e-q"`) {
			t.Errorf("a query too long: %d", res.StatusCode)
		}
	})
	if w.count(t) != 0 {
		t.Fatal("bad input was saved")
	}
}

func TestEditing(t *testing.T) {
	w := newWorld(t)
	draft := w.register(t, w.amina, map[string]string{"marking": "amber"})
	public := w.register(t, w.amina, map[string]string{"title.en": "Public MoU"})
	w.publish(t, w.amina, public)
	baraka := w.signIn(t, "baraka@ke-cert.example") // member of the owner, not an editor
	li := w.signIn(t, "li@cncert.example")          // another organisation's admin
	edit := w.form(map[string]string{"title.en": "Changed"})
	cases := []struct {
		name   string
		b      *apptest.Browser
		id     string
		status int
	}{
		{"MemberSeesDraftButMayNotEdit", baraka, draft, http.StatusForbidden},
		{"OutsiderDoesNotSeeTheDraft", li, draft, http.StatusNotFound},
		{"OutsiderSeesPublishedButMayNotEdit", li, public, http.StatusForbidden},
	}
	for _, c := range cases {
		b := c.b
		t.Run(c.name, func(t *testing.T) {
			if res := b.Get("/agreements/" + c.id + "/edit"); res.StatusCode != c.status {
				t.Errorf("edit page: %d, want %d", res.StatusCode, c.status)
			}
			if res := b.Post("/agreements/"+c.id+"/edit", edit); res.StatusCode != c.status {
				t.Errorf("edit: %d, want %d", res.StatusCode, c.status)
			}
			if c.status == http.StatusNotFound && strings.Contains(b.Get("/agreements/"+c.id+"/edit").Body, "KE-CERT and China") {
				t.Error("the refusal reveals the record")
			}
		})
	}
	if res := w.e.Browser().Get("/agreements/" + public + "/edit"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous edit page: %d", res.StatusCode)
	}
	for _, id := range []string{draft, public} {
		a, err := w.e.App.Agreements.Get(t.Context(), w.viewer(t, "amina@ke-cert.example"), id)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(a.TitlePlain, "Changed") {
			t.Fatal("a refused edit changed the agreement")
		}
	}
	// The owner's editors may; and an edit re-indexes the search.
	otieno := w.signIn(t, "otieno@ke-cert.example")
	if res := otieno.Post("/agreements/"+public+"/edit", w.form(map[string]string{"title.en": "Renewed memorandum zanzibar"})); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit by an editor: %d\n%s", res.StatusCode, res.Body)
	}
	if !strings.Contains(w.e.Browser().Get("/agreements?q=zanzibar").Body, "Renewed memorandum zanzibar") {
		t.Fatal("the edit was not indexed")
	}
}

func TestAPI(t *testing.T) {
	w := newWorld(t)
	rw := w.api(t, "amina@ke-cert.example", "read", "write")
	body := `{"owner_org": "ke-cert", "kind": "framework", "marking": "green",
		"title": {"original": "zh-Hans", "texts": {"zh-Hans": "中非电子商务合作框架协议", "en": "China–Africa e-commerce framework agreement"}},
		"parties": [{"kind": "government", "country": "CN"}, {"kind": "government", "country": "RW"}, {"kind": "other", "name": "Smart Africa Alliance"}],
		"signed_on": "2025-04-10", "languages": ["zh", "en", "fr"], "actions": ["1.3"],
		"event": {"name": "Silk Road e-commerce forum", "city": "Kigali", "country": "RW", "date": "2025-04-10"}}`
	res := rw.Do("POST", "/api/v1/agreements", strings.NewReader(body), "application/json")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	var a struct {
		ID      string `json:"id"`
		Kind    string `json:"kind"`
		Status  string `json:"status"`
		Marking string `json:"marking"`
		State   string `json:"state"`
		Expires *string
		Title   struct {
			Original string            `json:"original"`
			Texts    map[string]string `json:"texts"`
		} `json:"title"`
		Parties []struct {
			Kind, Label, Country, Name string
		} `json:"parties"`
		Event    *struct{ City string }
		OwnerOrg struct{ Slug string } `json:"owner_org"`
	}
	if err := json.Unmarshal([]byte(res.Body), &a); err != nil {
		t.Fatal(err)
	}
	if a.Kind != "framework" || a.Status != "in_force" || a.Marking != "green" || a.State != "draft" || a.Title.Original != "zh-Hans" ||
		len(a.Parties) != 3 || a.Parties[1].Label != "Government of Rwanda" || a.Event == nil || a.Event.City != "Kigali" || a.OwnerOrg.Slug != "ke-cert" {
		t.Fatalf("created: %s", res.Body)
	}
	if got := w.api(t, "amina@ke-cert.example", "read").Get("/api/v1/agreements/" + a.ID + "?lang=zh-Hans"); got.StatusCode != http.StatusOK || !strings.Contains(got.Body, "卢旺达政府") {
		t.Fatalf("get: %d %s", got.StatusCode, got.Body)
	}
	if got := w.e.Browser().Get("/api/v1/agreements/" + a.ID); got.StatusCode != http.StatusNotFound {
		t.Fatalf("a draft through the API to the public: %d", got.StatusCode)
	}
	res = rw.Do("PATCH", "/api/v1/agreements/"+a.ID, strings.NewReader(`{"expires_on": "2030-04-10", "kind": "agreement"}`), "application/json")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"expires_on":"2030-04-10"`) || !strings.Contains(res.Body, `"kind":"agreement"`) ||
		!strings.Contains(res.Body, "中非电子商务合作框架协议") {
		t.Fatalf("patch: %d %s", res.StatusCode, res.Body)
	}
	for _, c := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"UnknownField", `{"expires_on": "2031-01-01", "colour": "red"}`, http.StatusUnprocessableEntity, `unknown field`},
		{"WrongType", `{"parties": "CN and RW"}`, http.StatusUnprocessableEntity, `"code":"invalid"`},
		{"UnknownKind", `{"kind": "treaty"}`, http.StatusUnprocessableEntity, `"kind":"Choose the kind of document from the list."`},
		{"OneParty", `{"parties": [{"kind": "government", "country": "CN"}]}`, http.StatusUnprocessableEntity, `"parties":"Name at least two parties."`},
		{"ExpiresBeforeSigned", `{"expires_on": "2020-01-01"}`, http.StatusUnprocessableEntity, `"expires_on":"It cannot expire before it was signed."`},
		{"BadDate", `{"signed_on": "10 April 2025"}`, http.StatusUnprocessableEntity, `"signed_on":`},
		{"TextInAnUnknownLanguage", `{"title": {"original": "en", "texts": {"en": "x", "tlh": "y"}}}`, http.StatusUnprocessableEntity, `"title":`},
		{"TitleMissingInOriginal", `{"title": {"original": "fr", "texts": {"en": "Only English"}}}`, http.StatusUnprocessableEntity, `"title.fr":`},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := rw.Do("PATCH", "/api/v1/agreements/"+a.ID, strings.NewReader(c.body), "application/json")
			if res.StatusCode != c.status || !strings.Contains(res.Body, c.want) || !strings.Contains(res.Body, `"error"`) {
				t.Fatalf("%d %s", res.StatusCode, res.Body)
			}
		})
	}
	if got := rw.Get("/api/v1/agreements/" + a.ID); !strings.Contains(got.Body, `"expires_on":"2030-04-10"`) || !strings.Contains(got.Body, `"kind":"agreement"`) {
		t.Fatalf("a refused patch changed something: %s", got.Body)
	}
	t.Run("Refusals", func(t *testing.T) {
		ro := w.api(t, "amina@ke-cert.example", "read")
		if res := ro.Do("PATCH", "/api/v1/agreements/"+a.ID, strings.NewReader(`{"kind": "mou"}`), "application/json"); res.StatusCode != http.StatusForbidden {
			t.Errorf("read-only token: %d", res.StatusCode)
		}
		li := w.api(t, "li@cncert.example", "read", "write")
		if res := li.Do("PATCH", "/api/v1/agreements/"+a.ID, strings.NewReader(`{"kind": "mou"}`), "application/json"); res.StatusCode != http.StatusNotFound {
			t.Errorf("outsider on a draft: %d", res.StatusCode)
		}
		if res := li.Do("POST", "/api/v1/agreements", strings.NewReader(strings.Replace(body, `"ke-cert"`, `"cncert"`, 1)), "application/json"); res.StatusCode != http.StatusCreated {
			t.Errorf("Li registers for CNCERT: %d %s", res.StatusCode, res.Body)
		}
		if res := li.Do("POST", "/api/v1/agreements", strings.NewReader(body), "application/json"); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(res.Body, `"owner_org"`) {
			t.Errorf("Li registers for KE-CERT: %d %s", res.StatusCode, res.Body)
		}
		if res := w.e.Browser().Do("POST", "/api/v1/agreements", strings.NewReader(body), "application/json"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous: %d", res.StatusCode)
		}
	})
	t.Run("List", func(t *testing.T) {
		var list struct {
			Items []struct{ ID string } `json:"items"`
			Next  *string               `json:"next"`
		}
		res := rw.Get("/api/v1/agreements?kind=agreement&country=RW&status=in_force")
		if err := json.Unmarshal([]byte(res.Body), &list); err != nil || len(list.Items) != 1 || list.Items[0].ID != a.ID || list.Next != nil {
			t.Fatalf("%d %s", res.StatusCode, res.Body)
		}
		json.Unmarshal([]byte(rw.Get("/api/v1/agreements?kind=mou").Body), &list)
		if len(list.Items) != 0 {
			t.Fatalf("kind filter: %+v", list.Items)
		}
	})
}

// The signed texts are the files service's: editors attach documents and
// scans on the record page; other kinds are refused; the files follow the
// agreement's sharing.
func TestSignedFiles(t *testing.T) {
	w := newWorld(t)
	id := w.register(t, w.amina, nil)
	page := w.amina.Get("/agreements/" + id)
	action := `action="/records/agreements.agreement/` + id + `/files"`
	if !strings.Contains(page.Body, action) {
		t.Fatalf("the editor's record page has no upload form")
	}
	upload := func(name string, body []byte) *apptest.Response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(body)
		mw.Close()
		return w.amina.Do(http.MethodPost, "/records/agreements.agreement/"+id+"/files", &buf, mw.FormDataContentType())
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	if res := upload("MoU signed.pdf", pdf); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/agreements/"+id {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	wav := []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
	if res := upload("speech.wav", wav); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("audio on an agreement: %d", res.StatusCode)
	}
	if page := w.amina.Get("/agreements/" + id); !strings.Contains(page.Body, "MoU signed.pdf") {
		t.Error("the record page does not list the signed text")
	}
	// A draft's files are the owner's alone.
	if res := w.e.Browser().Get("/api/v1/records/agreements.agreement/" + id + "/files"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a draft's files listed to the public: %d", res.StatusCode)
	}
}
