package courrier_test

import (
	"bytes"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/courrier"
)

func lettre() courrier.Lettre {
	return courrier.Lettre{
		Modele:       "essai",
		Destinataire: courrier.Assure,
		Adresse:      []string{"Madame Zoé Lefèvre", "3 rue de l'Église", "67000 Strasbourg"},
		Departement:  "67",
		Date:         medconseil.NewDate(2026, 12, 1),
		Reference:    "SM-67/2026/000042",
		Dossier:      42,
		Objet:        "Votre demande d'accord préalable",
		Appel:        "Madame,",
		Paragraphes: []string{
			"Le montant de 1 234,56 € est « pris en charge » : voyez-vous ? Cœur, naïveté, à l'œil !",
			"## Voies et délais de recours",
			strings.Repeat("Un paragraphe assez long pour être coupé en plusieurs lignes et justifié. ", 8),
		},
		Formule:   "Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées.",
		Signature: []string{"Le médecin-conseil", "Dr Élise Dupont"},
	}
}

func TestPDFText(t *testing.T) {
	pdf, err := lettre().PDF()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:20])
	}
	text, err := courrier.Text(pdf)
	if err != nil {
		t.Fatal(err)
	}
	nb := "\u00a0"
	for _, want := range []string{
		"l’Assurance Maladie",
		"Service médical de la CPAM du Bas-Rhin",
		"Madame Zoé Lefèvre",
		"3 rue de l’Église",
		"Strasbourg, le 1er" + nb + "décembre" + nb + "2026",
		"SM-67/2026/000042",
		"1" + nb + "234,56" + nb + "€",
		"«" + nb + "pris en charge" + nb + "»" + nb + ":",
		"voyez-vous" + nb + "?",
		"Cœur, naïveté, à l’œil" + nb + "!",
		"Voies et délais de recours",
		"Dr Élise Dupont",
		"page 1/1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter's text lacks %q:\n%s", want, text)
		}
	}
	if strings.ContainsRune(text, '\ufffd') || strings.Contains(text, "Ã") {
		t.Errorf("badly encoded text:\n%s", text)
	}
}

func TestPDFDeterministic(t *testing.T) {
	a, err := lettre().PDF()
	if err != nil {
		t.Fatal(err)
	}
	b, err := lettre().PDF()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same letter gave two different PDFs: its SHA-256 would prove nothing")
	}
	l := lettre()
	l.Reference = "SM-67/2026/000043"
	c, _ := l.PDF()
	if bytes.Equal(a, c) {
		t.Error("another reference gave the same PDF")
	}
}

// The letterhead follows the dated organisation: the échelon local before the
// reorganisation of 1 October 2025, the service médical of the CPAM after.
func TestLetterhead(t *testing.T) {
	for _, tc := range []struct {
		date       medconseil.Date
		want, not  string
		wantParent string
	}{
		{medconseil.NewDate(2025, 9, 30), "Échelon local du service médical de la Moselle", "Service médical de la CPAM", "Direction régionale du Service médical Grand Est"},
		{medconseil.NewDate(2025, 10, 1), "Service médical de la CPAM de Moselle", "Échelon local", "CPAM de Moselle"},
	} {
		l := lettre()
		l.Departement, l.Date = "57", tc.date
		pdf, err := l.PDF()
		if err != nil {
			t.Fatal(err)
		}
		text, err := courrier.Text(pdf)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, tc.want) || !strings.Contains(text, tc.wantParent) || strings.Contains(text, tc.not) {
			t.Errorf("%s: letterhead wrong, want %q and %q, not %q:\n%s", tc.date, tc.want, tc.wantParent, tc.not, text)
		}
		if !strings.Contains(text, "Metz, le ") {
			t.Errorf("%s: the letter is not written from Metz:\n%s", tc.date, text)
		}
	}
}

func TestValidate(t *testing.T) {
	l := courrier.Lettre{Destinataire: "voisin", Departement: "75", Date: medconseil.NewDate(2026, 1, 5), Paragraphes: []string{"x\u0007"}}
	_, err := l.PDF()
	if err == nil {
		t.Fatal("an invalid letter was rendered")
	}
	for _, want := range []string{"modèle", "destinataire \"voisin\" inconnu", "bloc adresse", "département \"75\"", "objet", "U+0007"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	l = lettre()
	l.Paragraphes = []string{"emoji 🙂"}
	if _, err := l.PDF(); err == nil || !strings.Contains(err.Error(), "U+1F642") {
		t.Errorf("an unprintable character was accepted: %v", err)
	}
	// A narrow no-break space is printed as a no-break space, not refused.
	l.Paragraphes = []string{"12\u202f€"}
	if _, err := l.PDF(); err != nil {
		t.Error(err)
	}
}

// Text must fail on what it cannot read rather than answer "no such text".
func TestTextRefusesCompressed(t *testing.T) {
	if _, err := courrier.Text([]byte("%PDF-1.3\n1 0 obj\n<</Filter /FlateDecode /Length 3>>\nstream\nxyz\nendstream\n")); err == nil {
		t.Error("a compressed stream was read as empty")
	}
	if _, err := courrier.Text([]byte("%PDF-1.3\n")); err == nil {
		t.Error("a PDF without text gave no error")
	}
}

func TestTypographie(t *testing.T) {
	got := courrier.Typographie("Objet : l'avis « favorable » ; n° 12, 50 % !")
	want := "Objet\u00a0: l’avis «\u00a0favorable\u00a0»\u00a0; n°\u00a012, 50\u00a0%\u00a0!"
	if got != want {
		t.Errorf("Typographie = %q, want %q", got, want)
	}
	if got := courrier.DateLongue(medconseil.NewDate(2026, 2, 1)); got != "1er\u00a0février\u00a02026" {
		t.Errorf("DateLongue = %q", got)
	}
}
