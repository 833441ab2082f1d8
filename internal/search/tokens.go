package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

// MaxTokens bounds a query: more words than this are a mistake or an attack.
const MaxTokens = 32

var (
	t2sOnce sync.Once
	t2s     *opencc.OpenCC
)

// simplified folds Traditional Chinese to Simplified (the action plan itself
// is published in both), so that 網絡 finds 网络.
func simplified(s string) string {
	t2sOnce.Do(func() {
		c, err := opencc.New("t2s")
		if err == nil {
			t2s = c
		}
	})
	if t2s == nil {
		return s
	}
	out, err := t2s.Convert(s)
	if err != nil {
		return s
	}
	return out
}

// arabicFold maps the letters Arabic writers use interchangeably to one form.
var arabicFold = strings.NewReplacer(
	"أ", "ا", "إ", "ا", "آ", "ا", "ٱ", "ا", // alef with hamza or madda → alef
	"ة", "ه", // taa marbuta → haa
	"ى", "ي", // alef maksura → yaa
	"ؤ", "و", "ئ", "ي",
)

// arabicPrefixes are the article and the conjunctions and prepositions
// written joined to the next word (a light stemmer, after Larkey's light10):
// والأمن and الأمن both index as أمن.
var arabicPrefixes = []string{"وال", "بال", "كال", "فال", "لل", "ال", "و"}

// arabicStem strips joined prefixes until none is left, keeping at least
// three letters; stripping until nothing changes makes the result stable.
func arabicStem(w string) string {
	for {
		changed := false
		for _, p := range arabicPrefixes {
			if rest, ok := strings.CutPrefix(w, p); ok && utf8.RuneCountInString(rest) >= 3 {
				w, changed = rest, true
				break
			}
		}
		if !changed {
			return w
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Tokens turns text into search tokens, the same way for documents and
// queries and on both engines: Traditional Chinese folded to Simplified,
// compatibility forms unified (NFKD), diacritics and Arabic vowel marks and
// tatweel removed, case folded, Arabic letter variants folded; runs of
// Chinese characters become overlapping pairs (中华人民 → 中华 华人 人民), other
// words are split on anything that is not a letter or a digit.
func Tokens(s string) []string {
	if hasHan(s) {
		s = simplified(s)
	}
	s = norm.NFKD.String(s)
	var out []string
	var word []rune
	var han []rune
	arabic := false // the word has Arabic letters: only then fold and stem them
	flushWord := func() {
		if len(word) > 0 {
			w := strings.ToLower(string(word))
			if arabic {
				w = arabicStem(arabicFold.Replace(w))
			}
			out = append(out, w)
			word, arabic = word[:0], false
		}
	}
	flushHan := func() {
		switch {
		case len(han) == 1:
			out = append(out, string(han))
		case len(han) > 1:
			for i := 0; i+1 < len(han); i++ {
				out = append(out, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || r == 'ـ': // combining marks, harakat, tatweel
			continue
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushHan()
			word = append(word, unicode.ToLower(r))
			arabic = arabic || unicode.Is(unicode.Arabic, r)
		default:
			flushWord()
			flushHan()
		}
	}
	flushWord()
	flushHan()
	return out
}

// Document returns the tokens of text joined for the index.
func Document(text string) string { return strings.Join(Tokens(text), " ") }
