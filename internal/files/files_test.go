package files_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/jpeg"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/upload"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

// world is a record type with two records owned by an organisation whose
// admin is signed in, a partner organisation the AMBER record is shared
// with, and a stranger.
type world struct {
	e                        *apptest.Env
	typ                      sharing.Type
	owner, partner, stranger *apptest.Browser
	anon                     *apptest.Browser
}

func setup(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	ctx := context.Background()
	if _, err := e.App.DB.W.Exec(`CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL, ` + sharing.Columns + `)`); err != nil {
		t.Fatal(err)
	}
	w := &world{e: e, typ: sharing.Type{Name: "test.note", Table: "notes", Title: "title", Path: func(id string) string { return "/notes/" + id }}}
	e.App.Sharing.Declare(w.typ)
	mk := func(email, slug string) (*apptest.Browser, *org.Org) {
		u, err := e.App.Accounts.Create(ctx, account.NewUser{Email: email, Name: slug, Password: pw, Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		o, err := e.App.Orgs.Create(ctx, &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}, org.Input{Name: slug, Slug: slug, Kind: "enterprise", Country: "KE"}, "")
		if err != nil {
			t.Fatal(err)
		}
		b := e.Browser()
		if res := b.Post("/signin", url.Values{"email": {email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %s: %d", email, res.StatusCode)
		}
		return b, o
	}
	var owner, partner *org.Org
	w.owner, owner = mk("owner@example.ke", "owner")
	w.partner, partner = mk("partner@example.cn", "partner")
	w.stranger, _ = mk("stranger@example.sn", "stranger")
	w.anon = e.Browser()
	e.App.DB.W.Exec(`INSERT INTO notes (id, title, owner_org, marking, state) VALUES ('pub', 'Public note', $1, 'clear', 'published')`, owner.ID)
	e.App.DB.W.Exec(`INSERT INTO notes (id, title, owner_org, marking, state) VALUES ('amb', 'Amber note', $1, 'amber', 'published')`, owner.ID)
	if _, err := e.App.DB.W.Exec(`INSERT INTO shares (id, record_type, record_id, target_kind, target_id, granted_by, granted_at)
		VALUES ('s1', 'test.note', 'amb', 'org', $1, $2, $3)`, partner.ID, owner.ID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return w
}

// send uploads body as a multipart form to a record's files.
func send(b *apptest.Browser, path, name string, body []byte) *apptest.Response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(body)
	mw.Close()
	return b.Do(http.MethodPost, path, &buf, mw.FormDataContentType())
}

type apiFile struct {
	ID, Kind, Name, SHA256, Caption, Credit, Creator, URL string
	MediaType                                             string `json:"media_type"`
	OriginalURL                                           string `json:"original_url"`
	Size                                                  int64
	Renditions                                            []struct {
		Name          string
		MediaType     string `json:"media_type"`
		Width, Height int
		Size          int64
	}
}

func (w *world) files(t *testing.T, b *apptest.Browser, record string) []apiFile {
	t.Helper()
	res := b.Get("/api/v1/records/test.note/" + record + "/files")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list: %d %s", res.StatusCode, res.Body)
	}
	var list struct{ Items []apiFile }
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// nothingStored fails when a file row or a blob exists.
func (w *world) nothingStored(t *testing.T) {
	t.Helper()
	var n int
	w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM files`).Scan(&n)
	if n != 0 {
		t.Errorf("%d file rows stored", n)
	}
	filepath.WalkDir(filepath.Join(w.e.App.Config.DataDir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("blob left behind: %s", p)
		}
		return nil
	})
	tmp, _ := os.ReadDir(filepath.Join(w.e.App.Config.DataDir, "tmp"))
	if len(tmp) != 0 {
		t.Errorf("temporary files left: %d", len(tmp))
	}
}

// photo is a noisy 1200×900 JPEG carrying EXIF with GPS, IPTC credit and
// caption: what a phone camera and a newsroom add.
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// EXIF: a big-endian TIFF with one IFD entry pointing at a GPS IFD.
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	tiff = append(tiff, 0, 1) // one entry
	tiff = append(tiff, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26)
	tiff = append(tiff, 0, 0, 0, 0)
	tiff = append(tiff, 0, 1, 0, 1, 0, 2, 0, 0, 0, 2, 'N', 0, 0, 0, 0, 0, 0, 0) // GPSLatitudeRef N
	exif := append([]byte("Exif\x00\x00"), tiff...)
	// IPTC-IIM in a Photoshop image resource block.
	dataset := func(num byte, s string) []byte {
		return append([]byte{0x1c, 2, num, byte(len(s) >> 8), byte(len(s))}, s...)
	}
	iptc := append(dataset(80, "Amina Njoroge"), dataset(110, "Harambee News Agency")...)
	iptc = append(iptc, dataset(120, "Traders at the Mombasa fair")...)
	res := append([]byte("8BIM\x04\x04\x00\x00"), byte(len(iptc)>>24), byte(len(iptc)>>16), byte(len(iptc)>>8), byte(len(iptc)))
	res = append(res, iptc...)
	if len(res)%2 == 1 {
		res = append(res, 0)
	}
	app13 := append([]byte("Photoshop 3.0\x00"), res...)
	seg := func(marker byte, payload []byte) []byte {
		n := len(payload) + 2
		return append([]byte{0xff, marker, byte(n >> 8), byte(n)}, payload...)
	}
	out := append([]byte{0xff, 0xd8}, seg(0xe1, exif)...)
	out = append(out, seg(0xed, app13)...)
	return append(out, enc.Bytes()[2:]...)
}

func TestImageUploadStripsMetadataAndKeepsTheOriginalForThoseSharedWith(t *testing.T) {
	w := setup(t)
	orig := photo(t)
	if res := send(w.owner, "/records/test.note/amb/files", "IMG_0001.JPG", orig); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/notes/amb" {
		t.Fatalf("upload: %d %s %s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	list := w.files(t, w.owner, "amb")
	if len(list) != 1 {
		t.Fatalf("files: %+v", list)
	}
	f := list[0]
	sum := sha256.Sum256(orig)
	if f.Kind != "image" || f.MediaType != "image/jpeg" || f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(orig)) || f.Name != "IMG_0001.jpg" {
		t.Errorf("file: %+v", f)
	}
	if f.Caption != "Traders at the Mombasa fair" || f.Credit != "Harambee News Agency" || f.Creator != "Amina Njoroge" {
		t.Errorf("IPTC not read into the fields: %+v", f)
	}
	if len(f.Renditions) != 3 {
		t.Fatalf("renditions: %+v", f.Renditions)
	}
	for _, r := range f.Renditions {
		for _, who := range []*apptest.Browser{w.owner, w.partner} {
			res := who.Get("/files/" + f.ID + "/" + r.Name)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != r.MediaType {
				t.Fatalf("%s: %d %s", r.Name, res.StatusCode, res.Header.Get("Content-Type"))
			}
			for _, leak := range []string{"Exif", "8BIM", "Amina", "Mombasa"} {
				if strings.Contains(res.Body, leak) {
					t.Errorf("%s carries %q", r.Name, leak)
				}
			}
			if _, _, err := image.Decode(strings.NewReader(res.Body)); err != nil {
				t.Errorf("%s does not decode: %v", r.Name, err)
			}
		}
		if r.Name == "thumb" && r.Size > 15<<10 {
			t.Errorf("thumbnail of %d bytes", r.Size)
		}
	}
	// The original (with GPS) goes to the owner and the partner it was
	// shared with; the API says where, only to them.
	for _, who := range []*apptest.Browser{w.owner, w.partner} {
		res := who.Get("/files/" + f.ID + "/original")
		if res.StatusCode != http.StatusOK || res.Body != string(orig) {
			t.Errorf("original: %d", res.StatusCode)
		}
	}
	if res := w.stranger.Get("/files/" + f.ID + "/thumb"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a stranger reached the file of an AMBER record: %d", res.StatusCode)
	}
	if res := w.stranger.Get("/files/" + f.ID); res.StatusCode != http.StatusNotFound {
		t.Errorf("a stranger reached the file page: %d", res.StatusCode)
	}

	// On a CLEAR record, everyone sees the renditions; the original stays
	// with the owner.
	if res := send(w.owner, "/records/test.note/pub/files", "fair.jpg", orig); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	pub := w.files(t, w.anon, "pub")[0]
	if pub.OriginalURL != "" {
		t.Errorf("the API offers the original to the public: %s", pub.OriginalURL)
	}
	if res := w.anon.Get("/files/" + pub.ID + "/medium"); res.StatusCode != http.StatusOK {
		t.Errorf("public rendition: %d", res.StatusCode)
	}
	for _, who := range []*apptest.Browser{w.anon, w.stranger} {
		if res := who.Get("/files/" + pub.ID + "/original"); res.StatusCode != http.StatusForbidden {
			t.Errorf("the original of a public image was served to someone it was not shared with: %d", res.StatusCode)
		}
	}
	page := w.anon.Get("/files/" + pub.ID)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Traders at the Mombasa fair") || strings.Contains(page.Body, "/original\" download") {
		t.Errorf("file page: %d", page.StatusCode)
	}
}

func wav(n int) []byte {
	b := []byte("RIFF")
	b = binary.LittleEndian.AppendUint32(b, uint32(36+n))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, 1)     // PCM
	b = binary.LittleEndian.AppendUint16(b, 1)     // mono
	b = binary.LittleEndian.AppendUint32(b, 8000)  // rate
	b = binary.LittleEndian.AppendUint32(b, 16000) // bytes per second
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	for i := range n {
		b = append(b, byte(i*7))
	}
	return b
}

func TestAudioIsServedWithRanges(t *testing.T) {
	w := setup(t)
	clip := wav(20000)
	if res := send(w.owner, "/records/test.note/pub/files", "interview.mp3", clip); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	f := w.files(t, w.anon, "pub")[0]
	if f.Kind != "audio" || f.Name != "interview.wav" || len(f.Renditions) != 0 {
		t.Fatalf("audio: %+v", f)
	}
	req, _ := http.NewRequest(http.MethodGet, w.e.Server.URL+"/files/"+f.ID+"/original", nil)
	req.Header.Set("Range", "bytes=1000-1099")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(part, clip[1000:1100]) ||
		res.Header.Get("Content-Range") != "bytes 1000-1099/"+strconv.Itoa(len(clip)) {
		t.Errorf("range: %d %q %d bytes", res.StatusCode, res.Header.Get("Content-Range"), len(part))
	}
}

const pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" +
	"trailer << /Root 1 0 R >>\n%%EOF\n"

func TestDocumentsKeepTheirBytesAndChecksum(t *testing.T) {
	w := setup(t)
	res := send(w.owner, "/api/v1/records/test.note/pub/files", "Memorandum of understanding.docx", []byte(pdf))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("API upload: %d %s", res.StatusCode, res.Body)
	}
	var f apiFile
	json.Unmarshal([]byte(res.Body), &f)
	sum := sha256.Sum256([]byte(pdf))
	if f.MediaType != "application/pdf" || f.Name != "Memorandum of understanding.pdf" || f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("document: %+v", f)
	}
	got := w.anon.Get("/files/" + f.ID + "/original")
	if got.Body != pdf || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(got.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("download: %d %q %q", got.StatusCode, got.Header.Get("Content-Disposition"), got.Header.Get("Content-Security-Policy"))
	}
	// Raw bytes with ?name= work for API clients too.
	raw := w.owner.Do(http.MethodPost, "/api/v1/records/test.note/pub/files?name=minutes.pdf", strings.NewReader(pdf), "application/octet-stream")
	if raw.StatusCode != http.StatusCreated {
		t.Errorf("raw upload: %d %s", raw.StatusCode, raw.Body)
	}
}

// bigPNG is a valid PNG header for a 50,000 × 50,000 image with a tiny
// IDAT: decoding it whole would need 10 GB.
func bigPNG() []byte {
	chunk := func(typ string, data []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		b = append(b, typ...)
		b = append(b, data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, 50000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 50000)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, chunk("IHDR", ihdr)...)
	b = append(b, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(b, chunk("IEND", nil)...)
}

func TestBadUploadsChangeNothing(t *testing.T) {
	w := setup(t)
	small := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range small.Pix {
		small.Pix[i] = 200
	}
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, small, nil)
	polyglot := append(append([]byte(nil), jpg.Bytes()...), []byte("<script>alert(1)</script>PK\x05\x06"+strings.Repeat("\x00", 18))...)
	for _, c := range []struct {
		name, file string
		body       []byte
		status     int
		key        string
	}{
		{"an executable named as a photo", "photo.jpg", append([]byte("MZ\x90\x00\x03"), make([]byte, 200)...), 422, "upload.error.type"},
		{"a web page named as a PDF", "report.pdf", []byte("<!doctype html><html><script>alert(1)</script></html>"), 422, "upload.error.type"},
		{"a 50,000 × 50,000 image", "huge.png", bigPNG(), 422, "upload.error.dimensions"},
		{"an empty file", "empty.pdf", nil, 422, "upload.error.empty"},
		{"an image carrying a script and a zip", "cat.jpg", polyglot, 422, "upload.error.polyglot"},
	} {
		res := send(w.owner, "/records/test.note/pub/files", c.file, c.body)
		if res.StatusCode != c.status || !strings.Contains(res.Body, w.e.App.Catalog.Printer("en").T(c.key)) {
			t.Errorf("%s: %d, want %d with %s", c.name, res.StatusCode, c.status, c.key)
		}
		api := send(w.owner, "/api/v1/records/test.note/pub/files", c.file, c.body)
		if api.StatusCode != c.status || !strings.Contains(api.Body, `"`+c.key+`"`) && !strings.Contains(api.Body, w.e.App.Catalog.Printer("en").T(c.key)) {
			t.Errorf("%s (API): %d %s", c.name, api.StatusCode, api.Body)
		}
	}
	if res := w.owner.Do(http.MethodPost, "/records/test.note/pub/files", strings.NewReader("file=x"), "application/x-www-form-urlencoded"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a form without a file: %d", res.StatusCode)
	}
	if res := send(w.partner, "/records/test.note/amb/files", "minutes.pdf", []byte(pdf)); res.StatusCode != http.StatusForbidden {
		t.Errorf("a recipient who does not edit uploaded: %d", res.StatusCode)
	}
	if res := send(w.stranger, "/records/test.note/amb/files", "minutes.pdf", []byte(pdf)); res.StatusCode != http.StatusNotFound {
		t.Errorf("upload to a record the person cannot see: %d", res.StatusCode)
	}
	if res := send(w.anon, "/records/test.note/pub/files", "minutes.pdf", []byte(pdf)); res.StatusCode == http.StatusSeeOther && !strings.Contains(res.Header.Get("Location"), "signin") {
		t.Errorf("anonymous upload: %d", res.StatusCode)
	}
	w.e.App.Files.Limits = upload.Limits{upload.Image: 1 << 10, upload.Document: 1 << 10, upload.Audio: 1 << 10, upload.Video: 1 << 10}
	if res := send(w.owner, "/records/test.note/pub/files", "big.pdf", []byte(pdf+strings.Repeat("%", 2000))); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a file over the limit: %d", res.StatusCode)
	}
	w.nothingStored(t)
}

func TestDescribeAndDelete(t *testing.T) {
	w := setup(t)
	res := send(w.owner, "/api/v1/records/test.note/pub/files", "minutes.pdf", []byte(pdf))
	var f apiFile
	json.Unmarshal([]byte(res.Body), &f)
	if res := w.owner.Do(http.MethodPatch, "/api/v1/files/"+f.ID, strings.NewReader(`{"caption":"Signed \u0007 copy"}`), "application/json"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("control character: %d", res.StatusCode)
	}
	if res := w.owner.Do(http.MethodPatch, "/api/v1/files/"+f.ID, strings.NewReader(`{"colour":"red"}`), "application/json"); res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown field: %d", res.StatusCode)
	}
	if res := w.stranger.Do(http.MethodPatch, "/api/v1/files/"+f.ID, strings.NewReader(`{"caption":"Mine now"}`), "application/json"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a stranger described a file: %d", res.StatusCode)
	}
	if res := w.owner.Post("/files/"+f.ID+"/edit", url.Values{"title": {"Minutes of the Nairobi meeting"}, "caption": {"Signed copy"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("describe: %d %s", res.StatusCode, res.Body)
	}
	if page := w.anon.Get("/files/" + f.ID); !strings.Contains(page.Body, "Minutes of the Nairobi meeting") || strings.Contains(page.Body, `action="/files/`+f.ID+`/edit"`) {
		t.Errorf("file page after describing, seen by the public: %d", page.StatusCode)
	}
	if res := w.stranger.Post("/files/"+f.ID+"/delete", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a stranger deleted: %d", res.StatusCode)
	}
	if res := w.owner.Post("/files/"+f.ID+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if res := w.owner.Get("/files/" + f.ID + "/original"); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleted file served: %d", res.StatusCode)
	}
	w.nothingStored(t)
	var n int
	w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_entries WHERE action IN ('file.added', 'file.described', 'file.deleted')`).Scan(&n)
	if n != 3 {
		t.Errorf("%d audit entries, want 3", n)
	}
}

func TestSectionShowsFilesAndTheFormToEditorsOnly(t *testing.T) {
	w := setup(t)
	send(w.owner, "/records/test.note/pub/files", "fair.jpg", photo(t))
	w.e.App.Site.PageFunc("GET /notes/{id}", func(rw http.ResponseWriter, r *http.Request) {
		html, err := w.e.App.Files.Section(r, "test.note", r.PathValue("id"))
		if err != nil {
			w.e.App.Site.Fail(rw, r, err)
			return
		}
		rw.Write([]byte(html))
	})
	owner := w.owner.Get("/notes/pub?lang=fr")
	if !strings.Contains(owner.Body, `enctype="multipart/form-data"`) || !strings.Contains(owner.Body, "Ajouter un fichier") || !strings.Contains(owner.Body, "/thumb") {
		t.Errorf("owner's section: %s", owner.Body)
	}
	anon := w.anon.Get("/notes/pub")
	if strings.Contains(anon.Body, "multipart") || !strings.Contains(anon.Body, "/thumb") {
		t.Errorf("public section: %s", anon.Body)
	}
	if res := w.stranger.Get("/notes/amb"); res.StatusCode != http.StatusNotFound {
		t.Errorf("section of an unseen record: %d", res.StatusCode)
	}
}

// TestPhoneTrailerIsCutOff checks that a phone photo carrying a Motion
// Photo's video after the picture is accepted, and that what is kept (and
// checksummed, and served as the original) is the picture alone.
func TestPhoneTrailerIsCutOff(t *testing.T) {
	w := setup(t)
	pic := photo(t)
	video := append([]byte{0, 0, 0, 0x18}, "ftypmp42\x00\x00\x00\x00mp42isom"...)
	video = append(video, make([]byte, 4096)...)
	if res := send(w.owner, "/records/test.note/pub/files", "PXL_20261127.MP.jpg", append(append([]byte{}, pic...), video...)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	f := w.files(t, w.owner, "pub")[0]
	sum := sha256.Sum256(pic)
	if f.Size != int64(len(pic)) || f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("kept %d bytes with checksum %s; want the picture's %d bytes", f.Size, f.SHA256, len(pic))
	}
	if res := w.owner.Get("/files/" + f.ID + "/original"); res.Body != string(pic) {
		t.Errorf("the original served is %d bytes, want the picture's %d", len(res.Body), len(pic))
	}
}
