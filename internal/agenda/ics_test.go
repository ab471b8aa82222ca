package agenda

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestICSFormat(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	long := "Convocation au contrôle médical ; salle « Hippocrate », 1er étage, bâtiment B, accès par la cour — apporter la carte Vitale, les examens, les ordonnances"
	c := Calendar{Name: "Agenda, site de Strasbourg", Stamp: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), Events: []Event{{
		UID: "creneau-1@medconseil", Start: time.Date(2026, 12, 7, 9, 0, 0, 0, paris), End: time.Date(2026, 12, 7, 9, 30, 0, 0, paris),
		Summary: "Créneau réservé", Location: "Site de Strasbourg, Salle 1", Description: long + "\nligne 2\\fin",
	}}}
	out := string(c.ICS())
	if !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") || !strings.HasSuffix(out, "END:VCALENDAR\r\n") {
		t.Fatalf("envelope: %q", out[:40])
	}
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Error("a bare LF: every line must end with CRLF")
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("fold split a UTF-8 character: %q", l)
		}
	}
	un := Unfold(out)
	// 09:00 in Paris in December is 08:00 UTC.
	for _, want := range []string{"DTSTART:20261207T080000Z", "DTEND:20261207T083000Z", "X-WR-CALNAME:Agenda\\, site de Strasbourg",
		"DESCRIPTION:Convocation au contrôle médical \\; salle « Hippocrate »\\, 1er étage", "\\nligne 2\\\\fin", "DTSTAMP:20261202T080000Z"} {
		if !strings.Contains(un, want) {
			t.Errorf("missing %q in\n%s", want, un)
		}
	}
	if !strings.Contains(out, "\r\n ") {
		t.Error("the long description was not folded")
	}
}

func TestFoldBoundaries(t *testing.T) {
	for _, s := range []string{strings.Repeat("a", 75), strings.Repeat("a", 76), strings.Repeat("é", 100), "X:" + strings.Repeat("a€", 60)} {
		f := Fold(s)
		if Unfold(f) != s {
			t.Errorf("fold/unfold changed %q", s)
		}
		for _, l := range strings.Split(f, "\r\n") {
			if len(l) > 75 || !utf8.ValidString(l) {
				t.Errorf("bad folded line %q", l)
			}
		}
	}
	if Fold(strings.Repeat("a", 75)) != strings.Repeat("a", 75) {
		t.Error("a 75-octet line must not be folded")
	}
}
