// Package taxii is part of CERT cooperation (action 2.1); see package cert.
package taxii

// Service is the taxii part of CERT cooperation.
type Service struct{}
