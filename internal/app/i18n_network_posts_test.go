package app_test

import (
	"os"
	"path/filepath"
	"regexp"

	"harambee.africa/harambee/internal/network/posts"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		for _, k := range posts.Kinds {
			used["network.posts.kind."+k] = "posts.Kinds"
		}
		for _, a := range posts.Audiences {
			used["network.posts.audience."+a], used["network.posts.audience."+a+".hint"] = "posts.Audiences", "posts.Audiences"
		}
		used["network.posts.all_africa"] = "posts.AllAfrica"
		used["nav.network_posts"] = "wire_network_posts.go"
		for _, k := range []string{posts.PostKind.LabelKey(), posts.PostKind.HintKey(), posts.ReplyKind.LabelKey(), posts.ReplyKind.HintKey()} {
			used[k] = "posts notification kinds"
		}
		// Error, flash and notification keys of the package's Go code (the
		// kernel's scan knows only one-segment module prefixes).
		key := regexp.MustCompile(`"(network\.posts\.(?:error|flash|note|feed)\.[a-z_]+)"`)
		files, _ := filepath.Glob(filepath.Join("..", "network", "posts", "*.go"))
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
