package search_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"harambee.africa/harambee/internal/search"
)

func TestTokens(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Cybersécurité", "cybersecurite"},
		{"CÔTE D'IVOIRE", "cote d ivoire"},
		{"中华人民共和国", "中华 华人 人民 民共 共和 和国"},
		{"網絡安全", "网络 络安 安全"},
		{"数字 经济", "数字 经济"},
		{"الأَمْنُ السِّيبْرَانِيّ", "امن سيبراني"},
		{"والأمن", "امن"},
		{"مكتبة", "مكتبه"},
		{"مـــصـــر", "مصر"},
		{"ولد", "ولد"},
		{"Ｆｕｌｌ－ｗｉｄｔｈ ５Ｇ", "full width 5g"},
		{"e-commerce 2026/27", "e commerce 2026 27"},
		{"Kiswahili: biashara-mtandaoni", "kiswahili biashara mtandaoni"},
		{"   ", ""},
	}
	for _, c := range cases {
		if got := strings.Join(search.Tokens(c.in), " "); got != c.want {
			t.Errorf("Tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"Cybersécurité", "中華人民共和國", "الأَمْنُ", "a\x00b", "\xff\xfe", "日本語とEnglish混在", strings.Repeat("字", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := search.Tokens(s)
		for _, tok := range toks {
			if tok == "" || strings.ContainsAny(tok, " \t\n\"") || !utf8.ValidString(tok) {
				t.Fatalf("bad token %q from %q", tok, s)
			}
		}
		// Tokenising the index form again changes nothing, so documents and
		// queries meet on the same tokens.
		if again := search.Tokens(strings.Join(toks, " ")); !slices.Equal(again, toks) {
			t.Fatalf("not stable: %q → %q → %q", s, toks, again)
		}
	})
}
