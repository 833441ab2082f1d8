package cldr_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestTablesUpToDate regenerates the tables from the CLDR npm packages and
// compares them with tables_gen.go. It runs only where CLDR_NODE_MODULES
// names a node_modules directory holding them (see SOURCES.md).
func TestTablesUpToDate(t *testing.T) {
	dir := os.Getenv("CLDR_NODE_MODULES")
	if dir == "" {
		t.Skip("CLDR_NODE_MODULES not set: the CLDR npm packages are needed to regenerate the tables")
	}
	out := filepath.Join(t.TempDir(), "tables_gen.go")
	cmd := exec.Command("go", "run", "gen/main.go", "-cldr", dir, "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen/main.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("tables_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("tables_gen.go differs from what the generator writes from " + dir + ": run go generate")
	}
}
