package observable

import (
	"regexp"
	"strings"
)

var (
	// [.] (.) {.} [dot] (dot) {dot} and "\.", with any spaces inside or around the brackets.
	defangDot = regexp.MustCompile(`(?i)[ \t]*[\[({][ \t]*(?:\.|dot)[ \t]*[\])}][ \t]*|\\\.`)
	// [@] (@) {@} [at] (at) {at}.
	defangAt = regexp.MustCompile(`(?i)[ \t]*[\[({][ \t]*(?:@|at)[ \t]*[\])}][ \t]*`)
	// [://] [:]// [:] (:)
	defangColon = regexp.MustCompile(`\[://\]|\[:\]|\(:\)|\{:\}`)
	// hxxp hxxps hXXp h**p hxtp fxp sfxp, before "://".
	defangScheme = regexp.MustCompile(`(?i)\b(?:h(?:xx|\*\*|tx|xt)p(s?)|(s?)fxp)://`)
	// spaces left around a bracketed marker inside one value ("example [.] com").
	defangSpaces = regexp.MustCompile(`(?i)[ \t]*([\[({][ \t]*(?:\.|dot|@|at)[ \t]*[\])}])[ \t]*`)
)

// Refang undoes the usual ways of making an indicator unclickable: hxxp,
// hxxps, fxp; [.] (.) {.} [dot] (dot) and \.; [@] (at) [at]; [:] and [://].
// Text that carries none of them is returned unchanged.
func Refang(s string) string {
	s = defangColon.ReplaceAllStringFunc(s, func(m string) string {
		if m == "[://]" {
			return "://"
		}
		return ":"
	})
	s = defangDot.ReplaceAllString(s, ".")
	s = defangAt.ReplaceAllString(s, "@")
	s = defangScheme.ReplaceAllStringFunc(s, func(m string) string {
		l := strings.ToLower(m)
		switch {
		case strings.HasPrefix(l, "sfxp"):
			return "sftp://"
		case strings.HasPrefix(l, "fxp"):
			return "ftp://"
		case strings.HasPrefix(l[4:], "s"):
			return "https://"
		}
		return "http://"
	})
	return s
}

// joinDefanged removes the spaces around bracketed markers so that
// "example [.] com" stays one token when the line is split on spaces.
func joinDefanged(line string) string {
	if !strings.ContainsAny(line, "[({") {
		return line
	}
	return defangSpaces.ReplaceAllStringFunc(line, func(m string) string {
		return strings.Join(strings.Fields(m), "")
	})
}
