package app

import (
	"context"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/taxii"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, taxii.Migrations) }

// wireCertTAXII builds the STIX object store and the TAXII 2.1 server and
// mounts their routes; cert/feeds imports through it (cert.STIXImporter),
// and an observable's page shows the collections' objects that carry it.
func (a *App) wireCertTAXII() error {
	s := taxii.New(a.DB, a.Clock, a.Cert)
	s.Audit = auditor{a.Trail}
	a.Indicators.Declare(s.IndicatorsShared())
	s.Mount(a.Site)
	s.MountPages(a.Site)
	a.CertParts.TAXII = s
	if o := a.CertParts.Observables; o != nil {
		o.Intel = intel{s}
	}
	return nil
}

// intel gives the observables part the TAXII store's correlation.
type intel struct{ s *taxii.Service }

func (i intel) CorrelateIntel(ctx context.Context, v *web.Viewer, probes []string, limit int) ([]cert.IntelMatch, error) {
	if len(probes) > taxii.MaxCorrelateKeys {
		probes = probes[:taxii.MaxCorrelateKeys]
	}
	ms, err := i.s.Correlate(ctx, v, probes, limit)
	out := make([]cert.IntelMatch, 0, len(ms))
	for _, m := range ms {
		out = append(out, cert.IntelMatch{CollectionID: m.CollectionID, CollectionTitle: m.CollectionTitle, ObjectID: m.ObjectID,
			Type: m.Type, Name: m.Name})
	}
	return out, err
}
