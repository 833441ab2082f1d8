// Package lessons is part of CERT cooperation (action 2.1); see package cert.
package lessons

// Service is the lessons part of CERT cooperation.
type Service struct{}
