package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// TestNetworkJourney is the cooperation network's story: a Chinese
// internet enterprise applies to the network and a programme officer
// approves it; the enterprise publishes a post in French (with its title
// also in Chinese); a person whose interface is in Chinese finds it with a
// Chinese search and replies. Every page passes axe.
func TestNetworkJourney(t *testing.T) {
	exe := chromium(t)
	env := apptest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	axe := newAxe(t)
	bg := context.Background()

	person := func(email, name, locale string, roles ...string) *account.User {
		u, err := env.App.Accounts.Create(bg, account.NewUser{Email: email, Name: name, Password: password, Confirmed: true,
			Locale: locale, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	organisation := func(u *account.User, in org.Input) *org.Org {
		o, err := env.App.Orgs.Create(bg, &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}, in, "")
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	admin := person("admin@example.org", "Admin", "en", account.RoleAdmin)
	officer := person("officer@example.org", "Officer Zhang", "en")
	if err := env.App.Orgs.AddMember(bg, "office-network", officer.ID, []string{org.RoleMember}); err != nil {
		t.Fatal(err)
	}
	wang := person("wang@huawen.example.cn", "Wang Fang", "fr")
	huawen := organisation(wang, org.Input{Name: "Huawen Cloud", Slug: "huawen-cloud", Kind: "enterprise", Country: "CN"})
	adminViewer := &web.Viewer{ID: admin.ID, Pseudonym: admin.Pseudonym, Roles: []string{account.RoleAdmin}}
	if err := env.App.Orgs.SetVerified(bg, adminViewer, huawen, true, ""); err != nil {
		t.Fatal(err)
	}
	zhou := person("zhou@agri.example.ke", "Zhou Min", "zh-Hans")
	organisation(zhou, org.Input{Name: "Nairobi Agri Data", Slug: "nairobi-agri", Kind: "enterprise", Country: "KE"})

	signIn := func(p *page, email string) {
		p.open("/signin")
		p.fill("#f-email", email)
		p.fill("#f-password", password)
		p.submit(`main form[action="/signin"] button`)
	}
	clickAll := func(p *page, sel string) {
		if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			p.fatalPage("click %s: %v", sel, err)
		}
	}

	// 1. The enterprise applies, in French.
	a := newPage(t, ctx, env, exe, "enterprise", axe)
	signIn(a, wang.Email)
	a.open("/network/apply")
	clickAll(a, `input[name="countries"][value="KE"]`)
	a.choose("#f-activities-original", "fr")
	a.fill(`[id="f-activities.fr"]`, "Hébergement en nuage à Nairobi et à Mombasa.")
	a.fill("#f-started_year", "2019")
	a.fill("#f-contact_name", "Wang Fang")
	a.fill("#f-contact_email", "wang@huawen.example.cn")
	a.fill("#f-statement", "Nous souhaitons rejoindre le réseau pour trouver des partenaires kényans.")
	a.submit(`main form[action="/network/apply"] button`)
	application := a.path()
	if !strings.HasPrefix(application, "/network/applications/") {
		a.fatalPage("after applying: at %s", application)
	}
	a.shot("network-applied")

	// 2. The programme officer approves it.
	o := newPage(t, ctx, env, exe, "officer", axe)
	signIn(o, officer.Email)
	o.open("/network/applications")
	o.open(application)
	clickAll(o, `input[name="decision"][value="approve"]`)
	o.submit(`main form[action$="/review"] button`)
	if member, err := env.App.Network.Core.IsMember(bg, huawen.ID); err != nil || !member {
		o.fatalPage("after approval the enterprise is no member of the network (%v)", err)
	}
	o.shot("network-approved")

	// 3. The enterprise publishes a public post in French, its title also
	// in Chinese.
	a.open("/network/posts/new")
	clickAll(a, `input[name="audience"][value="public"]`)
	a.choose("#f-kind", "opportunity_partnership")
	a.choose("#f-title-original", "fr")
	a.fill(`[id="f-title.fr"]`, "Partenaires recherchés pour l’informatique en nuage au Kenya")
	a.fill(`[id="f-title.zh-Hans"]`, "寻找肯尼亚云计算合作伙伴")
	a.choose("#f-body-original", "fr")
	a.fill(`[id="f-body.fr"]`, "Nous cherchons des intégrateurs locaux pour nos services en nuage.")
	a.choose("#f-country", "KE")
	clickAll(a, `input[name="sectors"][value="cloud_datacentres"]`)
	a.submit(`main form[action="/network/posts"] button:not([name])`)
	post := a.path()
	if !strings.HasPrefix(post, "/network/posts/") {
		a.fatalPage("after publishing: at %s", post)
	}
	a.shot("network-post")

	// 4. A reader with a Chinese interface finds it by a Chinese search
	// and replies.
	z := newPage(t, ctx, env, exe, "reader", axe)
	signIn(z, zhou.Email)
	z.open("/network/posts?q=" + "云计算")
	if lang := eval[string](z, `document.documentElement.lang`); lang != "zh-Hans" {
		z.fatalPage("the reader's interface is %q, want zh-Hans", lang)
	}
	z.click(`main a[href="` + post + `"]`)
	z.at(post)
	z.fill("#f-body-", "我们在内罗毕有数据中心团队，愿意合作。")
	z.submit(`main form[action="` + post + `/replies"] button`)
	if !strings.Contains(z.text("main"), "我们在内罗毕有数据中心团队") {
		z.fatalPage("the reply is not on the post's page")
	}
	z.shot("network-reply")

	// The enterprise sees the reply on its post.
	a.open(post)
	if !strings.Contains(a.text("main"), "我们在内罗毕有数据中心团队") {
		a.fatalPage("the owner does not see the reply")
	}
}
