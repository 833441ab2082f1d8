package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix, matrix.Exempt("probed by internal/network/posts' matrix test (TestMatrix)",
		"GET /network/posts", "GET /network/posts.atom", "GET /network/posts/new", "POST /network/posts", "GET /network/posts/{id}",
		"GET /network/posts/{id}/edit", "POST /network/posts/{id}/edit", "POST /network/posts/{id}/replies",
		"GET /api/v1/network/posts", "POST /api/v1/network/posts", "GET /api/v1/network/posts/{id}", "PATCH /api/v1/network/posts/{id}",
		"POST /api/v1/network/posts/{id}/replies"),
		matrix.Exempt("the person's own subscriptions: no shared records (internal/network/posts' TestSubscriptions)",
			"GET /network/subscriptions", "POST /network/subscriptions", "GET /api/v1/network/subscriptions", "PUT /api/v1/network/subscriptions"))
}
