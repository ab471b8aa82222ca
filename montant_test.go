package medconseil_test

import (
	"testing"

	"medconseil"
)

func TestParseMontant(t *testing.T) {
	tests := []struct {
		in   string
		want medconseil.Montant
		ok   bool
	}{
		{"1234,56", 123456, true},
		{"1 234,56 €", 123456, true},
		{"1234.5", 123450, true},
		{"12", 1200, true},
		{"-3,05", -305, true},
		{"1,234", 0, false},
		{"abc", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := medconseil.ParseMontant(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseMontant(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if s := medconseil.Montant(123456).String(); s != "1\u202f234,56 €" {
		t.Errorf("String = %q", s)
	}
}

func TestMulRatio(t *testing.T) {
	// 1.8 × SMIC-style ratios in exact integer arithmetic, rounding half away from zero.
	tests := []struct {
		m        medconseil.Montant
		num, den int64
		want     medconseil.Montant
	}{
		{100, 1, 3, 33},
		{200, 1, 3, 67},
		{5, 1, 2, 3},
		{-5, 1, 2, -3},
		{180150, 18, 10, 324270},
	}
	for _, tt := range tests {
		if got := tt.m.MulRatio(tt.num, tt.den); got != tt.want {
			t.Errorf("%d × %d/%d = %d, want %d", tt.m, tt.num, tt.den, got, tt.want)
		}
	}
}

func TestParseCIM10(t *testing.T) {
	for in, want := range map[string]string{"M54.5": "M545", "m545": "M545", "F32": "F32", "S72.00": "S7200"} {
		got, err := medconseil.ParseCIM10(in)
		if err != nil || string(got) != want {
			t.Errorf("ParseCIM10(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "54M", "M5", "M54.5.1", "MM45"} {
		if _, err := medconseil.ParseCIM10(in); err == nil {
			t.Errorf("ParseCIM10(%q) accepted", in)
		}
	}
}

func TestTerminologyAlerts(t *testing.T) {
	i := medconseil.ArretTravail{CIM10: "M545", Libelle: "lombalgie"}
	same := medconseil.ArretTravail{CIM10: "M545", Libelle: "  Lombalgie "}
	if a := medconseil.TerminologyAlerts(i, same); len(a) != 0 {
		t.Errorf("same wording flagged: %+v", a)
	}
	other := medconseil.ArretTravail{CIM10: "M544", Libelle: "douleur lombaire"}
	if a := medconseil.TerminologyAlerts(i, other); len(a) != 2 {
		t.Errorf("changed code and wording: %+v, want 2 alerts", a)
	}
}
