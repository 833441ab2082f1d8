package observables

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// Limits of what one observable carries.
const (
	MaxPattern = 4096
	MaxNote    = 2000
	MaxLabels  = 20
	MaxLabel   = 50
	MaxName    = 200
)

// caseRow is what the package reads of a case the viewer may see.
type caseRow struct {
	ID, OwnerOrg, Title, Community string
	Marking                        sharing.Marking
}

// visibleCase reads a case if the viewer may see it.
func (s *Service) visibleCase(ctx context.Context, v *web.Viewer, id string) (*caseRow, error) {
	args := &db.Args{}
	idArg := args.Add(id)
	cond := sharing.Visible(cert.CaseType, "c", v, s.Clock.Now(), args)
	c := &caseRow{}
	var marking string
	err := s.DB.R.QueryRowContext(ctx, `SELECT c.id, c.owner_org, c.title, c.community, c.marking FROM cert_cases c
		WHERE c.id = `+idArg+` AND `+cond, args.List()...).Scan(&c.ID, &c.OwnerOrg, &c.Title, &c.Community, &marking)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("read case", err)
	}
	c.Marking = sharing.Marking(marking)
	return c, nil
}

// mayEdit reports whether the viewer works on the case: an admin or CERT
// analyst of its owner.
func mayEdit(v *web.Viewer, c *caseRow) bool {
	return v != nil && sharing.OwnerFor(v, c.OwnerOrg, cert.CaseType.EditorRoles) == nil
}

// editableCase reads a case the viewer may see and edit.
func (s *Service) editableCase(ctx context.Context, v *web.Viewer, id string) (*caseRow, error) {
	c, err := s.visibleCase(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if !mayEdit(v, c) {
		return nil, errForbidden
	}
	return c, nil
}

// visible is the SQL condition under which the viewer sees the observable
// aliased o, whose case is joined as c: see the package documentation.
func visible(v *web.Viewer, now time.Time, args *db.Args) string {
	own := sharing.Visible(Type, "o", v, now, args)
	ofCase := sharing.Visible(cert.CaseType, "c", v, now, args)
	if v == nil {
		return `(` + own + ` AND ` + ofCase + `)`
	}
	return `(` + own + ` AND (` + ofCase + ` OR ` + handedTo(v, args) + `))`
}

// handedTo is the condition that the observable aliased o was handed to one
// of the viewer's organisations.
func handedTo(v *web.Viewer, args *db.Args) string { return handedAs("o", v, args) }

func handedAs(alias string, v *web.Viewer, args *db.Args) string {
	return `EXISTS (SELECT 1 FROM cert_observable_handed h WHERE h.observable_id = ` + alias + `.id
		AND h.org_id IN (SELECT org_id FROM memberships WHERE user_id = ` + args.Add(v.ID) + `))`
}

// also is the type's further condition (sharing.Type.Also), so that the
// kernel's share, report and file pages too show an observable only where
// its case is visible or it was handed to the viewer's organisation.
func also(alias string, v *web.Viewer, now time.Time, args *db.Args) string {
	ofCase := `EXISTS (SELECT 1 FROM cert_cases c WHERE c.id = ` + alias + `.case_id AND ` + sharing.Visible(cert.CaseType, "c", v, now, args) + `)`
	if v == nil {
		return ofCase
	}
	return `(` + ofCase + ` OR ` + handedAs(alias, v, args) + `)`
}

// visibleWithCase is the stricter condition of correlations and exports:
// the viewer sees the observable and its case.
func visibleWithCase(v *web.Viewer, now time.Time, args *db.Args) string {
	return `(` + sharing.Visible(Type, "o", v, now, args) + ` AND ` + sharing.Visible(cert.CaseType, "c", v, now, args) + `)`
}

const columns = `o.id, o.case_id, o.owner_org, o.marking, o.kind, o.value, o.original, o.name, o.valid_from, o.valid_until,
	o.labels, o.note, o.created_at`

type scanner interface{ Scan(dest ...any) error }

func scanObservable(row scanner, extra ...any) (*Observable, error) {
	o := &Observable{}
	var marking, labels string
	var from, until sql.NullTime
	dest := append([]any{&o.ID, &o.CaseID, &o.OwnerOrg, &marking, &o.Kind, &o.Value, &o.Original, &o.Name, &from, &until,
		&labels, &o.Note, &o.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	o.Marking = sharing.Marking(marking)
	o.Labels = splitLabels(labels)
	if from.Valid {
		t := from.Time.UTC()
		o.ValidFrom = &t
	}
	if until.Valid {
		t := until.Time.UTC()
		o.ValidUntil = &t
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return o, nil
}

func splitLabels(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// Get reads one observable the viewer may see.
func (s *Service) Get(ctx context.Context, v *web.Viewer, id string) (*Observable, error) {
	args := &db.Args{}
	idArg := args.Add(id)
	cond := visible(v, s.Clock.Now(), args)
	viaCase := sharing.Visible(cert.CaseType, "c", v, s.Clock.Now(), args)
	row := s.DB.R.QueryRowContext(ctx, `SELECT `+columns+`, CASE WHEN `+viaCase+` THEN 0 ELSE 1 END
		FROM cert_observables o JOIN cert_cases c ON c.id = o.case_id WHERE o.id = `+idArg+` AND `+cond, args.List()...)
	var h int
	o, err := scanObservable(row, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("read observable", err)
	}
	o.Handed = h == 1
	if o.IsIndicator() {
		if o.Refs, err = s.refs(ctx, o.ID); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (s *Service) refs(ctx context.Context, id string) ([]Ref, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT stix_type, path, kind, value FROM cert_observable_refs WHERE observable_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, errs.Wrap("read pattern refs", err)
	}
	defer rows.Close()
	var out []Ref
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.STIXType, &r.Path, &r.Kind, &r.Value); err != nil {
			return nil, errs.Wrap("read pattern refs", err)
		}
		out = append(out, r)
	}
	return out, errs.Wrap("read pattern refs", rows.Err())
}

// ListCase lists the observables of the cases (a case and the ones it was
// handed over from) that the viewer may see, oldest first, at most limit.
func (s *Service) ListCase(ctx context.Context, v *web.Viewer, caseIDs []string, limit int) ([]*Observable, error) {
	if len(caseIDs) == 0 {
		return nil, nil
	}
	args := &db.Args{}
	in := make([]string, len(caseIDs))
	for i, id := range caseIDs {
		in[i] = args.Add(id)
	}
	cond := visible(v, s.Clock.Now(), args)
	viaCase := sharing.Visible(cert.CaseType, "c", v, s.Clock.Now(), args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+`, CASE WHEN `+viaCase+` THEN 0 ELSE 1 END
		FROM cert_observables o JOIN cert_cases c ON c.id = o.case_id
		WHERE o.case_id IN (`+strings.Join(in, ", ")+`) AND `+cond+`
		ORDER BY o.created_at, o.id LIMIT `+args.Add(limit), args.List()...)
	if err != nil {
		return nil, errs.Wrap("list observables", err)
	}
	defer rows.Close()
	var out []*Observable
	for rows.Next() {
		var h int
		o, err := scanObservable(rows, &h)
		if err != nil {
			return nil, errs.Wrap("list observables", err)
		}
		o.Handed = h == 1
		out = append(out, o)
	}
	return out, errs.Wrap("list observables", rows.Err())
}

// PasteInput is a bulk paste of observables into a case.
type PasteInput struct {
	Text string
	// Kind, when set, reads every token as that kind; otherwise each
	// token's kind is detected.
	Kind        string
	Marking     sharing.Marking // "" for the case's marking
	Labels      []string
	Note        string
	SkipInvalid bool // store the valid lines when some are not
}

// PasteResult tells what a paste did.
type PasteResult struct {
	Added    int                  `json:"added"`
	Merged   int                  `json:"merged"` // already in the case
	IDs      []string             `json:"ids"`
	Problems []observable.Problem `json:"-"`
}

// IndicatorInput is a STIX pattern to add to a case as an indicator.
type IndicatorInput struct {
	Pattern    string
	Name       string
	Marking    sharing.Marking
	ValidFrom  *time.Time
	ValidUntil *time.Time
	Labels     []string
	Note       string
}

// errLines is the error of a paste with invalid lines; the problems are in the result.
var errLines = errs.E("cert.observables", errs.Invalid, "cert.observables.error.lines")

// cleanCommon checks the marking, labels and note of an addition.
func cleanCommon(c *caseRow, marking sharing.Marking, labels []string, note string, fields map[string]string) (sharing.Marking, string, string) {
	if marking == "" {
		marking = c.Marking
	}
	if !marking.Valid() {
		fields["marking"] = "cert.observables.error.marking"
	}
	var clean []string
	for _, l := range labels {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" || slices.Contains(clean, l) {
			continue
		}
		if utf8.RuneCountInString(l) > MaxLabel || strings.ContainsAny(l, ",\n\r\t") || !web.CleanText(l) {
			fields["labels"] = "cert.observables.error.label"
			continue
		}
		clean = append(clean, l)
	}
	if len(clean) > MaxLabels {
		fields["labels"] = "cert.observables.error.labels"
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote || !web.CleanText(note) {
		fields["note"] = "cert.observables.error.note"
	}
	return marking, strings.Join(clean, ","), note
}

// Paste adds observables read from pasted text (defanged input accepted) to
// a case the viewer edits. When a line is invalid nothing is stored, unless
// SkipInvalid; values the case holds already are merged (their labels added).
func (s *Service) Paste(ctx context.Context, v *web.Viewer, caseID string, in PasteInput, ip string) (*PasteResult, error) {
	c, err := s.editableCase(ctx, v, caseID)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	marking, labels, note := cleanCommon(c, in.Marking, in.Labels, in.Note, fields)
	if in.Kind != "" && !observable.Kind(in.Kind).Valid() {
		fields["kind"] = "cert.observables.error.kind"
	}
	if len(fields) > 0 {
		return nil, errs.Field("cert.observables", fields)
	}
	var obs []observable.Observable
	var problems []observable.Problem
	if in.Kind != "" {
		obs, problems = observable.ParseBulkAs(observable.Kind(in.Kind), in.Text, observable.DefaultLimits)
	} else {
		obs, problems = observable.ParseBulk(in.Text, observable.DefaultLimits)
	}
	res := &PasteResult{Problems: problems, IDs: []string{}}
	if len(problems) > 0 && !in.SkipInvalid {
		return res, errLines
	}
	if len(obs) == 0 {
		return res, errs.Field("cert.observables", map[string]string{"text": "cert.observables.error.nothing"})
	}
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, o := range obs {
			id, added, err := s.insert(ctx, tx, c, v, row{kind: string(o.Kind), value: o.Value, original: o.Raw, marking: marking,
				labels: labels, note: note}, now)
			if err != nil {
				return err
			}
			if added {
				res.Added++
				if err := storeKeys(ctx, tx, id, []observable.Observable{o}); err != nil {
					return err
				}
			} else {
				res.Merged++
			}
			res.IDs = append(res.IDs, id)
		}
		return s.audit(ctx, tx, "cert.observables.pasted", v, c.OwnerOrg, "cert.case", c.ID, ip,
			map[string]any{"added": res.Added, "merged": res.Merged, "skipped": len(problems), "marking": marking})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// row is one observable to insert.
type row struct {
	kind, value, original, name, labels, note string
	marking                                   sharing.Marking
	validFrom, validUntil                     *time.Time
}

// insert stores an observable in the case, or merges it into the one the
// case has with the same value; it reports whether it added one.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, c *caseRow, v *web.Viewer, r row, now time.Time) (string, bool, error) {
	key := digest(r.kind + ":" + r.value)
	var id, labels string
	err := tx.QueryRowContext(ctx, `SELECT id, labels FROM cert_observables WHERE case_id = $1 AND digest = $2`, c.ID, key).Scan(&id, &labels)
	if err == nil {
		merged := mergeLabels(labels, r.labels)
		if merged != labels {
			if _, err := tx.ExecContext(ctx, `UPDATE cert_observables SET labels = $1, updated_at = $2 WHERE id = $3`, merged, now, id); err != nil {
				return "", false, errs.Wrap("merge observable", err)
			}
		}
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, errs.Wrap("find observable", err)
	}
	id = uuid.Must(uuid.NewV7()).String()
	community := ""
	if r.marking == sharing.Green {
		community = c.Community
	}
	original := r.original
	if original == r.value {
		original = ""
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO cert_observables (id, case_id, owner_org, marking, state, visible_from, community,
		kind, value, digest, original, name, valid_from, valid_until, labels, note, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'published', NULL, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)`,
		id, c.ID, c.OwnerOrg, string(r.marking), community, r.kind, r.value, key, original, r.name, nullTime(r.validFrom),
		nullTime(r.validUntil), r.labels, r.note, v.ID, now)
	if err != nil {
		return "", false, errs.Wrap("insert observable", err)
	}
	if r.marking == sharing.Red {
		// RED is for named people: whoever adds it stays named.
		if err := sharing.NameCreator(ctx, tx, now, Type, id, v.ID, c.OwnerOrg); err != nil {
			return "", false, err
		}
	}
	return id, true, nil
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Truncate(time.Second)
}

func mergeLabels(have, add string) string {
	out := splitLabels(have)
	for _, l := range splitLabels(add) {
		if !slices.Contains(out, l) && len(out) < MaxLabels {
			out = append(out, l)
		}
	}
	return strings.Join(out, ",")
}

// storeKeys writes the correlation keys of the observables as the keys of id.
func storeKeys(ctx context.Context, tx *sql.Tx, id string, obs []observable.Observable) error {
	for _, o := range obs {
		k := observable.KeysOf(o)
		for _, term := range k.Terms {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_observable_terms (term, observable_id) VALUES ($1, $2)
				ON CONFLICT (term, observable_id) DO NOTHING`, digest(term), id); err != nil {
				return errs.Wrap("store correlation keys", err)
			}
		}
		if k.Lo != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_observable_addrs (lo, hi, observable_id) VALUES ($1, $2, $3)
				ON CONFLICT (lo, observable_id) DO NOTHING`, k.Lo, k.Hi, id); err != nil {
				return errs.Wrap("store correlation keys", err)
			}
		}
	}
	return nil
}

// stixKinds maps what an equality term of a pattern tests to the observable kind.
var stixKinds = map[[2]string]observable.Kind{
	{"ipv4-addr", "value"}: observable.IPv4, {"ipv6-addr", "value"}: observable.IPv6, {"domain-name", "value"}: observable.Domain,
	{"url", "value"}: observable.URL, {"email-addr", "value"}: observable.Email, {"file", "name"}: observable.Filename,
	{"file", "hashes.MD5"}: observable.MD5, {"file", "hashes.'SHA-1'"}: observable.SHA1,
	{"file", "hashes.'SHA-256'"}: observable.SHA256, {"file", "hashes.'SHA-512'"}: observable.SHA512,
}

// refsOf reads the observables a parsed pattern refers to, normalised where
// their kind is known (an ipv4-addr value with a prefix is a CIDR).
func refsOf(p *stix.Pattern) ([]Ref, []observable.Observable) {
	var refs []Ref
	var obs []observable.Observable
	for _, t := range stix.Observables(p) {
		r := Ref{STIXType: t.Type, Path: t.Path, Value: t.Value}
		if k, ok := stixKinds[[2]string{t.Type, t.Path}]; ok {
			if (k == observable.IPv4 || k == observable.IPv6) && strings.Contains(t.Value, "/") {
				k = map[observable.Kind]observable.Kind{observable.IPv4: observable.CIDR4, observable.IPv6: observable.CIDR6}[k]
			}
			if o, err := observable.Parse(k, t.Value); err == nil {
				r.Kind, r.Value = string(o.Kind), o.Value
				obs = append(obs, o)
			}
		}
		refs = append(refs, r)
	}
	return refs, obs
}

// AddIndicator adds a STIX pattern to a case the viewer edits. The pattern is
// parsed and stored in canonical form, with the observables it refers to,
// which correlate like pasted ones.
func (s *Service) AddIndicator(ctx context.Context, v *web.Viewer, caseID string, in IndicatorInput, ip string) (string, error) {
	c, err := s.editableCase(ctx, v, caseID)
	if err != nil {
		return "", err
	}
	fields := map[string]string{}
	marking, labels, note := cleanCommon(c, in.Marking, in.Labels, in.Note, fields)
	var p *stix.Pattern
	src := strings.TrimSpace(in.Pattern)
	switch {
	case src == "":
		fields["pattern"] = "cert.observables.error.pattern_empty"
	case len(src) > MaxPattern:
		fields["pattern"] = "cert.observables.error.pattern_long"
	default:
		if p, err = stix.ParsePattern(src); err != nil {
			fields["pattern"] = "cert.observables.error.pattern"
		}
	}
	name := strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(name) > MaxName || !web.CleanText(name) {
		fields["name"] = "cert.observables.error.name"
	}
	if in.ValidFrom != nil && in.ValidUntil != nil && !in.ValidUntil.After(*in.ValidFrom) {
		fields["valid_until"] = "cert.observables.error.valid_until"
	}
	if len(fields) > 0 {
		return "", errs.Field("cert.observables", fields)
	}
	canonical := p.String()
	refs, obs := refsOf(p)
	now := s.Clock.Now()
	from := in.ValidFrom
	if from == nil {
		from = &now
	}
	var id string
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var added bool
		var err error
		id, added, err = s.insert(ctx, tx, c, v, row{kind: KindIndicator, value: canonical, original: src, name: name, marking: marking,
			labels: labels, note: note, validFrom: from, validUntil: in.ValidUntil}, now)
		if err != nil || !added {
			return err
		}
		for i, r := range refs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_observable_refs (observable_id, position, stix_type, path, kind, value)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, i, r.STIXType, r.Path, r.Kind, r.Value); err != nil {
				return errs.Wrap("store pattern refs", err)
			}
		}
		if err := storeKeys(ctx, tx, id, obs); err != nil {
			return err
		}
		return s.audit(ctx, tx, "cert.observables.indicator_added", v, c.OwnerOrg, TypeName, id, ip,
			map[string]any{"case": c.ID, "marking": marking})
	})
	return id, err
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, org, typ, id, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, tx, action, v.Pseudonym, org, typ, id, ip, details)
}
