package fhir

import (
	"medconseil"
)

// Issue is one problem of an OperationOutcome: a French message and, when it
// concerns one element, the element's FHIRPath.
type Issue struct {
	Code       medconseil.Code
	Message    string
	Expression string
}

// issueType maps our error codes to the FHIR issue-type value set.
func issueType(c medconseil.Code) string {
	switch c {
	case medconseil.EINVALID:
		return "invalid"
	case medconseil.EREGLE:
		return "business-rule"
	case medconseil.ENOTFOUND:
		return "not-found"
	case medconseil.ECONFLICT:
		return "conflict"
	case medconseil.EFORBIDDEN:
		return "forbidden"
	case medconseil.EUNAUTHENTICATED:
		return "login"
	case medconseil.ETOOMANY:
		return "throttled"
	}
	return "exception"
}

// Outcome is the OperationOutcome of issues (errors, in French).
func Outcome(issues []Issue) Resource {
	out := make([]any, 0, len(issues))
	for _, is := range issues {
		i := Resource{"severity": "error", "code": issueType(is.Code), "diagnostics": is.Message,
			"details": Resource{"text": is.Message}}
		if is.Expression != "" {
			i["expression"] = []any{is.Expression}
		}
		out = append(out, i)
	}
	return Resource{"resourceType": "OperationOutcome", "issue": out}
}

// ErrorAt is an EINVALID error on the element at the FHIRPath path. Errors made
// here carry the FHIRPath in Field, so that the web layer writes it as the issue's
// expression.
func ErrorAt(path, format string, args ...any) *medconseil.Error {
	return medconseil.FieldErrorf(path, format, args...)
}
