// Package files keeps the files that records hold: images, documents, audio
// and video, behind the sharing model of their record.
package files

// Service stores and serves files.
type Service struct{}
