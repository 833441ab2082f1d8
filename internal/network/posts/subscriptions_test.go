package posts_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/network/posts"
	"harambee.africa/harambee/internal/sharing"
)

// told lists who was notified of a post, as "email: args".
func (w *world) told(t *testing.T, postID string) map[string]string {
	t.Helper()
	rows, err := w.e.App.DB.R.Query(`SELECT u.email, n.args, n.mail_state FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE n.kind = 'network.post' AND n.path = $1`, "/network/posts/"+postID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var email, args, state string
		if err := rows.Scan(&email, &args, &state); err != nil {
			t.Fatal(err)
		}
		if state != "pending" {
			t.Errorf("note to %s: mail state %s, want pending (the daily digest)", email, state)
		}
		out[email] = args
	}
	return out
}

func keys(m map[string]string) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestSubscriptions(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	if _, err := w.e.App.DB.W.Exec(`UPDATE users SET locale = 'zh-Hans' WHERE email = 'li@hua-cloud.example'`); err != nil {
		t.Fatal(err)
	}
	li := w.signIn(t, "li@hua-cloud.example")
	if res := li.Post("/network/subscriptions", url.Values{"countries": {"KE"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("subscribe: %d\n%s", res.StatusCode, res.Body)
	}
	moussa := w.api(t, "moussa@dakar-digital.example")
	res := moussa.Do("PUT", "/api/v1/network/subscriptions", strings.NewReader(`{"countries":["KE"],"sectors":["cloud_datacentres"],"orgs":["kenya-cloud"]}`), "application/json")
	if res.StatusCode != 200 {
		t.Fatalf("API subscribe: %d %s", res.StatusCode, res.Body)
	}
	var subs posts.Subscriptions
	json.Unmarshal([]byte(moussa.Get("/api/v1/network/subscriptions").Body), &subs)
	if strings.Join(subs.Countries, ",") != "KE" || strings.Join(subs.Sectors, ",") != "cloud_datacentres" || len(subs.Orgs) != 1 || subs.Orgs[0].Slug != "kenya-cloud" {
		t.Errorf("subscriptions: %+v", subs)
	}
	// Amina follows Kenya too: an author is not told of her own post.
	if _, err := w.svc.SetSubscriptions(ctx, w.viewer(t, "amina@kenya-cloud.example"), posts.SubscriptionInput{Countries: []string{"KE"}}); err != nil {
		t.Fatal(err)
	}
	amina := w.viewer(t, "amina@kenya-cloud.example")

	t.Run("GreenNotifiesMembersOnly", func(t *testing.T) {
		in := input("Members' briefing on Kenyan data rules", "KE", "policy_update")
		in.Audience = posts.Members
		in.Title.Texts["zh-Hans"] = "肯尼亚数据规则成员简报"
		p, err := w.svc.Create(ctx, amina, in, "")
		if err != nil {
			t.Fatal(err)
		}
		var queued int
		w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind = $1 AND args LIKE $2`, posts.DeliverJob, "%"+p.ID+"%").Scan(&queued)
		if queued != 1 {
			t.Fatalf("%d delivery jobs queued with the post, want 1", queued)
		}
		if got := w.told(t, p.ID); len(got) != 0 {
			t.Fatalf("told before the job ran: %v", got)
		}
		n, err := w.svc.Deliver(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := w.told(t, p.ID)
		if n != 1 || keys(got) != "li@hua-cloud.example" {
			t.Errorf("told %d: %v, want the network member only", n, keys(got))
		}
		if !strings.Contains(got["li@hua-cloud.example"], "肯尼亚数据规则成员简报") {
			t.Errorf("the note is not in Li's language: %s", got["li@hua-cloud.example"])
		}
		if n, _ := w.svc.Deliver(ctx, p.ID); n != 0 {
			t.Errorf("a second run told %d more", n)
		}
	})
	t.Run("PublicNotifiesEveryFollower", func(t *testing.T) {
		p, err := w.svc.Create(ctx, amina, input("Cloud tender in Mombasa", "KE", "opportunity_tender", "cloud_datacentres"), "")
		if err != nil {
			t.Fatal(err)
		}
		w.svc.Deliver(ctx, p.ID)
		if got := keys(w.told(t, p.ID)); got != "li@hua-cloud.example moussa@dakar-digital.example" {
			t.Errorf("told %s", got)
		}
	})
	t.Run("NamedNotifiesTheNamedOnly", func(t *testing.T) {
		in := input("Private call for Hua Cloud", "KE", "partner_request")
		in.Audience = posts.Named
		p, err := w.svc.Create(ctx, amina, in, "")
		if err != nil {
			t.Fatal(err)
		}
		m, _ := w.e.App.Sharing.Meta(ctx, amina, posts.TypeName, p.ID)
		hua, _ := w.e.App.Orgs.BySlug(ctx, "hua-cloud")
		if _, err := w.e.App.Sharing.AddShare(ctx, amina, m, m.OwnerOrg, sharing.ToOrg, hua.ID, ""); err != nil {
			t.Fatal(err)
		}
		w.svc.Deliver(ctx, p.ID)
		if got := keys(w.told(t, p.ID)); got != "li@hua-cloud.example" {
			t.Errorf("told %s", got)
		}
	})
	t.Run("DraftsAndEmbargoesWaitForTheSweep", func(t *testing.T) {
		in := input("Draft about Kenya", "KE", "announcement")
		in.Draft = true
		p, err := w.svc.Create(ctx, amina, in, "")
		if err != nil {
			t.Fatal(err)
		}
		w.svc.Sweep(ctx)
		if got := w.told(t, p.ID); len(got) != 0 {
			t.Errorf("a draft was announced: %v", got)
		}
		m, _ := w.e.App.Sharing.Meta(ctx, amina, posts.TypeName, p.ID)
		at := w.e.Clock.Now().Add(2 * time.Hour)
		if err := w.e.App.Sharing.SetVisibleFrom(ctx, amina, m, &at, ""); err != nil {
			t.Fatal(err)
		}
		if err := w.e.App.Sharing.SetState(ctx, amina, m, sharing.Published, ""); err != nil { // on the share page
			t.Fatal(err)
		}
		w.svc.Sweep(ctx)
		if got := w.told(t, p.ID); len(got) != 0 {
			t.Errorf("an embargoed post was announced: %v", got)
		}
		w.e.Clock.Advance(3 * time.Hour)
		w.svc.Sweep(ctx)
		if got := keys(w.told(t, p.ID)); got != "li@hua-cloud.example moussa@dakar-digital.example" {
			t.Errorf("after the embargo, told %s", got)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		for name, v := range map[string]url.Values{
			"UnknownCountry": {"countries": {"XX"}},
			"UnknownSector":  {"sectors": {"mining"}},
			"UnknownOrg":     {"orgs": {"no-such-org"}},
		} {
			res := li.Post("/network/subscriptions", v)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d", name, res.StatusCode)
			}
		}
		subs, _ := w.svc.Subscriptions(ctx, w.userID(t, "li@hua-cloud.example"))
		if strings.Join(subs.Countries, ",") != "KE" || len(subs.Sectors)+len(subs.Orgs) != 0 {
			t.Errorf("bad input changed the subscriptions: %+v", subs)
		}
		if res := w.e.Browser().Get("/network/subscriptions"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("subscriptions signed out: %d", res.StatusCode)
		}
		if res := w.e.Browser().Get("/api/v1/network/subscriptions"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("API subscriptions signed out: %d", res.StatusCode)
		}
	})
}
