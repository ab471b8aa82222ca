package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"medconseil"
	"medconseil/internal/authz"
)

// delaiInstructionArret is the échelon's service target for giving an avis on a
// sick-leave notice, in days from receipt. It is an operational target, not a legal
// deadline, and drives the worklist's due dates.
const delaiInstructionArret = 7

// ArretInput is a sick-leave notice as submitted.
type ArretInput struct {
	Assure       medconseil.Assure
	Prescripteur medconseil.RPPS
	Arret        medconseil.ArretTravail
	Faits        map[string]string // facts for the ij rule set (salaries, hours), optional
}

var errIdemRace = errors.New("idempotency key inserted concurrently")

// CreateArret files an avis d'arrêt de travail without pre-analysis (an Intake
// without analyst): tests of the store use it; the server, synth and the benches
// file through an Intake with its analyst.
func (db *DB) CreateArret(ctx context.Context, a *medconseil.Acteur, in ArretInput, m Meta) (id int64, replay bool, err error) {
	return (&Intake{DB: db}).FileArret(ctx, a, in, m)
}

func aad(table string, id int64, column string) string {
	return fmt.Sprintf("%s:%d:%s", table, id, column)
}

func (db *DB) seal(table string, id int64, column, plain string) (string, error) {
	if db.Keys == nil {
		return "", medconseil.Internal(errors.New("no encryption keys configured"))
	}
	v, err := db.Keys.Encrypt(plain, aad(table, id, column))
	if err != nil {
		return "", medconseil.Internal(err)
	}
	return v, nil
}

func (db *DB) open(table string, id int64, column, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if db.Keys == nil {
		return "", medconseil.Internal(errors.New("no encryption keys configured"))
	}
	v, err := db.Keys.Decrypt(sealed, aad(table, id, column))
	if err != nil {
		return "", medconseil.Internal(err)
	}
	return v, nil
}

func (db *DB) sealArret(id int64, a medconseil.ArretTravail) ([3]string, error) {
	var out [3]string
	for i, c := range []struct{ col, v string }{{"cim10", string(a.CIM10)}, {"libelle", a.Libelle}, {"motif", a.Motif}} {
		s, err := db.seal("arret", id, c.col, c.v)
		if err != nil {
			return out, err
		}
		out[i] = s
	}
	return out, nil
}

// dossierRow is the unprotected core of a dossier, read before the policy decides.
type dossierRow struct {
	medconseil.Dossier
	nir       string
	employeur string
	decl      medconseil.Assure // identity as declared on this filing
}

const dossierCols = `d.id, d.type, d.etat, d.version, d.departement, d.nir, d.prescripteur, d.recue_le, d.echeance, d.attribue_a, d.employeur, d.decl_nom, d.decl_prenom, d.decl_naissance, d.decl_residence`

func scanDossier(s scanner) (*dossierRow, error) {
	r := &dossierRow{}
	var typ, etat, recue, prescripteur string
	if err := s.Scan(&r.ID, &typ, &etat, &r.Version, &r.Departement, &r.nir, &prescripteur, &recue, &r.Echeance, &r.AttribueA,
		&r.employeur, &r.decl.Nom, &r.decl.Prenom, &r.decl.Naissance, &r.decl.Residence); err != nil {
		return nil, err
	}
	r.Type, r.Etat, r.Prescripteur = medconseil.TypeDossier(typ), medconseil.Etat(etat), medconseil.RPPS(prescripteur)
	r.RecueLe, _ = parseTS(recue)
	r.decl.NIR = medconseil.NIR(r.nir)
	return r, nil
}

func (r *dossierRow) scope() authz.Scope {
	return authz.Scope{Type: r.Type, Departement: r.Departement, Prescripteur: r.Prescripteur, NIR: medconseil.NIR(r.nir), Employeur: r.employeur}
}

// identity returns the identity a reads on r: the registered (versioned) record
// for the roles the policy entitles to it, else what this filing declared.
func (t *Tx) identity(ctx context.Context, a *medconseil.Acteur, r *dossierRow) (*medconseil.Assure, error) {
	if !t.registeredIdentity(a, r) {
		decl := r.decl
		return &decl, nil
	}
	as := &medconseil.Assure{}
	var nir string
	if err := t.QueryRow(ctx, `SELECT nir, nom, prenom, naissance, residence FROM assure WHERE nir = ?`, r.nir).Scan(&nir, &as.Nom, &as.Prenom, &as.Naissance, &as.Residence); err != nil {
		return nil, medconseil.Internal(err)
	}
	as.NIR = medconseil.NIR(nir)
	return as, nil
}

// disclose fills what classes allows of the dossier behind r, decrypting clinical
// fields only when allowed. The unprotected fields of r are cleared first.
func (t *Tx) disclose(ctx context.Context, a *medconseil.Acteur, r *dossierRow, classes medconseil.FieldSet) (*medconseil.Dossier, error) {
	d := r.Dossier
	d.Visible = classes
	if !classes.Has(medconseil.Administratif) {
		d.Prescripteur, d.Echeance, d.AttribueA = "", medconseil.Date{}, ""
	}
	if classes.Has(medconseil.Identite) {
		as, err := t.identity(ctx, a, r)
		if err != nil {
			return nil, err
		}
		d.Assure = as
	}
	if d.Type == medconseil.TypeArretTravail && (classes.Has(medconseil.Administratif) || classes.Has(medconseil.Clinique)) {
		var nature, cim, lib, motif string
		var initial sql.NullInt64
		var tele int
		ar := &medconseil.ArretTravail{}
		if err := t.QueryRow(ctx, `SELECT nature, initial_id, debut, fin, teleconsultation, cim10_enc, libelle_enc, motif_enc FROM arret WHERE dossier_id = ?`, r.ID).
			Scan(&nature, &initial, &ar.Debut, &ar.Fin, &tele, &cim, &lib, &motif); err != nil {
			return nil, medconseil.Internal(err)
		}
		if classes.Has(medconseil.Administratif) {
			ar.Nature, ar.InitialID, ar.Teleconsultation = medconseil.Nature(nature), initial.Int64, tele == 1
		} else {
			ar.Debut, ar.Fin = medconseil.Date{}, medconseil.Date{}
		}
		if classes.Has(medconseil.Clinique) {
			db := t.db
			c, err := db.open("arret", r.ID, "cim10", cim)
			if err != nil {
				return nil, err
			}
			ar.CIM10 = medconseil.CIM10(c)
			if ar.Libelle, err = db.open("arret", r.ID, "libelle", lib); err != nil {
				return nil, err
			}
			if ar.Motif, err = db.open("arret", r.ID, "motif", motif); err != nil {
				return nil, err
			}
		}
		d.Arret = ar
	}
	if d.Type != medconseil.TypeArretTravail {
		dem, err := t.demande(ctx, r.ID, d.Type, classes)
		if err != nil {
			return nil, err
		}
		d.Demande = dem
	}
	if classes.Has(medconseil.Decision) {
		var sens, motif, par, le string
		var effet medconseil.Date
		err := t.QueryRow(ctx, `SELECT sens, effet_au, motif_enc, par, le FROM avis WHERE dossier_id = ?`, r.ID).Scan(&sens, &effet, &motif, &par, &le)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, medconseil.Internal(err)
		default:
			v := &medconseil.Avis{Sens: medconseil.Sens(sens), EffetAu: effet, Par: par}
			v.Le, _ = parseTS(le)
			if classes.Has(medconseil.Clinique) {
				if v.Motif, err = t.db.open("avis", r.ID, "motif", motif); err != nil {
					return nil, err
				}
			}
			d.Avis = v
		}
	}
	return &d, nil
}

// Dossier reads one dossier for a through the gate, disclosing only the field
// classes the policy allows, with the assuré's other arrêts, the clinical notes, the
// pre-analysis and alerts (medical roles), the facts; the read is journaled in the
// same transaction. A dossier a may not see is answered ENOTFOUND, exactly as a
// missing one, and the attempt is journaled.
func (db *DB) Dossier(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) (*medconseil.Dossier, error) {
	var out *medconseil.Dossier
	err := db.writeGated(ctx, func(tx *Tx) error {
		r, classes, err := tx.gate(ctx, a, id, "dossier.lecture", m)
		if err != nil {
			return err
		}
		d, err := tx.disclose(ctx, a, r, classes)
		if err != nil {
			return err
		}
		d.Permis = tx.permis(a, r)
		seen := classes
		if classes.Has(medconseil.Clinique) {
			if d.Arret != nil && d.Arret.InitialID != 0 {
				alerts, err := tx.terminologyAlerts(ctx, a, d)
				if err != nil {
					return err
				}
				d.Alertes = alerts
			}
			if d.Notes, err = tx.notes(ctx, id, db.Policy.SeesInternalNotes(a, r.scope())); err != nil {
				return err
			}
		}
		if d.Permis.PreAnalyse || d.Permis.Faits {
			if err := tx.preAnalyse(ctx, a, d); err != nil {
				return err
			}
		}
		if classes.Has(medconseil.Administratif) {
			if d.Faits, err = tx.faits(ctx, id); err != nil {
				return err
			}
		}
		hist, histSeen, err := tx.history(ctx, a, r.nir, id)
		if err != nil {
			return err
		}
		d.Historique = hist
		seen |= histSeen
		out = d
		return tx.journalShown(ctx, a, "dossier.lecture", fmt.Sprintf("dossier:%d", id), shownByDossier(d), seen, m, ResultOK)
	})
	if err != nil {
		return nil, err // nothing read is returned without its journal entry
	}
	return out, nil
}

// terminologyAlerts compares a prolongation with its initial notice, read through
// the gate: only when a may see the initial's clinical content too.
func (t *Tx) terminologyAlerts(ctx context.Context, a *medconseil.Acteur, d *medconseil.Dossier) ([]medconseil.Alerte, error) {
	r, ok, err := t.loadRow(ctx, d.Arret.InitialID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	classes := t.classesOf(a, r)
	if !classes.Has(medconseil.Clinique) {
		return []medconseil.Alerte{{Code: "initial_hors_territoire", Message: "L'arrêt initial relève d'un autre territoire : comparaison du diagnostic impossible."}}, nil
	}
	initial, err := t.disclose(ctx, a, r, classes)
	if err != nil {
		return nil, err
	}
	return medconseil.TerminologyAlerts(*initial.Arret, *d.Arret), nil
}

// notes reads the clinical notes of a dossier: all of them for the medical team,
// only those addressed to the prescriber otherwise (internal false).
func (t *Tx) notes(ctx context.Context, id int64, internal bool) ([]medconseil.NoteClinique, error) {
	q := `SELECT id, auteur, le, texte_enc, destinataire FROM note_clinique WHERE dossier_id = ?`
	if !internal {
		q += ` AND destinataire = '` + medconseil.NotePrescripteur + `'`
	}
	rows, err := t.Query(ctx, q+` ORDER BY id`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []medconseil.NoteClinique
	for rows.Next() {
		var nid int64
		var n medconseil.NoteClinique
		var le, enc string
		if err := rows.Scan(&nid, &n.Auteur, &le, &enc, &n.Destinataire); err != nil {
			return nil, medconseil.Internal(err)
		}
		n.Le, _ = parseTS(le)
		if n.Texte, err = t.db.open("note_clinique", nid, "texte", enc); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// history returns the assuré's other dossiers that a may see, each disclosed per
// its own classes through the gate, newest first.
func (t *Tx) history(ctx context.Context, a *medconseil.Acteur, nir string, except int64) ([]medconseil.Dossier, medconseil.FieldSet, error) {
	rows, err := t.Query(ctx, `SELECT `+dossierCols+` FROM dossier d WHERE d.nir = ? AND d.id <> ? ORDER BY d.recue_le DESC, d.id DESC LIMIT 100`,
		nir, except)
	if err != nil {
		return nil, 0, medconseil.Internal(err)
	}
	var rs []*dossierRow
	for rows.Next() {
		r, err := scanDossier(rows)
		if err != nil {
			rows.Close()
			return nil, 0, medconseil.Internal(err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	var out []medconseil.Dossier
	var seen medconseil.FieldSet
	for _, r := range rs {
		classes := t.classesOf(a, r)
		if leakFault("historique") {
			classes = medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Clinique).With(medconseil.Decision)
		}
		if classes == 0 {
			continue
		}
		// The history shows dates, codes and outcomes; identity is the current dossier's.
		d, err := t.disclose(ctx, a, r, classes&^medconseil.FieldSet(medconseil.Identite))
		if err != nil {
			return nil, 0, err
		}
		seen |= d.Visible
		out = append(out, *d)
	}
	return out, seen, nil
}

// GiveAvis records the avis of a praticien-conseil on a dossier opened at version.
// An avis on a stale version (someone else changed the dossier meanwhile) is refused
// with ECONFLICT; a dossier a may not see is ENOTFOUND; one a may see but not decide
// on is EFORBIDDEN.
func (db *DB) GiveAvis(ctx context.Context, a *medconseil.Acteur, id int64, version int, v medconseil.Avis, m Meta) (newVersion int, err error) {
	route := fmt.Sprintf("POST /api/v1/dossiers/%d/avis", id)
	err = db.writeGated(ctx, func(tx *Tx) error {
		if stored, ok, err := tx.idemLookup(ctx, a, m, route); err != nil {
			return err
		} else if ok {
			var body struct{ Version int }
			if err := json.Unmarshal([]byte(stored), &body); err != nil {
				return medconseil.Internal(err)
			}
			newVersion = body.Version
			return nil
		}
		objet := fmt.Sprintf("dossier:%d", id)
		r, classes, err := tx.gateAct(ctx, a, id, "avis.saisie", authz.ActionAvis, "seul un praticien-conseil de ce territoire peut rendre un avis", m)
		if err != nil {
			return err
		}
		if err := staleVersion(r, version, " pour voir les changements avant de rendre votre avis"); err != nil {
			return err
		}
		if !r.Etat.Open() {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "sens", Message: fmt.Sprintf("le dossier est à l'état « %s » : un avis a déjà été rendu", r.Etat.Label())}
		}
		d, err := tx.disclose(ctx, a, r, classes)
		if err != nil {
			return err
		}
		if err := v.Validate(d.Arret); err != nil {
			return err
		}
		now := db.Now()
		motif, err := db.seal("avis", id, "motif", v.Motif)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO avis (dossier_id, sens, effet_au, motif_enc, par, le) VALUES (?, ?, ?, ?, ?, ?)`,
			id, string(v.Sens), v.EffetAu, motif, a.Login, ts(now)); err != nil {
			return medconseil.Internal(err)
		}
		newVersion = r.Version + 1
		res, err := tx.Exec(ctx, `UPDATE dossier SET etat = ?, version = ?, attribue_a = ?, maj_le = ? WHERE id = ? AND version = ?`,
			string(medconseil.EtatAvisRendu), newVersion, a.Login, ts(now), id, r.Version)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: "le dossier a été modifié en même temps : rouvrez-le"}
		}
		// The avis cancels the pending deadlines (accord tacite…) and starts its own (echeance.go).
		if err := tx.LifecycleEvent(ctx, id, r.Type, "avis", medconseil.EtatAvisRendu); err != nil {
			return err
		}
		// The conclusion to the caisse, in this transaction (outbox, notification.go).
		if _, err := tx.Notify(ctx, Notification{DossierID: id, Nature: "avis", Conclusion: AvisConclusion(r.Type, v), Date: medconseil.DateOf(now)}); err != nil {
			return err
		}
		// The letters to the assuré, the prescriber and the caisse (courrier_decision.go).
		if err := tx.courriersAvis(ctx, a, id, v); err != nil {
			return err
		}
		// The draft of this avis, if any, has served (avis.go).
		if _, err := tx.Exec(ctx, `DELETE FROM brouillon_avis WHERE utilisateur_id = ? AND dossier_id = ?`, a.ID, id); err != nil {
			return medconseil.Internal(err)
		}
		if err := tx.idemSave(ctx, a, m, route, 200, fmt.Sprintf(`{"version":%d}`, newVersion)); err != nil {
			return err
		}
		return tx.journal(ctx, a, "avis.saisie", objet, medconseil.FieldSet(0).With(medconseil.Clinique).With(medconseil.Decision), m, ResultOK)
	})
	if errors.Is(err, errIdemRace) {
		return db.GiveAvis(ctx, a, id, version, v, m)
	}
	return newVersion, err
}

// AddNote records an internal clinical note (entretien, examen clinique) on a
// dossier; only medical roles of the territory may, and the text is encrypted at rest.
func (db *DB) AddNote(ctx context.Context, a *medconseil.Acteur, id int64, texte string, m Meta) error {
	return db.AddNoteTo(ctx, a, id, texte, medconseil.NoteInterne, m)
}

// AddNoteTo records a clinical note for an addressee: medconseil.NoteInterne (the
// medical team) or medconseil.NotePrescripteur (also the prescriber).
func (db *DB) AddNoteTo(ctx context.Context, a *medconseil.Acteur, id int64, texte, destinataire string, m Meta) error {
	texte = strings.TrimSpace(texte)
	if err := medconseil.CheckText("texte", texte, 20000); err != nil {
		return err
	}
	switch destinataire {
	case medconseil.NoteInterne, medconseil.NotePrescripteur:
	default:
		return medconseil.FieldErrorf("destinataire", "destinataire %q inconnu : interne ou prescripteur", destinataire)
	}
	return db.writeGated(ctx, func(tx *Tx) error {
		objet := fmt.Sprintf("dossier:%d", id)
		_, _, err := tx.gateAct(ctx, a, id, "note.saisie", authz.ActionNote, "seuls les personnels médicaux du territoire peuvent saisir une note clinique", m)
		if err != nil {
			return err
		}
		var nid int64
		if err := tx.QueryRow(ctx, `INSERT INTO note_clinique (dossier_id, auteur, le, texte_enc, destinataire) VALUES (?, ?, ?, '', ?) RETURNING id`, id, a.Login, ts(db.Now()), destinataire).Scan(&nid); err != nil {
			return medconseil.Internal(err)
		}
		enc, err := db.seal("note_clinique", nid, "texte", texte)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE note_clinique SET texte_enc = ? WHERE id = ?`, enc, nid); err != nil {
			return medconseil.Internal(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE dossier SET version = version + 1, maj_le = ? WHERE id = ?`, ts(db.Now()), id); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "note.saisie", objet, medconseil.FieldSet(0).With(medconseil.Clinique), m, ResultOK)
	})
}

// idemLookup returns the stored response of a request already made with the same
// Idempotency-Key by the same acteur; a key reused for another request is a conflict.
func (t *Tx) idemLookup(ctx context.Context, a *medconseil.Acteur, m Meta, route string) (string, bool, error) {
	if m.IdemKey == "" || a == nil {
		return "", false, nil
	}
	var r, h, body string
	err := t.QueryRow(ctx, `SELECT route, corps_hash, reponse FROM idempotence WHERE utilisateur_id = ? AND cle = ?`, a.ID, m.IdemKey).Scan(&r, &h, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, medconseil.Internal(err)
	}
	if r != route || h != m.BodyHash {
		return "", false, &medconseil.Error{Code: medconseil.ECONFLICT, Field: "Idempotency-Key", Message: "cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé"}
	}
	return body, true, nil
}

func (t *Tx) idemSave(ctx context.Context, a *medconseil.Acteur, m Meta, route string, status int, body string) error {
	if m.IdemKey == "" || a == nil {
		return nil
	}
	_, err := t.Exec(ctx, `INSERT INTO idempotence (utilisateur_id, cle, route, corps_hash, statut, reponse, cree_le) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.ID, m.IdemKey, route, m.BodyHash, status, body, ts(t.now()))
	if isUniqueViolation(err) {
		return errIdemRace
	}
	if err != nil {
		return medconseil.Internal(err)
	}
	return nil
}
