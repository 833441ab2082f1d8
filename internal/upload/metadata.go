package upload

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/xml"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Metadata are the credit and caption fields read from IPTC-IIM (JPEG APP13
// Photoshop 8BIM 0x0404: 2:80 by-line, 2:110 credit, 2:116 copyright, 2:120
// caption/abstract, 2:105 headline) and XMP (JPEG APP1, PNG iTXt
// "XML:com.adobe.xmp", WebP "XMP " chunk: dc:creator, dc:rights,
// dc:description, dc:title, photoshop:Credit, photoshop:Headline), XMP
// preferred where both exist. Text is trimmed, control characters removed,
// each field at most 1,000 characters of valid UTF-8.
type Metadata struct{ Title, Caption, Creator, Credit, Copyright string }

// maxField is the longest a metadata field may be, in characters.
const maxField = 1000

// ReadMetadata reads what a photographer or an agency wrote into an image
// about itself. It is best effort: a field it cannot read is left empty, and
// a file that is not an image gives empty Metadata.
func ReadMetadata(r io.ReaderAt, size int64, t Type) Metadata {
	if t.Kind != Image || size <= 0 {
		return Metadata{}
	}
	sr := io.NewSectionReader(r, 0, size)
	var xmp, iptc Metadata
	switch t.MediaType {
	case typeJPEG.MediaType:
		l, err := walkJPEG(sr, false)
		if err != nil {
			return Metadata{}
		}
		var irb []byte
		for _, s := range l.apps {
			b := readSegment(sr, s, 1<<16)
			switch {
			case s.marker == 0xE1 && bytes.HasPrefix(b, []byte(xmpJPEGPrefix)):
				xmp = merge(xmp, parseXMP(b[len(xmpJPEGPrefix):]))
			case s.marker == 0xED && bytes.HasPrefix(b, []byte("Photoshop 3.0\x00")):
				irb = append(irb, b[len("Photoshop 3.0\x00"):]...) // a long block spans segments
			}
		}
		iptc = parseIPTC(photoshopIPTC(irb))
	case typePNG.MediaType:
		l, err := walkPNG(sr, size, false)
		if err != nil {
			return Metadata{}
		}
		for _, s := range l.itxt {
			if b, ok := pngXMP(readSegment(sr, s, 1<<20)); ok {
				xmp = merge(xmp, parseXMP(b))
			}
		}
	case typeWebP.MediaType:
		l, err := walkWebP(sr, size)
		if err != nil {
			return Metadata{}
		}
		for _, s := range l.xmp {
			xmp = merge(xmp, parseXMP(readSegment(sr, s, 1<<20)))
		}
	}
	return merge(xmp, iptc)
}

const xmpJPEGPrefix = "http://ns.adobe.com/xap/1.0/\x00"

// readSegment reads a segment's data, or nothing if it is over max bytes.
func readSegment(sr *io.SectionReader, s segment, max int64) []byte {
	if s.n > max || s.n < 0 {
		return nil
	}
	b := make([]byte, s.n)
	if _, err := sr.ReadAt(b, s.off); err != nil {
		return nil
	}
	return b
}

// merge fills the fields of a that are empty from b.
func merge(a, b Metadata) Metadata {
	pick := func(x, y string) string {
		if x != "" {
			return x
		}
		return y
	}
	return Metadata{
		Title:     pick(a.Title, b.Title),
		Caption:   pick(a.Caption, b.Caption),
		Creator:   pick(a.Creator, b.Creator),
		Credit:    pick(a.Credit, b.Credit),
		Copyright: pick(a.Copyright, b.Copyright),
	}
}

// clean makes a field fit to show: valid UTF-8, line breaks and tabs as
// spaces, other control characters gone, runs of space collapsed, trimmed,
// at most maxField characters.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r):
			continue
		}
		if space {
			if n++; n > maxField {
				break
			}
			b.WriteByte(' ')
			space = false
		}
		if n++; n > maxField {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// --- IPTC-IIM ---

// photoshopIPTC finds the IPTC-IIM block (resource 0x0404) among Photoshop
// image resource blocks.
func photoshopIPTC(b []byte) []byte {
	for len(b) >= 12 && string(b[:4]) == "8BIM" {
		id := binary.BigEndian.Uint16(b[4:])
		name := 1 + int(b[6]) // Pascal string, padded to even length
		name += name & 1
		if len(b) < 6+name+4 {
			return nil
		}
		n := int(binary.BigEndian.Uint32(b[6+name:]))
		start := 6 + name + 4
		if n < 0 || n > len(b)-start {
			return nil
		}
		if id == 0x0404 {
			return b[start : start+n]
		}
		b = b[min(len(b), start+n+n&1):]
	}
	return nil
}

// parseIPTC reads the IIM datasets we show. Text is UTF-8 when dataset 1:90
// says so; otherwise it is taken as UTF-8 when it is valid UTF-8 (many tools
// write UTF-8 without saying) and as Windows-1252 (a superset of Latin-1)
// when it is not.
func parseIPTC(b []byte) Metadata {
	var (
		utf8Declared bool
		creators     []string
		fields       = map[byte]string{}
	)
	raw := map[byte][][]byte{}
	for len(b) >= 5 && b[0] == 0x1C {
		rec, ds, n := b[1], b[2], int(binary.BigEndian.Uint16(b[3:]))
		if n&0x8000 != 0 { // extended dataset: too long for a caption
			return Metadata{}
		}
		if len(b) < 5+n {
			break
		}
		v := b[5 : 5+n]
		switch {
		case rec == 1 && ds == 90:
			utf8Declared = bytes.Contains(v, []byte("\x1B%G"))
		case rec == 2:
			raw[ds] = append(raw[ds], v)
		}
		b = b[5+n:]
	}
	text := func(v []byte) string {
		if utf8Declared || utf8.Valid(v) {
			return string(v)
		}
		s, err := charmap.Windows1252.NewDecoder().Bytes(v)
		if err != nil {
			return ""
		}
		return string(s)
	}
	for _, v := range raw[80] {
		if s := clean(text(v)); s != "" {
			creators = append(creators, s)
		}
	}
	for _, ds := range []byte{105, 110, 116, 120} {
		if vs := raw[ds]; len(vs) > 0 {
			fields[ds] = clean(text(vs[0]))
		}
	}
	return Metadata{
		Title:     fields[105],
		Caption:   fields[120],
		Creator:   clean(strings.Join(creators, ", ")),
		Credit:    fields[110],
		Copyright: fields[116],
	}
}

// --- XMP ---

// pngXMP returns the XMP packet of an iTXt chunk, inflated if need be.
func pngXMP(b []byte) ([]byte, bool) {
	const key = "XML:com.adobe.xmp\x00"
	if !bytes.HasPrefix(b, []byte(key)) || len(b) < len(key)+2 {
		return nil, false
	}
	compressed := b[len(key)] == 1
	rest := b[len(key)+2:]
	for range 2 { // language tag, translated keyword
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return nil, false
		}
		rest = rest[i+1:]
	}
	if !compressed {
		return rest, true
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return nil, false
	}
	out, err := io.ReadAll(io.LimitReader(zr, 1<<20))
	return out, err == nil
}

const (
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsPhotoshop = "http://ns.adobe.com/photoshop/1.0/"
	nsRDF       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
)

// xmpProperty is one XMP property we read, and how: a language alternative
// (pick x-default), an ordered list (join) or simple text.
type xmpProperty struct {
	field func(*Metadata) *string
	list  bool
}

var xmpProperties = map[xml.Name]xmpProperty{
	{Space: nsDC, Local: "title"}:           {field: func(m *Metadata) *string { return &m.Title }},
	{Space: nsDC, Local: "description"}:     {field: func(m *Metadata) *string { return &m.Caption }},
	{Space: nsDC, Local: "creator"}:         {field: func(m *Metadata) *string { return &m.Creator }, list: true},
	{Space: nsDC, Local: "rights"}:          {field: func(m *Metadata) *string { return &m.Copyright }},
	{Space: nsPhotoshop, Local: "Credit"}:   {field: func(m *Metadata) *string { return &m.Credit }},
	{Space: nsPhotoshop, Local: "Headline"}: {field: func(m *Metadata) *string { return &m.Title }},
}

// parseXMP reads the properties we show from an XMP packet, written either
// as elements (with rdf:Alt, rdf:Seq or rdf:Bag) or as attributes of
// rdf:Description. dc:title wins over photoshop:Headline.
func parseXMP(b []byte) Metadata {
	var m Metadata
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	var (
		prop     *xmpProperty
		propName xml.Name
		depth    int // of the open property element
		level    int
		items    []string // rdf:li values
		def      string   // the x-default alternative
		liLang   string
		inLi     bool
		text     strings.Builder
	)
	set := func(name xml.Name, p xmpProperty, v string) {
		f := p.field(&m)
		if v = clean(v); v != "" && (*f == "" || name.Local == "title") {
			*f = v
		}
	}
	for tokens := 0; tokens < 100_000; tokens++ {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			level++
			if prop == nil {
				if tok.Name.Space == nsRDF && tok.Name.Local == "Description" {
					for _, a := range tok.Attr {
						if p, ok := xmpProperties[a.Name]; ok {
							set(a.Name, p, a.Value)
						}
					}
				}
				if p, ok := xmpProperties[tok.Name]; ok {
					prop, propName, depth = &p, tok.Name, level
					items, def = nil, ""
					text.Reset()
				}
				continue
			}
			if tok.Name.Space == nsRDF && tok.Name.Local == "li" {
				inLi, liLang = true, ""
				for _, a := range tok.Attr {
					if a.Name.Local == "lang" {
						liLang = a.Value
					}
				}
				text.Reset()
			}
		case xml.CharData:
			if prop != nil && text.Len() < 4*maxField {
				text.Write(tok)
			}
		case xml.EndElement:
			level--
			if prop == nil {
				continue
			}
			switch {
			case inLi && tok.Name.Space == nsRDF && tok.Name.Local == "li":
				inLi = false
				v := text.String()
				if strings.EqualFold(liLang, "x-default") {
					def = v
				}
				items = append(items, v)
				text.Reset()
			case level < depth:
				v := text.String()
				switch {
				case def != "" && !prop.list:
					v = def
				case len(items) > 0 && prop.list:
					v = strings.Join(items, ", ")
				case len(items) > 0:
					v = items[0]
				}
				set(propName, *prop, v)
				prop = nil
			}
		}
	}
	return m
}
