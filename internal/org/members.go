package org

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// Member is a person in an organisation.
type Member struct {
	UserID   string    `json:"user_id"`
	Name     string    `json:"name"`
	Email    string    `json:"email,omitempty"`
	Roles    []string  `json:"roles"`
	JoinedAt time.Time `json:"joined_at"`
	Owner    bool      `json:"owner"`
}

// Members lists an organisation's members. E-mail addresses are shown to
// fellow members only.
func (s *Service) Members(ctx context.Context, v *web.Viewer, o *Org) ([]Member, error) {
	_, isMember := v.Member(o.ID)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT u.id, u.name, COALESCE(u.email, ''), m.joined_at, r.role
		FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN member_roles r ON r.org_id = m.org_id AND r.user_id = m.user_id
		WHERE m.org_id = $1 AND u.deleted_at IS NULL ORDER BY u.name, u.id, r.role LIMIT 5000`, o.ID)
	if err != nil {
		return nil, errs.Wrap("members", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var role sql.NullString
		if err := rows.Scan(&m.UserID, &m.Name, &m.Email, &m.JoinedAt, &role); err != nil {
			return nil, errs.Wrap("members", err)
		}
		if !isMember {
			m.Email = ""
		}
		if n := len(out); n > 0 && out[n-1].UserID == m.UserID {
			if role.Valid {
				out[n-1].Roles = append(out[n-1].Roles, role.String)
			}
			continue
		}
		m.Owner = m.UserID == o.OwnerID
		m.Roles = []string{}
		if role.Valid {
			m.Roles = append(m.Roles, role.String)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Invitation is an open invitation to join.
type Invitation struct {
	ID        string
	Email     string
	Roles     []string
	CreatedAt time.Time
	ExpiresAt time.Time
	OrgSlug   string
	OrgName   string
}

func cleanRoles(roles []string) ([]string, bool) {
	roles = slices.Clone(roles) // the caller's slice stays as it was
	slices.Sort(roles)
	roles = slices.Compact(roles)
	for _, r := range roles {
		if !ValidRole(r) {
			return nil, false
		}
	}
	if !slices.Contains(roles, RoleMember) && !slices.Contains(roles, RoleAdmin) {
		roles = append([]string{RoleMember}, roles...)
	}
	return roles, true
}

// Invite sends an invitation to an e-mail address.
func (s *Service) Invite(ctx context.Context, v *web.Viewer, o *Org, email string, roles []string, lang, ip string) error {
	if !s.IsAdmin(v, o.ID) {
		return errs.E("invite", errs.Forbidden, "error.forbidden")
	}
	fields := map[string]string{}
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email, "@") {
		fields["email"] = "account.error.email_invalid"
	}
	roles, ok := cleanRoles(roles)
	if !ok {
		fields["roles"] = "org.error.role"
	}
	if len(fields) > 0 {
		return errs.Field("invite", fields)
	}
	secret := newSecret()
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var already int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2`,
			o.ID, email).Scan(&already); err != nil {
			return errs.Wrap("invite", err)
		}
		if already > 0 {
			return errs.Field("invite", map[string]string{"email": "org.error.already_member"})
		}
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (id, secret_hash, org_id, email, roles, invited_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, digest(secret), o.ID, email, strings.Join(roles, " "), v.ID, now, now.Add(InvitationTTL)); err != nil {
			return errs.Wrap("invite", err)
		}
		if err := s.audit(ctx, tx, "org.invited", v, o.ID, "invitation", id, ip, map[string]any{"roles": roles}); err != nil {
			return err
		}
		if s.Accounts == nil || s.Accounts.Mail == nil {
			return nil
		}
		return s.Accounts.Mail.Send(ctx, tx, email, lang, account.Mail{Subject: "mail.invitation.subject", Body: "mail.invitation.body",
			Args: []any{"org", o.Name, "inviter", v.Name, "link", strings.TrimRight(s.BaseURL, "/") + "/invitations/" + secret}})
	})
}

// Invitations lists an organisation's open invitations.
func (s *Service) Invitations(ctx context.Context, o *Org) ([]Invitation, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, email, roles, created_at, expires_at FROM invitations
		WHERE org_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC LIMIT 500`, o.ID, s.Clock.Now())
	if err != nil {
		return nil, errs.Wrap("invitations", err)
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		var in Invitation
		var roles string
		if err := rows.Scan(&in.ID, &in.Email, &roles, &in.CreatedAt, &in.ExpiresAt); err != nil {
			return nil, errs.Wrap("invitations", err)
		}
		in.Roles = strings.Fields(roles)
		out = append(out, in)
	}
	return out, rows.Err()
}

// RevokeInvitation withdraws an open invitation.
func (s *Service) RevokeInvitation(ctx context.Context, v *web.Viewer, o *Org, id, ip string) error {
	if !s.IsAdmin(v, o.ID) {
		return errs.E("invite", errs.Forbidden, "error.forbidden")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND org_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL`,
			s.Clock.Now(), id, o.ID)
		if err != nil {
			return errs.Wrap("revoke invitation", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E("revoke invitation", errs.NotFound, "error.not_found")
		}
		return s.audit(ctx, tx, "org.invitation_revoked", v, o.ID, "invitation", id, ip, nil)
	})
}

var (
	errInvitationInvalid = errs.E("invitation", errs.NotFound, "org.error.invitation_invalid")
	errInvitationExpired = errs.E("invitation", errs.Invalid, "account.error.link_expired")
	errInvitationUsed    = errs.E("invitation", errs.Conflict, "account.error.link_used")
)

// PeekInvitation returns an open invitation by its secret.
func (s *Service) PeekInvitation(ctx context.Context, secret string) (*Invitation, error) {
	in := &Invitation{}
	var roles string
	var accepted, revoked sql.NullTime
	err := s.DB.R.QueryRowContext(ctx, `SELECT i.id, i.email, i.roles, i.created_at, i.expires_at, i.accepted_at, i.revoked_at, o.slug, o.name
		FROM invitations i JOIN orgs o ON o.id = i.org_id WHERE i.secret_hash = $1`, digest(secret)).
		Scan(&in.ID, &in.Email, &roles, &in.CreatedAt, &in.ExpiresAt, &accepted, &revoked, &in.OrgSlug, &in.OrgName)
	if errors.Is(err, sql.ErrNoRows) || revoked.Valid {
		return nil, errInvitationInvalid
	}
	if err != nil {
		return nil, errs.Wrap("invitation", err)
	}
	if accepted.Valid {
		return nil, errInvitationUsed
	}
	if !s.Clock.Now().Before(in.ExpiresAt) {
		return nil, errInvitationExpired
	}
	in.Roles = strings.Fields(roles)
	return in, nil
}

// Accept makes the signed-in person a member through an invitation sent to
// their own address.
func (s *Service) Accept(ctx context.Context, v *web.Viewer, secret, ip string) (*Invitation, error) {
	in, err := s.PeekInvitation(ctx, secret)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(in.Email, v.Email) {
		return nil, errs.E("invitation", errs.Forbidden, "org.error.invitation_other").With(map[string]any{"email": in.Email})
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var orgID string
		err := tx.QueryRowContext(ctx, `UPDATE invitations SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1
			RETURNING org_id`, s.Clock.Now(), in.ID).Scan(&orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return errInvitationUsed
		}
		if err != nil {
			return errs.Wrap("accept", err)
		}
		if err := addMember(ctx, tx, orgID, v.ID, in.Roles, s.Clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, "org.joined", v, orgID, "invitation", in.ID, ip, map[string]any{"roles": in.Roles})
	})
	return in, err
}

// adminCount counts the organisation's admins, inside tx.
func adminCount(ctx context.Context, tx *sql.Tx, orgID string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM member_roles WHERE org_id = $1 AND role = 'admin'`, orgID).Scan(&n)
	return n, errs.Wrap("count admins", err)
}

// SetRoles replaces a member's roles; the last admin keeps admin.
func (s *Service) SetRoles(ctx context.Context, v *web.Viewer, o *Org, userID string, roles []string, ip string) error {
	if !s.IsAdmin(v, o.ID) {
		return errs.E("roles", errs.Forbidden, "error.forbidden")
	}
	roles, ok := cleanRoles(roles)
	if !ok {
		return errs.Field("roles", map[string]string{"roles": "org.error.role"})
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, o.ID, userID).Scan(&n); err != nil {
			return errs.Wrap("roles", err)
		}
		if n == 0 {
			return errs.E("roles", errs.NotFound, "error.not_found")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM member_roles WHERE org_id = $1 AND user_id = $2`, o.ID, userID); err != nil {
			return errs.Wrap("roles", err)
		}
		if err := addMember(ctx, tx, o.ID, userID, roles, s.Clock.Now()); err != nil {
			return err
		}
		if n, err := adminCount(ctx, tx, o.ID); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return errs.E("roles", errs.Conflict, "org.error.last_admin")
		}
		if userID == o.OwnerID && !slices.Contains(roles, RoleAdmin) {
			return errs.E("roles", errs.Conflict, "org.error.owner_admin")
		}
		return s.audit(ctx, tx, "org.role_changed", v, o.ID, "user", userID, ip, map[string]any{"roles": roles})
	})
}

// Remove takes a person out of the organisation (or lets them leave): their
// access ends at once and the service tokens they made are revoked. The
// last admin cannot leave, and the owner must hand ownership on first.
func (s *Service) Remove(ctx context.Context, v *web.Viewer, o *Org, userID, ip string) error {
	if userID != v.ID && !s.IsAdmin(v, o.ID) {
		return errs.E("remove", errs.Forbidden, "error.forbidden")
	}
	if userID == o.OwnerID {
		return errs.E("remove", errs.Conflict, "org.error.owner_leaves")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM member_roles WHERE org_id = $1 AND user_id = $2`, o.ID, userID); err != nil {
			return errs.Wrap("remove", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, o.ID, userID)
		if err != nil {
			return errs.Wrap("remove", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E("remove", errs.NotFound, "error.not_found")
		}
		if n, err := adminCount(ctx, tx, o.ID); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return errs.E("remove", errs.Conflict, "org.error.last_admin")
		}
		if err := account.RevokeMemberTokens(ctx, tx, s.Clock.Now(), userID, o.ID); err != nil {
			return err
		}
		action := "org.member_removed"
		if userID == v.ID {
			action = "org.left"
		}
		return s.audit(ctx, tx, action, v, o.ID, "user", userID, ip, nil)
	})
}

// Transfer hands ownership to another member, who becomes an admin.
func (s *Service) Transfer(ctx context.Context, v *web.Viewer, o *Org, userID, ip string) error {
	if v.ID != o.OwnerID && !v.IsAdmin() {
		return errs.E("transfer", errs.Forbidden, "org.error.owner_only")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, o.ID, userID).Scan(&n); err != nil {
			return errs.Wrap("transfer", err)
		}
		if n == 0 {
			return errs.E("transfer", errs.NotFound, "error.not_found")
		}
		if err := addMember(ctx, tx, o.ID, userID, []string{RoleAdmin}, s.Clock.Now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET owner_id = $1 WHERE id = $2`, userID, o.ID); err != nil {
			return errs.Wrap("transfer", err)
		}
		return s.audit(ctx, tx, "org.ownership_transferred", v, o.ID, "user", userID, ip, nil)
	})
}

// SetVerified verifies an organisation, or withdraws the verification.
func (s *Service) SetVerified(ctx context.Context, v *web.Viewer, o *Org, verified bool, ip string) error {
	if !v.IsAdmin() {
		return errs.E("verify", errs.Forbidden, "error.forbidden")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var at, by any
		action := "org.verification_withdrawn"
		if verified {
			at, by, action = s.Clock.Now(), v.ID, "org.verified"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET verified_at = $1, verified_by = $2 WHERE id = $3`, at, by, o.ID); err != nil {
			return errs.Wrap("verify", err)
		}
		return s.audit(ctx, tx, action, v, o.ID, "org", o.ID, ip, nil)
	})
}

// CanLeave refuses to let a person delete their account while they are the
// owner of an organisation that has other members.
func (s *Service) CanLeave(ctx context.Context, userID string) error {
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs o WHERE o.owner_id = $1
		AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = o.id AND m.user_id <> $1)`, userID).Scan(&n)
	if err != nil {
		return errs.Wrap("can leave", err)
	}
	if n > 0 {
		return errs.E("leave", errs.Conflict, "org.error.owner_leaves")
	}
	return nil
}

// Leave removes a deleted person from every organisation.
func (s *Service) Leave(ctx context.Context, tx *sql.Tx, userID string) error {
	for _, q := range []string{`DELETE FROM member_roles WHERE user_id = $1`, `DELETE FROM memberships WHERE user_id = $1`,
		`UPDATE orgs SET owner_id = NULL WHERE owner_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return errs.Wrap("leave", err)
		}
	}
	return nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func newSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return b32.EncodeToString(b)
}

func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// AddMember puts a person into an organisation with roles (the command line
// and the demo data use it; people join through invitations).
func (s *Service) AddMember(ctx context.Context, slug, userID string, roles []string) error {
	o, err := s.BySlug(ctx, slug)
	if err != nil {
		return err
	}
	roles, ok := cleanRoles(roles)
	if !ok {
		return errs.Field("member", map[string]string{"role": "org.error.role"})
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return addMember(ctx, tx, o.ID, userID, roles, s.Clock.Now())
	})
}

// SyncOfficer keeps a programme office's membership in step with the
// platform role "officer:<module>": granting the role makes the person a
// member of that module's office (created on first use), withdrawing it
// takes them out. Officers act through their office in the sharing model.
func (s *Service) SyncOfficer(ctx context.Context, tx *sql.Tx, userID, role string, granted bool) error {
	module, ok := strings.CutPrefix(role, account.RoleOfficerPrefix)
	if !ok {
		return nil
	}
	now := s.Clock.Now()
	slug := "office-" + module
	if _, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, slug, name, kind, country, module, verified_at, created_at)
		VALUES ($1, $2, $3, $4, '', $5, $6, $6) ON CONFLICT (slug) DO NOTHING`,
		newID(), slug, "Programme office: "+module, string(ProgrammeOffice), module, now); err != nil {
		return errs.Wrap("office", err)
	}
	var orgID string
	if err := tx.QueryRowContext(ctx, `SELECT id FROM orgs WHERE slug = $1`, slug).Scan(&orgID); err != nil {
		return errs.Wrap("office", err)
	}
	if granted {
		return addMember(ctx, tx, orgID, userID, []string{RoleMember}, now)
	}
	for _, q := range []string{`DELETE FROM member_roles WHERE org_id = $1 AND user_id = $2`, `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`} {
		if _, err := tx.ExecContext(ctx, q, orgID, userID); err != nil {
			return errs.Wrap("office", err)
		}
	}
	return account.RevokeMemberTokens(ctx, tx, now, userID, orgID)
}
