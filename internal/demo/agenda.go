package demo

import (
	"context"
	"fmt"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/sqldb"
)

// SeedAgenda gives each site of Grand Est a consultation room and, for the next
// four weeks, weekday plages of 30-minute slots: the first site of a département
// in the morning (09:00–12:00) for that département's praticien-conseil, the second
// in the afternoon (14:00–17:00), a third site to the médecin-conseil régional.
// The départements without a demonstration praticien get one (praticien.<dép>,
// with the demonstration password). A site that already has a room is left as it
// is, so the demo can restart on the same base. It returns the slots created.
func SeedAgenda(ctx context.Context, db *sqldb.DB, now time.Time, password string, p auth.Params) (int, error) {
	hash, err := auth.HashPassword(password, p)
	if err != nil {
		return 0, fmt.Errorf("--demo-password : %w", err)
	}
	m := sqldb.Meta{Adresse: "console", Finalite: "demonstration"}
	op := &medconseil.Acteur{Login: "demo", Habilitations: []medconseil.Habilitation{hab(medconseil.RoleAgentAdministratif, medconseil.NiveauNational, "")}}
	perDep := map[string]int{}
	today := medconseil.DateOf(now.In(sqldb.Paris()))
	total := 0
	for _, o := range medconseil.GrandEst() {
		if o.Type != medconseil.TypeSite {
			continue
		}
		rank := perDep[o.Departement]
		perDep[o.Departement]++
		salles, err := db.Salles(ctx, op, o.Code)
		if err != nil {
			return total, err
		}
		if len(salles) > 0 {
			continue
		}
		praticien, debut, fin := "praticien."+o.Departement, "09:00", "12:00"
		switch rank {
		case 1:
			debut, fin = "14:00", "17:00"
		case 2:
			praticien = "regional"
		}
		if ok, err := db.UserExists(ctx, praticien); err != nil {
			return total, err
		} else if !ok {
			nom := "Dr " + praticien + ", praticien-conseil (" + medconseil.DepartementNom(o.Departement) + ")"
			if _, err := db.CreateUser(ctx, op, praticien, nom, hash, []medconseil.Habilitation{hab(medconseil.RolePraticienConseil, medconseil.NiveauEchelon, o.Departement)}, m); err != nil {
				return total, err
			}
		}
		salle, err := db.AddSalle(ctx, op, medconseil.Salle{Site: o.Code, Nom: "Salle de consultation 1", Adresse: "accueil du service médical, " + o.Nom}, m)
		if err != nil {
			return total, err
		}
		for jour := 1; jour <= 5; jour++ {
			_, n, err := db.AddPlage(ctx, op, medconseil.Plage{Site: o.Code, SalleID: salle, Praticien: praticien, Jour: jour, Debut: debut, Fin: fin, Duree: 30,
				Du: today.AddDays(1), Au: today.AddDays(28)}, m)
			if err != nil {
				return total, fmt.Errorf("agenda de %s : %w", o.Nom, err)
			}
			total += n
		}
	}
	return total, nil
}
