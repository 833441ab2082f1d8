package browsertest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/web"
)

const password = "correct horse battery"

// TestJourney walks one person from sign-up through the second factor, the
// languages and an organisation, brings a second person in by invitation in
// another browser, and checks the narrowest layout.
func TestJourney(t *testing.T) {
	exe := chromium(t)
	env := apptest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	axe := newAxe(t)

	const (
		name  = "Amina Wanjiru"
		email = "amina@example.ke"
	)
	start, last := time.Now(), time.Now()
	step := func(what string) {
		t.Logf("%-28s %5.1fs (total %5.1fs)", what, time.Since(last).Seconds(), time.Since(start).Seconds())
		last = time.Now()
	}
	a := newPage(t, ctx, env, exe, "first", axe)
	step("browser started")

	// 1. Sign up and confirm the address.
	a.signUp(name, email, password)
	if got := a.text(`header .who a[href="/account"]`); got != name {
		t.Fatalf("header shows %q after confirming, want %q", got, name)
	}

	step("sign-up and confirm")

	// 2. Turn on the second factor.
	a.open("/account/2fa")
	secret := a.text("code.secret")
	if secret == "" {
		a.fatalPage("no TOTP secret on the page")
	}
	code, err := totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatalf("code for secret %q: %v", secret, err)
	}
	a.fill("#f-code", code)
	a.submit(`main form[action="/account/2fa"] button`)
	if codes := a.texts("main ul li code"); len(codes) == 0 {
		a.fatalPage("no recovery codes after turning on the second factor")
	}
	a.shot("recovery-codes")

	// Sign out, and in again with the password and a fresh code.
	a.submit(`header form[action="/signout"] button`)
	a.at("/")
	if n := len(a.texts(`header .who a[href="/account"]`)); n != 0 {
		a.fatalPage("still signed in after signing out")
	}
	a.open("/signin")
	a.fill("#f-email", email)
	a.fill("#f-password", password)
	a.submit(`main form[action="/signin"] button`)
	a.at("/signin/2fa")
	env.Clock.Advance(30 * time.Second)
	code, _ = totp.GenerateCode(secret, env.Clock.Now())
	a.fill("#f-code", code)
	a.submit(`main form[action="/signin/2fa"] button`)
	a.open("/account")
	a.at("/account")
	if got := a.text(`header .who a[href="/account"]`); got != name {
		t.Fatalf("header shows %q after the second sign-in, want %q", got, name)
	}

	step("second factor")

	// 3. Arabic from the footer link, right to left; then Chinese.
	a.click(`footer a[hreflang="ar"]`)
	a.at("/account")
	if dir, lang := eval[string](a, `document.documentElement.dir`), eval[string](a, `document.documentElement.lang`); dir != "rtl" || lang != "ar" {
		a.fatalPage("after the Arabic link: dir=%q lang=%q, want rtl and ar", dir, lang)
	}
	a.shot("account-ar")
	a.open("/orgs/new")
	if dir := eval[string](a, `document.documentElement.dir`); dir != "rtl" {
		a.fatalPage("Arabic is not kept on the next page: dir=%q", dir)
	}
	a.shot("org-form-ar")
	a.open("/account?lang=zh-Hans")
	if dir, lang := eval[string](a, `document.documentElement.dir`), eval[string](a, `document.documentElement.lang`); dir != "ltr" || lang != "zh-Hans" {
		a.fatalPage("after ?lang=zh-Hans: dir=%q lang=%q, want ltr and zh-Hans", dir, lang)
	}

	step("languages")

	// 4. Create an organisation with a Chinese name.
	const (
		orgName = "丝路云科技"
		slug    = "silkroad-cloud"
	)
	a.open("/orgs/new")
	a.fill(`[id="f-name.zh-Hans"]`, orgName)
	a.fill("#f-slug", slug)
	a.choose("#f-kind", "enterprise")
	a.choose("#f-country", "CN")
	a.submit(`main form[action="/orgs"] button`)
	a.at("/orgs/" + slug)
	if got := a.text("main h1"); got != orgName {
		a.fatalPage("organisation page heading %q, want %q", got, orgName)
	}
	a.shot("org-zh")

	step("organisation")

	// 5. Invite a second person, who signs up in another browser and joins.
	const (
		name2  = "李伟"
		email2 = "li.wei@example.cn"
	)
	a.open("/orgs/" + slug + "/members")
	a.fill("#f-email", email2)
	a.submit(`main form[action="/orgs/` + slug + `/invitations"] button`)
	a.at("/orgs/" + slug + "/members")
	invite := mailLink(t, env, email2, "mail.invitation.subject")

	b := newPage(t, ctx, env, exe, "second", axe)
	b.signUp(name2, email2, password)
	b.open(invite)
	b.submit(`main form button`)
	b.at("/orgs/" + slug)
	members := b.texts("main h2 + ul > li")
	for _, who := range []string{name, name2} {
		if !slices.ContainsFunc(members, func(m string) bool { return strings.HasPrefix(m, who) }) {
			b.fatalPage("the organisation page lists %q, want %s among them", members, who)
		}
	}
	b.shot("org-members")

	step("invitation")

	// 6. Register an agreement and attach a photograph of the signing: the
	// file goes through the browser's own multipart upload, and the record
	// page shows the thumbnail made without the photo's metadata.
	agreementID := registerAgreement(t, env, email, slug)
	a.open("/agreements/" + agreementID)
	photo := filepath.Join(t.TempDir(), "signing.jpg")
	if err := os.WriteFile(photo, testJPEG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(a.ctx, chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{photo})); err != nil {
		t.Fatalf("choose the file: %v", err)
	}
	a.submit(`main form[enctype="multipart/form-data"] button`)
	a.at("/agreements/" + agreementID)
	// The thumbnail loads lazily: bring it into view and give it time.
	loaded := false
	for range 50 {
		w := eval[int](a, `(() => { const i = document.querySelector('main img[src$="/thumb"]'); if (!i) return -1;
			i.scrollIntoView(); return i.complete ? i.naturalWidth : 0 })()`)
		if w < 0 {
			break
		}
		if loaded = w > 0; loaded {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !loaded {
		a.fatalPage("the record page shows no thumbnail of the uploaded photograph")
	}
	a.shot("agreement-with-photo")
	a.click(`main ul.files a[href^="/files/"]`)
	a.shot("file-page")

	step("agreement and upload")

	// 7. The narrowest phone: no page may scroll sideways.
	if err := chromedp.Do(a.ctx, chromedp.EmulateViewport(320, 640)); err != nil {
		t.Fatalf("emulate 320 px: %v", err)
	}
	a.open("/signin")
	if w := eval[int](a, `document.documentElement.scrollWidth`); w > 320 {
		a.shot("signin-320")
		a.fatalPage("/signin is %d px wide at 320 px: it scrolls sideways", w)
	}
	a.shot("signin-320")
	// The other pages of the journey are only reported, in both directions.
	for _, path := range []string{"/account", "/account/2fa", "/orgs/new", "/orgs/" + slug, "/orgs/" + slug + "/members", "/orgs",
		"/account?lang=ar", "/orgs/" + slug + "/members", "/orgs/new", "/agreements", "/agreements/new", "/agreements/" + agreementID,
		"/signin?lang=zh-Hans"} {
		a.open(path)
		lang := eval[string](a, `document.documentElement.lang`)
		if w := eval[int](a, `document.documentElement.scrollWidth`); w > 320 {
			t.Logf("at 320 px, %s is %d px wide (lang %s)", path, w, lang)
		}
		a.shot("320" + sanitize(path) + "-" + lang)
	}
	step("320 px")
}

// registerAgreement registers, through the service, an agreement between
// the person's organisation and the Government of Kenya, and returns its id.
func registerAgreement(t *testing.T, env *apptest.Env, email, slug string) string {
	t.Helper()
	ctx := context.Background()
	u, err := env.App.Accounts.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	v := &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}
	if v.Orgs, err = env.App.Orgs.Memberships(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	ag, err := env.App.Agreements.Create(ctx, v, agreements.Input{Kind: "mou",
		Title:    agreements.TextInput{Original: "zh-Hans", Texts: map[string]string{"zh-Hans": "云计算合作谅解备忘录"}},
		Parties:  []agreements.PartyInput{{Kind: "org", Org: slug}, {Kind: "government", Country: "KE"}},
		SignedOn: "2026-11-02"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return ag.ID
}

// testJPEG is a small photograph-like image.
func testJPEG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sanitize(path string) string {
	out := []rune{}
	for _, r := range path {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			out = append(out, r)
		} else {
			out = append(out, '_')
		}
	}
	return string(out)
}
