package blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"harambee.africa/harambee/internal/blob"
)

const secret = "S3cret-Never-Logged"

// TestLocal runs the conformance suite against local disk.
func TestLocal(t *testing.T) {
	testStore(t, func(t *testing.T) blob.Store {
		s, err := blob.Open(t.Context(), "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestS3 runs the conformance suite against an in-process fake S3 service.
func TestS3(t *testing.T) {
	testStore(t, func(t *testing.T) blob.Store {
		return newFakeS3(t, "harambee", "some/prefix").store
	})
}

// fakeS3 is an in-memory S3 service and a store opened on one of its
// buckets. gets records the Range header of every GET it answered.
type fakeS3 struct {
	backend *s3mem.Backend
	server  *httptest.Server
	store   blob.Store
	mu      sync.Mutex
	gets    []string
}

// newFakeS3 starts a fake service with bucket (none when "") and opens a
// store on it under prefix.
func newFakeS3(t *testing.T, bucket, prefix string) *fakeS3 {
	t.Helper()
	f := &fakeS3{backend: s3mem.New()}
	if bucket != "" {
		if err := f.backend.CreateBucket(bucket); err != nil {
			t.Fatal(err)
		}
	}
	api := gofakes3.New(f.backend).Server()
	f.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && !r.URL.Query().Has("location") {
			f.mu.Lock()
			f.gets = append(f.gets, r.Header.Get("Range"))
			f.mu.Unlock()
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(f.server.Close)
	if bucket != "" {
		s, err := blob.Open(t.Context(), f.url(bucket, prefix), "")
		if err != nil {
			t.Fatal(err)
		}
		f.store = s
	}
	return f
}

// url is the blob URL of bucket/prefix on the fake service.
func (f *fakeS3) url(bucket, prefix string) string {
	host := strings.TrimPrefix(f.server.URL, "http://")
	return fmt.Sprintf("s3://AKIAEXAMPLE:%s@%s/%s/%s?insecure=1&region=us-east-1", secret, host, bucket, prefix)
}

// content returns n bytes that differ from offset to offset.
func content(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// put stores data under key and fails the test on error.
func put(t *testing.T, s blob.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), "application/octet-stream"); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// read returns what is stored under key and fails the test on error.
func read(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	o, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer o.Close()
	got, err := io.ReadAll(o)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if o.Size() != int64(len(got)) {
		t.Fatalf("%s: Size() = %d, read %d bytes", key, o.Size(), len(got))
	}
	return got
}

// missing fails the test unless Open of key says it does not exist.
func missing(t *testing.T, s blob.Store, key string) {
	t.Helper()
	o, err := s.Open(t.Context(), key)
	if err == nil {
		o.Close()
		t.Fatalf("open %s: found, want fs.ErrNotExist", key)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open %s: %v, want fs.ErrNotExist", key, err)
	}
}

// failingReader yields n bytes of data and then fails.
type failingReader struct {
	data []byte
}

var errBroken = errors.New("connection dropped")

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errBroken
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// testStore is the behaviour every Store has; open returns a fresh, empty one.
func testStore(t *testing.T, open func(t *testing.T) blob.Store) {
	t.Run("PutOpenReadSeek", func(t *testing.T) {
		s := open(t)
		data := content(100_000)
		put(t, s, "files/0190a1b2/original.jpg", data)
		o, err := s.Open(t.Context(), "files/0190a1b2/original.jpg")
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		if o.Size() != int64(len(data)) {
			t.Fatalf("Size() = %d, want %d", o.Size(), len(data))
		}
		for _, c := range []struct {
			offset int64
			whence int
			at     int64
		}{{5000, io.SeekStart, 5000}, {-10, io.SeekEnd, 99_990}, {-20_000, io.SeekCurrent, 80_000}, {0, io.SeekStart, 0}} {
			at, err := o.Seek(c.offset, c.whence)
			if err != nil || at != c.at {
				t.Fatalf("Seek(%d, %d) = %d, %v; want %d", c.offset, c.whence, at, err, c.at)
			}
			got := make([]byte, 10)
			n, err := io.ReadFull(o, got)
			want := data[at:min(at+10, int64(len(data)))]
			if !bytes.Equal(got[:n], want) || (err != nil && n != len(want)) {
				t.Fatalf("after Seek(%d, %d): read %d bytes %v (%v), want %v", c.offset, c.whence, n, got[:n], err, want)
			}
		}
		if _, err := o.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(o); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read all: %d bytes, %v; want the %d bytes put", len(got), err, len(data))
		}
	})

	t.Run("UnknownSize", func(t *testing.T) {
		s := open(t)
		data := content(3000)
		if err := s.Put(t.Context(), "a/b", bytes.NewReader(data), -1, "text/plain"); err != nil {
			t.Fatal(err)
		}
		if got := read(t, s, "a/b"); !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, want the %d put", len(got), len(data))
		}
	})

	t.Run("Empty", func(t *testing.T) {
		s := open(t)
		put(t, s, "empty", nil)
		if got := read(t, s, "empty"); len(got) != 0 {
			t.Fatalf("read %d bytes, want 0", len(got))
		}
	})

	t.Run("Replace", func(t *testing.T) {
		s := open(t)
		put(t, s, "doc.pdf", []byte("first version, longer than the second"))
		put(t, s, "doc.pdf", []byte("second"))
		if got := read(t, s, "doc.pdf"); string(got) != "second" {
			t.Fatalf("read %q, want %q", got, "second")
		}
	})

	t.Run("KeysAreSeparate", func(t *testing.T) {
		s := open(t)
		put(t, s, "a/x", []byte("ax"))
		put(t, s, "b/x", []byte("bx"))
		put(t, s, "a/x.webp", []byte("ax.webp"))
		for key, want := range map[string]string{"a/x": "ax", "b/x": "bx", "a/x.webp": "ax.webp"} {
			if got := read(t, s, key); string(got) != want {
				t.Errorf("%s: read %q, want %q", key, got, want)
			}
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		put(t, s, "audio/clip.ogg", []byte("ogg"))
		put(t, s, "audio/other.ogg", []byte("other"))
		if err := s.Delete(t.Context(), "audio/clip.ogg"); err != nil {
			t.Fatal(err)
		}
		missing(t, s, "audio/clip.ogg")
		if got := read(t, s, "audio/other.ogg"); string(got) != "other" {
			t.Fatalf("the neighbour reads %q after a delete", got)
		}
	})

	t.Run("DeleteMissing", func(t *testing.T) {
		s := open(t)
		for _, key := range []string{"never/put", "never"} {
			if err := s.Delete(t.Context(), key); err != nil {
				t.Fatalf("delete %s: %v", key, err)
			}
		}
		put(t, s, "dir/file", []byte("x"))
		for _, key := range []string{"dir", "dir/file/below"} {
			if err := s.Delete(t.Context(), key); err != nil {
				t.Fatalf("delete %s: %v", key, err)
			}
		}
		if got := read(t, s, "dir/file"); string(got) != "x" {
			t.Fatalf("dir/file reads %q after deleting its neighbours", got)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s := open(t)
		missing(t, s, "no/such/key")
		put(t, s, "dir/file", []byte("x"))
		missing(t, s, "dir")           // only a prefix of a key
		missing(t, s, "dir/file/more") // below a key
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		s := open(t)
		for _, key := range []string{"../x", "/x", "a//b", "", "A B", "a/../b", "..", ".", "a/", "Upper", "é", "a\\b", "a/.hidden", "x.tmp", "a/.put-1.tmp", strings.Repeat("k", 600)} {
			if err := s.Put(t.Context(), key, strings.NewReader("x"), 1, "text/plain"); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
			}
			if o, err := s.Open(t.Context(), key); !errors.Is(err, blob.ErrInvalidKey) {
				if err == nil {
					o.Close()
				}
				t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
			}
			if err := s.Delete(t.Context(), key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
			}
		}
	})

	t.Run("FailedPutKeepsOld", func(t *testing.T) {
		s := open(t)
		old := []byte("the old bytes")
		put(t, s, "img/a.png", old)
		err := s.Put(t.Context(), "img/a.png", &failingReader{content(5000)}, 10_000, "image/png")
		if err == nil {
			t.Fatal("Put from a failing reader succeeded")
		}
		if got := read(t, s, "img/a.png"); !bytes.Equal(got, old) {
			t.Fatalf("after a failed Put the key reads %d bytes, want the old %d", len(got), len(old))
		}
		if err := s.Put(t.Context(), "img/b.png", &failingReader{content(5000)}, -1, "image/png"); err == nil {
			t.Fatal("Put of unknown size from a failing reader succeeded")
		}
		missing(t, s, "img/b.png")
	})

	t.Run("ShortReader", func(t *testing.T) {
		s := open(t)
		put(t, s, "short", []byte("old"))
		// Not seekable: minio-go would retry a seekable reader ten times.
		short := io.MultiReader(bytes.NewReader(content(50)))
		if err := s.Put(t.Context(), "short", short, 100, "text/plain"); err == nil {
			t.Fatal("Put of 50 bytes announced as 100 succeeded")
		}
		if got := read(t, s, "short"); string(got) != "old" {
			t.Fatalf("after a short Put the key reads %q, want %q", got, "old")
		}
	})

	t.Run("ServeContentRange", func(t *testing.T) {
		s := open(t)
		data := content(1000)
		put(t, s, "video/v.mp4", data)
		o, err := s.Open(t.Context(), "video/v.mp4")
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		r := httptest.NewRequest("GET", "/files/v.mp4", nil)
		r.Header.Set("Range", "bytes=10-19")
		w := httptest.NewRecorder()
		http.ServeContent(w, r, "v.mp4", time.Time{}, o)
		if w.Code != http.StatusPartialContent {
			t.Fatalf("status %d, want 206", w.Code)
		}
		if got := w.Body.Bytes(); !bytes.Equal(got, data[10:20]) {
			t.Fatalf("body %v, want %v", got, data[10:20])
		}
		if got := w.Header().Get("Content-Range"); got != "bytes 10-19/1000" {
			t.Fatalf("Content-Range %q, want %q", got, "bytes 10-19/1000")
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		s := open(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := s.Put(ctx, "late", strings.NewReader("x"), 1, "text/plain"); err == nil {
			t.Fatal("Put with a cancelled context succeeded")
		}
		missing(t, s, "late")
	})

	t.Run("String", func(t *testing.T) {
		s := open(t)
		if d := s.String(); d == "" || strings.Contains(d, secret) {
			t.Fatalf("String() = %q: empty or holding the secret", d)
		}
	})
}

// TestS3RangeReadsOnlyTheRange checks that serving a range of a large
// object asks the service for that range, not the object.
func TestS3RangeReadsOnlyTheRange(t *testing.T) {
	f := newFakeS3(t, "harambee", "")
	data := content(4 << 20)
	put(t, f.store, "big.bin", data)
	f.mu.Lock()
	f.gets = nil
	f.mu.Unlock()
	o, err := f.store.Open(t.Context(), "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	r := httptest.NewRequest("GET", "/big.bin", nil)
	r.Header.Set("Range", "bytes=3000000-3000099")
	w := httptest.NewRecorder()
	http.ServeContent(w, r, "big.bin", time.Time{}, o)
	if w.Code != http.StatusPartialContent || !bytes.Equal(w.Body.Bytes(), data[3_000_000:3_000_100]) {
		t.Fatalf("status %d, %d bytes; want 206 and the 100 bytes asked for", w.Code, w.Body.Len())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.gets) == 0 {
		t.Fatal("no GET reached the service")
	}
	for _, rng := range f.gets {
		if !strings.HasPrefix(rng, "bytes=3000000-") {
			t.Fatalf("GETs with ranges %q, want each to start at the range asked for", f.gets)
		}
	}
}

// TestS3Prefix checks that keys live under the URL's prefix in the bucket.
func TestS3Prefix(t *testing.T) {
	f := newFakeS3(t, "harambee", "/tenant/blobs/")
	put(t, f.store, "a/b.txt", []byte("hello"))
	obj, err := f.backend.HeadObject("harambee", "tenant/blobs/a/b.txt")
	if err != nil {
		t.Fatalf("object not under the prefix: %v", err)
	}
	if obj.Size != 5 {
		t.Fatalf("object size %d, want 5", obj.Size)
	}
	if got := obj.Metadata["Content-Type"]; got != "application/octet-stream" {
		t.Errorf("content type %q, want application/octet-stream", got)
	}
	if d := f.store.String(); !strings.Contains(d, "/harambee/tenant/blobs/") || strings.Contains(d, secret) || strings.Contains(d, "AKIAEXAMPLE") {
		t.Errorf("String() = %q, want the bucket and prefix and no credentials", d)
	}
}
