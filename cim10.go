package medconseil

import (
	"fmt"
	"strings"
)

// CIM10 is a code of the Classification internationale des maladies, 10e révision,
// in the SNDS form: upper case, no dot ("M545" for M54.5).
type CIM10 string

// ParseCIM10 reads "M54.5", "m545" or "M545" and checks its shape: a letter, two
// digits, then up to three more digits or letters (the French extensions such as
// "F100" or "S7200" included). Whether the code exists is the référentiel's job.
func ParseCIM10(s string) (CIM10, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	c = strings.Replace(c, ".", "", 1)
	c = strings.TrimRight(c, "+*†")
	if c == "" {
		return "", &Error{Code: EINVALID, Message: "code CIM-10 manquant"}
	}
	if len(c) < 3 || len(c) > 6 {
		return "", &Error{Code: EINVALID, Message: fmt.Sprintf("code CIM-10 %q invalide : une lettre, deux chiffres, puis au plus trois caractères (ex. M54.5)", s)}
	}
	if c[0] < 'A' || c[0] > 'Z' || !isDigit(c[1]) || !isDigit(c[2]) {
		return "", &Error{Code: EINVALID, Message: fmt.Sprintf("code CIM-10 %q invalide : il commence par une lettre suivie de deux chiffres (ex. M54.5)", s)}
	}
	for i := 3; i < len(c); i++ {
		if !isDigit(c[i]) && (c[i] < 'A' || c[i] > 'Z') {
			return "", &Error{Code: EINVALID, Message: fmt.Sprintf("code CIM-10 %q invalide : caractère %q inattendu", s, c[i])}
		}
	}
	return CIM10(c), nil
}

// Dotted returns the code as usually printed: "M54.5".
func (c CIM10) Dotted() string {
	if len(c) <= 3 {
		return string(c)
	}
	return string(c[:3]) + "." + string(c[3:])
}

// Category returns the three-character category ("M54").
func (c CIM10) Category() string {
	if len(c) < 3 {
		return string(c)
	}
	return string(c[:3])
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// RPPS is the 11-digit identifier of a health professional (répertoire partagé des
// professionnels de santé).
type RPPS string

// ParseRPPS checks the 11 digits of an RPPS number.
func ParseRPPS(s string) (RPPS, error) {
	c := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if c == "" {
		return "", &Error{Code: EINVALID, Message: "numéro RPPS manquant"}
	}
	if len(c) != 11 || atoiN(c) < 0 {
		return "", &Error{Code: EINVALID, Message: fmt.Sprintf("numéro RPPS %q invalide : il faut 11 chiffres", s)}
	}
	return RPPS(c), nil
}
