// Package reports is part of CERT cooperation (action 2.1); see package cert.
package reports

// Service is the reports part of CERT cooperation.
type Service struct{}
