package account

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"time"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// Person is a row of the administrators' list of people.
type Person struct {
	ID        string
	Email     string
	Name      string
	Roles     []string
	Suspended bool
	Confirmed bool
	CreatedAt time.Time
}

// People lists accounts for administrators, optionally filtered by a
// substring of the name or e-mail, newest first, keyset-paginated by id.
func (s *Service) People(ctx context.Context, q, before string, limit int) ([]Person, string, error) {
	args := []any{}
	where := `deleted_at IS NULL`
	if q = strings.TrimSpace(strings.ToLower(q)); q != "" {
		args = append(args, "%"+escapeLike(q)+"%")
		where += ` AND (LOWER(name) LIKE $1 ESCAPE '\' OR email LIKE $1 ESCAPE '\')`
	}
	if before != "" {
		args = append(args, before)
		where += ` AND id < $` + itoa(len(args))
	}
	args = append(args, limit+1)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, COALESCE(email, ''), name, suspended_at IS NOT NULL, email_confirmed_at IS NOT NULL, created_at
		FROM users WHERE `+where+` ORDER BY id DESC LIMIT $`+itoa(len(args)), args...)
	if err != nil {
		return nil, "", errs.Wrap("list people", err)
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Email, &p.Name, &p.Suspended, &p.Confirmed, &p.CreatedAt); err != nil {
			return nil, "", errs.Wrap("list people", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, "", errs.Wrap("list people", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	for i := range out {
		u := &User{ID: out[i].ID}
		if err := s.loadRoles(ctx, u); err != nil {
			return nil, "", err
		}
		out[i].Roles = u.Roles
	}
	return out, next, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func itoa(n int) string { return sprintf("%d", n) }

// SetSuspended suspends or restores an account; suspension ends its
// sessions and stops its tokens at once.
func (s *Service) SetSuspended(ctx context.Context, admin *web.Viewer, userID string, suspend bool, ip string) error {
	if admin.ID == userID {
		return errs.E("suspend", errs.Invalid, "account.error.self")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var at any
		action := "account.restored"
		if suspend {
			at, action = s.Clock.Now(), "account.suspended"
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET suspended_at = $1 WHERE id = $2 AND deleted_at IS NULL`, at, userID)
		if err != nil {
			return errs.Wrap("suspend", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E("suspend", errs.NotFound, "error.not_found")
		}
		if suspend {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
				return errs.Wrap("suspend", err)
			}
		}
		return s.audit(ctx, tx, action, admin.Pseudonym, "", "user", userID, ip, nil)
	})
}

// SetRole grants or withdraws a platform role.
func (s *Service) SetRole(ctx context.Context, admin *web.Viewer, userID, role string, grant bool, ip string) error {
	if !ValidRole(role) {
		return errs.E("role", errs.Invalid, "account.error.role_invalid")
	}
	if !grant && role == RoleAdmin && admin.ID == userID {
		return errs.E("role", errs.Invalid, "account.error.self")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1 AND deleted_at IS NULL`, userID).Scan(&exists); err != nil {
			return errs.Wrap("role", err)
		}
		if exists == 0 {
			return errs.E("role", errs.NotFound, "error.not_found")
		}
		var err error
		action := "role.granted"
		if grant {
			_, err = tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (user_id, role) DO NOTHING`, userID, role, admin.ID, s.Clock.Now())
		} else {
			action = "role.withdrawn"
			_, err = tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1 AND role = $2`, userID, role)
		}
		if err != nil {
			return errs.Wrap("role", err)
		}
		if err := s.roleChanged(ctx, tx, userID, role, grant); err != nil {
			return err
		}
		return s.audit(ctx, tx, action, admin.Pseudonym, "", "user", userID, ip, map[string]any{"role": role})
	})
}

// RequireAdmin lets only platform administrators through.
func RequireAdmin(site *web.Site, h http.HandlerFunc) http.HandlerFunc {
	return RequireSignIn(site, func(w http.ResponseWriter, r *http.Request) {
		if !web.ViewerOf(r).IsAdmin() {
			site.Fail(w, r, errs.E("admin", errs.Forbidden, "error.forbidden"))
			return
		}
		h(w, r)
	})
}

// AllRoles lists the platform roles administrators can grant.
func AllRoles() []string {
	out := []string{RoleAdmin, RoleModerator}
	for _, m := range OfficerModules {
		out = append(out, RoleOfficerPrefix+m)
	}
	return out
}

func (s *Service) mountAdmin(site *web.Site) {
	site.PageFunc("GET /admin/people", RequireAdmin(site, s.peoplePage))
	site.PageFunc("POST /admin/people/{id}/suspend", RequireAdmin(site, s.suspendPost))
	site.PageFunc("POST /admin/people/{id}/roles", RequireAdmin(site, s.rolePost))
}

func (s *Service) peoplePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	people, next, err := s.People(r.Context(), q.Get("q"), q.Get("before"), 50)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "account/people", map[string]any{"People": people, "Next": next, "Q": q.Get("q"), "Roles": AllRoles()})
}

func (s *Service) suspendPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	suspend := f.Value("suspend") == "1"
	if err := s.SetSuspended(r.Context(), web.ViewerOf(r), r.PathValue("id"), suspend, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/admin/people", "account.flash.saved")
}

func (s *Service) rolePost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	grant := f.Value("grant") == "1"
	if err := s.SetRole(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("role"), grant, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/admin/people", "account.flash.saved")
}
