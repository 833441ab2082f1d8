package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix,
		matrix.Exempt("TAXII 2.1 server: collections by the sharing model (public, vetted CERTs, trust circles); probed for anonymous, "+
			"a verified non-CERT, a platform administrator, a vetted CERT outside the circle, a member of another circle and a circle member, "+
			"with an AMBER+STRICT object in circle A (internal/cert/taxii TestMatrix, TestConformance)",
			"GET /taxii2/{$}", "GET /taxii2/cert/{$}", "GET /taxii2/cert/collections/{$}", "GET /taxii2/cert/collections/{id}/{$}",
			"GET /taxii2/cert/collections/{id}/objects/{$}", "POST /taxii2/cert/collections/{id}/objects/{$}",
			"GET /taxii2/cert/collections/{id}/objects/{object}/{$}", "DELETE /taxii2/cert/collections/{id}/objects/{object}/{$}",
			"GET /taxii2/cert/collections/{id}/objects/{object}/versions/{$}", "GET /taxii2/cert/collections/{id}/manifest/{$}",
			"GET /taxii2/cert/status/{status}/{$}", "GET /taxii2/cert/status/{status}"),
		matrix.Exempt("STIX collections page, bundle upload and their API: the same collections rule, probed by role and circle (internal/cert/taxii TestMatrix)",
			"GET /cert/taxii", "GET /cert/taxii/collections/{id}/import", "POST /cert/taxii/collections/{id}/import",
			"GET /api/v1/cert/collections", "POST /api/v1/cert/collections/{id}/import"),
		matrix.Exempt("Search of a collection's objects: the same collections rule; an AMBER+STRICT object of circle A is never found, nor "+
			"its collection revealed, for anyone outside circle A (internal/cert/taxii TestSearchAndCorrelateMatrix)",
			"GET /api/v1/cert/collections/{id}/objects"))
}
