package mail_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/db/dbtest"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/jobs"
	hmail "harambee.africa/harambee/internal/mail"
)

// smtpServer is just enough of an SMTP server on loopback to receive mail:
// EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH.
type smtpServer struct {
	ln       net.Listener
	received chan delivery

	rcptReply   string // replaces "250 ok" to RCPT when set
	mu          sync.Mutex
	dataReplies []string // replies to the end of DATA, in turn; then "250 ok"
}

// delivery is one message that reached the end of DATA, accepted or not.
type delivery struct {
	from, to string
	data     []byte
	reply    string
}

// startSMTP starts a server on loopback; replies, when given, answer the
// ends of DATA in turn.
func startSMTP(t *testing.T, rcptReply string, dataReplies ...string) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &smtpServer{ln: ln, received: make(chan delivery, 16), rcptReply: rcptReply, dataReplies: dataReplies}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(30 * time.Second))
				s.serve(conn)
			}()
		}
	}()
	return s
}

func (s *smtpServer) url() string { return "smtp://" + s.ln.Addr().String() }

func (s *smtpServer) serve(conn net.Conn) {
	r := bufio.NewReader(conn)
	reply := func(line string) { io.WriteString(conn, line+"\r\n") }
	reply("220 test.invalid ESMTP")
	var from, to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			reply("250-test.invalid\r\n250-8BITMIME\r\n250 SMTPUTF8")
		case "HELO", "NOOP":
			reply("250 ok")
		case "RSET":
			from, to = "", ""
			reply("250 ok")
		case "MAIL":
			from = between(line, "<", ">")
			reply("250 ok")
		case "RCPT":
			to = between(line, "<", ">")
			r := s.rcptReply
			if r == "" {
				r = "250 ok"
			}
			reply(r)
		case "DATA":
			reply("354 go ahead")
			var data bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, ".")) // undo dot-stuffing
			}
			s.mu.Lock()
			answer := "250 ok: queued"
			if len(s.dataReplies) > 0 {
				answer, s.dataReplies = s.dataReplies[0], s.dataReplies[1:]
			}
			s.mu.Unlock()
			s.received <- delivery{from: from, to: to, data: data.Bytes(), reply: answer}
			reply(answer)
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func between(s, open, close string) string {
	_, after, _ := strings.Cut(s, open)
	v, _, _ := strings.Cut(after, close)
	return v
}

func (s *smtpServer) next(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-s.received:
		return d
	case <-time.After(20 * time.Second):
		t.Fatal("no message reached the SMTP server")
		return delivery{}
	}
}

// startQueue runs a queue with mail registered on sender.
func startQueue(t *testing.T, d *db.DB, sender hmail.Sender) *jobs.Queue {
	t.Helper()
	q := jobs.New(d, jobs.Config{
		PollInterval: 10 * time.Millisecond,
		Backoff:      func(int) time.Duration { return 0 },
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		StopTimeout:  5 * time.Second,
	})
	hmail.Register(q, sender)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		q.Run(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return q
}

// mailJob returns the one mail job once it has left the running state.
func mailJob(t *testing.T, d *db.DB, q *jobs.Queue, want jobs.State) jobs.Job {
	t.Helper()
	var id string
	if err := d.R.QueryRow(`SELECT id FROM jobs WHERE kind = $1`, hmail.JobKind).Scan(&id); err != nil {
		t.Fatalf("find the mail job: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := q.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == want {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail job is %s, want %s: %+v", j.State, want, j)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const from = "Harambee <noreply@harambee.test>"

func TestSendThroughQueue(t *testing.T) {
	for _, c := range []struct {
		name, to, subject string
	}{
		{"Chinese", "李娜 <li.na@example.cn>", "欢迎加入 Harambee：请确认您的电子邮件地址"},
		{"Arabic", "fatima@example.ma", "مرحبا بكم في هارامبي: يرجى تأكيد عنوان بريدكم الإلكتروني لتفعيل الحساب"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := startSMTP(t, "")
			d := dbtest.Open(t, jobs.Migrations)
			sender, err := hmail.New(srv.url(), t.TempDir(), from)
			if err != nil {
				t.Fatal(err)
			}
			msg := hmail.Message{
				To:      c.to,
				Subject: c.subject,
				Text:    "Confirm: https://harambee.test/confirm/SECRET\n.a line that starts with a dot\n" + strings.Repeat("long line ", 20),
				HTML:    `<p dir="auto">` + c.subject + `</p><p><a href="https://harambee.test/confirm/SECRET">Confirm</a></p>`,
				Headers: map[string]string{
					"List-Unsubscribe":      "<https://harambee.test/unsubscribe/TOKEN>",
					"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
				},
				Kind: "account.confirm",
			}
			err = d.Tx(context.Background(), func(tx *sql.Tx) error {
				return hmail.Enqueue(context.Background(), tx, msg)
			})
			if err != nil {
				t.Fatalf("enqueue: %v", err)
			}
			q := startQueue(t, d, sender)
			got := srv.next(t)
			job := mailJob(t, d, q, jobs.Succeeded)

			to, _ := mail.ParseAddress(c.to)
			if got.from != "noreply@harambee.test" || got.to != to.Address {
				t.Errorf("envelope from %q to %q", got.from, got.to)
			}
			for i, b := range got.data {
				if b >= 0x80 {
					t.Fatalf("byte %d of the message is not 7-bit: %q", i, got.data[max(0, i-20):i+1])
				}
			}
			for _, line := range strings.Split(string(got.data), "\r\n") {
				if len(line) > 998 {
					t.Errorf("line of %d characters", len(line))
				}
			}
			m, err := mail.ReadMessage(bytes.NewReader(got.data))
			if err != nil {
				t.Fatalf("parse the message: %v\n%s", err, got.data)
			}
			h := m.Header
			subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			if err != nil || subject != c.subject {
				t.Errorf("subject %q (%v), want %q; raw %q", subject, err, c.subject, h.Get("Subject"))
			}
			if a, err := h.AddressList("To"); err != nil || len(a) != 1 || a[0].Address != to.Address || a[0].Name != to.Name {
				t.Errorf("To = %v, %v; want %v", a, err, to)
			}
			if a, err := h.AddressList("From"); err != nil || a[0].String() != `"Harambee" <noreply@harambee.test>` {
				t.Errorf("From = %v, %v", a, err)
			}
			if _, err := h.Date(); err != nil {
				t.Errorf("Date %q: %v", h.Get("Date"), err)
			}
			if want := "<" + job.ID + "@harambee.test>"; h.Get("Message-ID") != want {
				t.Errorf("Message-ID %q, want %q", h.Get("Message-ID"), want)
			}
			for name, value := range msg.Headers {
				if h.Get(name) != value {
					t.Errorf("%s = %q, want %q", name, h.Get(name), value)
				}
			}
			if h.Get("MIME-Version") != "1.0" {
				t.Errorf("MIME-Version %q", h.Get("MIME-Version"))
			}
			text, html := readAlternative(t, m)
			if want := strings.ReplaceAll(msg.Text, "\n", "\r\n"); text != want {
				t.Errorf("text part:\n%q\nwant\n%q", text, want)
			}
			if html != msg.HTML {
				t.Errorf("html part %q, want %q", html, msg.HTML)
			}
		})
	}
}

// readAlternative returns the decoded text and HTML parts of a multipart/alternative message.
func readAlternative(t *testing.T, m *mail.Message) (text, html string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		if p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Errorf("part encoding %q", p.Header.Get("Content-Transfer-Encoding"))
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatalf("decode part: %v", err)
		}
		switch p.Header.Get("Content-Type") {
		case "text/plain; charset=utf-8":
			text = string(body)
		case "text/html; charset=utf-8":
			html = string(body)
		default:
			t.Errorf("part of type %q", p.Header.Get("Content-Type"))
		}
	}
	return text, html
}

// A delivery that the server defers is retried with the same Message-ID.
func TestRetryKeepsMessageID(t *testing.T) {
	srv := startSMTP(t, "", "451 4.3.0 try again later")
	d := dbtest.Open(t, jobs.Migrations)
	sender, err := hmail.New(srv.url(), "", from)
	if err != nil {
		t.Fatal(err)
	}
	if err := hmail.Enqueue(context.Background(), d.W, hmail.Message{To: "amina@example.org", Subject: "Reset", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	q := startQueue(t, d, sender)
	first, second := srv.next(t), srv.next(t)
	job := mailJob(t, d, q, jobs.Succeeded)
	if !strings.HasPrefix(first.reply, "451") || !strings.HasPrefix(second.reply, "250") || job.Attempt != 2 {
		t.Fatalf("replies %q, %q; attempt %d", first.reply, second.reply, job.Attempt)
	}
	id := func(dl delivery) string {
		m, err := mail.ReadMessage(bytes.NewReader(dl.data))
		if err != nil {
			t.Fatal(err)
		}
		return m.Header.Get("Message-ID")
	}
	if id(first) != id(second) || id(first) != "<"+job.ID+"@harambee.test>" {
		t.Errorf("Message-IDs %q and %q, want both <%s@harambee.test>", id(first), id(second), job.ID)
	}
	if !strings.Contains(job.LastError, "451") {
		t.Errorf("last error %q", job.LastError)
	}
}

// A recipient refused for good fails the job at once, and the error kept
// does not show who the recipient was.
func TestRecipientRefused(t *testing.T) {
	srv := startSMTP(t, "550 5.1.1 <amina.secret@example.org>: no such user")
	d := dbtest.Open(t, jobs.Migrations)
	sender, err := hmail.New(srv.url(), "", from)
	if err != nil {
		t.Fatal(err)
	}
	if err := hmail.Enqueue(context.Background(), d.W, hmail.Message{To: "amina.secret@example.org", Subject: "Hi", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	q := startQueue(t, d, sender)
	job := mailJob(t, d, q, jobs.Failed)
	if job.Attempt != 1 || !strings.Contains(job.LastError, "550") || strings.Contains(job.LastError, "amina") {
		t.Errorf("job = attempt %d, error %q", job.Attempt, job.LastError)
	}
}

func TestDirSender(t *testing.T) {
	data := t.TempDir()
	sender, err := hmail.New("", data, from)
	if err != nil {
		t.Fatal(err)
	}
	dir, ok := sender.(*hmail.Dir)
	if !ok || dir.Path() != filepath.Join(data, "mail") {
		t.Fatalf("sender %v", sender)
	}
	dir.Clock = clock.NewManual(time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC))
	msg := hmail.Message{
		ID:      "0193a1b2-job",
		To:      "Kwame Mensah <kwame@example.gh>",
		Subject: "Ваш пароль — votre mot de passe — 您的密码",
		Text:    "Bonjour Kwame,\n\nVotre lien : https://harambee.test/reset/SECRET=42\n" + strings.Repeat("é", 100),
	}
	ctx := context.Background()
	for range 2 { // a retry replaces the file
		if err := sender.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir.Path())
	if err != nil || len(entries) != 1 || entries[0].Name() != msg.ID+".eml" {
		t.Fatalf("files %v, %v", entries, err)
	}
	f, err := os.Open(filepath.Join(dir.Path(), entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("parse .eml: %v", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != msg.Subject {
		t.Errorf("subject %q (%v), want %q", subject, err, msg.Subject)
	}
	if date, err := m.Header.Date(); err != nil || !date.Equal(dir.Clock.Now()) {
		t.Errorf("Date %v, %v", date, err)
	}
	if got := m.Header.Get("Message-ID"); got != "<0193a1b2-job@harambee.test>" {
		t.Errorf("Message-ID %q", got)
	}
	if ct := m.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	raw, _ := io.ReadAll(m.Body)
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 76 {
			t.Errorf("body line of %d characters", len(line))
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	if want := strings.ReplaceAll(msg.Text, "\n", "\r\n") + "\r\n"; err != nil || string(body) != want {
		t.Errorf("body %q (%v), want %q", body, err, want)
	}
}

func TestValidate(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	ok := hmail.Message{To: "a@example.org", Subject: "Hello", Text: "Body"}
	for name, edit := range map[string]func(*hmail.Message){
		"NoRecipient":       func(m *hmail.Message) { m.To = "" },
		"NotAnAddress":      func(m *hmail.Message) { m.To = "not an address" },
		"TwoRecipients":     func(m *hmail.Message) { m.To = "a@example.org, b@example.org" },
		"InjectedRecipient": func(m *hmail.Message) { m.To = "a@example.org\r\nBcc: b@example.org" },
		"NoSubject":         func(m *hmail.Message) { m.Subject = " " },
		"InjectedSubject":   func(m *hmail.Message) { m.Subject = "Hi\r\nBcc: b@example.org" },
		"InvalidUTF8":       func(m *hmail.Message) { m.Subject = "caf\xe9" },
		"NoText":            func(m *hmail.Message) { m.Text = "" },
		"ReservedHeader":    func(m *hmail.Message) { m.Headers = map[string]string{"bcc": "b@example.org"} },
		"BadHeaderName":     func(m *hmail.Message) { m.Headers = map[string]string{"X Bad": "1"} },
		"InjectedHeader":    func(m *hmail.Message) { m.Headers = map[string]string{"X-Ok": "1\nBcc: b@example.org"} },
		"BadID":             func(m *hmail.Message) { m.ID = "../escape" },
	} {
		t.Run(name, func(t *testing.T) {
			m := ok
			edit(&m)
			if err := m.Validate(); !errs.Is(err, errs.Invalid) {
				t.Errorf("Validate = %v, want invalid", err)
			}
			if err := hmail.Enqueue(context.Background(), d.W, m); !errs.Is(err, errs.Invalid) {
				t.Errorf("Enqueue = %v, want invalid", err)
			}
		})
	}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid message: %v", err)
	}
}

func TestNewSMTP(t *testing.T) {
	for _, c := range []struct {
		url, want string
		bad       bool
	}{
		{url: "smtp://mail.example.org", want: "SMTP server smtp://mail.example.org"},
		{url: "smtps://user:s3cret@mail.example.org:2465", want: "SMTP server smtps://user:xxxxx@mail.example.org:2465"},
		{url: "smtp://user:s3cret@[::1]:25?helo=harambee.example.org", want: "SMTP server smtp://user:xxxxx@[::1]:25?helo=harambee.example.org"},
		{url: "http://mail.example.org", bad: true},
		{url: "smtp://", bad: true},
	} {
		s, err := hmail.NewSMTP(c.url, from)
		switch {
		case c.bad && err == nil:
			t.Errorf("%s: no error", c.url)
		case c.bad && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("%s: error shows the password: %v", c.url, err)
		case !c.bad && err != nil:
			t.Errorf("%s: %v", c.url, err)
		case !c.bad && s.String() != c.want:
			t.Errorf("%s: String() = %q, want %q", c.url, s, c.want)
		}
	}
	if _, err := hmail.NewSMTP("smtp://mail.example.org", "not an address"); err == nil {
		t.Error("bad From address: no error")
	}
}
