package ops

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"medconseil"
	"medconseil/internal/sqldb"
)

// Communicable is the content of the file communicated to an assuré (L1111-7 CSP;
// L311-6 CRPA; CADA avis 20193398): the dossiers as far as the requester may see
// them — a praticien-conseil of the territory sees the medical reasons, which go to
// the assuré or to the doctor he designates — and, when the requester is the
// auditor / DPO, the list of accesses from the journal.
type Communicable struct {
	NIR       medconseil.NIR
	Le        time.Time // when the file was produced
	Par       string    // login of the requester
	Dossiers  []*medconseil.Dossier
	Acces     *sqldb.Acces // nil unless produced by the auditor / DPO
	Paris     *time.Location
	Reference string
}

// WritePDF writes the communicable file as one PDF.
func (c *Communicable) WritePDF(w io.Writer) error {
	loc := c.Paris
	if loc == nil {
		loc = time.UTC
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	// Uncompressed: a few pages, and the DPO can search and check the text with any tool.
	pdf.SetCompression(false)
	pdf.SetTitle("Dossier communicable", true)
	pdf.SetAuthor("Service médical — medconseil", true)
	pdf.SetCreationDate(c.Le)
	pdf.SetModificationDate(c.Le)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: the French accents of the core fonts
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 8, tr(fmt.Sprintf("Secret médical — dossier communicable (art. L1111-7 du code de la santé publique) — page %d", pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	h1 := func(s string) {
		pdf.SetFont("Helvetica", "B", 15)
		pdf.MultiCell(0, 8, tr(s), "", "L", false)
		pdf.Ln(2)
	}
	h2 := func(s string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.MultiCell(0, 7, tr(s), "B", "L", false)
		pdf.Ln(1)
	}
	line := func(label, value string) {
		if value == "" {
			return
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(50, 6, tr(label), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, tr(value), "", "L", false)
	}
	text := func(s string) {
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, tr(s), "", "L", false)
	}

	h1("Dossier communicable de l'assuré")
	line("NIR", c.NIR.Format())
	line("Établi le", c.Le.In(loc).Format("02/01/2006 à 15:04"))
	line("Par", c.Par)
	if c.Reference != "" {
		line("Référence", c.Reference)
	}
	text("Ce document réunit les informations formalisées détenues par le service médical sur l'assuré, communicables à lui-même ou au médecin qu'il désigne (art. L1111-7 du code de la santé publique). Les motifs médicaux n'y figurent que si le document a été établi par un praticien-conseil habilité.")
	if len(c.Dossiers) > 0 && c.Dossiers[0].Assure != nil {
		a := c.Dossiers[0].Assure
		h2("Identité")
		line("Nom", a.Nom)
		line("Prénom", a.Prenom)
		if !a.Naissance.IsZero() {
			line("Né(e) le", a.Naissance.Francais())
		}
		line("Commune de résidence", a.Residence)
	}
	for _, d := range c.Dossiers {
		h2(fmt.Sprintf("Dossier n° %d — %s", d.ID, d.Type.Label()))
		line("État", d.Etat.Label())
		if !d.RecueLe.IsZero() {
			line("Reçu le", d.RecueLe.In(loc).Format("02/01/2006"))
		}
		line("Service médical (département)", d.Departement)
		if ar := d.Arret; ar != nil {
			line("Arrêt", fmt.Sprintf("%s du %s au %s (%d jours)", ar.Nature.Label(), ar.Debut.Francais(), ar.Fin.Francais(), ar.Jours()))
			if ar.CIM10 != "" {
				line("Diagnostic (CIM-10)", ar.CIM10.Dotted()+" — "+ar.Libelle)
			}
			line("Motif médical", ar.Motif)
		}
		if av := d.Avis; av != nil {
			s := av.Sens.Label()
			if !av.EffetAu.IsZero() {
				s += " à compter du " + av.EffetAu.Francais()
			}
			line("Avis du service médical", s)
			line("Motifs de l'avis", av.Motif)
		}
		for _, n := range d.Notes {
			line("Note du "+n.Le.In(loc).Format("02/01/2006"), n.Texte)
		}
	}
	if len(c.Dossiers) == 0 {
		h2("Dossiers")
		text("Aucun dossier visible par l'auteur de ce document.")
	}
	text("Seuls figurent les dossiers que l'auteur du document est habilité à consulter ; un dossier d'un autre échelon se demande au praticien-conseil compétent.")
	if c.Acces != nil {
		h2("Accès aux données de l'assuré (journal d'audit)")
		text("Qui a accédé aux données de l'assuré, quand et pour quelle finalité (art. R162-1-10 du code de la sécurité sociale ; RGPD art. 15).")
		pdf.Ln(1)
		pdf.SetFont("Helvetica", "B", 8)
		widths := []float64{28, 30, 32, 26, 46, 18}
		for i, hd := range []string{"Date", "Qui", "Action", "Objet", "Finalité", "Résultat"} {
			pdf.CellFormat(widths[i], 6, tr(hd), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 7)
		for _, e := range c.Acces.Entrees {
			cells := []string{e.Le.In(loc).Format("02/01/2006 15:04"), e.Login, e.Action, e.Objet, e.Finalite, e.Resultat}
			for i, v := range cells {
				if r := []rune(v); len(r) > 30 {
					v = string(r[:30]) + "…"
				}
				pdf.CellFormat(widths[i], 5, tr(v), "1", 0, "L", false, 0, "")
			}
			pdf.Ln(-1)
		}
		if c.Acces.Tronque {
			text("Liste limitée aux " + strconv.Itoa(len(c.Acces.Entrees)) + " premières entrées.")
		}
	}
	return pdf.Output(w)
}
