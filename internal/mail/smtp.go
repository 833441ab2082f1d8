package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"time"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/jobs"
)

// SMTP sends mail through an SMTP server: smtp:// upgrades with STARTTLS
// when the server offers it, smtps:// speaks TLS from the start. With a user
// in the URL it authenticates with PLAIN, which net/smtp allows only over TLS
// or to localhost.
type SMTP struct {
	// Clock dates the messages; default the system clock.
	Clock clock.Clock
	// Timeout bounds one delivery, from connecting to QUIT; default 1 minute.
	Timeout time.Duration

	addr, host  string
	implicitTLS bool
	auth        smtp.Auth
	hello       string
	from        *mail.Address
	redacted    string
}

// NewSMTP returns a sender for rawURL: smtp://[user:pass@]host[:port] (port
// 587 by default) or smtps://… (port 465). The query may set helo=NAME, the
// name this host gives in EHLO (default: its host name).
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	s := &SMTP{redacted: u.Redacted(), host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		s.implicitTLS = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("mail: SMTP URL %s: scheme must be smtp or smtps", s.redacted)
	}
	if s.host == "" {
		return nil, fmt.Errorf("mail: SMTP URL %s: no host", s.redacted)
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, s.host)
	}
	s.hello = u.Query().Get("helo")
	if s.hello == "" {
		if s.hello, err = os.Hostname(); err != nil || s.hello == "" {
			s.hello = "localhost"
		}
	}
	if s.from, err = parseFrom(from); err != nil {
		return nil, err
	}
	return s, nil
}

// String says where mail goes, without the password.
func (s *SMTP) String() string { return "SMTP server " + s.redacted }

// Send delivers msg. A recipient or message that the server refuses for good
// (a 5xx reply) comes back as a jobs.Permanent error; anything else may
// succeed later. Errors never show the recipient's local part.
func (s *SMTP) Send(ctx context.Context, msg Message) error {
	if err := msg.Validate(); err != nil {
		return jobs.Permanent(err)
	}
	to, _ := mail.ParseAddress(msg.To)
	c := s.Clock
	if c == nil {
		c = clock.System{}
	}
	raw, err := compose(msg, s.from, c.Now())
	if err != nil {
		return jobs.Permanent(err)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err = s.deliver(ctx, to.Address, raw)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("send mail: %w (%v)", ctx.Err(), err)
	}
	return redact(err, to.Address)
}

// deliver holds one SMTP conversation.
func (s *SMTP) deliver(ctx context.Context, rcpt string, raw []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("send mail: connect: %w", err)
	}
	defer conn.Close()
	// Cancellation closes the connection, which ends any read or write.
	defer context.AfterFunc(ctx, func() { conn.Close() })()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	tlsConfig := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	if s.implicitTLS {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("send mail: TLS: %w", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fmt.Errorf("send mail: greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(s.hello); err != nil {
		return fmt.Errorf("send mail: hello: %w", err)
	}
	if !s.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("send mail: STARTTLS: %w", err)
			}
		}
	}
	if s.auth != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("send mail: the server offers no authentication")
		}
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("send mail: authenticate: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("send mail: sender: %w", err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return refused(fmt.Errorf("send mail: recipient: %w", err))
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("send mail: data: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("send mail: data: %w", err)
	}
	if err := w.Close(); err != nil {
		return refused(fmt.Errorf("send mail: message: %w", err))
	}
	// The message is accepted; a failed QUIT changes nothing.
	c.Quit()
	return nil
}

// refused marks a 5xx reply as permanent. Only the recipient and the message
// are judged so: a refused sender or login is a configuration fault, which
// retries give the operator time to mend.
func refused(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 && te.Code < 600 {
		return jobs.Permanent(err)
	}
	return err
}

// redact replaces the recipient's address in err's text with its domain,
// since errors reach logs and the admin page; it keeps err permanent.
func redact(err error, addr string) error {
	if err == nil || addr == "" || !strings.Contains(err.Error(), addr) {
		return err
	}
	clean := errors.New(strings.ReplaceAll(err.Error(), addr, "…@"+domainOf(addr)))
	if jobs.IsPermanent(err) {
		return jobs.Permanent(clean)
	}
	return clean
}
