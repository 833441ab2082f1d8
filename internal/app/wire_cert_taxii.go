package app

import "harambee.africa/harambee/internal/cert/taxii"

func init() { Migrations = append(Migrations, taxii.Migrations) }

// wireCertTAXII builds the STIX object store and the TAXII 2.1 server and
// mounts their routes; cert/feeds imports through it (cert.STIXImporter).
func (a *App) wireCertTAXII() error {
	s := taxii.New(a.DB, a.Clock, a.Cert)
	s.Audit = auditor{a.Trail}
	a.Indicators.Declare(s.IndicatorsShared())
	s.Mount(a.Site)
	s.MountPages(a.Site)
	a.CertParts.TAXII = s
	return nil
}
