package upload

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"

	"harambee.africa/harambee/internal/errs"
)

// checkDims refuses an image too large to decode safely, from its header
// alone, before any pixel buffer exists.
func checkDims(w, h int) error {
	if w <= 0 || h <= 0 {
		return problem(keyDamaged, "image of %d × %d pixels", w, h)
	}
	if w > maxSide || h > maxSide || int64(w)*int64(h) > maxPixels {
		return problem(keyDimensions, "image of %d × %d pixels", w, h)
	}
	return nil
}

// imageConfig reads an image's header: its size, nothing more.
func imageConfig(sr *io.SectionReader, mediaType string) (image.Config, error) {
	rd := bufio.NewReader(io.NewSectionReader(sr, 0, sr.Size()))
	var (
		cfg image.Config
		err error
	)
	switch mediaType {
	case typeJPEG.MediaType:
		cfg, err = jpeg.DecodeConfig(rd)
	case typePNG.MediaType:
		cfg, err = png.DecodeConfig(rd)
	case typeGIF.MediaType:
		cfg, err = gif.DecodeConfig(rd)
	case typeWebP.MediaType:
		// x/image refuses a canvas over 2³¹ pixels as invalid; say why.
		var x [30]byte
		if _, err := sr.ReadAt(x[:], 0); err == nil && string(x[12:16]) == "VP8X" {
			if err := checkDims(int(le24(x[24:]))+1, int(le24(x[27:]))+1); err != nil {
				return cfg, err
			}
		}
		cfg, err = webp.DecodeConfig(rd)
	default:
		return cfg, problem(keyType, "%s is not an image we decode", mediaType)
	}
	if err != nil {
		return cfg, decodeFailed(mediaType, err)
	}
	return cfg, checkDims(cfg.Width, cfg.Height)
}

// decodeFailed says why a decoder gave up: a variant we cannot read, or a
// damaged file.
func decodeFailed(what string, err error) error {
	var (
		ju jpeg.UnsupportedError
		pu png.UnsupportedError
		e  *errs.Error
	)
	switch {
	case errors.As(err, &e):
		return err
	case errors.As(err, &ju), errors.As(err, &pu):
		return problem(keyType, "%s: %v", what, err)
	}
	return problem(keyDamaged, "%s: %v", what, err)
}

// cursor reads a section forward through a buffer and knows where it is.
type cursor struct {
	br  *bufio.Reader
	pos int64
}

func newCursor(sr *io.SectionReader, off int64) *cursor {
	return &cursor{br: bufio.NewReaderSize(io.NewSectionReader(sr, off, sr.Size()-off), 32<<10), pos: off}
}

func (c *cursor) next() (byte, error) {
	b, err := c.br.ReadByte()
	if err == nil {
		c.pos++
	}
	return b, err
}

func (c *cursor) full(p []byte) error {
	n, err := io.ReadFull(c.br, p)
	c.pos += int64(n)
	return err
}

func (c *cursor) skip(n int64) error {
	for n > 0 {
		d, err := c.br.Discard(int(min(n, 1<<30)))
		c.pos += int64(d)
		n -= int64(d)
		if err != nil {
			return err
		}
	}
	return nil
}

// --- JPEG ---

// segment is a JPEG marker segment or a chunk of another format: where its
// data starts and how long it is.
type segment struct {
	marker byte
	off, n int64
}

// jpegLayout is what a walk through a JPEG's markers found.
type jpegLayout struct {
	apps  []segment // APPn segments before the first scan
	scans int
	end   int64 // just after EOI, when the walk went that far
}

const maxJPEGSegments = 4096

// walkJPEG walks a JPEG's markers from SOI; with toEnd false it stops at the
// first scan (enough for metadata), else it runs through the entropy-coded
// data to EOI, counting scans.
func walkJPEG(sr *io.SectionReader, toEnd bool) (jpegLayout, error) {
	var l jpegLayout
	c := newCursor(sr, 0)
	var b2 [2]byte
	if err := c.full(b2[:]); err != nil || b2 != [2]byte{0xFF, 0xD8} {
		return l, problem(keyDamaged, "JPEG without SOI")
	}
	var (
		marker  byte
		pending bool
		count   int
	)
	for {
		if !pending {
			b, err := c.next()
			if err != nil {
				return l, readFailed("JPEG markers", err)
			}
			if b != 0xFF {
				continue // stray bytes between segments: decoders skip them too
			}
			for b == 0xFF {
				if b, err = c.next(); err != nil {
					return l, readFailed("JPEG markers", err)
				}
			}
			marker = b
		}
		pending = false
		switch {
		case marker == 0xD9:
			l.end = c.pos
			return l, nil
		case marker == 0x00, marker == 0x01, marker >= 0xD0 && marker <= 0xD8:
			continue
		}
		if err := c.full(b2[:]); err != nil {
			return l, readFailed("JPEG segment", err)
		}
		n := int64(binary.BigEndian.Uint16(b2[:])) - 2
		if n < 0 {
			return l, problem(keyDamaged, "JPEG segment %#x of length %d", marker, n+2)
		}
		if count++; count > maxJPEGSegments {
			return l, problem(keyDamaged, "JPEG with over %d segments", maxJPEGSegments)
		}
		if marker >= 0xE0 && marker <= 0xEF && l.scans == 0 {
			l.apps = append(l.apps, segment{marker, c.pos, n})
		}
		if err := c.skip(n); err != nil {
			return l, readFailed("JPEG segment", err)
		}
		if marker != 0xDA {
			continue
		}
		if l.scans++; !toEnd {
			return l, nil
		}
		if l.scans > maxJPEGScans {
			return l, problem(keyBomb, "JPEG with over %d scans", maxJPEGScans)
		}
		m, err := entropyEnd(c)
		if err != nil {
			return l, readFailed("JPEG scan", err)
		}
		marker, pending = m, true
	}
}

// entropyEnd reads a scan's entropy-coded data and returns the marker that
// ends it (stuffed zeros and restart markers belong to the scan).
func entropyEnd(c *cursor) (byte, error) {
	for {
		s, err := c.br.ReadSlice(0xFF)
		c.pos += int64(len(s))
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return 0, err
		}
		b, err := c.next()
		for err == nil && b == 0xFF {
			b, err = c.next()
		}
		if err != nil {
			return 0, err
		}
		if b == 0x00 || b >= 0xD0 && b <= 0xD7 {
			continue
		}
		return b, nil
	}
}

func checkJPEG(sr *io.SectionReader, size int64, _ []byte) (Type, error) {
	if _, err := imageConfig(sr, typeJPEG.MediaType); err != nil {
		return Type{}, err
	}
	l, err := walkJPEG(sr, true)
	if err != nil {
		return Type{}, err
	}
	if cut, err := cameraTrailer(sr, size, l.end); err != nil || cut {
		t := typeJPEG
		t.Length = l.end
		return t, err
	}
	return typeJPEG, checkTrailer(sr, size, l.end, "JPEG")
}

// cameraTrailer reports whether the bytes after a JPEG's end are what
// phone cameras append: a second JPEG (CIPA multi-picture format), an MP4
// (Motion Photo: a box whose type is ftyp), or Samsung's SEF block, which
// ends with "SEFT". Anything else after the end is judged by checkTrailer.
func cameraTrailer(sr *io.SectionReader, size, end int64) (bool, error) {
	if end >= size || size-end < 16 {
		return false, nil
	}
	head := make([]byte, 12)
	if _, err := sr.ReadAt(head, end); err != nil {
		return false, readFailed("JPEG trailer", err)
	}
	tail := make([]byte, 4)
	if _, err := sr.ReadAt(tail, size-4); err != nil {
		return false, readFailed("JPEG trailer", err)
	}
	switch {
	case head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return true, nil
	case string(head[4:8]) == "ftyp":
		return true, nil
	case string(tail) == "SEFT":
		return true, nil
	}
	return false, nil
}

// --- PNG ---

// pngLayout is what a walk through a PNG's chunks found.
type pngLayout struct {
	width, height     int64
	depth, colour     byte
	interlaced        bool
	idat, itxt, exifs []segment
	end               int64 // just after IEND
}

const maxPNGChunks = 1 << 17

// walkPNG walks a PNG's chunks to IEND, checking each chunk's CRC when
// verify is set.
func walkPNG(sr *io.SectionReader, size int64, verify bool) (pngLayout, error) {
	var l pngLayout
	pos := int64(8)
	var hdr [8]byte
	for count := 0; ; count++ {
		if count > maxPNGChunks {
			return l, problem(keyDamaged, "PNG with over %d chunks", maxPNGChunks)
		}
		if _, err := sr.ReadAt(hdr[:], pos); err != nil {
			return l, readFailed("PNG chunk", err)
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:])
		if n > 1<<31-1 || pos+12+n > size {
			return l, problem(keyDamaged, "PNG chunk %q of %d bytes at %d overruns the file", typ, n, pos)
		}
		for _, c := range hdr[4:] {
			if c < 'A' || c > 'z' || c > 'Z' && c < 'a' {
				return l, problem(keyDamaged, "PNG chunk type %q", typ)
			}
		}
		if count == 0 && (typ != "IHDR" || n != 13) {
			return l, problem(keyDamaged, "PNG does not start with IHDR")
		}
		if verify {
			h := crc32.NewIEEE()
			h.Write(hdr[4:])
			if _, err := io.Copy(h, io.NewSectionReader(sr, pos+8, n)); err != nil {
				return l, readFailed("PNG chunk", err)
			}
			var crc [4]byte
			if _, err := sr.ReadAt(crc[:], pos+8+n); err != nil {
				return l, readFailed("PNG chunk", err)
			}
			if binary.BigEndian.Uint32(crc[:]) != h.Sum32() {
				return l, problem(keyDamaged, "PNG chunk %q at %d fails its CRC", typ, pos)
			}
		}
		s := segment{off: pos + 8, n: n}
		switch typ {
		case "IHDR":
			var ihdr [13]byte
			if _, err := sr.ReadAt(ihdr[:], pos+8); err != nil {
				return l, readFailed("PNG header", err)
			}
			l.width, l.height = int64(binary.BigEndian.Uint32(ihdr[0:])), int64(binary.BigEndian.Uint32(ihdr[4:]))
			l.depth, l.colour, l.interlaced = ihdr[8], ihdr[9], ihdr[12] == 1
			if err := checkDims(int(min(l.width, 1<<31)), int(min(l.height, 1<<31))); err != nil {
				return l, err
			}
		case "IDAT":
			l.idat = append(l.idat, s)
		case "iTXt":
			l.itxt = append(l.itxt, s)
		case "eXIf":
			l.exifs = append(l.exifs, s)
		case "IEND":
			l.end = pos + 12 + n
			if len(l.idat) == 0 {
				return l, problem(keyDamaged, "PNG without image data")
			}
			return l, nil
		}
		pos += 12 + n
	}
}

// rawSize is how many bytes the image data inflates to: a filter byte and
// the packed samples of each row, for each interlace pass.
func (l pngLayout) rawSize() int64 {
	channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[l.colour]
	bpp := channels * int64(l.depth)
	rows := func(w, h int64) int64 {
		if w == 0 || h == 0 {
			return 0
		}
		return h * (1 + (w*bpp+7)/8)
	}
	if !l.interlaced {
		return rows(l.width, l.height)
	}
	var total int64
	for _, p := range [7][4]int64{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
		total += rows((l.width-p[0]+p[2]-1)/p[2], (l.height-p[1]+p[3]-1)/p[3])
	}
	return total
}

// enoughData refuses image data too short to inflate to what the header
// says, before a decoder allocates the pixels: deflate cannot pack more than
// 1,032 bytes into one.
func (l pngLayout) enoughData() error {
	var n int64
	for _, s := range l.idat {
		n += s.n
	}
	if n*1032 < l.rawSize() {
		return problem(keyDamaged, "PNG image data of %d bytes cannot hold %d × %d pixels", n, l.width, l.height)
	}
	return nil
}

// checkPNGData inflates the image data, counting and discarding it, and
// refuses a stream that inflates far beyond what the header allows: a
// decompression bomb. Go's decoder would stop at the expected size; other
// readers of the original may not.
func checkPNGData(sr *io.SectionReader, l pngLayout) error {
	parts := make([]io.Reader, len(l.idat))
	for i, s := range l.idat {
		parts[i] = io.NewSectionReader(sr, s.off, s.n)
	}
	zr, err := zlib.NewReader(bufio.NewReader(io.MultiReader(parts...)))
	if err != nil {
		return problem(keyDamaged, "PNG image data: %v", err)
	}
	limit := l.width*l.height*8 + 8*l.height + 1<<16
	n, err := io.Copy(io.Discard, io.LimitReader(zr, limit+1))
	switch {
	case n > limit:
		return problem(keyBomb, "PNG image data of %d × %d pixels inflates beyond %d bytes", l.width, l.height, limit)
	case err != nil:
		return problem(keyDamaged, "PNG image data: %v", err)
	case n != l.rawSize():
		return problem(keyDamaged, "PNG image data inflates to %d bytes, not %d", n, l.rawSize())
	}
	return nil
}

func checkPNG(sr *io.SectionReader, size int64, _ []byte) (Type, error) {
	if _, err := imageConfig(sr, typePNG.MediaType); err != nil {
		return Type{}, err
	}
	l, err := walkPNG(sr, size, true)
	if err != nil {
		return Type{}, err
	}
	if err := l.enoughData(); err != nil {
		return Type{}, err
	}
	if err := checkPNGData(sr, l); err != nil {
		return Type{}, err
	}
	return typePNG, checkTrailer(sr, size, l.end, "PNG")
}

// --- GIF ---

// walkGIF walks a GIF's blocks to the trailer, checking that every frame
// lies inside the logical screen, and returns the offset after the trailer.
func walkGIF(sr *io.SectionReader) (int64, error) {
	c := newCursor(sr, 0)
	var hdr [13]byte
	if err := c.full(hdr[:]); err != nil {
		return 0, readFailed("GIF header", err)
	}
	w, h := int(binary.LittleEndian.Uint16(hdr[6:])), int(binary.LittleEndian.Uint16(hdr[8:]))
	if hdr[10]&0x80 != 0 {
		if err := c.skip(3 << (hdr[10]&7 + 1)); err != nil {
			return 0, readFailed("GIF colour table", err)
		}
	}
	frames := 0
	for {
		b, err := c.next()
		if err != nil {
			return 0, readFailed("GIF blocks", err)
		}
		switch b {
		case 0x21:
			if _, err := c.next(); err != nil {
				return 0, readFailed("GIF extension", err)
			}
			if err := gifSubBlocks(c); err != nil {
				return 0, err
			}
		case 0x2C:
			var d [10]byte // descriptor and LZW code size
			if err := c.full(d[:9]); err != nil {
				return 0, readFailed("GIF frame", err)
			}
			left, top := int(binary.LittleEndian.Uint16(d[0:])), int(binary.LittleEndian.Uint16(d[2:]))
			fw, fh := int(binary.LittleEndian.Uint16(d[4:])), int(binary.LittleEndian.Uint16(d[6:]))
			if left+fw > w || top+fh > h {
				return 0, problem(keyDamaged, "GIF frame %d at (%d,%d) of %d × %d outside the %d × %d screen", frames, left, top, fw, fh, w, h)
			}
			if d[8]&0x80 != 0 {
				if err := c.skip(3 << (d[8]&7 + 1)); err != nil {
					return 0, readFailed("GIF colour table", err)
				}
			}
			if d[9], err = c.next(); err != nil {
				return 0, readFailed("GIF frame", err)
			}
			if d[9] < 2 || d[9] > 8 {
				return 0, problem(keyDamaged, "GIF LZW code size %d", d[9])
			}
			if err := gifSubBlocks(c); err != nil {
				return 0, err
			}
			frames++
		case 0x3B:
			if frames == 0 {
				return 0, problem(keyDamaged, "GIF without frames")
			}
			return c.pos, nil
		default:
			return 0, problem(keyDamaged, "GIF block %#x at %d", b, c.pos-1)
		}
	}
}

func gifSubBlocks(c *cursor) error {
	for {
		n, err := c.next()
		if err != nil {
			return readFailed("GIF data", err)
		}
		if n == 0 {
			return nil
		}
		if err := c.skip(int64(n)); err != nil {
			return readFailed("GIF data", err)
		}
	}
}

func checkGIF(sr *io.SectionReader, size int64, _ []byte) (Type, error) {
	if _, err := imageConfig(sr, typeGIF.MediaType); err != nil {
		return Type{}, err
	}
	end, err := walkGIF(sr)
	if err != nil {
		return Type{}, err
	}
	return typeGIF, checkTrailer(sr, size, end, "GIF")
}

// --- WebP ---

// webpLayout is what a walk through a WebP's RIFF chunks found.
type webpLayout struct {
	canvasW, canvasH int  // from VP8X; 0 for a simple file
	animated         bool // VP8X says so and ANMF frames follow
	frames           []segment
	exif, xmp        []segment
	end              int64 // end of the RIFF form
}

func walkWebP(sr *io.SectionReader, size int64) (webpLayout, error) {
	var l webpLayout
	var hdr [12]byte
	if _, err := sr.ReadAt(hdr[:], 0); err != nil {
		return l, readFailed("WebP header", err)
	}
	l.end = 8 + int64(binary.LittleEndian.Uint32(hdr[4:]))
	if l.end > size || l.end < 12 {
		return l, problem(keyDamaged, "WebP form of %d bytes in a file of %d", l.end, size)
	}
	pixels := false
	var ch [8]byte
	for pos, count := int64(12), 0; pos < l.end; count++ {
		if count > maxPNGChunks || pos+8 > l.end {
			return l, problem(keyDamaged, "WebP chunks overrun the form")
		}
		if _, err := sr.ReadAt(ch[:], pos); err != nil {
			return l, readFailed("WebP chunk", err)
		}
		n := int64(binary.LittleEndian.Uint32(ch[4:]))
		s := segment{off: pos + 8, n: n}
		if s.off+n > l.end {
			return l, problem(keyDamaged, "WebP chunk %q overruns the form", ch[:4])
		}
		switch string(ch[:4]) {
		case "VP8X":
			if n != 10 {
				return l, problem(keyDamaged, "WebP VP8X of %d bytes", n)
			}
			var x [10]byte
			if _, err := sr.ReadAt(x[:], s.off); err != nil {
				return l, readFailed("WebP VP8X", err)
			}
			l.animated = x[0]&0x02 != 0
			l.canvasW, l.canvasH = int(le24(x[4:]))+1, int(le24(x[7:]))+1
		case "VP8 ", "VP8L":
			pixels = true
		case "ANMF":
			if n < 16 {
				return l, problem(keyDamaged, "WebP frame of %d bytes", n)
			}
			var f [16]byte
			if _, err := sr.ReadAt(f[:], s.off); err != nil {
				return l, readFailed("WebP frame", err)
			}
			x, y := 2*int(le24(f[0:])), 2*int(le24(f[3:]))
			w, h := int(le24(f[6:]))+1, int(le24(f[9:]))+1
			if x+w > l.canvasW || y+h > l.canvasH {
				return l, problem(keyDamaged, "WebP frame at (%d,%d) of %d × %d outside the %d × %d canvas", x, y, w, h, l.canvasW, l.canvasH)
			}
			l.frames = append(l.frames, s)
			pixels = true
		case "EXIF":
			l.exif = append(l.exif, s)
		case "XMP ":
			l.xmp = append(l.xmp, s)
		}
		pos = s.off + n + n&1
	}
	if !pixels {
		return l, problem(keyDamaged, "WebP without image data")
	}
	if l.animated && len(l.frames) == 0 {
		return l, problem(keyDamaged, "animated WebP without frames")
	}
	return l, nil
}

func le24(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }

func checkWebP(sr *io.SectionReader, size int64, _ []byte) (Type, error) {
	if _, err := imageConfig(sr, typeWebP.MediaType); err != nil {
		return Type{}, err
	}
	l, err := walkWebP(sr, size)
	if err != nil {
		return Type{}, err
	}
	return typeWebP, checkTrailer(sr, size, l.end, "WebP")
}
