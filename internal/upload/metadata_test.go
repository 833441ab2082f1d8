package upload_test

import (
	"bytes"
	"compress/zlib"
	"image/color"
	"strings"
	"testing"
	"unicode/utf8"

	"harambee.africa/harambee/internal/upload"
)

func metadataOf(t *testing.T, data []byte) upload.Metadata {
	t.Helper()
	typ, err := detect(data)
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	return upload.ReadMetadata(bytes.NewReader(data), int64(len(data)), typ)
}

func TestReadMetadata(t *testing.T) {
	jpg := jpegOf(t, photo(32, 24), 80)
	png := pngOf(t, photo(32, 24))
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(xmpPacket))
	zw.Close()
	long := strings.Repeat("é", 3000)
	cases := []struct {
		name string
		data []byte
		want upload.Metadata
	}{
		{"JPEG with IPTC and XMP: XMP wins, IPTC fills the gaps", taggedJPEG(t), upload.Metadata{
			Title:     "Port expansion",
			Caption:   "Cranes at the port of Mombasa",
			Creator:   "Wanjiru Kamau, Li Wei",
			Credit:    "Harambee News Agency",
			Copyright: "© 2025 Harambee News Agency",
		}},
		{"IPTC only, in Latin-1", withSegments(jpg, iptcSegment(
			iptcDataset(2, 80, "Fatou Diop"),
			iptcDataset(2, 80, "Jo\xe3o Silva"),
			iptcDataset(2, 105, "March\xe9 de Sandaga"),
			iptcDataset(2, 120, "Caf\xe9 Touba au march\xe9"),
		)), upload.Metadata{Title: "Marché de Sandaga", Caption: "Café Touba au marché", Creator: "Fatou Diop, João Silva"}},
		{"IPTC declared UTF-8, with control characters", withSegments(jpg, iptcSegment(
			iptcDataset(1, 90, "\x1B%G"),
			iptcDataset(2, 110, "\x07 Agence\r\nde presse\t  "),
			iptcDataset(2, 120, "内罗毕的早晨\x00"),
		)), upload.Metadata{Credit: "Agence de presse", Caption: "内罗毕的早晨"}},
		{"dc:title wins over the headline", withSegments(jpg, xmpSegment(strings.Replace(xmpPacket,
			"<photoshop:Headline>", `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Mombasa at dawn</rdf:li></rdf:Alt></dc:title><photoshop:Headline>`, 1))),
			upload.Metadata{Title: "Mombasa at dawn", Caption: "Cranes at the port of Mombasa", Creator: "Wanjiru Kamau, Li Wei", Credit: "Harambee News Agency"}},
		{"broken XMP leaves IPTC", withSegments(jpg, xmpSegment("<x:xmpmeta><rdf:RDF><unclosed"), iptcSegment(iptcDataset(2, 116, "CC BY 4.0"))),
			upload.Metadata{Copyright: "CC BY 4.0"}},
		{"a field too long is cut at 1,000 characters", withSegments(jpg, iptcSegment(iptcDataset(1, 90, "\x1B%G"), iptcDataset(2, 120, long))),
			upload.Metadata{Caption: strings.Repeat("é", 1000)}},
		{"PNG iTXt", withPNGChunk(png, pngChunk("iTXt", append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), xmpPacket...))),
			upload.Metadata{Title: "Port expansion", Caption: "Cranes at the port of Mombasa", Creator: "Wanjiru Kamau, Li Wei", Credit: "Harambee News Agency"}},
		{"PNG iTXt compressed", withPNGChunk(png, pngChunk("iTXt", append([]byte("XML:com.adobe.xmp\x00\x01\x00\x00\x00"), z.Bytes()...))),
			upload.Metadata{Title: "Port expansion", Caption: "Cranes at the port of Mombasa", Creator: "Wanjiru Kamau, Li Wei", Credit: "Harambee News Agency"}},
		{"WebP XMP chunk", riff("WEBP", vp8x(0x04, 2, 2), riffChunk("VP8L", vp8l(2, 2, color.NRGBA{A: 255})), riffChunk("XMP ", []byte(xmpPacket))),
			upload.Metadata{Title: "Port expansion", Caption: "Cranes at the port of Mombasa", Creator: "Wanjiru Kamau, Li Wei", Credit: "Harambee News Agency"}},
		{"no metadata", jpg, upload.Metadata{}},
		{"a document has none", []byte(minimalPDF), upload.Metadata{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := metadataOf(t, c.data)
			if got != c.want {
				t.Errorf("ReadMetadata =\n%+v, want\n%+v", got, c.want)
			}
			for _, f := range []string{got.Title, got.Caption, got.Creator, got.Credit, got.Copyright} {
				if !utf8.ValidString(f) || utf8.RuneCountInString(f) > 1000 || strings.TrimSpace(f) != f {
					t.Errorf("field %q", f)
				}
			}
		})
	}
}

func TestReadMetadataOfDamagedImages(t *testing.T) {
	data := taggedJPEG(t)
	jpegType := upload.Type{Kind: upload.Image, MediaType: "image/jpeg", Ext: ".jpg"}
	for _, n := range []int{0, 2, 10, 100, 200, 600} {
		upload.ReadMetadata(bytes.NewReader(data[:n]), int64(n), jpegType) // must not panic
	}
	// A resource block of odd length, unpadded, at the very end.
	odd := withSegments(jpegOf(t, photo(8, 8), 80), segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x25\x00\x00\x00\x00\x00\x03abc")))
	if m := upload.ReadMetadata(bytes.NewReader(odd), int64(len(odd)), jpegType); m != (upload.Metadata{}) {
		t.Errorf("ReadMetadata = %+v", m)
	}
}
