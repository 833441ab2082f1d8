// Package demo loads a realistic demonstration data set: organisations of
// every kind from across Africa and China, with people in every role.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"harambee.africa/harambee/internal/app"
)

// Account is one demo account, as written to demo-accounts.json.
type Account struct {
	Email    string   `json:"email"`
	Password string   `json:"password"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
	Org      string   `json:"org"`
	OrgKind  string   `json:"org_kind"`
}

// Print lists the demo accounts and writes them to path.
func Print(w io.Writer, accounts []Account, path string) error {
	b, err := json.MarshalIndent(accounts, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write demo accounts: %w", err)
	}
	fmt.Fprintf(w, "\nDemo accounts (also in %s):\n\n", path)
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-40s %-22s %-28s %v\n", a.Email, a.Password, a.Org, a.Roles)
	}
	fmt.Fprintln(w)
	return nil
}

// Load creates the demo data once; later calls return the same accounts.
func Load(ctx context.Context, a *app.App) ([]Account, error) {
	return load(ctx, a)
}
