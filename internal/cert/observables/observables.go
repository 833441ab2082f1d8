// Package observables is part of CERT cooperation (action 2.1); see package cert.
package observables

// Service is the observables part of CERT cooperation.
type Service struct{}
