package medconseil_test

import (
	"strings"
	"testing"
	"time"

	"medconseil"
)

func TestParseNIR(t *testing.T) {
	tests := []struct {
		in      string
		ok      bool
		words   string // in the error message
		sex     int
		year    int
		month   time.Month
		dep     string
		commune string
	}{
		{"185056748212337", true, "", 1, 1985, time.May, "67", "67482"},
		{"1 85 05 67 482 123 37", true, "", 1, 1985, time.May, "67", "67482"},
		{"2 90 12 2A 004 123 ??", false, "caractère", 0, 0, 0, "", ""},
		{"185056748212338", false, "clé", 0, 0, 0, "", ""},
		{"18505674821233", false, "14 caractères", 0, 0, 0, "", ""},
		{"", false, "manquant", 0, 0, 0, "", ""},
		{"585056748212337", false, "sexe", 0, 0, 0, "", ""},
		{"185136748212337", false, "mois", 0, 0, 0, "", ""},
		{"185050048212337", false, "département", 0, 0, 0, "", ""},
		{"18505674820000X", false, "caractère", 0, 0, 0, "", ""},
		{"1850567482000" + "00", false, "numéro d'ordre", 0, 0, 0, "", ""},
	}
	ref := medconseil.NewDate(2026, 11, 22)
	for _, tt := range tests {
		n, err := medconseil.ParseNIR(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseNIR(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err != nil {
			if medconseil.ErrorCode(err) != medconseil.EINVALID || !strings.Contains(err.Error(), tt.words) {
				t.Errorf("ParseNIR(%q) err = %v, want EINVALID mentioning %q", tt.in, err, tt.words)
			}
			continue
		}
		if n.Sex() != tt.sex || n.BirthYear(ref) != tt.year || n.BirthMonth() != tt.month || n.DepartementNaissance() != tt.dep || n.CommuneNaissance() != tt.commune {
			t.Errorf("ParseNIR(%q) = sex %d year %d month %d dep %s commune %s", tt.in, n.Sex(), n.BirthYear(ref), n.BirthMonth(), n.DepartementNaissance(), n.CommuneNaissance())
		}
	}
}

func TestNIRCorsica(t *testing.T) {
	// The key of a Corsican NIR is computed with 2A → 19 and 2B → 18:
	// 2901219004123 mod 97 = 30, key 67; 1750318033012 mod 97 = 24, key 73.
	for body, key := range map[string]string{"290122A004123": "67", "175032B033012": "73"} {
		n, err := medconseil.NIRWithKey(body)
		if err != nil {
			t.Fatalf("NIRWithKey(%q): %v", body, err)
		}
		if n.Key() != key || n.DepartementNaissance() != body[5:7] {
			t.Errorf("%s: key %s département %s, want key %s département %s", n, n.Key(), n.DepartementNaissance(), key, body[5:7])
		}
	}
	if _, err := medconseil.ParseNIR("290122A00412330"); err == nil {
		t.Errorf("wrong Corsican key accepted")
	}
	if _, err := medconseil.ParseNIR("29012672A004123"); err == nil {
		t.Errorf("2A outside the département position accepted")
	}
}

func TestNIROverseas(t *testing.T) {
	n, err := medconseil.NIRWithKey("1880597411012")
	if err != nil {
		t.Fatal(err)
	}
	if n.DepartementNaissance() != "974" {
		t.Errorf("DepartementNaissance = %s, want 974", n.DepartementNaissance())
	}
}

func FuzzParseNIR(f *testing.F) {
	for _, s := range []string{"185056748212337", "2901222A00412", "1 85 05 67 482 123 37", "", "2A", "999999999999999", "1850567482123٣7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := medconseil.ParseNIR(s)
		if err != nil {
			if medconseil.ErrorCode(err) != medconseil.EINVALID {
				t.Fatalf("ParseNIR(%q): error code %s", s, medconseil.ErrorCode(err))
			}
			return
		}
		// A valid NIR round-trips and its parts are in range.
		again, err := medconseil.ParseNIR(string(n))
		if err != nil || again != n {
			t.Fatalf("ParseNIR(%q) = %q does not round-trip: %v", s, n, err)
		}
		if len(n) != 15 || (n.Sex() != 1 && n.Sex() != 2) || n.BirthMonth() > 12 {
			t.Fatalf("ParseNIR(%q) = %q with impossible parts", s, n)
		}
	})
}
