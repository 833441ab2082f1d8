package posts

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// Replies returns the thread of a post the viewer may see: top-level
// replies oldest first, each with its answers. The post's visibility is
// applied in the same query, so a reply is never read past its post.
func (s *Service) Replies(ctx context.Context, v *web.Viewer, postID string) ([]Reply, error) {
	args := &db.Args{}
	idArg := args.Add(postID)
	cond := sharing.Visible(Type, "t", v, s.Clock.Now(), args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT r.id, r.post_id, COALESCE(r.parent_id, ''), r.author_id, COALESCE(u.name, ''),
		r.org_id, COALESCE(o.slug, ''), COALESCE(o.name, ''), r.body, r.created_at
		FROM network_post_replies r JOIN network_posts t ON t.id = r.post_id
		LEFT JOIN users u ON u.id = r.author_id LEFT JOIN orgs o ON o.id = r.org_id
		WHERE r.post_id = `+idArg+` AND `+cond+` ORDER BY r.created_at, r.id`, args.List()...)
	if err != nil {
		return nil, errs.Wrap("replies", err)
	}
	defer rows.Close()
	var top []Reply
	answers := map[string][]Reply{}
	for rows.Next() {
		var r Reply
		if err := rows.Scan(&r.ID, &r.PostID, &r.ParentID, &r.AuthorID, &r.AuthorName, &r.OrgID, &r.OrgSlug, &r.OrgName, &r.Body, &r.CreatedAt); err != nil {
			return nil, errs.Wrap("replies", err)
		}
		r.CreatedAt = r.CreatedAt.UTC()
		if r.ParentID == "" {
			top = append(top, r)
		} else {
			answers[r.ParentID] = append(answers[r.ParentID], r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap("replies", err)
	}
	for i := range top {
		top[i].Replies = answers[top[i].ID]
	}
	return top, nil
}

// ReplyInput is a new reply.
type ReplyInput struct {
	Body   string `json:"body"`
	Parent string `json:"parent"` // a reply of the same post, or ""
	Org    string `json:"org"`    // the organisation the author replies for (id or slug); their only one when empty
}

// AddReply adds a reply to a post the viewer may see, for one of the
// viewer's organisations, and tells the post's owner organisation's admins
// and editors. An answer to an answer joins its thread: threads are one
// level deep.
func (s *Service) AddReply(ctx context.Context, v *web.Viewer, postID string, in ReplyInput, ip string) (*Reply, error) {
	if v == nil {
		return nil, errs.E("network.posts", errs.Unauthorized, "error.unauthorized")
	}
	p, err := s.Get(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	if len(v.Orgs) == 0 {
		return nil, errs.E("network.posts", errs.Forbidden, "network.posts.error.reply_no_org")
	}
	fields := map[string]string{}
	var mem web.Membership
	name := strings.TrimSpace(in.Org)
	switch {
	case name == "":
		mem = v.Orgs[0]
		if len(v.Orgs) > 1 {
			fields["org"] = "network.posts.error.reply_org"
		}
	default:
		found := false
		for _, m := range v.Orgs {
			if m.OrgID == name || m.Slug == name {
				mem, found = m, true
			}
		}
		if !found {
			fields["org"] = "network.posts.error.reply_org"
		}
	}
	body := strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(body); {
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		fields["body"] = "error.encoding"
	case n == 0:
		fields["body"] = "network.posts.error.reply_empty"
	case n > ReplyMax:
		fields["body"] = "network.posts.error.reply_long"
	}
	r := &Reply{ID: uuid.Must(uuid.NewV7()).String(), PostID: p.ID, AuthorID: v.ID, AuthorName: v.Name, OrgID: mem.OrgID,
		OrgSlug: mem.Slug, OrgName: mem.Name, Body: body, CreatedAt: s.Clock.Now()}
	if parent := strings.TrimSpace(in.Parent); parent != "" {
		var grand sql.NullString
		err := s.DB.R.QueryRowContext(ctx, `SELECT parent_id FROM network_post_replies WHERE id = $1 AND post_id = $2`, parent, p.ID).Scan(&grand)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			fields["parent"] = "network.posts.error.reply_parent"
		case err != nil:
			return nil, errs.Wrap("reply parent", err)
		case grand.Valid && grand.String != "":
			r.ParentID = grand.String
		default:
			r.ParentID = parent
		}
	}
	if len(fields) > 0 {
		return nil, errs.Field("network.posts", fields)
	}
	var parent any
	if r.ParentID != "" {
		parent = r.ParentID
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO network_post_replies (id, post_id, parent_id, author_id, org_id, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.PostID, parent, r.AuthorID, r.OrgID, r.Body, r.CreatedAt); err != nil {
			return errs.Wrap("add reply", err)
		}
		if s.Notify != nil {
			err := s.Notify.SendOrg(ctx, tx, p.OwnerOrg, Type.EditorRoles, notify.Note{Kind: ReplyKind.Name, Subject: "network.posts.note.reply",
				Args: []any{"org", r.OrgName, "title", p.TitlePlain}, Path: p.Path() + "#r-" + r.ID})
			if err != nil {
				return err
			}
		}
		if s.Audit == nil {
			return nil
		}
		return s.Audit.Record(ctx, tx, "network.post.replied", v.Pseudonym, r.OrgID, TypeName, p.ID, ip, map[string]any{"reply": r.ID})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Paragraphs splits the reply at its line breaks, for display.
func (r Reply) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(r.Body, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
