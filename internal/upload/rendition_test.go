package upload_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/upload"
)

// renditionsOf detects data and makes its renditions, failing on any error.
func renditionsOf(t testing.TB, data []byte) []upload.Rendition {
	t.Helper()
	typ, err := detect(data)
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	rs, err := upload.Renditions(bytes.NewReader(data), int64(len(data)), typ)
	if err != nil {
		t.Fatalf("Renditions: %v", err)
	}
	return rs
}

// decoded decodes a rendition and checks that it is what it says.
func decoded(t *testing.T, r upload.Rendition) image.Image {
	t.Helper()
	var (
		m   image.Image
		err error
	)
	switch r.MediaType {
	case "image/jpeg":
		m, err = jpeg.Decode(bytes.NewReader(r.Data))
	case "image/png":
		m, err = png.Decode(bytes.NewReader(r.Data))
	default:
		t.Fatalf("%s: media type %q", r.Name, r.MediaType)
	}
	if err != nil {
		t.Fatalf("%s: %v", r.Name, err)
	}
	if b := m.Bounds(); b.Dx() != r.Width || b.Dy() != r.Height {
		t.Fatalf("%s: decodes to %v, says %d × %d", r.Name, b, r.Width, r.Height)
	}
	return m
}

func TestRenditionsSizes(t *testing.T) {
	type size [2]int
	cases := []struct {
		name  string
		data  []byte
		sizes [3]size // thumb, medium, large
	}{
		{"landscape JPEG", jpegOf(t, photo(3000, 2000), 85), [3]size{{320, 213}, {960, 640}, {1920, 1280}}},
		{"portrait PNG", pngOf(t, photo(600, 2400)), [3]size{{80, 320}, {240, 960}, {480, 1920}}},
		{"small PNG is never upscaled", pngOf(t, photo(500, 400)), [3]size{{320, 256}, {500, 400}, {500, 400}}},
		{"tiny GIF", gifOf(t, photo(64, 48)), [3]size{{64, 48}, {64, 48}, {64, 48}}},
		{"WebP", webpStill(3, 2, color.NRGBA{200, 100, 50, 255}), [3]size{{3, 2}, {3, 2}, {3, 2}}},
		{"one pixel", pngOf(t, photo(1, 1)), [3]size{{1, 1}, {1, 1}, {1, 1}}},
		{"a thin line", pngOf(t, photo(4000, 2)), [3]size{{320, 1}, {960, 1}, {1920, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := renditionsOf(t, c.data)
			if len(rs) != 3 {
				t.Fatalf("%d renditions", len(rs))
			}
			for i, name := range []string{"thumb", "medium", "large"} {
				r := rs[i]
				if r.Name != name {
					t.Errorf("rendition %d is %q, want %q", i, r.Name, name)
				}
				if got := (size{r.Width, r.Height}); got != c.sizes[i] {
					t.Errorf("%s is %v, want %v", name, got, c.sizes[i])
				}
				if r.MediaType != "image/jpeg" {
					t.Errorf("%s of an opaque image is %s", name, r.MediaType)
				}
				decoded(t, r)
			}
			if n := len(rs[0].Data); n > 15<<10 {
				t.Errorf("thumb of %d bytes", n)
			}
		})
	}
}

// markers lists the markers of a JPEG up to its first scan.
func markers(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		out = append(out, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return out
}

func TestRenditionsCarryNoMetadata(t *testing.T) {
	data := taggedJPEG(t)
	for _, want := range [][]byte{[]byte("Exif"), gpsLatitude, []byte("8BIM"), []byte("xmp")} {
		if !bytes.Contains(data, want) {
			t.Fatalf("the fixture lacks %q", want)
		}
	}
	for _, r := range renditionsOf(t, data) {
		for _, bad := range [][]byte{[]byte("Exif"), gpsLatitude, []byte("8BIM"), []byte("xmp"), []byte("Photoshop"), []byte("Mombasa"), []byte("Wanjiru")} {
			if bytes.Contains(r.Data, bad) {
				t.Errorf("%s carries %q", r.Name, bad)
			}
		}
		for _, m := range markers(t, r.Data) {
			if m >= 0xE0 && m <= 0xEF || m == 0xFE {
				t.Errorf("%s has an APP%d or comment segment (%#x)", r.Name, m-0xE0, m)
			}
		}
		decoded(t, r)
		want := map[string][2]int{"thumb": {320, 240}, "medium": {400, 300}, "large": {400, 300}}[r.Name]
		if r.Width != want[0] || r.Height != want[1] {
			t.Errorf("%s is %d × %d, want %v", r.Name, r.Width, r.Height, want)
		}
	}
}

// near reports whether c is within 40 of want in each channel.
func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) bool { return int(x>>8)-int(y) < 40 && int(y)-int(x>>8) < 40 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

var (
	red  = color.RGBA{220, 20, 20, 255}
	blue = color.RGBA{20, 20, 220, 255}
)

func TestRenditionsApplyOrientation(t *testing.T) {
	// halves is 80 × 40: red on the left, blue on the right.
	cases := []struct {
		orientation       uint16
		w, h              int
		topLeft, botRight color.RGBA
	}{
		{1, 80, 40, red, blue},
		{3, 80, 40, blue, red}, // upside down
		{6, 40, 80, red, blue}, // turned clockwise: the left side goes to the top
		{8, 40, 80, blue, red}, // turned anticlockwise: the right side goes to the top
		{2, 80, 40, blue, red}, // mirrored
	}
	for _, c := range cases {
		data := withSegments(jpegOf(t, halves(80, 40), 95), exifSegment(c.orientation))
		for _, r := range renditionsOf(t, data) {
			if r.Width != c.w || r.Height != c.h {
				t.Fatalf("orientation %d: %s is %d × %d, want %d × %d", c.orientation, r.Name, r.Width, r.Height, c.w, c.h)
			}
			m := decoded(t, r)
			if tl := m.At(5, 5); !near(tl, c.topLeft) {
				t.Errorf("orientation %d: %s top left is %v, want %v", c.orientation, r.Name, tl, c.topLeft)
			}
			if br := m.At(r.Width-6, r.Height-6); !near(br, c.botRight) {
				t.Errorf("orientation %d: %s bottom right is %v, want %v", c.orientation, r.Name, br, c.botRight)
			}
		}
	}

	t.Run("PNG eXIf", func(t *testing.T) {
		exif := exifSegment(6)[4+6:] // the TIFF structure, without the JPEG and Exif headers
		data := withPNGChunk(pngOf(t, halves(80, 40)), pngChunk("eXIf", exif))
		rs := renditionsOf(t, data)
		if r := rs[2]; r.Width != 40 || r.Height != 80 {
			t.Errorf("large is %d × %d, want 40 × 80", r.Width, r.Height)
		}
	})
}

func TestRenditionsKeepTransparency(t *testing.T) {
	rs := renditionsOf(t, pngOf(t, translucent(200, 100)))
	thumb, medium, large := rs[0], rs[1], rs[2]
	if thumb.MediaType != "image/jpeg" {
		t.Errorf("thumb is %s, want JPEG", thumb.MediaType)
	}
	if m := decoded(t, thumb); !near(m.At(5, 50), color.RGBA{255, 255, 255, 255}) {
		t.Errorf("thumb's transparent half is %v, want white", m.At(5, 50))
	}
	for _, r := range []upload.Rendition{medium, large} {
		if r.MediaType != "image/png" {
			t.Errorf("%s is %s, want PNG", r.Name, r.MediaType)
			continue
		}
		m := decoded(t, r)
		if _, _, _, a := m.At(5, 50).RGBA(); a != 0 {
			t.Errorf("%s: left half has alpha %d, want 0", r.Name, a)
		}
		if _, _, _, a := m.At(190, 50).RGBA(); a != 0xFFFF {
			t.Errorf("%s: right half has alpha %d, want opaque", r.Name, a)
		}
	}
}

func TestRenditionsOfAnimations(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		w, h int
		want color.RGBA
	}{
		{"GIF", animatedGIF(t), 60, 40, color.RGBA{0, 200, 0, 255}},
		{"WebP", animatedWebP(), 40, 30, color.RGBA{230, 200, 0, 255}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range renditionsOf(t, c.data) {
				if r.Width != c.w || r.Height != c.h {
					t.Errorf("%s is %d × %d", r.Name, r.Width, r.Height)
				}
				// The second frame paints (20, 15) otherwise.
				if m := decoded(t, r); !near(m.At(20, 15), c.want) {
					t.Errorf("%s shows %v, want the first frame's %v", r.Name, m.At(20, 15), c.want)
				}
			}
		})
	}
}

// Noise is the worst case for the thumbnail's budget. Shrinking a large
// noisy photo smooths it; a noisy image already at thumbnail size is not
// smoothed at all, so its quality, then its size, must come down.
func TestThumbFitsBudget(t *testing.T) {
	cases := []struct {
		name    string
		data    []byte
		maxSide int
		large   [2]int
	}{
		{"noisy 4000 × 3000 photo", jpegOf(t, noise(4000, 3000), 90), 320, [2]int{1920, 1440}},
		{"noise at thumbnail size", pngOf(t, noise(320, 240)), 319, [2]int{320, 240}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := renditionsOf(t, c.data)
			thumb := rs[0]
			if len(thumb.Data) > 15<<10 {
				t.Errorf("thumb of %d bytes", len(thumb.Data))
			}
			if thumb.Width > c.maxSide || thumb.Height > c.maxSide || thumb.Width < 100 {
				t.Errorf("thumb of %d × %d", thumb.Width, thumb.Height)
			}
			if d := thumb.Width*3 - thumb.Height*4; d < -6 || d > 6 {
				t.Errorf("thumb of %d × %d lost the 4:3 shape", thumb.Width, thumb.Height)
			}
			decoded(t, thumb)
			t.Logf("thumb of %d × %d, %d bytes", thumb.Width, thumb.Height, len(thumb.Data))
			if got := [2]int{rs[2].Width, rs[2].Height}; got != c.large {
				t.Errorf("large of %v, want %v", got, c.large)
			}
		})
	}
}

// A PNG whose header asks for 36 megapixels but whose data could never fill
// them is refused before the decoder allocates them.
func TestRenditionsRefuseEmptyPromises(t *testing.T) {
	data := craftedPNG(6000, 6000, make([]byte, 1000))
	var err error
	mem := memoryOf(func() {
		_, err = upload.Renditions(bytes.NewReader(data), int64(len(data)), upload.Type{Kind: upload.Image, MediaType: "image/png", Ext: ".png"})
	})
	if errs.KeyOf(err) != "upload.error.damaged" || mem > 1<<20 {
		t.Errorf("Renditions = %v after allocating %d bytes, want damaged and little memory", err, mem)
	}
	if _, err := detect(data); errs.KeyOf(err) != "upload.error.damaged" {
		t.Errorf("Detect = %v, want damaged", err)
	}
}

func TestRenditionsRefuse(t *testing.T) {
	jpg := jpegOf(t, photo(64, 48), 80)
	jpegType := upload.Type{Kind: upload.Image, MediaType: "image/jpeg", Ext: ".jpg"}
	cases := []struct {
		name string
		data []byte
		typ  upload.Type
		key  string
	}{
		{"not an image", []byte(minimalPDF), upload.Type{Kind: upload.Document, MediaType: "application/pdf", Ext: ".pdf"}, "upload.error.type"},
		{"empty", nil, jpegType, "upload.error.empty"},
		{"cut short", jpg[:len(jpg)/2], jpegType, "upload.error.damaged"},
		{"a PNG said to be a JPEG", pngOf(t, photo(8, 8)), jpegType, "upload.error.damaged"},
		{"an image type we do not know", jpg, upload.Type{Kind: upload.Image, MediaType: "image/heic", Ext: ".heic"}, "upload.error.type"},
	}
	for _, c := range cases {
		rs, err := upload.Renditions(bytes.NewReader(c.data), int64(len(c.data)), c.typ)
		if errs.KeyOf(err) != c.key || rs != nil {
			t.Errorf("%s: %d renditions, %v, want %s", c.name, len(rs), err, c.key)
		}
	}
}

// BenchmarkRenditions makes the three renditions of a 12-megapixel photo.
func BenchmarkRenditions(b *testing.B) {
	data := jpegOf(b, photo(4000, 3000), 85)
	typ := upload.Type{Kind: upload.Image, MediaType: "image/jpeg", Ext: ".jpg"}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := upload.Renditions(bytes.NewReader(data), int64(len(data)), typ); err != nil {
			b.Fatal(err)
		}
	}
}
