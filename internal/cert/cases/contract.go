package cases

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// This file implements cert.Cases, the cases part as reports and
// observables use it.

// maxHops bounds how far CaseRef.From follows hand-overs back.
const maxHops = 10

// Case returns what the other CERT packages know of a case the viewer may see.
func (s *Service) Case(ctx context.Context, v *web.Viewer, id string) (*cert.CaseRef, error) {
	c, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	return s.ref(ctx, c)
}

// ref builds a case's reference with the cases it was handed over from,
// nearest first.
func (s *Service) ref(ctx context.Context, c *Case) (*cert.CaseRef, error) {
	ref := &cert.CaseRef{ID: c.ID, OwnerOrg: c.OwnerOrg, Title: c.Title, Marking: c.Marking, Status: c.Status}
	seen := map[string]bool{c.ID: true}
	ho := c.OriginHandOver
	for i := 0; ho != "" && i < maxHops; i++ {
		var origin, next string
		err := s.DB.R.QueryRowContext(ctx, `SELECT h.case_id, COALESCE(t.origin_handover, '') FROM cert_handovers h
			LEFT JOIN cert_cases t ON t.id = h.case_id WHERE h.id = $1`, ho).Scan(&origin, &next)
		if errors.Is(err, sql.ErrNoRows) || seen[origin] {
			break
		}
		if err != nil {
			return nil, errs.Wrap("case origins", err)
		}
		seen[origin] = true
		ref.From = append(ref.From, origin)
		ho = next
	}
	return ref, nil
}

// OpenFromReport opens a case owned by r.TeamOrg, whose admin or analyst
// the viewer is, in status "triage" (acknowledged at that moment), with
// the report's id recorded. Sectors are codes of Sectors, the category a
// type of Taxonomy (or ""), the marking AMBER when none is given.
func (s *Service) OpenFromReport(ctx context.Context, v *web.Viewer, r cert.ReportCase, ip string) (string, error) {
	if v == nil {
		return "", errSignIn
	}
	team, err := teamOf(v, r.TeamOrg)
	if err != nil || strings.TrimSpace(r.TeamOrg) == "" {
		return "", errNotEditor
	}
	in := Input{Title: r.Title, Summary: r.Description, Category: r.Category, Severity: "medium", Marking: string(r.Marking),
		Countries: r.Countries, Sectors: r.Sectors}
	c, err := s.create(ctx, v, team, in, cert.StatusTriage, r.ReportID, "", ip)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// StatusOf returns a case's status, without a viewer check: for a
// reporter following a report through its secret link.
func (s *Service) StatusOf(ctx context.Context, caseID string) (string, error) {
	var st string
	err := s.DB.R.QueryRowContext(ctx, `SELECT status FROM cert_cases WHERE id = $1`, caseID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNotFound
	}
	return st, errs.Wrap("case status", err)
}
