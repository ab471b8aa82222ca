package courrier_test

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/courrier"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// goldenDecision is a fixed avis « non justifié » on an arrêt de travail.
func goldenDecision() courrier.Decision {
	as := medconseil.Assure{NIR: "285056748212378", Nom: "Lefèvre", Prenom: "Zoé", Naissance: medconseil.NewDate(1985, 5, 3), Residence: "67482"}
	return courrier.Decision{
		Issue: courrier.IssueAvis, Type: medconseil.TypeArretTravail, Departement: "67",
		Date: medconseil.NewDate(2026, 11, 10), Sens: medconseil.SensNonJustifie, EffetAu: medconseil.NewDate(2026, 11, 16),
		Motif: "Examen clinique rassurant, reprise possible au poste aménagé",
		Debut: medconseil.NewDate(2026, 11, 2), Fin: medconseil.NewDate(2026, 11, 30),
		Assure: as, AssureDeclare: as, AdresseLigne: "67000 STRASBOURG",
		Prescripteur: "10001234567", Signataire: "Dr Claire Weber",
	}
}

func normalise(s string) string {
	s = strings.NewReplacer("\u00a0", " ", "’", "'").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// TestGoldenNotificationAssure compares the text of the assuré's notification with
// testdata/notification_assure.golden (go test -update rewrites it), and checks
// the golden file against the expectation written by hand,
// testdata/notification_assure.attendu, so that an -update cannot silently
// accept a letter that says the wrong thing.
func TestGoldenNotificationAssure(t *testing.T) {
	ns, err := goldenDecision().Notifications()
	if err != nil {
		t.Fatal(err)
	}
	l := ns[0].Lettre
	if l.Modele != courrier.ModeleNotificationAssure {
		t.Fatalf("first letter is %s", l.Modele)
	}
	l.Reference, l.Dossier = "SM-67/2026/000042", 42
	pdf, err := l.PDF()
	if err != nil {
		t.Fatal(err)
	}
	text, err := courrier.Text(pdf)
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/notification_assure.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if text != string(want) {
		t.Errorf("the letter's text differs from %s (go test -update to accept):\n%s", golden, text)
	}
	exp, err := os.ReadFile("testdata/notification_assure.attendu")
	if err != nil {
		t.Fatal(err)
	}
	flat := normalise(string(want))
	sc := bufio.NewScanner(bytes.NewReader(exp))
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		if absent, ok := strings.CutPrefix(line, "! "); ok {
			if strings.Contains(flat, normalise(absent)) {
				t.Errorf("%s says %q, which the expectation forbids", golden, absent)
			}
			continue
		}
		if !strings.Contains(flat, normalise(line)) {
			t.Errorf("%s lacks %q (expected by hand)", golden, line)
		}
	}
	if n < 20 {
		t.Errorf("expectation too short: %d lines", n)
	}
}

// BenchmarkDecisionLetters renders the three letters of one avis (what GiveAvis
// adds to its transaction, besides storing them).
func BenchmarkDecisionLetters(b *testing.B) {
	d := goldenDecision()
	for b.Loop() {
		ns, err := d.Notifications()
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range ns {
			if _, err := n.Lettre.PDF(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
