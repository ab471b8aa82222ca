package medconseil

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a calendar date with no time or zone: the date of an arrêt, of a
// birth, of a decision. The zero Date means "no date". It is a small value
// (days since a fixed origin) so that rules over many dates stay fast.
type Date struct{ n int32 } // days since 0000-03-01 in the proleptic Gregorian calendar, plus one

// NewDate returns the date y-m-d; it panics on an impossible date, so use it for constants
// and ParseDate for input.
func NewDate(y int, m time.Month, d int) Date {
	if !validYMD(y, int(m), d) {
		panic(fmt.Sprintf("medconseil.NewDate: date impossible %04d-%02d-%02d", y, m, d))
	}
	return fromCivil(y, int(m), d)
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return fromCivil(y, int(m), d)
}

func fromCivil(y, m, d int) Date {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Date{int32(era*146097+doe) + 1}
}

func (d Date) civil() (y, m, day int) {
	z := int(d.n - 1)
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return
}

func validYMD(y, m, d int) bool {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ParseDate reads a date written YYYY-MM-DD (ISO 8601) or JJ/MM/AAAA (French usage).
func ParseDate(s string) (Date, error) {
	var y, m, d int
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		y, m, d = atoiN(s[0:4]), atoiN(s[5:7]), atoiN(s[8:10])
	case len(s) == 10 && s[2] == '/' && s[5] == '/':
		d, m, y = atoiN(s[0:2]), atoiN(s[3:5]), atoiN(s[6:10])
	case s == "":
		return Date{}, &Error{Code: EINVALID, Message: "date manquante"}
	default:
		return Date{}, &Error{Code: EINVALID, Message: fmt.Sprintf("date %q illisible : écrire AAAA-MM-JJ ou JJ/MM/AAAA", s)}
	}
	if y < 0 || m < 0 || d < 0 {
		return Date{}, &Error{Code: EINVALID, Message: fmt.Sprintf("date %q illisible : seuls des chiffres sont permis", s)}
	}
	if !validYMD(y, m, d) {
		return Date{}, &Error{Code: EINVALID, Message: fmt.Sprintf("date %q impossible : ce jour n'existe pas dans le calendrier", s)}
	}
	if y < MinYear || y > MaxYear {
		return Date{}, &Error{Code: EINVALID, Message: fmt.Sprintf("date %q hors limites : année entre %d et %d attendue", s, MinYear, MaxYear)}
	}
	return fromCivil(y, m, d), nil
}

// MinYear and MaxYear bound the dates read from outside: year 0001 or 9999 is a
// typing error, not a date of social security (its texts start in 1898).
const (
	MinYear = 1850
	MaxYear = 2200
)

// atoiN parses a fixed-width run of ASCII digits, -1 if any byte is not a digit.
func atoiN(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d.n == 0 }

// Year, Month and Day return the parts of d.
func (d Date) Year() int { y, _, _ := d.civil(); return y }

// Month returns the month of d.
func (d Date) Month() time.Month { _, m, _ := d.civil(); return time.Month(m) }

// Day returns the day of month of d.
func (d Date) Day() int { _, _, day := d.civil(); return day }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 0000-03-01 (n == 1) was a Wednesday.
	return time.Weekday((int(d.n-1)%7 + 7 + 3) % 7)
}

// AddDays returns d plus n calendar days.
func (d Date) AddDays(n int) Date { return Date{d.n + int32(n)} }

// AddMonths returns d plus n months, clamped to the last day of the target month.
func (d Date) AddMonths(n int) Date {
	y, m, day := d.civil()
	t := y*12 + (m - 1) + n
	y, m = t/12, t%12+1
	if dim := daysIn(y, m); day > dim {
		day = dim
	}
	return fromCivil(y, m, day)
}

// AddYears returns d plus n years (29 February becomes 28 February in a common year).
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

// Sub returns the number of days from e to d (d − e).
func (d Date) Sub(e Date) int { return int(d.n - e.n) }

// Before, After and Equal compare dates.
func (d Date) Before(e Date) bool { return d.n < e.n }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.n > e.n }

// Compare returns -1, 0 or +1.
func (d Date) Compare(e Date) int {
	switch {
	case d.n < e.n:
		return -1
	case d.n > e.n:
		return 1
	}
	return 0
}

// Time returns midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	y, m, day := d.civil()
	return time.Date(y, time.Month(m), day, 0, 0, 0, 0, loc)
}

// String returns d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.n == 0 {
		return ""
	}
	y, m, day := d.civil()
	return fmt.Sprintf("%04d-%02d-%02d", y, m, day)
}

// Francais returns d as JJ/MM/AAAA, as French letters and screens write it.
func (d Date) Francais() string {
	if d.n == 0 {
		return ""
	}
	y, m, day := d.civil()
	return fmt.Sprintf("%02d/%02d/%04d", day, m, y)
}

// AgeAt returns the age in whole years of someone born on d, on date on.
func (d Date) AgeAt(on Date) int {
	y1, m1, d1 := d.civil()
	y2, m2, d2 := on.civil()
	age := y2 - y1
	if m2 < m1 || (m2 == m1 && d2 < d1) {
		age--
	}
	return age
}

// MarshalText writes YYYY-MM-DD (JSON, YAML, forms).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD or JJ/MM/AAAA; an empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores a Date as YYYY-MM-DD text (NULL for the zero Date) in both dialects.
func (d Date) Value() (driver.Value, error) {
	if d.n == 0 {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a Date stored as text, or as a time by drivers that return DATE columns so.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	case time.Time:
		*d = DateOf(v.UTC())
		return nil
	}
	return fmt.Errorf("medconseil.Date: cannot scan %T", src)
}

// Holiday reports whether d is a French public holiday (jour férié, art. L3133-1
// du code du travail) in metropolitan France. Alsace-Moselle adds Good Friday and
// 26 December (art. L3134-13); pass alsaceMoselle for those départements (57, 67, 68).
func (d Date) Holiday(alsaceMoselle bool) bool {
	y, m, day := d.civil()
	switch {
	case m == 1 && day == 1, m == 5 && day == 1, m == 5 && day == 8, m == 7 && day == 14,
		m == 8 && day == 15, m == 11 && day == 1, m == 11 && day == 11, m == 12 && day == 25:
		return true
	case alsaceMoselle && m == 12 && day == 26:
		return true
	}
	easter := EasterSunday(y)
	switch d.Sub(easter) {
	case 1, 39, 50: // lundi de Pâques, Ascension, lundi de Pentecôte
		return true
	case -2:
		return alsaceMoselle // Vendredi saint
	}
	return false
}

// EasterSunday returns the date of Easter Sunday in year y (Gregorian computus).
func EasterSunday(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	dd, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - dd - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return fromCivil(y, month, day)
}

// JoursFrancs returns the last day on which something is still on time when a law
// grants n jours francs from the event of day d: the day of the event is not counted,
// nor the day the period ends (the act is due by d+n+1), and a period that would end
// on a Saturday, Sunday or public holiday runs to the next working day
// (art. 641 and 642 du code de procédure civile; art. R441-7 ff. CSS count AT/MP
// instruction periods in jours francs).
func (d Date) JoursFrancs(n int, alsaceMoselle bool) Date {
	last := d.AddDays(n + 1)
	for last.Weekday() == time.Saturday || last.Weekday() == time.Sunday || last.Holiday(alsaceMoselle) {
		last = last.AddDays(1)
	}
	return last
}
