package upload_test

// Every file the tests use is built here, in Go: nothing binary is committed.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
)

// --- pixels ---

// photo is a smooth, photo-like picture: gradients and soft shapes.
func photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := float64(x-w/2)/float64(w), float64(y-h/3)/float64(h)
			sun := 1 / (1 + 40*(dx*dx+dy*dy))
			m.Pix[m.PixOffset(x, y)+0] = uint8(60 + 180*sun)
			m.Pix[m.PixOffset(x, y)+1] = uint8(40 + 150*float64(y)/float64(h)*(1-sun/2))
			m.Pix[m.PixOffset(x, y)+2] = uint8(200 - 150*float64(y)/float64(h))
			m.Pix[m.PixOffset(x, y)+3] = 255
		}
	}
	return m
}

// noise is the worst case for any encoder: every pixel random.
func noise(w, h int) *image.RGBA {
	r := rand.New(rand.NewPCG(1, 2))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		if i%4 == 3 {
			m.Pix[i] = 255
		} else {
			m.Pix[i] = uint8(r.Uint32())
		}
	}
	return m
}

// halves is red on the left and blue on the right.
func halves(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 220, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// --- images ---

func jpegOf(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifOf(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// animatedGIF has a green first frame over the whole screen and a smaller
// magenta second frame.
func animatedGIF(t testing.TB) []byte {
	t.Helper()
	pal := color.Palette{color.RGBA{0, 200, 0, 255}, color.RGBA{200, 0, 200, 255}}
	f1 := image.NewPaletted(image.Rect(0, 0, 60, 40), pal)
	f2 := image.NewPaletted(image.Rect(10, 10, 30, 30), pal)
	for i := range f2.Pix {
		f2.Pix[i] = 1
	}
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{f1, f2}, Delay: []int{10, 10},
		Config: image.Config{ColorModel: pal, Width: 60, Height: 40}})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// segment builds a JPEG marker segment.
func segment(marker byte, payload []byte) []byte {
	b := []byte{0xFF, marker}
	b = binary.BigEndian.AppendUint16(b, uint16(len(payload)+2))
	return append(b, payload...)
}

// withSegments puts segments right after a JPEG's SOI.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// gpsLatitude is the GPS position the EXIF segment carries, as it is stored:
// three rationals, 1°17'31" (Nairobi).
var gpsLatitude = []byte{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0, 31, 0, 0, 0, 1}

// exifSegment is an APP1 Exif segment with an orientation and a GPS IFD.
func exifSegment(orientation uint16) []byte {
	be := binary.BigEndian
	t := []byte("MM\x00\x2A\x00\x00\x00\x08")
	t = be.AppendUint16(t, 2) // IFD0: two entries
	t = be.AppendUint16(t, 0x0112)
	t = be.AppendUint16(t, 3)
	t = be.AppendUint32(t, 1)
	t = be.AppendUint16(t, orientation)
	t = be.AppendUint16(t, 0)
	t = be.AppendUint16(t, 0x8825) // GPS IFD pointer
	t = be.AppendUint16(t, 4)
	t = be.AppendUint32(t, 1)
	t = be.AppendUint32(t, 38)
	t = be.AppendUint32(t, 0) // no next IFD; the GPS IFD starts at 38
	t = be.AppendUint16(t, 2)
	t = be.AppendUint16(t, 0x0001) // GPSLatitudeRef "N"
	t = be.AppendUint16(t, 2)
	t = be.AppendUint32(t, 2)
	t = append(t, 'N', 0, 0, 0)
	t = be.AppendUint16(t, 0x0002) // GPSLatitude, three rationals at 68
	t = be.AppendUint16(t, 5)
	t = be.AppendUint32(t, 3)
	t = be.AppendUint32(t, 68)
	t = be.AppendUint32(t, 0)
	t = append(t, gpsLatitude...)
	return segment(0xE1, append([]byte("Exif\x00\x00"), t...))
}

// iptcDataset is one IPTC-IIM dataset.
func iptcDataset(record, dataset byte, value string) []byte {
	b := []byte{0x1C, record, dataset}
	b = binary.BigEndian.AppendUint16(b, uint16(len(value)))
	return append(b, value...)
}

// iptcSegment wraps IPTC datasets in an APP13 Photoshop 8BIM 0x0404 block.
func iptcSegment(datasets ...[]byte) []byte {
	var iim []byte
	for _, d := range datasets {
		iim = append(iim, d...)
	}
	b := []byte("Photoshop 3.0\x00")
	b = append(b, "8BIM\x04\x04\x00\x00"...) // resource 0x0404, empty name
	b = binary.BigEndian.AppendUint32(b, uint32(len(iim)))
	b = append(b, iim...)
	if len(iim)%2 == 1 {
		b = append(b, 0)
	}
	return segment(0xED, b)
}

const xmpPacket = `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="Harambee News Agency">
   <dc:creator><rdf:Seq><rdf:li>Wanjiru Kamau</rdf:li><rdf:li>Li Wei</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt>
     <rdf:li xml:lang="fr">Grues au port de Mombasa</rdf:li>
     <rdf:li xml:lang="x-default">Cranes at the port of Mombasa</rdf:li>
   </rdf:Alt></dc:description>
   <photoshop:Headline>Port expansion</photoshop:Headline>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`

func xmpSegment(packet string) []byte {
	return segment(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), packet...))
}

// taggedJPEG carries EXIF with GPS, IPTC and XMP.
func taggedJPEG(t testing.TB) []byte {
	return withSegments(jpegOf(t, photo(400, 300), 85),
		exifSegment(1),
		iptcSegment(
			iptcDataset(1, 90, "\x1B%G"),
			iptcDataset(2, 80, "IPTC By-line"),
			iptcDataset(2, 110, "IPTC Credit"),
			iptcDataset(2, 116, "© 2025 Harambee News Agency"),
			iptcDataset(2, 120, "IPTC caption"),
		),
		xmpSegment(xmpPacket),
	)
}

// pngChunk builds a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// craftedPNG is an RGB PNG with a valid header for any size and raw as its
// (zlib-compressed) image data.
func craftedPNG(w, h uint32, raw []byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(raw)
	zw.Close()
	b := []byte("\x89PNG\r\n\x1A\n")
	b = append(b, pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", z.Bytes())...)
	return append(b, pngChunk("IEND", nil)...)
}

// withPNGChunk puts a chunk right after a PNG's IHDR.
func withPNGChunk(p []byte, chunk []byte) []byte {
	const afterIHDR = 8 + 25
	out := append([]byte{}, p[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, p[afterIHDR:]...)
}

// translucent is a PNG whose left half is transparent.
func translucent(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if x < w/2 {
				a = 0
			}
			m.SetNRGBA(x, y, color.NRGBA{10, 120, 10, a})
		}
	}
	return m
}

// --- WebP, written by hand ---

type bitWriter struct {
	out  []byte
	acc  uint64
	bits uint
}

func (w *bitWriter) write(v uint64, n uint) {
	w.acc |= v << w.bits
	for w.bits += n; w.bits >= 8; w.bits -= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.bits > 0 {
		return append(w.out, byte(w.acc))
	}
	return w.out
}

// vp8l is a lossless WebP bitstream of one colour: five one-symbol prefix
// codes, so the pixels themselves take no bits at all.
func vp8l(w, h int, c color.NRGBA) []byte {
	bw := &bitWriter{out: []byte{0x2F}}
	bw.write(uint64(w-1), 14)
	bw.write(uint64(h-1), 14)
	alpha := uint64(0)
	if c.A != 255 {
		alpha = 1
	}
	bw.write(alpha, 1)
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	for _, sym := range []uint8{c.G, c.R, c.B, c.A, 0} {
		bw.write(1, 1) // simple code
		bw.write(0, 1) // of one symbol
		bw.write(1, 1) // eight bits wide
		bw.write(uint64(sym), 8)
	}
	return bw.bytes()
}

func riffChunk(fourcc string, data []byte) []byte {
	b := append([]byte(fourcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func riff(form string, chunks ...[]byte) []byte {
	var body []byte
	for _, c := range chunks {
		body = append(body, c...)
	}
	b := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)))...)
	b = append(b, form...)
	return append(b, body...)
}

func webpStill(w, h int, c color.NRGBA) []byte {
	return riff("WEBP", riffChunk("VP8L", vp8l(w, h, c)))
}

func le24(v int) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16)} }

func vp8x(flags byte, w, h int) []byte {
	b := []byte{flags, 0, 0, 0}
	b = append(b, le24(w-1)...)
	return riffChunk("VP8X", append(b, le24(h-1)...))
}

// animatedWebP has a yellow 40 × 30 first frame and a cyan second one.
func animatedWebP() []byte {
	frame := func(x, y, w, h int, c color.NRGBA) []byte {
		b := append(le24(x/2), le24(y/2)...)
		b = append(b, le24(w-1)...)
		b = append(b, le24(h-1)...)
		b = append(b, le24(100)...)
		b = append(b, 0)
		return riffChunk("ANMF", append(b, riffChunk("VP8L", vp8l(w, h, c))...))
	}
	return riff("WEBP", vp8x(0x02|0x10, 40, 30), riffChunk("ANIM", make([]byte, 6)),
		frame(0, 0, 40, 30, color.NRGBA{230, 200, 0, 255}), frame(10, 10, 20, 10, color.NRGBA{0, 200, 200, 255}))
}

// --- documents ---

const minimalPDF = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n" +
	"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n" +
	"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n" +
	"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n" +
	"trailer <</Root 1 0 R /Size 4>>\nstartxref\n0\n%%EOF\n"

// longPDF has a page with content, so that it is over a kilobyte long.
var longPDF = strings.Replace(minimalPDF, "trailer", "4 0 obj <</Length 1200>> stream\n"+strings.Repeat("BT /F1 12 Tf 72 712 Td (Harambee) Tj ET\n", 30)+"endstream endobj\ntrailer", 1)

type entry struct {
	name   string
	data   []byte
	stored bool
}

func zipOf(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.stored {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const rels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%s"/></Relationships>`

func contentTypes(part, contentType string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/` + part + `" ContentType="` + contentType + `"/></Types>`)
}

// ooxml is an Office Open XML package with one main part, and extra entries.
func ooxml(t testing.TB, part, contentType string, extra ...entry) []byte {
	t.Helper()
	entries := []entry{
		{name: "[Content_Types].xml", data: contentTypes(part, contentType)},
		{name: "_rels/.rels", data: []byte(rels)},
		{name: part, data: []byte(`<?xml version="1.0" encoding="UTF-8"?><document>Habari za asubuhi</document>`)},
	}
	return zipOf(t, append(entries, extra...)...)
}

func docx(t testing.TB, extra ...entry) []byte {
	return ooxml(t, "word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", extra...)
}

func xlsx(t testing.TB, extra ...entry) []byte {
	return ooxml(t, "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", extra...)
}

func pptx(t testing.TB) []byte {
	return ooxml(t, "ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml")
}

// odf is an OpenDocument file: "mimetype" first and stored.
func odf(t testing.TB, mediaType string, extra ...entry) []byte {
	t.Helper()
	entries := []entry{
		{name: "mimetype", data: []byte(mediaType), stored: true},
		{name: "META-INF/manifest.xml", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>`)},
		{name: "content.xml", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>`)},
	}
	return zipOf(t, append(entries, extra...)...)
}

// deflated is raw deflate data, for entries written with CreateRaw.
func deflated(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.BestCompression)
	fw.Write(data)
	fw.Close()
	return b.Bytes()
}

// --- audio and video ---

// mp3 is an ID3v2.4 tag and three silent MPEG-1 layer III frames (128 kbit/s,
// 44.1 kHz: 417 bytes each).
func mp3(withTag bool) []byte {
	var b []byte
	if withTag {
		frame := append([]byte("TIT2"), 0, 0, 0, 8, 0, 0)
		frame = append(frame, "\x03Harusi"...)
		frame = append(frame, 0)
		b = append([]byte("ID3\x04\x00\x00"), 0, 0, 0, byte(len(frame)))
		b = append(b, frame...)
	}
	for range 3 {
		f := make([]byte, 417)
		copy(f, []byte{0xFF, 0xFB, 0x90, 0x64})
		b = append(b, f...)
	}
	return b
}

// mp3WithCover carries a PNG cover picture in an ID3v2.3 APIC frame.
func mp3WithCover(cover []byte) []byte {
	body := append([]byte("\x00image/png\x00\x03\x00"), cover...)
	frame := binary.BigEndian.AppendUint32([]byte("APIC"), uint32(len(body)))
	frame = append(frame, 0, 0)
	frame = append(frame, body...)
	n := len(frame)
	b := append([]byte("ID3\x03\x00\x00"), byte(n>>21&0x7F), byte(n>>14&0x7F), byte(n>>7&0x7F), byte(n&0x7F))
	b = append(b, frame...)
	return append(b, mp3(false)...)
}

func wav() []byte {
	fmtChunk := []byte{1, 0, 1, 0} // PCM, mono
	fmtChunk = binary.LittleEndian.AppendUint32(fmtChunk, 8000)
	fmtChunk = binary.LittleEndian.AppendUint32(fmtChunk, 16000)
	fmtChunk = append(fmtChunk, 2, 0, 16, 0)
	return riff("WAVE", riffChunk("fmt ", fmtChunk), riffChunk("data", make([]byte, 1600)))
}

var oggTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04C11DB7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

func oggPage(headerType byte, seq uint32, packet []byte) []byte {
	var lacing []byte
	n := len(packet)
	for ; n >= 255; n -= 255 {
		lacing = append(lacing, 255)
	}
	lacing = append(lacing, byte(n))
	p := append([]byte("OggS"), 0, headerType)
	p = binary.LittleEndian.AppendUint64(p, 0)
	p = binary.LittleEndian.AppendUint32(p, 0x4842)
	p = binary.LittleEndian.AppendUint32(p, seq)
	p = binary.LittleEndian.AppendUint32(p, 0)
	p = append(p, byte(len(lacing)))
	p = append(p, lacing...)
	p = append(p, packet...)
	var crc uint32
	for _, c := range p {
		crc = crc<<8 ^ oggTable[byte(crc>>24)^c]
	}
	binary.LittleEndian.PutUint32(p[22:], crc)
	return p
}

func oggOf(first []byte) []byte {
	return append(oggPage(0x02, 0, first), oggPage(0, 1, []byte("OpusTags\x00\x00\x00\x00\x00\x00\x00\x00"))...)
}

var opusHead = []byte("OpusHead\x01\x01\x38\x01\x80\xBB\x00\x00\x00\x00\x00")

func flac() []byte {
	b := append([]byte("fLaC"), 0x80, 0, 0, 34)
	b = append(b, make([]byte, 34)...)
	return append(b, 0xFF, 0xF8, 0x69, 0x08, 0x00, 0x00)
}

func box(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(data)))
	return append(append(b, typ...), data...)
}

// isoMedia is an ftyp box with the brands, a movie box and media data.
func isoMedia(brands ...string) []byte {
	ftyp := append([]byte(brands[0]), 0, 0, 2, 0)
	for _, b := range brands[1:] {
		ftyp = append(ftyp, b...)
	}
	b := box("ftyp", ftyp)
	b = append(b, box("moov", box("mvhd", make([]byte, 100)))...)
	return append(b, box("mdat", make([]byte, 64))...)
}

func ebml(docType string) []byte {
	header := []byte{0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81, 0x04, 0x42, 0xF3, 0x81, 0x08,
		0x42, 0x82, 0x80 | byte(len(docType))}
	header = append(header, docType...)
	header = append(header, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02)
	b := append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x80 | byte(len(header))}, header...)
	b = append(b, 0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF) // Segment, size unknown
	return append(b, 0x15, 0x49, 0xA9, 0x66, 0x80)                                        // an empty Info
}
