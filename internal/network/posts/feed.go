package posts

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// FeedSize is how many posts a feed carries, newest first.
const FeedSize = 50

// Atom 1.0 (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Links   []atomLink  `xml:"link"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Lang string `xml:"xml:lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomEntry struct {
	Lang       string         `xml:"xml:lang,attr"`
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Link       atomLink       `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
}

// feed serves the Atom feed of public posts: published, TLP:CLEAR, not
// expired — whoever asks, since a feed is public — optionally of one
// country and one sector. Entries are in the posts' original language.
func (s *Service) feed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{Country: q.Get("country"), Sector: q.Get("sector"), Limit: FeedSize}
	if err := f.check(); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	now := s.Clock.Now()
	args := &db.Args{}
	where := sharing.Visible(Type, "t", nil, now, args) + ` AND ` + f.conditions(now, args)
	rows, err := s.DB.R.QueryContext(r.Context(), `SELECT `+columns+from+` WHERE `+where+` ORDER BY t.created_at DESC, t.id DESC LIMIT `+
		args.Add(FeedSize), args.List()...)
	if err != nil {
		s.Site.Fail(w, r, errs.Wrap("feed", err))
		return
	}
	list, err := scanAll(rows)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p := web.PrinterOf(r)
	base := strings.TrimSuffix(s.Site.BaseURL, "/")
	sel := url.Values{}
	title := p.T("network.posts.feed.title")
	if f.Country != "" {
		sel.Set("country", f.Country)
		title += " · " + countryName(p, f.Country)
	}
	if f.Sector != "" {
		sel.Set("sector", f.Sector)
		title += " · " + p.T("sector."+f.Sector)
	}
	self := base + "/network/posts.atom"
	html := base + "/network/posts"
	if len(sel) > 0 {
		self += "?" + sel.Encode()
		html += "?" + sel.Encode()
	}
	updated := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // an empty feed's
	for _, it := range list {
		if it.UpdatedAt.After(updated) {
			updated = it.UpdatedAt
		}
	}
	out := atomFeed{Lang: p.Lang, ID: "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte(base+"/network/posts.atom?"+sel.Encode())).String(),
		Title: title, Updated: updated.UTC().Format(time.RFC3339),
		Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: html}},
		Author: atomPerson{Name: "Harambee", URI: base + "/"}}
	for _, it := range list {
		lang := it.Title.Original
		e := atomEntry{Lang: lang, ID: "urn:uuid:" + it.ID, Title: it.TitlePlain,
			Link:      atomLink{Rel: "alternate", Type: "text/html", Href: base + it.Path()},
			Published: it.CreatedAt.UTC().Format(time.RFC3339), Updated: it.UpdatedAt.UTC().Format(time.RFC3339),
			Author: atomPerson{Name: it.OwnerName, URI: base + "/orgs/" + it.OwnerSlug},
			Categories: []atomCategory{{Term: it.Kind, Label: p.T("network.posts.kind." + it.Kind)},
				{Term: it.Country, Label: countryName(p, it.Country)}}}
		for _, sec := range it.Sectors {
			e.Categories = append(e.Categories, atomCategory{Term: sec, Label: p.T("sector." + sec)})
		}
		e.Summary = atomText{Lang: it.Body.Original, Text: excerpt(it.Body.String(), 400)}
		out.Entries = append(out.Entries, e)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	if err := enc.Encode(out); err != nil {
		s.Site.Log.Warn("feed", "err", err)
	}
}

// excerpt cuts s to at most n characters, at a space where it can.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
