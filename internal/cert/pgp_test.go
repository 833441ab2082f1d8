package cert_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
)

// testKey builds OpenPGP version 4 keys with the standard library, so the
// tests make their own keys: a primary key, one user id and a positive
// self-signature (SHA-256) with an optional key lifetime.
type testKey struct {
	created  time.Time
	lifetime time.Duration // 0: never expires
	userID   string
	ed       ed25519.PrivateKey
	rsa      *rsa.PrivateKey
	tamper   bool // spoil the self-signature
	secret   bool // emit a secret-key packet, as an exported private key has
}

func packet(tag byte, body []byte) []byte {
	var h []byte
	switch n := len(body); {
	case n < 192:
		h = []byte{0xc0 | tag, byte(n)}
	case n < 8384:
		n -= 192
		h = []byte{0xc0 | tag, byte(n>>8) + 192, byte(n)}
	default:
		h = binary.BigEndian.AppendUint32([]byte{0xc0 | tag, 255}, uint32(n))
	}
	return append(h, body...)
}

func mpiOf(b []byte) []byte {
	b = bytes.TrimLeft(b, "\x00")
	bits := len(b) * 8
	if len(b) > 0 {
		for m := byte(0x80); m > 0 && b[0]&m == 0; m >>= 1 {
			bits--
		}
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(bits)), b...)
}

func (k *testKey) publicBody() []byte {
	b := binary.BigEndian.AppendUint32([]byte{4}, uint32(k.created.Unix()))
	if k.rsa != nil {
		b = append(b, 1)
		b = append(b, mpiOf(k.rsa.N.Bytes())...)
		return append(b, mpiOf(big.NewInt(int64(k.rsa.E)).Bytes())...)
	}
	b = append(b, 22, 9, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01)
	return append(b, mpiOf(append([]byte{0x40}, k.ed.Public().(ed25519.PublicKey)...))...)
}

func (k *testKey) armored(t *testing.T) string {
	t.Helper()
	kind := "PUBLIC"
	if k.secret {
		kind = "PRIVATE"
	}
	return armor(kind, k.packets(t))
}

// packets are the key's packets, unarmoured.
func (k *testKey) packets(t *testing.T) []byte {
	t.Helper()
	pub := k.publicBody()
	algo := byte(22)
	if k.rsa != nil {
		algo = 1
	}
	hashed := []byte{5, 2}
	hashed = binary.BigEndian.AppendUint32(hashed, uint32(k.created.Unix()))
	if k.lifetime > 0 {
		hashed = append(hashed, 5, 9)
		hashed = binary.BigEndian.AppendUint32(hashed, uint32(k.lifetime/time.Second))
	}
	sigData := append([]byte{4, 0x13, algo, 8}, binary.BigEndian.AppendUint16(nil, uint16(len(hashed)))...)
	sigData = append(sigData, hashed...)
	h := sha256.New()
	h.Write([]byte{0x99, byte(len(pub) >> 8), byte(len(pub))})
	h.Write(pub)
	h.Write([]byte{0xb4})
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(k.userID))))
	h.Write([]byte(k.userID))
	h.Write(sigData)
	h.Write([]byte{4, 0xff})
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(sigData))))
	digest := h.Sum(nil)
	var values []byte
	if k.rsa != nil {
		s, err := rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, digest)
		if err != nil {
			t.Fatal(err)
		}
		values = mpiOf(s)
	} else {
		s := ed25519.Sign(k.ed, digest)
		values = append(mpiOf(s[:32]), mpiOf(s[32:])...)
	}
	if k.tamper {
		values[len(values)-1] ^= 1
	}
	sig := append(sigData, 0, 0) // no unhashed subpackets
	sig = append(sig, digest[:2]...)
	sig = append(sig, values...)
	tag := byte(6)
	if k.secret {
		tag = 5
		pub = append(pub, 0) // unprotected secret material follows
		pub = append(pub, mpiOf(k.ed.Seed())...)
	}
	raw := append(packet(tag, pub), packet(13, []byte(k.userID))...)
	return append(raw, packet(2, sig)...)
}

func armor(kind string, raw []byte) string {
	enc := base64.StdEncoding.EncodeToString(raw)
	var b strings.Builder
	b.WriteString("-----BEGIN PGP " + kind + " KEY BLOCK-----\n\n")
	for len(enc) > 64 {
		b.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	b.WriteString(enc + "\n-----END PGP " + kind + " KEY BLOCK-----\n")
	return b.String()
}

func newEd(t *testing.T, created time.Time, lifetime time.Duration) *testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{created: created, lifetime: lifetime, userID: "KE-CERT <pgp@cert.example.ke>", ed: priv}
}

// keyError is the message key of the error on the pgp_key field.
func keyError(err error) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Fields != nil {
		return e.Fields["pgp_key"]
	}
	return ""
}

var day = 24 * time.Hour

func TestParseKeyFromGnuPG(t *testing.T) {
	// Made with GnuPG 2 (gpg --quick-gen-key), fingerprints as gpg --with-colons printed them.
	for _, c := range []struct {
		file, fpr, algo string
		bits            int
		uid             string
		expires         string
	}{
		{"gpg-rsa2048.asc", "B2BA2617C0C90E2C254E8C53325ED775B556A499", "RSA", 2048, "KE-CERT <pgp@ke-cert.example>", "2028-11-26"},
		{"gpg-ed25519.asc", "640252BACCE1E986DA01A308D7A9E3B63503240D", "EdDSA (Ed25519)", 256, "TZ-CERT <pgp@tz.example>", ""},
	} {
		raw, err := os.ReadFile("testdata/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		k, err := cert.ParseKey(string(raw), at)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if k.Fingerprint != c.fpr || k.Algorithm != c.algo || k.Bits != c.bits || len(k.UserIDs) != 1 || k.UserIDs[0] != c.uid {
			t.Errorf("%s: %+v", c.file, k)
		}
		if got := ""; k.Expires != nil {
			got = k.Expires.Format(time.DateOnly)
			if got != c.expires {
				t.Errorf("%s expires %s, want %s", c.file, got, c.expires)
			}
		} else if c.expires != "" {
			t.Errorf("%s: no expiry, want %s", c.file, c.expires)
		}
		if g := k.Grouped(); len(g) != 49 || g[:9] != c.fpr[:4]+" "+c.fpr[4:8] {
			t.Errorf("grouped %q", g)
		}
		if c.expires != "" {
			if _, err := cert.ParseKey(string(raw), time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)); keyError(err) != "cert.error.key_expired" {
				t.Errorf("%s after expiry: %v", c.file, err)
			}
		}
	}
}

func TestParseKey(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	good := newEd(t, now.Add(-30*day), 365*day)
	k, err := cert.ParseKey(good.armored(t), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Fingerprint) != 40 || k.Algorithm != "EdDSA (Ed25519)" || k.Expires == nil || !k.Expires.Equal(good.created.Add(365*day)) ||
		!k.Created.Equal(good.created) || k.UserIDs[0] != good.userID {
		t.Errorf("parsed %+v", k)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rk := &testKey{created: now.Add(-day), userID: "NG-CERT <pgp@cert.example.ng>", rsa: rsaKey}
	if k, err := cert.ParseKey(rk.armored(t), now); err != nil || k.Algorithm != "RSA" || k.Bits != 2048 || k.Expires != nil {
		t.Errorf("rsa: %+v %v", k, err)
	}
	expired := newEd(t, now.Add(-400*day), 365*day)
	tampered := newEd(t, now.Add(-day), 0)
	tampered.tamper = true
	secret := newEd(t, now.Add(-day), 0)
	secret.secret = true
	for _, c := range []struct {
		name, armored, want string
	}{
		{"expired", expired.armored(t), "cert.error.key_expired"},
		{"bad self-signature", tampered.armored(t), "cert.error.key_unsigned"},
		{"private key", secret.armored(t), "cert.error.key_private"},
		{"private packet in a public block", strings.ReplaceAll(secret.armored(t), "PRIVATE", "PUBLIC"), "cert.error.key_private"},
		{"two keys", armor("PUBLIC", append(good.packets(t), newEd(t, now.Add(-day), 0).packets(t)...)), "cert.error.key_several"},
		{"garbage", "hello, this is not a key", "cert.error.key_parse"},
		{"bad base64", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----", "cert.error.key_parse"},
		{"truncated", good.armored(t)[:200] + "\n-----END PGP PUBLIC KEY BLOCK-----", "cert.error.key_parse"},
		{"message, not a key", strings.ReplaceAll(good.armored(t), "PUBLIC KEY BLOCK", "MESSAGE"), "cert.error.key_parse"},
		{"too large", strings.Repeat("A", cert.MaxKeyBytes+1), "cert.error.key_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := cert.ParseKey(c.armored, now); keyError(err) != c.want {
				t.Errorf("got %v, want %s", err, c.want)
			}
		})
	}
}

func FuzzParseKey(f *testing.F) {
	for _, name := range []string{"gpg-rsa2048.asc", "gpg-ed25519.asc"} {
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(raw))
	}
	f.Add("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ==\n-----END PGP PUBLIC KEY BLOCK-----")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := cert.ParseKey(s, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		if err == nil && len(k.Fingerprint) != 40 {
			t.Fatalf("fingerprint %q", k.Fingerprint)
		}
	})
}
