package membership_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/network/membership"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

type person struct {
	ID, Email string
	B         *apptest.Browser
}

// world is a platform with an officer, a platform administrator and people.
type world struct {
	t     *testing.T
	e     *apptest.Env
	admin *web.Viewer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	u, err := e.App.Accounts.Create(context.Background(), account.NewUser{Email: "root@example.org", Name: "Root", Password: pw, Confirmed: true,
		Roles: []string{account.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, e: e, admin: &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Roles: u.Roles}}
}

// person creates a confirmed account with platform roles and signs it in.
func (w *world) person(email string, roles ...string) *person {
	w.t.Helper()
	u, err := w.e.App.Accounts.Create(context.Background(), account.NewUser{Email: email, Name: strings.Split(email, "@")[0], Password: pw,
		Confirmed: true, Roles: roles})
	if err != nil {
		w.t.Fatal(err)
	}
	b := w.e.Browser()
	if res := b.Post("/signin", url.Values{"email": {email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return &person{ID: u.ID, Email: email, B: b}
}

// viewer is the person as the services see them, with their memberships now.
func (w *world) viewer(p *person) *web.Viewer {
	w.t.Helper()
	u, err := w.e.App.Accounts.UserByID(context.Background(), p.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	ms, err := w.e.App.Orgs.Memberships(context.Background(), p.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Name: u.Name, Email: u.Email, Roles: u.Roles, Orgs: ms}
}

func (w *world) org(owner *person, slug, kind, country string) *org.Org {
	w.t.Helper()
	o, err := w.e.App.Orgs.Create(context.Background(), w.viewer(owner), org.Input{Name: "Org " + slug, Slug: slug, Kind: kind, Country: country}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	return o
}

func (w *world) verify(o *org.Org) {
	w.t.Helper()
	if err := w.e.App.Orgs.SetVerified(context.Background(), w.admin, o, true, ""); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.e.App.DB.R.QueryRow(query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// notes counts a person's notifications of the membership kind with a subject.
func (w *world) notes(p *person, subject string) int {
	return w.count(`SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = $2 AND subject = $3`, p.ID, membership.Kind.Name, subject)
}

func form(orgID string, countries ...string) url.Values {
	return url.Values{"org": {orgID}, "countries": countries, "activities.original": {"fr"},
		"activities.fr": {"Hébergement en nuage à Nairobi et Lagos"}, "activities.zh-Hans": {"在内罗毕和拉各斯提供云托管"},
		"started_year": {"2015"}, "website": {"https://silk.example.cn"}, "contact_name": {"Li Wei"}, "contact_email": {"li@silk.example.cn"},
		"statement": {"We host African start-ups and want to work with the network."}}
}

func with(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	out.Set(key, value)
	return out
}

func TestApplyReviewApprove(t *testing.T) {
	w := newWorld(t)
	e := w.e
	ctx := context.Background()
	svc := e.App.Network.Membership
	officer := w.person("officer@example.org", "officer:network")
	li := w.person("li@silk.example.cn")
	silk := w.org(li, "silk-cloud", "enterprise", "CN")
	stranger := w.person("someone@example.ke")
	kenya := w.org(stranger, "nairobi-net", "enterprise", "KE")
	w.verify(kenya)

	// A GREEN record of the network's community, owned by someone else.
	if _, err := e.App.DB.W.Exec(`CREATE TABLE net_samples (id TEXT PRIMARY KEY, title TEXT NOT NULL, ` + sharing.Columns + `)`); err != nil {
		t.Fatal(err)
	}
	sample := sharing.Type{Name: "test.network_sample", Table: "net_samples", Title: "title"}
	e.App.Sharing.Declare(sample)
	if _, err := e.App.DB.W.Exec(`INSERT INTO net_samples (id, title, owner_org, marking, state, community) VALUES ('s1', 'Members only', $1, 'green', 'published', $2)`,
		e.App.Network.Core.Office.ID, e.App.Network.Core.Group.ID); err != nil {
		t.Fatal(err)
	}
	seesSample := func(p *person) bool {
		_, err := e.App.Sharing.Meta(ctx, w.viewer(p), sample.Name, "s1")
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			t.Fatal(err)
		}
		return err == nil
	}

	if res := e.Browser().Get("/network/apply"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Who may apply") ||
		strings.Contains(res.Body, `name="statement"`) {
		t.Fatalf("the apply page to the public: %d", res.StatusCode)
	}
	if res := li.B.Get("/network/apply"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `name="statement"`) {
		t.Fatalf("the apply page to an eligible admin has no form: %d", res.StatusCode)
	} else if len(res.Body) > 30<<10 {
		t.Errorf("the apply page weighs %d bytes before compression, over 30 KB", len(res.Body))
	}

	t.Run("BadInput", func(t *testing.T) {
		good := form(silk.ID, "KE", "NG")
		for name, c := range map[string]struct {
			v     url.Values
			field string
		}{
			"unknown country":   {form(silk.ID, "KE", "XX"), "Choose the countries from the list."},
			"non-African":       {form(silk.ID, "FR"), "Choose African countries only"},
			"no country":        {form(silk.ID), "Choose at least one African country"},
			"year":              {with(good, "started_year", "1820"), "Give a year between 1950"},
			"email":             {with(good, "contact_email", "not an address"), "Give a valid e-mail address."},
			"website":           {with(good, "website", "javascript:alert(1)"), "Give a web address"},
			"oversize":          {with(good, "statement", strings.Repeat("长", membership.MaxText+1)), "Write your statement"},
			"oversize activity": {with(good, "activities.fr", strings.Repeat("a", membership.MaxText+1)), "This text is too long."},
			"no activity":       {with(good, "activities.fr", ""), ""},
		} {
			res := li.B.Post("/network/apply", c.v)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.field) {
				t.Errorf("%s: %d, want 422 with %q\n%s", name, res.StatusCode, c.field, apptest.Between(res.Body, "<main", "</main>"))
			}
		}
		if n := w.count(`SELECT COUNT(*) FROM network_applications`); n != 0 {
			t.Fatalf("refused input stored %d applications", n)
		}
		// HTML in text is kept as text and shown escaped.
	})

	t.Run("Eligibility", func(t *testing.T) {
		if res := stranger.B.Post("/network/apply", form(kenya.ID, "KE")); res.StatusCode != http.StatusForbidden ||
			!strings.Contains(res.Body, "Its home country is not China") {
			t.Errorf("a Kenyan enterprise applied: %d", res.StatusCode)
		}
		if res := stranger.B.Get("/network/apply"); !strings.Contains(res.Body, "This organisation cannot apply") || strings.Contains(res.Body, `name="statement"`) {
			t.Error("the apply page does not explain why a Kenyan enterprise cannot apply")
		}
		agency := w.org(stranger, "cn-agency", "government_agency", "CN")
		if res := stranger.B.Post("/network/apply", form(agency.ID, "KE")); res.StatusCode != http.StatusForbidden ||
			!strings.Contains(res.Body, "Its kind is not an enterprise") {
			t.Errorf("a Chinese agency applied: %d", res.StatusCode)
		}
		for _, c := range []struct {
			kind, country string
			ok            bool
		}{{"enterprise", "HK", true}, {"ecommerce_platform", "MO", true}, {"telecom_operator", "CN", true}, {"enterprise", "TW", false},
			{"media_outlet", "CN", false}, {"enterprise", "ZA", false}} {
			if got := len(membership.Eligible(&org.Org{Kind: org.Kind(c.kind), Country: c.country})) == 0; got != c.ok {
				t.Errorf("%s in %s: eligible %v, want %v", c.kind, c.country, got, c.ok)
			}
		}
		// A member who is not an admin of the organisation cannot apply for it.
		plain := w.person("plain@silk.example.cn")
		if err := e.App.Orgs.AddMember(ctx, "silk-cloud", plain.ID, []string{"member"}); err != nil {
			t.Fatal(err)
		}
		if res := plain.B.Post("/network/apply", form(silk.ID, "KE")); res.StatusCode != http.StatusForbidden {
			t.Errorf("a plain member applied for the organisation: %d", res.StatusCode)
		}
	})

	res := li.B.Post("/network/apply", form(silk.ID, "KE", "NG", "ke"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", res.StatusCode, res.Body)
	}
	path := res.Header.Get("Location")
	id := strings.TrimPrefix(path, "/network/applications/")
	a, err := svc.Get(ctx, w.viewer(li), id)
	if err != nil || a.Status != membership.Submitted || strings.Join(a.Countries, " ") != "KE NG" || a.Marking != sharing.AmberStrict {
		t.Fatalf("application: %+v %v", a, err)
	}
	if w.notes(officer, "network.membership.note.submitted") != 1 {
		t.Error("the officer was not told of the application")
	}
	if res := li.B.Post("/network/apply", form(silk.ID, "KE")); res.StatusCode != http.StatusConflict {
		t.Errorf("a second open application: %d", res.StatusCode)
	}
	if res := li.B.Get("/network/apply"); !strings.Contains(res.Body, path) || strings.Contains(res.Body, `name="statement"`) {
		t.Error("the apply page does not show the open application")
	}

	// Officers only: the queue and the review.
	if res := stranger.B.Get("/network/applications"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a non-officer reached the queue: %d", res.StatusCode)
	}
	if res := li.B.Post(path+"/review", url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the applicant reviewed its own application: %d", res.StatusCode)
	}
	if res := stranger.B.Get(path); res.StatusCode != http.StatusNotFound {
		t.Errorf("an outsider saw the application: %d", res.StatusCode)
	}
	if res := e.Browser().Get("/network/applications"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the queue to the public: %d", res.StatusCode)
	}
	if res := officer.B.Get("/network/applications"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, path) {
		t.Fatalf("the queue lacks the application: %d", res.StatusCode)
	}
	if res := officer.B.Get("/network/applications?status=approved"); strings.Contains(res.Body, path) {
		t.Error("the approved filter shows a submitted application")
	}

	// Ask for more information: a reason is required.
	if res := officer.B.Post(path+"/review", url.Values{"decision": {"ask"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Give a reason.") {
		t.Fatalf("asking without a question: %d", res.StatusCode)
	}
	if res := officer.B.Post(path+"/review", url.Values{"decision": {"ask"}, "reason": {"Which cities do you host in?"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ask: %d", res.StatusCode)
	}
	if w.notes(li, "network.membership.note.more_info_requested") != 1 {
		t.Error("the applicant was not asked")
	}
	page := li.B.Get(path)
	if !strings.Contains(page.Body, "Which cities do you host in?") || !strings.Contains(page.Body, `action="`+path+`/reply"`) {
		t.Fatal("the applicant does not see the question and the reply form")
	}
	if res := li.B.Post(path+"/reply", url.Values{"answer": {" "}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an empty answer: %d", res.StatusCode)
	}
	if res := li.B.Post(path+"/reply", url.Values{"answer": {"Nairobi and <b>Lagos</b>."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", res.StatusCode)
	}
	if a, _ := svc.Get(ctx, w.viewer(li), id); a.Status != membership.Submitted {
		t.Errorf("after the reply: %s", a.Status)
	}
	if w.notes(officer, "network.membership.note.replied") != 1 {
		t.Error("the officer was not told of the reply")
	}
	if page := officer.B.Get(path); !strings.Contains(page.Body, "Nairobi and &lt;b&gt;Lagos&lt;/b&gt;.") {
		t.Error("the reply is not shown to the officer as text")
	}

	// Approval needs a verified organisation.
	if res := officer.B.Post(path+"/review", url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusConflict ||
		!strings.Contains(res.Body, "must verify it") {
		t.Fatalf("approving an unverified organisation: %d", res.StatusCode)
	}
	if m, _ := e.App.Network.Core.IsMember(ctx, silk.ID); m || seesSample(li) {
		t.Fatal("a refused approval made a member")
	}
	w.verify(silk)
	if seesSample(li) {
		t.Fatal("a verified non-member sees network-only content")
	}
	if res := officer.B.Post(path+"/review", url.Values{"decision": {"approve"}, "reason": {"Welcome"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	if m, _ := e.App.Network.Core.IsMember(ctx, silk.ID); !m {
		t.Fatal("approved but not a member")
	}
	if w.notes(li, "network.membership.note.approved") != 1 {
		t.Error("the applicant was not told of the approval")
	}
	if !seesSample(li) {
		t.Error("a member does not see network-only content")
	}
	if seesSample(stranger) {
		t.Error("a verified non-member organisation sees network-only content")
	}
	if res := officer.B.Post(path+"/review", url.Values{"decision": {"reject"}, "reason": {"Changed our mind"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("deciding twice: %d", res.StatusCode)
	}
	if res := li.B.Post("/network/apply", form(silk.ID, "KE")); res.StatusCode != http.StatusConflict {
		t.Errorf("a member applied again: %d", res.StatusCode)
	}
	var members struct {
		Items []struct{ Slug, Name, Country string }
	}
	json.Unmarshal([]byte(e.Browser().Get("/api/v1/network/members").Body), &members)
	if len(members.Items) != 1 || members.Items[0].Slug != "silk-cloud" || members.Items[0].Country != "CN" {
		t.Errorf("members: %+v", members)
	}
	if res := e.Browser().Get("/network/members"); !strings.Contains(res.Body, "/orgs/silk-cloud") {
		t.Error("the members page lacks the member")
	}
	for _, action := range []string{"network.application_submitted", "network.application_more_info_requested", "network.application_replied",
		"network.application_approved", "group.member_added"} {
		if w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = $1`, action) != 1 {
			t.Errorf("no audit entry %s", action)
		}
	}

	// Removal: officers, with a reason.
	if res := li.B.Post(path+"/remove", url.Values{"reason": {"bye"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the member removed itself through the officers' form: %d", res.StatusCode)
	}
	if res := officer.B.Post(path+"/remove", url.Values{"reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("removal without a reason: %d", res.StatusCode)
	}
	if res := officer.B.Post(path+"/remove", url.Values{"reason": {"No longer works in Africa"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.StatusCode)
	}
	if m, _ := e.App.Network.Core.IsMember(ctx, silk.ID); m || seesSample(li) {
		t.Error("a removed member is still a member")
	}
	if w.notes(li, "network.membership.note.removed") != 1 || w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'network.member_removed'`) != 1 {
		t.Error("removal not told or not audited")
	}
}

func TestRejectThroughTheAPI(t *testing.T) {
	w := newWorld(t)
	e := w.e
	officer := w.person("officer@example.org", "officer:network")
	zhang := w.person("zhang@pay.example.cn")
	pay := w.org(zhang, "dragon-pay", "ecommerce_platform", "CN")
	post := func(p *person, path string, body any) *apptest.Response {
		b, _ := json.Marshal(body)
		return p.B.Do(http.MethodPost, path, strings.NewReader(string(b)), "application/json")
	}
	app := map[string]any{"org": "dragon-pay", "countries": []string{"SN", "CI"}, "started_year": 2019,
		"activities":   map[string]any{"original": "zh-Hans", "texts": map[string]string{"zh-Hans": "在达喀尔提供移动支付", "fr": "Paiement mobile à Dakar"}},
		"contact_name": "Zhang Min", "contact_email": "zhang@pay.example.cn", "statement": "Mobile payments in West Africa."}
	bad := map[string]any{}
	for k, v := range app {
		bad[k] = v
	}
	bad["countries"] = []string{"CN"}
	if res := post(zhang, "/api/v1/network/applications", bad); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"countries"`) {
		t.Fatalf("a non-African country through the API: %d %s", res.StatusCode, res.Body)
	}
	res := post(zhang, "/api/v1/network/applications", app)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("apply: %d %s", res.StatusCode, res.Body)
	}
	var got struct {
		ID     string
		Status string
	}
	json.Unmarshal([]byte(res.Body), &got)
	if got.Status != "submitted" || got.ID == "" {
		t.Fatalf("created: %s", res.Body)
	}
	list := func(p *person) string { return p.B.Get("/api/v1/network/applications?status=submitted").Body }
	if !strings.Contains(list(officer), got.ID) || !strings.Contains(list(zhang), got.ID) {
		t.Error("the API list lacks the application for the officer or the applicant")
	}
	other := w.person("other@example.org")
	if strings.Contains(list(other), got.ID) || other.B.Get("/api/v1/network/applications/"+got.ID).StatusCode != http.StatusNotFound {
		t.Error("an outsider sees the application through the API")
	}
	review := "/api/v1/network/applications/" + got.ID + "/review"
	if res := post(other, review, map[string]string{"decision": "reject", "reason": "no"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a non-officer reviewed: %d", res.StatusCode)
	}
	if res := post(officer, review, map[string]string{"decision": "reject"}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, `"reason"`) {
		t.Errorf("rejecting without a reason: %d %s", res.StatusCode, res.Body)
	}
	if res := post(officer, review, map[string]string{"decision": "maybe", "reason": "x"}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown decision: %d", res.StatusCode)
	}
	if res := post(officer, review, map[string]string{"decision": "reject", "reason": "Payments are out of scope this year"}); res.StatusCode != http.StatusOK ||
		!strings.Contains(res.Body, `"rejected"`) {
		t.Fatalf("reject: %d %s", res.StatusCode, res.Body)
	}
	if w.notes(zhang, "network.membership.note.rejected") != 1 {
		t.Error("the applicant was not told of the rejection")
	}
	var reason string
	w.e.App.DB.R.QueryRow(`SELECT args FROM notifications WHERE user_id = $1 AND subject = 'network.membership.note.rejected'`, zhang.ID).Scan(&reason)
	if !strings.Contains(reason, "Payments are out of scope this year") {
		t.Errorf("the rejection does not carry the reason: %s", reason)
	}
	if m, _ := e.App.Network.Core.IsMember(context.Background(), pay.ID); m {
		t.Error("a rejected applicant is a member")
	}
	// A rejected applicant may apply again.
	if res := post(zhang, "/api/v1/network/applications", app); res.StatusCode != http.StatusCreated {
		t.Errorf("applying again after a rejection: %d %s", res.StatusCode, res.Body)
	}
	if res := post(zhang, "/api/v1/network/applications", app); res.StatusCode != http.StatusConflict {
		t.Errorf("a second open application through the API: %d", res.StatusCode)
	}
}
