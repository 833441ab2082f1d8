package audit_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"harambee.africa/harambee/internal/audit"
)

func TestOpenSigner(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "audit-key")

	s, err := audit.OpenSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", info.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "data", ".audit-key-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	again, err := audit.OpenSigner(path)
	if err != nil || !again.PublicKey().Equal(s.PublicKey()) {
		t.Fatalf("reopened key differs (%v)", err)
	}

	// The verifier may read the public key from the key file itself...
	pub, err := audit.ReadPublicKey(path)
	if err != nil || !pub.Equal(s.PublicKey()) {
		t.Fatalf("ReadPublicKey(key file) = %x, %v", pub, err)
	}
	// ...or from a public key file that does not let it sign.
	pubPath := filepath.Join(dir, "audit-key.pub")
	if err := audit.WritePublicKey(pubPath, s.PublicKey()); err != nil {
		t.Fatal(err)
	}
	pub, err = audit.ReadPublicKey(pubPath)
	if err != nil || !pub.Equal(s.PublicKey()) {
		t.Fatalf("ReadPublicKey(public file) = %x, %v", pub, err)
	}
	if _, err := audit.OpenSigner(pubPath); err == nil {
		t.Errorf("OpenSigner accepted a public key file")
	}
	if len(s.KeyID()) != 16 || s.KeyID() != audit.KeyID(pub) {
		t.Errorf("KeyID = %q", s.KeyID())
	}
}

func TestOpenSignerRefusesOpenKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit-key")
	if _, err := audit.OpenSigner(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.OpenSigner(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("OpenSigner on a 0644 key = %v, want a refusal", err)
	}
}

func TestOpenSignerRefusesGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit-key")
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.OpenSigner(path); err == nil {
		t.Fatal("OpenSigner accepted garbage")
	}
	if _, err := audit.ReadPublicKey(path); err == nil {
		t.Fatal("ReadPublicKey accepted garbage")
	}
}

// Instances starting together on a shared data directory end up with one key.
func TestOpenSignerRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit-key")
	var wg sync.WaitGroup
	signers := make([]*audit.Signer, 8)
	for i := range signers {
		wg.Go(func() {
			s, err := audit.OpenSigner(path)
			if err != nil {
				t.Error(err)
				return
			}
			signers[i] = s
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, s := range signers[1:] {
		if !s.PublicKey().Equal(signers[0].PublicKey()) {
			t.Fatal("racing instances made different keys")
		}
	}
}
