package app

import "harambee.africa/harambee/internal/cert/observables"

func init() { Migrations = append(Migrations, observables.Migrations) }

// wireCertObservables builds the CERT observables part (observables and
// indicators on cases, correlation, sightings, STIX export of a case) and
// mounts its routes. cert/cases, wired later, sets its Cases.
func (a *App) wireCertObservables() error {
	s := &observables.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Sharing: a.Sharing, Orgs: a.Orgs, Audit: auditor{a.Trail}}
	a.Sharing.Declare(observables.Type)
	a.Indicators.Declare(s.SharedIndicators())
	s.Mount(a.Site)
	a.CertParts.Observables = s
	return nil
}
