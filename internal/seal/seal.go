// Package seal keeps short secrets that the platform must read back (TOTP
// secrets, the credentials of remote servers) encrypted at rest, so that a
// copy of the database alone does not give them away.
//
// A Sealer encrypts with AES-256-GCM and binds each value to the id of the
// record that holds it: a sealed value copied onto another row does not
// open. Sealed values are text, "v1:" followed by base64 of nonce and
// ciphertext. Each module that seals has its own key, from an environment
// variable or else from a file in the data directory (see OpenKey).
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a key in bytes.
const KeySize = 32

// Prefix starts every sealed value.
const Prefix = "v1:"

// ErrOpen means a sealed value does not open: it was sealed with another
// key or for another record, or it was altered.
var ErrOpen = errors.New("sealed value does not open with this key")

// Sealer seals and opens values with one key.
type Sealer struct{ aead cipher.AEAD }

// New returns a sealer with key, which must be KeySize bytes.
func New(key []byte) (*Sealer, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return s, nil
}

func newSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("key of %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// OpenKey returns the sealer of the key in env, the value of an environment
// variable (base64, standard or URL alphabet, padded or not), when it is
// set; else of the key in the file at path, which is created (mode 0600)
// with a random key on first use. Instances that share one PostgreSQL
// database must share the key: set the variable on each.
func OpenKey(env, path string) (*Sealer, error) {
	if env = strings.TrimSpace(env); env != "" {
		s, err := fromText(env)
		if err != nil {
			return nil, fmt.Errorf("seal: key in the environment: %w", err)
		}
		return s, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		var key []byte
		if key, err = createKey(path); err == nil {
			return New(key)
		}
		if errors.Is(err, fs.ErrExist) {
			// Another process created it meanwhile: use theirs.
			raw, err = os.ReadFile(path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	s, err := fromText(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	return s, nil
}

// fromText returns the sealer of a base64 key.
func fromText(s string) (*Sealer, error) {
	key, err := decodeKey(s)
	if err != nil {
		return nil, err
	}
	return newSealer(key)
}

// createKey writes a new random key to path, which must not exist. The
// file appears whole: written under a temporary name, then linked into
// place, so a process starting at the same time never reads half a key.
func createKey(path string) ([]byte, error) {
	key := make([]byte, KeySize)
	rand.Read(key)
	f, err := os.CreateTemp(filepath.Dir(path), ".key-*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name()) // CreateTemp made it 0600
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(f.Name(), path); err != nil {
		return nil, err
	}
	return key, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			return key, nil
		}
	}
	return nil, errors.New("not base64")
}

// IsSealed reports whether v has the form of a sealed value. It tells
// sealed from plain only where plain values cannot start with Prefix, as
// base32 TOTP secrets cannot.
func IsSealed(v string) bool { return strings.HasPrefix(v, Prefix) }

// Seal returns plain sealed for the record id; "" stays "".
func (s *Sealer) Seal(id, plain string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte(id))
	return Prefix + base64.StdEncoding.EncodeToString(out)
}

// Open returns what Seal sealed for the record id; "" stays "". Anything
// else that does not open, plain values included, is ErrOpen.
func (s *Sealer) Open(id, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	body, ok := strings.CutPrefix(sealed, Prefix)
	if !ok {
		return "", ErrOpen
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", ErrOpen
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(id))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}
