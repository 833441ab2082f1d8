package upload_test

import (
	"bytes"
	"errors"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"strings"
	"testing"

	_ "golang.org/x/image/webp"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/upload"
)

// seeds are the accepted fixtures and a few refused ones, small enough for
// a fuzzer to mutate.
func seeds(f *testing.F) [][]byte {
	out := [][]byte{nil, []byte("a,b\n1,2\n"), []byte("<html>"), craftedPNG(50000, 50000, []byte{0})}
	for _, c := range accepted(f) {
		if len(c.data) <= 64<<10 {
			out = append(out, c.data)
		}
	}
	return out
}

// kindOf is the kind a media type must have.
func kindOf(mediaType string) upload.Kind {
	switch {
	case strings.HasPrefix(mediaType, "image/"):
		return upload.Image
	case strings.HasPrefix(mediaType, "audio/"):
		return upload.Audio
	case strings.HasPrefix(mediaType, "video/"):
		return upload.Video
	}
	return upload.Document
}

// FuzzDetect checks that Detect never panics, that any Type it returns is
// consistent (its kind matches its media type, and it has an extension),
// and that any error is a refusal with one of the package's keys.
func FuzzDetect(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, err := upload.Detect(bytes.NewReader(data), int64(len(data)), nil, nil)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Key, "upload.error.") || (e.Code != errs.Invalid && e.Code != errs.TooLarge) {
				t.Fatalf("error %v is not a refusal", err)
			}
			if typ != (upload.Type{}) {
				t.Fatalf("type %+v with an error", typ)
			}
			return
		}
		if typ.MediaType == "" || kindOf(typ.MediaType) != typ.Kind || !strings.HasPrefix(typ.Ext, ".") {
			t.Fatalf("inconsistent type %+v", typ)
		}
		if typ.Kind == upload.Image {
			upload.ReadMetadata(bytes.NewReader(data), int64(len(data)), typ)
		}
	})
}

// FuzzRenditions checks that whatever Detect accepts as an image, Renditions
// turns into three renditions within their bounds, or refuses cleanly; and
// that it does not panic even on content Detect did not see.
func FuzzRenditions(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Decoding allocates what the header says, up to 40 megapixels;
		// fuzzing stays fast on small images.
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); len(data) > 64<<10 || err == nil && cfg.Width*cfg.Height > 1<<20 {
			return
		}
		for _, mt := range []string{"image/jpeg", "image/png", "image/gif", "image/webp"} {
			upload.Renditions(bytes.NewReader(data), int64(len(data)), upload.Type{Kind: upload.Image, MediaType: mt})
		}
		typ, err := upload.Detect(bytes.NewReader(data), int64(len(data)), []upload.Kind{upload.Image}, nil)
		if err != nil {
			return
		}
		rs, err := upload.Renditions(bytes.NewReader(data), int64(len(data)), typ)
		if err != nil {
			if k := errs.KeyOf(err); !strings.HasPrefix(k, "upload.error.") {
				t.Fatalf("Renditions of an accepted %s: %v", typ.MediaType, err)
			}
			return
		}
		if len(rs) != 3 {
			t.Fatalf("%d renditions", len(rs))
		}
		for i, side := range []int{320, 960, 1920} {
			r := rs[i]
			if r.Width < 1 || r.Height < 1 || r.Width > side || r.Height > side || len(r.Data) == 0 {
				t.Fatalf("%s of %d × %d, %d bytes", r.Name, r.Width, r.Height, len(r.Data))
			}
		}
		if len(rs[0].Data) > 15<<10 || rs[0].MediaType != "image/jpeg" {
			t.Fatalf("thumb %s of %d bytes", rs[0].MediaType, len(rs[0].Data))
		}
	})
}
