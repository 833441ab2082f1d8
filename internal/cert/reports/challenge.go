package reports

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
)

// A challenge is what a report without an account must answer. The server
// signs it (HMAC-SHA-256 under a key kept in cert_report_keys) so that no
// state is kept until it is used:
//
//	v1.NONCE.EXPIRES.BITS.TAG.MAC
//
// NONCE is 16 random bytes (base64url), EXPIRES a Unix time, BITS the proof
// of work's difficulty, TAG a keyed hash of the nonce and the answer to the
// question the page shows (so the answer is checked without being readable
// in the token), MAC the signature of everything before it.
//
// Proof of work: a counter such that SHA-256(token ":" counter) starts with
// BITS zero bits. static/pow.js searches with its own SHA-256 (the token's
// first block hashed once, then one block per counter) and confirms the
// answer with WebCrypto where the browser has it: WebCrypto answers each
// digest through a promise, about 14 µs a hash under Node 20 here, which
// made 2^18 hashes take 3–10 s. At DefaultBits (18), 2^18 ≈ 262,000 hashes
// on average: 0.10 s in Go on one core of the 2-core test machine
// (BenchmarkSolve), about 1 million hashes a second for the script under
// Node 20 on the same core (TestScriptSolves: 320,985 counters in 0.5 s),
// so about 0.3 s; a phone several times slower, around a second (not
// measured on a phone). Without JavaScript the page's question is
// answered instead: a sum of two numbers from one to ten, written in words
// in the page's language.
//
// Either way a challenge is used once: its nonce is kept in
// cert_report_nonces until it expires.

// DefaultBits is the proof-of-work difficulty.
const DefaultBits = 18

// ChallengeTTL is how long a challenge may be answered.
const ChallengeTTL = 30 * time.Minute

// Challenge is a challenge as a form or the API gives it.
type Challenge struct {
	Token    string    `json:"challenge"`
	Bits     int       `json:"bits"`
	Question string    `json:"question"` // in the reader's language
	Expires  time.Time `json:"expires"`
}

var (
	errChallenge = errs.Field("cert.report", map[string]string{"challenge": "cert.reports.error.challenge"})
	errExpired   = errs.Field("cert.report", map[string]string{"challenge": "cert.reports.error.challenge_expired"})
	errUsed      = errs.Field("cert.report", map[string]string{"challenge": "cert.reports.error.challenge_used"})
	errAnswer    = errs.Field("cert.report", map[string]string{"answer": "cert.reports.error.answer"})
)

// Prepare makes sure the challenge key exists, creating it on first start;
// every instance reads the same key. Call it once at wiring.
func (s *Service) Prepare(ctx context.Context) error {
	const op = "cert.reports.Prepare"
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return errs.Wrap(op, err)
	}
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO cert_report_keys (name, secret, created_at) VALUES ('challenge', $1, $2)
		ON CONFLICT (name) DO NOTHING`, hex.EncodeToString(secret), s.Clock.Now()); err != nil {
		return errs.Wrap(op, err)
	}
	var stored string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT secret FROM cert_report_keys WHERE name = 'challenge'`).Scan(&stored); err != nil {
		return errs.Wrap(op, err)
	}
	key, err := hex.DecodeString(stored)
	if err != nil || len(key) < 32 {
		return errs.Wrap(op, errors.New("stored challenge key is malformed"))
	}
	s.key = key
	return nil
}

func (s *Service) bits() int {
	if s.Bits > 0 {
		return s.Bits
	}
	return DefaultBits
}

func (s *Service) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("cert.report\x00" + strings.Join(parts, "\x00")))
	return m.Sum(nil)
}

// NewChallenge makes a challenge whose question is written for p's language.
func (s *Service) NewChallenge(p *i18n.Printer) (Challenge, error) {
	var raw [18]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Challenge{}, errs.Wrap("challenge", err)
	}
	nonce := base64.RawURLEncoding.EncodeToString(raw[:16])
	a, b := int(raw[16]%10)+1, int(raw[17]%10)+1
	exp := s.Clock.Now().Add(ChallengeTTL).Truncate(time.Second)
	bits := s.bits()
	tag := base64.RawURLEncoding.EncodeToString(s.mac("answer", nonce, strconv.Itoa(a+b))[:12])
	body := strings.Join([]string{"v1", nonce, strconv.FormatInt(exp.Unix(), 10), strconv.Itoa(bits), tag}, ".")
	token := body + "." + base64.RawURLEncoding.EncodeToString(s.mac("token", body)[:16])
	q := p.T("cert.reports.question", "a", p.T("cert.reports.number."+strconv.Itoa(a)), "b", p.T("cert.reports.number."+strconv.Itoa(b)))
	return Challenge{Token: token, Bits: bits, Question: q, Expires: exp}, nil
}

// parsed is a challenge the server signed.
type parsed struct {
	nonce   string
	expires time.Time
	bits    int
	tag     string
}

func (s *Service) parse(token string) (parsed, error) {
	if len(token) > 300 {
		return parsed{}, errChallenge
	}
	f := strings.Split(token, ".")
	if len(f) != 6 || f[0] != "v1" {
		return parsed{}, errChallenge
	}
	mac, err := base64.RawURLEncoding.DecodeString(f[5])
	if err != nil || !hmac.Equal(mac, s.mac("token", strings.Join(f[:5], "."))[:16]) {
		return parsed{}, errChallenge
	}
	exp, err1 := strconv.ParseInt(f[2], 10, 64)
	b, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil {
		return parsed{}, errChallenge
	}
	return parsed{nonce: f[1], expires: time.Unix(exp, 0).UTC(), bits: b, tag: f[4]}, nil
}

// LeadingZeros counts the leading zero bits of SHA-256(token ":" work).
func LeadingZeros(token, work string) int {
	sum := sha256.Sum256([]byte(token + ":" + work))
	n := 0
	for i := 0; i < len(sum); i += 8 {
		w := binary.BigEndian.Uint64(sum[i:])
		n += bits.LeadingZeros64(w)
		if w != 0 {
			break
		}
	}
	return n
}

// Solve finds the proof of work of a challenge: what the page's script
// does, for tests and for API clients written in Go.
func Solve(token string, bits int) string {
	for i := 0; ; i++ {
		w := strconv.Itoa(i)
		if LeadingZeros(token, w) >= bits {
			return w
		}
	}
}

// verify checks a proof, and uses the challenge's nonce up in tx: a
// challenge answers once.
func (s *Service) verify(ctx context.Context, tx *sql.Tx, pr Proof) error {
	c, err := s.parse(strings.TrimSpace(pr.Challenge))
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	if !now.Before(c.expires) {
		return errExpired
	}
	work := strings.TrimSpace(pr.Work)
	switch {
	case work != "" && len(work) <= 20:
		if LeadingZeros(strings.TrimSpace(pr.Challenge), work) < c.bits {
			return errChallenge
		}
	case strings.TrimSpace(pr.Answer) != "":
		n, ok := number(pr.Answer)
		if !ok || base64.RawURLEncoding.EncodeToString(s.mac("answer", c.nonce, strconv.Itoa(n))[:12]) != c.tag {
			return errAnswer
		}
	default:
		return errAnswer
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM cert_report_nonces WHERE expires_at < $1`, now); err != nil {
		return errs.Wrap("challenge", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO cert_report_nonces (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING`,
		c.nonce, c.expires)
	if err != nil {
		return errs.Wrap("challenge", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errUsed
	}
	return nil
}

// number reads a small whole number written with the digits of any of the
// platform's languages (ASCII, Arabic-Indic, Eastern Arabic-Indic, full width).
func number(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 12 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		var d rune
		switch {
		case r >= '0' && r <= '9':
			d = r - '0'
		case r >= '٠' && r <= '٩':
			d = r - '٠'
		case r >= '۰' && r <= '۹':
			d = r - '۰'
		case r >= '０' && r <= '９':
			d = r - '０'
		default:
			return 0, false
		}
		n = n*10 + int(d)
	}
	return n, n <= 1000
}
