package mail

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// compose renders m as an RFC 5322 message from from, dated now: 7-bit
// throughout, with the subject and non-ASCII names as RFC 2047 encoded
// words and the bodies quoted-printable, so that any relay passes it as is.
func compose(m Message, from *mail.Address, now time.Time) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(fold(name + ": " + value))
		b.WriteString("\r\n")
	}
	header("From", from.String())
	header("To", to.String())
	header("Subject", encodeText(m.Subject))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Message-ID", messageID(m.ID, from.Address))
	header("MIME-Version", "1.0")
	names := make([]string, 0, len(m.Headers))
	for name := range m.Headers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		header(name, encodeText(m.Headers[name]))
	}

	const plain, html = "text/plain; charset=utf-8", "text/html; charset=utf-8"
	if m.HTML == "" {
		header("Content-Type", plain)
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		b.WriteString("\r\n")
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	// Plain text first: in multipart/alternative the last part is the preferred one.
	for _, part := range []struct{ contentType, body string }{{plain, m.Text}, {html, m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.contentType},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeQP writes s quoted-printable, with CRLF line ends.
func writeQP(w io.Writer, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, strings.ReplaceAll(s, "\r\n", "\n")); err != nil {
		return err
	}
	return qp.Close()
}

// encodeText returns s as it is when it is plain ASCII, else as RFC 2047
// Q-encoded words in UTF-8.
func encodeText(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	if strings.Contains(s, "=?") { // would read as an encoded word
		return mime.QEncoding.Encode("utf-8", s)
	}
	return s
}

// fold breaks a header line at spaces so that its lines keep within 78
// characters where the words allow; unfolding gives back the line.
func fold(line string) string {
	const limit = 78
	if len(line) <= limit {
		return line
	}
	words := strings.Split(line, " ")
	var b strings.Builder
	b.WriteString(words[0])
	n := len(words[0])
	for i, w := range words[1:] {
		// Never fold right after the field name, nor onto a blank line.
		if i > 0 && w != "" && n+1+len(w) > limit {
			b.WriteString("\r\n")
			n = 0
		}
		b.WriteString(" ")
		b.WriteString(w)
		n += 1 + len(w)
	}
	return b.String()
}

// messageID returns <id@domain>, with the domain of the From address and a
// fresh id when id is empty.
func messageID(id, fromAddr string) string {
	if id == "" {
		id = uuid.Must(uuid.NewV7()).String()
	}
	domain := "localhost"
	if i := strings.LastIndexByte(fromAddr, '@'); i >= 0 && i < len(fromAddr)-1 {
		domain = fromAddr[i+1:]
	}
	return "<" + id + "@" + domain + ">"
}
