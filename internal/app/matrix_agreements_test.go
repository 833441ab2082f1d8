package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix, matrix.Exempt("probed by internal/agreements' matrix test",
		"GET /agreements", "GET /agreements.csv", "GET /agreements/new", "POST /agreements", "GET /agreements/{id}",
		"GET /agreements/{id}/edit", "POST /agreements/{id}/edit",
		"GET /api/v1/agreements", "POST /api/v1/agreements", "GET /api/v1/agreements/{id}", "PATCH /api/v1/agreements/{id}"))
}
