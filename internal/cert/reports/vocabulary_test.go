package reports_test

import (
	"testing"

	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/cert/reports"
)

// TestVocabularyFitsCases: what a report carries into a case is what
// cert/cases accepts — the ENISA type of each category (sectors are one
// list, cert.Sectors).
func TestVocabularyFitsCases(t *testing.T) {
	for _, c := range reports.Categories {
		if _, ok := cases.ClassOf(reports.ENISAType(c)); !ok {
			t.Errorf("category %q maps to %q, not a taxonomy type", c, reports.ENISAType(c))
		}
	}
}
