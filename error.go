// Package medconseil holds the domain of the Service médical information system:
// identifiers (NIR), calendar dates and legal deadlines, amounts, the organisation,
// actors with their roles and territories, dossiers and avis. Standard library only.
package medconseil

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an Error for every transport (HTML status, JSON code, FHIR issue).
type Code string

// Error codes. A record the caller may not see is ENOTFOUND, exactly as if absent.
const (
	EINVALID         Code = "invalid"
	ENOTFOUND        Code = "not_found"
	ECONFLICT        Code = "conflict"
	EFORBIDDEN       Code = "forbidden"
	EUNAUTHENTICATED Code = "unauthenticated"
	EREGLE           Code = "rule"
	ETOOMANY         Code = "too_many_requests"
	EINTERNAL        Code = "internal"
)

// Error is the one error type of the domain. Message is French and safe to show;
// Err is the cause, logged and never shown.
type Error struct {
	Code    Code
	Message string
	Field   string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted French message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error about one field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected cause; its message never reveals the cause.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Message: "Erreur interne : l'opération n'a pas été effectuée.", Err: err}
}

// NotFound is the answer for a record that is absent or that the caller may not see.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " introuvable."}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL otherwise.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// FieldErrors flattens err (possibly an errors.Join of several) into its *Error leaves,
// so that a form can show each message beside its field. Non-domain causes become Internal.
func FieldErrors(err error) []*Error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range j.Unwrap() {
			out = append(out, FieldErrors(e)...)
		}
		return out
	}
	var e *Error
	if errors.As(err, &e) {
		return []*Error{e}
	}
	return []*Error{Internal(err)}
}

// Prefix returns a copy of err whose field names are prefixed by prefix + ".",
// for errors of a nested value.
func Prefix(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range FieldErrors(err) {
		c := *e
		if c.Field != "" {
			c.Field = prefix + "." + c.Field
		} else {
			c.Field = prefix
		}
		out = append(out, &c)
	}
	return errors.Join(out...)
}
