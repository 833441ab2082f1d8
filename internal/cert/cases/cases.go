// Package cases is part of CERT cooperation (action 2.1); see package cert.
package cases

// Service is the cases part of CERT cooperation.
type Service struct{}
