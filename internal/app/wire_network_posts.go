package app

import (
	"context"

	"harambee.africa/harambee/internal/network/directory"
	"harambee.africa/harambee/internal/network/posts"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/upload"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, posts.Migrations) }

// wireNetworkPosts builds the network's posts part, mounts its routes and
// gives the directory its posts (profiles and country pages).
func (a *App) wireNetworkPosts() error {
	s := &posts.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Search: a.Search, Sharing: a.Sharing, Core: a.Network.Core,
		Audit: auditor{a.Trail}, Queue: a.Queue}
	a.Sharing.Declare(posts.Type)
	if a.Notify != nil {
		a.Notify.Declare(posts.PostKind)
		a.Notify.Declare(posts.ReplyKind)
		s.Notify = a.Notify
	}
	if a.Files != nil {
		s.Attachments = a.Files.Section
		a.Files.Accept(posts.TypeName, upload.Image, upload.Document)
	}
	s.Schedule(a.Queue)
	a.Indicators.Declare(s.Published())
	s.Mount(a.Site)
	a.Network.Posts = s
	if a.Network.Directory != nil {
		a.Network.Directory.Posts = postLister{s}
	}
	return nil
}

// postLister gives the directory the posts part's summaries.
type postLister struct{ s *posts.Service }

func (l postLister) ByOrg(ctx context.Context, v *web.Viewer, orgID string, limit int) ([]directory.PostSummary, error) {
	list, err := l.s.ByOrg(ctx, v, orgID, limit)
	return summaries(list), err
}

func (l postLister) ByCountry(ctx context.Context, v *web.Viewer, country string, limit int) ([]directory.PostSummary, error) {
	list, err := l.s.ByCountry(ctx, v, country, limit)
	return summaries(list), err
}

func summaries(list []posts.Summary) []directory.PostSummary {
	out := make([]directory.PostSummary, 0, len(list))
	for _, p := range list {
		out = append(out, directory.PostSummary{ID: p.ID, Title: text.New(p.TitleLang, p.Title, "", p.CreatedAt), Kind: p.Kind,
			Country: p.Country, Path: p.Path, PublishedAt: p.CreatedAt})
	}
	return out
}
