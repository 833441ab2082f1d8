package upload

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"

	"github.com/gabriel-vasile/mimetype"
)

// headSize is how much of the start of a file the sniffers see.
const headSize = 4096

// Detect reads the content (never a name or declared type) and returns its
// Type, or an error from internal/errs (code errs.Invalid, or errs.TooLarge
// for size) whose key is one of upload.error.empty, too_large (with {max},
// the limit in MB), type, damaged, dimensions, bomb or polyglot. It checks the
// structure, not only the first bytes: an image must decode its header within
// the pixel limits and end where its format ends; a zip-based office file
// must be a well-formed zip with the parts of its format and pass the bomb
// checks; a PDF starts with %PDF- and has %%EOF near its end.
// allowed limits the kinds accepted (nil: all); limits gives the sizes (nil
// or a kind missing: DefaultLimits).
func Detect(r io.ReaderAt, size int64, allowed []Kind, limits Limits) (Type, error) {
	t, err := detect(r, size, allowed, limits)
	if err != nil {
		return Type{}, withOp("upload.Detect", err)
	}
	return t, nil
}

// format is a family of files told apart by their first bytes; its check
// reads the structure and returns the exact Type.
type format struct {
	kind   Kind
	binary bool // HTML and foreign signatures at its start make it a polyglot
	zip    bool // a zip itself, so a zip directory at its end is no surprise
	check  func(sr *io.SectionReader, size int64, head []byte) (Type, error)
}

var (
	fmtJPEG = format{kind: Image, binary: true, check: checkJPEG}
	fmtPNG  = format{kind: Image, binary: true, check: checkPNG}
	fmtGIF  = format{kind: Image, binary: true, check: checkGIF}
	fmtWebP = format{kind: Image, binary: true, check: checkWebP}
	fmtPDF  = format{kind: Document, binary: true, check: checkPDF}
	fmtZip  = format{kind: Document, binary: true, zip: true, check: checkOffice}
	fmtText = format{kind: Document, check: checkText}
	fmtID3  = format{kind: Audio, binary: true, check: checkID3}
	fmtMPEG = format{kind: Audio, binary: true, check: checkMPEGAudio}
	fmtOgg  = format{kind: Audio, binary: true, check: checkOgg}
	fmtWAV  = format{kind: Audio, binary: true, check: checkWAV}
	fmtFLAC = format{kind: Audio, binary: true, check: checkFLAC}
	fmtAudB = format{kind: Audio, binary: true, check: checkBMFF}
	fmtVidB = format{kind: Video, binary: true, check: checkBMFF}
	fmtWebM = format{kind: Video, binary: true, check: checkWebM}
)

// refused are signatures of formats we never accept, named for the log.
var refused = []struct {
	sig  string
	what string
}{
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "OLE compound file (old office format, may carry macros)"},
	{"MZ", "Windows executable"},
	{"\x7FELF", "ELF executable"},
	{"\xFE\xED\xFA\xCE", "Mach-O executable"},
	{"\xFE\xED\xFA\xCF", "Mach-O executable"},
	{"\xCE\xFA\xED\xFE", "Mach-O executable"},
	{"\xCF\xFA\xED\xFE", "Mach-O executable"},
	{"\xCA\xFE\xBA\xBE", "Mach-O universal binary or Java class"},
	{"Rar!\x1A\x07", "RAR archive"},
	{"7z\xBC\xAF\x27\x1C", "7-Zip archive"},
	{"\x1F\x8B", "gzip archive"},
	{"BZh", "bzip2 archive"},
	{"\xFD7zXZ\x00", "xz archive"},
	{"\x28\xB5\x2F\xFD", "zstd archive"},
	{"PK\x05\x06", "empty zip archive"},
	{"PK\x07\x08", "spanned zip archive"},
}

func detect(r io.ReaderAt, size int64, allowed []Kind, limits Limits) (Type, error) {
	if size <= 0 {
		return Type{}, problem(keyEmpty, "no content")
	}
	sr := io.NewSectionReader(r, 0, size)
	head := make([]byte, min(size, headSize))
	if _, err := sr.ReadAt(head, 0); err != nil {
		return Type{}, readFailed("head", err)
	}
	f, err := sniff(head)
	if err != nil {
		return Type{}, err
	}
	if allowed != nil && !slices.Contains(allowed, f.kind) {
		return Type{}, problem(keyType, "%s files are not accepted here", f.kind)
	}
	if limit := limits.limit(f.kind); size > limit {
		return Type{}, tooLarge(f.kind, size, limit)
	}
	if f.binary {
		if err := foreignStart(head, f); err != nil {
			return Type{}, err
		}
	}
	t, err := f.check(sr, size, head)
	if err != nil {
		return Type{}, err
	}
	if !f.zip && f.binary {
		hidden, err := hasZipDirectory(sr, size)
		if err != nil {
			return Type{}, err
		}
		if hidden {
			return Type{}, problem(keyPolyglot, "%s carries a zip directory", t.MediaType)
		}
	}
	return t, nil
}

// sniff tells the format from the first bytes.
func sniff(head []byte) (format, error) {
	has := func(off int, sig string) bool {
		return len(head) >= off+len(sig) && string(head[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "\xFF\xD8\xFF"):
		return fmtJPEG, nil
	case has(0, "\x89PNG\r\n\x1A\n"):
		return fmtPNG, nil
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return fmtGIF, nil
	case has(0, "RIFF") && has(8, "WEBP"):
		return fmtWebP, nil
	case has(0, "RIFF") && has(8, "WAVE"):
		return fmtWAV, nil
	case has(0, "%PDF-"):
		return fmtPDF, nil
	case has(0, "PK\x03\x04"):
		return fmtZip, nil
	case has(0, "ID3"):
		return fmtID3, nil
	case has(0, "OggS"):
		return fmtOgg, nil
	case has(0, "fLaC"):
		return fmtFLAC, nil
	case has(0, "\x1A\x45\xDF\xA3"):
		return fmtWebM, nil
	case has(4, "ftyp"):
		t, ok := bmffType(head)
		if !ok {
			return format{}, problem(keyType, "ISO media with brands %q", brands(head))
		}
		if t.Kind == Audio {
			return fmtAudB, nil
		}
		return fmtVidB, nil
	}
	if has(0, "\xFF\xFE") || has(0, "\xFE\xFF") {
		return format{}, problem(keyType, "UTF-16 text")
	}
	if _, _, ok := mpegFrame(head, 0); ok {
		return fmtMPEG, nil
	}
	if looksLikeText(head) {
		return fmtText, nil // scripts and markup are refused by checkText
	}
	for _, s := range refused {
		if has(0, s.sig) {
			return format{}, problem(keyType, "%s", s.what)
		}
	}
	if i := bytes.Index(head[:min(len(head), 1024)], []byte("%PDF-")); i > 0 {
		return format{}, problem(keyPolyglot, "PDF header at %d, not 0", i)
	}
	return format{}, problem(keyType, "unknown content, sniffed as %s", mimetype.Detect(head))
}

// markup is what makes a browser or a PHP interpreter take a file for its
// own, whatever else the file is: a tag name followed by a delimiter, so that
// the namespaced elements of office XML (<style:style>, <meta:generator>,
// <svg:title>) are not mistaken for HTML.
var markup = []string{
	"<script", "<html", "<head", "<body", "<iframe", "<svg", "<object", "<embed",
	"<img", "<meta", "<style", "<link", "<form", "<!doctype", "<?php",
}

// signatures of other formats that a reader finds near the start of a file
// (PDF readers look for %PDF- in the first kilobyte, zip readers for local
// headers anywhere); a file carrying one is two files at once.
var signatures = []struct {
	sig     []byte
	picture bool // office files, songs and videos carry pictures: a cover, an image
	format  string
}{
	{[]byte("%PDF-"), false, "PDF"},
	{[]byte("PK\x03\x04"), false, "zip"},
	{[]byte("\x89PNG\r\n\x1A\n"), true, "PNG"},
	{[]byte("GIF87a"), true, "GIF"},
	{[]byte("GIF89a"), true, "GIF"},
	{[]byte("\x7FELF"), false, "ELF"},
	{[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), false, "OLE"},
	{[]byte("Rar!\x1A\x07"), false, "RAR"},
	{[]byte("7z\xBC\xAF\x27\x1C"), false, "7-Zip"},
}

// foreignStart refuses a binary file whose first kilobyte carries markup or
// another format's signature (beyond its own at offset 0).
func foreignStart(head []byte, f format) error {
	first := head[:min(len(head), 1024)]
	if m := findMarkup(first); m != "" {
		return problem(keyPolyglot, "%q in the first kilobyte", m)
	}
	for _, s := range signatures {
		if s.picture && (f.zip || f.kind == Audio || f.kind == Video) || f.zip && s.format == "zip" {
			continue
		}
		if i := bytes.Index(first[1:], s.sig); i >= 0 {
			return problem(keyPolyglot, "%s signature at %d", s.format, i+1)
		}
	}
	return nil
}

// findMarkup returns the first markup that b contains, ignoring case.
func findMarkup(b []byte) string {
	lower := bytes.ToLower(b)
	for _, m := range markup {
		for rest := lower; ; {
			i := bytes.Index(rest, []byte(m))
			if i < 0 {
				break
			}
			rest = rest[i+len(m):]
			if len(rest) == 0 || bytes.IndexByte([]byte(" \t\r\n\f>/"), rest[0]) >= 0 {
				return m
			}
		}
	}
	return ""
}

// hasZipDirectory reports whether a zip end-of-central-directory record that
// a zip reader would accept sits in the last 64 KB of the file: the mark of a
// GIFAR or a PDF with an archive tacked on.
func hasZipDirectory(sr *io.SectionReader, size int64) (bool, error) {
	n := min(size, 0xFFFF+22)
	tail := make([]byte, n)
	if _, err := sr.ReadAt(tail, size-n); err != nil {
		return false, readFailed("tail", err)
	}
	for i := len(tail) - 22; i >= 0; i-- {
		if tail[i] != 'P' || string(tail[i:i+4]) != "PK\x05\x06" {
			continue
		}
		rec := tail[i:]
		le16 := func(o int) uint32 { return uint32(binary.LittleEndian.Uint16(rec[o:])) }
		disk, dirDisk, here, total := le16(4), le16(6), le16(8), le16(10)
		dirSize, dirOff := binary.LittleEndian.Uint32(rec[12:]), binary.LittleEndian.Uint32(rec[16:])
		comment := le16(20)
		at := size - n + int64(i)
		plausible := disk == dirDisk && here == total && int64(comment) <= int64(len(rec)-22) &&
			(int64(dirOff)+int64(dirSize) <= at || dirOff == 0xFFFFFFFF)
		if plausible {
			return true, nil
		}
	}
	return false, nil
}

// tolerableTrailer reports whether the bytes after an image's end marker are
// the padding some encoders leave, not a payload.
func tolerableTrailer(b []byte) bool {
	if len(b) > trailerSlack {
		return false
	}
	for _, c := range b {
		switch c {
		case 0, 0xFF, ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// checkTrailer refuses data after an image's end at offset end.
func checkTrailer(sr *io.SectionReader, size, end int64, what string) error {
	if end >= size {
		return nil
	}
	rest := make([]byte, min(size-end, trailerSlack+1))
	if _, err := sr.ReadAt(rest, end); err != nil {
		return readFailed(what+" trailer", err)
	}
	if !tolerableTrailer(rest) {
		return problem(keyPolyglot, "%d bytes after the end of the %s", size-end, what)
	}
	return nil
}
