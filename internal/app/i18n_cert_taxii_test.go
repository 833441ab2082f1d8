package app_test

import (
	"os"
	"path/filepath"
	"regexp"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		// The TAXII error titles and the upload messages named in the
		// package's Go code (the kernel's scan knows one-segment prefixes).
		key := regexp.MustCompile(`"(cert\.taxii\.(?:error|import)\.[a-z_]+)"`)
		files, _ := filepath.Glob(filepath.Join("..", "cert", "taxii", "*.go"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, m := range key.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = f
			}
		}
	})
}
