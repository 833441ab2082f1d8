package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix,
		matrix.Exempt("team profiles show contact blocks (type cert.contacts) only through sharing.Visible: probed for anonymous, "+
			"a non-vetted CERT, an unverified CERT, a verified non-CERT, a vetted CERT and the team itself, pages and API (internal/cert TestContactsVisibility)",
			"GET /cert/teams/{slug}", "GET /api/v1/cert/teams/{slug}", "GET /cert/contacts/{id}"),
		matrix.Exempt("the CERT directory: public entries (name, country, kind, vetted badge, FIRST), no contact blocks (internal/cert TestDirectory)",
			"GET /cert", "GET /api/v1/cert/teams"),
		matrix.Exempt("changes by the team's admins and analysts, vetted CERTs' admins and platform administrators, checked by role (internal/cert tests)",
			"GET /cert/teams/{slug}/edit", "POST /cert/teams/{slug}/edit", "PUT /api/v1/cert/teams/{slug}",
			"POST /cert/teams/{slug}/vouch", "POST /api/v1/cert/teams/{slug}/vouch",
			"POST /cert/teams/{slug}/founding", "POST /api/v1/cert/teams/{slug}/founding"),
		matrix.Exempt("trust circles are groups, not shareable records: names for vetted CERTs and circle members, members lists for members, "+
			"changes by the owner's admins (internal/cert TestCircles, which also checks an AMBER record shared with a circle)",
			"GET /cert/circles", "POST /cert/circles", "GET /cert/circles/{slug}", "POST /cert/circles/{slug}/members",
			"GET /api/v1/cert/circles", "POST /api/v1/cert/circles", "GET /api/v1/cert/circles/{id}", "POST /api/v1/cert/circles/{id}/members"))
}
