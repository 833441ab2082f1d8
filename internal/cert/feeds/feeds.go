// Package feeds is part of CERT cooperation (action 2.1); see package cert.
package feeds

// Service is the feeds part of CERT cooperation.
type Service struct{}
