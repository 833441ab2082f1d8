// Package upload decides what an uploaded file is from its content alone,
// refuses files that are dangerous to keep or to show (decompression bombs,
// polyglots, images too large to decode, damaged files), reads the credit and
// caption written into images, and makes small re-encoded image renditions
// that carry no metadata, for phones on slow networks.
//
// Nothing here looks at a file's name or at the type a browser declared: the
// API takes no name, so a file called photo.jpg that holds a PDF is a PDF, and
// an HTML page called report.pdf is refused. mimetype gives a first opinion
// on text; the structural checks are ours, because the first bytes of a file
// say nothing about bombs, payloads appended after the image or truncation.
//
// The package is pure processing: no database, no HTTP. It reads through an
// io.ReaderAt so that callers can hand it a temporary file, a blob or a
// bytes.Reader without loading large videos into memory.
package upload

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"harambee.africa/harambee/internal/errs"
)

// Kind is the broad class of a file, which decides its size limit and how it
// is kept.
type Kind string

// The kinds of file accepted.
const (
	Image    Kind = "image"
	Document Kind = "document"
	Audio    Kind = "audio"
	Video    Kind = "video"
)

// Type is what the content says a file is.
type Type struct {
	Kind      Kind
	MediaType string // "image/jpeg", "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "audio/mpeg", "video/mp4", ...
	Ext       string // ".jpg", ".pdf", ".docx", ... for download names
	// Length, when above zero, is how many of the file's bytes make it: a
	// phone's JPEG carries a camera trailer after the image (a second
	// picture, a Motion Photo's video, Samsung's SEF block), which is cut
	// off rather than kept or refused. Zero means the whole file.
	Length int64
}

// Limits are the largest sizes accepted per kind, in bytes.
type Limits map[Kind]int64

// DefaultLimits are the platform's size limits.
var DefaultLimits = Limits{Image: 20 << 20, Document: 25 << 20, Audio: 60 << 20, Video: 250 << 20}

// MaxUpload is the largest of DefaultLimits (the HTTP layer caps request
// bodies with it).
const MaxUpload int64 = 250 << 20

// limit returns the limit for k: from l, else from DefaultLimits.
func (l Limits) limit(k Kind) int64 {
	if n, ok := l[k]; ok {
		return n
	}
	return DefaultLimits[k]
}

// The limits on what a file may ask of us.
const (
	maxPixels       = 40_000_000 // an image's width × height
	maxSide         = 12_000     // an image's longest side, in pixels
	maxZipTotal     = 250 << 20  // uncompressed bytes of all entries of a zip-based document
	maxZipRatio     = 100        // uncompressed : compressed, for entries over maxZipRatioFrom
	maxZipRatioFrom = 1 << 20
	maxZipEntries   = 10_000
	maxJPEGScans    = 100 // progressive JPEGs have about 10; each scan walks every block
	trailerSlack    = 16  // padding tolerated after an image's end marker
)

// The message keys of the errors this package returns.
const (
	keyEmpty      = "upload.error.empty"
	keyTooLarge   = "upload.error.too_large" // {max}: the limit in MB
	keyType       = "upload.error.type"
	keyDamaged    = "upload.error.damaged"
	keyDimensions = "upload.error.dimensions"
	keyBomb       = "upload.error.bomb"
	keyPolyglot   = "upload.error.polyglot"
)

// problem is a refusal: a message key for the user and a cause for the log.
func problem(key, format string, args ...any) *errs.Error {
	code := errs.Invalid
	if key == keyTooLarge {
		code = errs.TooLarge
	}
	e := errs.E("", code, key)
	e.Err = fmt.Errorf(format, args...)
	return e
}

// tooLarge refuses a file over limit; {max} says the limit in megabytes.
func tooLarge(k Kind, size, limit int64) *errs.Error {
	mb := strconv.FormatFloat(float64(limit)/(1<<20), 'f', -1, 64)
	if limit >= 1<<20 {
		mb = strconv.FormatInt((limit+(1<<19))>>20, 10)
	}
	return problem(keyTooLarge, "%s of %d bytes is over the limit of %d", k, size, limit).With(map[string]any{"max": mb})
}

// readFailed turns a read error into a refusal when the content ended early
// (the file is shorter than its structure says) and into an internal error
// otherwise (the storage failed, not the user).
func readFailed(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return problem(keyDamaged, "%s: truncated", what)
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return errs.Wrap("upload: read "+what, err)
}

// withOp names the operation on a refusal built deep inside the package.
func withOp(op string, err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Op == "" {
		e.Op = op
	}
	return err
}

// The types this package accepts.
var (
	typeJPEG = Type{Kind: Image, MediaType: "image/jpeg", Ext: ".jpg"}
	typePNG  = Type{Kind: Image, MediaType: "image/png", Ext: ".png"}
	typeGIF  = Type{Kind: Image, MediaType: "image/gif", Ext: ".gif"}
	typeWebP = Type{Kind: Image, MediaType: "image/webp", Ext: ".webp"}

	typePDF  = Type{Kind: Document, MediaType: "application/pdf", Ext: ".pdf"}
	typeDOCX = Type{Kind: Document, MediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Ext: ".docx"}
	typeXLSX = Type{Kind: Document, MediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Ext: ".xlsx"}
	typePPTX = Type{Kind: Document, MediaType: "application/vnd.openxmlformats-officedocument.presentationml.presentation", Ext: ".pptx"}
	typeODT  = Type{Kind: Document, MediaType: "application/vnd.oasis.opendocument.text", Ext: ".odt"}
	typeODS  = Type{Kind: Document, MediaType: "application/vnd.oasis.opendocument.spreadsheet", Ext: ".ods"}
	typeODP  = Type{Kind: Document, MediaType: "application/vnd.oasis.opendocument.presentation", Ext: ".odp"}
	typeText = Type{Kind: Document, MediaType: "text/plain", Ext: ".txt"}
	typeCSV  = Type{Kind: Document, MediaType: "text/csv", Ext: ".csv"}

	typeMP3  = Type{Kind: Audio, MediaType: "audio/mpeg", Ext: ".mp3"}
	typeMP2  = Type{Kind: Audio, MediaType: "audio/mpeg", Ext: ".mp2"}
	typeOgg  = Type{Kind: Audio, MediaType: "audio/ogg", Ext: ".ogg"}
	typeOpus = Type{Kind: Audio, MediaType: "audio/ogg", Ext: ".opus"}
	typeWAV  = Type{Kind: Audio, MediaType: "audio/wav", Ext: ".wav"}
	typeFLAC = Type{Kind: Audio, MediaType: "audio/flac", Ext: ".flac"}
	typeM4A  = Type{Kind: Audio, MediaType: "audio/mp4", Ext: ".m4a"}

	typeMP4  = Type{Kind: Video, MediaType: "video/mp4", Ext: ".mp4"}
	typeMOV  = Type{Kind: Video, MediaType: "video/quicktime", Ext: ".mov"}
	type3GP  = Type{Kind: Video, MediaType: "video/3gpp", Ext: ".3gp"}
	type3G2  = Type{Kind: Video, MediaType: "video/3gpp2", Ext: ".3g2"}
	typeWebM = Type{Kind: Video, MediaType: "video/webm", Ext: ".webm"}
)
