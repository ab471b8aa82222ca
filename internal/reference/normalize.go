package reference

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold maps accented Latin letters to their base letter; the référentiels are
// written in French, upper or lower case, with or without accents.
var fold = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a",
	'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u",
	'ÿ': "y", 'ñ': "n", 'œ': "oe", 'æ': "ae", 'ß': "ss",
}

// Normalize lower-cases s, removes accents and turns every character that is
// neither a letter nor a digit into a space, so that "Lombalgie basse" and
// "LOMBALGIE-BASSE" read the same.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		if r < utf8.RuneSelf {
			switch {
			case r >= 'A' && r <= 'Z':
				b.WriteByte(byte(r) + 'a' - 'A')
				space = false
			case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				b.WriteByte(byte(r))
				space = false
			default:
				if !space {
					b.WriteByte(' ')
					space = true
				}
			}
			continue
		}
		r = unicode.ToLower(r)
		if f, ok := fold[r]; ok {
			b.WriteString(f)
			space = false
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// stopwords are French function words ignored on both sides of a search.
var stopwords = map[string]bool{
	"a": true, "au": true, "aux": true, "avec": true, "d": true, "de": true, "des": true,
	"du": true, "en": true, "et": true, "l": true, "la": true, "le": true, "les": true,
	"ou": true, "par": true, "pour": true, "sans": true, "sur": true, "un": true, "une": true,
	"dans": true, "s": true,
}

// Stem reduces a normalised French word to a form shared by its singular and
// plural: "genoux" → "genou", "hopitaux" → "hopital", "coussins" → "coussin".
// It is deliberately light: over-stemming would merge unrelated medical terms.
func Stem(w string) string {
	n := len(w)
	if n <= 3 || !isLetters(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "aux") && n > 4:
		return w[:n-3] + "al"
	case w[n-1] == 's' && w[n-2] != 's', w[n-1] == 'x':
		return w[:n-1]
	}
	return w
}

func isLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// Terms returns the searchable terms of s: normalised, stop words removed,
// stemmed, in order.
func Terms(s string) []string {
	fields := strings.Fields(Normalize(s))
	out := fields[:0]
	for _, f := range fields {
		if stopwords[f] {
			continue
		}
		t := Stem(f)
		if e, ok := Equivalents[t]; ok {
			t = e
		}
		out = append(out, t)
	}
	return out
}

// CompactCode is the form under which codes are compared: upper case, without
// dots, spaces or dashes ("M54.5" → "M545", "2166740").
func CompactCode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+':
			b.WriteByte(c)
		case c == '.' || c == ' ' || c == '-' || c == '_':
		default:
			return ""
		}
	}
	return b.String()
}
