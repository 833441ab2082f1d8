package account

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the account pages and API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/account/*.html")
	site.PageFunc("GET /signup", s.signupPage)
	site.PageFunc("POST /signup", s.signupPost)
	site.PageFunc("GET /confirm/{secret}", s.linkPage(LinkConfirm, "account/confirm"))
	site.PageFunc("POST /confirm/{secret}", s.confirmPost)
	site.PageFunc("GET /setup/{secret}", s.linkPage(LinkSetup, "account/setup"))
	site.PageFunc("POST /setup/{secret}", s.setupPost)
	site.PageFunc("GET /signin", s.signinPage)
	site.PageFunc("POST /signin", s.signinPost)
	site.PageFunc("GET /signin/2fa", s.codePage)
	site.PageFunc("POST /signin/2fa", s.codePost)
	site.PageFunc("POST /signout", s.signoutPost)
	site.PageFunc("GET /reset", s.resetPage)
	site.PageFunc("POST /reset", s.resetPost)
	site.PageFunc("GET /reset/{secret}", s.linkPage(LinkReset, "account/new-password"))
	site.PageFunc("POST /reset/{secret}", s.newPasswordPost)
	site.PageFunc("GET /email/{secret}", s.emailConfirmPage)
	site.PageFunc("POST /email/{secret}", s.emailConfirmPost)

	signed := func(h http.HandlerFunc) http.HandlerFunc { return RequireSignIn(site, h) }
	site.PageFunc("GET /account", signed(s.accountPage))
	site.PageFunc("POST /account/profile", signed(s.profilePost))
	site.PageFunc("POST /account/password", signed(s.passwordPost))
	site.PageFunc("POST /account/email", signed(s.emailPost))
	site.PageFunc("POST /account/sessions/{id}/end", signed(s.endSessionPost))
	site.PageFunc("GET /account/2fa", signed(s.totpPage))
	site.PageFunc("POST /account/2fa", signed(s.totpPost))
	site.PageFunc("POST /account/2fa/disable", signed(s.totpDisablePost))
	site.PageFunc("GET /account/tokens", signed(s.tokensPage))
	site.PageFunc("POST /account/tokens", signed(s.tokenCreatePost))
	site.PageFunc("POST /account/tokens/{id}/revoke", signed(s.tokenRevokePost))
	site.PageFunc("GET /account/links", signed(s.linksPage))
	site.PageFunc("POST /account/links/{id}/revoke", signed(s.linkRevokePost))
	site.PageFunc("GET /account/export", signed(s.exportGet))
	site.PageFunc("GET /account/delete", signed(s.deletePage))
	site.PageFunc("POST /account/delete", signed(s.deletePost))

	s.mountAdmin(site)
	s.mountAPI(site)
}

func (s *Service) signupPage(w http.ResponseWriter, r *http.Request) {
	s.Site.Render(w, r, http.StatusOK, "account/signup", nil)
}

func (s *Service) signupPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	nu := NewUser{Email: f.Trimmed("email"), Name: f.Trimmed("name"), Password: f.Value("password"),
		Locale: web.PrinterOf(r).Lang, TimeZone: zoneOr(f.Value("time_zone"))}
	if f.Value("password") != f.Value("password2") {
		f.Set("password2", "account.error.password_mismatch")
	}
	if !f.Has() {
		err = s.SignUp(r.Context(), nu, web.ClientIP(r))
		if err != nil && !f.Merge(err) {
			s.Site.Fail(w, r, err)
			return
		}
	}
	if f.Has() {
		s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "account/signup", nil, f)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "account/check-mail", map[string]any{"Email": nu.Email})
}

// linkPage shows the form behind a single-use link, or why the link no
// longer works.
func (s *Service) linkPage(purpose, page string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, _, err := s.peekLink(r.Context(), purpose, r.PathValue("secret")); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		s.Site.Render(w, r, http.StatusOK, page, nil)
	}
}

func zoneOr(tz string) string {
	if checkZone(tz) {
		return tz
	}
	return "UTC"
}

func (s *Service) confirmPost(w http.ResponseWriter, r *http.Request) {
	if err := s.Confirm(r.Context(), w, r, r.PathValue("secret")); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/account", "account.flash.confirmed")
}

func (s *Service) setupPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if f.Value("password") != f.Value("password2") {
		f.Set("password2", "account.error.password_mismatch")
	}
	if !f.Has() {
		nu := NewUser{Email: f.Trimmed("email"), Name: f.Trimmed("name"), Password: f.Value("password"),
			Locale: web.PrinterOf(r).Lang, TimeZone: zoneOr(f.Value("time_zone"))}
		err = s.Setup(r.Context(), w, r, r.PathValue("secret"), nu)
		if err != nil && !f.Merge(err) {
			s.Site.Fail(w, r, err)
			return
		}
	}
	if f.Has() {
		s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "account/setup", nil, f)
		return
	}
	s.Site.Redirect(w, r, "/account/2fa", "account.flash.admin_created")
}

func (s *Service) signinPage(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(nil)
	f.Values = r.URL.Query()
	s.Site.RenderForm(w, r, http.StatusOK, "account/signin", nil, f)
}

func (s *Service) signinPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	next := web.LocalPath(f.Value("next"))
	needCode, err := s.SignIn(r.Context(), w, r, f.Trimmed("email"), f.Value("password"))
	if err != nil {
		if !f.Merge(err) {
			switch errs.CodeOf(err) {
			case errs.Internal:
				s.Site.Fail(w, r, err)
				return
			default:
				f.Set("form", errs.KeyOf(err))
				s.Site.RenderForm(w, r, errs.Status(err), "account/signin", map[string]any{"Problem": messageOf(r, err)}, f)
				return
			}
		}
		s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "account/signin", nil, f)
		return
	}
	if needCode {
		http.Redirect(w, r, "/signin/2fa?next="+urlQueryEscape(next), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// messageOf translates an error with its arguments.
func messageOf(r *http.Request, err error) string {
	var args []any
	if e, ok := err.(*errs.Error); ok {
		for k, v := range e.Args {
			args = append(args, k, v)
		}
	}
	return web.PrinterOf(r).T(errs.KeyOf(err), args...)
}

func (s *Service) codePage(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r.URL.Query())
	s.Site.RenderForm(w, r, http.StatusOK, "account/code", nil, f)
}

func (s *Service) codePost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.SecondStep(r.Context(), w, r, f.Value("code")); err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "account/code", nil, f)
			return
		}
		if errs.CodeOf(err) == errs.RateLimited {
			s.Site.RenderForm(w, r, http.StatusTooManyRequests, "account/code", map[string]any{"Problem": messageOf(r, err)}, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, web.LocalPath(f.Value("next")), http.StatusSeeOther)
}

func (s *Service) signoutPost(w http.ResponseWriter, r *http.Request) {
	s.SignOut(r.Context(), w, r)
	s.Site.Redirect(w, r, "/", "account.flash.signed_out")
}

func (s *Service) resetPage(w http.ResponseWriter, r *http.Request) {
	s.Site.Render(w, r, http.StatusOK, "account/reset", nil)
}

func (s *Service) resetPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.RequestReset(r.Context(), f.Trimmed("email")); err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "account/reset", nil, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "account/check-mail", map[string]any{"Email": f.Trimmed("email")})
}

func (s *Service) newPasswordPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if f.Value("password") != f.Value("password2") {
		f.Set("password2", "account.error.password_mismatch")
		s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "account/new-password", nil, f)
		return
	}
	if err := s.Reset(r.Context(), r.PathValue("secret"), f.Value("password"), web.ClientIP(r)); err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "account/new-password", nil, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/signin", "account.flash.password_reset")
}

func (s *Service) emailConfirmPage(w http.ResponseWriter, r *http.Request) {
	_, email, err := s.peekLink(r.Context(), LinkEmailChange, r.PathValue("secret"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "account/email-confirm", map[string]any{"Email": email})
}

func (s *Service) emailConfirmPost(w http.ResponseWriter, r *http.Request) {
	if err := s.ConfirmEmailChange(r.Context(), r.PathValue("secret"), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	dest := "/signin"
	if web.ViewerOf(r) != nil {
		dest = "/account"
	}
	s.Site.Redirect(w, r, dest, "account.flash.email_changed")
}

// accountData is what the account page shows.
type accountData struct {
	User     *User
	Sessions []Session
	Zones    []string
	Langs    []web.LangLink
}

func (s *Service) accountPage(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, http.StatusOK, nil)
}

func (s *Service) renderAccount(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	sessions, err := s.Sessions(r.Context(), u.ID, web.ViewerOf(r).SessionID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if f == nil {
		f = web.NewForm(map[string][]string{"name": {u.Name}, "locale": {u.Locale}, "time_zone": {u.TimeZone}})
	}
	var langs []web.LangLink
	for _, l := range i18n.Langs {
		langs = append(langs, web.LangLink{Code: l, Name: i18n.Native[l], Current: l == f.Value("locale")})
	}
	s.Site.RenderForm(w, r, status, "account/account", accountData{User: u, Sessions: sessions, Zones: Zones, Langs: langs}, f)
}

func (s *Service) profilePost(w http.ResponseWriter, r *http.Request) {
	s.accountForm(w, r, func(u *User, f *web.Form) error {
		return s.UpdateProfile(r.Context(), u, f.Trimmed("name"), f.Value("locale"), f.Value("time_zone"))
	}, "account.flash.saved")
}

func (s *Service) passwordPost(w http.ResponseWriter, r *http.Request) {
	s.accountForm(w, r, func(u *User, f *web.Form) error {
		if f.Value("password") != f.Value("password2") {
			return errs.Field("password", map[string]string{"password2": "account.error.password_mismatch"})
		}
		return s.ChangePassword(r.Context(), u, f.Value("current"), f.Value("password"), web.ViewerOf(r).SessionID, web.ClientIP(r))
	}, "account.flash.password_changed")
}

func (s *Service) emailPost(w http.ResponseWriter, r *http.Request) {
	s.accountForm(w, r, func(u *User, f *web.Form) error {
		return s.RequestEmailChange(r.Context(), u, f.Trimmed("email"), f.Value("current_e"))
	}, "account.flash.email_sent")
}

// accountForm runs one of the account page's forms: on field errors the page
// comes back with the errors beside the fields.
func (s *Service) accountForm(w http.ResponseWriter, r *http.Request, do func(*User, *web.Form) error, flash string) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := do(u, f); err != nil {
		if e, ok := err.(*errs.Error); ok && e.Op == "email" && e.Fields["current"] != "" {
			e.Fields["current_e"] = e.Fields["current"]
			delete(e.Fields, "current")
		}
		if f.Merge(err) {
			s.renderAccount(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/account", flash)
}

func (s *Service) endSessionPost(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	if err := s.EndSession(r.Context(), v.ID, r.PathValue("id")); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if r.PathValue("id") == v.SessionID {
		s.Site.Redirect(w, r, "/", "account.flash.signed_out")
		return
	}
	s.Site.Redirect(w, r, "/account#sessions", "account.flash.session_ended")
}

func (s *Service) totpPage(w http.ResponseWriter, r *http.Request) {
	s.renderTOTP(w, r, http.StatusOK, nil, nil)
}

func (s *Service) renderTOTP(w http.ResponseWriter, r *http.Request, status int, f *web.Form, codes []string) {
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	data := map[string]any{"User": u, "Codes": codes, "Required": u.HasRole(RoleAdmin)}
	if !u.SecondFactor {
		setup, err := s.BeginTOTP(r.Context(), u)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		data["Setup"] = setup
	}
	s.Site.RenderForm(w, r, status, "account/totp", data, f)
}

func (s *Service) totpPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	codes, err := s.EnableTOTP(r.Context(), u, f.Value("code"), web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.renderTOTP(w, r, http.StatusUnprocessableEntity, f, nil)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.renderTOTP(w, r, http.StatusOK, nil, codes)
}

func (s *Service) totpDisablePost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.DisableTOTP(r.Context(), u, f.Value("password"), web.ClientIP(r)); err != nil {
		if f.Merge(err) {
			s.renderTOTP(w, r, http.StatusUnprocessableEntity, f, nil)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/account", "account.flash.totp_off")
}

func (s *Service) tokensPage(w http.ResponseWriter, r *http.Request) {
	s.renderTokens(w, r, http.StatusOK, nil, "")
}

func (s *Service) renderTokens(w http.ResponseWriter, r *http.Request, status int, f *web.Form, secret string) {
	v := web.ViewerOf(r)
	tokens, err := s.Tokens(r.Context(), v.ID, "")
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "account/tokens", map[string]any{"Tokens": tokens, "Secret": secret, "Scopes": Scopes}, f)
}

// ParseExpiry reads an optional yyyy-mm-dd expiry date (end of that day, UTC).
func ParseExpiry(v string) (*time.Time, bool) {
	if v == "" {
		return nil, true
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		return nil, false
	}
	d = d.Add(24*time.Hour - time.Microsecond)
	return &d, true
}

func (s *Service) tokenCreatePost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	exp, ok := ParseExpiry(f.Value("expires"))
	if !ok {
		f.Set("expires", "account.error.date_invalid")
		s.renderTokens(w, r, http.StatusUnprocessableEntity, f, "")
		return
	}
	_, secret, err := s.CreateToken(r.Context(), u, NewToken{Name: f.Value("name"), Scopes: f.Values["scopes"], ExpiresAt: exp}, web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.renderTokens(w, r, http.StatusUnprocessableEntity, f, "")
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.renderTokens(w, r, http.StatusCreated, nil, secret)
}

func (s *Service) tokenRevokePost(w http.ResponseWriter, r *http.Request) {
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.RevokeToken(r.Context(), u, "", r.PathValue("id"), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/account/tokens", "account.flash.token_revoked")
}

func (s *Service) exportGet(w http.ResponseWriter, r *http.Request) {
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	data, err := s.Export(r.Context(), u, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="harambee-my-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(data)
}

func (s *Service) deletePage(w http.ResponseWriter, r *http.Request) {
	s.Site.Render(w, r, http.StatusOK, "account/delete", nil)
}

func (s *Service) deletePost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if strings.TrimSpace(f.Value("confirm")) != u.Email {
		f.Set("confirm", "account.error.confirm_email")
	}
	if !f.Has() {
		err = s.Delete(r.Context(), u, f.Value("password"), web.ClientIP(r))
		if err != nil && !f.Merge(err) {
			if errs.CodeOf(err) == errs.Internal {
				s.Site.Fail(w, r, err)
				return
			}
			s.Site.RenderForm(w, r, errs.Status(err), "account/delete", map[string]any{"Problem": messageOf(r, err)}, f)
			return
		}
	}
	if f.Has() {
		s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "account/delete", nil, f)
		return
	}
	s.SignOut(r.Context(), w, r)
	s.Site.Redirect(w, r, "/", "account.flash.deleted")
}
