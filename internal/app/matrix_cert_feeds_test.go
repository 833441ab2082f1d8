package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix, matrix.Exempt("TAXII subscriptions are not shareable records: each is its team's alone, seen and changed by "+
		"the team's admins and CERT analysts, 404 for everyone else (plain members, other circle members, teams outside the circle, anonymous: "+
		"sign-in or 401); subscribing needs a vetted CERT in the circle; credentials never appear (internal/cert/feeds TestWhoSeesWhat, "+
		"TestCredentialsNeverShown, TestFormErrors)",
		"GET /cert/feeds", "GET /cert/feeds/new", "POST /cert/feeds", "GET /cert/feeds/{id}", "GET /cert/feeds/{id}/edit", "POST /cert/feeds/{id}/edit",
		"POST /cert/feeds/{id}/delete", "POST /cert/feeds/{id}/poll", "POST /cert/feeds/{id}/test",
		"GET /api/v1/cert/feeds", "POST /api/v1/cert/feeds", "GET /api/v1/cert/feeds/{id}", "PATCH /api/v1/cert/feeds/{id}",
		"DELETE /api/v1/cert/feeds/{id}", "POST /api/v1/cert/feeds/{id}/poll", "POST /api/v1/cert/feeds/{id}/test"))
}
