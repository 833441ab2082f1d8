package blob

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
)

// Local keeps blobs as files under a directory, one file per key, the key's
// parts being directories. Every access goes through an os.Root, so neither
// a key nor a symbolic link can reach outside the directory. Content types
// are not kept: the platform records them with the file.
type Local struct {
	dir string
}

// NewLocal returns a store under dir, creating dir if needed.
func NewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Local{dir: abs}, nil
}

// String describes the store for logs.
func (l *Local) String() string { return "local disk " + l.dir }

// Put writes r to a temporary file beside the key's file, syncs it and
// renames it into place, so that readers see the old bytes or the new ones,
// never a part. The temporary name (".put-….tmp") is one the backup skips.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("blob: put: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	defer root.Close()
	dir := path.Dir(key)
	if err := root.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	tmp := path.Join(dir, ".put-"+rand.Text()+".tmp")
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := writeFile(ctx, f, r, size); err != nil {
		f.Close()
		root.Remove(tmp)
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		root.Remove(tmp)
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := root.Rename(tmp, key); err != nil {
		root.Remove(tmp)
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	// Make the rename itself durable. Best effort: not every system can
	// sync a directory, and the bytes are already on disk.
	if d, err := root.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// writeFile copies r into f, checks that it held size bytes (when size is
// known), and syncs f.
func writeFile(ctx context.Context, f *os.File, r io.Reader, size int64) error {
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err != nil {
		return err
	}
	if size >= 0 && n != size {
		return fmt.Errorf("read %d bytes, expected %d", n, size)
	}
	return f.Sync()
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Open opens the file of key. A key whose file is missing, or is a
// directory (because longer keys live under it), does not exist.
func (l *Local) Open(ctx context.Context, key string) (Object, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("blob: open: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	defer root.Close() // files opened through root stay open
	f, err := root.Open(key)
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", key, notExist(err))
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("blob: open %s: %w", key, fs.ErrNotExist)
	}
	return &localObject{File: f, size: info.Size()}, nil
}

// Delete removes the file of key. Directories that become empty stay: they
// cost little and another Put may need them at once.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("blob: delete: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	defer root.Close()
	info, err := root.Lstat(key)
	if err == nil && info.IsDir() {
		return nil // a directory is no blob
	}
	if err == nil {
		err = root.Remove(key)
	}
	if err != nil && !errors.Is(notExist(err), fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// notExist makes "a parent of the key is a file" read as "no such key", as
// it would on S3.
func notExist(err error) error {
	if errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w (%w)", fs.ErrNotExist, err)
	}
	return err
}

// localObject is an open file that knows its size.
type localObject struct {
	*os.File
	size int64
}

func (o *localObject) Size() int64 { return o.size }
