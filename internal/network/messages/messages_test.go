package messages_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/network/messages"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

// world: Silk Cloud (China) with Li (admin) and Wang (member); Nairobi
// Logistics (Kenya) with Amina (admin) and Otieno (member); Lagos Pay
// (Nigeria) with Chidi, a third organisation; a platform administrator, a
// moderator and a programme officer of the network.
type world struct {
	e    *apptest.Env
	svc  *messages.Service
	b    map[string]*apptest.Browser
	ids  map[string]string // user ids by first name
	orgs map[string]*org.Org
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	ctx := context.Background()
	w := &world{e: e, svc: e.App.Network.Messages, b: map[string]*apptest.Browser{}, ids: map[string]string{}, orgs: map[string]*org.Org{}}
	for _, p := range []struct {
		name  string
		roles []string
	}{{"li", nil}, {"wang", nil}, {"amina", nil}, {"otieno", nil}, {"chidi", nil},
		{"admin", []string{account.RoleAdmin}}, {"moderator", []string{account.RoleModerator}}, {"officer", []string{"officer:network"}}} {
		u, err := e.App.Accounts.Create(ctx, account.NewUser{Email: p.name + "@example.org", Name: strings.ToUpper(p.name[:1]) + p.name[1:],
			Password: pw, Confirmed: true, Roles: p.roles})
		if err != nil {
			t.Fatal(err)
		}
		w.ids[p.name] = u.ID
	}
	for _, o := range []struct{ slug, name, country, admin, member string }{
		{"silk-cloud", "Silk Cloud", "CN", "li", "wang"},
		{"nairobi-logistics", "Nairobi Logistics", "KE", "amina", "otieno"},
		{"lagos-pay", "Lagos Pay", "NG", "chidi", ""},
	} {
		made, err := e.App.Orgs.Create(ctx, &web.Viewer{ID: w.ids[o.admin]}, org.Input{Name: o.name, Slug: o.slug, Kind: "enterprise", Country: o.country}, "")
		if err != nil {
			t.Fatal(err)
		}
		if o.member != "" {
			if err := e.App.Orgs.AddMember(ctx, o.slug, w.ids[o.member], []string{"member"}); err != nil {
				t.Fatal(err)
			}
		}
		w.orgs[o.slug] = made
	}
	for name := range w.ids {
		b := e.Browser()
		if res := b.Post("/signin", url.Values{"email": {name + "@example.org"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in %s: %d", name, res.StatusCode)
		}
		w.b[name] = b
	}
	// The administrator browses with a second factor, as if set up.
	if _, err := e.App.DB.W.Exec(`UPDATE users SET totp_enabled_at = $1 WHERE id = $2`, e.Clock.Now(), w.ids["admin"]); err != nil {
		t.Fatal(err)
	}
	w.b["anonymous"] = e.Browser()
	return w
}

func (w *world) viewer(t *testing.T, name string) *web.Viewer {
	t.Helper()
	ms, err := w.e.App.Orgs.Memberships(context.Background(), w.ids[name])
	if err != nil {
		t.Fatal(err)
	}
	return &web.Viewer{ID: w.ids[name], Name: name, Orgs: ms}
}

func (w *world) unread(t *testing.T, name string) int {
	t.Helper()
	n, err := w.svc.Unread(context.Background(), w.viewer(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// notes returns the network.message notifications of a person.
func (w *world) notes(t *testing.T, name string) []notify.Notification {
	t.Helper()
	list, _, err := w.e.App.Notify.List(context.Background(), w.ids[name], "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Notification
	for _, n := range list {
		if n.Kind == messages.Kind.Name {
			out = append(out, n)
		}
	}
	return out
}

func (w *world) start(t *testing.T, who, to, subject, body string) string {
	t.Helper()
	res := w.b[who].Post("/network/messages", url.Values{"to": {to}, "subject": {subject}, "body": {body}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d %s", res.StatusCode, res.Body)
	}
	id := strings.TrimPrefix(res.Header.Get("Location"), "/network/messages/")
	if id == "" || strings.Contains(id, "/") {
		t.Fatalf("start went to %q", res.Header.Get("Location"))
	}
	return id
}

func (w *world) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConversationBetweenTwoOrganisations(t *testing.T) {
	w := newWorld(t)
	res := w.b["li"].Get("/network/messages/new?to=nairobi-logistics")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Nairobi Logistics") {
		t.Fatalf("new conversation page: %d", res.StatusCode)
	}
	id := w.start(t, "li", "nairobi-logistics", "Cloud for deliveries", "Hello <b>Nairobi</b>,\nwe host clouds.")

	// The other side is told, the sender and their colleague are not.
	for name, want := range map[string]int{"amina": 1, "otieno": 1, "li": 0, "wang": 0, "chidi": 0} {
		if got := len(w.notes(t, name)); got != want {
			t.Errorf("%s has %d notifications of the message, want %d", name, got, want)
		}
	}
	if n := w.notes(t, "amina"); len(n) == 1 && (n[0].Path != "/network/messages/"+id ||
		n[0].Text(w.e.App.Catalog.Printer("en")) != "Message from Silk Cloud: Cloud for deliveries") {
		t.Errorf("notification: %+v", n[0])
	}
	// Unread: for everyone of the two organisations but the sender.
	for name, want := range map[string]int{"amina": 1, "otieno": 1, "wang": 1, "li": 0, "chidi": 0} {
		if got := w.unread(t, name); got != want {
			t.Errorf("%s: %d unread conversations, want %d", name, got, want)
		}
	}
	res = w.b["amina"].Get("/network/messages")
	if !strings.Contains(res.Body, "Cloud for deliveries") || !strings.Contains(res.Body, `<span class="badge">1</span>`) {
		t.Errorf("Amina's list lacks the conversation or the nav badge:\n%s", res.Body)
	}
	res = w.b["amina"].Get("/network/messages/" + id)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Hello &lt;b&gt;Nairobi&lt;/b&gt;,<br>we host clouds.") {
		t.Fatalf("conversation page: %d\n%s", res.StatusCode, res.Body)
	}
	if got := w.unread(t, "amina"); got != 0 {
		t.Errorf("reading left %d unread", got)
	}
	if got := w.unread(t, "otieno"); got != 1 {
		t.Errorf("Amina's reading changed Otieno's unread: %d", got)
	}

	// The sender's data export holds what they wrote; others' do not.
	if res := w.b["li"].Get("/account/export"); !strings.Contains(res.Body, "we host clouds.") || !strings.Contains(res.Body, "network_messages") {
		t.Errorf("the author's export lacks the message: %d", res.StatusCode)
	}
	if res := w.b["amina"].Get("/account/export"); strings.Contains(res.Body, "we host clouds.") {
		t.Error("someone else's export holds the message")
	}

	w.e.Clock.Advance(time.Minute)
	if res := w.b["amina"].Post("/network/messages/"+id, url.Values{"body": {"Karibu! Tell us more."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d %s", res.StatusCode, res.Body)
	}
	for name, want := range map[string]int{"li": 1, "wang": 1, "amina": 1, "otieno": 1} {
		if got := len(w.notes(t, name)); got != want {
			t.Errorf("after the reply %s has %d notifications, want %d", name, got, want)
		}
	}
	if got := w.unread(t, "li"); got != 1 {
		t.Errorf("Li: %d unread after the reply", got)
	}

	// A second conversation, from Lagos Pay, is newer: first in Amina's list,
	// until Li answers in the first.
	w.e.Clock.Advance(time.Minute)
	w.start(t, "chidi", "nairobi-logistics", "Payments for couriers", "Shall we talk?")
	order := func() []string {
		var got struct{ Items []struct{ Subject string } }
		json.Unmarshal([]byte(w.b["amina"].Get("/api/v1/network/conversations").Body), &got)
		var out []string
		for _, it := range got.Items {
			out = append(out, it.Subject)
		}
		return out
	}
	if got := order(); strings.Join(got, "|") != "Payments for couriers|Cloud for deliveries" {
		t.Errorf("order: %q", got)
	}
	w.e.Clock.Advance(time.Minute)
	res = w.b["li"].Do("POST", "/api/v1/network/conversations/"+id+"/messages", strings.NewReader(`{"body": "We have a data centre in Nairobi."}`), "application/json")
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, `"seq":3`) {
		t.Fatalf("API reply: %d %s", res.StatusCode, res.Body)
	}
	if got := order(); strings.Join(got, "|") != "Cloud for deliveries|Payments for couriers" {
		t.Errorf("order after the reply: %q", got)
	}
	// Paging through the list.
	var page struct {
		Items []struct{ Subject string }
		Next  *string
	}
	json.Unmarshal([]byte(w.b["amina"].Get("/api/v1/network/conversations?limit=1").Body), &page)
	if len(page.Items) != 1 || page.Next == nil {
		t.Fatalf("first page: %+v", page)
	}
	json.Unmarshal([]byte(w.b["amina"].Get("/api/v1/network/conversations?limit=1&cursor="+url.QueryEscape(*page.Next)).Body), &page)
	if len(page.Items) != 1 || page.Items[0].Subject != "Payments for couriers" || page.Next != nil {
		t.Errorf("second page: %+v", page)
	}
	var conv struct {
		Subject  string
		From, To struct{ Slug string }
		Messages []struct {
			Seq       int
			Org, Body string
		}
		Unread bool
	}
	json.Unmarshal([]byte(w.b["amina"].Get("/api/v1/network/conversations/"+id).Body), &conv)
	if conv.From.Slug != "silk-cloud" || conv.To.Slug != "nairobi-logistics" || len(conv.Messages) != 3 ||
		conv.Messages[1].Org != "nairobi-logistics" || conv.Messages[2].Body != "We have a data centre in Nairobi." || conv.Unread {
		t.Errorf("conversation: %+v", conv)
	}
	if got := w.unread(t, "amina"); got != 1 { // Lagos Pay's
		t.Errorf("Amina after reading through the API: %d unread", got)
	}

	t.Run("Indicator", func(t *testing.T) {
		for _, ind := range w.e.App.Indicators.All() {
			if ind.Key != "network.conversations" {
				continue
			}
			v, err := ind.Compute(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if v.Total != 2 || v.Breakdown["CN"] != 1 || v.Breakdown["NG"] != 1 || len(v.Breakdown) != 2 {
				t.Errorf("conversations started: %+v", v)
			}
			return
		}
		t.Error("network.conversations is not declared")
	})

	t.Run("OutsidersSeeNothing", func(t *testing.T) {
		items := []struct{ method, path, body string }{
			{"GET", "/network/messages/" + id, ""},
			{"POST", "/network/messages/" + id, "body=intrusion"},
			{"GET", "/api/v1/network/conversations/" + id, ""},
			{"POST", "/api/v1/network/conversations/" + id + "/messages", `{"body": "intrusion"}`},
		}
		before := w.count(t, "network_messages")
		for _, who := range []string{"chidi", "admin", "moderator", "officer", "anonymous"} {
			b := w.b[who]
			for _, it := range items {
				ct := "application/x-www-form-urlencoded"
				if strings.HasPrefix(it.path, "/api/") {
					ct = "application/json"
				}
				res := b.Do(it.method, it.path, strings.NewReader(it.body), ct)
				if res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, "Cloud for deliveries") {
					t.Errorf("%s: %s %s answered %d", who, it.method, it.path, res.StatusCode)
				}
			}
			for _, list := range []string{"/network/messages", "/network/messages?q=cloud", "/api/v1/network/conversations", "/api/v1/network/conversations?q=cloud"} {
				if res := b.Get(list); strings.Contains(res.Body, "Cloud for deliveries") || strings.Contains(res.Body, id) {
					t.Errorf("%s sees the conversation in %s", who, list)
				}
			}
			if who != "anonymous" {
				if got := w.unread(t, who); got != 0 {
					t.Errorf("%s counts %d unread conversations", who, got)
				}
				if res := b.Get("/"); strings.Contains(res.Body, `href="/network/messages"`) && strings.Contains(apptest.Between(res.Body, `href="/network/messages"`, "</a>"), "badge") {
					t.Errorf("%s has a messages badge", who)
				}
			}
		}
		if got := w.count(t, "network_messages"); got != before {
			t.Errorf("outsiders added %d messages", got-before)
		}
		for _, who := range []string{"li", "chidi"} {
			if res := w.b[who].Get("/network/messages/0193a4b2-0000-7000-8000-000000000000"); res.StatusCode != http.StatusNotFound {
				t.Errorf("unknown conversation for %s: %d", who, res.StatusCode)
			}
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	w := newWorld(t)
	long := strings.Repeat("é", messages.MaxBody+1)
	for name, c := range map[string]struct {
		form  url.Values
		field string
	}{
		"empty body":    {url.Values{"to": {"nairobi-logistics"}, "subject": {"Hi"}, "body": {"  \n "}}, "body"},
		"oversize body": {url.Values{"to": {"nairobi-logistics"}, "subject": {"Hi"}, "body": {long}}, "body"},
		"no subject":    {url.Values{"to": {"nairobi-logistics"}, "subject": {""}, "body": {"Hello"}}, "subject"},
		"long subject":  {url.Values{"to": {"nairobi-logistics"}, "subject": {strings.Repeat("s", 201)}, "body": {"Hello"}}, "subject"},
		"own org":       {url.Values{"to": {"silk-cloud"}, "subject": {"Hi"}, "body": {"Hello"}}, "to"},
		"unknown org":   {url.Values{"to": {"no-such-org"}, "subject": {"Hi"}, "body": {"Hello"}}, "to"},
		"office":        {url.Values{"to": {"office-network"}, "subject": {"Hi"}, "body": {"Hello"}}, "to"},
		"not their org": {url.Values{"from": {"lagos-pay"}, "to": {"nairobi-logistics"}, "subject": {"Hi"}, "body": {"Hello"}}, "from"},
	} {
		res := w.b["li"].Post("/network/messages", c.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="e-`+c.field+`"`) {
			t.Errorf("%s: %d", name, res.StatusCode)
		}
	}
	res := w.b["li"].Post("/network/messages", url.Values{"to": {"silk-cloud"}, "subject": {"Hi"}, "body": {"Hello"}})
	if !strings.Contains(res.Body, "Write to another organisation, not the one you write for.") {
		t.Errorf("the error is not explained:\n%s", res.Body)
	}
	fr := w.b["li"]
	res = fr.Post("/network/messages?lang=fr", url.Values{"to": {"nairobi-logistics"}, "subject": {"Salut"}, "body": {""}})
	if !strings.Contains(res.Body, "Écrivez un message.") || !strings.Contains(res.Body, `value="Salut"`) {
		t.Errorf("the French form neither explains nor keeps the input")
	}
	if res := w.b["wang"].Get("/network/messages/new?to=no-such-org"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("new conversation with an unknown organisation: %d", res.StatusCode)
	}
	for name, body := range map[string]string{
		"api empty":   `{"to": "nairobi-logistics", "subject": "Hi", "body": ""}`,
		"api self":    `{"to": "silk-cloud", "subject": "Hi", "body": "Hello"}`,
		"api unknown": `{"to": "nobody", "subject": "Hi", "body": "Hello"}`,
		"api field":   `{"to": "nairobi-logistics", "subject": "Hi", "body": "Hello", "cc": "all"}`,
	} {
		res := w.b["li"].Do("POST", "/api/v1/network/conversations", strings.NewReader(body), "application/json")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"error"`) {
			t.Errorf("%s: %d %s", name, res.StatusCode, res.Body)
		}
	}
	if n := w.count(t, "network_conversations") + w.count(t, "network_messages"); n != 0 {
		t.Fatalf("bad input left %d rows", n)
	}
	// Exactly the limit is fine; a reply one over is refused.
	exact := strings.Repeat("é", messages.MaxBody)
	body, _ := json.Marshal(map[string]string{"to": "nairobi-logistics", "subject": "Long", "body": exact})
	res = w.b["li"].Do("POST", "/api/v1/network/conversations", strings.NewReader(string(body)), "application/json")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("a message of exactly %d characters: %d %s", messages.MaxBody, res.StatusCode, res.Body)
	}
	var conv struct{ ID string }
	json.Unmarshal([]byte(res.Body), &conv)
	if res := w.b["amina"].Post("/network/messages/"+conv.ID, url.Values{"body": {long}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("oversize reply: %d", res.StatusCode)
	}
	if res := w.b["amina"].Post("/network/messages/"+conv.ID, url.Values{"body": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty reply: %d", res.StatusCode)
	}
	if n := w.count(t, "network_messages"); n != 1 {
		t.Errorf("refused replies left %d messages", n)
	}
	if res := w.b["amina"].Get("/api/v1/network/conversations?cursor=garbage"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad cursor: %d", res.StatusCode)
	}
	if res := w.b["amina"].Get("/network/messages/" + conv.ID + "?before=x"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad before: %d", res.StatusCode)
	}
}

// TestLongConversationPagesStaySmall fills a conversation with long
// messages of Chinese text (which compresses least) and checks that a page
// weighs under 30 KB as transferred, with earlier messages a link away.
func TestLongConversationPagesStaySmall(t *testing.T) {
	w := newWorld(t)
	rng := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		var sb strings.Builder
		for range messages.MaxBody {
			sb.WriteRune(rune(0x4e00 + rng.IntN(3000)))
		}
		return sb.String()
	}
	id := w.start(t, "li", "nairobi-logistics", "长消息", text())
	for i := range 4 {
		who := []string{"amina", "li"}[i%2]
		if res := w.b[who].Post("/network/messages/"+id, url.Values{"body": {text()}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply %d: %d", i, res.StatusCode)
		}
	}
	b := w.b["amina"]
	b.Header.Set("Accept-Encoding", "gzip")
	res := b.Get("/network/messages/" + id)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("page: %d %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if n := len(res.Body); n > 30<<10 {
		t.Errorf("the page transfers %d bytes", n)
	}
	b.Header.Del("Accept-Encoding")
	seen := 0
	next := "/network/messages/" + id
	for next != "" && seen < 10 {
		res := b.Get(next)
		seen += strings.Count(res.Body, `<li id="m`)
		next = strings.ReplaceAll(apptest.Between(res.Body, `<p class="pager"><a href="`, `"`), "&amp;", "&")
		if strings.Contains(next, "before=") == false {
			next = ""
		}
	}
	if seen != 5 {
		t.Errorf("paging through the conversation showed %d messages, want 5", seen)
	}
}
