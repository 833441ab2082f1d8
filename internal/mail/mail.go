// Package mail sends the platform's e-mail through the job queue: Enqueue
// stores a message as a job in the caller's transaction, and the handler that
// Register installs hands it to a Sender — an SMTP server, or, where none is
// configured, .eml files in the data directory.
//
// Messages carry secrets (sign-in and reset links), so their bodies and
// links are never logged: logs name the recipient's domain and the message's
// Kind, nothing more.
package mail

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/jobs"
)

// JobKind is the kind of the jobs that send mail.
const JobKind = "mail.send"

// MaxAttempts is how often a message is tried: with the queue's default
// backoff, attempts spread over about a day, enough to ride out an outage
// of the mail server.
const MaxAttempts = 15

// Message is one e-mail to one recipient.
type Message struct {
	To      string `json:"to"` // an address, optionally with a name: "Amina <amina@example.org>"
	Subject string `json:"subject"`
	Text    string `json:"text"`           // the plain-text body, always present
	HTML    string `json:"html,omitempty"` // an optional HTML alternative
	// Headers are added as they are, for instance List-Unsubscribe and
	// List-Unsubscribe-Post (RFC 8058). Values should be ASCII; others are
	// encoded as RFC 2047 words, which suits unstructured headers only.
	// The headers the sender writes itself (From, To, Subject, Date,
	// Message-ID, MIME and content headers, Cc, Bcc) are refused.
	Headers map[string]string `json:"headers,omitempty"`
	// Kind names the sort of message ("account.reset") for logs; it is
	// never sent.
	Kind string `json:"kind,omitempty"`
	// ID makes the Message-ID <ID@domain of the sender>. The queue sets it
	// to the job's id, so that a retried delivery carries the same
	// Message-ID and receivers can drop the duplicate. Letters, digits, '.',
	// '_' and '-' only; empty for a fresh id on each send.
	ID string `json:"id,omitempty"`
}

// reserved are the headers the sender writes itself, in lower case.
var reserved = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "subject": true, "date": true,
	"message-id": true, "mime-version": true, "content-type": true,
	"content-transfer-encoding": true,
}

// Validate checks that m can be sent, without header injection.
func (m Message) Validate() error {
	const op = "mail.Validate"
	fields := map[string]string{}
	if _, err := mail.ParseAddress(m.To); err != nil || strings.ContainsAny(m.To, "\r\n") {
		fields["to"] = "error.mail.address"
	}
	if strings.TrimSpace(m.Subject) == "" || !utf8.ValidString(m.Subject) || hasControl(m.Subject) {
		fields["subject"] = "error.mail.subject"
	}
	if strings.TrimSpace(m.Text) == "" || !utf8.ValidString(m.Text) {
		fields["text"] = "error.mail.text"
	}
	if !utf8.ValidString(m.HTML) {
		fields["html"] = "error.mail.html"
	}
	for name, value := range m.Headers {
		if !validHeaderName(name) || reserved[strings.ToLower(name)] || !utf8.ValidString(value) || hasControl(value) {
			fields["headers"] = "error.mail.header"
		}
	}
	if !validID(m.ID) {
		fields["id"] = "error.mail.id"
	}
	if len(fields) > 0 {
		return errs.Field(op, fields)
	}
	return nil
}

// hasControl reports control characters, CR and LF among them.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f })
}

// validHeaderName checks RFC 5322 field-name: printable ASCII but colon.
func validHeaderName(name string) bool {
	if name == "" || len(name) > 76 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

func validID(id string) bool {
	if len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Sender delivers a message now. SMTP and Dir are the two senders; both
// print, through String, where the mail goes, without secrets.
type Sender interface {
	Send(ctx context.Context, msg Message) error
}

// New returns an SMTP sender for smtpURL (smtp://user:pass@host:port or
// smtps://…), or, when smtpURL is empty, a Dir sender writing to
// dataDir/mail. from is the From address, with or without a name.
func New(smtpURL, dataDir, from string) (Sender, error) {
	if smtpURL != "" {
		return NewSMTP(smtpURL, from)
	}
	return NewDir(filepath.Join(dataDir, "mail"), from)
}

// Enqueue validates msg and enqueues a job that sends it, in the caller's
// transaction when q is one. opts may set the time, a unique key (send once)
// or the clock; the attempts default to MaxAttempts.
func Enqueue(ctx context.Context, q db.Querier, msg Message, opts ...jobs.Option) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	_, err := jobs.Enqueue(ctx, q, JobKind, msg, append([]jobs.Option{jobs.MaxAttempts(MaxAttempts)}, opts...)...)
	return err
}

// Register installs on queue the handler that sends mail with sender.
func Register(queue *jobs.Queue, sender Sender) {
	queue.Register(JobKind, func(ctx context.Context, j jobs.Job) error {
		var m Message
		if err := j.Decode(&m); err != nil {
			return jobs.Permanent(fmt.Errorf("mail job arguments: %w", err))
		}
		if m.ID == "" {
			m.ID = j.ID
		}
		if err := sender.Send(ctx, m); err != nil {
			return err
		}
		slog.InfoContext(ctx, "mail sent", "mail_kind", m.Kind, "domain", domainOf(m.To), "job_id", j.ID)
		return nil
	})
}

// domainOf returns the domain of an address, which is all that logs may show.
func domainOf(addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// parseFrom parses the From address, defaulting to harambee@localhost.
func parseFrom(from string) (*mail.Address, error) {
	if from == "" {
		from = "harambee@localhost"
	}
	a, err := mail.ParseAddress(from)
	if err != nil || strings.ContainsAny(from, "\r\n") {
		return nil, fmt.Errorf("mail: from address %q: %v", from, err)
	}
	return a, nil
}
