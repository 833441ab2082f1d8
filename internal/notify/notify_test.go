package notify_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/mail"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

// The kinds these tests declare; production kinds are declared by modules.
var (
	ping   = notify.Kind{Name: "test.ping", Default: notify.Now}
	report = notify.Kind{Name: "test.daily_report", Default: notify.Daily}
)

func start(t *testing.T) *apptest.Env {
	t.Helper()
	e := apptest.Start(t)
	e.App.Notify.Declare(ping)
	e.App.Notify.Declare(report)
	return e
}

type person struct {
	ID, Email string
}

// newPerson creates a confirmed account.
func newPerson(t *testing.T, e *apptest.Env, email, locale, zone string) person {
	t.Helper()
	u, err := e.App.Accounts.Create(context.Background(), account.NewUser{Email: email, Name: strings.Split(email, "@")[0], Password: pw,
		Confirmed: true, Locale: locale, TimeZone: zone})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return person{ID: u.ID, Email: email}
}

func signIn(t *testing.T, e *apptest.Env, p person) *apptest.Browser {
	t.Helper()
	b := e.Browser()
	if res := b.Post("/signin", url.Values{"email": {p.Email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", p.Email, res.StatusCode)
	}
	return b
}

// note is a notification of kind to p, with a subject that has an argument.
func note(kind notify.Kind, p person, org string) notify.Note {
	return notify.Note{Kind: kind.Name, To: p.ID, Subject: "mail.invitation.subject", Args: []any{"org", org}, Path: "/orgs/" + strings.ToLower(org)}
}

func send(t *testing.T, e *apptest.Env, n notify.Note) {
	t.Helper()
	if err := e.App.DB.Tx(context.Background(), func(tx *sql.Tx) error { return e.App.Notify.Send(context.Background(), tx, n) }); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// outbox returns the e-mails queued so far, oldest first, with their job ids.
func outbox(t *testing.T, e *apptest.Env) []queued {
	t.Helper()
	rows, err := e.App.DB.R.Query(`SELECT id, args FROM jobs WHERE kind = $1 ORDER BY created_at, id`, mail.JobKind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []queued
	for rows.Next() {
		var q queued
		var args string
		if err := rows.Scan(&q.JobID, &args); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(args), &q.Message); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	return out
}

type queued struct {
	JobID string
	mail.Message
}

// mailsTo returns the notification e-mails queued for an address.
func mailsTo(t *testing.T, e *apptest.Env, addr string) []queued {
	t.Helper()
	var out []queued
	for _, m := range outbox(t, e) {
		if m.To == addr && strings.HasPrefix(m.Kind, "notify.") {
			out = append(out, m)
		}
	}
	return out
}

// unsubscribeLink returns the link of a mail's List-Unsubscribe header.
func unsubscribeLink(t *testing.T, m queued) string {
	t.Helper()
	h := m.Headers["List-Unsubscribe"]
	if !strings.HasPrefix(h, "<") || !strings.HasSuffix(h, ">") {
		t.Fatalf("List-Unsubscribe %q", h)
	}
	if m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe-Post %q", m.Headers["List-Unsubscribe-Post"])
	}
	return strings.Trim(h, "<>")
}

func prefs(t *testing.T, e *apptest.Env, p person) map[string]notify.Frequency {
	t.Helper()
	m, err := e.App.Notify.Preferences(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func unread(t *testing.T, e *apptest.Env, p person) int {
	t.Helper()
	n, err := e.App.Notify.Unread(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// oneClick posts as a mail provider does (RFC 8058): no cookies, no form token.
func oneClick(t *testing.T, link string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, link, strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func TestSendAtOnceAndOneClickUnsubscribe(t *testing.T) {
	e := start(t)
	amina := newPerson(t, e, "amina@example.ma", "fr", "Africa/Casablanca")
	other := newPerson(t, e, "li@example.cn", "zh-Hans", "Asia/Shanghai")
	send(t, e, note(ping, amina, "Souk"))

	got := mailsTo(t, e, amina.Email)
	if len(got) != 1 {
		t.Fatalf("%d mails, want 1", len(got))
	}
	m := got[0]
	fr := e.App.Catalog.Printer("fr")
	if want := fr.T("mail.invitation.subject", "org", "Souk"); m.Subject != want {
		t.Errorf("subject %q, want the French %q", m.Subject, want)
	}
	for _, want := range []string{e.Server.URL + "/orgs/souk", e.Server.URL + "/account/notifications", e.Server.URL + "/unsubscribe/"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("mail text lacks %s:\n%s", want, m.Text)
		}
	}
	link := unsubscribeLink(t, m)
	if !strings.HasPrefix(link, e.Server.URL+"/unsubscribe/") || !strings.Contains(m.Text, link) {
		t.Fatalf("unsubscribe link %q", link)
	}
	if n := unread(t, e, amina); n != 1 {
		t.Errorf("unread %d, want 1", n)
	}

	// Mail scanners follow links: GET shows a button and changes nothing.
	anon := e.Browser()
	res := anon.Get(e.PathOf(link))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `method="post"`) || !strings.Contains(res.Body, `name="List-Unsubscribe" value="One-Click"`) {
		t.Fatalf("unsubscribe page: %d\n%s", res.StatusCode, res.Body)
	}
	if f := prefs(t, e, amina)[ping.Name]; f != notify.Now {
		t.Fatalf("GET changed the preference to %s", f)
	}

	t.Run("UnknownTokens", func(t *testing.T) {
		tok := strings.TrimPrefix(link, e.Server.URL+"/unsubscribe/")
		forged := tok[:len(tok)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(tok, "AA")]
		for _, bad := range []string{"nothing", forged, "bm90LWEtdG9rZW4.AAAA"} {
			if res := oneClick(t, e.Server.URL+"/unsubscribe/"+bad, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("POST with token %q: %d", bad, res.StatusCode)
			}
			if res := anon.Get("/unsubscribe/" + bad); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET with token %q: %d", bad, res.StatusCode)
			}
		}
		if f := prefs(t, e, amina)[ping.Name]; f != notify.Now {
			t.Fatalf("a bad token changed the preference to %s", f)
		}
	})

	if res := oneClick(t, link, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", res.StatusCode)
	}
	p := prefs(t, e, amina)
	if p[ping.Name] != notify.Never || p[report.Name] != report.Default {
		t.Fatalf("after unsubscribing: %v", p)
	}
	if p := prefs(t, e, other); p[ping.Name] != notify.Now {
		t.Fatalf("someone else's preference changed: %v", p)
	}
	// From a browser on another site (a webmail's button) it works too:
	// the secret is in the link, not in a cookie.
	if res := oneClick(t, link, http.Header{"Origin": {"https://mail.example"}, "Sec-Fetch-Site": {"cross-site"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("cross-site one-click: %d", res.StatusCode)
	}

	// Never stops the e-mail, not the notification.
	send(t, e, note(ping, amina, "Souk"))
	if n := len(mailsTo(t, e, amina.Email)); n != 1 {
		t.Errorf("%d mails after unsubscribing, want still 1", n)
	}
	if n := unread(t, e, amina); n != 2 {
		t.Errorf("unread %d, want 2: never keeps the notification in the site", n)
	}
}

func TestLanguageIsTheRecipients(t *testing.T) {
	e := start(t)
	sender := newPerson(t, e, "sender@example.org", "en", "UTC")
	ar := newPerson(t, e, "salma@example.eg", "ar", "Africa/Cairo")
	sw := newPerson(t, e, "juma@example.tz", "sw", "Africa/Dar_es_Salaam")
	// The sender acts from an English page; each recipient reads their own language.
	b := signIn(t, e, sender)
	if res := b.Get("/notifications?lang=en"); res.StatusCode != http.StatusOK {
		t.Fatalf("sender's page: %d", res.StatusCode)
	}
	for _, p := range []person{ar, sw} {
		send(t, e, note(ping, p, "Kijiji"))
	}
	en := e.App.Catalog.Printer("en").T("mail.invitation.subject", "org", "Kijiji")
	for _, c := range []struct {
		p    person
		lang string
	}{{ar, "ar"}, {sw, "sw"}} {
		ms := mailsTo(t, e, c.p.Email)
		if len(ms) != 1 {
			t.Fatalf("%s: %d mails", c.lang, len(ms))
		}
		want := e.App.Catalog.Printer(c.lang).T("mail.invitation.subject", "org", "Kijiji")
		if ms[0].Subject != want || want == en {
			t.Errorf("%s subject %q, want %q", c.lang, ms[0].Subject, want)
		}
		if footer := e.App.Catalog.Printer(c.lang).T("mail.footer"); !strings.Contains(ms[0].Text, footer) {
			t.Errorf("%s footer missing:\n%s", c.lang, ms[0].Text)
		}
	}
	// The page shows the notification in the reader's language.
	rb := signIn(t, e, sw)
	if res := rb.Get("/notifications"); !strings.Contains(res.Body, e.App.Catalog.Printer("sw").T("mail.invitation.subject", "org", "Kijiji")) {
		t.Errorf("the list is not in Swahili:\n%s", res.Body)
	}
}

func TestSendIsPartOfTheCallersTransaction(t *testing.T) {
	e := start(t)
	p := newPerson(t, e, "kofi@example.gh", "en", "Africa/Accra")
	boom := errors.New("the caller's change failed")
	err := e.App.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		if err := e.App.Notify.Send(context.Background(), tx, note(ping, p, "Accra")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx: %v", err)
	}
	if n := unread(t, e, p); n != 0 {
		t.Errorf("%d notifications after a rollback", n)
	}
	if n := len(mailsTo(t, e, p.Email)); n != 0 {
		t.Errorf("%d mails after a rollback", n)
	}
}

func TestSendRefusesBadNotes(t *testing.T) {
	e := start(t)
	p := newPerson(t, e, "ada@example.ng", "en", "Africa/Lagos")
	good := note(ping, p, "Lagos")
	cases := map[string]func(n *notify.Note){
		"UndeclaredKind":   func(n *notify.Note) { n.Kind = "test.unknown" },
		"NoRecipient":      func(n *notify.Note) { n.To = "" },
		"SubjectNotAKey":   func(n *notify.Note) { n.Subject = "Hello there" },
		"OutsidePath":      func(n *notify.Note) { n.Path = "https://evil.example/" },
		"SchemeLessPath":   func(n *notify.Note) { n.Path = "//evil.example/" },
		"ArgStruct":        func(n *notify.Note) { n.Args = []any{"org", struct{}{}} },
		"ArgMap":           func(n *notify.Note) { n.Args = []any{"org", map[string]string{}} },
		"ArgTime":          func(n *notify.Note) { n.Args = []any{"at", time.Now()} },
		"ArgOdd":           func(n *notify.Note) { n.Args = []any{"org"} },
		"ArgNameNumber":    func(n *notify.Note) { n.Args = []any{1, "x"} },
		"ArgBool":          func(n *notify.Note) { n.Args = []any{"ok", true} },
		"ArgsTooLong":      func(n *notify.Note) { n.Args = []any{"org", strings.Repeat("x", notify.MaxArgsJSON)} },
		"UnknownPerson":    func(n *notify.Note) { n.To = "0190aaaa-0000-7000-8000-000000000000" },
		"BodyNotAKey":      func(n *notify.Note) { n.Body = "some text" },
		"SubjectMissing":   func(n *notify.Note) { n.Subject = "" },
		"ArgNotANumberNaN": func(n *notify.Note) { n.Args = []any{"x", nanValue()} },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			n := good
			mutate(&n)
			err := e.App.DB.Tx(context.Background(), func(tx *sql.Tx) error { return e.App.Notify.Send(context.Background(), tx, n) })
			if err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if n := unread(t, e, p); n != 0 {
		t.Errorf("%d notifications stored from refused notes", n)
	}
	// Strings, ints and floats are fine, and numbers come back as written.
	ok := good
	ok.Subject, ok.Args = "notify.digest.more", []any{"n", 3, "link", "x", "ratio", 2.5}
	send(t, e, ok)
	list, _, err := e.App.Notify.List(context.Background(), p.ID, "", 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %d", err, len(list))
	}
	if got := list[0].Text(e.App.Catalog.Printer("en")); !strings.Contains(got, "3 more: x") {
		t.Errorf("text %q", got)
	}
}

func nanValue() float64 { var z float64; return z / z }

func TestInactiveAccountsGetNothing(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	gone := newPerson(t, e, "gone@example.sn", "fr", "Africa/Dakar")
	paused := newPerson(t, e, "paused@example.sn", "fr", "Africa/Dakar")
	send(t, e, note(ping, gone, "Dakar"))
	send(t, e, note(report, gone, "Dakar"))
	b := signIn(t, e, gone)
	if res := b.Do(http.MethodPut, "/api/v1/notification-preferences", strings.NewReader(`{"test.ping": "weekly"}`), "application/json"); res.StatusCode != http.StatusOK {
		t.Fatalf("set preference: %d %s", res.StatusCode, res.Body)
	}
	links := mailsTo(t, e, gone.Email)
	if len(links) != 1 {
		t.Fatalf("%d mails", len(links))
	}
	link := unsubscribeLink(t, links[0])

	if _, err := e.App.DB.W.Exec(`UPDATE users SET suspended_at = $1 WHERE id = $2`, e.Clock.Now(), paused.ID); err != nil {
		t.Fatal(err)
	}
	send(t, e, note(ping, paused, "Dakar"))
	if n := unread(t, e, paused); n != 0 || len(mailsTo(t, e, paused.Email)) != 0 {
		t.Errorf("a suspended account got %d notifications", n)
	}

	// Deleting the account removes its notifications and preferences.
	if res := b.Post("/account/delete", url.Values{"confirm": {gone.Email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete account: %d %s", res.StatusCode, res.Body)
	}
	for _, table := range []string{"notifications", "notify_prefs", "notify_digests"} {
		var n int
		if err := e.App.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE user_id = $1`, gone.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows left (%v)", table, n, err)
		}
	}
	send(t, e, note(ping, gone, "Dakar"))
	if n := unread(t, e, gone); n != 0 {
		t.Errorf("a deleted account got %d notifications", n)
	}
	if res := oneClick(t, link, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unsubscribe link of a deleted account: %d", res.StatusCode)
	}
}

func TestSendOrg(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	owner := newPerson(t, e, "owner@example.ke", "sw", "Africa/Nairobi")
	member := newPerson(t, e, "member@example.ke", "sw", "Africa/Nairobi")
	outsider := newPerson(t, e, "outsider@example.ke", "sw", "Africa/Nairobi")
	o, err := e.App.Orgs.Create(ctx, &web.Viewer{ID: owner.ID}, org.Input{Name: "Nairobi DX", Slug: "nairobi-dx", Kind: "enterprise", Country: "KE"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.W.Exec(`INSERT INTO memberships (org_id, user_id, joined_at) VALUES ($1, $2, $3)`, o.ID, member.ID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.W.Exec(`INSERT INTO member_roles (org_id, user_id, role) VALUES ($1, $2, 'member')`, o.ID, member.ID); err != nil {
		t.Fatal(err)
	}
	sendOrg := func(roles ...string) {
		t.Helper()
		n := note(report, person{}, "Nairobi DX")
		n.To = outsider.ID // ignored
		if err := e.App.DB.Tx(ctx, func(tx *sql.Tx) error { return e.App.Notify.SendOrg(ctx, tx, o.ID, roles, n) }); err != nil {
			t.Fatal(err)
		}
	}
	sendOrg("editor")
	if a, m, x := unread(t, e, owner), unread(t, e, member), unread(t, e, outsider); a != 1 || m != 0 || x != 0 {
		t.Errorf("to editors: admin %d, member %d, outsider %d; want 1, 0, 0", a, m, x)
	}
	sendOrg("member")
	if a, m, x := unread(t, e, owner), unread(t, e, member), unread(t, e, outsider); a != 2 || m != 1 || x != 0 {
		t.Errorf("to members: admin %d, member %d, outsider %d; want 2, 1, 0", a, m, x)
	}
	sendOrg() // no roles: everyone of the organisation
	if a, m, x := unread(t, e, owner), unread(t, e, member), unread(t, e, outsider); a != 3 || m != 2 || x != 0 {
		t.Errorf("to everyone: admin %d, member %d, outsider %d; want 3, 2, 0", a, m, x)
	}
}

func TestListReadAndUnread(t *testing.T) {
	e := start(t)
	p := newPerson(t, e, "thabo@example.za", "en", "Africa/Johannesburg")
	for i := 0; i < 25; i++ {
		send(t, e, note(report, p, "Org"+string(rune('A'+i))))
		e.Clock.Advance(time.Minute)
	}
	b := signIn(t, e, p)
	res := b.Get("/notifications")
	if res.StatusCode != http.StatusOK || strings.Count(res.Body, `class="unread"`) != 20 || !strings.Contains(res.Body, "25 unread notifications") {
		t.Fatalf("first page: %d, %d unread items\n%s", res.StatusCode, strings.Count(res.Body, `class="unread"`), res.Body)
	}
	if !strings.Contains(res.Body, "OrgY") || strings.Contains(res.Body, "OrgE on") {
		t.Errorf("first page is not the newest twenty")
	}
	next := apptest.Between(res.Body, `href="/notifications?cursor=`, `"`)
	if next == "" {
		t.Fatal("no next page")
	}
	res = b.Get("/notifications?cursor=" + next)
	if res.StatusCode != http.StatusOK || strings.Count(res.Body, `class="unread"`) != 5 || strings.Contains(res.Body, `rel="next"`) {
		t.Fatalf("second page: %d\n%s", res.StatusCode, res.Body)
	}
	if res := b.Get("/notifications?cursor=not-a-cursor"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad cursor: %d", res.StatusCode)
	}
	if n := unread(t, e, p); n != 25 {
		t.Fatalf("viewing marked notifications read: %d unread", n)
	}

	var api struct {
		Items []struct {
			ID, Text, URL string
			Unread        bool
		}
		Next *string
	}
	res = b.Get("/api/v1/notifications?limit=2")
	if err := json.Unmarshal([]byte(res.Body), &api); err != nil || res.StatusCode != http.StatusOK || len(api.Items) != 2 || api.Next == nil {
		t.Fatalf("API list: %d %v\n%s", res.StatusCode, err, res.Body)
	}
	if !api.Items[0].Unread || !strings.Contains(api.Items[0].Text, "OrgY") || api.Items[0].URL != e.Server.URL+"/orgs/orgy" {
		t.Errorf("API item %+v", api.Items[0])
	}
	if res := b.Post("/notifications/read", url.Values{"id": {api.Items[0].ID}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark one read: %d", res.StatusCode)
	}
	if n := unread(t, e, p); n != 24 {
		t.Errorf("after marking one: %d unread", n)
	}
	res = b.Do(http.MethodPost, "/api/v1/notifications/read", strings.NewReader(`{"id": "`+api.Items[1].ID+`"}`), "application/json")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"unread":23`) {
		t.Errorf("API mark one: %d %s", res.StatusCode, res.Body)
	}
	if res := b.Do(http.MethodPost, "/api/v1/notifications/read", strings.NewReader(`{"id": 5}`), "application/json"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("API mark with a number: %d", res.StatusCode)
	}
	if res := b.Post("/notifications/read", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark all read: %d", res.StatusCode)
	}
	if n := unread(t, e, p); n != 0 {
		t.Errorf("after marking all: %d unread", n)
	}
	if res := b.Get("/notifications"); strings.Contains(res.Body, `class="unread"`) {
		t.Errorf("read notifications still shown as unread")
	}
	if res := e.Browser().Get("/notifications"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous notifications page: %d", res.StatusCode)
	}
	if res := e.Browser().Get("/api/v1/notifications"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous API: %d", res.StatusCode)
	}
}

func TestTwoPeopleSeeOnlyTheirOwn(t *testing.T) {
	e := start(t)
	a := newPerson(t, e, "awa@example.ml", "fr", "Africa/Bamako")
	z := newPerson(t, e, "zhang@example.cn", "zh-Hans", "Asia/Shanghai")
	send(t, e, note(report, a, "Bamako"))
	send(t, e, note(report, z, "Wuhan"))
	zl, _, err := e.App.Notify.List(context.Background(), z.ID, "", 10)
	if err != nil || len(zl) != 1 {
		t.Fatal(err)
	}
	ab := signIn(t, e, a)
	if res := ab.Get("/notifications"); !strings.Contains(res.Body, "Bamako") || strings.Contains(res.Body, "Wuhan") {
		t.Errorf("Awa's page:\n%s", res.Body)
	}
	if res := ab.Get("/api/v1/notifications"); !strings.Contains(res.Body, "Bamako") || strings.Contains(res.Body, "Wuhan") || strings.Contains(res.Body, zl[0].ID) {
		t.Errorf("Awa's API list:\n%s", res.Body)
	}
	// Marking someone else's notification is as if it did not exist.
	if res := ab.Post("/notifications/read", url.Values{"id": {zl[0].ID}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("marking another's notification: %d", res.StatusCode)
	}
	if res := ab.Do(http.MethodPost, "/api/v1/notifications/read", strings.NewReader(`{"id": "`+zl[0].ID+`"}`), "application/json"); res.StatusCode != http.StatusNotFound {
		t.Errorf("API marking another's notification: %d", res.StatusCode)
	}
	if res := ab.Post("/notifications/read", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatal("mark all")
	}
	if n := unread(t, e, z); n != 1 {
		t.Errorf("Awa's mark-all touched Zhang's: %d unread", n)
	}
	if res := ab.Do(http.MethodPut, "/api/v1/notification-preferences", strings.NewReader(`{"test.daily_report": "never"}`), "application/json"); res.StatusCode != http.StatusOK {
		t.Fatalf("set: %d", res.StatusCode)
	}
	if f := prefs(t, e, z)[report.Name]; f != notify.Daily {
		t.Errorf("Awa's preference changed Zhang's: %s", f)
	}
	zb := signIn(t, e, z)
	if res := zb.Get("/api/v1/notification-preferences"); !strings.Contains(res.Body, `"test.daily_report":"daily"`) {
		t.Errorf("Zhang's preferences: %s", res.Body)
	}
}

func TestPreferencesForm(t *testing.T) {
	e := start(t)
	p := newPerson(t, e, "fatou@example.sn", "fr", "Africa/Dakar")
	b := signIn(t, e, p)
	res := b.Get("/account/notifications")
	fr := e.App.Catalog.Printer("fr")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `name="test.ping"`) || !strings.Contains(res.Body, `<option value="daily" selected>`) ||
		!strings.Contains(res.Body, fr.T("notify.frequency.weekly")) || !strings.Contains(res.Body, "Africa/Dakar") {
		t.Fatalf("form: %d\n%s", res.StatusCode, res.Body)
	}
	for name, form := range map[string]url.Values{
		"UnknownFrequency": {"test.ping": {"hourly"}, "test.daily_report": {"weekly"}},
		"TwoValues":        {"test.ping": {"never", "daily"}, "test.daily_report": {"weekly"}},
	} {
		t.Run(name, func(t *testing.T) {
			res := b.Post("/account/notifications", form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, fr.T("notify.error.frequency")) {
				t.Fatalf("%d\n%s", res.StatusCode, res.Body)
			}
			if got := prefs(t, e, p); got[ping.Name] != notify.Now || got[report.Name] != notify.Daily {
				t.Fatalf("a refused form changed %v", got)
			}
		})
	}
	res = b.Post("/account/notifications", url.Values{"test.ping": {"weekly"}, "test.daily_report": {"daily"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	if got := prefs(t, e, p); got[ping.Name] != notify.Weekly || got[report.Name] != notify.Daily {
		t.Fatalf("saved %v", got)
	}
	if res := b.Get("/account/notifications"); !strings.Contains(res.Body, fr.T("notify.flash.saved")) || !strings.Contains(res.Body, `<option value="weekly" selected>`) {
		t.Errorf("after saving:\n%s", res.Body)
	}
	// Unchanged kinds keep following their default.
	var n int
	e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM notify_prefs WHERE user_id = $1`, p.ID).Scan(&n)
	if n != 1 {
		t.Errorf("%d preferences stored, want only the changed one", n)
	}
}

func TestPreferencesAPI(t *testing.T) {
	e := start(t)
	p := newPerson(t, e, "nia@example.ug", "en", "Africa/Kampala")
	b := signIn(t, e, p)
	res := b.Get("/api/v1/notification-preferences")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"test.ping":"now"`) || !strings.Contains(res.Body, `"test.daily_report":"daily"`) {
		t.Fatalf("get: %d %s", res.StatusCode, res.Body)
	}
	put := func(body string) *apptest.Response {
		return b.Do(http.MethodPut, "/api/v1/notification-preferences", strings.NewReader(body), "application/json")
	}
	for name, body := range map[string]string{
		"UnknownKind":      `{"test.ping": "weekly", "test.nothing": "daily"}`,
		"UnknownFrequency": `{"test.ping": "weekly", "test.daily_report": "sometimes"}`,
		"NotAString":       `{"test.ping": 1}`,
		"NotAnObject":      `["test.ping"]`,
		"Malformed":        `{"test.ping": "weekly"`,
	} {
		t.Run(name, func(t *testing.T) {
			res := put(body)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"error"`) {
				t.Fatalf("%d %s", res.StatusCode, res.Body)
			}
			if got := prefs(t, e, p); got[ping.Name] != notify.Now || got[report.Name] != notify.Daily {
				t.Fatalf("a refused change changed %v", got)
			}
		})
	}
	res = put(`{"test.ping": "never", "test.daily_report": "weekly"}`)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"test.ping":"never"`) || !strings.Contains(res.Body, `"test.daily_report":"weekly"`) {
		t.Fatalf("put: %d %s", res.StatusCode, res.Body)
	}
	if res := e.Browser().Do(http.MethodPut, "/api/v1/notification-preferences", strings.NewReader(`{}`), "application/json"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous put: %d", res.StatusCode)
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	json.Unmarshal([]byte(e.Browser().Get("/api/v1/openapi.json").Body), &doc)
	for path, method := range map[string]string{"/notifications": "get", "/notifications/read": "post", "/notification-preferences": "put"} {
		if doc.Paths[path][method] == nil {
			t.Errorf("OpenAPI lacks %s %s", method, path)
		}
	}
}

func TestExport(t *testing.T) {
	e := start(t)
	p := newPerson(t, e, "chidi@example.ng", "fr", "Africa/Lagos")
	send(t, e, note(report, p, "Abuja"))
	b := signIn(t, e, p)
	res := b.Get("/account/export")
	want := e.App.Catalog.Printer("fr").T("mail.invitation.subject", "org", "Abuja")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"notifications"`) || !strings.Contains(res.Body, want) {
		t.Fatalf("export: %d\n%s", res.StatusCode, res.Body)
	}
}

func TestKindsAndKeys(t *testing.T) {
	if got := notify.LabelKey("cert.handover.received"); got != "notify.kind.cert_handover_received" {
		t.Errorf("label key %q", got)
	}
	if got := (notify.Kind{Name: "agreements.expiry"}).HintKey(); got != "notify.kind.agreements_expiry.hint" {
		t.Errorf("hint key %q", got)
	}
	s := &notify.Service{}
	s.Declare(notify.Kind{Name: "network.post", Default: notify.Weekly})
	for name, k := range map[string]notify.Kind{
		"Duplicate":      {Name: "network.post", Default: notify.Daily},
		"NoModule":       {Name: "post", Default: notify.Daily},
		"UpperCase":      {Name: "Network.Post", Default: notify.Daily},
		"Space":          {Name: "network. post", Default: notify.Daily},
		"NoDefault":      {Name: "network.reply"},
		"BadDefault":     {Name: "network.reply", Default: "hourly"},
		"TrailingDot":    {Name: "network.", Default: notify.Daily},
		"AllKindsMarker": {Name: "*", Default: notify.Daily},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("declaring %+v did not panic", k)
				}
			}()
			s.Declare(k)
		})
	}
	if ks := s.Kinds(); len(ks) != 1 || ks[0].Name != "network.post" {
		t.Errorf("kinds %v", ks)
	}
}

// TestTwoInstancesSendOneDigest runs the digests of two instances at once:
// each person gets one digest.
func TestTwoInstancesSendOneDigest(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	var people []person
	for _, email := range []string{"a@example.cm", "b@example.cm", "c@example.cm"} {
		p := newPerson(t, e, email, "fr", "Africa/Douala")
		people = append(people, p)
		send(t, e, note(report, p, "Douala"))
	}
	second := &notify.Service{DB: e.App.DB, Clock: e.Clock, Site: e.App.Site, Catalog: e.App.Catalog, BaseURL: e.Server.URL}
	second.Declare(ping)
	second.Declare(report)
	if err := second.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(25 * time.Hour)
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	for _, s := range []*notify.Service{e.App.Notify, second, e.App.Notify, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- s.RunDigests(ctx)
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Errorf("a concurrent run failed: %v", err)
		}
	}
	if err := e.App.Notify.RunDigests(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if n := len(mailsTo(t, e, p.Email)); n != 1 {
			t.Errorf("%s got %d digests, want 1", p.Email, n)
		}
	}
}

// TestTranslatableArguments: a text.Text argument (an organisation's
// names) reaches each recipient in their language, in the mail and on the
// page, and keeps only the words, not who wrote each version.
func TestTranslatableArguments(t *testing.T) {
	e := start(t)
	fr := newPerson(t, e, "awa@example.sn", "fr", "Africa/Dakar")
	zh := newPerson(t, e, "li@example.cn", "zh-Hans", "Asia/Shanghai")
	names := text.Text{Original: "en", Versions: map[string]text.Version{
		"en":      {Text: "Kenya National CERT", By: "secret-author-id"},
		"fr":      {Text: "CERT national du Kenya", By: "secret-author-id"},
		"zh-Hans": {Text: "肯尼亚国家计算机应急响应组"},
	}}
	for _, p := range []person{fr, zh} {
		send(t, e, notify.Note{Kind: ping.Name, To: p.ID, Subject: "mail.invitation.subject", Args: []any{"org", names}, Path: "/orgs/ke"})
	}
	for _, c := range []struct {
		p    person
		lang string
		name string
	}{{fr, "fr", "CERT national du Kenya"}, {zh, "zh-Hans", "肯尼亚国家计算机应急响应组"}} {
		want := e.App.Catalog.Printer(c.lang).T("mail.invitation.subject", "org", c.name)
		ms := mailsTo(t, e, c.p.Email)
		if len(ms) != 1 || ms[0].Subject != want {
			t.Fatalf("%s: mails %+v, want the subject %q", c.lang, ms, want)
		}
		if res := signIn(t, e, c.p).Get("/notifications"); !strings.Contains(res.Body, template.HTMLEscapeString(want)) {
			t.Errorf("%s: the list does not say %q", c.lang, want)
		}
	}
	var n int
	if err := e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM notifications WHERE args LIKE '%secret-author-id%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d notifications store who wrote the names (%v)", n, err)
	}
}
