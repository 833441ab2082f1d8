package feeds_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/cert/feeds"
	"harambee.africa/harambee/internal/errs"
)

func TestPollPagesThenOnlyNew(t *testing.T) {
	s := newSetup(t)
	s.srv.add(7) // limit 3: pages of 3, 3 and 1
	f := s.subscribe()
	o := s.poll(s.s, f.ID)
	if !o.Polled || o.Pages != 3 || o.Added != 7 || o.Error != "" || o.More {
		t.Fatalf("first poll: %+v", o)
	}
	if s.imp.total() != 7 || s.imp.byOrg != s.team.ID || s.imp.coll != "coll-"+s.circle.ID {
		t.Fatalf("store has %d objects, by %q into %q", s.imp.total(), s.imp.byOrg, s.imp.coll)
	}
	got := s.feed(f.ID)
	if got.AddedAfter != "2026-01-01T00:00:06.000000Z" || got.Added != 7 || got.Pages != 3 || got.Status != feeds.Active || got.Resuming {
		t.Fatalf("after the first poll: %+v", got)
	}
	if want := s.e.Clock.Now().Add(30 * time.Minute); got.NextPollAt == nil || !got.NextPollAt.Equal(want) {
		t.Errorf("next poll %v, want %v", got.NextPollAt, want)
	}
	// Paging followed next with the run's added_after (none on the first run).
	if q := s.srv.lastQuery(); q.Get("next") != "6" || q.Get("added_after") != "" || q.Get("limit") != "3" {
		t.Errorf("last request of the first poll: %v", q)
	}
	// Not due yet: the sweep leaves it.
	if n, err := s.s.PollDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep before due: %d %v", n, err)
	}
	s.srv.add(2)
	s.e.Clock.Advance(31 * time.Minute)
	if n, err := s.s.PollDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep when due: %d %v", n, err)
	}
	if q := s.srv.lastQuery(); q.Get("added_after") != "2026-01-01T00:00:06.000000Z" || q.Get("next") != "" {
		t.Errorf("second poll asked %v", q)
	}
	if s.imp.total() != 9 || s.feed(f.ID).Added != 9 {
		t.Fatalf("after the second poll: store %d, counted %d", s.imp.total(), s.feed(f.ID).Added)
	}
	for k, n := range s.imp.delivered {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
	// Nothing new: a poll asks and imports nothing.
	o = s.poll(s.s, f.ID)
	if !o.Polled || o.Pages != 0 || o.Added != 0 {
		t.Errorf("poll with nothing new: %+v", o)
	}
}

func TestTypeFilterAndPagingWithoutNext(t *testing.T) {
	s := newSetup(t)
	s.srv.add(5)
	s.srv.noNext = true // more without next: continue from X-TAXII-Date-Added-Last
	f := s.subscribe("indicator", "malware")
	o := s.poll(s.s, f.ID)
	if o.Added != 5 || o.Pages != 2 || o.Error != "" {
		t.Fatalf("poll: %+v", o)
	}
	if q := s.srv.lastQuery(); q.Get("match[type]") != "indicator,malware" || q.Get("added_after") != "2026-01-01T00:00:02.000000Z" {
		t.Errorf("second page asked %v", q)
	}
}

func TestRestartResumes(t *testing.T) {
	t.Run("StoreFailsOnPage3", func(t *testing.T) {
		s := newSetup(t)
		s.srv.add(8) // pages of 3, 3, 2
		f := s.subscribe()
		s.imp.failOn = 3
		o, err := s.s.Poll(context.Background(), f.ID)
		if err == nil || o.Error != "cert.feeds.error.internal" || o.Pages != 2 || s.imp.total() != 6 {
			t.Fatalf("poll with a failing store: %+v %v, store %d", o, err, s.imp.total())
		}
		if n := s.count(`SELECT COUNT(*) FROM cert_feed_pages WHERE feed_id = $1`, f.ID); n != 1 {
			t.Fatalf("page 3 not kept: %d", n)
		}
		requests := len(s.srv.requests)
		// A new instance on the same database, after the backoff.
		s.e.Clock.Advance(2 * time.Minute)
		again := s.service()
		o = s.poll(again, f.ID)
		if o.Error != "" || s.imp.total() != 8 {
			t.Fatalf("resumed poll: %+v, store %d", o, s.imp.total())
		}
		for k, n := range s.imp.delivered {
			if n != 1 {
				t.Errorf("%s delivered %d times", k, n)
			}
		}
		// Page 3 came from the kept page, not from the server again.
		if len(s.srv.requests) != requests+1 || s.srv.lastQuery().Get("added_after") != "2026-01-01T00:00:07.000000Z" {
			t.Errorf("after the restart the client asked %d times, last %v", len(s.srv.requests)-requests, s.srv.lastQuery())
		}
		if got := s.feed(f.ID); got.Added != 8 || got.Failures != 0 || got.LastError != "" {
			t.Errorf("after the restart: %+v", got)
		}
	})
	t.Run("ServerFailsOnPage3", func(t *testing.T) {
		s := newSetup(t)
		s.srv.add(8)
		f := s.subscribe()
		s.srv.fail = func(n int) (int, http.Header, string) {
			if n == 3 {
				return http.StatusBadGateway, nil, ""
			}
			return 0, nil, ""
		}
		o := s.poll(s.s, f.ID)
		if o.Error != "cert.feeds.error.unavailable" || s.imp.total() != 6 {
			t.Fatalf("poll cut at page 3: %+v, store %d", o, s.imp.total())
		}
		if got := s.feed(f.ID); !got.Resuming || got.AddedAfter != "2026-01-01T00:00:05.000000Z" {
			t.Fatalf("cursor after page 2: %+v", got)
		}
		s.e.Clock.Advance(2 * time.Minute)
		o = s.poll(s.service(), f.ID)
		if o.Error != "" || s.imp.total() != 8 || o.Added != 2 {
			t.Fatalf("resumed: %+v, store %d", o, s.imp.total())
		}
		// It went on with the server's next and the run's original added_after.
		if q := s.srv.lastQuery(); q.Get("next") != "6" || q.Get("added_after") != "" {
			t.Errorf("resumed with %v", q)
		}
		for k, n := range s.imp.delivered {
			if n != 1 {
				t.Errorf("%s delivered %d times", k, n)
			}
		}
	})
	t.Run("StaleNext", func(t *testing.T) {
		s := newSetup(t)
		s.srv.add(8)
		f := s.subscribe()
		s.srv.fail = func(n int) (int, http.Header, string) {
			switch n {
			case 3:
				return http.StatusServiceUnavailable, nil, ""
			case 4:
				return http.StatusBadRequest, nil, "" // the server forgot its next
			}
			return 0, nil, ""
		}
		s.poll(s.s, f.ID)
		s.e.Clock.Advance(2 * time.Minute)
		o := s.poll(s.s, f.ID)
		if o.Error != "" || s.imp.total() != 8 {
			t.Fatalf("after a stale next: %+v, store %d", o, s.imp.total())
		}
		if q := s.srv.lastQuery(); q.Get("next") != "" || q.Get("added_after") != "2026-01-01T00:00:05.000000Z" {
			t.Errorf("fell back with %v", q)
		}
	})
}

func TestUnauthorizedStops(t *testing.T) {
	s := newSetup(t)
	s.srv.add(2)
	f := s.subscribe()
	s.srv.pass = "changed"
	o := s.poll(s.s, f.ID)
	if !o.Stopped || o.Error != "cert.feeds.error.unauthorized" {
		t.Fatalf("poll with refused credentials: %+v", o)
	}
	got := s.feed(f.ID)
	if got.Status != feeds.Stopped || got.NextPollAt != nil || got.LastError != "cert.feeds.error.unauthorized" || !strings.Contains(got.LastDetail, "401") {
		t.Fatalf("stopped feed: %+v", got)
	}
	for _, p := range []*person{s.admin, s.analyst} {
		if n := s.count(`SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = $2`, p.ID, feeds.StoppedKind.Name); n != 1 {
			t.Errorf("%s: %d notifications", p.Email, n)
		}
	}
	s.e.Clock.Advance(48 * time.Hour)
	if n, _ := s.s.PollDue(context.Background()); n != 0 {
		t.Errorf("a stopped feed was polled")
	}
	page := s.analyst.B.Get("/cert/feeds/" + f.ID + "?lang=en")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "refused the credentials") || !strings.Contains(page.Body, "Resume and poll") {
		t.Errorf("feed page does not show the stop: %d", page.StatusCode)
	}
	// The team fixes the password and resumes.
	if _, err := s.s.Update(context.Background(), s.viewer(s.analyst), f.ID, feeds.Input{Title: got.Title, APIRoot: got.APIRoot, Collection: got.Collection,
		User: "feeder", Password: "changed", Interval: 30}, ""); err != nil {
		t.Fatal(err)
	}
	if o := s.poll(s.s, f.ID); o.Error != "" || o.Added != 2 {
		t.Fatalf("after the fix: %+v", o)
	}
}

func TestTransientFailuresBackOff(t *testing.T) {
	s := newSetup(t)
	s.srv.add(2)
	f := s.subscribe()
	s.srv.fail = func(n int) (int, http.Header, string) {
		if n <= 3 {
			return http.StatusServiceUnavailable, http.Header{"Retry-After": {"120"}}, ""
		}
		return 0, nil, ""
	}
	start := s.e.Clock.Now()
	o := s.poll(s.s, f.ID)
	got := s.feed(f.ID)
	if o.Stopped || o.Error != "cert.feeds.error.unavailable" || got.Status != feeds.Active || got.Failures != 1 ||
		!got.NextPollAt.Equal(start.Add(2*time.Minute)) || got.AddedAfter != "" {
		t.Fatalf("after a 503 with Retry-After 120: %+v / %+v", o, got)
	}
	// Without Retry-After the wait doubles: 1, 2, 4 minutes… at least what the server asked.
	s.e.Clock.Advance(2 * time.Minute)
	s.poll(s.s, f.ID)
	s.e.Clock.Advance(2 * time.Minute)
	s.poll(s.s, f.ID)
	got = s.feed(f.ID)
	if got.Failures != 3 || !got.NextPollAt.Equal(s.e.Clock.Now().Add(4*time.Minute)) {
		t.Fatalf("after three failures: failures %d, next %v (now %v)", got.Failures, got.NextPollAt, s.e.Clock.Now())
	}
	s.e.Clock.Advance(4 * time.Minute)
	if n, err := s.s.PollDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if got = s.feed(f.ID); got.Failures != 0 || got.LastError != "" || got.Added != 2 {
		t.Fatalf("after recovering: %+v", got)
	}
}

func TestMalformedAnswersKeepTheCursor(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(ts *taxiiServer)
		key  string
	}{
		{"HTML", func(ts *taxiiServer) { ts.ctype = "text/html; charset=utf-8" }, "cert.feeds.error.media_type"},
		{"NoDateAddedLast", func(ts *taxiiServer) { ts.noLast = true }, "cert.feeds.error.malformed"},
		{"NotJSON", func(ts *taxiiServer) {
			ts.fail = func(int) (int, http.Header, string) {
				return http.StatusOK, http.Header{"Content-Type": {feeds.MediaType}}, `{"objects": [`
			}
		}, "cert.feeds.error.malformed"},
		{"ObjectWithoutID", func(ts *taxiiServer) {
			ts.fail = func(int) (int, http.Header, string) {
				return http.StatusOK, http.Header{"Content-Type": {feeds.MediaType}, "X-Taxii-Date-Added-Last": {"2026-01-01T00:00:00Z"}},
					`{"objects": [{"type": "indicator"}]}`
			}
		}, "cert.feeds.error.malformed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSetup(t)
			s.srv.add(2)
			c.set(s.srv)
			f := s.subscribe()
			o := s.poll(s.s, f.ID)
			got := s.feed(f.ID)
			if o.Error != c.key || o.Stopped || got.AddedAfter != "" || got.Added != 0 || s.imp.total() != 0 || got.Status != feeds.Active {
				t.Fatalf("%+v / %+v", o, got)
			}
			if n := s.count(`SELECT COUNT(*) FROM cert_feed_pages`); n != 0 {
				t.Errorf("%d pages kept", n)
			}
		})
	}
}

func TestAddressGuard(t *testing.T) {
	s := newSetup(t)
	s.s.AllowPrivate = false
	v := s.viewer(s.analyst)
	for _, u := range []string{"http://taxii.example.org/api1/", "https://127.0.0.1/api1/", "https://10.1.2.3/api1/", "https://169.254.169.254/latest/",
		"https://[::1]/api1/", "https://localhost/api1/", "https://metadata.google.internal/", "https://intranet/api1/", "https://user:pw@taxii.example.org/",
		"https://taxii.example.org/api1/?q=1", "ftp://taxii.example.org/", "https://100.64.1.1/"} {
		_, err := s.s.Create(context.Background(), v, feeds.Input{Team: s.team.ID, Circle: s.circle.ID, Title: "x", APIRoot: u, Collection: "c"}, "")
		var fe *errs.Error
		if !errs.Is(err, errs.Invalid) || !errorsAs(err, &fe) || fe.Fields["api_root"] == "" {
			t.Errorf("%s accepted: %v", u, err)
		}
	}
	f, err := s.s.Create(context.Background(), v, feeds.Input{Team: s.team.ID, Circle: s.circle.ID, Title: "x", APIRoot: "https://taxii.example.org/api1",
		Collection: "c"}, "")
	if err != nil || f.APIRoot != "https://taxii.example.org/api1/" {
		t.Fatalf("a public https URL: %v %+v", err, f)
	}
	// A subscription to the loopback server, saved while allowed, is refused when connecting.
	s.s.AllowPrivate = true
	g := s.subscribe()
	s.s.AllowPrivate = false
	o := s.poll(s.s, g.ID)
	if !o.Stopped || o.Error != "cert.feeds.error.private" || len(s.srv.requests) != 0 {
		t.Fatalf("poll of a loopback server: %+v, %d requests", o, len(s.srv.requests))
	}
}

func TestCredentialsNeverShown(t *testing.T) {
	s := newSetup(t)
	s.srv.add(1)
	b := s.analyst.B
	res := b.Post("/cert/feeds", url.Values{"target": {s.team.ID + "/" + s.circle.ID}, "title": {"Partner"}, "api_root": {s.srv.root()},
		"collection": {"coll-1"}, "types": {""}, "interval": {"15"}, "user": {"feeder"}, "password": {secret}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	id := strings.TrimPrefix(res.Header.Get("Location"), "/cert/feeds/")
	var sealed string
	if err := s.e.App.DB.R.QueryRow(`SELECT auth_secret FROM cert_feeds WHERE id = $1`, id).Scan(&sealed); err != nil || sealed == "" || strings.Contains(sealed, secret) {
		t.Fatalf("stored secret %q: %v", sealed, err)
	}
	if o := s.poll(s.s, id); o.Added != 1 {
		t.Fatalf("poll with the sealed password: %+v", o)
	}
	test := b.Post("/cert/feeds/"+id+"/test?lang=en", nil)
	if test.StatusCode != 200 || !strings.Contains(test.Body, "Fake indicators") || !strings.Contains(test.Body, "Fake TAXII") ||
		!strings.Contains(test.Body, "The server speaks TAXII 2.1") {
		t.Errorf("test connection: %d", test.StatusCode)
	}
	// A save without a password keeps it.
	if res := b.Post("/cert/feeds/"+id+"/edit", url.Values{"title": {"Partner 2"}, "api_root": {s.srv.root()}, "collection": {"coll-1"},
		"interval": {"15"}, "user": {"feeder"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.StatusCode, res.Body)
	}
	s.e.Clock.Advance(time.Hour)
	if o := s.poll(s.s, id); o.Error != "" {
		t.Fatalf("poll after an edit without password: %+v", o)
	}
	token := s.token(s.analyst)
	pages := []*struct{ name, body string }{
		{"list", b.Get("/cert/feeds").Body}, {"show", b.Get("/cert/feeds/" + id).Body}, {"edit", b.Get("/cert/feeds/" + id + "/edit").Body},
		{"test", test.Body}, {"api list", s.api(token, "GET", "/api/v1/cert/feeds", "").Body},
		{"api get", s.api(token, "GET", "/api/v1/cert/feeds/"+id, "").Body},
		{"api test", s.api(token, "POST", "/api/v1/cert/feeds/"+id+"/test", "").Body},
		{"api patch", s.api(token, "PATCH", "/api/v1/cert/feeds/"+id, `{"title": "Partner 3"}`).Body},
	}
	for _, p := range pages {
		if strings.Contains(p.body, secret) || strings.Contains(p.body, sealed) {
			t.Errorf("%s shows the credentials", p.name)
		}
	}
	if !strings.Contains(pages[5].body, `"password_set":true`) {
		t.Errorf("api get: %s", pages[5].body)
	}
	if n := s.count(`SELECT COUNT(*) FROM audit_entries WHERE details LIKE $1 OR details LIKE $2`, "%"+secret+"%", "%"+sealed+"%"); n != 0 {
		t.Errorf("%d audit entries carry the credentials", n)
	}
	if n := s.count(`SELECT COUNT(*) FROM audit_entries WHERE action LIKE 'cert.feed_%'`); n < 2 {
		t.Errorf("only %d audit entries", n)
	}
	// The API creates with credentials and answers without them.
	res2 := s.api(token, "POST", "/api/v1/cert/feeds", `{"team": "ke-cert", "circle": "east", "title": "API feed", "api_root": "`+s.srv.root()+
		`", "collection": "coll-1", "user": "feeder", "password": "`+secret+`", "interval_minutes": 5}`)
	if res2.StatusCode != http.StatusCreated || strings.Contains(res2.Body, secret) || !strings.Contains(res2.Body, `"password_set":true`) {
		t.Errorf("api create: %d %s", res2.StatusCode, res2.Body)
	}
	// Clearing removes them.
	res3 := s.api(token, "PATCH", "/api/v1/cert/feeds/"+id, `{"clear_credentials": true}`)
	if res3.StatusCode != 200 || !strings.Contains(res3.Body, `"password_set":false`) || !strings.Contains(res3.Body, `"user":""`) {
		t.Errorf("clear: %d %s", res3.StatusCode, res3.Body)
	}
}

func TestWhoSeesWhat(t *testing.T) {
	s := newSetup(t)
	f := s.subscribe()
	gh, ghAdmin := s.world.team("gh-cert", "GH", true)
	if err := s.e.App.Cert.SetCircleMember(context.Background(), s.viewer(s.admin), s.circle, gh.Slug, true); err != nil {
		t.Fatal(err)
	}
	plain := s.member(s.team, "member@ke-cert.example") // a member without a CERT role
	sn, snAdmin := s.world.team("sn-cert", "SN", false) // verified, not vetted
	anon := s.e.Browser()
	paths := []string{"/cert/feeds/" + f.ID, "/cert/feeds/" + f.ID + "/edit", "/api/v1/cert/feeds/" + f.ID}
	for _, c := range []struct {
		who  string
		p    *person
		sees bool
	}{{"the team's admin", s.admin, true}, {"the team's analyst", s.analyst, true}, {"a plain member of the team", plain, false},
		{"another circle member's admin", ghAdmin, false}, {"a team outside the circle", snAdmin, false}} {
		for _, p := range paths {
			res := c.p.B.Get(p)
			if (res.StatusCode == 200) != c.sees || (!c.sees && res.StatusCode != 404) {
				t.Errorf("%s: %s %d", c.who, p, res.StatusCode)
			}
		}
		list := c.p.B.Get("/api/v1/cert/feeds")
		if list.StatusCode != 200 || strings.Contains(list.Body, f.ID) != c.sees {
			t.Errorf("%s: list %d, shows the feed %v", c.who, list.StatusCode, !c.sees)
		}
		for _, p := range []string{"/cert/feeds/" + f.ID + "/poll", "/cert/feeds/" + f.ID + "/delete", "/cert/feeds/" + f.ID + "/test"} {
			if c.sees {
				continue
			}
			if res := c.p.B.Post(p, nil); res.StatusCode != 404 {
				t.Errorf("%s: POST %s %d", c.who, p, res.StatusCode)
			}
		}
	}
	if res := anon.Get("/cert/feeds"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous list: %d", res.StatusCode)
	}
	if res := anon.Get("/api/v1/cert/feeds/" + f.ID); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous api: %d", res.StatusCode)
	}
	// Subscribing: a non-vetted team, or a circle the team is not in, is refused and nothing changes.
	before := s.count(`SELECT COUNT(*) FROM cert_feeds`)
	for _, c := range []struct {
		who          string
		p            *person
		team, circle string
	}{{"a non-vetted team", snAdmin, sn.ID, s.circle.ID}, {"a plain member", plain, s.team.ID, s.circle.ID},
		{"someone else's team", ghAdmin, s.team.ID, s.circle.ID}} {
		res := c.p.B.Post("/cert/feeds", url.Values{"target": {c.team + "/" + c.circle}, "title": {"x"}, "api_root": {s.srv.root()}, "collection": {"c"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s subscribes: %d", c.who, res.StatusCode)
		}
	}
	// gh is a vetted member of the circle: it may subscribe it too.
	if res := ghAdmin.B.Post("/cert/feeds", url.Values{"target": {gh.ID + "/" + s.circle.ID}, "title": {"gh feed"}, "api_root": {s.srv.root()},
		"collection": {"coll-1"}, "interval": {"60"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a circle member subscribes: %d %s", res.StatusCode, res.Body)
	}
	if n := s.count(`SELECT COUNT(*) FROM cert_feeds`); n != before+1 {
		t.Errorf("%d feeds, want %d", n, before+1)
	}
	// Leaving the circle stops the next poll.
	if err := s.e.App.Cert.SetCircleMember(context.Background(), s.viewer(s.admin), s.circle, gh.Slug, false); err != nil {
		t.Fatal(err)
	}
	var ghFeed string
	s.e.App.DB.R.QueryRow(`SELECT id FROM cert_feeds WHERE team_org = $1`, gh.ID).Scan(&ghFeed)
	if o := s.poll(s.s, ghFeed); !o.Stopped || o.Error != "cert.feeds.error.not_member" {
		t.Errorf("poll after leaving the circle: %+v", o)
	}
}

func TestFormErrors(t *testing.T) {
	s := newSetup(t)
	s.e.App.CertParts.Feeds.AllowPrivate = false
	res := s.analyst.B.Post("/cert/feeds?lang=en", url.Values{"target": {s.team.ID + "/" + s.circle.ID}, "title": {""}, "api_root": {"http://x"},
		"collection": {"a/b"}, "types": {"Indicator!"}, "interval": {"2"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d", res.StatusCode)
	}
	for _, want := range []string{"Give a name of one line", "The URL must use https", "Enter the collection id", "Types are STIX type names",
		"from 5 to 10080", `value="http://x"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	if n := s.count(`SELECT COUNT(*) FROM cert_feeds`); n != 0 {
		t.Errorf("%d feeds saved", n)
	}
	token := s.token(s.analyst)
	api := s.api(token, "POST", "/api/v1/cert/feeds", `{"team": "ke-cert", "circle": "east", "title": "t", "api_root": "https://10.0.0.1/", "collection": "c"}`)
	if api.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(api.Body, `"api_root"`) {
		t.Errorf("api: %d %s", api.StatusCode, api.Body)
	}
}

func TestDeleteAndPollNow(t *testing.T) {
	s := newSetup(t)
	s.srv.add(1)
	f := s.subscribe()
	s.srv.pass = "other"
	s.poll(s.s, f.ID)
	s.srv.pass = secret
	if res := s.analyst.B.Post("/cert/feeds/"+f.ID+"/poll", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("poll now: %d", res.StatusCode)
	}
	if got := s.feed(f.ID); got.Status != feeds.Active || !got.NextPollAt.Equal(s.e.Clock.Now()) {
		t.Fatalf("after poll now: %+v", got)
	}
	if n, _ := s.s.PollDue(context.Background()); n != 1 || s.imp.total() != 1 {
		t.Fatalf("sweep after poll now: %d, store %d", n, s.imp.total())
	}
	token := s.token(s.admin)
	if res := s.api(token, "DELETE", "/api/v1/cert/feeds/"+f.ID, ""); res.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.StatusCode, res.Body)
	}
	if n := s.count(`SELECT COUNT(*) FROM cert_feeds`); n != 0 || s.imp.total() != 1 {
		t.Errorf("after delete: %d feeds, store %d", n, s.imp.total())
	}
}
