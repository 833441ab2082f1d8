package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"harambee.africa/harambee/internal/seal"
)

// testKey is a fixed key, so that values sealed by earlier releases can be
// checked to still open.
func testKey() []byte {
	key := make([]byte, seal.KeySize)
	for i := range key {
		key[i] = byte(i * 7)
	}
	return key
}

func mustNew(t *testing.T, key []byte) *seal.Sealer {
	t.Helper()
	s, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpen(t *testing.T) {
	s := mustNew(t, testKey())
	const id, plain = "0190c0de-0000-7000-8000-000000000001", "s3cret password"
	sealed := s.Seal(id, plain)

	t.Run("RoundTrip", func(t *testing.T) {
		if !strings.HasPrefix(sealed, seal.Prefix) || !seal.IsSealed(sealed) || strings.Contains(sealed, plain) {
			t.Fatalf("sealed = %q", sealed)
		}
		got, err := s.Open(id, sealed)
		if err != nil || got != plain {
			t.Fatalf("Open = %q, %v", got, err)
		}
		if again := s.Seal(id, plain); again == sealed {
			t.Error("two seals of one value are equal: the nonce is not fresh")
		}
	})

	// A value written by the feeds sealer before it moved here.
	t.Run("EarlierRelease", func(t *testing.T) {
		const old = "v1:Vuo2oa4Oah0/Jow9wUrpHGEC1U+iY57WOZOn2s/6Yr2Xb2v3+Ce0Lx8MtQ=="
		got, err := s.Open(id, old)
		if err != nil || got != plain {
			t.Fatalf("Open = %q, %v", got, err)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		if got := s.Seal(id, ""); got != "" {
			t.Errorf("Seal of empty = %q", got)
		}
		if got, err := s.Open(id, ""); got != "" || err != nil {
			t.Errorf("Open of empty = %q, %v", got, err)
		}
	})

	other := testKey()
	other[0] ^= 1
	tampered := []byte(sealed)
	tampered[len(tampered)-3] ^= 1
	for name, c := range map[string]struct {
		s      *seal.Sealer
		id, in string
	}{
		"OtherRecord": {s, "0190c0de-0000-7000-8000-000000000002", sealed},
		"OtherKey":    {mustNew(t, other), id, sealed},
		"Tampered":    {s, id, string(tampered)},
		"Plain":       {s, id, plain},
		"NotBase64":   {s, id, seal.Prefix + "***"},
		"Short":       {s, id, seal.Prefix + "AAAA"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := c.s.Open(c.id, c.in)
			if !errors.Is(err, seal.ErrOpen) || got != "" {
				t.Fatalf("Open = %q, %v; want ErrOpen", got, err)
			}
		})
	}
}

func TestNew(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := seal.New(make([]byte, n)); err == nil {
			t.Errorf("a key of %d bytes was accepted", n)
		}
	}
}

func TestOpenKey(t *testing.T) {
	t.Run("FileCreatedOnFirstUse", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "some-key")
		s1, err := seal.OpenKey("", path)
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("key file mode = %v, want 0600", info.Mode().Perm())
		}
		raw, _ := os.ReadFile(path)
		if key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw))); err != nil || len(key) != seal.KeySize || bytes.Equal(key, make([]byte, seal.KeySize)) {
			t.Fatalf("key file holds %q", raw)
		}
		s2, err := seal.OpenKey("", path)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s2.Open("id", s1.Seal("id", "x")); err != nil || got != "x" {
			t.Fatalf("the second opening of the file has another key: %q, %v", got, err)
		}
	})

	t.Run("ConcurrentFirstUse", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "some-key")
		sealers := make([]*seal.Sealer, 8)
		errs := make([]error, len(sealers))
		var wg sync.WaitGroup
		for i := range sealers {
			wg.Go(func() { sealers[i], errs[i] = seal.OpenKey("", path) })
		}
		wg.Wait()
		for i, s := range sealers {
			if errs[i] != nil {
				t.Fatalf("opening %d: %v", i, errs[i])
			}
			if _, err := s.Open("id", sealers[0].Seal("id", "x")); err != nil {
				t.Fatalf("opening %d has another key", i)
			}
		}
	})

	t.Run("EnvironmentWins", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "some-key")
		key := testKey()
		want := mustNew(t, key).Seal("id", "x")
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			s, err := seal.OpenKey(" "+enc.EncodeToString(key)+"\n", path)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := s.Open("id", want); err != nil || got != "x" {
				t.Fatalf("key from the environment: %q, %v", got, err)
			}
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Error("a key file was created although the environment holds the key")
		}
	})

	t.Run("FileWithKnownKey", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "some-key")
		if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(testKey())+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := seal.OpenKey("", path)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Open("id", mustNew(t, testKey()).Seal("id", "x")); err != nil || got != "x" {
			t.Fatalf("key from the file: %q, %v", got, err)
		}
	})

	bad := filepath.Join(t.TempDir(), "bad-key")
	if err := os.WriteFile(bad, []byte("not a key!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(t.TempDir(), "short-key")
	if err := os.WriteFile(short, []byte(base64.StdEncoding.EncodeToString(make([]byte, 16))), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ env, path, want string }{
		"EnvNotBase64":  {"not a key!", filepath.Join(t.TempDir(), "k"), "environment"},
		"EnvShort":      {base64.StdEncoding.EncodeToString(make([]byte, 16)), filepath.Join(t.TempDir(), "k"), "16 bytes"},
		"FileNotBase64": {"", bad, bad},
		"FileShort":     {"", short, short},
		"NoDirectory":   {"", filepath.Join(t.TempDir(), "missing", "k"), "key file"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := seal.OpenKey(c.env, c.path)
			if err == nil || s != nil {
				t.Fatal("a bad key was accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
			if strings.Contains(err.Error(), "not a key!") {
				t.Errorf("err = %v repeats the key material", err)
			}
		})
	}
}
