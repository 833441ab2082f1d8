package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix, matrix.Exempt("probed by internal/cert/observables' matrix test (TestMatrix): every role, marking, "+
		"share, state and embargo of an observable, and an observable of a hidden case",
		"GET /cert/cases/{id}/observables", "GET /api/v1/cert/cases/{id}/observables",
		"GET /cert/observables/{id}", "GET /api/v1/cert/observables/{id}", "GET /api/v1/cert/observables/correlate"),
		matrix.Exempt("changes, not reads: refused unless the viewer edits the case or sees the observable "+
			"(internal/cert/observables' TestPasteDefangedAndErrors, TestIndicatorPatternStoredCanonical, TestSightings, TestDelete)",
			"POST /cert/cases/{id}/observables", "POST /api/v1/cert/cases/{id}/observables",
			"POST /cert/observables/{id}/sightings", "POST /api/v1/cert/observables/{id}/sightings",
			"POST /cert/observables/{id}/delete", "DELETE /api/v1/cert/observables/{id}"))
}
