package medconseil

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NIR is the numéro d'inscription au répertoire (numéro de sécurité sociale) with
// its key: 13 characters (sex, year and month of birth, département and commune of
// birth, order number) and a 2-digit key. It is kept as its 15-character canonical
// text, Corsica's "2A"/"2B" included.
type NIR string

// ParseNIR reads a NIR written with or without spaces, dots or dashes, checks every
// part and the key (97 − (n mod 97), with 2A → 19 and 2B → 18 for the computation).
func ParseNIR(s string) (NIR, error) {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '.', '-', '\u00a0':
			continue
		}
		b.WriteRune(r)
	}
	c := strings.ToUpper(b.String())
	bad := func(format string, args ...any) (NIR, error) {
		return "", &Error{Code: EINVALID, Message: "NIR " + fmt.Sprintf(format, args...)}
	}
	if c == "" {
		return bad("manquant")
	}
	if len(c) != 15 {
		return bad("de %d caractères : il en faut 15 (13 chiffres et une clé de 2 chiffres)", len([]rune(c)))
	}
	for i := 0; i < 15; i++ {
		ch := c[i]
		if ch >= '0' && ch <= '9' {
			continue
		}
		if i == 6 && c[5] == '2' && (ch == 'A' || ch == 'B') {
			continue
		}
		return bad("invalide : caractère %q en position %d, seuls des chiffres sont permis (et 2A/2B pour la Corse)", c[i], i+1)
	}
	switch c[0] {
	case '1', '2', '3', '4', '7', '8':
	default:
		return bad("invalide : le premier chiffre (sexe) vaut %c, attendu 1 ou 2 (3, 4, 7 ou 8 pour un numéro provisoire)", c[0])
	}
	month := atoiN(c[3:5])
	if !(month >= 1 && month <= 12) && month != 20 && !(month >= 30 && month <= 42) && !(month >= 50 && month <= 99) {
		return bad("invalide : le mois de naissance (positions 4-5) vaut %s", c[3:5])
	}
	dep := c[5:7]
	if dep == "00" {
		return bad("invalide : le département de naissance (positions 6-7) vaut 00")
	}
	if atoiN(c[10:13]) == 0 {
		return bad("invalide : le numéro d'ordre (positions 11-13) vaut 000")
	}
	key := atoiN(c[13:15])
	if key < 1 || key > 97 {
		return bad("invalide : la clé %s doit être comprise entre 01 et 97", c[13:15])
	}
	if want := nirKey(c[:13]); want != key {
		return bad("invalide : la clé %s ne correspond pas au numéro (clé attendue %02d)", c[13:15], want)
	}
	return NIR(c), nil
}

// nirKey computes 97 − (n mod 97) over the 13 first characters.
func nirKey(s13 string) int {
	digits := s13
	switch s13[5:7] {
	case "2A":
		digits = s13[:5] + "19" + s13[7:]
	case "2B":
		digits = s13[:5] + "18" + s13[7:]
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return -1
	}
	return 97 - int(n%97)
}

// NIRWithKey appends the key to a 13-character NIR body (used by the generators).
func NIRWithKey(body13 string) (NIR, error) {
	if len(body13) != 13 {
		return "", &Error{Code: EINVALID, Message: "NIR : il faut 13 caractères avant la clé"}
	}
	return ParseNIR(fmt.Sprintf("%s%02d", body13, nirKey(body13)))
}

// Sex returns 1 (homme) or 2 (femme); provisional numbers 3/7 and 4/8 map likewise.
func (n NIR) Sex() int {
	switch n[0] {
	case '1', '3', '7':
		return 1
	}
	return 2
}

// BirthYY returns the two last digits of the year of birth.
func (n NIR) BirthYY() int { return atoiN(string(n[1:3])) }

// BirthYear returns the year of birth, choosing the century that makes the person
// at most 120 and not yet unborn on ref.
func (n NIR) BirthYear(ref Date) int {
	yy := n.BirthYY()
	y := ref.Year()/100*100 + yy
	if y > ref.Year() {
		y -= 100
	}
	return y
}

// BirthMonth returns the month of birth, or 0 when the NIR says it is unknown (20, 30–42, 50–99).
func (n NIR) BirthMonth() time.Month {
	m := atoiN(string(n[3:5]))
	if m >= 1 && m <= 12 {
		return time.Month(m)
	}
	return 0
}

// DepartementNaissance returns the département of birth: "2A", "67", "971" (overseas
// départements take three characters), or "99" for a birth abroad.
func (n NIR) DepartementNaissance() string {
	if n[5:7] == "97" || n[5:7] == "98" {
		return string(n[5:8])
	}
	return string(n[5:7])
}

// CommuneNaissance returns the INSEE code of the commune of birth (département + commune),
// or for a birth abroad "99" + the country code.
func (n NIR) CommuneNaissance() string { return string(n[5:10]) }

// Key returns the 2-digit key.
func (n NIR) Key() string { return string(n[13:15]) }

// Masked returns the NIR with the order number and key hidden, for screens where the
// full number is not needed.
func (n NIR) Masked() string {
	if len(n) != 15 {
		return ""
	}
	return fmt.Sprintf("%s %s %s %s %s *** **", n[0:1], n[1:3], n[3:5], n[5:7], n[7:10])
}

// Format returns the NIR spaced as printed on the carte Vitale.
func (n NIR) Format() string {
	if len(n) != 15 {
		return string(n)
	}
	return fmt.Sprintf("%s %s %s %s %s %s %s", n[0:1], n[1:3], n[3:5], n[5:7], n[7:10], n[10:13], n[13:15])
}
