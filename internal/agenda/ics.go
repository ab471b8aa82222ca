// Package agenda writes the agenda of the sites as iCalendar (RFC 5545): the
// slots of a site or of a praticien, booked or free, for a calendar client.
package agenda

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one VEVENT.
type Event struct {
	UID         string
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
}

// Calendar is one VCALENDAR.
type Calendar struct {
	Name   string // X-WR-CALNAME
	Stamp  time.Time
	Events []Event
}

// ICS renders c as RFC 5545 text: CRLF line ends (§3.1), content lines folded at
// 75 octets without splitting a UTF-8 character (§3.1), TEXT values escaped
// (§3.3.11: backslash, semicolon, comma, newline), times in UTC (§3.3.5 form #2).
func (c Calendar) ICS() []byte {
	var b bytes.Buffer
	line := func(s string) {
		b.WriteString(Fold(s))
		b.WriteString("\r\n")
	}
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Assurance Maladie//medconseil agenda//FR")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME:" + Escape(c.Name))
	}
	stamp := utc(c.Stamp)
	for _, e := range c.Events {
		line("BEGIN:VEVENT")
		line("UID:" + Escape(e.UID))
		line("DTSTAMP:" + stamp)
		line("DTSTART:" + utc(e.Start))
		line("DTEND:" + utc(e.End))
		line("SUMMARY:" + Escape(e.Summary))
		if e.Location != "" {
			line("LOCATION:" + Escape(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION:" + Escape(e.Description))
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes()
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Escape escapes a TEXT value (RFC 5545 §3.3.11).
func Escape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// Fold folds a content line into lines of at most 75 octets, each continuation
// starting with one space (RFC 5545 §3.1), never inside a UTF-8 sequence.
func Fold(s string) string {
	if len(s) <= 75 {
		return s
	}
	var b strings.Builder
	limit := 75
	n := 0
	for len(s) > 0 {
		_, size := utf8.DecodeRuneInString(s)
		if n+size > limit {
			b.WriteString("\r\n ")
			n, limit = 1, 75
		}
		b.WriteString(s[:size])
		n += size
		s = s[size:]
	}
	return b.String()
}

// Unfold undoes Fold on a whole text (for tests and readers).
func Unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

// SlotUID is the stable UID of a slot.
func SlotUID(id int64, host string) string { return fmt.Sprintf("creneau-%d@%s", id, host) }
