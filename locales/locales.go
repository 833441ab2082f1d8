// Package locales embeds the message catalogues of the six interface
// languages. Every catalogue holds every key; a test fails otherwise.
package locales

import "embed"

// FS holds one JSON catalogue per language: zh-Hans.json, en.json, ….
//
//go:embed *.json
var FS embed.FS
