package backup_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"harambee.africa/harambee/internal/backup"
)

func TestRestore(t *testing.T) {
	ctx := context.Background()
	dataDir, _ := mustOpenDataDir(t)
	blob := []byte("a blob whose bytes a tamperer changes")
	writeBlob(t, dataDir, blob)
	archive, _ := mustBackup(t, dataDir)

	t.Run("ErrNotEmpty", func(t *testing.T) {
		target := t.TempDir()
		stray := filepath.Join(target, "notes.txt")
		if err := os.WriteFile(stray, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := backup.Restore(ctx, bytes.NewReader(archive), target)
		if !errors.Is(err, backup.ErrNotEmpty) {
			t.Fatalf("err = %v, want ErrNotEmpty", err)
		}
		if got := listTree(t, target); len(got) != 1 || got[0] != "notes.txt" {
			t.Errorf("target now holds %q", got)
		}
	})

	t.Run("EmptyExistingDirectory", func(t *testing.T) {
		target := t.TempDir()
		if err := os.Mkdir(filepath.Join(target, "lost+found"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := backup.Restore(ctx, bytes.NewReader(archive), target); err != nil {
			t.Fatalf("restore: %v", err)
		}
		if _, err := os.Stat(filepath.Join(target, backup.DatabaseName)); err != nil {
			t.Error(err)
		}
	})

	t.Run("ErrChecksum", func(t *testing.T) {
		raw := gunzip(t, archive)
		i := bytes.Index(raw, blob)
		if i < 0 {
			t.Fatal("blob not found in the archive")
		}
		raw[i] ^= 0x01
		parent := t.TempDir()
		target := filepath.Join(parent, "data")
		err := backup.Restore(ctx, bytes.NewReader(regzip(t, raw)), target)
		if !errors.Is(err, backup.ErrChecksum) {
			t.Fatalf("err = %v, want ErrChecksum", err)
		}
		assertUntouched(t, parent, target)
	})

	t.Run("ErrTruncated", func(t *testing.T) {
		parent := t.TempDir()
		target := filepath.Join(parent, "data")
		err := backup.Restore(ctx, bytes.NewReader(archive[:len(archive)*2/3]), target)
		if !errors.Is(err, backup.ErrFormat) {
			t.Fatalf("err = %v, want ErrFormat", err)
		}
		assertUntouched(t, parent, target)
	})

	t.Run("Canceled", func(t *testing.T) {
		parent := t.TempDir()
		target := filepath.Join(parent, "data")
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := backup.Restore(ctx, bytes.NewReader(archive), target); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		assertUntouched(t, parent, target)
	})

	for _, tc := range hostileArchives(t) {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			target := filepath.Join(parent, "data")
			err := backup.Restore(ctx, bytes.NewReader(tc.archive), target)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			t.Logf("refused: %v", err)
			assertUntouched(t, parent, target)
		})
	}
}

type hostile struct {
	name    string
	archive []byte
	want    error
}

// hostileArchives are hand-built archives that Restore must refuse, each with
// the error it must give. The fuzz target starts from them too.
func hostileArchives(t testing.TB) []hostile {
	db := reg(backup.DatabaseName, "not looked at: the archive is refused first")
	evil := reg("../evil", "pwned")
	withManifest := func(entries ...entry) []byte { return tarGz(t, manifestFor(entries...), entries...) }
	future := manifestFor(db)
	future.Format = backup.Format + 1
	stranger := manifestFor(db)
	stranger.Application = "other"
	small := manifestFor(db, reg("blobs/a", "abc"))
	missing := manifestFor(db, reg("blobs/a", "abc"))
	badSum := manifestFor(db)
	badSum.Files[0].SHA256 = "XYZ"

	return []hostile{
		{"DotDotEntry", tarGz(t, manifestFor(db), db, evil), backup.ErrUnsafePath},
		{"DotDotInManifest", withManifest(db, evil), backup.ErrUnsafePath},
		{"NestedDotDot", withManifest(db, reg("blobs/../../evil", "x")), backup.ErrUnsafePath},
		{"DotDotBeforeDatabase", tarGz(t, manifestFor(db), evil, db), backup.ErrUnsafePath},
		{"AbsolutePath", tarGz(t, manifestFor(db), db, reg("/tmp/evil", "x")), backup.ErrUnsafePath},
		{"Backslash", tarGz(t, manifestFor(db), db, reg(`blobs\..\..\evil`, "x")), backup.ErrUnsafePath},
		{"Symlink", tarGz(t, manifestFor(db), db, entry{name: "blobs/link", typ: tar.TypeSymlink, link: "/etc/passwd"}), backup.ErrUnsafePath},
		{"SymlinkAsDatabase", tarGz(t, manifestFor(db), entry{name: backup.DatabaseName, typ: tar.TypeSymlink, link: "../x"}), backup.ErrUnsafePath},
		{"Hardlink", tarGz(t, manifestFor(db), db, entry{name: "blobs/link", typ: tar.TypeLink, link: backup.DatabaseName}), backup.ErrUnsafePath},
		{"Directory", tarGz(t, manifestFor(db), db, entry{name: "blobs/", typ: tar.TypeDir}), backup.ErrUnsafePath},
		{"DirectoryClean", tarGz(t, manifestFor(db), db, entry{name: "blobs/ab", typ: tar.TypeDir}), backup.ErrFormat},
		{"Fifo", tarGz(t, manifestFor(db), db, entry{name: "blobs/ab", typ: tar.TypeFifo}), backup.ErrFormat},
		{"UnknownFile", withManifest(db, reg("config.toml", "x")), backup.ErrFormat},
		{"HiddenBlob", withManifest(db, reg("blobs/.upload-1", "x")), backup.ErrFormat},
		{"NotInManifest", tarGz(t, manifestFor(db), db, reg("blobs/extra", "x")), backup.ErrFormat},
		{"Oversize", tarGz(t, small, db, entry{name: "blobs/a", body: "abcdef"}), backup.ErrFormat},
		{"OversizeAuditKey", withManifest(db, reg(backup.AuditKeyName, string(make([]byte, 65<<10)))), backup.ErrFormat},
		{"OversizeFeedsKey", withManifest(db, reg(backup.FeedsKeyName, string(make([]byte, 65<<10)))), backup.ErrFormat},
		{"OversizeAccountKey", withManifest(db, reg(backup.AccountKeyName, string(make([]byte, 65<<10)))), backup.ErrFormat},
		{"KeyInDirectory", withManifest(db, reg("keys/"+backup.AccountKeyName, "x")), backup.ErrFormat},
		{"Missing", tarGz(t, missing, db), backup.ErrFormat},
		{"Duplicate", tarGz(t, manifestFor(db), db, db), backup.ErrFormat},
		{"ManifestNotFirst", tarGz(t, nil, db, reg(backup.ManifestName, "{}")), backup.ErrFormat},
		{"ManifestTwice", tarGz(t, manifestFor(db), reg(backup.ManifestName, "{}"), db), backup.ErrFormat},
		{"NoManifest", tarGz(t, nil), backup.ErrFormat},
		{"FutureFormat", tarGz(t, future, db), backup.ErrFormat},
		{"OtherApplication", tarGz(t, stranger, db), backup.ErrFormat},
		{"MalformedChecksum", tarGz(t, badSum, db), backup.ErrFormat},
		{"NoDatabase", withManifest(reg("blobs/a", "x")), backup.ErrFormat},
		{"ManifestNotJSON", tarGz(t, nil, reg(backup.ManifestName, "files: []")), backup.ErrFormat},
		{"CorruptDatabase", withManifest(db), backup.ErrFormat},
		{"NotGzip", []byte("PK\x03\x04 a zip file"), backup.ErrFormat},
		{"Empty", nil, backup.ErrFormat},
	}
}
