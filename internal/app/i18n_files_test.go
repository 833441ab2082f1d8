package app_test

import (
	"harambee.africa/harambee/internal/files"
	"harambee.africa/harambee/internal/upload"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		for _, k := range []upload.Kind{upload.Image, upload.Document, upload.Audio, upload.Video} {
			used["files.kind."+string(k)] = "upload kinds"
		}
		for _, r := range []string{files.Thumb, files.Medium, files.Large} {
			used["files.rendition."+r] = "file renditions"
		}
	})
}
