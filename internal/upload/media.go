package upload

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"harambee.africa/harambee/internal/errs"
)

// Audio and video are stored as uploaded; these checks only make sure the
// container is what it claims to be and is not cut short.

// --- MP3 (MPEG audio) ---

var mpegBitrates = [5][16]int{ // kbit/s: V1 L1, V1 L2, V1 L3, V2 L1, V2 L2/L3
	{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
	{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
	{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
	{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
	{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
}

var mpegRates = [4][3]int{ // by version bits: 2.5, reserved, 2, 1
	{11025, 12000, 8000}, {}, {22050, 24000, 16000}, {44100, 48000, 32000},
}

// mpegFrame parses the MPEG audio frame header at b[off:] and returns the
// frame's length and layer (1, 2 or 3).
func mpegFrame(b []byte, off int) (length, layer int, ok bool) {
	if off < 0 || len(b) < off+4 {
		return 0, 0, false
	}
	h := b[off : off+4]
	version, layerBits := h[1]>>3&3, h[1]>>1&3
	rateIdx, srIdx, pad := int(h[2]>>4), int(h[2]>>2&3), int(h[2]>>1&1)
	if h[0] != 0xFF || h[1]&0xE0 != 0xE0 || version == 1 || layerBits == 0 || rateIdx == 0 || rateIdx == 15 || srIdx == 3 || h[3]&3 == 2 {
		return 0, 0, false
	}
	layer = int(4 - layerBits)
	table := layer - 1
	if version != 3 {
		table = 3 + min(layer-1, 1)
	}
	bitrate, rate := mpegBitrates[table][rateIdx]*1000, mpegRates[version][srIdx]
	switch {
	case layer == 1:
		length = (12*bitrate/rate + pad) * 4
	case layer == 3 && version != 3:
		length = 72*bitrate/rate + pad
	default:
		length = 144*bitrate/rate + pad
	}
	return length, layer, length >= 4
}

// checkMPEGAt checks that MPEG audio frames start at off and follow one
// another: the first whole, then a second one, an ID3v1 or APE tag, or the
// end of the file (a last frame may be cut short).
func checkMPEGAt(sr *io.SectionReader, size, off int64) (Type, error) {
	var buf [4]byte
	var layer int
	pos := off
	for i := 0; i < 3 && pos+4 <= size; i++ {
		if _, err := sr.ReadAt(buf[:], pos); err != nil {
			return Type{}, readFailed("MPEG frame", err)
		}
		n, l, ok := mpegFrame(buf[:], 0)
		if !ok && i > 0 && (string(buf[:3]) == "TAG" || string(buf[:]) == "APET" || string(buf[:]) == "LYRI") {
			break
		}
		if !ok || i == 0 && pos+int64(n) > size {
			return Type{}, problem(keyDamaged, "no whole MPEG audio frame at %d", pos)
		}
		if i == 0 {
			layer = l
		}
		pos += int64(n)
	}
	if pos == off {
		return Type{}, problem(keyDamaged, "no MPEG audio frame at %d", pos)
	}
	if layer == 3 {
		return typeMP3, nil
	}
	return typeMP2, nil
}

// checkMPEGAudio checks a file that starts with what looks like an MPEG
// frame header and nothing else: if the frames do not follow one another,
// it was something else that began with the same bits.
func checkMPEGAudio(sr *io.SectionReader, size int64, _ []byte) (Type, error) {
	t, err := checkMPEGAt(sr, size, 0)
	if errs.KeyOf(err) == keyDamaged {
		return Type{}, problem(keyType, "unknown content starting like MPEG audio")
	}
	return t, err
}

// checkID3 skips ID3v2 tags and checks the audio that follows: MPEG frames
// or, now and then, FLAC.
func checkID3(sr *io.SectionReader, size int64, _ []byte) (Type, error) {
	var off int64
	var h [10]byte
	for range 4 {
		if _, err := sr.ReadAt(h[:], off); err != nil {
			return Type{}, readFailed("ID3 tag", err)
		}
		if string(h[:3]) != "ID3" {
			break
		}
		if h[3] < 2 || h[3] > 4 || h[4] == 0xFF || h[6]|h[7]|h[8]|h[9] >= 0x80 {
			return Type{}, problem(keyDamaged, "ID3 header % x", h)
		}
		n := int64(h[6])<<21 | int64(h[7])<<14 | int64(h[8])<<7 | int64(h[9])
		off += 10 + n
		if h[5]&0x10 != 0 {
			off += 10
		}
		if off >= size {
			return Type{}, problem(keyDamaged, "ID3 tag without audio")
		}
	}
	// Taggers leave padding; look for the first frame in the next 4 KB.
	win := make([]byte, min(size-off, 4096))
	if _, err := sr.ReadAt(win, off); err != nil {
		return Type{}, readFailed("audio after ID3", err)
	}
	if bytes.HasPrefix(win, []byte("fLaC")) {
		return checkFLACAt(sr, size, off)
	}
	for i := range win {
		if win[i] == 0xFF {
			if _, _, ok := mpegFrame(win, i); ok {
				return checkMPEGAt(sr, size, off+int64(i))
			}
		}
	}
	return Type{}, problem(keyDamaged, "ID3 tag followed by no audio we know")
}

// --- Ogg ---

var oggCRC = func() (t [256]uint32) {
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

func oggChecksum(page []byte) uint32 {
	var crc uint32
	for i, b := range page {
		if i >= 22 && i < 26 {
			b = 0 // the checksum field itself
		}
		crc = crc<<8 ^ oggCRC[byte(crc>>24)^b]
	}
	return crc
}

// checkOgg reads the first page of an Ogg stream: Vorbis or Opus audio.
func checkOgg(sr *io.SectionReader, size int64, head []byte) (Type, error) {
	if len(head) < 27 || head[4] != 0 || head[5]&0x02 == 0 {
		return Type{}, problem(keyDamaged, "Ogg without a first page")
	}
	segs := int(head[26])
	if len(head) < 27+segs {
		return Type{}, problem(keyDamaged, "Ogg page header truncated")
	}
	body, first, inFirst := 0, 0, true
	for _, l := range head[27 : 27+segs] {
		body += int(l)
		if inFirst {
			first += int(l)
			inFirst = l == 255
		}
	}
	end := int64(27 + segs + body)
	if end > size {
		return Type{}, problem(keyDamaged, "Ogg page overruns the file")
	}
	page := make([]byte, end)
	if _, err := sr.ReadAt(page, 0); err != nil {
		return Type{}, readFailed("Ogg page", err)
	}
	if oggChecksum(page) != binary.LittleEndian.Uint32(page[22:]) {
		return Type{}, problem(keyDamaged, "Ogg page checksum")
	}
	if end < size {
		var next [4]byte
		if _, err := sr.ReadAt(next[:], end); err != nil || string(next[:]) != "OggS" {
			return Type{}, problem(keyDamaged, "Ogg second page missing")
		}
	}
	packet := page[27+segs : 27+segs+first]
	switch {
	case bytes.HasPrefix(packet, []byte("OpusHead")):
		return typeOpus, nil
	case bytes.HasPrefix(packet, []byte("\x01vorbis")):
		return typeOgg, nil
	}
	return Type{}, problem(keyType, "Ogg stream of another codec (%q)", packet[:min(len(packet), 8)])
}

// --- WAV ---

func checkWAV(sr *io.SectionReader, size int64, _ []byte) (Type, error) {
	pos, fmtSeen := int64(12), false
	var ch [8]byte
	for range 1000 {
		if pos+8 > size {
			break
		}
		if _, err := sr.ReadAt(ch[:], pos); err != nil {
			return Type{}, readFailed("WAV chunk", err)
		}
		n := int64(binary.LittleEndian.Uint32(ch[4:]))
		switch string(ch[:4]) {
		case "fmt ":
			if n < 16 || pos+8+n > size {
				return Type{}, problem(keyDamaged, "WAV format chunk of %d bytes", n)
			}
			fmtSeen = true
		case "data":
			// Recorders that stop abruptly leave a wrong data size: players
			// read what is there, and so do we.
			if !fmtSeen {
				return Type{}, problem(keyDamaged, "WAV data before its format")
			}
			return typeWAV, nil
		}
		pos += 8 + n + n&1
	}
	return Type{}, problem(keyDamaged, "WAV without format and data")
}

// --- FLAC ---

func checkFLAC(sr *io.SectionReader, size int64, _ []byte) (Type, error) {
	return checkFLACAt(sr, size, 0)
}

func checkFLACAt(sr *io.SectionReader, size, off int64) (Type, error) {
	pos := off + 4
	var h [4]byte
	for i := 0; ; i++ {
		if i > 1000 {
			return Type{}, problem(keyDamaged, "FLAC with over 1000 metadata blocks")
		}
		if _, err := sr.ReadAt(h[:], pos); err != nil {
			return Type{}, readFailed("FLAC metadata", err)
		}
		last, typ, n := h[0]&0x80 != 0, h[0]&0x7F, int64(h[1])<<16|int64(h[2])<<8|int64(h[3])
		if i == 0 && (typ != 0 || n != 34) || typ == 127 {
			return Type{}, problem(keyDamaged, "FLAC metadata block %d of type %d", i, typ)
		}
		pos += 4 + n
		if last {
			break
		}
	}
	var sync [2]byte
	if _, err := sr.ReadAt(sync[:], pos); err != nil {
		return Type{}, readFailed("FLAC frames", err)
	}
	if sync[0] != 0xFF || sync[1]&0xFE != 0xF8 {
		return Type{}, problem(keyDamaged, "FLAC frames do not start after the metadata")
	}
	return typeFLAC, nil
}

// --- ISO base media (MP4, M4A, QuickTime, 3GP) ---

var brandTypes = map[string]Type{
	"M4A ": typeM4A, "M4B ": typeM4A,
	"qt  ": typeMOV,
	"isom": typeMP4, "iso2": typeMP4, "iso3": typeMP4, "iso4": typeMP4, "iso5": typeMP4, "iso6": typeMP4,
	"iso8": typeMP4, "iso9": typeMP4, "mp41": typeMP4, "mp42": typeMP4, "mp71": typeMP4, "avc1": typeMP4,
	"dash": typeMP4, "mmp4": typeMP4, "MSNV": typeMP4, "M4V ": typeMP4, "M4VH": typeMP4, "M4VP": typeMP4,
	"f4v ": typeMP4, "XAVC": typeMP4,
}

// stillBrands are HEIF and AVIF still images: ISO media we cannot decode.
var stillBrands = map[string]bool{"heic": true, "heix": true, "heim": true, "heis": true, "hevc": true, "hevx": true, "mif1": true, "msf1": true, "avif": true, "avis": true}

func brandType(b string) (Type, bool) {
	if t, ok := brandTypes[b]; ok {
		return t, true
	}
	switch {
	case strings.HasPrefix(b, "3g2"):
		return type3G2, true
	case strings.HasPrefix(b, "3g"):
		return type3GP, true
	}
	return Type{}, false
}

// brands lists the major and compatible brands of the ftyp box at the start.
func brands(head []byte) []string {
	if len(head) < 12 {
		return nil
	}
	end := min(int(binary.BigEndian.Uint32(head)), len(head))
	out := []string{string(head[8:12])}
	for i := 16; i+4 <= end; i += 4 {
		out = append(out, string(head[i:i+4]))
	}
	return out
}

// bmffType tells MP4, M4A, QuickTime and 3GP apart by their brands: the
// major brand first, then the compatible ones.
func bmffType(head []byte) (Type, bool) {
	bs := brands(head)
	if len(bs) == 0 || stillBrands[bs[0]] {
		return Type{}, false
	}
	for _, b := range bs {
		if t, ok := brandType(b); ok {
			return t, true
		}
	}
	return Type{}, false
}

// checkBMFF walks the top-level boxes: they must tile the file exactly, and
// a movie box must be among them.
func checkBMFF(sr *io.SectionReader, size int64, head []byte) (Type, error) {
	t, _ := bmffType(head)
	var h [16]byte
	movie := false
	pos := int64(0)
	for count := 0; pos < size; count++ {
		if count > 100_000 || pos+8 > size {
			return Type{}, problem(keyDamaged, "ISO media box at %d", pos)
		}
		if _, err := sr.ReadAt(h[:8], pos); err != nil {
			return Type{}, readFailed("ISO media box", err)
		}
		n, hl := int64(binary.BigEndian.Uint32(h[:])), int64(8)
		switch n {
		case 1:
			if _, err := sr.ReadAt(h[8:], pos+8); err != nil {
				return Type{}, readFailed("ISO media box", err)
			}
			n, hl = int64(binary.BigEndian.Uint64(h[8:])), 16
		case 0:
			n = size - pos
		}
		for _, c := range h[4:8] {
			if c < 0x20 || c > 0x7E {
				return Type{}, problem(keyDamaged, "ISO media box type % x at %d", h[4:8], pos)
			}
		}
		if n < hl || n > size-pos {
			return Type{}, problem(keyDamaged, "ISO media box %q of %d bytes at %d in a file of %d", h[4:8], n, pos, size)
		}
		if string(h[4:8]) == "moov" {
			movie = true
		}
		pos += n
	}
	if !movie {
		return Type{}, problem(keyDamaged, "ISO media without a movie box")
	}
	return t, nil
}

// --- WebM (EBML) ---

// vint reads an EBML variable-length integer; keepMarker keeps the length
// marker bit (element IDs do). unknown is set for the all-ones size.
func vint(b []byte, keepMarker bool) (v uint64, n int, unknown bool, err error) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false, fmt.Errorf("bad EBML number")
	}
	for n = 1; b[0]&(0x80>>(n-1)) == 0; n++ {
	}
	if len(b) < n {
		return 0, 0, false, fmt.Errorf("EBML number truncated")
	}
	v = uint64(b[0])
	if !keepMarker {
		v &^= 0x80 >> (n - 1)
	}
	ones := v == uint64(0xFF>>n)
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
		ones = ones && c == 0xFF
	}
	return v, n, ones && !keepMarker, nil
}

// checkWebM reads the EBML header for its DocType and checks that a
// Segment follows it.
func checkWebM(sr *io.SectionReader, size int64, head []byte) (Type, error) {
	damaged := func(what string) (Type, error) { return Type{}, problem(keyDamaged, "WebM: %s", what) }
	hs, n, _, err := vint(head[4:], false)
	if err != nil || hs > uint64(len(head)) {
		return damaged("EBML header size")
	}
	start := 4 + n
	end := start + int(hs)
	if end > len(head) {
		return damaged("EBML header overruns")
	}
	doc := ""
	for pos := start; pos < end; {
		id, in, _, err := vint(head[pos:end], true)
		if err != nil {
			return damaged("EBML element id")
		}
		sz, sn, _, err := vint(head[pos+in:end], false)
		if err != nil || sz > uint64(end-pos-in-sn) {
			return damaged("EBML element size")
		}
		data := head[pos+in+sn : pos+in+sn+int(sz)]
		if id == 0x4282 {
			doc = string(bytes.TrimRight(data, "\x00"))
		}
		pos += in + sn + int(sz)
	}
	switch doc {
	case "webm":
	case "":
		return damaged("no DocType")
	default:
		return Type{}, problem(keyType, "EBML document of type %q", doc)
	}
	id, in, _, err := vint(head[end:], true)
	if err != nil || id != 0x18538067 {
		return damaged("no Segment after the header")
	}
	sz, sn, unknown, err := vint(head[end+in:], false)
	if err != nil {
		return damaged("Segment size")
	}
	if !unknown && sz > uint64(size)-uint64(end+in+sn) {
		return damaged(fmt.Sprintf("Segment of %d bytes in a file of %d", sz, size))
	}
	return typeWebM, nil
}
