package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/courrier"
)

// The letters of a dossier (package courrier renders them): stored in the
// transaction of the decision that produces them, encrypted at rest like the
// clinical columns (sealedColumns), with the SHA-256 of the PDF as sent; listed and
// downloaded only through the gate of their dossier, and only by a reader who sees
// on that dossier every field class the letter carries.

// courrierLogin is the login journaled for letters the system writes (deadline sweep).
const courrierLogin = "systeme:courriers"

// CourrierInput is a letter to store on a dossier.
type CourrierInput struct {
	DossierID int64
	// Lettre is the letter; its Reference is set by AddCourrier, its Departement
	// (the letterhead) defaults to the dossier's, its Dossier number to DossierID.
	Lettre courrier.Lettre
	// Contenu is the set of field classes the letter carries (identité,
	// administratif, décision, clinique). A reader is shown the letter only if the
	// gate shows him all of them on the dossier; clinical content is refused for
	// an addressee who may not read it (courrier.Destinataire.MayReadClinical).
	// Identity: a letter to a doctor prints the identity as declared on the filing
	// (what the doctor sees); any other letter prints the registered identity and
	// is shown only to the readers of the registered identity.
	Contenu medconseil.FieldSet
	// Par is the acteur whose action produces the letter; nil for the system.
	Par *medconseil.Acteur
}

// Courrier is a stored letter, without its PDF.
type Courrier struct {
	ID           int64                 `json:"id"`
	DossierID    int64                 `json:"dossier_id"`
	Reference    string                `json:"reference"`
	Modele       string                `json:"modele"`
	Destinataire courrier.Destinataire `json:"destinataire"`
	Objet        string                `json:"objet"`
	Contenu      medconseil.FieldSet   `json:"-"`
	Date         medconseil.Date       `json:"date"`
	CreeLe       time.Time             `json:"cree_le"`
	Par          string                `json:"par"`
	Taille       int64                 `json:"taille"`
	SHA256       string                `json:"sha256"`
}

// Classes returns the French names of the classes the letter carries.
func (c Courrier) Classes() string { return c.Contenu.String() }

func parseFieldSet(s string) medconseil.FieldSet {
	var out medconseil.FieldSet
	for _, part := range strings.Split(s, ",") {
		for _, c := range medconseil.AllClasses {
			if c.Label() == part {
				out = out.With(c)
			}
		}
	}
	return out
}

// AddCourrier stores letter c on its dossier in the caller's transaction t: it
// allocates the letter's id and reference number (courrier.Reference: the code of
// the sending body, the year, the id), renders the PDF with that reference, and
// stores it encrypted with its SHA-256, the kind of addressee, the model and the
// classes it carries; the creation is journaled in t. It returns the id and the
// reference. A letter the addressee may not read (clinical content to the caisse,
// the employer or the assuré), an invalid letter or a missing dossier is an error
// and nothing is written — the caller's transaction should then roll back.
func (t *Tx) AddCourrier(ctx context.Context, c CourrierInput) (id int64, ref string, err error) {
	return t.addCourrier(ctx, c, t.now())
}

// addCourrier is AddCourrier at time now: the deadline sweep reads the clock once
// per batch.
func (t *Tx) addCourrier(ctx context.Context, c CourrierInput, now time.Time) (id int64, ref string, err error) {
	l := c.Lettre
	if c.Contenu == 0 {
		return 0, "", medconseil.FieldErrorf("contenu", "indiquer les classes de données que porte le courrier")
	}
	if c.Contenu.Has(medconseil.Clinique) && !l.Destinataire.MayReadClinical() {
		return 0, "", medconseil.FieldErrorf("contenu", "un courrier destiné à « %s » ne peut porter aucune donnée clinique (secret médical, art. L1110-4 CSP)", l.Destinataire.Label())
	}
	var dep string
	if err := t.QueryRow(ctx, `SELECT departement FROM dossier WHERE id = ?`, c.DossierID).Scan(&dep); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, "", medconseil.NotFound("Dossier")
		}
		return 0, "", medconseil.Internal(err)
	}
	if l.Departement == "" {
		l.Departement = dep
	}
	if l.Dossier == 0 {
		l.Dossier = c.DossierID
	}
	if err := l.Validate(); err != nil {
		return 0, "", err
	}
	ent, _ := courrier.EnteteDe(l.Departement, l.Date)
	login := courrierLogin
	if c.Par != nil {
		login = c.Par.Login
	}
	if err := t.QueryRow(ctx, `INSERT INTO courrier (dossier_id, reference, modele, destinataire, objet, contenu, date_courrier, cree_le, par, taille, sha256, pdf_enc)
		VALUES (?, '', ?, ?, ?, ?, ?, ?, ?, 0, '', '') RETURNING id`,
		c.DossierID, l.Modele, string(l.Destinataire), l.Objet, c.Contenu.String(), l.Date, ts(now), login).Scan(&id); err != nil {
		return 0, "", medconseil.Internal(err)
	}
	ref = courrier.Reference(ent.Organisme.Code, l.Date.Year(), id)
	l.Reference = ref
	pdf, err := l.PDF()
	if err != nil {
		return 0, "", err
	}
	sum := sha256.Sum256(pdf)
	sealed, err := t.db.seal("courrier", id, "pdf", base64.StdEncoding.EncodeToString(pdf))
	if err != nil {
		return 0, "", err
	}
	if _, err := t.Exec(ctx, `UPDATE courrier SET reference = ?, taille = ?, sha256 = ?, pdf_enc = ? WHERE id = ?`,
		ref, len(pdf), hex.EncodeToString(sum[:]), sealed, id); err != nil {
		return 0, "", medconseil.Internal(err)
	}
	a := c.Par
	if a == nil {
		a = &medconseil.Acteur{Login: courrierLogin}
	}
	if err := t.journalAt(ctx, a, "courrier.creation", fmt.Sprintf("courrier:%d", id), c.Contenu, now); err != nil {
		return 0, "", err
	}
	return id, ref, nil
}

const courrierCols = `id, dossier_id, reference, modele, destinataire, objet, contenu, date_courrier, cree_le, par, taille, sha256`

func scanCourrier(s scanner) (Courrier, error) {
	var c Courrier
	var dest, contenu, cree string
	if err := s.Scan(&c.ID, &c.DossierID, &c.Reference, &c.Modele, &dest, &c.Objet, &contenu, &c.Date, &cree, &c.Par, &c.Taille, &c.SHA256); err != nil {
		return c, err
	}
	c.Destinataire, c.Contenu = courrier.Destinataire(dest), parseFieldSet(contenu)
	c.CreeLe, _ = parseTS(cree)
	return c, nil
}

// mayRead reports whether a, who sees classes of dossier r, may read letter c: a
// must see every class the letter carries; and a letter that is not addressed to a
// doctor prints the assuré's registered identity (a doctor's letter, the identity
// the doctor declared), so it is only for readers of the registered identity —
// the prescriber reads the letters addressed to him, not the assuré's.
func (t *Tx) mayRead(a *medconseil.Acteur, r *dossierRow, classes medconseil.FieldSet, c Courrier) bool {
	if classes == 0 || c.Contenu&classes != c.Contenu {
		return false
	}
	if c.Contenu.Has(medconseil.Identite) && !c.Destinataire.MayReadClinical() && !t.registeredIdentity(a, r) {
		return false
	}
	return true
}

// Courriers lists the letters of dossier id that a may read (mayRead), oldest first. A dossier a may not see is
// ENOTFOUND, journaled; the list is journaled with the letters shown.
func (db *DB) Courriers(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) ([]Courrier, error) {
	var out []Courrier
	err := db.writeGated(ctx, func(tx *Tx) error {
		out = nil
		r, classes, err := tx.gate(ctx, a, id, "courriers.liste", m)
		if err != nil {
			return err
		}
		all, err := tx.courriersOf(ctx, id)
		if err != nil {
			return err
		}
		var shown medconseil.FieldSet
		for _, c := range all {
			if tx.mayRead(a, r, classes, c) {
				out = append(out, c)
				shown |= medconseil.FieldSet(0).With(medconseil.Administratif)
			}
		}
		if m.Finalite == "" {
			m.Finalite = "courrier"
		}
		return tx.journal(ctx, a, "courriers.liste", fmt.Sprintf("dossier:%d", id), shown, m, ResultOK)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *Tx) courriersOf(ctx context.Context, id int64) ([]Courrier, error) {
	rows, err := t.Query(ctx, `SELECT `+courrierCols+` FROM courrier WHERE dossier_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []Courrier
	for rows.Next() {
		c, err := scanCourrier(rows)
		if err != nil {
			return nil, medconseil.Internal(err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CourrierPDF returns letter id and its PDF for a, through the gate of its dossier:
// a letter that does not exist, whose dossier a may not see, or that carries a
// class a does not see on that dossier is ENOTFOUND, alike, and the attempt is
// journaled. A download is journaled with the classes the letter carries and the
// purpose m.Finalite ("courrier" by default). The PDF is checked against its
// stored SHA-256 before it is returned.
func (db *DB) CourrierPDF(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) (*Courrier, []byte, error) {
	var out *Courrier
	var pdf []byte
	if m.Finalite == "" {
		m.Finalite = "courrier"
	}
	err := db.writeGated(ctx, func(tx *Tx) error {
		objet := fmt.Sprintf("courrier:%d", id)
		c, err := scanCourrier(tx.QueryRow(ctx, `SELECT `+courrierCols+` FROM courrier WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			if err := tx.journal(ctx, a, "courrier.telechargement", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{medconseil.NotFound("Courrier")}
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		r, ok, err := tx.loadRow(ctx, c.DossierID)
		if err != nil {
			return err
		}
		var classes medconseil.FieldSet
		if ok {
			classes = tx.classesOf(a, r)
		}
		if !ok || !tx.mayRead(a, r, classes, c) {
			if err := tx.journal(ctx, a, "courrier.telechargement", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{medconseil.NotFound("Courrier")}
		}
		var sealed string
		if err := tx.QueryRow(ctx, `SELECT pdf_enc FROM courrier WHERE id = ?`, id).Scan(&sealed); err != nil {
			return medconseil.Internal(err)
		}
		b64, err := db.open("courrier", id, "pdf", sealed)
		if err != nil {
			return err
		}
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return medconseil.Internal(fmt.Errorf("courrier %d: %w", id, err))
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != c.SHA256 {
			return medconseil.Internal(fmt.Errorf("courrier %d: SHA-256 of the stored PDF does not match", id))
		}
		out, pdf = &c, b
		return tx.journalShown(ctx, a, "courrier.telechargement", objet, []int64{c.DossierID}, c.Contenu, m, ResultOK)
	})
	if err != nil {
		return nil, nil, err
	}
	return out, pdf, nil
}

// journalAt journals the creation of a letter at time now, purpose « courrier ».
func (t *Tx) journalAt(ctx context.Context, a *medconseil.Acteur, action, objet string, classes medconseil.FieldSet, now time.Time) error {
	if t.db.AuditKey == nil {
		return medconseil.Internal(errors.New("audit key missing: the journal cannot be sealed"))
	}
	e := AuditEntry{Le: now, ActeurID: a.ID, Login: a.Login, Roles: rolesOf(a), Action: action, Objet: objet,
		Classes: classes.String(), Finalite: "courrier", Resultat: ResultOK}
	if t.pending != nil {
		*t.pending = append(*t.pending, e)
		return nil
	}
	var head AuditEntry
	return t.flushAudit(ctx, []AuditEntry{e}, &head)
}
