package stix

import (
	"errors"
	"fmt"
	"net/http"
)

// Class is what went wrong with a bundle, in the terms the TAXII layer answers with.
type Class int

// The classes of parse errors.
const (
	// Malformed: not JSON, not UTF-8, duplicate keys, or not a bundle (TAXII 400).
	Malformed Class = iota + 1
	// TooLarge: more bytes or objects than the limits allow (TAXII 413).
	TooLarge
	// Invalid: well-formed JSON, but an object breaks STIX 2.1 (TAXII 422).
	Invalid
)

func (c Class) String() string {
	switch c {
	case Malformed:
		return "malformed"
	case TooLarge:
		return "too large"
	case Invalid:
		return "invalid object"
	}
	return "unknown"
}

// Sentinels for errors.Is: an *Error matches the one of its class.
var (
	ErrMalformed = errors.New("stix: malformed bundle")
	ErrTooLarge  = errors.New("stix: bundle too large")
	ErrInvalid   = errors.New("stix: invalid object")
)

// Error says why a bundle or object was refused and, for an object, which one.
type Error struct {
	Class  Class
	Index  int    // index of the object in the bundle's objects; -1 for the bundle itself and from ParseObject
	ID     string // id of the failing object when it could be read
	Reason string // lower case, no final punctuation
}

func (e *Error) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("stix: %s: %s", e.Class, e.Reason)
	}
	if e.ID != "" {
		return fmt.Sprintf("stix: %s: objects[%d] (%s): %s", e.Class, e.Index, e.ID, e.Reason)
	}
	return fmt.Sprintf("stix: %s: objects[%d]: %s", e.Class, e.Index, e.Reason)
}

// Is makes errors.Is(err, ErrTooLarge) and the like work.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrMalformed:
		return e.Class == Malformed
	case ErrTooLarge:
		return e.Class == TooLarge
	case ErrInvalid:
		return e.Class == Invalid
	}
	return false
}

// Status is the HTTP status TAXII 2.1 answers this error with: 400, 413 or 422.
func (e *Error) Status() int {
	switch e.Class {
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Invalid:
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}

func bundleErr(c Class, format string, args ...any) *Error {
	return &Error{Class: c, Index: -1, Reason: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *Error {
	return &Error{Class: Invalid, Index: -1, Reason: fmt.Sprintf(format, args...)}
}
