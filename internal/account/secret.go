package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"net/url"

	"github.com/google/uuid"
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns a random secret of 160 bits, safe in URLs and cookies.
func newSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return b32.EncodeToString(b)
}

// digest is how secrets are stored: only their SHA-256.
func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newID returns a time-ordered UUIDv7.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
