package posts_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/network/posts"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

func TestPublishAndRead(t *testing.T) {
	w := newWorld(t)
	amina := w.signIn(t, "amina@kenya-cloud.example")
	id := publish(t, amina, form(map[string]string{"title.zh-Hans": "招标：肯尼亚海关云托管"}))
	anon := w.e.Browser()

	page := anon.Get("/network/posts/" + id)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "hébergement en nuage") || !strings.Contains(page.Body, "Réponses avant la fin du mois.") {
		t.Fatalf("post page: %d\n%s", page.StatusCode, page.Body)
	}
	list := anon.Get("/network/posts?lang=zh-Hans")
	if !strings.Contains(list.Body, "招标：肯尼亚海关云托管") {
		t.Errorf("the list does not show the Chinese title to a Chinese reader")
	}
	if !strings.Contains(list.Body, `<link rel="alternate" type="application/atom+xml" href="/network/posts.atom"`) {
		t.Errorf("the list does not link its feed")
	}
	if n := len(list.Body); n > 30<<10 {
		t.Errorf("list page weighs %d bytes", n)
	}
	var item struct {
		ID       string `json:"id"`
		Country  string `json:"country"`
		Audience string `json:"audience"`
		State    string `json:"state"`
		Title    posts.TextInput
		Replies  []any `json:"replies"`
	}
	if res := anon.Get("/api/v1/network/posts/" + id); res.StatusCode != 200 || json.Unmarshal([]byte(res.Body), &item) != nil ||
		item.Country != "KE" || item.Audience != "public" || item.State != "published" || item.Title.Original != "fr" || item.Replies == nil {
		t.Errorf("API item: %+v", item)
	}
	if res := anon.Get("/api/v1/network/posts?country=KE&sector=cloud_datacentres&kind=opportunity_tender"); !strings.Contains(res.Body, id) {
		t.Errorf("API list with filters lacks the post: %s", res.Body)
	}
	if res := anon.Get("/api/v1/network/posts?country=CN"); strings.Contains(res.Body, id) {
		t.Errorf("API list for China shows a Kenyan post")
	}

	t.Run("Feed", func(t *testing.T) {
		res := anon.Get("/network/posts.atom?country=KE&lang=fr")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		var feed struct {
			XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
			Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			ID      string   `xml:"id"`
			Updated string   `xml:"updated"`
			Entries []struct {
				Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
				ID      string `xml:"id"`
				Title   string `xml:"title"`
				Updated string `xml:"updated"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(res.Body), &feed); err != nil {
			t.Fatalf("feed is not XML: %v\n%s", err, res.Body)
		}
		if feed.Lang != "fr" || !strings.HasPrefix(feed.ID, "urn:uuid:") || feed.Updated == "" || len(feed.Entries) != 1 {
			t.Fatalf("feed: %+v\n%s", feed, res.Body)
		}
		e := feed.Entries[0]
		if e.ID != "urn:uuid:"+id || e.Lang != "fr" || !strings.Contains(e.Title, "hébergement") {
			t.Errorf("entry: %+v", e)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q", e.Updated)
		}
		if res := anon.Get("/network/posts.atom?sector=ecommerce"); strings.Contains(res.Body, id) {
			t.Errorf("the e-commerce feed has a cloud post")
		}
		if res := anon.Get("/network/posts.atom?country=XX"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("feed of an unknown country: %d", res.StatusCode)
		}
	})

	t.Run("HTMLIsText", func(t *testing.T) {
		id := publish(t, amina, form(map[string]string{"title.fr": `<script>alert("x")</script> appel`, "body.fr": `<b>gras</b> & <img src=x onerror=alert(1)>`}))
		page := anon.Get("/network/posts/" + id)
		if strings.Contains(page.Body, "<script>alert") || strings.Contains(page.Body, "<b>gras") || strings.Contains(page.Body, "<img src=x") {
			t.Fatalf("user text rendered as HTML:\n%s", page.Body)
		}
		if !strings.Contains(page.Body, "&lt;b&gt;gras&lt;/b&gt;") {
			t.Errorf("user text not shown escaped")
		}
		if list := anon.Get("/network/posts"); strings.Contains(list.Body, "<script>alert") || strings.Contains(list.Body, "<img src=x") {
			t.Errorf("the list renders user text as HTML")
		}
	})

	t.Run("Edit", func(t *testing.T) {
		if res := w.signIn(t, "baraka@kenya-cloud.example").Get("/network/posts/" + id + "/edit"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a plain member edits: %d", res.StatusCode)
		}
		if res := w.signIn(t, "moussa@dakar-digital.example").Post("/network/posts/"+id+"/edit", form(nil)); res.StatusCode != http.StatusForbidden {
			t.Errorf("another organisation edits: %d", res.StatusCode)
		}
		otieno := w.signIn(t, "otieno@kenya-cloud.example")
		if res := otieno.Post("/network/posts/"+id+"/edit", form(map[string]string{"title.fr": "Appel d’offres modifié"})); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("editor edits: %d\n%s", res.StatusCode, res.Body)
		}
		if res := anon.Get("/network/posts?q=modifié"); !strings.Contains(res.Body, id) {
			t.Errorf("the edit is not searchable")
		}
	})
}

func TestBadInput(t *testing.T) {
	w := newWorld(t)
	moussa := w.signIn(t, "moussa@dakar-digital.example")
	amina := w.signIn(t, "amina@kenya-cloud.example")
	cases := []struct {
		name    string
		b       string
		changes map[string]string
		field   string
		key     string
	}{
		{"UnknownCountry", "amina", map[string]string{"country": "XX"}, "country", "network.posts.error.country"},
		{"NotAfricanNorChina", "amina", map[string]string{"country": "FR"}, "country", "network.posts.error.country"},
		{"UnknownSector", "amina", map[string]string{"sectors": "mining"}, "sectors", "network.posts.error.sector"},
		{"NoSector", "amina", map[string]string{"sectors": ""}, "sectors", "network.posts.error.sectors_none"},
		{"UnknownKind", "amina", map[string]string{"kind": "advert"}, "kind", "network.posts.error.kind"},
		{"EmptyTitle", "amina", map[string]string{"title.fr": "  "}, "title.fr", "text.error.required"},
		{"EmptyBody", "amina", map[string]string{"body.fr": ""}, "body.fr", "text.error.required"},
		{"HugeBody", "amina", map[string]string{"body.fr": strings.Repeat("é", posts.BodyMax+1)}, "body.fr", "text.error.long"},
		{"HugeTitle", "amina", map[string]string{"title.fr": strings.Repeat("x", posts.TitleMax+1)}, "title.fr", "text.error.long"},
		{"BadDate", "amina", map[string]string{"expires_on": "31/12/2026"}, "expires_on", "network.posts.error.date"},
		{"PastExpiry", "amina", map[string]string{"expires_on": "2001-01-01"}, "expires_on", "network.posts.error.expires_past"},
		{"UnknownAudience", "amina", map[string]string{"audience": "world"}, "audience", "network.posts.error.audience"},
		{"GreenByNonMember", "moussa", map[string]string{"audience": "network", "country": "SN"}, "audience", "network.posts.error.members_only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := amina
			if c.b == "moussa" {
				b = moussa
			}
			before := w.count(t)
			res := b.Post("/network/posts?lang=fr", form(c.changes))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", res.StatusCode)
			}
			msg := w.e.App.Catalog.Printer("fr").T(c.key)
			if !strings.Contains(res.Body, escape(msg)) {
				t.Errorf("the form does not say %q", msg)
			}
			if w.count(t) != before {
				t.Errorf("a post was stored")
			}
		})
	}
	t.Run("SixSectors", func(t *testing.T) {
		v := form(nil)
		v["sectors"] = []string{"ecommerce", "ai_data", "logistics", "agritech", "edtech_training", "cybersecurity"}
		if res := amina.Post("/network/posts", v); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("six sectors: %d", res.StatusCode)
		}
	})
	t.Run("API", func(t *testing.T) {
		c := w.api(t, "amina@kenya-cloud.example")
		before := w.count(t)
		res := c.Do("POST", "/api/v1/network/posts", strings.NewReader(`{"kind":"announcement","title":{"original":"en","texts":{"en":"Hi"}},
			"body":{"original":"en","texts":{"en":"Body"}},"country":"ZZ","sectors":["ecommerce"],"audience":"public"}`), "application/json")
		var e struct {
			Error struct {
				Code   string
				Fields map[string]string
			}
		}
		if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity || json.Unmarshal([]byte(res.Body), &e) != nil ||
			e.Error.Fields["country"] == "" {
			t.Errorf("API bad country: %d %s", res.StatusCode, res.Body)
		}
		res = c.Do("POST", "/api/v1/network/posts", strings.NewReader(`{"kind": 3}`), "application/json")
		if res.StatusCode/100 != 4 {
			t.Errorf("API wrong type: %d", res.StatusCode)
		}
		if w.count(t) != before {
			t.Errorf("a post was stored")
		}
		if res := c.Get("/api/v1/network/posts?kind=advert"); res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("unknown kind filter: %d", res.StatusCode)
		}
	})
	t.Run("NoOrganisation", func(t *testing.T) {
		w.person(t, "Nobody", "nobody@example.org")
		b := w.signIn(t, "nobody@example.org")
		if res := b.Get("/network/posts/new"); res.StatusCode != http.StatusForbidden {
			t.Errorf("new post without an organisation: %d", res.StatusCode)
		}
		if res := b.Post("/network/posts", form(nil)); res.StatusCode != http.StatusForbidden {
			t.Errorf("publishing without an organisation: %d", res.StatusCode)
		}
		if res := w.e.Browser().Post("/network/posts", form(nil)); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Errorf("publishing signed out: %d", res.StatusCode)
		}
	})
}

func escape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

func TestExpiry(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	amina := w.viewer(t, "amina@kenya-cloud.example")
	in := input("Tender for rural broadband backhaul", "KE", "opportunity_tender", "telecom_networks")
	in.ExpiresOn = w.e.Clock.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	p, err := w.svc.Create(ctx, amina, in, "")
	if err != nil {
		t.Fatal(err)
	}
	anon := w.e.Browser()
	present := func(path string) bool { return strings.Contains(anon.Get(path).Body, p.ID) }
	routes := []string{"/network/posts", "/network/posts?q=backhaul", "/network/posts.atom", "/api/v1/network/posts", "/api/v1/network/posts?q=backhaul"}
	for _, r := range routes {
		if !present(r) {
			t.Errorf("%s: a current post is missing", r)
		}
	}
	w.e.Clock.Advance(24 * time.Hour) // its last day: still current
	if !present("/network/posts") {
		t.Errorf("a post is gone on its last day")
	}
	w.e.Clock.Advance(24 * time.Hour)
	for _, check := range []bool{false, true} { // before and after the sweep re-indexes it
		for _, r := range routes {
			if present(r) {
				t.Errorf("%s (swept %v): an expired post is listed", r, check)
			}
		}
		for _, r := range []string{"/network/posts?expired=1", "/network/posts?q=backhaul&expired=1", "/api/v1/network/posts?q=backhaul&expired=1"} {
			if !present(r) {
				t.Errorf("%s (swept %v): an expired post is missing when asked for", r, check)
			}
		}
		if err := w.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if res := anon.Get("/network/posts?q=backhaul"); !strings.Contains(res.Body, `data-total="0"`) {
		t.Errorf("the count of a search includes an expired post")
	}
	page := anon.Get("/network/posts/" + p.ID + "?lang=en")
	if page.StatusCode != 200 || !strings.Contains(page.Body, w.e.App.Catalog.Printer("en").T("network.posts.expired_note")) {
		t.Errorf("an expired post's page: %d", page.StatusCode)
	}
	var item struct{ Expired bool }
	json.Unmarshal([]byte(anon.Get("/api/v1/network/posts/"+p.ID).Body), &item)
	if !item.Expired {
		t.Errorf("the API does not say the post expired")
	}
	list, err := w.svc.ByOrg(ctx, nil, p.OwnerOrg, 10)
	if err != nil || len(list) != 1 || !list[0].Expired {
		t.Errorf("ByOrg: %+v %v", list, err)
	}
	if list, err := w.svc.ByCountry(ctx, nil, "KE", 10); err != nil || len(list) != 0 {
		t.Errorf("ByCountry lists an expired post: %+v %v", list, err)
	}
}

func TestByOrgAndByCountry(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	amina := w.viewer(t, "amina@kenya-cloud.example")
	mk := func(title, country, audience string) *posts.Post {
		in := input(title, country, "announcement")
		in.Audience = audience
		p, err := w.svc.Create(ctx, amina, in, "")
		if err != nil {
			t.Fatal(err)
		}
		w.e.Clock.Advance(time.Second)
		return p
	}
	ke := mk("Nairobi office opens", "KE", posts.Public)
	af := mk("Continental payments pilot", posts.AllAfrica, posts.Public)
	green := mk("Members' briefing", "KE", posts.Members)
	cn := mk("Shenzhen roadshow", "CN", posts.Public)
	titles := func(list []posts.Summary) string {
		var out []string
		for _, s := range list {
			out = append(out, s.Title)
		}
		return strings.Join(out, "|")
	}
	if got, _ := w.svc.ByCountry(ctx, nil, "KE", 10); titles(got) != af.TitlePlain+"|"+ke.TitlePlain {
		t.Errorf("ByCountry(KE) for the public: %q", titles(got))
	}
	if got, _ := w.svc.ByCountry(ctx, w.viewer(t, "li@hua-cloud.example"), "KE", 10); titles(got) != green.TitlePlain+"|"+af.TitlePlain+"|"+ke.TitlePlain {
		t.Errorf("ByCountry(KE) for a network member: %q", titles(got))
	}
	if got, _ := w.svc.ByCountry(ctx, w.viewer(t, "moussa@dakar-digital.example"), "KE", 10); strings.Contains(titles(got), green.TitlePlain) {
		t.Errorf("ByCountry shows a network-only post to a non-member")
	}
	if got, _ := w.svc.ByCountry(ctx, nil, "CN", 10); titles(got) != cn.TitlePlain {
		t.Errorf("ByCountry(CN): %q", titles(got))
	}
	if got, _ := w.svc.ByOrg(ctx, nil, ke.OwnerOrg, 2); titles(got) != cn.TitlePlain+"|"+af.TitlePlain || got[0].Path != "/network/posts/"+cn.ID {
		t.Errorf("ByOrg with a limit: %+v", got)
	}
	if _, err := w.svc.ByCountry(ctx, nil, "FR", 10); err == nil {
		t.Errorf("ByCountry of a country posts are not about")
	}
}

// TestNetworkOnlyNeverLeaks: a post for the network's members is never in
// a public list, search, feed, count, the API or the indicator, nor shown
// to a verified organisation outside the network.
func TestNetworkOnlyNeverLeaks(t *testing.T) {
	w := newWorld(t)
	amina := w.signIn(t, "amina@kenya-cloud.example")
	id := publish(t, amina, form(map[string]string{"audience": "network", "title.fr": "Réservé zqmembres", "body.fr": "Pour les membres zqmembres."}))
	if _, err := w.svc.AddReply(t.Context(), w.viewer(t, "li@hua-cloud.example"), id, posts.ReplyInput{Body: "Intéressés zqreply"}, ""); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/network/posts", "/network/posts?q=zqmembres", "/network/posts?q=" + url.QueryEscape("肯尼亚"), "/network/posts.atom",
		"/network/posts.atom?country=KE", "/api/v1/network/posts", "/api/v1/network/posts?q=zqmembres", "/network/posts/" + id,
		"/api/v1/network/posts/" + id, "/share/network.post/" + id}
	// The programme office runs the network but is not one of its members.
	w.person(t, "Officer Chen", "chen@office.example")
	if err := w.e.App.Orgs.AddMember(t.Context(), "office-network", w.userID(t, "chen@office.example"), []string{"member"}); err != nil {
		t.Fatal(err)
	}
	for who, b := range map[string]*apptest.Browser{"anonymous": w.e.Browser(), "non-member": w.signIn(t, "moussa@dakar-digital.example"),
		"programme officer": w.signIn(t, "chen@office.example")} {
		for _, p := range paths {
			if res := b.Get(p); strings.Contains(res.Body, "Réservé") || strings.Contains(res.Body, "Pour les membres") || strings.Contains(res.Body, "zqreply") {
				t.Errorf("%s sees the network-only post at %s", who, p)
			}
		}
		if res := b.Get("/network/posts?q=zqmembres"); !strings.Contains(res.Body, `data-total="0"`) {
			t.Errorf("%s: the search count includes the network-only post", who)
		}
		if res := b.Post("/network/posts/"+id+"/replies", url.Values{"body": {"hello"}}); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusSeeOther {
			t.Errorf("%s replies to an unseen post: %d", who, res.StatusCode)
		}
	}
	li := w.signIn(t, "li@hua-cloud.example")
	for _, p := range []string{"/network/posts", "/network/posts?q=zqmembres", "/api/v1/network/posts", "/network/posts/" + id} {
		if res := li.Get(p); !strings.Contains(res.Body, "Réservé") {
			t.Errorf("a network member misses the post at %s", p)
		}
	}
	if res := li.Get("/network/posts.atom"); strings.Contains(res.Body, "Réservé") {
		t.Errorf("the public feed carries a network-only post for a member")
	}
	for who, v := range map[string]float64{"anonymous": 0, "moussa@dakar-digital.example": 0, "chen@office.example": 0, "li@hua-cloud.example": 1} {
		var val float64
		ind := w.svc.Published()
		viewer := w.viewerOrNil(t, who)
		got, err := ind.Compute(t.Context(), viewer)
		if err != nil {
			t.Fatal(err)
		}
		val = got.Total
		if val != v || got.Breakdown["KE"] != v {
			t.Errorf("indicator for %s: %+v, want %v", who, got, v)
		}
	}
}

type viewerT = web.Viewer

func (w *world) viewerOrNil(t *testing.T, email string) *viewerT {
	if email == "anonymous" {
		return nil
	}
	return w.viewer(t, email)
}

func TestIndicator(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	amina := w.viewer(t, "amina@kenya-cloud.example")
	li := w.viewer(t, "li@hua-cloud.example")
	for _, c := range []struct {
		v        *viewerT
		country  string
		audience string
		draft    bool
	}{
		{amina, "KE", posts.Public, false}, {amina, "KE", posts.Public, false}, {amina, "TZ", posts.Public, false},
		{li, "CN", posts.Public, false}, {li, posts.AllAfrica, posts.Public, false}, {li, "CN", posts.Named, false},
		{amina, "KE", posts.Public, true},
	} {
		in := input("Indicator post", c.country, "market_update")
		in.Audience, in.Draft = c.audience, c.draft
		if _, err := w.svc.Create(ctx, c.v, in, ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err := w.svc.Published().Compute(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 5 || got.Breakdown["KE"] != 2 || got.Breakdown["TZ"] != 1 || got.Breakdown["CN"] != 1 || len(got.Breakdown) != 3 {
		t.Errorf("public value %+v, want 5 in total: KE 2, TZ 1, CN 1 (Africa-wide in the total only; the draft and the named post not)", got)
	}
	if got, _ := w.svc.Published().Compute(ctx, li); got.Total != 6 || got.Breakdown["CN"] != 2 {
		t.Errorf("Hua Cloud's value %+v, want 6 with its named post (its own), still without Kenya Cloud's draft", got)
	}
	if got, _ := w.svc.Published().Compute(ctx, amina); got.Total != 5 {
		t.Errorf("Kenya Cloud's value %+v: its draft is not published", got)
	}
}

func TestReplies(t *testing.T) {
	w := newWorld(t)
	amina := w.signIn(t, "amina@kenya-cloud.example")
	id := publish(t, amina, form(nil))
	li := w.signIn(t, "li@hua-cloud.example")
	res := li.Post("/network/posts/"+id+"/replies", url.Values{"body": {"Nous sommes intéressés.\n<b>Hua</b> Cloud"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d\n%s", res.StatusCode, res.Body)
	}
	replies, err := w.svc.Replies(t.Context(), nil, id)
	if err != nil || len(replies) != 1 {
		t.Fatalf("replies: %+v %v", replies, err)
	}
	first := replies[0]
	// An answer to an answer joins the thread: one level deep.
	moussa := w.signIn(t, "moussa@dakar-digital.example")
	if res := moussa.Post("/network/posts/"+id+"/replies", url.Values{"body": {"Nous aussi."}, "parent": {first.ID}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", res.StatusCode)
	}
	replies, _ = w.svc.Replies(t.Context(), nil, id)
	if len(replies) != 1 || len(replies[0].Replies) != 1 {
		t.Fatalf("thread: %+v", replies)
	}
	second := replies[0].Replies[0].ID
	if _, err := w.svc.AddReply(t.Context(), w.viewer(t, "amina@kenya-cloud.example"), id, posts.ReplyInput{Body: "Merci", Parent: second}, ""); err != nil {
		t.Fatal(err)
	}
	replies, _ = w.svc.Replies(t.Context(), nil, id)
	if len(replies) != 1 || len(replies[0].Replies) != 2 {
		t.Errorf("an answer to an answer left the thread: %+v", replies)
	}
	page := w.e.Browser().Get("/network/posts/" + id)
	if strings.Contains(page.Body, "<b>Hua</b>") || !strings.Contains(page.Body, "&lt;b&gt;Hua&lt;/b&gt;") || !strings.Contains(page.Body, "Nous aussi.") {
		t.Errorf("the page shows replies wrongly")
	}
	var item struct {
		Replies []struct {
			Body    string
			Replies []struct{ Body string }
		}
	}
	json.Unmarshal([]byte(w.e.Browser().Get("/api/v1/network/posts/"+id).Body), &item)
	if len(item.Replies) != 1 || len(item.Replies[0].Replies) != 2 {
		t.Errorf("API replies: %+v", item)
	}
	// The owner's admins and editors are told; the plain member is not.
	var n int
	w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM notifications WHERE kind = 'network.reply' AND user_id = $1`, w.userID(t, "otieno@kenya-cloud.example")).Scan(&n)
	if n != 3 {
		t.Errorf("the editor got %d reply notes, want 3", n)
	}
	w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM notifications WHERE kind = 'network.reply' AND user_id = $1`, w.userID(t, "baraka@kenya-cloud.example")).Scan(&n)
	if n != 0 {
		t.Errorf("a plain member got %d reply notes", n)
	}
	for name, c := range map[string]struct {
		v   url.Values
		key string
	}{
		"Empty":         {url.Values{"body": {"   "}}, "network.posts.error.reply_empty"},
		"Huge":          {url.Values{"body": {strings.Repeat("a", posts.ReplyMax+1)}}, "network.posts.error.reply_long"},
		"UnknownParent": {url.Values{"body": {"x"}, "parent": {"nope"}}, "network.posts.error.reply_parent"},
	} {
		t.Run(name, func(t *testing.T) {
			var before, after int
			w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM network_post_replies`).Scan(&before)
			res := li.Post("/network/posts/"+id+"/replies?lang=en", c.v)
			w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM network_post_replies`).Scan(&after)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, escape(w.e.App.Catalog.Printer("en").T(c.key))) || after != before {
				t.Errorf("status %d, replies %d → %d", res.StatusCode, before, after)
			}
		})
	}
	t.Run("NoOrganisation", func(t *testing.T) {
		w.person(t, "Loner", "loner@example.org")
		if res := w.signIn(t, "loner@example.org").Post("/network/posts/"+id+"/replies", url.Values{"body": {"hi"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a person without an organisation replies: %d", res.StatusCode)
		}
	})
	t.Run("API", func(t *testing.T) {
		c := w.api(t, "li@hua-cloud.example")
		res := c.Do("POST", "/api/v1/network/posts/"+id+"/replies", strings.NewReader(`{"body":"Par l’API"}`), "application/json")
		if res.StatusCode != http.StatusCreated {
			t.Errorf("API reply: %d %s", res.StatusCode, res.Body)
		}
	})
}

func TestDraftsAndPublishing(t *testing.T) {
	w := newWorld(t)
	amina := w.signIn(t, "amina@kenya-cloud.example")
	v := form(map[string]string{"draft": "1", "title.fr": "Brouillon zqdraft"})
	id := publish(t, amina, v)
	if res := w.e.Browser().Get("/network/posts/" + id); res.StatusCode != http.StatusNotFound {
		t.Errorf("a draft is public: %d", res.StatusCode)
	}
	if res := amina.Get("/network/posts"); !strings.Contains(res.Body, "zqdraft") {
		t.Errorf("the owner does not see the draft")
	}
	if res := amina.Post("/network/posts/"+id+"/edit", form(map[string]string{"publish": "1", "title.fr": "Publié zqdraft"})); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", res.StatusCode, res.Body)
	}
	if res := w.e.Browser().Get("/network/posts/" + id); res.StatusCode != 200 {
		t.Errorf("the published post is not public: %d", res.StatusCode)
	}
	// A named post goes to its share page to name the organisations.
	res := amina.Post("/network/posts", form(map[string]string{"audience": "named"}))
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/share/network.post/") {
		t.Errorf("a named post: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	named := strings.TrimPrefix(res.Header.Get("Location"), "/share/network.post/")
	m, err := w.e.App.Sharing.Meta(t.Context(), w.viewer(t, "amina@kenya-cloud.example"), posts.TypeName, named)
	if err != nil || m.Marking != sharing.Amber || m.State != sharing.Published || m.Community != w.e.App.Network.Core.Group.ID {
		t.Errorf("named post meta: %+v %v", m, err)
	}
}
