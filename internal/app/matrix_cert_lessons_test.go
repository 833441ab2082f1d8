package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix,
		matrix.Exempt("lessons (type cert.lesson) through sharing.Visible: CLEAR, GREEN (vetted CERTs), AMBER shared with an organisation and "+
			"AMBER+STRICT probed for anonymous, a verified enterprise, a non-vetted CERT shared with, a vetted CERT, the team's analyst and a "+
			"platform administrator, in pages, API and search with totals; the case link under the case's own visibility "+
			"(internal/cert/lessons TestVisibilityByMarking, TestCaseLink)",
			"GET /cert/lessons", "GET /cert/lessons/{id}", "GET /api/v1/cert/lessons", "GET /api/v1/cert/lessons/{id}"),
		matrix.Exempt("writing and editing by the owning CERT team's admins and analysts only (internal/cert/lessons TestWriteAndEdit)",
			"GET /cert/lessons/new", "POST /cert/lessons", "GET /cert/lessons/{id}/edit", "POST /cert/lessons/{id}/edit",
			"POST /api/v1/cert/lessons", "PATCH /api/v1/cert/lessons/{id}"))
}
