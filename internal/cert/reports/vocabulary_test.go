package reports_test

import (
	"slices"
	"testing"

	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/cert/reports"
)

// TestVocabularyFitsCases: what a report carries into a case is what
// cert/cases accepts — its sectors, and the ENISA type of each category.
func TestVocabularyFitsCases(t *testing.T) {
	for _, s := range reports.Sectors {
		if !slices.Contains(cases.Sectors, s) {
			t.Errorf("sector %q is not a case sector", s)
		}
	}
	for _, c := range reports.Categories {
		if _, ok := cases.ClassOf(reports.ENISAType(c)); !ok {
			t.Errorf("category %q maps to %q, not a taxonomy type", c, reports.ENISAType(c))
		}
	}
}
