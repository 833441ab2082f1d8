package upload_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image/color"
	"runtime"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/upload"
)

func detect(b []byte) (upload.Type, error) {
	return upload.Detect(bytes.NewReader(b), int64(len(b)), nil, nil)
}

// accepted are files of every accepted type, built in Go.
func accepted(t testing.TB) []struct {
	name string
	data []byte
	want upload.Type
} {
	t.Helper()
	ty := func(k upload.Kind, mt, ext string) upload.Type { return upload.Type{Kind: k, MediaType: mt, Ext: ext} }
	const (
		docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		pptxType = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	)
	embedded := xlsx(t)
	return []struct {
		name string
		data []byte
		want upload.Type
	}{
		{"JPEG", jpegOf(t, photo(64, 48), 80), ty(upload.Image, "image/jpeg", ".jpg")},
		{"JPEG with EXIF, IPTC and XMP", taggedJPEG(t), ty(upload.Image, "image/jpeg", ".jpg")},
		{"JPEG with padding after EOI", append(jpegOf(t, photo(64, 48), 80), 0, 0, 0, 0), ty(upload.Image, "image/jpeg", ".jpg")},
		{"PNG", pngOf(t, photo(64, 48)), ty(upload.Image, "image/png", ".png")},
		{"PNG with transparency", pngOf(t, translucent(64, 48)), ty(upload.Image, "image/png", ".png")},
		{"GIF", gifOf(t, photo(64, 48)), ty(upload.Image, "image/gif", ".gif")},
		{"animated GIF", animatedGIF(t), ty(upload.Image, "image/gif", ".gif")},
		{"WebP lossless", webpStill(3, 2, color.NRGBA{200, 100, 50, 255}), ty(upload.Image, "image/webp", ".webp")},
		{"animated WebP", animatedWebP(), ty(upload.Image, "image/webp", ".webp")},
		{"PDF", []byte(minimalPDF), ty(upload.Document, "application/pdf", ".pdf")},
		{"PDF over a kilobyte", []byte(longPDF), ty(upload.Document, "application/pdf", ".pdf")},
		{"PDF ending without newline", []byte(strings.TrimSuffix(minimalPDF, "\n")), ty(upload.Document, "application/pdf", ".pdf")},
		{"docx", docx(t), ty(upload.Document, docxType, ".docx")},
		{"docx with a chart's workbook", docx(t, entry{name: "word/embeddings/Microsoft_Excel_Worksheet1.xlsx", data: embedded}), ty(upload.Document, docxType, ".docx")},
		{"xlsx", xlsx(t), ty(upload.Document, xlsxType, ".xlsx")},
		{"pptx", pptx(t), ty(upload.Document, pptxType, ".pptx")},
		{"odt", odf(t, "application/vnd.oasis.opendocument.text"), ty(upload.Document, "application/vnd.oasis.opendocument.text", ".odt")},
		{"ods", odf(t, "application/vnd.oasis.opendocument.spreadsheet"), ty(upload.Document, "application/vnd.oasis.opendocument.spreadsheet", ".ods")},
		{"odt with stored XML of its own namespaces", odf(t, "application/vnd.oasis.opendocument.text", entry{name: "meta.xml", stored: true,
			data: []byte(`<office:document-meta><office:meta><meta:generator>LibreOffice</meta:generator></office:meta><style:style style:name="P1"/><svg:title>x</svg:title><form:form/></office:document-meta>`)}),
			ty(upload.Document, "application/vnd.oasis.opendocument.text", ".odt")},
		{"odp", odf(t, "application/vnd.oasis.opendocument.presentation"), ty(upload.Document, "application/vnd.oasis.opendocument.presentation", ".odp")},
		{"text", []byte("Habari ya asubuhi.\nBonjour à tous. 你好。 مرحبا\n"), ty(upload.Document, "text/plain", ".txt")},
		{"text with a BOM", []byte("\uFEFFMinutes of the meeting\r\n"), ty(upload.Document, "text/plain", ".txt")},
		{"CSV", []byte("country,capital\nKenya,Nairobi\nSénégal,Dakar\n"), ty(upload.Document, "text/csv", ".csv")},
		{"CSV with semicolons", []byte("pays;capitale\nMali;Bamako\nNiger;Niamey\n"), ty(upload.Document, "text/csv", ".csv")},
		{"MP3 with ID3", mp3(true), ty(upload.Audio, "audio/mpeg", ".mp3")},
		{"MP3 without ID3", mp3(false), ty(upload.Audio, "audio/mpeg", ".mp3")},
		{"MP3 with a PNG cover", mp3WithCover(pngOf(t, photo(8, 8))), ty(upload.Audio, "audio/mpeg", ".mp3")},
		{"Ogg Opus", oggOf(opusHead), ty(upload.Audio, "audio/ogg", ".opus")},
		{"Ogg Vorbis", oggOf([]byte("\x01vorbis\x00\x00\x00\x00\x01\x44\xAC\x00\x00")), ty(upload.Audio, "audio/ogg", ".ogg")},
		{"WAV", wav(), ty(upload.Audio, "audio/wav", ".wav")},
		{"FLAC", flac(), ty(upload.Audio, "audio/flac", ".flac")},
		{"M4A", isoMedia("M4A ", "M4A ", "mp42", "isom"), ty(upload.Audio, "audio/mp4", ".m4a")},
		{"MP4", isoMedia("isom", "isom", "iso2", "avc1", "mp41"), ty(upload.Video, "video/mp4", ".mp4")},
		{"MP4 mp42", isoMedia("mp42", "mp42", "isom"), ty(upload.Video, "video/mp4", ".mp4")},
		{"QuickTime", isoMedia("qt  ", "qt  "), ty(upload.Video, "video/quicktime", ".mov")},
		{"3GP from a phone", isoMedia("3gp4", "3gp4", "isom"), ty(upload.Video, "video/3gpp", ".3gp")},
		{"WebM", ebml("webm"), ty(upload.Video, "video/webm", ".webm")},
	}
}

func TestDetectAccepts(t *testing.T) {
	for _, c := range accepted(t) {
		t.Run(c.name, func(t *testing.T) {
			got, err := detect(c.data)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if got != c.want {
				t.Errorf("Detect = %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestDetectIgnoresNames documents that a name plays no part: Detect takes
// none. Each case is a file whose name lies about its content; the result
// follows the content.
func TestDetectIgnoresNames(t *testing.T) {
	cases := []struct {
		claimed string // what the uploader called it; never passed
		data    []byte
		want    string // media type, or the refusal key
	}{
		{"holiday.jpg", []byte(minimalPDF), "application/pdf"},
		{"report.pdf", pngOf(t, photo(8, 8)), "image/png"},
		{"song.mp3", docx(t), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"invoice.pdf", []byte("<!DOCTYPE html><html><body><script>steal()</script></body></html>"), "upload.error.type"},
		{"photo.png", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF"), "upload.error.type"},
		{"notes.txt", []byte("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), "upload.error.type"},
	}
	for _, c := range cases {
		got, err := detect(c.data)
		if err != nil {
			got.MediaType = errs.KeyOf(err)
		}
		if got.MediaType != c.want {
			t.Errorf("%s: %s, want %s", c.claimed, got.MediaType, c.want)
		}
	}
}

// refusal asserts that data is refused with key.
func refusal(t *testing.T, data []byte, key string) {
	t.Helper()
	got, err := detect(data)
	if err == nil {
		t.Fatalf("accepted as %+v, want %s", got, key)
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Key != key || e.Code != errs.Invalid {
		t.Fatalf("error %v, want %s (invalid)", err, key)
	}
	t.Logf("%s: %v", t.Name(), err)
	if got != (upload.Type{}) {
		t.Errorf("type %+v returned with the error", got)
	}
}

func TestDetectEmpty(t *testing.T) {
	refusal(t, nil, "upload.error.empty")
}

func TestDetectTooLarge(t *testing.T) {
	p := pngOf(t, photo(64, 48))
	_, err := upload.Detect(bytes.NewReader(p), int64(len(p)), nil, upload.Limits{upload.Image: 100})
	var e *errs.Error
	if !errors.As(err, &e) || e.Key != "upload.error.too_large" || e.Code != errs.TooLarge {
		t.Fatalf("Detect = %v, want too_large", err)
	}
	if e.Args["max"] == "" || e.Args["max"] == nil {
		t.Errorf("no {max} in %v", e.Args)
	}
	// Default limits: 20 MB for images, said in MB.
	big := make([]byte, 20<<20+1)
	copy(big, p)
	_, err = upload.Detect(bytes.NewReader(big), int64(len(big)), nil, nil)
	if !errors.As(err, &e) || e.Key != "upload.error.too_large" || e.Args["max"] != "20" {
		t.Fatalf("Detect = %v (%v), want too_large with max 20", err, e.Args)
	}
	// A kind missing from the limits falls back to the default.
	if _, err := upload.Detect(bytes.NewReader(p), int64(len(p)), nil, upload.Limits{upload.Video: 1}); err != nil {
		t.Errorf("image under the default limit: %v", err)
	}
	if upload.MaxUpload != upload.DefaultLimits[upload.Video] {
		t.Errorf("MaxUpload = %d", upload.MaxUpload)
	}
	for _, n := range upload.DefaultLimits {
		if n > upload.MaxUpload {
			t.Errorf("a default limit %d is over MaxUpload", n)
		}
	}
}

func TestDetectAllowedKinds(t *testing.T) {
	p := pngOf(t, photo(8, 8))
	if _, err := upload.Detect(bytes.NewReader(p), int64(len(p)), []upload.Kind{upload.Image}, nil); err != nil {
		t.Fatalf("image where images are allowed: %v", err)
	}
	_, err := upload.Detect(bytes.NewReader(p), int64(len(p)), []upload.Kind{upload.Document, upload.Audio}, nil)
	if errs.KeyOf(err) != "upload.error.type" {
		t.Fatalf("image where only documents and audio are allowed: %v", err)
	}
}

func TestDetectRefusesTypes(t *testing.T) {
	epub := zipOf(t, entry{name: "mimetype", data: []byte("application/epub+zip"), stored: true}, entry{name: "META-INF/container.xml", data: []byte("<container/>")})
	docm := ooxml(t, "word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml", entry{name: "word/vbaProject.bin", data: []byte("macros")})
	cases := map[string][]byte{
		"HTML":                             []byte("<!doctype html>\n<html><head><title>x</title></head><body>hi</body></html>"),
		"HTML without doctype":             []byte("<p>Hello</p>\n<script>document.cookie</script>"),
		"SVG":                              []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>`),
		"XML":                              []byte(`<?xml version="1.0"?><order><item>1</item></order>`),
		"JSON":                             []byte(`{"name": "Amina", "roles": ["admin"]}`),
		"PHP":                              []byte("<?php system($_GET['c']); ?>"),
		"shell script":                     []byte("#!/bin/sh\nrm -rf /\n"),
		"Python script":                    []byte("#!/usr/bin/env python3\nprint('hi')\n"),
		"Windows executable":               append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 64)...),
		"ELF executable":                   append([]byte("\x7FELF\x02\x01\x01\x00"), make([]byte, 64)...),
		"Mach-O executable":                append([]byte("\xCF\xFA\xED\xFE\x07\x00\x00\x01"), make([]byte, 64)...),
		"zip archive":                      zipOf(t, entry{name: "a.txt", data: []byte("hello")}),
		"EPUB":                             epub,
		"macro-enabled Word file":          docm,
		"ODF with Basic macros":            odf(t, "application/vnd.oasis.opendocument.text", entry{name: "Basic/Standard/Module1.xml", data: []byte("<script:module/>")}),
		"RAR archive":                      append([]byte("Rar!\x1A\x07\x01\x00"), make([]byte, 32)...),
		"7-Zip archive":                    append([]byte("7z\xBC\xAF\x27\x1C\x00\x04"), make([]byte, 32)...),
		"gzip archive":                     append([]byte("\x1F\x8B\x08\x00"), make([]byte, 32)...),
		"old Word document (OLE)":          append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 504)...),
		"random bytes":                     {0x00, 0x13, 0x37, 0xC0, 0xFF, 0xEE, 0x01, 0x02},
		"bytes that start like MPEG audio": append(mp3(false)[:417], bytes.Repeat([]byte{0x55}, 500)...),
		"Matroska":                         ebml("matroska"),
		"HEIC photo":                       isoMedia("heic", "mif1", "heic"),
		"Ogg Theora":                       oggOf([]byte("\x80theora\x03\x02\x01")),
		"UTF-16 text":                      {0xFF, 0xFE, 'h', 0, 'i', 0},
		"text with a NUL":                  []byte("hello\x00world"),
		"Latin-1 text (not UTF-8)":         []byte("caf\xe9 cr\xe8me\n"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) { refusal(t, data, "upload.error.type") })
	}
}

func TestDetectRefusesDamaged(t *testing.T) {
	jpg := jpegOf(t, photo(64, 48), 80)
	png := pngOf(t, photo(64, 48))
	badCRC := append([]byte{}, png...)
	badCRC[len(badCRC)-13] ^= 0xFF // a byte of the image data's CRC, which the header decoder does not read
	gifFrameOutside := gifOf(t, photo(16, 16))
	binary.LittleEndian.PutUint16(gifFrameOutside[6:], 8) // the screen shrinks under the frame
	noDirectory := zipOf(t, entry{name: "word/document.xml", data: []byte("<w/>")})
	noDirectory = noDirectory[:bytes.Index(noDirectory, []byte("PK\x01\x02"))]
	odtWithoutContent := zipOf(t, entry{name: "mimetype", data: []byte("application/vnd.oasis.opendocument.text"), stored: true})
	mp4 := isoMedia("isom", "isom")
	badOggCRC := oggOf(opusHead)
	badOggCRC[30] ^= 1
	cases := map[string][]byte{
		"PNG header cut short":                 png[:20],
		"PNG without its end":                  png[:len(png)-12],
		"PNG with a bad CRC":                   badCRC,
		"PNG image data cut short":             craftedPNG(64, 48, make([]byte, 100)),
		"JPEG header cut short":                jpg[:30],
		"JPEG cut in its scan":                 jpg[:len(jpg)-200],
		"GIF cut short":                        gifOf(t, photo(16, 16))[:40],
		"GIF frame outside screen":             gifFrameOutside,
		"WebP form overruns the file":          webpStill(3, 2, color.NRGBA{1, 2, 3, 255})[:20],
		"zip without a directory":              noDirectory,
		"ODF without manifest and content":     odtWithoutContent,
		"PDF without %%EOF":                    []byte(strings.TrimSuffix(minimalPDF, "%%EOF\n")),
		"PDF with a bad version":               []byte("%PDF-x" + minimalPDF[6:]),
		"MP3 tag without audio":                mp3(true)[:30],
		"tagged MPEG frames that do not chain": append(mp3(true)[:28+417], bytes.Repeat([]byte{0x55}, 500)...),
		"WAV without data":                     riff("WAVE", riffChunk("fmt ", make([]byte, 16))),
		"Ogg page cut short":                   oggOf(opusHead)[:27],
		"Ogg with a bad checksum":              badOggCRC,
		"FLAC without STREAMINFO":              append([]byte("fLaC\x84\x00\x00\x04"), make([]byte, 8)...),
		"MP4 cut short":                        mp4[:len(mp4)-10],
		"MP4 without a movie":                  append(box("ftyp", []byte("isom\x00\x00\x02\x00isom")), box("mdat", make([]byte, 16))...),
		"WebM header cut short":                ebml("webm")[:30],
		"WebM without a Segment":               ebml("webm")[:36],
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) { refusal(t, data, "upload.error.damaged") })
	}
}

// memoryOf returns the bytes allocated while f runs.
func memoryOf(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestDetectRefusesHugeImages(t *testing.T) {
	sof := func(jpg []byte, w, h uint16) []byte {
		i := bytes.Index(jpg, []byte{0xFF, 0xC0})
		out := append([]byte{}, jpg...)
		binary.BigEndian.PutUint16(out[i+5:], h)
		binary.BigEndian.PutUint16(out[i+7:], w)
		return out
	}
	jpg := jpegOf(t, photo(16, 16), 80)
	screen := func(g []byte, w, h uint16) []byte {
		out := append([]byte{}, g...)
		binary.LittleEndian.PutUint16(out[6:], w)
		binary.LittleEndian.PutUint16(out[8:], h)
		return out
	}
	g := gifOf(t, photo(16, 16))
	cases := map[string][]byte{
		"PNG 50,000 × 50,000":       craftedPNG(50000, 50000, []byte{0, 1, 2, 3}),
		"PNG 7,000 × 7,000 (49 MP)": craftedPNG(7000, 7000, []byte{0}),
		"PNG 12,001 × 10":           craftedPNG(12001, 10, []byte{0}),
		"JPEG 50,000 × 50,000":      sof(jpg, 50000, 50000),
		"JPEG 10 × 13,000":          sof(jpg, 10, 13000),
		"GIF 50,000 × 50,000":       screen(g, 50000, 50000),
		"WebP 50,000 × 50,000":      riff("WEBP", vp8x(0, 50000, 50000), riffChunk("VP8L", vp8l(1, 1, color.NRGBA{A: 255}))),
		"WebP 16,384 × 16,384":      webpStill(16384, 16384, color.NRGBA{A: 255}),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			var err error
			mem := memoryOf(func() { _, err = detect(data) })
			if errs.KeyOf(err) != "upload.error.dimensions" {
				t.Fatalf("Detect = %v, want dimensions", err)
			}
			if mem > 1<<20 {
				t.Errorf("refusing it allocated %d bytes", mem)
			}
		})
	}
	t.Run("Renditions also refuses from the header", func(t *testing.T) {
		data := cases["PNG 50,000 × 50,000"]
		var err error
		mem := memoryOf(func() {
			_, err = upload.Renditions(bytes.NewReader(data), int64(len(data)), upload.Type{Kind: upload.Image, MediaType: "image/png", Ext: ".png"})
		})
		if errs.KeyOf(err) != "upload.error.dimensions" || mem > 1<<20 {
			t.Fatalf("Renditions = %v after %d bytes, want dimensions", err, mem)
		}
	})
}

func TestDetectRefusesBombs(t *testing.T) {
	// A 10 × 10 PNG whose image data inflates to 10 MB.
	pngBomb := craftedPNG(10, 10, make([]byte, 10<<20))

	// An entry of 2 MB of zeros: a ratio far over 100.
	ratio := docx(t, entry{name: "word/media/blank.bin", data: make([]byte, 2<<20)})

	// 10,001 entries.
	var many []entry
	for i := range 10_001 {
		many = append(many, entry{name: "word/part" + itoa(i) + ".xml", data: []byte("x"), stored: true})
	}
	tooMany := docx(t, many...)

	// 260 entries of 1 MB each (under the ratio rule's 1 MB): 260 MB in all.
	var total bytes.Buffer
	zw := zip.NewWriter(&total)
	block := make([]byte, 1<<20)
	raw := deflated(t, block)
	for i := range 260 {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/media/image" + itoa(i) + ".bmp", Method: zip.Deflate,
			CRC32: crc32.ChecksumIEEE(block), CompressedSize64: uint64(len(raw)), UncompressedSize64: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw)
	}
	zw.Close()

	nested := docx(t, entry{name: "word/media/photos.zip", data: zipOf(t, entry{name: "a.jpg", data: []byte("x")})})
	nestedGzip := docx(t, entry{name: "word/media/archive.gz", data: []byte("\x1F\x8B\x08\x00\x00\x00\x00\x00")})
	deepEmbedding := docx(t, entry{name: "word/embeddings/Sheet1.xlsx", data: xlsx(t, entry{name: "xl/media/inner.zip", data: zipOf(t, entry{name: "a", data: []byte("a")})})})

	// Two directory entries pointing at the same local data.
	overlap := docx(t, entry{name: "word/styles.xml", data: []byte("<styles/>")})
	cd := bytes.Index(overlap, []byte("PK\x01\x02"))
	second := cd + bytes.Index(overlap[cd+4:], []byte("PK\x01\x02")) + 4
	binary.LittleEndian.PutUint32(overlap[second+42:], 0)

	// A JPEG of 101 scans.
	jpg := jpegOf(t, photo(16, 16), 80)
	sos := bytes.Index(jpg, []byte{0xFF, 0xDA})
	scan := jpg[sos : len(jpg)-2]
	scans := append([]byte{}, jpg[:len(jpg)-2]...)
	for range 100 {
		scans = append(scans, scan...)
	}
	scans = append(scans, 0xFF, 0xD9)

	cases := map[string][]byte{
		"PNG image data inflating to 10 MB":   pngBomb,
		"zip entry over 100:1":                ratio,
		"zip of 10,001 entries":               tooMany,
		"zip inflating to 260 MB":             total.Bytes(),
		"zip inside a docx":                   nested,
		"gzip inside a docx":                  nestedGzip,
		"archive inside an embedded workbook": deepEmbedding,
		"zip entries overlapping":             overlap,
		"JPEG of 101 scans":                   scans,
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) { refusal(t, data, "upload.error.bomb") })
	}
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}

func TestDetectRefusesPolyglots(t *testing.T) {
	// Noise makes the images longer than a kilobyte, so that what follows
	// them is found by the checks of their ends, not of their starts.
	jpg := jpegOf(t, noise(64, 64), 90)
	png := pngOf(t, noise(32, 32))
	gf := gifOf(t, noise(32, 32))
	jar := zipOf(t, entry{name: "META-INF/MANIFEST.MF", data: []byte("Main-Class: Evil\n")}, entry{name: "Evil.class", data: []byte("\xCA\xFE\xBA\xBE")})
	tinyZip := zipOf(t, entry{name: "x.html", data: []byte("<script>alert(1)</script>"), stored: true})
	// A zip hidden in a comment segment just before EOI: it ends within the
	// last 64 KB, where zip readers look.
	zipInComment := append(append([]byte{}, jpg[:len(jpg)-2]...), segment(0xFE, tinyZip)...)
	zipInComment = append(zipInComment, 0xFF, 0xD9)
	mp4 := isoMedia("isom", "isom")
	ftyp := binary.BigEndian.Uint32(mp4)
	mp4Script := append(append([]byte{}, mp4[:ftyp]...), box("free", []byte("<script src=//evil.example/x.js></script>"))...)
	mp4Script = append(mp4Script, mp4[ftyp:]...)
	cases := map[string][]byte{
		"JPEG with a zip appended (GIFAR)":     append(append([]byte{}, jpg...), jar...),
		"JPEG with a zip in a comment":         zipInComment,
		"JPEG with HTML after EOI":             append(append([]byte{}, jpg...), "<html><script>alert(1)</script>"...),
		"JPEG with 17 zero bytes after EOI":    append(append([]byte{}, jpg...), make([]byte, 17)...),
		"JPEG with a tiny PHP shell after EOI": append(append([]byte{}, jpg...), "<?=`$_GET[1]`;?>"...),
		"JPEG with a script comment":           withSegments(jpg, segment(0xFE, []byte("<script>alert(1)</script>"))),
		"PNG with a script after IEND":         append(append([]byte{}, png...), "<script>alert(1)</script>"...),
		"PNG with a PDF after IEND":            append(append([]byte{}, png...), minimalPDF...),
		"PNG with HTML in a text chunk":        withPNGChunk(png, pngChunk("tEXt", []byte("Comment\x00<html><body onload=x()>"))),
		"GIF with PHP after the trailer":       append(append([]byte{}, gf...), "<?php system($_GET['c']); ?>"...),
		"WebP with data after the form":        append(webpStill(3, 2, color.NRGBA{1, 2, 3, 255}), "a payload of some kind"...),
		"PDF with a zip appended":              append([]byte(longPDF), jar...),
		"PDF with data after %%EOF":            append([]byte(longPDF), "and then some other data"...),
		"PDF not at byte 0":                    append([]byte("Dear reader,\n"), minimalPDF...),
		"PDF that also starts a PNG":           []byte(strings.Replace(minimalPDF, "%\xE2\xE3\xCF\xD3", "%\x89PNG\r\n\x1A\n", 1)),
		"PDF with HTML in the first kilobyte":  []byte(strings.Replace(minimalPDF, "%\xE2\xE3\xCF\xD3", "%<html><script>x()</script>", 1)),
		"docx that also starts a PDF":          docx(t, entry{name: "a.pdf", data: []byte(minimalPDF), stored: true}),
		"MP4 with a script in its first box":   mp4Script,
		"MP3 with a zip appended":              append(mp3(true), jar...),
		"WAV with a zip appended":              append(wav(), jar...),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) { refusal(t, data, "upload.error.polyglot") })
	}
}

// TestCameraTrailersAreCutOff checks that what phones append after a
// JPEG — a second picture, a Motion Photo's video, Samsung's SEF block — is
// neither refused nor kept: Length says where the image ends. Other data
// after the end, or a zip anywhere, is still a polyglot.
func TestCameraTrailersAreCutOff(t *testing.T) {
	jpg := jpegOf(t, photo(64, 48), 80)
	mp4Box := append([]byte{0, 0, 0, 0x18}, "ftypmp42\x00\x00\x00\x00mp42isom"...)
	for name, trailer := range map[string][]byte{
		"a second JPEG (multi-picture format)": jpegOf(t, photo(16, 12), 70),
		"a Motion Photo's MP4":                 append(append([]byte{}, mp4Box...), make([]byte, 200)...),
		"Samsung's SEF block":                  append([]byte("SEFH\x6b\x00\x00\x00"), append(make([]byte, 40), "SEFT"...)...),
	} {
		t.Run(name, func(t *testing.T) {
			data := append(append([]byte{}, jpg...), trailer...)
			got, err := detect(data)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got.MediaType != "image/jpeg" || got.Length != int64(len(jpg)) {
				t.Fatalf("type %+v, want image/jpeg of length %d", got, len(jpg))
			}
		})
	}
	withZip := append(append(append([]byte{}, jpg...), jpegOf(t, photo(16, 12), 70)...), "PK\x05\x06"+strings.Repeat("\x00", 18)...)
	refusal(t, withZip, "upload.error.polyglot")
	if got, err := detect(jpg); err != nil || got.Length != 0 {
		t.Fatalf("a plain JPEG: %+v %v", got, err)
	}
}
