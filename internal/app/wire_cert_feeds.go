package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/feeds"
	"harambee.africa/harambee/internal/cert/taxii"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/seal"
)

func init() { Migrations = append(Migrations, feeds.Migrations) }

// circleCollections names a circle's TAXII collection as cert/taxii derives it.
type circleCollections struct{}

func (circleCollections) CircleCollection(_ context.Context, groupID string) (string, error) {
	return taxii.CircleCollectionID(groupID), nil
}

// feedsJob is the argument of a poll of one subscription.
type feedsJob struct {
	Feed string `json:"feed"`
}

// wireCertFeeds builds the TAXII client (subscriptions of trust circles to
// remote collections), its polling job and its routes.
func (a *App) wireCertFeeds() error {
	sealer, err := seal.OpenKey(os.Getenv("HARAMBEE_FEEDS_KEY"), filepath.Join(a.Config.DataDir, "feeds-key"))
	if err != nil {
		return fmt.Errorf("cert feeds: HARAMBEE_FEEDS_KEY or DATA/feeds-key: %w", err)
	}
	s := feeds.New(a.DB, a.Clock, a.Cert, sealer)
	s.Site, s.Audit = a.Site, auditor{a.Trail}
	s.AllowPrivate = os.Getenv("HARAMBEE_FEEDS_ALLOW_PRIVATE") == "1"
	if a.CertParts.TAXII != nil {
		var importer cert.STIXImporter = a.CertParts.TAXII
		s.Importer = importer
		s.Collections = circleCollections{}
	}
	if a.Notify != nil {
		a.Notify.Declare(feeds.StoppedKind)
		s.Notify = a.Notify
	}
	a.Queue.Register(feeds.PollJob, func(ctx context.Context, j jobs.Job) error {
		var arg feedsJob
		if err := j.Decode(&arg); err == nil && arg.Feed != "" {
			_, err := s.Poll(ctx, arg.Feed)
			return err
		}
		_, err := s.PollDue(ctx)
		return err
	})
	a.Queue.Every(feeds.PollJob, time.Minute)
	s.Schedule = func(ctx context.Context, id string) error {
		_, err := a.Queue.Enqueue(ctx, a.DB.W, feeds.PollJob, feedsJob{Feed: id}, jobs.MaxAttempts(1))
		return err
	}
	s.Mount(a.Site)
	a.CertParts.Feeds = s
	return nil
}
