package app

import (
	"harambee.africa/harambee/internal/cert/lessons"
	"harambee.africa/harambee/internal/upload"
)

func init() { Migrations = append(Migrations, lessons.Migrations) }

// wireCertLessons builds the CERT lessons part (the experience exchange)
// and mounts its routes.
func (a *App) wireCertLessons() error {
	s := &lessons.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Search: a.Search, Sharing: a.Sharing, Cert: a.Cert, Audit: auditor{a.Trail}}
	a.Sharing.Declare(lessons.Type)
	if a.Files != nil {
		s.Attachments = a.Files.Section
		a.Files.Accept(lessons.TypeName, upload.Document, upload.Image)
	}
	s.Mount(a.Site)
	a.CertParts.Lessons = s
	return nil
}
