package medconseil_test

import (
	"testing"
	"time"

	"medconseil"
)

func TestDateRoundTrip(t *testing.T) {
	// Every day over four centuries converts back and forth with time.Time.
	start := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := medconseil.DateOf(start).AddDays(-1)
	for d := start; d.Year() < 2201; d = d.AddDate(0, 0, 1) {
		got := medconseil.DateOf(d)
		if got.Year() != d.Year() || got.Month() != d.Month() || got.Day() != d.Day() || got.Weekday() != d.Weekday() {
			t.Fatalf("DateOf(%s) = %s (%s)", d.Format("2006-01-02"), got, got.Weekday())
		}
		if got.Sub(prev) != 1 {
			t.Fatalf("%s − previous = %d", got, got.Sub(prev))
		}
		prev = got
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"2024-02-29", "2024-02-29", true},
		{"29/02/2024", "2024-02-29", true},
		{"2023-02-29", "", false},
		{"2025-13-01", "", false},
		{"2025-1-01", "", false},
		{"01/04/2025", "2025-04-01", true},
		{"", "", false},
		{"2025-04-0a", "", false},
	}
	for _, tt := range tests {
		d, err := medconseil.ParseDate(tt.in)
		if (err == nil) != tt.ok || (tt.ok && d.String() != tt.want) {
			t.Errorf("ParseDate(%q) = %s, %v; want %s ok=%v", tt.in, d, err, tt.want, tt.ok)
		}
	}
}

func TestAddMonthsAndAge(t *testing.T) {
	d := medconseil.NewDate(2024, time.January, 31)
	if got := d.AddMonths(1); got.String() != "2024-02-29" {
		t.Errorf("AddMonths(1) = %s, want 2024-02-29", got)
	}
	birth := medconseil.NewDate(1964, time.April, 1)
	if a := birth.AgeAt(medconseil.NewDate(2026, time.March, 31)); a != 61 {
		t.Errorf("AgeAt = %d, want 61", a)
	}
	if a := birth.AgeAt(medconseil.NewDate(2026, time.April, 1)); a != 62 {
		t.Errorf("AgeAt on the birthday = %d, want 62", a)
	}
}

func TestJoursFrancs(t *testing.T) {
	tests := []struct {
		from    medconseil.Date
		n       int
		alsace  bool
		want    string
		comment string
	}{
		// Receipt on Monday 2 Dec 2024, 30 jours francs: the day of receipt and the
		// last day are not counted → due by Thursday 2 Jan 2025 (1 Jan is a holiday
		// but is not the last day).
		{medconseil.NewDate(2024, 12, 2), 30, false, "2025-01-02", "ordinary"},
		// Ending on Saturday 6 Jan 2024 → Monday 8 Jan.
		{medconseil.NewDate(2023, 12, 6), 30, false, "2024-01-08", "weekend"},
		// Ending on 26 Dec (a holiday only in Alsace-Moselle).
		{medconseil.NewDate(2024, 11, 25), 30, false, "2024-12-26", "26 December elsewhere"},
		{medconseil.NewDate(2024, 11, 25), 30, true, "2024-12-27", "26 December in Alsace-Moselle"},
		// Ending on Easter Monday 2025 (21 April) → Tuesday 22.
		{medconseil.NewDate(2025, 3, 21), 30, false, "2025-04-22", "Easter Monday"},
	}
	for _, tt := range tests {
		if got := tt.from.JoursFrancs(tt.n, tt.alsace); got.String() != tt.want {
			t.Errorf("%s: %s + %d jours francs = %s, want %s", tt.comment, tt.from, tt.n, got, tt.want)
		}
	}
	if e := medconseil.EasterSunday(2026); e.String() != "2026-04-05" || !e.AddDays(1).Holiday(false) {
		t.Errorf("EasterSunday(2026) = %s", e)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-02-29", "31/12/1999", "0000-00-00", "9999-12-31", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := medconseil.ParseDate(s)
		if err != nil {
			return
		}
		if again, err := medconseil.ParseDate(d.String()); err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %s does not round-trip", s, d)
		}
	})
}
