package medconseil

import (
	"unicode"
	"unicode/utf8"
)

// CheckText checks a required free-text field from outside: valid UTF-8, no NUL
// or other control character (line breaks and tabs aside), at most max characters,
// and something visible once spaces and invisible format characters (zero-width
// space, joiners, byte-order mark…) are set aside. Messages are French and name the
// field.
func CheckText(field, s string, max int) error {
	if err := CheckOptionalText(field, s, max); err != nil {
		return err
	}
	if !Visible(s) {
		return FieldErrorf(field, "champ vide (ou fait seulement d'espaces ou de caractères invisibles)")
	}
	return nil
}

// CheckOptionalText is CheckText for a field that may be empty.
func CheckOptionalText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(field, "texte illisible : encodage UTF-8 invalide")
	}
	n := 0
	for _, r := range s {
		n++
		if r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t') {
			return FieldErrorf(field, "caractère de contrôle interdit (U+%04X)", r)
		}
	}
	if n > max {
		return FieldErrorf(field, "texte trop long : %d caractères au plus (%d donnés)", max, n)
	}
	return nil
}

// Visible reports whether s holds a character that shows: not a space, not an
// invisible format character (Unicode category Cf), not a control.
func Visible(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) && !unicode.IsControl(r) && r != '\u3164' && r != '\u115F' && r != '\u1160' {
			return true
		}
	}
	return false
}
