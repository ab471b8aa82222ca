package medconseil

import (
	"strings"
	"testing"
)

// The three closed lists of the PDP: every code has its French label (and the
// actions their legal basis), in the order forms show them; an unknown code is
// shown as itself and refused by Validate, naming the field.
func TestPDPClosedLists(t *testing.T) {
	natures := NaturesPDP()
	if len(natures) != 10 || natures[0] != PDPRendezVousLiaison || natures[9] != PDPBilanInvalidite {
		t.Fatalf("NaturesPDP = %v", natures)
	}
	for _, n := range natures {
		if n.Label() == string(n) || n.Source() == "" {
			t.Errorf("nature %q: label %q, source %q", n, n.Label(), n.Source())
		}
	}
	if got := PDPEssaiEncadre.Label(); got != "Essai encadré" {
		t.Errorf("essai encadré label = %q", got)
	}
	if got := NaturePDP("inconnue").Label(); got != "inconnue" {
		t.Errorf("unknown nature label = %q", got)
	}
	if got := NaturePDP("inconnue").Source(); got != "" {
		t.Errorf("unknown nature source = %q", got)
	}
	issues := IssuesPDP()
	if len(issues) != 8 || issues[0] != IssueRetourEmploi || issues[7] != IssueSansSuite {
		t.Fatalf("IssuesPDP = %v", issues)
	}
	for _, i := range issues {
		if i.Label() == string(i) {
			t.Errorf("issue %q has no label", i)
		}
	}
	if got := IssueRefusAssure.Label(); got != "Refus de l'assuré" {
		t.Errorf("refus label = %q", got)
	}
	canaux := CanauxContact()
	if len(canaux) != 5 || canaux[0] != "telephone" || canaux[4] != "visio" {
		t.Fatalf("CanauxContact = %v", canaux)
	}
	if got := CanalContact("messagerie_securisee").Label(); got != "Messagerie sécurisée de santé" {
		t.Errorf("messagerie label = %q", got)
	}
	if got := CanalContact("pigeon").Label(); got != "pigeon" {
		t.Errorf("unknown canal label = %q", got)
	}

	today, _ := ParseDate("2026-12-01")
	ok := ActionPDP{Nature: PDPVisitePreReprise, Debut: today, Issue: IssueReclassement}
	if err := ok.Validate(today); err != nil {
		t.Fatalf("valid action refused: %v", err)
	}
	bad := ActionPDP{Nature: "pause_cafe", Debut: today, Issue: "bof"}
	err := bad.Validate(today)
	fields := fieldMap(err)
	if !strings.Contains(fields["nature"], "inconnue") || !strings.Contains(fields["issue"], "inconnue") {
		t.Errorf("unknown nature/issue: %v", err)
	}
	c := ContactMedecinTravail{Qui: "Dr Martin, SPST Alsace", Quand: today, Canal: "pigeon", Resume: "point sur le poste"}
	if f := fieldMap(c.Validate(today)); !strings.Contains(f["canal"], "inconnu") || len(f) != 1 {
		t.Errorf("unknown canal: %v", f)
	}
	c.Canal = "visio"
	if err := c.Validate(today); err != nil {
		t.Errorf("valid contact refused: %v", err)
	}
}

// fieldMap collects the field errors joined in err, by field.
func fieldMap(err error) map[string]string {
	out := map[string]string{}
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		if me, ok := e.(*Error); ok {
			out[me.Field] += me.Message
		}
	}
	walk(err)
	return out
}
