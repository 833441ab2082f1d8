// Package errs is the platform's one error type: a code that maps to an HTTP
// status, a message key that is translated for the user, and the cause, which
// is only ever logged.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies an error.
type Code string

// The error codes. Each maps to one HTTP status in Status.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	RateLimited  Code = "rate_limited"
	TooLarge     Code = "too_large"
	Internal     Code = "internal"
)

var statuses = map[Code]int{
	Invalid:      http.StatusUnprocessableEntity,
	NotFound:     http.StatusNotFound,
	Conflict:     http.StatusConflict,
	Unauthorized: http.StatusUnauthorized,
	Forbidden:    http.StatusForbidden,
	RateLimited:  http.StatusTooManyRequests,
	TooLarge:     http.StatusRequestEntityTooLarge,
	Internal:     http.StatusInternalServerError,
}

// Error is an error a user may be shown. Key names a message in the locale
// catalogues; Fields holds per-field message keys for forms.
type Error struct {
	Op     string
	Code   Code
	Key    string
	Args   map[string]any
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Key != "" {
		msg += " " + e.Key
	}
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error with a code and a message key.
func E(op string, code Code, key string) *Error {
	return &Error{Op: op, Code: code, Key: key}
}

// Field returns an Invalid error that names the fields at fault.
func Field(op string, fields map[string]string) *Error {
	return &Error{Op: op, Code: Invalid, Key: "error.form", Fields: fields}
}

// Wrap returns an internal error carrying cause, unless cause already is an *Error.
func Wrap(op string, cause error) error {
	if cause == nil {
		return nil
	}
	var e *Error
	if errors.As(cause, &e) {
		return cause
	}
	return &Error{Op: op, Code: Internal, Key: "error.internal", Err: fmt.Errorf("%s: %w", op, cause)}
}

// With adds message arguments and returns e.
func (e *Error) With(args map[string]any) *Error { e.Args = args; return e }

// CodeOf returns the code of err, Internal for foreign errors.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Status returns the HTTP status for err.
func Status(err error) int { return statuses[CodeOf(err)] }

// KeyOf returns the message key of err: the user-safe message.
func KeyOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Key != "" && e.Code != Internal {
		return e.Key
	}
	return "error.internal"
}

// Is reports whether err has code c.
func Is(err error, c Code) bool { return CodeOf(err) == c }
