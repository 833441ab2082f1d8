package upload

import (
	"archive/zip"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"encoding/xml"
	"io"
	"path"
	"slices"
	"strings"
)

// Office files (OOXML and ODF) are zips. Before Go's zip reader builds its
// index, we walk the central directory ourselves to count entries without
// allocating for each; then every entry is inflated once, which checks its
// CRC and that it is no larger than the directory says.

// zipEntry is where an entry's local header is, from the central directory.
type zipEntry struct{ local int64 }

// zipDirectory is the central directory found through the end record.
type zipDirectory struct {
	entries []zipEntry
	offset  int64 // of the central directory, where entry data must stop
}

// readZipDirectory finds the end record as Go's reader does (the last
// signature whose comment fits), follows a zip64 locator if there is one,
// and walks the central directory headers.
func readZipDirectory(sr *io.SectionReader, size int64) (zipDirectory, error) {
	var d zipDirectory
	n := min(size, 0xFFFF+22)
	tail := make([]byte, n)
	if _, err := sr.ReadAt(tail, size-n); err != nil {
		return d, readFailed("zip end", err)
	}
	at := -1
	for i := len(tail) - 22; i >= 0; i-- {
		if string(tail[i:i+4]) == "PK\x05\x06" && i+22+int(binary.LittleEndian.Uint16(tail[i+20:])) <= len(tail) {
			at = i
			break
		}
	}
	if at < 0 {
		return d, problem(keyDamaged, "zip without a central directory")
	}
	rec := tail[at:]
	end := size - n + int64(at) // where the directory must stop
	count := uint64(binary.LittleEndian.Uint16(rec[10:]))
	dirSize := uint64(binary.LittleEndian.Uint32(rec[12:]))
	dirOff := uint64(binary.LittleEndian.Uint32(rec[16:]))
	if count == 0xFFFF || dirSize == 0xFFFFFFFF || dirOff == 0xFFFFFFFF {
		var loc [20]byte
		if end < 20 {
			return d, problem(keyDamaged, "zip64 without its locator")
		}
		if _, err := sr.ReadAt(loc[:], end-20); err != nil || string(loc[:4]) != "PK\x06\x07" {
			return d, problem(keyDamaged, "zip64 without its locator")
		}
		recOff := int64(binary.LittleEndian.Uint64(loc[8:]))
		var r64 [56]byte
		if recOff < 0 || recOff > end-56 {
			return d, problem(keyDamaged, "zip64 end record out of the file")
		}
		if _, err := sr.ReadAt(r64[:], recOff); err != nil || string(r64[:4]) != "PK\x06\x06" {
			return d, problem(keyDamaged, "zip64 end record missing")
		}
		count = binary.LittleEndian.Uint64(r64[32:])
		dirSize = binary.LittleEndian.Uint64(r64[40:])
		dirOff = binary.LittleEndian.Uint64(r64[48:])
		end = recOff
	}
	if count > maxZipEntries {
		return d, problem(keyBomb, "zip of %d entries", count)
	}
	if dirOff > uint64(end) || dirSize != uint64(end)-dirOff {
		// Data before the archive, or between the directory and its end
		// record: another file wrapped around the zip.
		return d, problem(keyDamaged, "zip directory at %d of %d bytes does not end at %d", dirOff, dirSize, end)
	}
	d.offset = int64(dirOff)
	c := newCursor(sr, d.offset)
	var h [46]byte
	for c.pos+46 <= end {
		if err := c.full(h[:]); err != nil {
			return d, readFailed("zip directory", err)
		}
		if string(h[:4]) != "PK\x01\x02" {
			return d, problem(keyDamaged, "zip directory header at %d", c.pos-46)
		}
		nameLen, extraLen, commentLen := binary.LittleEndian.Uint16(h[28:]), binary.LittleEndian.Uint16(h[30:]), binary.LittleEndian.Uint16(h[32:])
		if err := c.skip(int64(nameLen)); err != nil {
			return d, readFailed("zip directory", err)
		}
		extra := make([]byte, extraLen)
		if err := c.full(extra); err != nil {
			return d, readFailed("zip directory", err)
		}
		if err := c.skip(int64(commentLen)); err != nil {
			return d, readFailed("zip directory", err)
		}
		local := int64(binary.LittleEndian.Uint32(h[42:]))
		if local == 0xFFFFFFFF {
			local = zip64Offset(extra, binary.LittleEndian.Uint32(h[24:]) == 0xFFFFFFFF, binary.LittleEndian.Uint32(h[20:]) == 0xFFFFFFFF)
		}
		if local < 0 || local >= d.offset {
			return d, problem(keyDamaged, "zip entry at %d outside the archive", local)
		}
		d.entries = append(d.entries, zipEntry{local: local})
		if len(d.entries) > maxZipEntries {
			return d, problem(keyBomb, "zip of over %d entries", maxZipEntries)
		}
	}
	if c.pos != end || uint64(len(d.entries)) != count {
		return d, problem(keyDamaged, "zip directory holds %d entries, its end record says %d", len(d.entries), count)
	}
	return d, nil
}

// zip64Offset reads the local header offset from a zip64 extra field, where
// it follows the sizes that overflowed.
func zip64Offset(extra []byte, bigUncompressed, bigCompressed bool) int64 {
	for len(extra) >= 4 {
		id, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if 4+n > len(extra) {
			break
		}
		if id == 1 {
			f := extra[4 : 4+n]
			for _, skip := range []bool{bigUncompressed, bigCompressed} {
				if skip && len(f) >= 8 {
					f = f[8:]
				}
			}
			if len(f) >= 8 {
				return int64(binary.LittleEndian.Uint64(f))
			}
		}
		extra = extra[4+n:]
	}
	return -1
}

// archiveSignatures mark an entry that is an archive itself.
var archiveSignatures = [][]byte{
	[]byte("PK\x03\x04"), []byte("PK\x05\x06"), []byte("Rar!\x1A\x07"), []byte("7z\xBC\xAF\x27\x1C"),
	[]byte("\x1F\x8B"), []byte("BZh"), []byte("\xFD7zXZ\x00"), []byte("\x28\xB5\x2F\xFD"), []byte("MSCF"),
}

// zipContent is what the entries of an office zip say about it.
type zipContent struct {
	names        map[string]*zip.File
	first        *zip.File // the entry at offset 0
	uncompressed uint64
}

// checkZip applies the bomb checks to a zip and inflates every entry once.
// depth is 0 for the upload, 1 for an office file embedded in it.
func checkZip(sr *io.SectionReader, size int64, depth int) (zipContent, error) {
	var z zipContent
	dir, err := readZipDirectory(sr, size)
	if err != nil {
		return z, err
	}
	zr, err := zip.NewReader(sr, size)
	if err != nil {
		return z, problem(keyDamaged, "zip: %v", err)
	}
	if len(zr.File) != len(dir.entries) {
		return z, problem(keyDamaged, "zip directory read as %d and %d entries", len(zr.File), len(dir.entries))
	}
	z.names = make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		if _, dup := z.names[f.Name]; dup {
			return z, problem(keyDamaged, "zip entry %q twice", f.Name)
		}
		z.names[f.Name] = f
		if f.Flags&1 != 0 {
			return z, problem(keyType, "zip entry %q is encrypted", f.Name)
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return z, problem(keyDamaged, "zip entry %q compressed with method %d", f.Name, f.Method)
		}
		if f.UncompressedSize64 > maxZipRatioFrom && f.UncompressedSize64/maxZipRatio > f.CompressedSize64 {
			return z, problem(keyBomb, "zip entry %q inflates %d bytes to %d", f.Name, f.CompressedSize64, f.UncompressedSize64)
		}
		if z.uncompressed += f.UncompressedSize64; z.uncompressed > maxZipTotal || f.UncompressedSize64 > maxZipTotal {
			return z, problem(keyBomb, "zip inflates to over %d bytes", maxZipTotal)
		}
	}
	if err := checkZipLayout(zr, dir); err != nil {
		return z, err
	}
	for i, f := range zr.File {
		if dir.entries[i].local == 0 {
			z.first = f
		}
		inner, err := checkEntry(f, depth)
		if err != nil {
			return z, err
		}
		if z.uncompressed += inner; z.uncompressed > maxZipTotal {
			return z, problem(keyBomb, "zip with embedded files inflates to over %d bytes", maxZipTotal)
		}
	}
	return z, nil
}

// checkZipLayout refuses entries whose data overlap (the trick of the
// non-recursive zip bombs) and data hidden between entries.
func checkZipLayout(zr *zip.Reader, dir zipDirectory) error {
	order := make([]int, len(zr.File))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(dir.entries[a].local, dir.entries[b].local) })
	next := int64(0)
	for _, i := range order {
		f, local := zr.File[i], dir.entries[i].local
		if local < next {
			return problem(keyBomb, "zip entry %q overlaps the one before it", f.Name)
		}
		if local > next+64 {
			return problem(keyPolyglot, "%d bytes hidden before zip entry %q", local-next, f.Name)
		}
		data, err := f.DataOffset()
		if err != nil {
			return problem(keyDamaged, "zip entry %q: %v", f.Name, err)
		}
		next = data + int64(f.CompressedSize64)
		if f.CompressedSize64 > uint64(dir.offset) || next > dir.offset {
			return problem(keyDamaged, "zip entry %q runs into the directory", f.Name)
		}
	}
	if dir.offset > next+64 {
		return problem(keyPolyglot, "%d bytes hidden before the zip directory", dir.offset-next)
	}
	return nil
}

// checkEntry inflates an entry (Go's reader checks its size and CRC) and
// refuses archives inside it, but for two things Office writes itself: a
// workbook embedded in a document (checked like the upload, one level down)
// and gzip-compressed pictures (inflated with the same bounds). It returns
// how many bytes those inner files inflate to.
func checkEntry(f *zip.File, depth int) (uint64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, problem(keyDamaged, "zip entry %q: %v", f.Name, err)
	}
	defer rc.Close()
	start := make([]byte, 8)
	n, err := io.ReadFull(rc, start)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return 0, problem(keyDamaged, "zip entry %q: %v", f.Name, err)
	}
	start = start[:n]
	nested := false
	for _, sig := range archiveSignatures {
		nested = nested || bytes.HasPrefix(start, sig)
	}
	if !nested {
		if _, err := io.Copy(io.Discard, rc); err != nil {
			return 0, problem(keyDamaged, "zip entry %q: %v", f.Name, err)
		}
		return 0, nil
	}
	ext := strings.ToLower(path.Ext(f.Name))
	switch {
	case depth == 0 && strings.Contains(f.Name, "/embeddings/") && (ext == ".xlsx" || ext == ".docx" || ext == ".pptx") && bytes.HasPrefix(start, []byte("PK\x03\x04")):
		// Word and PowerPoint keep the data of a chart as an embedded
		// workbook: one level of office file, checked like the upload.
		if f.UncompressedSize64 > uint64(DefaultLimits[Document]) {
			return 0, problem(keyBomb, "embedded file %q of %d bytes", f.Name, f.UncompressedSize64)
		}
		body, err := io.ReadAll(io.MultiReader(bytes.NewReader(start), rc))
		if err != nil {
			return 0, problem(keyDamaged, "zip entry %q: %v", f.Name, err)
		}
		z, err := checkZip(io.NewSectionReader(bytes.NewReader(body), 0, int64(len(body))), int64(len(body)), depth+1)
		if err != nil {
			return 0, err
		}
		if _, err := officeType(z); err != nil {
			return 0, err
		}
		return z.uncompressed, nil
	case strings.Contains(f.Name, "/media/") && (ext == ".emz" || ext == ".wmz") && bytes.HasPrefix(start, []byte("\x1F\x8B")):
		// Compressed vector pictures: gzip streams Office writes itself.
		gz, err := gzip.NewReader(io.MultiReader(bytes.NewReader(start), rc))
		if err != nil {
			return 0, problem(keyDamaged, "zip entry %q: %v", f.Name, err)
		}
		limit := int64(min(f.UncompressedSize64*maxZipRatio, maxZipTotal)) + maxZipRatioFrom
		n, err := io.Copy(io.Discard, io.LimitReader(gz, limit+1))
		switch {
		case n > limit:
			return 0, problem(keyBomb, "picture %q inflates beyond %d bytes", f.Name, limit)
		case err != nil:
			return 0, problem(keyDamaged, "zip entry %q: %v", f.Name, err)
		}
		return uint64(n), nil
	}
	return 0, problem(keyBomb, "zip entry %q is an archive", f.Name)
}

// readEntry reads a small entry whole.
func readEntry(f *zip.File, max int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(max) {
		return nil, problem(keyDamaged, "zip entry %q of %d bytes", f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, problem(keyDamaged, "zip entry %q: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max))
	if err != nil {
		return nil, problem(keyDamaged, "zip entry %q: %v", f.Name, err)
	}
	return b, nil
}

func checkOffice(sr *io.SectionReader, size int64, _ []byte) (Type, error) {
	return checkOfficeZip(sr, size, 0)
}

// The main parts of the OOXML formats we accept, by content type.
var ooxmlTypes = map[string]Type{
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":   typeDOCX,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":         typeXLSX,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": typePPTX,
}

var odfTypes = map[string]Type{
	typeODT.MediaType: typeODT,
	typeODS.MediaType: typeODS,
	typeODP.MediaType: typeODP,
}

// checkOfficeZip decides which office format a zip is, after the bomb checks.
func checkOfficeZip(sr *io.SectionReader, size int64, depth int) (Type, error) {
	z, err := checkZip(sr, size, depth)
	if err != nil {
		return Type{}, err
	}
	return officeType(z)
}

// officeType reads the parts that name an office format.
func officeType(z zipContent) (Type, error) {
	for name := range z.names {
		if strings.EqualFold(path.Base(name), "vbaProject.bin") || strings.HasPrefix(name, "Basic/") || strings.HasPrefix(name, "Scripts/") {
			return Type{}, problem(keyType, "office file with macros (%s)", name)
		}
	}
	// ODF: the first entry is "mimetype", stored, naming the format.
	if f := z.first; f != nil && f.Name == "mimetype" {
		if f.Method != zip.Store {
			return Type{}, problem(keyDamaged, "ODF mimetype entry compressed")
		}
		b, err := readEntry(f, 100)
		if err != nil {
			return Type{}, err
		}
		t, ok := odfTypes[string(b)]
		if !ok {
			return Type{}, problem(keyType, "zip of type %q", b)
		}
		for _, part := range []string{"META-INF/manifest.xml", "content.xml"} {
			if z.names[part] == nil {
				return Type{}, problem(keyDamaged, "ODF without %s", part)
			}
		}
		return t, nil
	}
	ct := z.names["[Content_Types].xml"]
	if ct == nil {
		return Type{}, problem(keyType, "zip archive")
	}
	b, err := readEntry(ct, 1<<20)
	if err != nil {
		return Type{}, err
	}
	var types struct {
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal(b, &types); err != nil {
		return Type{}, problem(keyDamaged, "OOXML content types: %v", err)
	}
	for _, o := range types.Overrides {
		if strings.Contains(o.ContentType, "macroEnabled") {
			return Type{}, problem(keyType, "office file with macros (%s)", o.ContentType)
		}
	}
	for _, o := range types.Overrides {
		t, ok := ooxmlTypes[o.ContentType]
		if !ok {
			continue
		}
		if z.names[strings.TrimPrefix(o.PartName, "/")] == nil || z.names["_rels/.rels"] == nil {
			return Type{}, problem(keyDamaged, "OOXML without its part %s", o.PartName)
		}
		return t, nil
	}
	return Type{}, problem(keyType, "OOXML package of another kind")
}
