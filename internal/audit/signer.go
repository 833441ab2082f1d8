package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Signer signs checkpoints with an Ed25519 key kept in a file outside the
// database, so that whoever can rewrite the database cannot sign a rewritten
// head. Every instance that makes checkpoints must use the same key file.
type Signer struct {
	key ed25519.PrivateKey
}

// NewSigner returns a signer for key, for keys held elsewhere than a file.
func NewSigner(key ed25519.PrivateKey) *Signer { return &Signer{key: key} }

// OpenSigner loads the key in the file at path (PKCS #8, PEM), creating it with
// a new key and mode 0600 when the file does not exist. It refuses a key file
// that others than its owner may read or write.
func OpenSigner(path string) (*Signer, error) {
	key, err := readPrivateKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKey(path)
	}
	if err != nil {
		return nil, err
	}
	return &Signer{key: key}, nil
}

// PublicKey returns the key that verifies the signer's checkpoints.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// KeyID names the signer's key.
func (s *Signer) KeyID() string { return KeyID(s.PublicKey()) }

func (s *Signer) sign(msg []byte) []byte { return ed25519.Sign(s.key, msg) }

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex. It is
// stored with each checkpoint so that a failed verification can say which key
// had signed.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ReadPublicKey reads the public key in the file at path: a PEM "PUBLIC KEY"
// (as WritePublicKey writes), or the signer's own key file, from which the
// public key is derived.
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit public key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("audit public key %s: no PEM block", path)
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("audit public key %s: %w", path, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("audit public key %s: not an Ed25519 key", path)
		}
		return pub, nil
	case "PRIVATE KEY":
		key, err := parsePrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("audit public key %s: %w", path, err)
		}
		return key.Public().(ed25519.PublicKey), nil
	}
	return nil, fmt.Errorf("audit public key %s: unexpected PEM block %q", path, block.Type)
}

// WritePublicKey writes pub to the file at path as a PEM "PUBLIC KEY", for
// verifiers who must not hold the signing key.
func WritePublicKey(path string, pub ed25519.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fmt.Errorf("audit public key: %w", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("audit public key: %w", err)
	}
	return nil
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit key %s: mode %04o lets others read or write it; chmod 600 it", path, info.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("audit key %s: no PEM \"PRIVATE KEY\" block", path)
	}
	key, err := parsePrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	return key, nil
}

func parsePrivateKey(der []byte) (ed25519.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("not an Ed25519 key")
	}
	return key, nil
}

// createKey writes a new key to path without ever exposing a partial file:
// it writes a temporary file and links it into place, so that when two
// instances start together one key wins and both use it.
func createKey(path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".audit-key-*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readPrivateKey(path)
		}
		return nil, fmt.Errorf("audit key: %w", err)
	}
	return key, nil
}
