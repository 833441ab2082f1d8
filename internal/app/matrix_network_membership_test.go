package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix,
		matrix.Exempt("probed by internal/network/membership's matrix test (applications: pages, API, queue, apply page)",
			"GET /network/apply", "POST /network/apply", "GET /network/applications", "GET /network/applications/{id}",
			"POST /network/applications/{id}/review", "POST /network/applications/{id}/reply", "POST /network/applications/{id}/remove",
			"GET /api/v1/network/applications", "POST /api/v1/network/applications", "GET /api/v1/network/applications/{id}",
			"POST /api/v1/network/applications/{id}/review", "POST /api/v1/network/applications/{id}/reply",
			"POST /api/v1/network/applications/{id}/remove"),
		matrix.Exempt("the public list of the network's member organisations: directory entries, no shared records",
			"GET /network/members", "GET /api/v1/network/members"))
}
