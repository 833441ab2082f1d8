// Package blob keeps the bytes of uploaded files: on local disk under the
// data directory by default, or in any S3-compatible store named by
// --blob-url. The platform keeps what the bytes mean (owner, type, name) in
// the database; a Store only maps keys to bytes.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// Dir is the directory under the data directory where the default local
// store keeps blobs (and where the backup command looks for them).
const Dir = "blobs"

// Store keeps bytes under keys. Keys are made by the platform: lowercase
// letters, digits, '-', '_', '.', and '/' between parts; never empty, never
// "..", no leading '/'. Invalid keys are refused with an error that wraps
// ErrInvalidKey.
type Store interface {
	// Put stores r (size bytes, or -1 when unknown) under key, replacing what
	// was there. A failed Put leaves nothing readable under key.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open opens a stored object for reading with seeking; http.ServeContent
	// can serve byte ranges from it without reading the whole object. A
	// missing key gives an error for which errors.Is(err, fs.ErrNotExist).
	Open(ctx context.Context, key string) (Object, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// String describes the store for logs, never with secrets.
	String() string
}

// Object is an open stored object.
type Object interface {
	io.ReadSeekCloser
	Size() int64
}

// ErrInvalidKey is wrapped by the error for a key that breaks the key rules.
var ErrInvalidKey = errors.New("invalid blob key")

// maxKeyLen keeps keys well inside S3's limit of 1024 bytes, with room for
// a prefix.
const maxKeyLen = 512

// checkKey reports whether key follows the key rules. Beyond the rules in
// the Store documentation, no part may start with '.' or end in ".tmp":
// those names mark writes in progress, which Local and the backup skip.
func checkKey(key string) error {
	if key == "" || len(key) > maxKeyLen {
		return fmt.Errorf("%w %q", ErrInvalidKey, key)
	}
	for part := range strings.SplitSeq(key, "/") {
		if part == "" || part[0] == '.' || strings.HasSuffix(part, ".tmp") {
			return fmt.Errorf("%w %q", ErrInvalidKey, key)
		}
		for _, c := range []byte(part) {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
				return fmt.Errorf("%w %q", ErrInvalidKey, key)
			}
		}
	}
	return nil
}

// accepted names the blob URL forms, for errors.
const accepted = `use "" (the data directory), file:///absolute/path, or s3://ACCESS_KEY:SECRET@host[:port]/bucket[/prefix][?region=R&insecure=1&virtual=1] (percent-encode any '/', '@', '?', '#' or '%' in the secret)`

// Open returns the store a blob URL names:
//
//	""                       local disk under dataDir/blobs
//	"file:///abs/path"       local disk under that directory
//	"s3://ACCESS_KEY:SECRET@host[:port]/bucket[/prefix]?region=xx&insecure=1"
//	                         an S3-compatible service over HTTPS, or HTTP
//	                         with insecure=1; path-style addressing unless
//	                         virtual=1; the bucket must exist.
//
// Anything else is an error naming the accepted forms. Errors never contain
// the secret.
func Open(ctx context.Context, blobURL, dataDir string) (Store, error) {
	if blobURL == "" {
		return NewLocal(filepath.Join(dataDir, Dir))
	}
	u, err := url.Parse(blobURL)
	if err != nil {
		// The parse error repeats parts of the URL, perhaps of the secret.
		return nil, fmt.Errorf("blob: --blob-url is not a valid URL; %s", accepted)
	}
	switch u.Scheme {
	case "file":
		if u.Opaque != "" || (u.Host != "" && u.Host != "localhost") || !strings.HasPrefix(u.Path, "/") || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("blob: --blob-url file: needs an absolute path, as in file:///var/lib/harambee/blobs; %s", accepted)
		}
		return NewLocal(filepath.FromSlash(u.Path))
	case "s3":
		cfg, err := parseS3(u)
		if err != nil {
			return nil, fmt.Errorf("blob: --blob-url: %w; %s", err, accepted)
		}
		return openS3(ctx, cfg)
	}
	return nil, fmt.Errorf("blob: --blob-url: unknown scheme %q; %s", u.Scheme, accepted)
}
