// Package directory is the cooperation network's public face: the directory
// of organisations, their network profiles and the country pages.
package directory

// Service serves the directory.
type Service struct{}
