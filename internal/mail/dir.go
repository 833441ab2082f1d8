package mail

import (
	"context"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/jobs"
)

// Dir writes each message as an .eml file in a directory, for instances
// without an SMTP server: the operator (or a test) reads the mail there.
// A message with an ID is written to ID.eml, so that a retried job replaces
// its own file rather than adding a second.
type Dir struct {
	// Clock dates the messages; default the system clock.
	Clock clock.Clock

	dir  string
	from *mail.Address
}

// NewDir returns a sender writing into dir, which it creates.
func NewDir(dir, from string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	f, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	return &Dir{dir: dir, from: f}, nil
}

// Path returns the directory the messages go to.
func (d *Dir) Path() string { return d.dir }

// String says where mail goes.
func (d *Dir) String() string { return "files under " + d.dir }

// Send writes msg to the directory. The file appears whole or not at all:
// it is written under a temporary name, then renamed. Only the owner may
// read it, since messages carry secret links.
func (d *Dir) Send(ctx context.Context, msg Message) error {
	if err := msg.Validate(); err != nil {
		return jobs.Permanent(err)
	}
	if msg.ID == "" {
		msg.ID = uuid.Must(uuid.NewV7()).String()
	}
	c := d.Clock
	if c == nil {
		c = clock.System{}
	}
	raw, err := compose(msg, d.from, c.Now())
	if err != nil {
		return jobs.Permanent(err)
	}
	tmp, err := os.CreateTemp(d.dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("write mail: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("write mail: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write mail: %w", err)
	}
	// msg.ID is letters, digits, '.', '_' and '-' (Validate), so the name stays in the directory.
	if err := os.Rename(tmp.Name(), filepath.Join(d.dir, msg.ID+".eml")); err != nil {
		return fmt.Errorf("write mail: %w", err)
	}
	return nil
}
