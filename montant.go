package medconseil

import (
	"fmt"
	"strconv"
	"strings"
)

// Montant is an amount of money in integer centimes of euro. Never a float.
type Montant int64

// Euros returns a Montant of e whole euros.
func Euros(e int64) Montant { return Montant(e * 100) }

// ParseMontant reads "1234,56", "1 234,56 €", "1234.5" or "1234" into centimes; more
// than two decimals is refused rather than rounded.
func ParseMontant(s string) (Montant, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	t = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(t)
	if t == "" {
		return 0, &Error{Code: EINVALID, Message: "montant manquant"}
	}
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	t = strings.Replace(t, ",", ".", 1)
	whole, frac, _ := strings.Cut(t, ".")
	if len(frac) > 2 {
		return 0, &Error{Code: EINVALID, Message: fmt.Sprintf("montant %q : au plus deux décimales (centimes)", s)}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || whole == "" || w > 1<<53 {
		return 0, &Error{Code: EINVALID, Message: fmt.Sprintf("montant %q illisible : écrire par exemple 1234,56", s)}
	}
	m := Montant(w*100 + f)
	if neg {
		m = -m
	}
	return m, nil
}

// String returns the amount as French text: "1 234,56 €".
func (m Montant) String() string {
	neg := m < 0
	if neg {
		m = -m
	}
	whole := strconv.FormatInt(int64(m)/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	fmt.Fprintf(&b, ",%02d €", int64(m)%100)
	return b.String()
}

// MulRatio returns m × num / den rounded half away from zero, in exact integer arithmetic.
func (m Montant) MulRatio(num, den int64) Montant {
	p := int64(m) * num
	q, r := p/den, p%den
	if 2*abs64(r) >= abs64(den) {
		if (p < 0) != (den < 0) {
			q--
		} else {
			q++
		}
	}
	return Montant(q)
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
