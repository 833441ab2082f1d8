package app_test

import (
	"os"
	"path/filepath"
	"regexp"

	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/cert/observables"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		// The error and flash messages named in the package's Go code (the
		// kernel's scan knows one-segment prefixes only).
		key := regexp.MustCompile(`"(cert\.observables\.(?:error|flash)\.[a-z_]+)"`)
		files, _ := filepath.Glob(filepath.Join("..", "cert", "observables", "*.go"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, m := range key.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = f
			}
		}
		// The parse errors of cert/observable, shown beside pasted lines.
		for _, k := range observable.ErrorKeys {
			used[k] = "observable.ErrorKeys"
		}
		// The kinds the pages name.
		for _, k := range observable.Kinds {
			used["cert.observables.kind."+string(k)] = "observable.Kinds"
		}
		used["cert.observables.kind."+observables.KindIndicator] = "observables.KindIndicator"
	})
}
