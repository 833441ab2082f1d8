package posts

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// OrgRef names an organisation.
type OrgRef struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Subscriptions are what a person follows.
type Subscriptions struct {
	Countries []string `json:"countries"`
	Sectors   []string `json:"sectors"`
	Orgs      []OrgRef `json:"orgs"`
}

// SubscriptionInput replaces what a person follows; organisations by slug
// (or id).
type SubscriptionInput struct {
	Countries []string `json:"countries"`
	Sectors   []string `json:"sectors"`
	Orgs      []string `json:"orgs"`
}

// Subscriptions returns what the person follows.
func (s *Service) Subscriptions(ctx context.Context, userID string) (*Subscriptions, error) {
	out := &Subscriptions{Countries: []string{}, Sectors: []string{}, Orgs: []OrgRef{}}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT n.target_kind, n.target, COALESCE(o.slug, ''), COALESCE(o.name, '')
		FROM network_subscriptions n LEFT JOIN orgs o ON n.target_kind = 'org' AND o.id = n.target
		WHERE n.user_id = $1 ORDER BY n.target_kind, n.target`, userID)
	if err != nil {
		return nil, errs.Wrap("subscriptions", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, target, slug, name string
		if err := rows.Scan(&kind, &target, &slug, &name); err != nil {
			return nil, errs.Wrap("subscriptions", err)
		}
		switch kind {
		case "country":
			out.Countries = append(out.Countries, target)
		case "sector":
			out.Sectors = append(out.Sectors, target)
		case "org":
			out.Orgs = append(out.Orgs, OrgRef{ID: target, Slug: slug, Name: name})
		}
	}
	return out, errs.Wrap("subscriptions", rows.Err())
}

// SetSubscriptions replaces what the viewer follows.
func (s *Service) SetSubscriptions(ctx context.Context, v *web.Viewer, in SubscriptionInput) (*Subscriptions, error) {
	if v == nil {
		return nil, errs.E("network.posts", errs.Unauthorized, "error.unauthorized")
	}
	fields := map[string]string{}
	var countries []string
	for _, c := range in.Countries {
		if strings.TrimSpace(c) == "" {
			continue
		}
		code, ok := checkCountry(c)
		if !ok {
			fields["countries"] = "network.posts.error.country"
			break
		}
		if !containsStr(countries, code) {
			countries = append(countries, code)
		}
	}
	if len(countries) > MaxSubCountries {
		fields["countries"] = "network.posts.error.too_many"
	}
	sectors, ok := checkSectors(in.Sectors)
	if !ok {
		fields["sectors"] = "network.posts.error.sector"
	} else if len(sectors) > MaxSubSectors {
		fields["sectors"] = "network.posts.error.too_many"
	}
	var orgs []string
	for _, name := range in.Orgs {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		var id string
		err := s.DB.R.QueryRowContext(ctx, `SELECT id FROM orgs WHERE slug = $1 OR id = $1`, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			fields["orgs"] = "network.posts.error.org_unknown"
			break
		}
		if err != nil {
			return nil, errs.Wrap("subscriptions", err)
		}
		if !containsStr(orgs, id) {
			orgs = append(orgs, id)
		}
	}
	if len(orgs) > MaxSubOrgs {
		fields["orgs"] = "network.posts.error.too_many"
	}
	if len(fields) > 0 {
		return nil, errs.Field("network.posts", fields)
	}
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM network_subscriptions WHERE user_id = $1`, v.ID); err != nil {
			return errs.Wrap("subscriptions", err)
		}
		for kind, list := range map[string][]string{"country": countries, "sector": sectors, "org": orgs} {
			for _, t := range list {
				if _, err := tx.ExecContext(ctx, `INSERT INTO network_subscriptions (user_id, target_kind, target, created_at) VALUES ($1, $2, $3, $4)`,
					v.ID, kind, t, now); err != nil {
					return errs.Wrap("subscriptions", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Subscriptions(ctx, v.ID)
}

// Schedule registers the delivery job and the sweep on the queue.
func (s *Service) Schedule(q *jobs.Queue) {
	q.Register(DeliverJob, func(ctx context.Context, j jobs.Job) error {
		var args struct {
			Post string `json:"post"`
		}
		if err := j.Decode(&args); err != nil {
			return jobs.Permanent(err)
		}
		_, err := s.Deliver(ctx, args.Post)
		return err
	})
	q.Register(SweepJob, func(ctx context.Context, _ jobs.Job) error { return s.Sweep(ctx) })
	q.Every(SweepJob, 15*time.Minute)
}

// enqueue asks for the delivery of a post, inside the caller's transaction.
func (s *Service) enqueue(ctx context.Context, q db.Querier, postID string) error {
	if s.Queue == nil {
		return nil // the sweep delivers it
	}
	_, err := s.Queue.Enqueue(ctx, q, DeliverJob, map[string]string{"post": postID}, jobs.UniqueKey(DeliverJob+":"+postID))
	return errs.Wrap("enqueue delivery", err)
}

// Deliver tells every subscriber of a post's country, sectors or owner
// who may see the post — checked with the sharing rule for that very
// person — of it, once, in their language. A post not yet visible (a
// draft, an embargo) is left for the sweep; an expired one is marked told
// without telling anyone. It returns how many people were told.
func (s *Service) Deliver(ctx context.Context, postID string) (int, error) {
	told := 0
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var p struct {
			owner, country, createdBy, state string
			notified, from, expires          sql.NullTime
			title                            text.Text
		}
		err := tx.QueryRowContext(ctx, `SELECT owner_org, country, created_by, state, notified_at, visible_from, expires_on, title
			FROM network_posts WHERE id = $1`, postID).Scan(&p.owner, &p.country, &p.createdBy, &p.state, &p.notified, &p.from, &p.expires, &p.title)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (p.notified.Valid || p.state != string(sharing.Published) ||
			(p.from.Valid && p.from.Time.After(now)))) {
			return nil
		}
		if err != nil {
			return errs.Wrap("deliver post", err)
		}
		if !p.expires.Valid || !p.expires.Time.Before(day(now)) {
			n, err := s.tell(ctx, tx, postID, p.owner, p.country, p.createdBy, p.title)
			if err != nil {
				return err
			}
			told = n
		}
		_, err = tx.ExecContext(ctx, `UPDATE network_posts SET notified_at = $1 WHERE id = $2`, now, postID)
		return errs.Wrap("deliver post", err)
	})
	return told, err
}

// tell sends the notes of one post, inside tx.
func (s *Service) tell(ctx context.Context, tx *sql.Tx, postID, owner, country, author string, title text.Text) (int, error) {
	if s.Notify == nil {
		return 0, nil
	}
	var orgName string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, owner).Scan(&orgName); err != nil {
		return 0, errs.Wrap("deliver post", err)
	}
	args := &db.Args{}
	targets := `(n.target_kind = 'country' AND n.target = ` + args.Add(country) + `)
		OR (n.target_kind = 'org' AND n.target = ` + args.Add(owner) + `)
		OR (n.target_kind = 'sector' AND n.target IN (SELECT ps.sector FROM network_post_sectors ps WHERE ps.post_id = ` + args.Add(postID) + `))`
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT n.user_id, u.locale FROM network_subscriptions n JOIN users u ON u.id = n.user_id
		WHERE (`+targets+`) AND n.user_id <> `+args.Add(author)+` AND u.deleted_at IS NULL ORDER BY n.user_id`, args.List()...)
	if err != nil {
		return 0, errs.Wrap("deliver post", err)
	}
	type person struct{ id, locale string }
	var people []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.id, &p.locale); err != nil {
			rows.Close()
			return 0, errs.Wrap("deliver post", err)
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errs.Wrap("deliver post", err)
	}
	now := s.Clock.Now()
	told := 0
	for _, p := range people {
		// The sharing rule, for this person: never a note about a post they cannot see.
		args := &db.Args{}
		id := args.Add(postID)
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM network_posts t WHERE t.id = `+id+` AND `+
			sharing.Visible(Type, "t", &web.Viewer{ID: p.id}, now, args), args.List()...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return told, errs.Wrap("deliver post", err)
		}
		lang := p.locale
		if !i18n.Supported(lang) {
			lang = i18n.Default
		}
		t, _ := title.In(lang)
		if err := s.Notify.Send(ctx, tx, notify.Note{Kind: PostKind.Name, To: p.id, Subject: "network.posts.note.post",
			Args: []any{"org", orgName, "title", t}, Path: Type.Path(postID)}); err != nil {
			return told, err
		}
		told++
	}
	return told, nil
}

// Sweep delivers the published posts nobody was told of yet (published on
// the share page, or whose embargo has passed).
func (s *Service) Sweep(ctx context.Context) error {
	now := s.Clock.Now()
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id FROM network_posts WHERE state = 'published' AND notified_at IS NULL
		AND (visible_from IS NULL OR visible_from <= $1) ORDER BY created_at LIMIT 500`, now)
	if err != nil {
		return errs.Wrap("sweep posts", err)
	}
	ids, err := collect(rows)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.Deliver(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func collect(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap("collect", err)
		}
		ids = append(ids, id)
	}
	return ids, errs.Wrap("collect", rows.Err())
}
