package feeds

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// Team is a vetted CERT the viewer manages subscriptions for, with the
// circles it may subscribe.
type Team struct {
	ID, Slug, Name string
	Circles        []Circle
}

// Circle is a trust circle a team belongs to.
type Circle struct{ ID, Slug, Name string }

// Teams returns the viewer's vetted CERTs whose admin or analyst it is,
// each with the circles it is in (as owner or member).
func (s *Service) Teams(ctx context.Context, v *web.Viewer) ([]Team, error) {
	var out []Team
	for _, id := range managedTeams(v) {
		ok, err := s.Cert.IsVetted(ctx, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		m, _ := v.Member(id)
		t := Team{ID: id, Slug: m.Slug, Name: m.Name}
		seats, err := s.Cert.CirclesOf(ctx, s.DB.R, id)
		if err != nil {
			return nil, err
		}
		for _, seat := range seats {
			t.Circles = append(t.Circles, Circle{ID: seat.GroupID, Slug: seat.Slug, Name: seat.Name})
		}
		out = append(out, t)
	}
	return out, nil
}

// eligible reports whether the team is a vetted CERT in the circle: the
// condition to subscribe, and to go on polling.
func (s *Service) eligible(ctx context.Context, q db.Querier, teamOrg, groupID string) (bool, error) {
	ok, err := s.Cert.IsVetted(ctx, teamOrg)
	if err != nil || !ok {
		return false, err
	}
	seats, err := s.Cert.CirclesOf(ctx, q, teamOrg)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(seats, func(c sharing.Seat) bool { return c.GroupID == groupID }), nil
}

var typeRE = regexp.MustCompile(`^(?:x-)?[a-z0-9]+(?:-[a-z0-9]+)*$`)

// check validates in, with field errors keyed like the form, and returns
// the normalised API root.
func (s *Service) check(ctx context.Context, v *web.Viewer, in *Input, creating bool) error {
	bad := map[string]string{}
	if creating {
		if in.Team == "" || !mayManage(v, in.Team) {
			bad["team"] = "cert.feeds.error.team"
		} else if in.Circle == "" {
			bad["circle"] = "cert.feeds.error.circle"
		} else if ok, err := s.eligible(ctx, s.DB.R, in.Team, in.Circle); err != nil {
			return err
		} else if !ok {
			bad["circle"] = "cert.feeds.error.circle"
		}
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > MaxTitle || !web.CleanText(in.Title) || strings.ContainsAny(in.Title, "\r\n\t") {
		bad["title"] = "cert.feeds.error.title"
	}
	root, err := s.checkURL(in.APIRoot)
	if err != nil {
		var fe *errs.Error
		if errors.As(err, &fe) {
			bad["api_root"] = fe.Fields["api_root"]
		}
	}
	in.APIRoot = root
	in.Collection = strings.TrimSpace(in.Collection)
	if in.Collection == "" || len(in.Collection) > 200 || strings.ContainsAny(in.Collection, "/?#%\\ \t\r\n") || !web.CleanText(in.Collection) {
		bad["collection"] = "cert.feeds.error.collection"
	}
	var types []string
	for _, t := range in.Types {
		for _, t := range strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
			t = strings.ToLower(t)
			if !typeRE.MatchString(t) || len(t) > 250 {
				bad["types"] = "cert.feeds.error.types"
				continue
			}
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	if len(types) > MaxTypes {
		bad["types"] = "cert.feeds.error.types"
	}
	slices.Sort(types)
	in.Types = types
	in.User = strings.TrimSpace(in.User)
	if len(in.User) > MaxCredential || !web.CleanText(in.User) || strings.ContainsAny(in.User, ":\r\n\t") {
		bad["user"] = "cert.feeds.error.user"
	}
	if len(in.Password) > MaxCredential || !web.CleanText(in.Password) || strings.ContainsAny(in.Password, "\r\n") {
		bad["password"] = "cert.feeds.error.password"
	}
	if in.Interval == 0 {
		in.Interval = DefaultInterval
	}
	if in.Interval < MinInterval || in.Interval > MaxInterval {
		bad["interval"] = "cert.feeds.error.interval"
	}
	if len(bad) > 0 {
		return errs.Field("cert.feeds", bad)
	}
	return nil
}

const feedCols = `f.id, f.team_org, o.slug, o.name, f.group_id, g.slug, g.name, f.title, f.api_root, f.collection, f.types, f.auth_user,
	f.auth_secret, f.interval_min, f.status, f.added_after, f.run_after, f.next_token, f.next_poll_at, f.last_poll_at, f.last_success_at,
	f.failures, f.last_error, f.last_error_at, f.last_detail, f.last_detail_key, f.last_detail_args, f.last_refused, f.pages, f.added, f.skipped, f.refused, f.created_at, f.updated_at`

const feedFrom = ` FROM cert_feeds f JOIN orgs o ON o.id = f.team_org JOIN org_groups g ON g.id = f.group_id`

func scanFeed(row interface{ Scan(...any) error }) (*Feed, error) {
	f := &Feed{}
	var types, refused, detailArgs string
	var next, last, success, errAt sql.NullTime
	err := row.Scan(&f.ID, &f.TeamOrg, &f.TeamSlug, &f.TeamName, &f.GroupID, &f.CircleSlug, &f.CircleName, &f.Title, &f.APIRoot, &f.Collection,
		&types, &f.User, &f.secret, &f.Interval, &f.Status, &f.AddedAfter, &f.runAfter, &f.nextToken, &next, &last, &success,
		&f.Failures, &f.LastError, &errAt, &f.LastDetail, &f.LastDetailKey, &detailArgs, &refused, &f.Pages, &f.Added, &f.Skipped, &f.RefusedCount, &f.CreatedAt, &f.UpdatedAt)
	if err != nil {
		return nil, err
	}
	f.Types = []string{}
	if types != "" {
		f.Types = strings.Split(types, ",")
	}
	f.SecretSet = f.secret != ""
	f.Resuming = f.nextToken != ""
	f.NextPollAt, f.LastPollAt, f.LastSuccessAt, f.LastErrorAt = timePtr(next), timePtr(last), timePtr(success), timePtr(errAt)
	f.Refused = decodeRefused(refused)
	f.detailArgs = decodeArgs(detailArgs)
	return f, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// load reads a subscription without a viewer check.
func (s *Service) load(ctx context.Context, q db.Querier, id string) (*Feed, error) {
	f, err := scanFeed(q.QueryRowContext(ctx, `SELECT `+feedCols+feedFrom+` WHERE f.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("cert feed", err)
	}
	return f, nil
}

// Feed returns a subscription its team's admins and analysts may see;
// NotFound for anyone else, so that nobody learns it exists.
func (s *Service) Feed(ctx context.Context, v *web.Viewer, id string) (*Feed, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, errNotFound
	}
	f, err := s.load(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	if v == nil || !mayManage(v, f.TeamOrg) {
		return nil, errNotFound
	}
	return f, nil
}

// Feeds lists the subscriptions of the teams the viewer manages them for,
// oldest first, limit at a time after the cursor (an id); next is the
// cursor of the next page, "" at the end.
func (s *Service) Feeds(ctx context.Context, v *web.Viewer, cursor string, limit int) (list []*Feed, next string, err error) {
	teams := managedTeams(v)
	if len(teams) == 0 {
		return nil, "", nil
	}
	if limit <= 0 || limit > listMax {
		limit = listMax
	}
	args := &db.Args{}
	var in []string
	for _, t := range teams {
		in = append(in, args.Add(t))
	}
	where := `f.team_org IN (` + strings.Join(in, ", ") + `)`
	if cursor != "" {
		where += ` AND f.id > ` + args.Add(cursor)
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+feedCols+feedFrom+` WHERE `+where+` ORDER BY f.id LIMIT `+args.Add(limit+1), args.List()...)
	if err != nil {
		return nil, "", errs.Wrap("cert feeds", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, "", errs.Wrap("cert feeds", err)
		}
		list = append(list, f)
	}
	if err := rows.Err(); err != nil {
		return nil, "", errs.Wrap("cert feeds", err)
	}
	if len(list) > limit {
		list = list[:limit]
		next = list[limit-1].ID
	}
	return list, next, nil
}

// Create subscribes in.Circle to a remote collection for in.Team, whose
// admin or analyst the viewer is; the first poll is due at once.
func (s *Service) Create(ctx context.Context, v *web.Viewer, in Input, ip string) (*Feed, error) {
	if err := s.check(ctx, v, &in, true); err != nil {
		return nil, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cert_feeds (id, team_org, group_id, title, api_root, collection, types, auth_user, auth_secret,
			interval_min, status, next_poll_at, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
			id, in.Team, in.Circle, in.Title, in.APIRoot, in.Collection, strings.Join(in.Types, ","), in.User, s.Sealer.Seal(id, in.Password),
			in.Interval, Active, now, v.ID, now); err != nil {
			return errs.Wrap("cert feed create", err)
		}
		return s.audit(ctx, tx, "cert.feed_created", v, in.Team, id, ip, map[string]any{"circle": in.Circle, "api_root": in.APIRoot,
			"collection": in.Collection, "types": in.Types, "interval": in.Interval, "auth": in.Password != "" || in.User != ""})
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, s.DB.W, id)
}

// Update changes a subscription. A new server, collection or type filter
// starts again from the beginning (the store skips what it has); an empty
// password keeps the stored one unless in.ClearAuth.
func (s *Service) Update(ctx context.Context, v *web.Viewer, id string, in Input, ip string) (*Feed, error) {
	f, err := s.Feed(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if err := s.check(ctx, v, &in, false); err != nil {
		return nil, err
	}
	secret := f.secret
	switch {
	case in.ClearAuth:
		secret, in.User = "", ""
	case in.Password != "":
		secret = s.Sealer.Seal(id, in.Password)
	}
	restart := in.APIRoot != f.APIRoot || in.Collection != f.Collection || strings.Join(in.Types, ",") != strings.Join(f.Types, ",")
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE cert_feeds SET title = $1, api_root = $2, collection = $3, types = $4, auth_user = $5, auth_secret = $6,
			interval_min = $7, updated_at = $8 WHERE id = $9`, in.Title, in.APIRoot, in.Collection, strings.Join(in.Types, ","), in.User, secret,
			in.Interval, now, id); err != nil {
			return errs.Wrap("cert feed update", err)
		}
		if restart {
			if _, err := tx.ExecContext(ctx, `UPDATE cert_feeds SET added_after = '', run_after = '', next_token = '' WHERE id = $1`, id); err != nil {
				return errs.Wrap("cert feed update", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM cert_feed_pages WHERE feed_id = $1`, id); err != nil {
				return errs.Wrap("cert feed update", err)
			}
		}
		// A changed subscription gets its chance at once, stopped or not.
		if _, err := tx.ExecContext(ctx, `UPDATE cert_feeds SET status = $1, next_poll_at = $2, failures = 0 WHERE id = $3`, Active, now, id); err != nil {
			return errs.Wrap("cert feed update", err)
		}
		return s.audit(ctx, tx, "cert.feed_updated", v, f.TeamOrg, id, ip, map[string]any{"api_root": in.APIRoot, "collection": in.Collection,
			"types": in.Types, "interval": in.Interval, "restart": restart, "credentials_changed": in.ClearAuth || in.Password != "" || in.User != f.User})
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, s.DB.W, id)
}

// Delete ends a subscription; what it imported stays in the circle's collection.
func (s *Service) Delete(ctx context.Context, v *web.Viewer, id, ip string) error {
	f, err := s.Feed(ctx, v, id)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cert_feed_pages WHERE feed_id = $1`, id); err != nil {
			return errs.Wrap("cert feed delete", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cert_feeds WHERE id = $1`, id); err != nil {
			return errs.Wrap("cert feed delete", err)
		}
		return s.audit(ctx, tx, "cert.feed_deleted", v, f.TeamOrg, id, ip, map[string]any{"api_root": f.APIRoot, "collection": f.Collection,
			"added": f.Added})
	})
}

// PollNow makes a subscription due at once, resuming a stopped one.
func (s *Service) PollNow(ctx context.Context, v *web.Viewer, id, ip string) (*Feed, error) {
	f, err := s.Feed(ctx, v, id)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE cert_feeds SET status = $1, next_poll_at = $2 WHERE id = $3`, Active, s.Clock.Now(), id); err != nil {
			return errs.Wrap("cert feed poll", err)
		}
		return s.audit(ctx, tx, "cert.feed_poll_requested", v, f.TeamOrg, id, ip, map[string]any{"resumed": f.Status == Stopped})
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, s.DB.W, id)
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, orgID, id, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	actor := "system"
	if v != nil {
		actor = v.Pseudonym
	}
	return s.Audit.Record(ctx, tx, action, actor, orgID, "cert.feed", id, ip, details)
}
