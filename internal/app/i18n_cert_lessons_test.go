package app_test

import (
	"os"
	"path/filepath"
	"regexp"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		used["nav.cert_lessons"] = "wire_cert_lessons.go"
		key := regexp.MustCompile(`"(cert\.lessons\.(?:error|flash)\.[a-z_]+)"`)
		files, _ := filepath.Glob(filepath.Join("..", "cert", "lessons", "*.go"))
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
