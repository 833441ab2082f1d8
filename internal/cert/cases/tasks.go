package cases

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// Task is one piece of work on a case, private to the case's team (read
// through the case).
type Task struct {
	ID           string
	CaseID       string
	Title        string
	Done         bool
	Assignee     string
	AssigneeName string
	Due          *time.Time // a day, midnight UTC
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DoneAt       *time.Time
}

// TaskInput adds or changes a task; nil fields stay as they are.
type TaskInput struct {
	Title    *string
	Assignee *string // a member of the team, "" for nobody
	Due      *string // YYYY-MM-DD, "" for none
	Done     *bool
}

func parseDay(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 2000 || t.Year() > 2199 {
		return nil, false
	}
	return &t, true
}

// apply validates in onto t.
func (s *Service) applyTask(ctx context.Context, orgID string, t *Task, in TaskInput) error {
	bad := map[string]string{}
	if in.Title != nil {
		title := strings.TrimSpace(*in.Title)
		if title == "" || utf8.RuneCountInString(title) > TaskMax || !web.CleanText(title) || strings.ContainsAny(title, "\r\n") {
			bad["title"] = "cert.cases.error.task_title"
		}
		t.Title = title
	}
	if in.Assignee != nil {
		a := strings.TrimSpace(*in.Assignee)
		if a != "" {
			ok, err := s.isMember(ctx, s.DB.R, orgID, a)
			if err != nil {
				return err
			}
			if !ok {
				bad["assignee"] = "cert.cases.error.assignee"
			}
		}
		t.Assignee = a
	}
	if in.Due != nil {
		d, ok := parseDay(*in.Due)
		if !ok {
			bad["due"] = "cert.cases.error.date"
		}
		t.Due = d
	}
	if in.Done != nil {
		t.Done = *in.Done
	}
	if len(bad) > 0 {
		return errs.Field("cert.cases", bad)
	}
	return nil
}

// AddTask adds a task to a case (its editors).
func (s *Service) AddTask(ctx context.Context, v *web.Viewer, caseID string, in TaskInput, ip string) (*Task, error) {
	c, err := s.editable(ctx, v, caseID)
	if err != nil {
		return nil, err
	}
	if in.Title == nil {
		in.Title = new(string)
	}
	now := s.Clock.Now()
	t := &Task{ID: newID(), CaseID: c.ID, CreatedAt: now, UpdatedAt: now}
	if err := s.applyTask(ctx, c.OwnerOrg, t, in); err != nil {
		return nil, err
	}
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cert_case_tasks WHERE case_id = $1`, c.ID).Scan(&n); err != nil {
		return nil, errs.Wrap("add task", err)
	}
	if n >= MaxTasks {
		return nil, errs.E("cert.cases", errs.Conflict, "cert.cases.error.tasks_full")
	}
	if t.Done {
		t.DoneAt = &now
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cert_case_tasks (id, case_id, title, done, assignee, due_on, created_by, created_at, updated_at, done_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`, t.ID, c.ID, t.Title, t.Done, t.Assignee, at(t.Due), v.ID, now, at(t.DoneAt))
		if err != nil {
			return errs.Wrap("add task", err)
		}
		if err := s.event(ctx, tx, c.ID, "task_added", v.ID, "", map[string]string{"task": t.Title}, now); err != nil {
			return err
		}
		return s.record(ctx, tx, "cert.case.task_added", v.Pseudonym, c.OwnerOrg, c.ID, ip, map[string]any{"task": t.ID})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateTask changes a task of a case (its editors).
func (s *Service) UpdateTask(ctx context.Context, v *web.Viewer, caseID, taskID string, in TaskInput, ip string) (*Task, error) {
	c, err := s.editable(ctx, v, caseID)
	if err != nil {
		return nil, err
	}
	t, err := s.task(ctx, c.ID, taskID)
	if err != nil {
		return nil, err
	}
	was := *t
	if err := s.applyTask(ctx, c.OwnerOrg, t, in); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	t.UpdatedAt = now
	kind := "task_edited"
	switch {
	case t.Done && !was.Done:
		t.DoneAt, kind = &now, "task_done"
	case !t.Done && was.Done:
		t.DoneAt, kind = nil, "task_reopened"
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cert_case_tasks SET title = $1, done = $2, assignee = $3, due_on = $4, updated_at = $5, done_at = $6
			WHERE id = $7`, t.Title, t.Done, t.Assignee, at(t.Due), now, at(t.DoneAt), t.ID)
		if err != nil {
			return errs.Wrap("update task", err)
		}
		if err := s.event(ctx, tx, c.ID, kind, v.ID, "", map[string]string{"task": t.Title}, now); err != nil {
			return err
		}
		return s.record(ctx, tx, "cert.case."+kind, v.Pseudonym, c.OwnerOrg, c.ID, ip, map[string]any{"task": t.ID})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

const taskColumns = `k.id, k.case_id, k.title, k.done, k.assignee, COALESCE(u.name, ''), k.due_on, k.created_at, k.updated_at, k.done_at`

func scanTask(row interface{ Scan(...any) error }) (*Task, error) {
	t := &Task{}
	var due, done sql.NullTime
	if err := row.Scan(&t.ID, &t.CaseID, &t.Title, &t.Done, &t.Assignee, &t.AssigneeName, &due, &t.CreatedAt, &t.UpdatedAt, &done); err != nil {
		return nil, err
	}
	if due.Valid {
		d := due.Time.UTC()
		t.Due = &d
	}
	if done.Valid {
		d := done.Time.UTC()
		t.DoneAt = &d
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

func (s *Service) task(ctx context.Context, caseID, taskID string) (*Task, error) {
	t, err := scanTask(s.DB.R.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM cert_case_tasks k LEFT JOIN users u ON u.id = k.assignee
		WHERE k.id = $1 AND k.case_id = $2`, taskID, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return t, errs.Wrap("task", err)
}

// Tasks lists a case's tasks, open ones first, if the viewer may see the case.
func (s *Service) Tasks(ctx context.Context, v *web.Viewer, caseID string) ([]Task, error) {
	c, err := s.Get(ctx, v, caseID)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+taskColumns+` FROM cert_case_tasks k LEFT JOIN users u ON u.id = k.assignee
		WHERE k.case_id = $1 ORDER BY k.done, k.created_at, k.id`, c.ID)
	if err != nil {
		return nil, errs.Wrap("tasks", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, errs.Wrap("tasks", err)
		}
		out = append(out, *t)
	}
	return out, errs.Wrap("tasks", rows.Err())
}
