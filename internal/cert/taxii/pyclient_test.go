package taxii_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestTaxii2Client runs the OASIS reference client (taxii2-client, Python)
// against the server: discovery, API root, collections, adding an
// indicator and waiting on its status, reading it back, versions,
// manifest, paging and added_after, and deleting it; then MISP's TAXII
// push, which drives the same client its own way. The client is not a
// Go module and cannot be installed by CI, so the test runs only when
// HARAMBEE_TAXII2CLIENT names a directory (PYTHONPATH) where python3 finds
// taxii2client, requests, six and pytz.
func TestTaxii2Client(t *testing.T) {
	dir := os.Getenv("HARAMBEE_TAXII2CLIENT")
	if dir == "" {
		t.Skip("HARAMBEE_TAXII2CLIENT is not set")
	}
	w := newWorld(t)
	cmd := exec.CommandContext(t.Context(), "python3", "testdata/taxii2client_check.py", w.e.Server.URL, "ke-cert", w.keOrgTok)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir)
	out, err := cmd.CombinedOutput()
	t.Logf("taxii2-client:\n%s", out)
	if err != nil {
		t.Fatalf("taxii2-client failed: %v", err)
	}
	for _, want := range []string{"status: complete 1 0 0", "get_object: ['indicator--", "paged objects: 1", "added_after past: 1", "added_after future: 0", "delete: gone",
		"misp push: complete 0", "misp object: True"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("taxii2-client output lacks %q", want)
		}
	}
}
