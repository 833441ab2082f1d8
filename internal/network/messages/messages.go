// Package messages carries conversations between two organisations, seen by
// their members only.
//
// A conversation is started by a member of one organisation and addressed
// to another; it has a subject and messages in plain text. Only the members
// of the two organisations see it, in every page, list, count and API
// answer: platform administrators, moderators and programme officers have
// no way in, since the condition is membership and nothing else. Each
// person has read a conversation up to the last message they saw; the
// members of the other organisation are notified when a message arrives.
package messages

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations create the conversation, message and read-mark tables.
var Migrations = db.Embedded("network_messages", migrationFS, "migrations")

// Limits, in characters.
const (
	MaxSubject = 200
	MaxBody    = 10000
)

// PageSize is how many conversations a list page shows.
const PageSize = 20

// A conversation page shows its newest messages, at most pageMessages and
// at most pageBytes of message text (at least one message), so that a page
// stays small; earlier ones are a link away.
const (
	pageMessages = 50
	pageBytes    = 40000
)

// Kind is the notification of a new message.
var Kind = notify.Kind{Name: "network.message", Default: notify.Now}

// Notifier sends notifications (the notify service).
type Notifier interface {
	SendOrg(ctx context.Context, q db.Querier, orgID string, roles []string, n notify.Note) error
}

// Service keeps conversations.
type Service struct {
	DB     *db.DB
	Clock  clock.Clock
	Site   *web.Site
	Orgs   *org.Service
	Notify Notifier // nil: no notifications
}

// Side is one of the two organisations of a conversation.
type Side struct {
	ID      string    `json:"id"`
	Slug    string    `json:"slug"`
	Name    string    `json:"name"`
	Names   text.Text `json:"-"`
	Country string    `json:"country"`
}

// NameIn is the organisation's name for a reader of lang.
func (s Side) NameIn(lang string) string {
	if n, _ := s.Names.In(lang); n != "" {
		return n
	}
	return s.Name
}

// Conversation is a thread between two organisations.
type Conversation struct {
	ID        string
	From      Side // the organisation that started it
	To        Side // the organisation it was addressed to
	Subject   string
	CreatedAt time.Time
	LastAt    time.Time
	Count     int  // messages
	ReadUpTo  int  // the seq of the last message the viewer saw
	Unread    bool // a message the viewer has not seen
}

// Message is one message of a conversation.
type Message struct {
	ID        string
	Seq       int
	OrgID     string // the side it was sent from
	Author    string // the sender's name
	AuthorID  string
	Body      string
	CreatedAt time.Time
}

// Lines is the body split into lines, for templates to join with <br>.
func (m Message) Lines() []string { return strings.Split(m.Body, "\n") }

var (
	errNotFound = errs.E("messages", errs.NotFound, "error.not_found")
)

// sides returns the condition that the conversation (alias c) is between
// one of the viewer's organisations and another: the only way to see one.
func sides(v *web.Viewer, args *db.Args) string {
	if v == nil || len(v.Orgs) == 0 {
		return `1 = 0`
	}
	in := make([]string, len(v.Orgs))
	for i, m := range v.Orgs {
		in[i] = args.Add(m.OrgID)
	}
	set := strings.Join(in, ", ")
	return `(c.org_a IN (` + set + `) OR c.org_b IN (` + set + `))`
}

// checkBody validates a message's text; it returns the text trimmed.
func checkBody(body string, fields map[string]string) string {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	switch {
	case body == "":
		fields["body"] = "network.messages.error.body"
	case utf8.RuneCountInString(body) > MaxBody:
		fields["body"] = "network.messages.error.body_long"
	case !web.CleanText(body):
		fields["body"] = "error.encoding"
	}
	return body
}

// Start opens a conversation from one of the viewer's organisations
// (fromSlug; may be empty when they belong to one only) to another
// (toSlug), with its first message.
func (s *Service) Start(ctx context.Context, v *web.Viewer, fromSlug, toSlug, subject, body string) (*Conversation, error) {
	if v == nil {
		return nil, errs.E("messages", errs.Unauthorized, "error.unauthorized")
	}
	fields := map[string]string{}
	from, ok := s.fromOrg(v, fromSlug)
	if !ok {
		fields["from"] = "network.messages.error.from"
	}
	var to *org.Org
	toSlug = strings.TrimSpace(toSlug)
	if toSlug == "" {
		fields["to"] = "network.messages.error.to"
	} else if o, err := s.Orgs.BySlug(ctx, toSlug); err != nil && errs.CodeOf(err) != errs.NotFound {
		return nil, err
	} else if err != nil || o.Kind == org.ProgrammeOffice {
		fields["to"] = "network.messages.error.to"
	} else if ok && o.ID == from.OrgID {
		fields["to"] = "network.messages.error.self"
	} else {
		to = o
	}
	subject = strings.TrimSpace(subject)
	switch {
	case subject == "":
		fields["subject"] = "network.messages.error.subject"
	case utf8.RuneCountInString(subject) > MaxSubject || strings.ContainsAny(subject, "\r\n"):
		fields["subject"] = "network.messages.error.subject_long"
	}
	body = checkBody(body, fields)
	if len(fields) > 0 {
		return nil, errs.Field("messages", fields)
	}
	now := s.Clock.Now()
	id := uuid.Must(uuid.NewV7()).String()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO network_conversations (id, org_a, org_b, subject, subject_search, started_by, created_at, last_at, last_seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 0)`, id, from.OrgID, to.ID, subject, strings.ToLower(subject), v.ID, now); err != nil {
			return errs.Wrap("start conversation", err)
		}
		_, err := s.add(ctx, tx, v, id, from.OrgID, to.ID, subject, body, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, v, id)
}

// fromOrg picks the viewer's organisation a conversation starts from.
func (s *Service) fromOrg(v *web.Viewer, slug string) (web.Membership, bool) {
	var mine []web.Membership
	for _, m := range v.Orgs {
		if m.Kind != string(org.ProgrammeOffice) {
			mine = append(mine, m)
		}
	}
	slug = strings.TrimSpace(slug)
	if slug == "" && len(mine) == 1 {
		return mine[0], true
	}
	for _, m := range mine {
		if m.Slug == slug {
			return m, true
		}
	}
	return web.Membership{}, false
}

// add appends a message sent from side orgID, marks it read for its
// author and notifies the members of the other side (otherID).
func (s *Service) add(ctx context.Context, tx *sql.Tx, v *web.Viewer, convID, orgID, otherID, subject, body string, now time.Time) (*Message, error) {
	var seq int
	if err := tx.QueryRowContext(ctx, `UPDATE network_conversations SET last_seq = last_seq + 1, last_at = $1 WHERE id = $2 RETURNING last_seq`,
		now, convID).Scan(&seq); err != nil {
		return nil, errs.Wrap("add message", err)
	}
	m := &Message{ID: uuid.Must(uuid.NewV7()).String(), Seq: seq, OrgID: orgID, Author: v.Name, AuthorID: v.ID, Body: body, CreatedAt: now}
	if _, err := tx.ExecContext(ctx, `INSERT INTO network_messages (id, conversation_id, seq, org_id, author_id, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, convID, seq, orgID, v.ID, body, now); err != nil {
		return nil, errs.Wrap("add message", err)
	}
	if err := markRead(ctx, tx, v.ID, convID, seq); err != nil {
		return nil, err
	}
	if s.Notify == nil {
		return m, nil
	}
	var sender string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, orgID).Scan(&sender); err != nil {
		return nil, errs.Wrap("add message", err)
	}
	// Everyone of the other organisation; the sender is not one of them.
	if err := s.Notify.SendOrg(ctx, tx, otherID, nil, notify.Note{Kind: Kind.Name, Subject: "network.messages.note.subject",
		Args: []any{"org", sender, "subject", subject}, Path: "/network/messages/" + convID}); err != nil {
		return nil, err
	}
	return m, nil
}

func markRead(ctx context.Context, q db.Querier, userID, convID string, seq int) error {
	_, err := q.ExecContext(ctx, `INSERT INTO network_reads (user_id, conversation_id, seq) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, conversation_id) DO UPDATE SET seq = CASE WHEN excluded.seq > network_reads.seq THEN excluded.seq ELSE network_reads.seq END`,
		userID, convID, seq)
	return errs.Wrap("mark read", err)
}

// Reply adds a message to a conversation the viewer is part of, sent from
// their side (asSlug chooses when they belong to both).
func (s *Service) Reply(ctx context.Context, v *web.Viewer, convID, asSlug, body string) (*Message, error) {
	c, err := s.Get(ctx, v, convID)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	body = checkBody(body, fields)
	side, other := "", ""
	for _, pair := range [][2]Side{{c.From, c.To}, {c.To, c.From}} {
		if _, ok := v.Member(pair[0].ID); ok && (asSlug == "" || asSlug == pair[0].Slug) {
			side, other = pair[0].ID, pair[1].ID
			break
		}
	}
	if side == "" {
		fields["as"] = "network.messages.error.from"
	}
	if len(fields) > 0 {
		return nil, errs.Field("messages", fields)
	}
	var m *Message
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = s.add(ctx, tx, v, c.ID, side, other, c.Subject, body, s.Clock.Now())
		return err
	})
	return m, err
}

const convCols = `c.id, c.subject, c.created_at, c.last_at, c.last_seq, COALESCE(r.seq, 0),
	a.id, a.slug, a.name, a.names, a.country, b.id, b.slug, b.name, b.names, b.country`

const convFrom = `network_conversations c JOIN orgs a ON a.id = c.org_a JOIN orgs b ON b.id = c.org_b
	LEFT JOIN network_reads r ON r.conversation_id = c.id AND r.user_id = `

func scanConv(row interface{ Scan(...any) error }) (*Conversation, error) {
	var c Conversation
	var an, bn string
	if err := row.Scan(&c.ID, &c.Subject, &c.CreatedAt, &c.LastAt, &c.Count, &c.ReadUpTo,
		&c.From.ID, &c.From.Slug, &c.From.Name, &an, &c.From.Country, &c.To.ID, &c.To.Slug, &c.To.Name, &bn, &c.To.Country); err != nil {
		return nil, err
	}
	for _, x := range []struct {
		raw string
		t   *text.Text
	}{{an, &c.From.Names}, {bn, &c.To.Names}} {
		if x.raw != "" {
			if err := x.t.Scan(x.raw); err != nil {
				return nil, err
			}
		}
	}
	c.Unread = c.Count > c.ReadUpTo
	return &c, nil
}

// Get returns a conversation of one of the viewer's organisations; any
// other is not found, whoever asks.
func (s *Service) Get(ctx context.Context, v *web.Viewer, id string) (*Conversation, error) {
	if v == nil {
		return nil, errNotFound
	}
	args := &db.Args{}
	me := args.Add(v.ID)
	where := sides(v, args) + ` AND c.id = ` + args.Add(id)
	c, err := scanConv(s.DB.R.QueryRowContext(ctx, `SELECT `+convCols+` FROM `+convFrom+me+` WHERE `+where, args.List()...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("conversation", err)
	}
	return c, nil
}

// Messages returns the newest messages of a conversation before seq
// (0: the newest of all), oldest first, within the page's limits, and the
// seq to pass for earlier ones (0 when there are none). The caller has
// checked the conversation is the viewer's.
func (s *Service) Messages(ctx context.Context, c *Conversation, before, limit int) ([]Message, int, error) {
	if before <= 0 {
		before = c.Count + 1
	}
	if limit <= 0 || limit > pageMessages {
		limit = pageMessages
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT m.id, m.seq, m.org_id, m.author_id, u.name, m.body, m.created_at
		FROM network_messages m JOIN users u ON u.id = m.author_id
		WHERE m.conversation_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3`, c.ID, before, limit)
	if err != nil {
		return nil, 0, errs.Wrap("messages", err)
	}
	defer rows.Close()
	var out []Message
	size := 0
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.Seq, &m.OrgID, &m.AuthorID, &m.Author, &m.Body, &m.CreatedAt); err != nil {
			return nil, 0, errs.Wrap("messages", err)
		}
		size += len(m.Body)
		if len(out) > 0 && size > pageBytes {
			break
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, errs.Wrap("messages", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	earlier := 0
	if len(out) > 0 && out[0].Seq > 1 {
		earlier = out[0].Seq
	}
	return out, earlier, nil
}

// MarkRead records that the viewer saw the conversation up to seq.
func (s *Service) MarkRead(ctx context.Context, v *web.Viewer, c *Conversation, seq int) error {
	if seq <= c.ReadUpTo {
		return nil
	}
	return markRead(ctx, s.DB.W, v.ID, c.ID, seq)
}

// List returns the conversations of the viewer's organisations, newest
// activity first, optionally those whose subject holds q, from a cursor.
func (s *Service) List(ctx context.Context, v *web.Viewer, q, cursor string, limit int) ([]Conversation, string, error) {
	if v == nil {
		return nil, "", nil
	}
	args := &db.Args{}
	me := args.Add(v.ID)
	where := []string{sides(v, args)}
	if q = strings.TrimSpace(q); q != "" {
		if utf8.RuneCountInString(q) > MaxSubject {
			return nil, "", errs.E("messages", errs.Invalid, "search.error.long")
		}
		where = append(where, `c.subject_search LIKE `+args.Add("%"+escapeLike(strings.ToLower(q))+"%")+` ESCAPE '\'`)
	}
	if cursor != "" {
		at, id, ok := decodeCursor(cursor)
		if !ok {
			return nil, "", errs.E("messages", errs.Invalid, "error.cursor")
		}
		t, i := args.Add(at), args.Add(id)
		where = append(where, `(c.last_at < `+t+` OR (c.last_at = `+t+` AND c.id < `+i+`))`)
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+convCols+` FROM `+convFrom+me+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY c.last_at DESC, c.id DESC LIMIT `+args.Add(limit+1), args.List()...)
	if err != nil {
		return nil, "", errs.Wrap("conversations", err)
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConv(rows)
		if err != nil {
			return nil, "", errs.Wrap("conversations", err)
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", errs.Wrap("conversations", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(last.LastAt, last.ID)
	}
	return out, next, nil
}

// Unread counts the conversations of the viewer's organisations with a
// message they have not seen: the navigation badge.
func (s *Service) Unread(ctx context.Context, v *web.Viewer) (int, error) {
	if v == nil {
		return 0, nil
	}
	args := &db.Args{}
	me := args.Add(v.ID)
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM network_conversations c
		LEFT JOIN network_reads r ON r.conversation_id = c.id AND r.user_id = `+me+`
		WHERE `+sides(v, args)+` AND c.last_seq > COALESCE(r.seq, 0)`, args.List()...).Scan(&n)
	return n, errs.Wrap("unread conversations", err)
}

// CanLeave lets anyone delete their account: conversations belong to the
// organisations.
func (s *Service) CanLeave(ctx context.Context, userID string) error { return nil }

// Leave forgets what a departing person read; the messages they sent stay
// with their organisation's correspondence.
func (s *Service) Leave(ctx context.Context, tx *sql.Tx, userID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM network_reads WHERE user_id = $1`, userID)
	return errs.Wrap("messages leave", err)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func encodeCursor(at time.Time, id string) string {
	return strconv.FormatInt(at.UTC().UnixNano(), 10) + "_" + id
}

func decodeCursor(c string) (time.Time, string, bool) {
	n, id, ok := strings.Cut(c, "_")
	if !ok || id == "" {
		return time.Time{}, "", false
	}
	ns, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return time.Time{}, "", false
	}
	if _, err := uuid.Parse(id); err != nil {
		return time.Time{}, "", false
	}
	return time.Unix(0, ns).UTC(), id, true
}

// Written is one message a person wrote, for their data export.
type Written struct {
	ConversationID string    `json:"conversation_id"`
	Subject        string    `json:"subject"`
	OrgID          string    `json:"org_id"`
	Body           string    `json:"body"`
	CreatedAt      time.Time `json:"created_at"`
}

// Export lists the messages a person wrote, oldest first: their part of
// the account's data export.
func (s *Service) Export(ctx context.Context, userID string) (any, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT m.conversation_id, c.subject, m.org_id, m.body, m.created_at
		FROM network_messages m JOIN network_conversations c ON c.id = m.conversation_id
		WHERE m.author_id = $1 ORDER BY m.created_at, m.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Written{}
	for rows.Next() {
		var w Written
		if err := rows.Scan(&w.ConversationID, &w.Subject, &w.OrgID, &w.Body, &w.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
