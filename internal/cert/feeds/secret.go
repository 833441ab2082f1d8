package feeds

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Sealer seals subscription credentials with AES-256-GCM, bound to the
// subscription's id, so that a copy of the database alone does not give
// them away. The key comes from HARAMBEE_FEEDS_KEY or from a file in the
// data directory (see OpenSealer).
type Sealer struct{ aead cipher.AEAD }

// KeySize is the length of the key in bytes.
const KeySize = 32

const sealPrefix = "v1:"

var errSealed = errors.New("feeds: sealed credentials do not open with this key")

// NewSealer returns a sealer with key, which must be KeySize bytes.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("feeds key: %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("feeds key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("feeds key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// OpenSealer returns the sealer of the key in env (base64, standard or URL
// alphabet) when it is set, else of the key in the file at path, which is
// created (mode 0600) with a random key on first use. Instances that share
// one PostgreSQL database must share the key: set the variable on each.
func OpenSealer(env, path string) (*Sealer, error) {
	if env = strings.TrimSpace(env); env != "" {
		key, err := decodeKey(env)
		if err != nil {
			return nil, fmt.Errorf("HARAMBEE_FEEDS_KEY: %w", err)
		}
		return NewSealer(key)
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, KeySize)
		rand.Read(key)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("feeds key: %w", err)
		}
		if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("feeds key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("feeds key: %w", err)
		}
		return NewSealer(key)
	}
	if err != nil {
		return nil, fmt.Errorf("feeds key: %w", err)
	}
	key, err := decodeKey(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("feeds key %s: %w", path, err)
	}
	return NewSealer(key)
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			return key, nil
		}
	}
	return nil, errors.New("not base64")
}

// Seal returns plain sealed for the record id; "" stays "".
func (s *Sealer) Seal(id, plain string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte(id))
	return sealPrefix + base64.StdEncoding.EncodeToString(out)
}

// Open returns what Seal sealed for the record id.
func (s *Sealer) Open(id, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, sealPrefix))
	if err != nil || !strings.HasPrefix(sealed, sealPrefix) || len(raw) < s.aead.NonceSize() {
		return "", errSealed
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(id))
	if err != nil {
		return "", errSealed
	}
	return string(plain), nil
}
