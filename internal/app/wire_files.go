package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"harambee.africa/harambee/internal/blob"
	"harambee.africa/harambee/internal/files"
)

func init() { Migrations = append(Migrations, files.Migrations) }

// wireFiles opens the blob store and mounts the files service.
func (a *App) wireFiles() error {
	blobs, err := blob.Open(context.Background(), a.Config.BlobURL, a.Config.DataDir)
	if err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	tmp := filepath.Join(a.Config.DataDir, "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return fmt.Errorf("upload directory: %w", err)
	}
	a.Files = &files.Service{DB: a.DB, Clock: a.Clock, Log: a.Log, Site: a.Site, Sharing: a.Sharing, Blobs: blobs,
		Audit: auditor{a.Trail}, TempDir: tmp}
	a.Files.Mount(a.Site)
	a.Log.Debug("blob store", "store", blobs.String())
	return nil
}
