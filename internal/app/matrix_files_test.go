package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix, matrix.Exempt("files serve every record type: probed against the sharing model by internal/files' matrix test; uploads and changes are refused unless the viewer sees and edits the record",
		"GET /files/{id}", "GET /files/{id}/{rendition}", "POST /files/{id}/edit", "POST /files/{id}/delete", "POST /records/{type}/{id}/files",
		"GET /api/v1/records/{type}/{id}/files", "POST /api/v1/records/{type}/{id}/files", "GET /api/v1/files/{id}",
		"PATCH /api/v1/files/{id}", "DELETE /api/v1/files/{id}"))
}
