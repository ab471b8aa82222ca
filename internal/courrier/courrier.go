// Package courrier renders the letters of the Service médical to PDF: the
// notification of a decision to the assuré, the answer to the prescriber, the copy
// for the caisse, a convocation… One letter is one Lettre; Lettre.PDF renders it on
// A4 with the letterhead of the body of the service médical that covers the
// dossier's département on the letter's date (medconseil.ServiceMedical: the
// échelon local before 1 October 2025, the service médical of the CPAM since,
// décret n° 2025-599), French typography (non-breaking spaces before « : ; ! ? »
// and inside « guillemets », typographic apostrophes, €) and its reference number.
//
// # API for the other packages
//
//	l := courrier.Lettre{
//		Modele:       "notification_avis_assure", // a name from Modeles, or your own
//		Destinataire: courrier.Assure,            // closed list: Destinataires
//		Adresse:      []string{"Madame Marie Martin", "12 rue des Lilas", "67000 Strasbourg"},
//		Departement:  "67",                       // letterhead: medconseil.ServiceMedical(dep, Date)
//		Date:         medconseil.NewDate(2026, 12, 2),
//		Objet:        "Votre arrêt de travail",
//		Dossier:      42,
//		Appel:        "Madame, Monsieur,",
//		Paragraphes:  []string{"…"},
//		Signature:    []string{"Le médecin-conseil", "Dr A. Dupont"},
//	}
//	pdf, err := l.PDF() // deterministic: the same Lettre gives the same bytes
//
// The reference number (Lettre.Reference) is given by the store: call
// (*sqldb.Tx).AddCourrier(ctx, sqldb.CourrierInput{DossierID, Lettre, Contenu, Par})
// inside your transaction; it allocates the letter's id, sets its reference
// (Reference(org, year, id), e.g. "SM-67/2026/000042"), renders the PDF, stores it
// encrypted with its SHA-256, the addressee kind and the model on the dossier, and
// returns (id, ref). The letter is then listed by GET /api/v1/dossiers/{id}/courriers
// and downloaded by GET /api/v1/courriers/{id}.pdf, journaled.
//
// Only what the addressee may read goes into a letter: CourrierInput.Contenu
// declares the field classes it carries (identité, administratif, décision,
// clinique), the store refuses a clinical letter to the caisse, the employer or
// the assuré, and a reader downloads a letter only if the gate shows him every
// class it carries. Text extracts the text of a PDF rendered here, so that tests
// can assert what a letter says and does not say.
//
// The models of the notifications (Modeles) and their legal sources are described
// in docs/courriers.md.
package courrier

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"medconseil"
)

// Destinataire is the kind of addressee of a letter, from a closed list.
type Destinataire string

// The kinds of addressee. Owners of new letters add theirs at the end of
// Destinataires.
const (
	Assure          Destinataire = "assure"
	Prescripteur    Destinataire = "prescripteur"
	Caisse          Destinataire = "caisse"
	MedecinTraitant Destinataire = "medecin_traitant"
	Professionnel   Destinataire = "professionnel"
	Employeur       Destinataire = "employeur"
	Etablissement   Destinataire = "etablissement"
)

// Destinataires is the closed list of addressee kinds, with their French names.
var Destinataires = []struct {
	Code  Destinataire
	Label string
}{
	{Assure, "Assuré"},
	{Prescripteur, "Prescripteur"},
	{Caisse, "Caisse (CPAM)"},
	{MedecinTraitant, "Médecin traitant"},
	{Professionnel, "Professionnel de santé"},
	{Employeur, "Employeur"},
	{Etablissement, "Établissement"},
}

// Label returns the French name of the kind of addressee.
func (d Destinataire) Label() string {
	for _, x := range Destinataires {
		if x.Code == d {
			return x.Label
		}
	}
	return string(d)
}

// Valid reports whether d is in the closed list.
func (d Destinataire) Valid() bool {
	for _, x := range Destinataires {
		if x.Code == d {
			return true
		}
	}
	return false
}

// MayReadClinical reports whether an addressee of kind d may receive clinical
// content (diagnosis, medical motif): the doctors only. The caisse receives the
// outcome only (L315-2; R4127-104 CSP); the employer never the diagnosis; the
// assuré is informed of the decision by the caisse, the medical reasons being
// given to him on request or through the doctor he designates (L1111-7 CSP).
func (d Destinataire) MayReadClinical() bool {
	switch d {
	case Prescripteur, MedecinTraitant, Professionnel:
		return true
	}
	return false
}

// Lettre is one letter, as it will be printed.
type Lettre struct {
	Modele       string       // name of the model that produced it (notification_avis_assure…)
	Destinataire Destinataire // kind of addressee
	// Adresse is the addressee block, name first, as it shows in an envelope's window.
	Adresse []string
	// Departement is the département of the dossier: the letterhead is the body of
	// the service médical that covers it on Date.
	Departement string
	Date        medconseil.Date // date of the letter
	Reference   string          // reference number, set by the store (AddCourrier)
	Dossier     int64           // dossier number, 0 when none
	Objet       string
	// Mention is printed in capitals above the addressee block ("PERSONNEL ET
	// CONFIDENTIEL — SECRET MÉDICAL"), empty for none.
	Mention     string
	Appel       string   // "Madame, Monsieur,"
	Paragraphes []string // the body; a paragraph starting with "## " is a heading
	Formule     string   // closing formula
	Signature   []string // signature block, e.g. function then name
	Copies      []string // "Copie : …" lines
}

// Validate returns every problem of l at once, in French.
func (l *Lettre) Validate() error {
	var errs []error
	if strings.TrimSpace(l.Modele) == "" {
		errs = append(errs, medconseil.FieldErrorf("modele", "modèle de courrier manquant"))
	}
	if !l.Destinataire.Valid() {
		var codes []string
		for _, d := range Destinataires {
			codes = append(codes, string(d.Code))
		}
		errs = append(errs, medconseil.FieldErrorf("destinataire", "destinataire %q inconnu : %s", l.Destinataire, strings.Join(codes, ", ")))
	}
	if len(l.Adresse) == 0 || strings.TrimSpace(l.Adresse[0]) == "" {
		errs = append(errs, medconseil.FieldErrorf("adresse", "le bloc adresse du destinataire est vide"))
	}
	if l.Date.IsZero() {
		errs = append(errs, medconseil.FieldErrorf("date", "date du courrier manquante"))
	} else if _, ok := medconseil.ServiceMedical(l.Departement, l.Date); !ok {
		errs = append(errs, medconseil.FieldErrorf("departement", "aucun service médical ne couvre le département %q le %s : en-tête impossible", l.Departement, l.Date.Francais()))
	}
	if strings.TrimSpace(l.Objet) == "" {
		errs = append(errs, medconseil.FieldErrorf("objet", "objet du courrier manquant"))
	}
	if len(l.Paragraphes) == 0 {
		errs = append(errs, medconseil.FieldErrorf("paragraphes", "le courrier n'a pas de texte"))
	}
	for i, s := range l.allText() {
		if r, ok := unprintable(s); ok {
			errs = append(errs, medconseil.FieldErrorf("texte", "le caractère %q (U+%04X) ne peut pas être imprimé (texte n° %d)", r, r, i+1))
			break
		}
	}
	return errors.Join(errs...)
}

func (l *Lettre) allText() []string {
	out := append([]string{l.Modele, l.Reference, l.Objet, l.Mention, l.Appel, l.Formule}, l.Adresse...)
	out = append(out, l.Paragraphes...)
	out = append(out, l.Signature...)
	return append(out, l.Copies...)
}

// Entete is the letterhead of a letter: the sending body and the town it writes from.
type Entete struct {
	Organisme medconseil.Organisme
	Lignes    []string // the lines printed top left
	Ville     string   // "Strasbourg", for « Strasbourg, le 2 décembre 2026 »
}

// EnteteDe returns the letterhead of the service médical covering département dep
// on date d (medconseil.ServiceMedical): the échelon local and its direction
// régionale until 30 September 2025, the service médical of the CPAM from
// 1 October 2025 (décret n° 2025-599).
func EnteteDe(dep string, d medconseil.Date) (Entete, bool) {
	o, ok := medconseil.ServiceMedical(dep, d)
	if !ok {
		return Entete{}, false
	}
	e := Entete{Organisme: o, Lignes: []string{o.Nom}}
	all := medconseil.GrandEst()
	for _, p := range all {
		if p.Code == o.Parent && p.EnVigueur(d) {
			e.Lignes = append(e.Lignes, p.Nom)
			if o.Adresse == "" && p.Adresse != "" && p.Type == medconseil.TypeDRSM {
				e.Lignes = append(e.Lignes, p.Adresse)
			}
		}
	}
	if o.Adresse != "" {
		e.Lignes = append(e.Lignes, o.Adresse)
	}
	for _, s := range all {
		if s.Type == medconseil.TypeSite && s.Commune == o.Commune && strings.HasPrefix(s.Nom, "Site de ") {
			e.Ville = strings.TrimPrefix(s.Nom, "Site de ")
			break
		}
	}
	return e, true
}

// Reference returns the reference number of letter id sent by body org in year:
// "SM-67/2026/000042". The id makes it unique.
func Reference(org string, year int, id int64) string {
	return fmt.Sprintf("%s/%d/%06d", org, year, id)
}

var mois = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// DateLongue writes d as a French letter does: "1er décembre 2026", "2 décembre 2026".
func DateLongue(d medconseil.Date) string {
	if d.IsZero() {
		return ""
	}
	day := fmt.Sprint(d.Day())
	if d.Day() == 1 {
		day = "1er"
	}
	return day + "\u00a0" + mois[d.Month()-1] + "\u00a0" + fmt.Sprint(d.Year())
}

// Typographie applies the French rules of typography to s: a non-breaking space
// before « : ; ! ? » and inside « », after « n° » and between a number and « € »
// or « % » and between groups of digits, and typographic apostrophes. It is applied to every text of a letter.
func Typographie(s string) string {
	r := strings.NewReplacer(
		" :", "\u00a0:", " ;", "\u00a0;", " !", "\u00a0!", " ?", "\u00a0?",
		"« ", "«\u00a0", " »", "\u00a0»", "n° ", "n°\u00a0", " €", "\u00a0€", " %", "\u00a0%",
		"'", "\u2019",
	)
	return thousands.ReplaceAllString(r.Replace(s), "$1\u00a0$2")
}

// thousands finds a space separating groups of digits ("1 234,56").
var thousands = regexp.MustCompile(`(\d) (\d{3}\b)`)

// cp1252 maps the runes outside ASCII that the core fonts print (Windows-1252).
var cp1252 = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89,
	'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
	'–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
}

// substitutes are printed as a close cp1252 character.
var substitutes = map[rune]rune{
	'\u202f': '\u00a0', // espace fine insécable → espace insécable
	'\u2009': ' ',      // espace fine
	'\u2011': '-',      // trait d'union insécable
	'\u2010': '-',
}

func encode(r rune) (byte, bool) {
	if s, ok := substitutes[r]; ok {
		r = s
	}
	switch {
	case r < 0x80:
		return byte(r), r >= 0x20 || r == '\n'
	case r >= 0xa0 && r <= 0xff:
		return byte(r), true
	}
	b, ok := cp1252[r]
	return b, ok
}

// unprintable returns the first rune of s the letter's fonts cannot print.
func unprintable(s string) (rune, bool) {
	for _, r := range s {
		if _, ok := encode(r); !ok {
			return r, true
		}
	}
	return 0, false
}

// win1252 converts UTF-8 text to the core fonts' encoding; Validate has refused
// what cannot be printed.
func win1252(s string) string {
	var b strings.Builder
	for _, r := range Typographie(s) {
		if c, ok := encode(r); ok {
			b.WriteByte(c)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// PDF renders l as an A4 PDF. The core fonts (Helvetica) in Windows-1252 print
// every French character (accents, « », œ, €, non-breaking spaces, which
// also keep « : » with its word at a line break); the content is left
// uncompressed so that the text can be searched and checked (Text). The output
// depends only on l: the creation date is the letter's date.
func (l Lettre) PDF() ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	ent, _ := EnteteDe(l.Departement, l.Date)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	pdf.SetCatalogSort(true) // fonts in a fixed order: the same letter, the same bytes
	pdf.SetMargins(20, 15, 20)
	pdf.SetAutoPageBreak(true, 22)
	stamp := l.Date.Time(time.UTC).Add(9 * time.Hour)
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	pdf.SetTitle(l.Objet, true)
	pdf.SetAuthor(ent.Organisme.Nom, true)
	pdf.SetSubject(l.Modele, true)
	pdf.SetCreator("medconseil", true)
	pdf.AliasNbPages("{nb}")
	t := win1252
	ref := l.Reference
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "", 7.5)
		pdf.SetTextColor(90, 90, 90)
		foot := "Réf. " + ref
		if ref == "" {
			foot = "Projet sans référence"
		}
		if l.Destinataire.MayReadClinical() {
			foot += " — document couvert par le secret médical"
		}
		pdf.CellFormat(0, 5, t(fmt.Sprintf("%s — page %d/{nb}", foot, pdf.PageNo())), "T", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()

	// Letterhead, top left.
	pdf.SetFont("Helvetica", "B", 13)
	pdf.SetTextColor(0, 61, 122)
	pdf.CellFormat(95, 6, t("l'Assurance Maladie"), "", 2, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont("Helvetica", "B", 9)
	for i, s := range ent.Lignes {
		if i == 1 {
			pdf.SetFont("Helvetica", "", 9)
		}
		pdf.MultiCell(95, 4.5, t(s), "", "L", false)
	}
	top := pdf.GetY()

	// Mention and addressee block, in the window of a DL envelope.
	y := 45.0
	if top+4 > y {
		y = top + 4
	}
	pdf.SetXY(110, y)
	if l.Mention != "" {
		pdf.SetFont("Helvetica", "B", 8.5)
		pdf.MultiCell(80, 4.5, t(strings.ToUpper(l.Mention)), "", "L", false)
		pdf.SetX(110)
		pdf.Ln(1)
	}
	pdf.SetFont("Helvetica", "", 10.5)
	for _, s := range l.Adresse {
		pdf.SetX(110)
		pdf.MultiCell(80, 5, t(s), "", "L", false)
	}
	addrEnd := pdf.GetY()

	// References, date.
	pdf.SetXY(20, max(addrEnd, top)+10)
	pdf.SetFont("Helvetica", "", 10)
	place := "le " + DateLongue(l.Date)
	if ent.Ville != "" {
		place = ent.Ville + ", " + place
	}
	pdf.CellFormat(0, 5, t(place), "", 1, "R", false, 0, "")
	pdf.Ln(3)
	field := func(label, value string) {
		if value == "" {
			return
		}
		pdf.SetFont("Helvetica", "B", 10)
		w := pdf.GetStringWidth(t(label)) + 1.5
		pdf.CellFormat(w, 5, t(label), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, t(value), "", "L", false)
	}
	field("Objet :", l.Objet)
	field("Référence :", ref)
	if l.Dossier != 0 {
		field("Dossier n° :", fmt.Sprint(l.Dossier))
	}
	pdf.Ln(6)

	pdf.SetFont("Helvetica", "", 10.5)
	if l.Appel != "" {
		pdf.MultiCell(0, 5.2, t(l.Appel), "", "L", false)
		pdf.Ln(2.5)
	}
	for _, p := range l.Paragraphes {
		if h, ok := strings.CutPrefix(p, "## "); ok {
			pdf.Ln(1)
			pdf.SetFont("Helvetica", "B", 10.5)
			pdf.MultiCell(0, 5.2, t(h), "", "L", false)
			pdf.SetFont("Helvetica", "", 10.5)
			pdf.Ln(1)
			continue
		}
		pdf.MultiCell(0, 5.2, t(p), "", "J", false)
		pdf.Ln(2.5)
	}
	if l.Formule != "" {
		pdf.MultiCell(0, 5.2, t(l.Formule), "", "J", false)
		pdf.Ln(2.5)
	}
	if len(l.Signature) > 0 {
		pdf.Ln(6)
		for i, s := range l.Signature {
			if i == len(l.Signature)-1 {
				pdf.SetFont("Helvetica", "B", 10.5)
			}
			pdf.SetX(110)
			pdf.MultiCell(80, 5.2, t(s), "", "L", false)
		}
		pdf.SetFont("Helvetica", "", 10.5)
	}
	if len(l.Copies) > 0 {
		pdf.Ln(6)
		pdf.SetFont("Helvetica", "", 9)
		for _, c := range l.Copies {
			pdf.MultiCell(0, 4.5, t("Copie : "+c), "", "L", false)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, medconseil.Internal(fmt.Errorf("courrier %s: %w", l.Modele, err))
	}
	return buf.Bytes(), nil
}

// Text extracts the text of a PDF rendered by Lettre.PDF, one line per line
// printed, in the order printed, as UTF-8 with non-breaking spaces kept. It reads
// the uncompressed content streams' string operators; it is meant for the
// letters of this package (tests, search), not for arbitrary PDFs, and fails
// on a compressed stream rather than return nothing.
func Text(pdf []byte) (string, error) {
	var out strings.Builder
	rest := pdf
	found := false
	for {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		dict := rest[:i]
		if j := bytes.LastIndex(dict, []byte("<<")); j >= 0 {
			dict = dict[j:]
		}
		body := rest[i+len("stream\n"):]
		end := bytes.Index(body, []byte("endstream"))
		if end < 0 {
			return "", errors.New("flux PDF non terminé")
		}
		content := body[:end]
		rest = body[end+len("endstream"):]
		if bytes.Contains(dict, []byte("/Filter")) {
			return "", errors.New("flux PDF compressé : texte non extractible")
		}
		if !bytes.Contains(content, []byte("Tj")) {
			continue
		}
		found = true
		if err := strings1(content, &out); err != nil {
			return "", err
		}
	}
	if !found {
		return "", errors.New("aucun texte dans ce PDF")
	}
	return out.String(), nil
}

// strings1 appends the string operands of the Tj operators of one content stream.
func strings1(content []byte, out *strings.Builder) error {
	for i := 0; i < len(content); i++ {
		if content[i] != '(' {
			continue
		}
		var s []byte
		depth := 1
		j := i + 1
		for ; j < len(content) && depth > 0; j++ {
			c := content[j]
			switch {
			case c == '\\' && j+1 < len(content):
				j++
				switch e := content[j]; e {
				case 'n':
					s = append(s, '\n')
				case 'r':
					s = append(s, '\r')
				case 't':
					s = append(s, '\t')
				case 'b', 'f':
				case '0', '1', '2', '3', '4', '5', '6', '7':
					v := 0
					k := 0
					for ; k < 3 && j+k < len(content) && content[j+k] >= '0' && content[j+k] <= '7'; k++ {
						v = v*8 + int(content[j+k]-'0')
					}
					j += k - 1
					s = append(s, byte(v))
				default:
					s = append(s, e)
				}
			case c == '(':
				depth++
				s = append(s, c)
			case c == ')':
				depth--
				if depth > 0 {
					s = append(s, c)
				}
			default:
				s = append(s, c)
			}
		}
		if depth != 0 {
			return errors.New("chaîne PDF non terminée")
		}
		out.WriteString(decode1252(s))
		out.WriteByte('\n')
		i = j - 1
	}
	return nil
}

var from1252 = func() map[byte]rune {
	m := make(map[byte]rune, len(cp1252))
	for r, b := range cp1252 {
		m[b] = r
	}
	return m
}()

func decode1252(s []byte) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c >= 0xa0:
			b.WriteRune(rune(c))
		default:
			if r, ok := from1252[c]; ok {
				b.WriteRune(r)
			} else {
				b.WriteRune(utf8.RuneError)
			}
		}
	}
	return b.String()
}
