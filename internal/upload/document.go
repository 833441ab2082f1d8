package upload

import (
	"bytes"
	"encoding/csv"
	"io"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
)

// Documents are stored as they are; these checks decide that a PDF is a PDF
// and that text is only text.

// --- PDF ---

// checkPDF wants %PDF-x.y at byte 0 and %%EOF in the last kilobyte with
// nothing but white space after it: data after the end is another file.
func checkPDF(sr *io.SectionReader, size int64, head []byte) (Type, error) {
	if len(head) < 8 || !isDigit(head[5]) || head[6] != '.' || !isDigit(head[7]) {
		return Type{}, problem(keyDamaged, "PDF version %q", head[5:min(len(head), 8)])
	}
	tail := make([]byte, min(size, 1024))
	if _, err := sr.ReadAt(tail, size-int64(len(tail))); err != nil {
		return Type{}, readFailed("PDF tail", err)
	}
	i := bytes.LastIndex(tail, []byte("%%EOF"))
	if i < 0 {
		return Type{}, problem(keyDamaged, "PDF without %%%%EOF in its last kilobyte")
	}
	if after := tail[i+5:]; len(bytes.Trim(after, " \t\r\n\f\x00")) > 0 {
		return Type{}, problem(keyPolyglot, "%d bytes after the PDF's %%%%EOF", len(after))
	}
	return typePDF, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// --- Plain text and CSV ---

// scanText checks that b is UTF-8 text without NULs or control characters
// other than tab, line feed, form feed and carriage return. carry is the
// length of an incomplete character at the end, to be finished by the next
// block.
func scanText(b []byte) (carry int, ok bool) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' {
				return 0, false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRune(b[i:]) {
				return len(b) - i, true
			}
			return 0, false
		}
		i += n
	}
	return 0, true
}

// looksLikeText is the sniff: the head is text (its last character may be
// cut by the head's end).
func looksLikeText(head []byte) bool {
	_, ok := scanText(head)
	return ok
}

const textBlock = 64 << 10

// checkText reads the whole file as text and refuses markup and scripts,
// which browsers and interpreters would run, whatever the file is called.
func checkText(sr *io.SectionReader, size int64, head []byte) (Type, error) {
	buf := make([]byte, utf8.UTFMax+textBlock)
	carry := 0
	for off := int64(0); off < size; {
		n, err := sr.ReadAt(buf[carry:carry+int(min(textBlock, size-off))], off)
		if err != nil && !(err == io.EOF && off+int64(n) == size) {
			return Type{}, readFailed("text", err)
		}
		off += int64(n)
		k, ok := scanText(buf[:carry+n])
		if !ok {
			return Type{}, problem(keyType, "binary content near byte %d", off)
		}
		copy(buf, buf[carry+n-k:carry+n])
		carry = k
	}
	if carry > 0 {
		return Type{}, problem(keyType, "text ends inside a character")
	}
	first := head[:min(len(head), 1024)]
	if bytes.HasPrefix(head, []byte("#!")) {
		return Type{}, problem(keyType, "script")
	}
	if m := findMarkup(first); m != "" {
		return Type{}, problem(keyType, "text with %q: markup", m)
	}
	if bytes.Contains(first, []byte("%PDF-")) {
		return Type{}, problem(keyPolyglot, "text carrying a PDF header")
	}
	if m := mimetype.Detect(head); !m.Is("text/plain") && !m.Is("text/csv") && !m.Is("text/tab-separated-values") {
		return Type{}, problem(keyType, "text sniffed as %s", m)
	}
	if isCSV(head) {
		return typeCSV, nil
	}
	return typeText, nil
}

// isCSV reports whether the head parses as comma- or semicolon-separated
// records, at least two of them, each with the same number (≥ 2) of fields.
func isCSV(head []byte) bool {
	b := bytes.TrimPrefix(head, []byte("\uFEFF"))
	if len(head) == headSize {
		i := bytes.LastIndexByte(b, '\n')
		if i < 0 {
			return false
		}
		b = b[:i+1]
	}
	for _, sep := range []rune{',', ';'} {
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma, r.ReuseRecord = sep, true
		rows := 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil || len(rec) < 2 {
				rows = -1
				break
			}
			rows++
		}
		if rows >= 2 {
			return true
		}
	}
	return false
}
