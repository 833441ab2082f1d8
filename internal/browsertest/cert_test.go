package browsertest

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/cert/taxii"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// TestCERTJourney is CERT cooperation's story: someone without an account
// reports an incident in Arabic, on a phone-sized screen, and the page's
// proof of work runs by itself; the Kenyan national CERT triages the report
// into a case and hands the case over to the Chinese national CERT, whose
// analyst works in Chinese, accepts it, adds an indicator to the linked
// case and exports it with a selected indicator as STIX; the reporter follows the report's
// status through the secret link. Every page passes axe.
func TestCERTJourney(t *testing.T) {
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
	admin := person("admin@example.org", "Admin", "en", account.RoleAdmin)
	adminViewer := &web.Viewer{ID: admin.ID, Pseudonym: admin.Pseudonym, Roles: []string{account.RoleAdmin}}
	team := func(owner *account.User, slug, name, country string) *org.Org {
		o, err := env.App.Orgs.Create(bg, &web.Viewer{ID: owner.ID, Pseudonym: owner.Pseudonym},
			org.Input{Name: name, Slug: slug, Kind: string(org.NationalCERT), Country: country}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := env.App.Orgs.SetVerified(bg, adminViewer, o, true, ""); err != nil {
			t.Fatal(err)
		}
		if o, err = env.App.Orgs.BySlug(bg, slug); err != nil {
			t.Fatal(err)
		}
		if err := env.App.Cert.SetFounding(bg, adminViewer, o, true, ""); err != nil {
			t.Fatal(err)
		}
		return o
	}
	achieng := person("achieng@ke-cert.example", "Achieng Otieno", "en")
	team(achieng, "ke-cert", "KE-CERT", "KE")
	wang := person("wang@cn-cert.example", "王芳", "zh-Hans")
	team(wang, "cn-cert", "CNCERT/CC", "CN")
	for _, p := range []struct {
		u    *account.User
		slug string
	}{{achieng, "ke-cert"}, {wang, "cn-cert"}} {
		if err := env.App.Orgs.AddMember(bg, p.slug, p.u.ID, []string{cert.RoleAnalyst}); err != nil {
			t.Fatal(err)
		}
	}
	signIn := func(p *page, email string) {
		p.open("/signin")
		p.fill("#f-email", email)
		p.fill("#f-password", password)
		p.submit(`main form[action="/signin"] button`)
	}

	// 1. A reporter without an account, in Arabic, on a narrow screen.
	r := newPage(t, ctx, env, exe, "reporter", axe)
	if err := chromedp.Do(r.ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	r.open("/cert/report?lang=ar")
	if dir := eval[string](r, `document.documentElement.dir`); dir != "rtl" {
		r.fatalPage("the Arabic report page is %q, want rtl", dir)
	}
	if wide := eval[bool](r, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
		r.fatalPage("the report page scrolls sideways at 360 px")
	}
	r.choose("#f-country", "KE")
	r.fill("#f-title", "رسائل تصيد تنتحل صفة بنك في نيروبي")
	r.fill("#f-description", "تلقينا رسائل نصية تطلب من العملاء تأكيد حساباتهم على موقع مزيف يشبه موقع البنك.")
	if err := chromedp.Do(r.ctx, chromedp.Click(chromedp.CSS(`input[name="consent"]`))); err != nil {
		t.Fatal(err)
	}
	// The proof of work fills its field by itself; the question is then hidden.
	if _, err := chromedp.Run(r.ctx, chromedp.Poll[bool](`document.querySelector('input[name="work"]').value !== ""`,
		chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		r.fatalPage("the proof of work did not finish: %v", err)
	}
	r.submit(`#report-form button`)
	follow := eval[string](r, `document.querySelector('main a[href*="/cert/report/follow/"]').getAttribute('href')`)
	if !strings.Contains(follow, "/cert/report/follow/") {
		r.fatalPage("no follow link after reporting")
	}
	r.shot("cert-reported")

	// 2. The Kenyan CERT triages the report into a case.
	k := newPage(t, ctx, env, exe, "ke-cert", axe)
	signIn(k, achieng.Email)
	k.open("/cert/reports")
	k.click(`main a[href^="/cert/reports/"]`)
	k.submit(`main form[action$="/case"] button`)
	caseLink := k.path()
	if !strings.HasPrefix(caseLink, "/cert/cases/") { // still on the report, which links its case
		caseLink = eval[string](k, `document.querySelector('main a.button[href^="/cert/cases/"]').getAttribute('href')`)
	}
	if !strings.HasPrefix(caseLink, "/cert/cases/") {
		k.fatalPage("no case after triage (at %s)", k.path())
	}
	k.open(caseLink)
	k.shot("cert-case")

	// 3. It hands the case over to the Chinese national CERT.
	k.open(caseLink + "/handover")
	k.choose("#f-to", "cn-cert")
	k.fill("#f-summary", "The phishing site is hosted in China: please ask the provider to take it down.")
	k.submit(`main form[action$="/handover"] button`)
	k.shot("cert-handed-over")

	// 4. The Chinese CERT, working in Chinese, accepts it.
	c := newPage(t, ctx, env, exe, "cn-cert", axe)
	signIn(c, wang.Email)
	c.open("/cert/handovers")
	if lang := eval[string](c, `document.documentElement.lang`); lang != "zh-Hans" {
		c.fatalPage("the analyst's interface is %q, want zh-Hans", lang)
	}
	c.click(`main a[href^="/cert/handovers/"]`)
	c.submit(`main form[action$="/accept"] button`)
	linked := c.path()
	if !strings.HasPrefix(linked, "/cert/cases/") || linked == caseLink {
		c.fatalPage("after accepting: at %s, want the linked case", linked)
	}
	if !strings.Contains(c.text("main"), "The phishing site is hosted in China") {
		c.fatalPage("the linked case does not carry the hand-over's summary")
	}
	c.shot("cert-accepted")

	// 5. It pastes an observable, defanged, and adds an indicator by its
	// STIX pattern to its case.
	c.open(linked)
	c.fill("#f-obs-text", "hxxps://secure-login[.]bank-ke[.]example/verify")
	c.submit(`main form[aria-labelledby="obs-paste-h"] button`)
	c.open(linked)
	c.fill("#f-ind-pattern", "[ipv4-addr:value = '203.0.113.77']")
	c.submit(`main form[aria-labelledby="obs-ind-h"] button`)
	c.open(linked)
	if main := c.text("main"); !strings.Contains(main, "secure-login.bank-ke.example") || !strings.Contains(main, "203.0.113.77") {
		c.fatalPage("the observable and the indicator are not on the case")
	}
	c.shot("cert-indicator")

	// 6. And exports the case with the indicator it selects as STIX 2.1:
	// the selection form's address, as the browser would build it.
	c.open(linked)
	rows := eval[int](c, `document.querySelectorAll('input[form="stix-selection"]').length`)
	eval[bool](c, `(() => { const i = [...document.querySelectorAll('input[form="stix-selection"]')]
		.find(i => i.closest('tr').textContent.includes('203.0.113.77')); i.click(); return i.checked; })()`)
	href := eval[string](c, `(() => { const f = document.getElementById('stix-selection');
		return new URL(f.action).pathname + '?' + new URLSearchParams(new FormData(f)).toString(); })()`)
	if rows != 2 || !strings.Contains(href, "/stix?id=") {
		c.fatalPage("the selection form: %d rows, %s", rows, href)
	}
	// The form downloads (and the page's CSP allows no fetch): ask with the
	// browser's session.
	cookies, err := chromedp.Run(c.ctx, func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{})
		return res.Cookies, err
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, env.Server.URL+href, nil)
	for _, k := range cookies {
		req.AddCookie(&http.Cookie{Name: k.Name, Value: k.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "application/stix+json") {
		t.Fatalf("STIX export: %d %s", res.StatusCode, ct)
	}
	bundle := string(raw)
	b, err := stix.ParseBundle(strings.NewReader(bundle), stix.DefaultLimits)
	if err != nil {
		c.fatalPage("the STIX export does not parse: %v\n%s", err, bundle)
	}
	var incident, indicator bool
	for _, o := range b.Objects {
		incident = incident || o.Type == "incident"
		indicator = indicator || (o.Type == "indicator" && strings.Contains(string(o.Raw), "203.0.113.77"))
	}
	if !incident || !indicator {
		c.fatalPage("the STIX export lacks the incident (%v) or the selected indicator (%v)", incident, indicator)
	}
	if strings.Contains(bundle, "secure-login.bank-ke.example") {
		c.fatalPage("the STIX export carries an observable that was not selected")
	}

	// 6b. It offers the bundle to the public collection through the import
	// page: what is marked above CLEAR is refused, and the page says so in
	// Chinese.
	file := filepath.Join(t.TempDir(), "case.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	c.open("/cert/taxii/collections/" + taxii.PublicID + "/import")
	if err := chromedp.Do(c.ctx, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file})); err != nil {
		t.Fatal(err)
	}
	c.submit(`main form[action$="/import"] button`)
	zh := env.App.Site.Catalog.Printer("zh-Hans")
	refused := c.texts(`section[aria-labelledby="result"] li`)
	var saidInChinese bool
	for _, li := range refused {
		for _, tlp := range []string{"TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"} {
			saidInChinese = saidInChinese || strings.Contains(li, zh.T("cert.taxii.import.above_ceiling", "tlp", tlp, "ceiling", "TLP:CLEAR"))
		}
		if strings.Contains(li, "the most this collection accepts") {
			c.fatalPage("a refusal in English on a Chinese page: %s", li)
		}
	}
	if !saidInChinese {
		c.fatalPage("the import page does not say in Chinese why the case's objects were refused: %q", refused)
	}
	c.shot("cert-import-refused")

	// 7. The reporter follows the report: it is being handled.
	r.open(follow)
	if !strings.Contains(r.text("main"), env.App.Site.Catalog.Printer("ar").T("cert.reports.follow.status.handled")) {
		r.fatalPage("the follow page does not say the report is being handled")
	}
	r.shot("cert-follow")
}
