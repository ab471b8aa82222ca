package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"medconseil"
)

// The agenda of the sites (issue 13): rooms, weekly recurring plages per
// praticien, absences, and the slots they generate. Only dates, places and
// dossier numbers: the agenda is administrative. Its rights come from
// authz.Policy.AgendaAccess; every write and read is journaled.

// parisTZ is the zone of the agenda's wall-clock times.
var parisTZ = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

// Paris returns the zone the agenda's wall-clock times are in.
func Paris() *time.Location { return parisTZ }

// AgendaSite is a site as the agenda shows it.
type AgendaSite struct {
	Code, Nom, Departement, Commune, Adresse string
}

// agendaSites returns the sites of the organisation, by code.
func (t *Tx) agendaSites(ctx context.Context) (map[string]AgendaSite, error) {
	rows, err := t.Query(ctx, `SELECT code, nom, departement, commune, adresse FROM organisme WHERE type = 'site'`)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	out := map[string]AgendaSite{}
	for rows.Next() {
		var s AgendaSite
		if err := rows.Scan(&s.Code, &s.Nom, &s.Departement, &s.Commune, &s.Adresse); err != nil {
			return nil, medconseil.Internal(err)
		}
		out[s.Code] = s
	}
	return out, rows.Err()
}

// Sites lists the sites whose agenda a may read.
func (db *DB) Sites(ctx context.Context, a *medconseil.Acteur) ([]AgendaSite, error) {
	var out []AgendaSite
	err := db.Read(ctx, func(tx *Tx) error {
		all, err := tx.agendaSites(ctx)
		if err != nil {
			return err
		}
		for _, s := range all {
			if read, _ := db.Policy.AgendaAccess(a, s.Code); read {
				out = append(out, s)
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, err
}

// agendaGate checks a's right on site; a site a may not read is ENOTFOUND, as a
// missing one, and the attempt is journaled.
func (t *Tx) agendaGate(ctx context.Context, a *medconseil.Acteur, site string, manage bool, action string, m Meta) (AgendaSite, error) {
	sites, err := t.agendaSites(ctx)
	if err != nil {
		return AgendaSite{}, err
	}
	s, ok := sites[site]
	read, man := t.db.Policy.AgendaAccess(a, site)
	if !ok || !read {
		if err := t.journal(ctx, a, action, "site:"+site, 0, m, ResultRefused); err != nil {
			return s, err
		}
		return s, &refusal{medconseil.NotFound("Site")}
	}
	if manage && !man {
		if err := t.journal(ctx, a, action, "site:"+site, 0, m, ResultRefused); err != nil {
			return s, err
		}
		return s, &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "l'agenda d'un site est tenu par ses agents administratifs et son médecin-conseil chef"}}
	}
	return s, nil
}

func agendaMeta(m Meta) Meta {
	if m.Finalite == "" {
		m.Finalite = "agenda"
	}
	return m
}

// AddSalle adds a room to a site.
func (db *DB) AddSalle(ctx context.Context, a *medconseil.Acteur, s medconseil.Salle, m Meta) (int64, error) {
	m = agendaMeta(m)
	s.Nom, s.Adresse = strings.TrimSpace(s.Nom), strings.TrimSpace(s.Adresse)
	if s.Nom == "" || len([]rune(s.Nom)) > 80 {
		return 0, medconseil.FieldErrorf("nom", "nom de la salle attendu (80 caractères au plus)")
	}
	var id int64
	err := db.writeGated(ctx, func(tx *Tx) error {
		if _, err := tx.agendaGate(ctx, a, s.Site, true, "agenda.salle", m); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO agenda_salle (site, nom, adresse) VALUES (?, ?, ?) RETURNING id`, s.Site, s.Nom, s.Adresse).Scan(&id)
		if isUniqueViolation(err) {
			return medconseil.FieldErrorf("nom", "le site a déjà une salle « %s »", s.Nom)
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "agenda.salle", fmt.Sprintf("salle:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	return id, err
}

// Salles lists the rooms of a site a may read.
func (db *DB) Salles(ctx context.Context, a *medconseil.Acteur, site string) ([]medconseil.Salle, error) {
	if read, _ := db.Policy.AgendaAccess(a, site); !read {
		return nil, medconseil.NotFound("Site")
	}
	var out []medconseil.Salle
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, site, nom, adresse FROM agenda_salle WHERE site = ? ORDER BY nom`, site)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s medconseil.Salle
			if err := rows.Scan(&s.ID, &s.Site, &s.Nom, &s.Adresse); err != nil {
				return medconseil.Internal(err)
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

type span struct{ debut, fin string }

// AddPlage records a weekly recurring plage and generates its slots, skipping the
// praticien's absences. A plage whose slots would overlap a slot of the same
// praticien or room is refused whole, naming the first conflict.
func (db *DB) AddPlage(ctx context.Context, a *medconseil.Acteur, p medconseil.Plage, m Meta) (id int64, created int, err error) {
	m = agendaMeta(m)
	now := db.Now().In(parisTZ)
	if err := p.Validate(medconseil.DateOf(now)); err != nil {
		return 0, 0, err
	}
	err = db.writeGated(ctx, func(tx *Tx) error {
		created = 0
		if _, err := tx.agendaGate(ctx, a, p.Site, true, "agenda.plage", m); err != nil {
			return err
		}
		var salleSite string
		if err := tx.QueryRow(ctx, `SELECT site FROM agenda_salle WHERE id = ?`, p.SalleID).Scan(&salleSite); errors.Is(err, sql.ErrNoRows) || salleSite != p.Site {
			return medconseil.FieldErrorf("salle", "aucune salle n° %d sur ce site", p.SalleID)
		} else if err != nil {
			return medconseil.Internal(err)
		}
		if ok, err := tx.userExists(ctx, p.Praticien); err != nil {
			return err
		} else if !ok {
			return medconseil.FieldErrorf("praticien", "aucun compte « %s »", p.Praticien)
		}
		slots := plageSlots(p, now)
		if len(slots) == 0 {
			return medconseil.FieldErrorf("jour", "aucun %s à venir entre le %s et le %s", medconseil.Jours[p.Jour], p.Du.Francais(), p.Au.Francais())
		}
		absences, err := tx.absences(ctx, p.Praticien, p.Du, p.Au)
		if err != nil {
			return err
		}
		// Existing slots of the praticien or of the room over the period.
		rows, err := tx.Query(ctx, `SELECT debut, fin, praticien FROM creneau WHERE (praticien = ? OR salle_id = ?) AND debut >= ? AND debut < ?`,
			p.Praticien, p.SalleID, p.Du.String(), p.Au.AddDays(1).String())
		if err != nil {
			return medconseil.Internal(err)
		}
		var existing []span
		for rows.Next() {
			var s span
			var who string
			if err := rows.Scan(&s.debut, &s.fin, &who); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			existing = append(existing, s)
		}
		rows.Close()
		for _, s := range slots {
			for _, e := range existing {
				if s.debut < e.fin && e.debut < s.fin {
					return medconseil.FieldErrorf("debut", "chevauchement : le créneau du %s chevauche un créneau existant du praticien ou de la salle (%s–%s)", frDateTime(s.debut), frDateTime(e.debut), e.fin[11:])
				}
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO agenda_plage (site, salle_id, praticien, jour, debut, fin, duree, du, au, cree_par, cree_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.Site, p.SalleID, p.Praticien, p.Jour, p.Debut, p.Fin, p.Duree, p.Du.String(), p.Au.String(), a.Login, ts(db.Now())).Scan(&id); err != nil {
			return medconseil.Internal(err)
		}
		for _, s := range slots {
			if absent(absences, s) {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO creneau (site, salle_id, praticien, debut, fin, plage_id) VALUES (?, ?, ?, ?, ?, ?)`,
				p.Site, p.SalleID, p.Praticien, s.debut, s.fin, id); err != nil {
				if isUniqueViolation(err) {
					return medconseil.FieldErrorf("debut", "chevauchement : un créneau du praticien ou de la salle commence déjà le %s", frDateTime(s.debut))
				}
				return medconseil.Internal(err)
			}
			created++
		}
		return tx.journal(ctx, a, "agenda.plage", fmt.Sprintf("plage:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	return id, created, err
}

// plageSlots lists the slots of p that start after now.
func plageSlots(p medconseil.Plage, now time.Time) []span {
	d0, _ := medconseil.ParseHeure(p.Debut)
	f0, _ := medconseil.ParseHeure(p.Fin)
	cut := now.Format(medconseil.CreneauLayout)
	var out []span
	for d := p.Du; !d.After(p.Au); d = d.AddDays(1) {
		wd := int(d.Weekday())
		if wd == 0 {
			wd = 7
		}
		if wd != p.Jour {
			continue
		}
		for t := d0; t+p.Duree <= f0; t += p.Duree {
			s := span{fmt.Sprintf("%sT%02d:%02d", d, t/60, t%60), fmt.Sprintf("%sT%02d:%02d", d, (t+p.Duree)/60, (t+p.Duree)%60)}
			if s.debut > cut {
				out = append(out, s)
			}
		}
	}
	return out
}

func (t *Tx) userExists(ctx context.Context, login string) (bool, error) {
	var n int
	if err := t.QueryRow(ctx, `SELECT COUNT(*) FROM utilisateur WHERE login = ?`, login).Scan(&n); err != nil {
		return false, medconseil.Internal(err)
	}
	return n > 0, nil
}

func (t *Tx) absences(ctx context.Context, praticien string, du, au medconseil.Date) ([]span, error) {
	rows, err := t.Query(ctx, `SELECT du, au FROM agenda_absence WHERE praticien = ? AND au >= ? AND du <= ?`, praticien, du.String(), au.String())
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []span
	for rows.Next() {
		var s span
		if err := rows.Scan(&s.debut, &s.fin); err != nil {
			return nil, medconseil.Internal(err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// absent reports whether slot s falls on a day of one of the absences (dates inclusive).
func absent(abs []span, s span) bool {
	day := s.debut[:10]
	for _, a := range abs {
		if day >= a.debut && day <= a.fin {
			return true
		}
	}
	return false
}

func frDateTime(s string) string {
	t, err := time.Parse(medconseil.CreneauLayout, s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006 à 15:04")
}

// AddAbsence records an absence of a praticien on a site's agenda (dates
// inclusive) and removes the free slots it covers. Slots already booked are not
// touched silently: the absence is refused, naming the convocations to move first.
func (db *DB) AddAbsence(ctx context.Context, a *medconseil.Acteur, site, praticien string, du, au medconseil.Date, motif string, m Meta) (removed int, err error) {
	m = agendaMeta(m)
	switch {
	case du.IsZero():
		return 0, medconseil.FieldErrorf("du", "premier jour d'absence manquant")
	case au.IsZero():
		return 0, medconseil.FieldErrorf("au", "dernier jour d'absence manquant")
	case au.Before(du):
		return 0, medconseil.FieldErrorf("au", "le dernier jour (%s) précède le premier (%s)", au.Francais(), du.Francais())
	case strings.TrimSpace(praticien) == "":
		return 0, medconseil.FieldErrorf("praticien", "praticien manquant")
	}
	err = db.writeGated(ctx, func(tx *Tx) error {
		if _, err := tx.agendaGate(ctx, a, site, true, "agenda.absence", m); err != nil {
			return err
		}
		var booked []string
		rows, err := tx.Query(ctx, `SELECT v.id FROM creneau c JOIN convocation v ON v.creneau_id = c.id AND v.actif = 1 AND v.statut = 'prevue'
			WHERE c.praticien = ? AND c.debut >= ? AND c.debut < ? ORDER BY c.debut`, praticien, du.String(), au.AddDays(1).String())
		if err != nil {
			return medconseil.Internal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			booked = append(booked, fmt.Sprint(id))
		}
		rows.Close()
		if len(booked) > 0 {
			return medconseil.FieldErrorf("du", "le praticien a des convocations sur cette période (n° %s) : reportez-les d'abord", strings.Join(booked, ", "))
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO agenda_absence (praticien, du, au, motif, cree_par, cree_le) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			praticien, du.String(), au.String(), strings.TrimSpace(motif), a.Login, ts(db.Now())).Scan(&id); err != nil {
			return medconseil.Internal(err)
		}
		res, err := tx.Exec(ctx, `DELETE FROM creneau WHERE praticien = ? AND debut >= ? AND debut < ?
			AND NOT EXISTS (SELECT 1 FROM convocation v WHERE v.creneau_id = creneau.id)`, praticien, du.String(), au.AddDays(1).String())
		if err != nil {
			return medconseil.Internal(err)
		}
		n, _ := res.RowsAffected()
		removed = int(n)
		return tx.journal(ctx, a, "agenda.absence", fmt.Sprintf("absence:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	return removed, err
}

// AgendaFilter selects slots of an agenda.
type AgendaFilter struct {
	Site      string
	Praticien string // "" for every praticien of the site
	Du, Au    medconseil.Date
	Limit     int
}

// Agenda lists the slots of a site (or of one praticien over the sites a may
// read), booked or free, with the convocation holding each booked one: dates,
// places and dossier numbers. The read is journaled with the dossiers shown.
func (db *DB) Agenda(ctx context.Context, a *medconseil.Acteur, f AgendaFilter, m Meta) ([]medconseil.Creneau, error) {
	m = agendaMeta(m)
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 5000
	}
	var out []medconseil.Creneau
	err := db.writeGated(ctx, func(tx *Tx) error {
		out = out[:0]
		sites, err := tx.agendaSites(ctx)
		if err != nil {
			return err
		}
		q := `SELECT c.id, c.site, c.salle_id, s.nom, s.adresse, c.praticien, c.debut, c.fin, COALESCE(v.id, 0), COALESCE(v.dossier_id, 0)
			FROM creneau c JOIN agenda_salle s ON s.id = c.salle_id LEFT JOIN convocation v ON v.creneau_id = c.id AND v.actif = 1 WHERE c.debut >= ? AND c.debut < ?`
		args := []any{f.Du.String(), f.Au.AddDays(1).String()}
		objet := "site:" + f.Site
		if f.Site != "" {
			if _, err := tx.agendaGate(ctx, a, f.Site, false, "agenda.lecture", m); err != nil {
				return err
			}
			q += ` AND c.site = ?`
			args = append(args, f.Site)
		}
		if f.Praticien != "" {
			q += ` AND c.praticien = ?`
			args = append(args, f.Praticien)
			objet = "praticien:" + f.Praticien
		}
		rows, err := tx.Query(ctx, q+` ORDER BY c.debut, c.id LIMIT ?`, append(args, f.Limit)...)
		if err != nil {
			return medconseil.Internal(err)
		}
		var shown []int64
		for rows.Next() {
			var c medconseil.Creneau
			if err := rows.Scan(&c.ID, &c.Site, &c.SalleID, &c.Salle, &c.Adresse, &c.Praticien, &c.Debut, &c.Fin, &c.ConvocationID, &c.DossierID); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			if read, _ := db.Policy.AgendaAccess(a, c.Site); !read {
				continue
			}
			s := sites[c.Site]
			c.SiteNom = s.Nom
			if c.Adresse == "" {
				c.Adresse = s.Adresse
			}
			if c.DossierID != 0 {
				shown = append(shown, c.DossierID)
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journalShown(ctx, a, "agenda.lecture", objet, shown, medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	return out, err
}

// Geo locates a commune (INSEE code): its centroid, ok false when unknown. The
// server builds it from the communes référentiel (../shared/reference/geo).
type Geo func(commune string) (lat, lon float64, ok bool)

// siteDistance is a site with its distance from the assuré's commune.
type siteDistance struct {
	AgendaSite
	km float64
}

// ProposeCreneaux proposes the n best free slots for convoking the assuré of
// dossier id: the nearest sites first (great-circle distance between the
// centroids of the assuré's commune of residence and of the site's commune),
// then the earliest slots. A site whose distance is unknown comes last. The read
// goes through the dossier's gate and is journaled.
func (db *DB) ProposeCreneaux(ctx context.Context, a *medconseil.Acteur, id int64, geo Geo, n int, m Meta) ([]medconseil.Creneau, error) {
	if m.Finalite == "" {
		m.Finalite = "convocation"
	}
	if n <= 0 || n > 100 {
		n = 10
	}
	var out []medconseil.Creneau
	err := db.writeGated(ctx, func(tx *Tx) error {
		out = out[:0]
		r, _, err := tx.gate(ctx, a, id, "convocation.proposition", m)
		if err != nil {
			return err
		}
		if !tx.mayConvoke(a, r) {
			if err := tx.journal(ctx, a, "convocation.proposition", fmt.Sprintf("dossier:%d", id), 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "seuls les agents administratifs et les praticiens-conseils du territoire convoquent un assuré"}}
		}
		res, err := tx.residenceOf(ctx, r)
		if err != nil {
			return err
		}
		from := db.Now().In(parisTZ).Format(medconseil.CreneauLayout)
		if out, err = tx.BestFreeSlots(ctx, res, r.Departement, geo, from, n); err != nil {
			return err
		}
		return tx.journal(ctx, a, "convocation.proposition", fmt.Sprintf("dossier:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	return out, err
}

// BestFreeSlots is the search behind ProposeCreneaux, without gate nor journal
// (the caller has opened the dossier): the n first free slots after from, the
// sites nearest to commune residence first, then the earliest; dep is the
// dossier's département (HorsDepartement, and the order when distances are unknown).
func (t *Tx) BestFreeSlots(ctx context.Context, residence, dep string, geo Geo, from string, n int) ([]medconseil.Creneau, error) {
	ordered, err := t.sitesByDistance(ctx, residence, dep, geo)
	if err != nil {
		return nil, err
	}
	var out []medconseil.Creneau
	for _, s := range ordered {
		if len(out) >= n {
			break
		}
		got, err := t.freeSlots(ctx, s.Code, from, n-len(out))
		if err != nil {
			return nil, err
		}
		for _, c := range got {
			c.SiteNom, c.DistanceKm, c.HorsDepartement = s.Nom, s.km, s.Departement != dep
			if c.Adresse == "" {
				c.Adresse = s.Adresse
			}
			if math.IsInf(s.km, 1) {
				c.DistanceKm = -1
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// mayConvoke: the roles the lifecycle lets convoke (praticien-conseil, médecin
// chef, agent administratif), in the dossier's territory, through the policy.
func (t *Tx) mayConvoke(a *medconseil.Acteur, r *dossierRow) bool {
	allowed := *a
	allowed.Habilitations = nil
	for _, h := range a.Habilitations {
		switch h.Role {
		case medconseil.RolePraticienConseil, medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RoleAgentAdministratif:
			allowed.Habilitations = append(allowed.Habilitations, h)
		}
	}
	return len(allowed.Habilitations) > 0 && t.db.Policy.Classes(&allowed, r.scope()).Has(medconseil.Administratif)
}

// residenceOf is the commune of residence of the dossier's assuré: the registered
// one, else the one declared on the filing.
func (t *Tx) residenceOf(ctx context.Context, r *dossierRow) (string, error) {
	var res string
	err := t.QueryRow(ctx, `SELECT residence FROM assure WHERE nir = ?`, r.nir).Scan(&res)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", medconseil.Internal(err)
	}
	if res == "" {
		res = r.decl.Residence
	}
	return res, nil
}

func (t *Tx) sitesByDistance(ctx context.Context, res, dep string, geo Geo) ([]siteDistance, error) {
	sites, err := t.agendaSites(ctx)
	if err != nil {
		return nil, err
	}
	var lat, lon float64
	okA := false
	if geo != nil {
		lat, lon, okA = geo(res)
	}
	out := make([]siteDistance, 0, len(sites))
	for _, s := range sites {
		km := math.Inf(1)
		if okA {
			if la, lo, ok := geo(s.Commune); ok {
				km = distanceKm(lat, lon, la, lo)
			}
		}
		out = append(out, siteDistance{s, km})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].km != out[j].km {
			return out[i].km < out[j].km
		}
		// Distance unknown (no référentiel): the sites of the dossier's département first.
		ii, jj := out[i].Departement == dep, out[j].Departement == dep
		if ii != jj {
			return ii
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

// distanceKm is the haversine great-circle distance (reference.Distance; kept
// here so the store does not depend on the référentiel loader).
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKm = 6371.0088
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// freeSlots returns the earliest free slots of a site from from: one range of
// the partial index creneau_libre (migration 0920), whose reserve flag the
// convocation triggers keep in step with the active convocations.
func (t *Tx) freeSlots(ctx context.Context, site, from string, n int) ([]medconseil.Creneau, error) {
	rows, err := t.Query(ctx, `SELECT c.id, c.site, c.salle_id, s.nom, s.adresse, c.praticien, c.debut, c.fin FROM creneau c JOIN agenda_salle s ON s.id = c.salle_id
		WHERE c.site = ? AND c.debut > ? AND c.reserve = 0
		ORDER BY c.debut, c.id LIMIT ?`, site, from, n)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []medconseil.Creneau
	for rows.Next() {
		var c medconseil.Creneau
		if err := rows.Scan(&c.ID, &c.Site, &c.SalleID, &c.Salle, &c.Adresse, &c.Praticien, &c.Debut, &c.Fin); err != nil {
			return nil, medconseil.Internal(err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
