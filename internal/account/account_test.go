package account_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"harambee.africa/harambee/internal/app/apptest"
)

const pw = "correct horse battery"

func TestSignUpConfirmSignIn(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Amina Njoroge", "amina@example.org", pw)
	res := b.Get("/account")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "amina@example.org") {
		t.Fatalf("account page after confirmation: %d", res.StatusCode)
	}

	t.Run("ConfirmLinkIsSingleUse", func(t *testing.T) {
		m, _ := e.Mail.Last("amina@example.org", "mail.confirm.subject")
		res := e.Browser().Post(e.PathOf(m.Arg("link")), nil)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("second use: status %d, want 409", res.StatusCode)
		}
	})

	t.Run("SignOutAndIn", func(t *testing.T) {
		b.Post("/signout", nil)
		if res := b.Get("/"); !strings.Contains(res.Body, `class="flash"`) {
			t.Fatal("no notice after signing out")
		}
		if res := b.Get("/"); strings.Contains(res.Body, `class="flash"`) {
			t.Fatal("the notice is shown twice")
		}
		if res := b.Get("/account"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after sign-out /account: %d, want redirect", res.StatusCode)
		}
		res := b.Post("/signin", url.Values{"email": {"AMINA@example.org"}, "password": {pw}, "next": {"/account"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
			t.Fatalf("sign in: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})

	t.Run("WrongPasswordKeepsEmail", func(t *testing.T) {
		res := e.Browser().Post("/signin", url.Values{"email": {"amina@example.org"}, "password": {"not the password"}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, `value="amina@example.org"`) {
			t.Fatalf("wrong password: %d", res.StatusCode)
		}
	})

	t.Run("NextNeverLeavesTheSite", func(t *testing.T) {
		res := e.Browser().Post("/signin", url.Values{"email": {"amina@example.org"}, "password": {pw}, "next": {"//evil.example/x"}})
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Fatalf("redirect to %q, want /", loc)
		}
	})
}

func TestSignUpErrors(t *testing.T) {
	e := apptest.Start(t)
	e.SignUp("Li Wei", "liwei@example.cn", pw)
	cases := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"BadEmail", url.Values{"name": {"X"}, "email": {"not-an-email"}, "password": {pw}, "password2": {pw}}, "e-email"},
		{"ShortPassword", url.Values{"name": {"X"}, "email": {"x@example.org"}, "password": {"short"}, "password2": {"short"}}, "e-password"},
		{"Mismatch", url.Values{"name": {"X"}, "email": {"x@example.org"}, "password": {pw}, "password2": {pw + "x"}}, "e-password2"},
		{"NoName", url.Values{"name": {" "}, "email": {"x@example.org"}, "password": {pw}, "password2": {pw}}, "e-name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.Mail.Count()
			res := e.Browser().Post("/signup?lang=fr", c.form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="`+c.field+`"`) {
				t.Fatalf("status %d, want 422 with %s", res.StatusCode, c.field)
			}
			if e.Mail.Count() != before {
				t.Fatal("a message was sent for a refused sign-up")
			}
		})
	}
	t.Run("TakenAddressLooksTheSame", func(t *testing.T) {
		res := e.Browser().Post("/signup", url.Values{"name": {"Other"}, "email": {"liwei@example.cn"}, "password": {pw}, "password2": {pw}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if _, ok := e.Mail.Last("liwei@example.cn", "mail.signup_exists.subject"); !ok {
			t.Fatal("the owner of the address was not told")
		}
	})
	t.Run("UnconfirmedCannotSignIn", func(t *testing.T) {
		e.Browser().Post("/signup", url.Values{"name": {"Nuno"}, "email": {"nuno@example.ao"}, "password": {pw}, "password2": {pw}})
		res := e.Browser().Post("/signin", url.Values{"email": {"nuno@example.ao"}, "password": {pw}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", res.StatusCode)
		}
	})
}

func TestResetPassword(t *testing.T) {
	e := apptest.Start(t)
	old := e.SignUp("Fatima Zahra", "fatima@example.ma", pw)
	anon := e.Browser()
	anon.Post("/reset", url.Values{"email": {"fatima@example.ma"}})
	m, ok := e.Mail.Last("fatima@example.ma", "mail.reset.subject")
	if !ok {
		t.Fatal("no reset mail")
	}
	link := e.PathOf(m.Arg("link"))
	if res := anon.Post(link, url.Values{"password": {"a new long password"}, "password2": {"a new long password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", res.StatusCode, res.Body)
	}
	if res := old.Get("/account"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session still works after reset: %d", res.StatusCode)
	}
	if res := anon.Post(link, url.Values{"password": {"another password!"}, "password2": {"another password!"}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("reused reset link: %d, want 409", res.StatusCode)
	}
	anon.Post("/reset", url.Values{"email": {"fatima@example.ma"}})
	m, _ = e.Mail.Last("fatima@example.ma", "mail.reset.subject")
	e.Clock.Advance(2 * time.Hour)
	if res := anon.Post(e.PathOf(m.Arg("link")), url.Values{"password": {"another password!"}, "password2": {"another password!"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("expired reset link: %d, want 422", res.StatusCode)
	}
	if res := e.Browser().Post("/signin", url.Values{"email": {"fatima@example.ma"}, "password": {"a new long password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with new password: %d", res.StatusCode)
	}
}

func TestSecondFactor(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Chen Jing", "chen@example.cn", pw)
	u, err := e.App.Accounts.UserByEmail(t.Context(), "chen@example.cn")
	if err != nil {
		t.Fatal(err)
	}
	setup, err := e.App.Accounts.BeginTOTP(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	if res := b.Post("/account/2fa", url.Values{"code": {"000000"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code accepted: %d", res.StatusCode)
	}
	code, _ := totp.GenerateCode(setup.Secret, e.Clock.Now())
	res := b.Post("/account/2fa", url.Values{"code": {code}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "<code>") {
		t.Fatalf("enable: %d", res.StatusCode)
	}
	recovery := apptest.Between(res.Body, "<li><code>", "</code>")

	c := e.Browser()
	res = c.Post("/signin", url.Values{"email": {"chen@example.cn"}, "password": {pw}})
	if res.Header.Get("Location") != "/signin/2fa?next=%2F" {
		t.Fatalf("sign-in did not ask for a code: %s", res.Header.Get("Location"))
	}
	if res := c.Get("/account"); res.StatusCode != http.StatusSeeOther {
		t.Fatal("signed in before the second factor")
	}
	e.Clock.Advance(30 * time.Second)
	code, _ = totp.GenerateCode(setup.Secret, e.Clock.Now())
	if res := c.Post("/signin/2fa", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("code: %d", res.StatusCode)
	}
	if res := c.Get("/account"); res.StatusCode != http.StatusOK {
		t.Fatal("not signed in after the code")
	}

	d := e.Browser()
	d.Post("/signin", url.Values{"email": {"chen@example.cn"}, "password": {pw}})
	if res := d.Post("/signin/2fa", url.Values{"code": {recovery}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("recovery code: %d", res.StatusCode)
	}
	x := e.Browser()
	x.Post("/signin", url.Values{"email": {"chen@example.cn"}, "password": {pw}})
	if res := x.Post("/signin/2fa", url.Values{"code": {recovery}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("recovery code used twice: %d", res.StatusCode)
	}
}

func TestAdminMustUseSecondFactor(t *testing.T) {
	e := apptest.Start(t)
	link, err := e.App.Accounts.SetupLink(t.Context())
	if err != nil || link == "" {
		t.Fatalf("setup link: %q %v", link, err)
	}
	b := e.Browser()
	res := b.Post(e.PathOf(link), url.Values{"name": {"Admin"}, "email": {"admin@example.org"}, "password": {pw}, "password2": {pw}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: %d %s", res.StatusCode, res.Body)
	}
	if res := b.Get("/admin/people"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/2fa" {
		t.Fatalf("admin without second factor reached admin pages: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := e.Browser().Post(e.PathOf(link), url.Values{"name": {"B"}, "email": {"b@example.org"}, "password": {pw}, "password2": {pw}}); res.StatusCode < 400 {
		t.Fatalf("setup link worked twice: %d", res.StatusCode)
	}
	if l, _ := e.App.Accounts.SetupLink(t.Context()); l != "" {
		t.Fatal("a set-up link is offered while accounts exist")
	}
}

func TestSlowDown(t *testing.T) {
	e := apptest.Start(t)
	owner := e.SignUp("Kwame Mensah", "kwame@example.gh", pw)
	_ = owner
	attacker := e.Browser()
	for i := 0; i < 5; i++ {
		attacker.Post("/signin", url.Values{"email": {"kwame@example.gh"}, "password": {"guess number " + string(rune('a'+i))}})
	}
	if _, ok := e.Mail.Last("kwame@example.gh", "mail.failed_signins.subject"); !ok {
		t.Fatal("owner not told of failed sign-ins")
	}
	res := attacker.Post("/signin", url.Values{"email": {"kwame@example.gh"}, "password": {pw}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("sixth try right away: %d, want 429", res.StatusCode)
	}
	// The owner's own browser, which signed in before, is not locked out.
	owner.Post("/signout", nil)
	if res := owner.Post("/signin", url.Values{"email": {"kwame@example.gh"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner locked out: %d", res.StatusCode)
	}
	e.Clock.Advance(2 * time.Second)
	if res := attacker.Post("/signin", url.Values{"email": {"kwame@example.gh"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after waiting: %d", res.StatusCode)
	}
}

func TestSessionsAndPasswordChange(t *testing.T) {
	e := apptest.Start(t)
	a := e.SignUp("Ana Machel", "ana@example.mz", pw)
	other := e.Browser()
	other.Post("/signin", url.Values{"email": {"ana@example.mz"}, "password": {pw}})
	if res := other.Get("/account"); res.StatusCode != http.StatusOK {
		t.Fatal("second session")
	}
	res := a.Post("/account/password", url.Values{"current": {"wrong one!!"}, "password": {"brand new password"}, "password2": {"brand new password"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong current password: %d", res.StatusCode)
	}
	res = a.Post("/account/password", url.Values{"current": {pw}, "password": {"brand new password"}, "password2": {"brand new password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", res.StatusCode)
	}
	if res := other.Get("/account"); res.StatusCode != http.StatusSeeOther {
		t.Fatal("other session survived a password change")
	}
	if res := a.Get("/account"); res.StatusCode != http.StatusOK {
		t.Fatal("own session ended by a password change")
	}
	e.Clock.Advance(73 * time.Hour)
	if res := a.Get("/account"); res.StatusCode != http.StatusSeeOther {
		t.Fatal("idle session did not time out")
	}
}

func TestEmailChange(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Ali Hassan", "ali@example.eg", pw)
	if res := b.Post("/account/email", url.Values{"email": {"ali.new@example.eg"}, "current_e": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d %s", res.StatusCode, res.Body)
	}
	m, ok := e.Mail.Last("ali.new@example.eg", "mail.email_change.subject")
	if !ok {
		t.Fatal("no confirmation to the new address")
	}
	if res := b.Post(e.PathOf(m.Arg("link")), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if _, ok := e.Mail.Last("ali@example.eg", "mail.email_changed.subject"); !ok {
		t.Fatal("old address not told")
	}
	if _, err := e.App.Accounts.UserByEmail(t.Context(), "ali.new@example.eg"); err != nil {
		t.Fatal("address not changed")
	}
}

func TestDeleteAccount(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Zawadi Mwangi", "zawadi@example.tz", pw)
	res := b.Get("/account/export")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"email": "zawadi@example.tz"`) {
		t.Fatalf("export: %d", res.StatusCode)
	}
	if res := b.Post("/account/delete", url.Values{"confirm": {"zawadi@example.tz"}, "password": {"wrong password"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("delete with wrong password: %d", res.StatusCode)
	}
	if res := b.Post("/account/delete", url.Values{"confirm": {"zawadi@example.tz"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if res := e.Browser().Post("/signin", url.Values{"email": {"zawadi@example.tz"}, "password": {pw}}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("deleted account signs in: %d", res.StatusCode)
	}
	report, err := e.App.Trail.Verify(t.Context(), e.App.Signer.PublicKey())
	if err != nil || !report.OK() {
		t.Fatalf("audit chain after deletion: %v %v", report, err)
	}
}

func TestSlowDownPerAddress(t *testing.T) {
	e := apptest.Start(t)
	e.SignUp("Halima Bello", "halima@example.ng", pw)
	scanner := e.Browser()
	// One address trying many accounts is slowed down too.
	for i := 0; i < 20; i++ {
		scanner.Post("/signin", url.Values{"email": {fmt.Sprintf("user%d@example.ng", i)}, "password": {"whatever123"}})
	}
	if res := scanner.Post("/signin", url.Values{"email": {"halima@example.ng"}, "password": {pw}}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("21st try from one address: %d, want 429", res.StatusCode)
	}
	e.Clock.Advance(2 * time.Second)
	if res := scanner.Post("/signin", url.Values{"email": {"halima@example.ng"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after waiting: %d", res.StatusCode)
	}
}

func TestSecretLinks(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Baraka Otieno", "baraka@example.ke", pw)
	u, _ := e.App.Accounts.UserByEmail(t.Context(), "baraka@example.ke")
	secret, err := e.App.Accounts.NewSecretLink(t.Context(), e.App.DB.W, u.ID, "feed", "My posts feed", "/feeds/posts")
	if err != nil {
		t.Fatal(err)
	}
	uid, target, err := e.App.Accounts.ResolveSecretLink(t.Context(), secret, "feed")
	if err != nil || uid != u.ID || target != "/feeds/posts" {
		t.Fatalf("resolve: %q %q %v", uid, target, err)
	}
	if _, _, err := e.App.Accounts.ResolveSecretLink(t.Context(), secret, "calendar"); err == nil {
		t.Fatal("a feed link opened a calendar")
	}
	res := b.Get("/account/links")
	if !strings.Contains(res.Body, "My posts feed") {
		t.Fatalf("links page: %d", res.StatusCode)
	}
	links, _ := e.App.Accounts.SecretLinks(t.Context(), u.ID)
	other := e.SignUp("Other", "other@example.ke", pw)
	if res := other.Post("/account/links/"+links[0].ID+"/revoke", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("someone else revoked the link: %d", res.StatusCode)
	}
	if res := b.Post("/account/links/"+links[0].ID+"/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if _, _, err := e.App.Accounts.ResolveSecretLink(t.Context(), secret, "feed"); err == nil {
		t.Fatal("a revoked link still works")
	}
}
