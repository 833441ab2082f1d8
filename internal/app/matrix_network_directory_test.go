package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix,
		matrix.Exempt("the network's directory shows organisations' public profiles, which are not shareable records; posts come from the posts part under its own visibility (PostLister), and the logo through the files service, which applies the network.profile record's marking (internal/network/directory tests)",
			"GET /network", "GET /network/orgs", "GET /network/orgs/{slug}", "GET /network/countries", "GET /network/countries/{code}",
			"GET /api/v1/network/orgs", "GET /api/v1/network/orgs/{slug}", "GET /api/v1/network/countries/{id}"),
		matrix.Exempt("profile editing: refused unless the viewer is an admin of the organisation (internal/network/directory tests)",
			"GET /network/orgs/{slug}/edit", "POST /network/orgs/{slug}/edit", "POST /network/orgs/{slug}/logo",
			"PUT /api/v1/network/orgs/{slug}/profile"))
}
