package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strconv"
)

//go:embed templates static
var staticFS embed.FS

var templateFS = staticFS

// asset is a static file served under a content-hashed name and cached forever.
type asset struct {
	name, ext, hash string
	body            []byte
}

func newAsset(name, ext string, body []byte) asset {
	sum := sha256.Sum256(body)
	return asset{name: name, ext: ext, hash: hex.EncodeToString(sum[:])[:12], body: body}
}

// URL is the asset's content-hashed address.
func (a asset) URL() string { return "/static/" + a.name + "." + a.hash + "." + a.ext }

func (s *Site) serveStatic(w http.ResponseWriter, r *http.Request) {
	if "/static/"+r.PathValue("file") != s.css.URL() {
		s.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Content-Length", strconv.Itoa(len(s.css.body)))
	w.Write(s.css.body)
}
