// Command i18nmerge adds messages to the six catalogues in locales/.
//
//	go run ./scripts/i18nmerge FILE...
//
// Each FILE holds {"key": {"zh-Hans": …, "en": …, "fr": …, "ar": …, "pt": …,
// "sw": …}}, where a value is a string or an object of CLDR plural forms. A
// key must carry all six languages. Existing keys are replaced. The catalogues
// are rewritten sorted, one key per line, under a lock so that several
// writers can merge at once.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

var langs = []string{"zh-Hans", "en", "fr", "ar", "pt", "sw"}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: i18nmerge FILE...")
		os.Exit(2)
	}
	if err := run("locales", os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "i18nmerge:", err)
		os.Exit(1)
	}
}

func run(dir string, files []string) error {
	add := map[string]map[string]json.RawMessage{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var m map[string]map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for k, v := range m {
			for _, l := range langs {
				if len(v[l]) == 0 {
					return fmt.Errorf("%s: key %q lacks %s", f, k, l)
				}
			}
			add[k] = v
		}
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".merge.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer os.Remove(lock.Name())
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	for _, l := range langs {
		path := filepath.Join(dir, l+".json")
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		cat := map[string]json.RawMessage{}
		if err := json.Unmarshal(b, &cat); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for k, v := range add {
			cat[k] = v[l]
		}
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		if err := enc.Encode(cat); err != nil {
			return err
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
