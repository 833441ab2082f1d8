package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix,
		matrix.Exempt("probed by internal/cert/cases' matrix test (TestMatrix: every marking, share, state and role on lists, search, "+
			"pages, API, STIX export) and its role tests (TestHandOverVisibility, TestRoutesByRole)",
			"GET /cert/cases", "GET /cert/cases/new", "POST /cert/cases", "GET /cert/cases/{id}", "GET /cert/cases/{id}/edit",
			"POST /cert/cases/{id}/edit", "POST /cert/cases/{id}/status", "POST /cert/cases/{id}/assign", "POST /cert/cases/{id}/marking",
			"POST /cert/cases/{id}/comments", "POST /cert/cases/{id}/tasks", "POST /cert/cases/{id}/tasks/{task}",
			"GET /cert/cases/{id}/handover", "POST /cert/cases/{id}/handover", "GET /cert/cases/{id}/stix",
			"GET /api/v1/cert/cases", "POST /api/v1/cert/cases", "GET /api/v1/cert/cases/{id}", "PATCH /api/v1/cert/cases/{id}",
			"POST /api/v1/cert/cases/{id}/status", "POST /api/v1/cert/cases/{id}/assign", "POST /api/v1/cert/cases/{id}/comments",
			"POST /api/v1/cert/cases/{id}/tasks", "PATCH /api/v1/cert/cases/{id}/tasks/{task}", "POST /api/v1/cert/cases/{id}/handovers",
			"GET /api/v1/cert/cases/{id}/stix"),
		matrix.Exempt("hand-overs are not shareable records: seen by those who see either case and by the receiving team's admins and "+
			"analysts, answered by the latter (internal/cert/cases TestHandOverVisibility)",
			"GET /cert/handovers", "GET /cert/handovers/{id}", "POST /cert/handovers/{id}/accept", "POST /cert/handovers/{id}/decline",
			"POST /cert/handovers/{id}/withdraw", "POST /cert/handovers/{id}/summary",
			"GET /api/v1/cert/handovers", "GET /api/v1/cert/handovers/{id}", "POST /api/v1/cert/handovers/{id}/accept",
			"POST /api/v1/cert/handovers/{id}/decline", "POST /api/v1/cert/handovers/{id}/withdraw", "PATCH /api/v1/cert/handovers/{id}"))
}
