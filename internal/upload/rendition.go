package upload

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"harambee.africa/harambee/internal/errs"
)

// Rendition is an image re-encoded from its pixels, with no metadata at all.
type Rendition struct {
	Name          string // "thumb", "medium", "large"
	Width, Height int
	MediaType     string // "image/jpeg" (opaque) or "image/png" (transparent; thumb is always JPEG, flattened on white)
	Data          []byte
}

// The renditions' longest sides, and what they cost on a slow network.
const (
	thumbSide   = 320
	mediumSide  = 960
	largeSide   = 1920
	thumbBudget = 15 << 10 // bytes: a list of twenty thumbnails stays under 300 KB
	jpegQuality = 75
)

// Renditions decodes an image (after Detect said Kind Image) and returns, in
// order, "thumb" (longest side at most 320 px and at most 15 KB: the JPEG
// quality is lowered, then the size, until it fits), "medium" (longest side
// ≤ 960) and "large" (≤ 1920); never upscaled (a small image gives smaller
// renditions, still all three names). EXIF orientation is applied, and the
// output carries no metadata: Go's encoders write pixels only. GIF and
// animated WebP give their first frame.
//
// Decoding holds the whole image: up to about 6 bytes a pixel for a
// progressive JPEG of 40 megapixels, so callers bound how many run at once.
func Renditions(r io.ReaderAt, size int64, t Type) ([]Rendition, error) {
	out, err := renditions(r, size, t)
	if err != nil {
		return nil, withOp("upload.Renditions", err)
	}
	return out, nil
}

func renditions(r io.ReaderAt, size int64, t Type) ([]Rendition, error) {
	if t.Kind != Image {
		return nil, problem(keyType, "%s is not an image", t.MediaType)
	}
	if size <= 0 {
		return nil, problem(keyEmpty, "no content")
	}
	sr := io.NewSectionReader(r, 0, size)
	img, orientation, err := decodeImage(sr, size, t.MediaType)
	if err != nil {
		return nil, err
	}
	transparent := !opaque(img)

	// Scale first and turn the smaller image: the same result for less work.
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if orientation >= 5 {
		w, h = h, w
	}
	lw, lh := fit(w, h, largeSide)
	if orientation >= 5 {
		lw, lh = lh, lw
	}
	large := orient(scale(img, lw, lh), orientation)
	img = nil // the full-size pixels are the bulk of the memory
	mw, mh := fitRect(large.Rect, mediumSide)
	medium := scale(large, mw, mh)

	base := medium
	if transparent {
		base = flatten(medium)
	}
	thumb, err := fitThumb(base)
	if err != nil {
		return nil, err
	}
	out := []Rendition{thumb}
	for _, x := range []struct {
		name string
		img  *image.RGBA
	}{{"medium", medium}, {"large", large}} {
		rd, err := encode(x.name, x.img, transparent, jpegQuality)
		if err != nil {
			return nil, err
		}
		out = append(out, rd)
	}
	return out, nil
}

// decodeImage checks the header against the pixel limits, then decodes the
// image and reads its EXIF orientation (1 when there is none).
func decodeImage(sr *io.SectionReader, size int64, mediaType string) (image.Image, int, error) {
	cfg, err := imageConfig(sr, mediaType)
	if err != nil {
		return nil, 0, err
	}
	rd := bufio.NewReader(io.NewSectionReader(sr, 0, size))
	var (
		img         image.Image
		orientation = 1
	)
	switch mediaType {
	case typeJPEG.MediaType:
		l, err := walkJPEG(sr, true) // counts the scans before the decoder runs them
		if err != nil {
			return nil, 0, err
		}
		for _, s := range l.apps {
			if b := readSegment(sr, s, 1<<16); s.marker == 0xE1 && bytes.HasPrefix(b, []byte("Exif\x00\x00")) {
				orientation = exifOrientation(b[6:])
				break
			}
		}
		img, err = jpeg.Decode(rd)
		if err != nil {
			return nil, 0, decodeFailed("JPEG", err)
		}
	case typePNG.MediaType:
		l, err := walkPNG(sr, size, false)
		if err != nil {
			return nil, 0, err
		}
		if err := l.enoughData(); err != nil {
			return nil, 0, err
		}
		for _, s := range l.exifs {
			orientation = exifOrientation(readSegment(sr, s, 1<<16))
		}
		img, err = png.Decode(rd)
		if err != nil {
			return nil, 0, decodeFailed("PNG", err)
		}
	case typeGIF.MediaType:
		frame, err := gif.Decode(rd) // the first frame only
		if err != nil {
			return nil, 0, decodeFailed("GIF", err)
		}
		img = onCanvas(frame, cfg.Width, cfg.Height, frame.Bounds())
	case typeWebP.MediaType:
		l, err := walkWebP(sr, size)
		if err != nil {
			return nil, 0, err
		}
		for _, s := range l.exif {
			orientation = exifOrientation(bytes.TrimPrefix(readSegment(sr, s, 1<<16), []byte("Exif\x00\x00")))
		}
		if l.animated {
			img, err = firstWebPFrame(sr, l)
		} else {
			img, err = webp.Decode(rd)
		}
		if err != nil {
			return nil, 0, decodeFailed("WebP", err)
		}
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, 0, problem(keyDamaged, "%s decodes to %v, its header says %d × %d", mediaType, b, cfg.Width, cfg.Height)
	}
	return img, orientation, nil
}

// onCanvas places a frame on a transparent canvas of the full image's size,
// as a viewer shows an animation's first frame.
func onCanvas(frame image.Image, w, h int, at image.Rectangle) image.Image {
	if at == image.Rect(0, 0, w, h) && frame.Bounds() == at {
		return frame
	}
	canvas := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(canvas, at, frame, frame.Bounds().Min, draw.Src)
	return canvas
}

// firstWebPFrame decodes the first frame of an animated WebP (the x/image
// decoder reads still images only): the frame's chunks are wrapped as a
// still WebP of their own.
func firstWebPFrame(sr *io.SectionReader, l webpLayout) (image.Image, error) {
	s := l.frames[0]
	b := make([]byte, s.n)
	if _, err := sr.ReadAt(b, s.off); err != nil {
		return nil, err
	}
	x, y := 2*int(le24(b[0:])), 2*int(le24(b[3:]))
	w, h := int(le24(b[6:]))+1, int(le24(b[9:]))+1
	var alph, vp8, vp8l []byte
	for rest := b[16:]; len(rest) >= 8; {
		n := int64(binary.LittleEndian.Uint32(rest[4:]))
		if n > int64(len(rest)-8) {
			return nil, problem(keyDamaged, "WebP frame chunk overruns its frame")
		}
		chunk := rest[:8+n]
		switch string(rest[:4]) {
		case "ALPH":
			alph = chunk
		case "VP8 ":
			vp8 = chunk
		case "VP8L":
			vp8l = chunk
		}
		rest = rest[min(int64(len(rest)), 8+n+n&1):]
	}
	var still bytes.Buffer
	still.WriteString("RIFF\x00\x00\x00\x00WEBP")
	switch {
	case vp8l != nil:
		still.Write(vp8l)
	case vp8 != nil && alph != nil:
		vp8x := []byte{'V', 'P', '8', 'X', 10, 0, 0, 0, 0x10, 0, 0, 0,
			byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16), byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
		still.Write(vp8x)
		still.Write(alph)
		if len(alph)&1 == 1 {
			still.WriteByte(0)
		}
		still.Write(vp8)
	case vp8 != nil:
		still.Write(vp8)
	default:
		return nil, problem(keyDamaged, "WebP frame without image data")
	}
	if still.Len()&1 == 1 {
		still.WriteByte(0)
	}
	data := still.Bytes()
	binary.LittleEndian.PutUint32(data[4:], uint32(len(data)-8))
	frame, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if fb := frame.Bounds(); fb.Dx() != w || fb.Dy() != h {
		return nil, problem(keyDamaged, "WebP frame decodes to %v, its header says %d × %d", fb, w, h)
	}
	return onCanvas(frame, l.canvasW, l.canvasH, image.Rect(x, y, x+w, y+h)), nil
}

// exifOrientation reads tag 0x0112 from the first IFD of a TIFF structure.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(tiff[2:]) != 42 {
		return 1
	}
	ifd := int64(bo.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > int64(len(tiff)) {
		return 1
	}
	n := int64(bo.Uint16(tiff[ifd:]))
	for i := range n {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(tiff)) {
			break
		}
		if bo.Uint16(tiff[e:]) == 0x0112 && bo.Uint16(tiff[e+2:]) == 3 {
			if v := int(bo.Uint16(tiff[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			break
		}
	}
	return 1
}

// opaque reports whether every pixel of m is fully opaque.
func opaque(m image.Image) bool {
	if o, ok := m.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// fit returns w × h scaled down (never up) so its longest side is at most side.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, int(math.Round(float64(h)*float64(side)/float64(w))))
	}
	return max(1, int(math.Round(float64(w)*float64(side)/float64(h)))), side
}

func fitRect(r image.Rectangle, side int) (int, int) { return fit(r.Dx(), r.Dy(), side) }

// scale resamples src to w × h. Shrinking by two or more, it first averages
// blocks of k × k pixels (fast, and it cannot alias); bilinear sampling then
// takes the rest of the way, less than a factor of two, where it does not
// alias either.
func scale(src image.Image, w, h int) *image.RGBA {
	b := src.Bounds()
	if k := min(b.Dx()/w, b.Dy()/h); k >= 2 {
		src = reduce(src, k)
	} else if _, ok := src.(*image.RGBA); !ok {
		src = reduce(src, 1) // the scaler would convert every sample it reads; convert once
	}
	b = src.Bounds()
	if b.Dx() == w && b.Dy() == h {
		return src.(*image.RGBA)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

// reduce averages src over blocks of k × k pixels. It converts src a strip
// of k rows at a time, so that it never holds a full-size copy.
func reduce(src image.Image, k int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	w, h := (sw+k-1)/k, (sh+k-1)/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	strip := image.NewRGBA(image.Rect(0, 0, sw, k))
	sums := make([]uint32, 4*w)
	for y := range h {
		rows := min(k, sh-y*k)
		draw.Draw(strip, image.Rect(0, 0, sw, rows), src, image.Pt(b.Min.X, b.Min.Y+y*k), draw.Src)
		if k == 1 {
			copy(dst.Pix[y*dst.Stride:][:4*w], strip.Pix)
			continue
		}
		clear(sums)
		for r := range rows {
			row := strip.Pix[r*strip.Stride:][:4*sw]
			for x, i := 0, 0; x < w; x++ {
				var r, g, b, a uint32
				for end := min(i+4*k, len(row)); i < end; i += 4 {
					r += uint32(row[i])
					g += uint32(row[i+1])
					b += uint32(row[i+2])
					a += uint32(row[i+3])
				}
				s := sums[4*x:][:4]
				s[0], s[1], s[2], s[3] = s[0]+r, s[1]+g, s[2]+b, s[3]+a
			}
		}
		out := dst.Pix[y*dst.Stride:][:4*w]
		for x := range w {
			n := uint32(min(k, sw-x*k) * rows)
			for c := range 4 {
				out[4*x+c] = uint8((sums[4*x+c] + n/2) / n)
			}
		}
	}
	return dst
}

// orient turns src as EXIF orientation o says (1 to 8), so that the image
// stands as the camera saw it.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		row := src.Pix[y*src.Stride:]
		for x := range w {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored upside down
				dx, dy = x, h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // turned 90° clockwise to stand
				dx, dy = h-1-y, x
			case 7: // transversed
				dx, dy = h-1-y, w-1-x
			case 8: // turned 90° anticlockwise to stand
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dy*dst.Stride+4*dx:][:4], row[4*x:4*x+4])
		}
	}
	return dst
}

// flatten lays src on white: JPEG has no transparency.
func flatten(src *image.RGBA) *image.RGBA {
	dst := image.NewRGBA(src.Rect)
	draw.Draw(dst, dst.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Rect, src, src.Rect.Min, draw.Over)
	return dst
}

// encode writes m as JPEG, or as PNG when it is transparent.
func encode(name string, m *image.RGBA, transparent bool, quality int) (Rendition, error) {
	var b bytes.Buffer
	mediaType := typeJPEG.MediaType
	var err error
	if transparent {
		mediaType = typePNG.MediaType
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, m)
	} else {
		err = jpeg.Encode(&b, m, &jpeg.Options{Quality: quality})
	}
	if err != nil {
		return Rendition{}, errs.Wrap("upload: encode "+name, err)
	}
	return Rendition{Name: name, Width: m.Rect.Dx(), Height: m.Rect.Dy(), MediaType: mediaType, Data: b.Bytes()}, nil
}

// fitThumb encodes the thumbnail within its budget: first lower the JPEG
// quality, then the size, from src (opaque, at most mediumSide).
func fitThumb(src *image.RGBA) (Rendition, error) {
	w, h := fitRect(src.Rect, thumbSide)
	for {
		m := scale(src, w, h)
		var last Rendition
		for _, q := range []int{80, 65, 50, 40, 30} {
			rd, err := encode("thumb", m, false, q)
			if err != nil {
				return Rendition{}, err
			}
			if len(rd.Data) <= thumbBudget {
				return rd, nil
			}
			last = rd
		}
		// Bytes grow with the area: shrink the sides by the square root of
		// how far over the budget the lowest quality still is.
		f := min(0.9, 0.95*math.Sqrt(float64(thumbBudget)/float64(len(last.Data))))
		w, h = max(1, int(float64(w)*f)), max(1, int(float64(h)*f))
	}
}
