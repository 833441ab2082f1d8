package feeds

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"harambee.africa/harambee/internal/web"
)

// Probe is what a test of a subscription's connection found.
type Probe struct {
	OK              bool   `json:"ok"`
	Error           string `json:"error"` // a message key when not OK
	ErrorText       string `json:"error_text"`
	DetailKey       string `json:"error_detail_key"` // what exactly was wrong, as a message key; see Feed.LastDetailKey
	DetailText      string `json:"error_detail_text"`
	Detail          string `json:"error_detail"`    // technical, untranslated
	Discovery       string `json:"discovery_title"` // the server's discovery title, when it serves one at /taxii2/
	Listed          bool   `json:"listed"`          // the discovery lists the API root
	APIRootTitle    string `json:"api_root_title"`
	Speaks21        bool   `json:"taxii_2_1"` // the API root lists the TAXII 2.1 media type
	CollectionTitle string `json:"collection_title"`
	CanRead         bool   `json:"can_read"`
	detailArgs      map[string]string
}

// Test fetches the subscription's API root and collection (and the
// server's discovery at /taxii2/, if any) with its credentials, and tells
// what it found; nothing is imported and the subscription is unchanged.
func (s *Service) Test(ctx context.Context, v *web.Viewer, id string) (*Probe, error) {
	f, err := s.Feed(ctx, v, id)
	if err != nil {
		return nil, err
	}
	pr := &Probe{}
	fail := func(fl *failure) (*Probe, error) {
		pr.Error, pr.DetailKey, pr.detailArgs, pr.Detail = fl.key, fl.detailKey, fl.detailArgs, fl.detail
		return pr, nil
	}
	pass, err := s.Sealer.Open(f.ID, f.secret)
	if err != nil {
		return fail(&failure{key: "cert.feeds.error.sealed"})
	}
	root, err := url.Parse(f.APIRoot)
	if err != nil {
		return fail(&failure{key: "cert.feeds.error.url"})
	}
	rem := &remote{http: s.HTTP, root: root, user: f.User, pass: pass, useAuth: f.User != "" || pass != "", now: s.Clock.Now}
	disc := url.URL{Scheme: root.Scheme, Host: root.Host, Path: "/taxii2/"}
	if disc.String() != f.APIRoot {
		var d discovery
		if _, fl := rem.fetch(ctx, disc.String(), &d); fl == nil {
			pr.Discovery = clip(printable(d.Title), 200)
			for _, r := range d.APIRoots {
				if ref, err := disc.Parse(r); err == nil && strings.TrimSuffix(ref.String(), "/") == strings.TrimSuffix(f.APIRoot, "/") {
					pr.Listed = true
				}
			}
		}
	}
	var ar apiRoot
	if _, fl := rem.get(ctx, "", nil, &ar); fl != nil {
		return fail(fl)
	}
	pr.APIRootTitle = clip(printable(ar.Title), 200)
	pr.Speaks21 = slices.ContainsFunc(ar.Versions, taxiiJSON) && slices.ContainsFunc(ar.Versions, func(v string) bool { return strings.Contains(v, "2.1") })
	var c collectionInfo
	if _, fl := rem.get(ctx, "collections/"+url.PathEscape(f.Collection)+"/", nil, &c); fl != nil {
		return fail(fl)
	}
	pr.CollectionTitle, pr.CanRead = clip(printable(c.Title), 200), c.CanRead
	pr.OK = pr.Speaks21 && pr.CanRead
	switch {
	case !pr.Speaks21:
		pr.Error = "cert.feeds.error.not_21"
	case !pr.CanRead:
		pr.Error = "cert.feeds.error.cannot_read"
	}
	return pr, nil
}
