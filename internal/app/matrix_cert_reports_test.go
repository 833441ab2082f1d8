package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix,
		matrix.Exempt("incident reports are not shareable records: read and triaged by the admins and analysts of the team whose queue holds "+
			"them only; probed for anonymous, the team's admin, analyst and plain member, another country's national CERT, a sector CERT, "+
			"the programme office, a platform administrator and the reporter, pages and API (internal/cert/reports TestVisibility, TestRouting)",
			"GET /cert/reports", "GET /cert/reports/mine", "GET /cert/reports/{id}", "POST /cert/reports/{id}/case",
			"POST /cert/reports/{id}/reject", "POST /cert/reports/{id}/forward",
			"GET /api/v1/cert/reports", "GET /api/v1/cert/reports/mine", "GET /api/v1/cert/reports/{id}",
			"POST /api/v1/cert/reports/{id}/case", "POST /api/v1/cert/reports/{id}/reject", "POST /api/v1/cert/reports/{id}/forward"),
		matrix.Exempt("the public report form, its script and challenge: open to anyone by design, limited per address and hour "+
			"(internal/cert/reports TestChallenge, TestHourlyLimit, TestBadInput)",
			"GET /cert/report", "POST /cert/report", "GET /cert/report/pow.js", "GET /api/v1/cert/report/challenge", "POST /api/v1/cert/reports"),
		matrix.Exempt("a report's status behind its secret link, which is the permission; no case content (internal/cert/reports TestReportToCase)",
			"GET /cert/report/follow/{secret}", "GET /api/v1/cert/report/follow/{id}"))
}
