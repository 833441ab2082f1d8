package observables

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// MaxHandable bounds the observables one hand-over offers.
const MaxHandable = 1000

// Handable lists the case's own observables its editors may hand over:
// those the viewer sees, except RED ones (named people only; a hand-over
// gives to an organisation).
func (s *Service) Handable(ctx context.Context, v *web.Viewer, caseID string) ([]cert.ObservableItem, error) {
	c, err := s.editableCase(ctx, v, caseID)
	if err != nil {
		return nil, err
	}
	list, err := s.ListCase(ctx, v, []string{c.ID}, MaxHandable)
	if err != nil {
		return nil, err
	}
	out := []cert.ObservableItem{}
	for _, o := range list {
		if o.Marking == sharing.Red || o.CaseID != c.ID {
			continue
		}
		out = append(out, cert.ObservableItem{ID: o.ID, Kind: o.Kind, Value: o.Value, Marking: o.Marking})
	}
	return out, nil
}

// ShareWith gives observables of a case to another organisation as part of a
// hand-over, by an editor of the case. AMBER and AMBER+STRICT observables
// get a share to the organisation; CLEAR and GREEN ones need none, but are
// recorded too, so that the receiving team sees them on its linked case;
// RED ones cannot be handed over, and asking for one changes nothing.
func (s *Service) ShareWith(ctx context.Context, v *web.Viewer, caseID string, ids []string, toOrg, ip string) error {
	c, err := s.editableCase(ctx, v, caseID)
	if err != nil {
		return err
	}
	badOrg := errs.Field("cert.observables", map[string]string{"org": "cert.observables.error.handover_org"})
	if toOrg == c.OwnerOrg {
		return badOrg
	}
	if _, err := s.Orgs.ByID(ctx, toOrg); errs.Is(err, errs.NotFound) {
		return badOrg
	} else if err != nil {
		return err
	}
	// Check them all before changing anything.
	var metas []*sharing.Meta
	for _, id := range dedupe(ids) {
		o, err := s.Get(ctx, v, id)
		if err != nil {
			return err
		}
		if o.CaseID != c.ID || o.Handed {
			return errNotFound
		}
		if o.Marking == sharing.Red {
			return errRedHanding
		}
		m, err := s.Sharing.Meta(ctx, v, TypeName, id)
		if err != nil {
			return err
		}
		if !sharing.IsEditor(v, m) {
			return errForbidden
		}
		metas = append(metas, m)
	}
	var done []string // the observables handed by this call, undone if a later one fails
	undo := func(cause error) error {
		if len(done) > 0 {
			if err := s.Unshare(ctx, c.ID, done, toOrg); err != nil {
				return errors.Join(cause, err)
			}
		}
		return cause
	}
	for _, m := range metas {
		var had int
		if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cert_observable_handed WHERE observable_id = $1 AND org_id = $2`,
			m.ID, toOrg).Scan(&had); err != nil {
			return undo(errs.Wrap("hand over observables", err))
		}
		if had > 0 {
			continue // handed already: nothing to record, and nothing this call should take back
		}
		shareID := ""
		if m.Marking == sharing.Amber || m.Marking == sharing.AmberStrict {
			sh, err := s.Sharing.AddShare(ctx, v, m, c.OwnerOrg, sharing.ToOrg, toOrg, ip)
			switch {
			case err == nil:
				shareID = sh.ID
			case errs.Is(err, errs.Conflict): // shared already, by hand: not this hand-over's to take back
			default:
				return undo(err)
			}
		}
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_observable_handed (case_id, observable_id, org_id, share_id, handed_by, handed_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, m.ID, toOrg, shareID, v.ID, s.Clock.Now()); err != nil {
				return errs.Wrap("hand over observables", err)
			}
			return s.audit(ctx, tx, "cert.observables.handed", v, c.OwnerOrg, TypeName, m.ID, ip,
				map[string]any{"case": c.ID, "to": toOrg, "marking": m.Marking})
		})
		if err != nil {
			if shareID != "" {
				if derr := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.Sharing.RemoveShareIn(ctx, tx, Type, m.ID, shareID) }); derr != nil {
					err = errors.Join(err, derr)
				}
			}
			return undo(err)
		}
		done = append(done, m.ID)
	}
	return nil
}

// Unshare takes back what ShareWith gave toOrg for the case (the
// observables of ids, or all of them when ids is empty): the shares it
// added and the hand-over records, nothing else. It is the system's doing
// when a hand-over is declined or withdrawn.
func (s *Service) Unshare(ctx context.Context, caseID string, ids []string, toOrg string) error {
	args := &db.Args{}
	where := `h.case_id = ` + args.Add(caseID) + ` AND h.org_id = ` + args.Add(toOrg)
	if ids = dedupe(ids); len(ids) > 0 {
		in := make([]string, len(ids))
		for i, id := range ids {
			in[i] = args.Add(id)
		}
		where += ` AND h.observable_id IN (` + strings.Join(in, ", ") + `)`
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT h.observable_id, h.share_id, COALESCE(o.owner_org, '') FROM cert_observable_handed h
			LEFT JOIN cert_observables o ON o.id = h.observable_id WHERE `+where, args.List()...)
		if err != nil {
			return errs.Wrap("take back observables", err)
		}
		type handed struct{ id, share, owner string }
		var list []handed
		for rows.Next() {
			var h handed
			if err := rows.Scan(&h.id, &h.share, &h.owner); err != nil {
				rows.Close()
				return errs.Wrap("take back observables", err)
			}
			list = append(list, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap("take back observables", err)
		}
		for _, h := range list {
			if h.share != "" {
				if err := s.Sharing.RemoveShareIn(ctx, tx, Type, h.id, h.share); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM cert_observable_handed WHERE observable_id = $1 AND org_id = $2`, h.id, toOrg); err != nil {
				return errs.Wrap("take back observables", err)
			}
			if s.Audit != nil {
				if err := s.Audit.Record(ctx, tx, "cert.observables.taken_back", "system", h.owner, TypeName, h.id, "",
					map[string]any{"case": caseID, "from": toOrg, "share": h.share}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func dedupe(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Delete removes an observable of the viewer's team's case (its admins and
// CERT analysts), with its keys, sightings, hand-over records and shares:
// a team that received it through a hand-over no longer sees it either.
func (s *Service) Delete(ctx context.Context, v *web.Viewer, id, ip string) error {
	o, err := s.Get(ctx, v, id)
	if err != nil {
		return err
	}
	if o.Handed || sharing.OwnerFor(v, o.OwnerOrg, Type.EditorRoles) != nil {
		return errForbidden
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.Sharing.DropSharesIn(ctx, tx, Type, o.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cert_observables WHERE id = $1`, o.ID); err != nil {
			return errs.Wrap("delete observable", err)
		}
		return s.audit(ctx, tx, "cert.observables.deleted", v, o.OwnerOrg, TypeName, o.ID, ip,
			map[string]any{"case": o.CaseID, "kind": o.Kind, "marking": o.Marking})
	})
}
