package account

import (
	"context"
	"database/sql"
	"net/http"
	"strings"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// Authenticate finds the person behind a request — a bearer token, HTTP
// Basic with an e-mail and a token (for TAXII clients), or a session
// cookie — and puts them in the request's context.
func (s *Service) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			v, err := s.tokenViewer(ctx, r, h)
			if err != nil {
				s.Site.FailJSON(w, r, err)
				return
			}
			next.ServeHTTP(w, s.Site.SetViewer(w, r, v))
			return
		}
		c, err := r.Cookie(SessionCookie)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		ss, err := s.sessionFor(ctx, c.Value)
		if err != nil {
			if !errs.Is(err, errs.Unauthorized) {
				s.Site.Fail(w, r, err)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: SessionCookie, Path: "/", MaxAge: -1})
			next.ServeHTTP(w, r)
			return
		}
		if ss.MFAPending {
			next.ServeHTTP(w, r) // anonymous until the code is given
			return
		}
		v, err := s.viewer(ctx, ss.UserID)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		v.SessionID = ss.ID
		r = s.Site.SetViewer(w, r, v)
		if v.NeedsSecondFactor && !allowedWithoutSecondFactor(r.URL.Path) {
			if web.IsAPI(r) {
				s.Site.FailJSON(w, r, errs.E("auth", errs.Forbidden, "account.error.totp_required"))
				return
			}
			http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func allowedWithoutSecondFactor(path string) bool {
	return strings.HasPrefix(path, "/account/2fa") || path == "/signout" || strings.HasPrefix(path, "/static/") ||
		path == "/healthz" || path == "/readyz"
}

// viewer builds the request's view of a person.
func (s *Service) viewer(ctx context.Context, userID string) (*web.Viewer, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	v := &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Email: u.Email, Name: u.Name, Locale: u.Locale, TimeZone: u.TimeZone, Roles: u.Roles}
	v.NeedsSecondFactor = u.HasRole(RoleAdmin) && !u.SecondFactor
	if s.Orgs != nil {
		if v.Orgs, err = s.Orgs.Memberships(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *Service) tokenViewer(ctx context.Context, r *http.Request, header string) (*web.Viewer, error) {
	var secret string
	switch {
	case strings.HasPrefix(header, "Bearer "):
		secret = strings.TrimSpace(strings.TrimPrefix(header, "Bearer "))
	case strings.HasPrefix(header, "Basic "):
		email, pw, ok := r.BasicAuth()
		if !ok {
			return nil, errs.E("auth", errs.Unauthorized, "account.error.token_invalid")
		}
		secret = pw
		u, t, err := s.tokenUser(ctx, secret)
		if err != nil {
			return nil, err
		}
		// A personal token goes with its owner's e-mail; an organisation's
		// service token stands for the organisation alone, so TAXII tools
		// may send any user name with it (the organisation's slug, say).
		if t.OrgID == "" && !strings.EqualFold(u.Email, email) {
			return nil, errs.E("auth", errs.Unauthorized, "account.error.token_invalid")
		}
		return s.finishTokenViewer(ctx, r, u, t)
	default:
		return nil, errs.E("auth", errs.Unauthorized, "account.error.token_invalid")
	}
	u, t, err := s.tokenUser(ctx, secret)
	if err != nil {
		return nil, err
	}
	return s.finishTokenViewer(ctx, r, u, t)
}

func (s *Service) finishTokenViewer(ctx context.Context, r *http.Request, u *User, t *Token) (*web.Viewer, error) {
	v, err := s.viewer(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	v.NeedsSecondFactor = false
	v.TokenID = t.ID
	v.Scopes = t.Scopes
	if t.OrgID != "" {
		// An organisation's service token acts for that organisation only.
		var kept []web.Membership
		for _, m := range v.Orgs {
			if m.OrgID == t.OrgID {
				kept = append(kept, m)
			}
		}
		v.Orgs = kept
		if len(kept) == 0 {
			return nil, errs.E("auth", errs.Unauthorized, "account.error.token_invalid")
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if !hasScope(t.Scopes, ScopeWrite) {
			return nil, errs.E("auth", errs.Forbidden, "account.error.scope_missing")
		}
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			return s.audit(ctx, tx, "token.write", u.Pseudonym, t.OrgID, "token", t.ID, web.ClientIP(r),
				map[string]any{"method": r.Method, "path": r.URL.Path})
		})
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

func hasScope(scopes []string, want string) bool {
	for _, s := range scopes {
		if s == want {
			return true
		}
	}
	return false
}

// current returns the signed-in person's account, or an Unauthorized error.
func (s *Service) current(r *http.Request) (*User, error) {
	v := web.ViewerOf(r)
	if v == nil {
		return nil, errs.E("auth", errs.Unauthorized, "error.unauthorized")
	}
	return s.UserByID(r.Context(), v.ID)
}

// RequireSignIn sends anonymous visitors to the sign-in page (or answers 401
// on the API).
func RequireSignIn(site *web.Site, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if web.ViewerOf(r) == nil {
			if web.IsAPI(r) {
				site.FailJSON(w, r, errs.E("auth", errs.Unauthorized, "error.unauthorized"))
				return
			}
			http.Redirect(w, r, "/signin?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r)
	}
}
