package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/synth"
)

// historyBatch is how many closed arrêts one transaction of the history import
// writes.
const historyBatch = 5000

// fileHistory files the year's closed arrêts (synth's Result.Clos) through the
// store's bulk history path (sqldb.HistoryImport): each avis with the avis the
// Service médical gave on it and its final state, without pre-analysis, and the
// avis of the earlier years of the arrêts begun before the year (their initial
// avis, which their prolongations of the year name, in flight or not). They come
// before the arrêts in flight, whose pre-analysis then reads them in the assuré's
// history (earlier arrêts, IJ days). Which avis: the first plan.max initial avis
// (all when 0) and their prolongations. Filed in the order of reception (ids
// follow the calendar), deterministic, idempotent (one key per avis). It returns
// the import, which knows the ids of the initial avis it filed.
func fileHistory(ctx context.Context, e *env, db *sqldb.DB, clos []synth.ArretEnCours, plan yearPlan) (*sqldb.HistoryImport, error) {
	op := synthOperator()
	h := &sqldb.HistoryImport{DB: db, Acteur: op, Meta: sqldb.Meta{Adresse: "console", Finalite: "synthese"}, KeyPrefix: fmt.Sprintf("synth-%d-historique-", plan.seed)}
	if len(clos) == 0 {
		return h, nil
	}
	t0, cpu0 := time.Now(), cpuTime()
	var sel []int32
	chosen := map[int64]bool{}
	orphans, initials, earlier := 0, 0, 0
	for i := range clos {
		a := &clos[i]
		if !a.Prolongation {
			if plan.max > 0 && initials >= plan.max {
				continue
			}
			initials++
			chosen[a.Num] = true
		} else if !chosen[a.Initial] {
			if plan.max == 0 || initials < plan.max {
				orphans++
			}
			continue
		}
		sel = append(sel, int32(i))
		if a.Anterieur {
			earlier++
		}
	}
	// Initial avis start before their prolongations: a stable sort by start keeps
	// each prolongation after its initial avis.
	sort.SliceStable(sel, func(i, j int) bool { return clos[sel[i]].Debut.Before(clos[sel[j]].Debut) })
	// The journal's date of the import: the end of the year.
	clock := db.Now
	defer func() { db.Now = clock }()
	fin := time.Date(plan.year, time.December, 31, 20, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return fin }
	batch := make([]sqldb.ArretHistorique, 0, historyBatch)
	flush := func() error {
		if err := h.File(ctx, batch); err != nil {
			return fmt.Errorf("historique de l'année : %w", err)
		}
		batch = batch[:0]
		return nil
	}
	for _, i := range sel {
		batch = append(batch, closedArret(&clos[i], op.Login))
		if len(batch) == historyBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	t1 := time.Now()
	// The worklist's and the dashboard's indexes wait until the whole year is
	// filed (fillStore): the intake writes them and never reads them.
	if err := h.Finish(ctx, sqldb.IntakeIndex); err != nil {
		return nil, fmt.Errorf("historique de l'année : %w", err)
	}
	idx := time.Since(t1)
	el := time.Since(t0)
	fmt.Fprintf(e.stdout, "Base opérationnelle : historique %d, %d avis d'arrêts clos déposés avec leur avis (%d déjà là), dont %d des années précédentes (arrêts commencés avant %d), %d assurés créés, en %s dont %s pour les index (%.0f avis/s, processeur : %s) ; sans pré-analyse (l'historique est clos), lu par celle des dossiers suivants\n",
		plan.year, h.Filed, h.Replayed, earlier, plan.year, h.Created, el.Round(time.Millisecond), idx.Round(time.Millisecond), float64(h.Filed+h.Replayed)/el.Seconds(), (cpuTime() - cpu0).Round(time.Millisecond))
	if orphans > 0 {
		fmt.Fprintf(e.stdout, "  %d prolongations laissées de côté (leur avis initial n'a pas de prescripteur identifié)\n", orphans)
	}
	return h, nil
}

// closedArret is the history of one avis: received the day after it starts (as
// the avis in flight), the avis given one to four days later by the synthetic
// operator; one in forty avis of eight days or more found not justified from its
// middle, with a motif.
func closedArret(a *synth.ArretEnCours, par string) sqldb.ArretHistorique {
	recue := a.Debut.Time(time.UTC).Add(34 * time.Hour)
	x := sqldb.ArretHistorique{
		Ref:          a.Num,
		Assure:       medconseil.Assure{NIR: a.NIR, Naissance: a.Naissance, Residence: a.Residence},
		Prescripteur: medconseil.RPPS(a.PrescripteurRPPS),
		Arret:        medconseil.ArretTravail{Debut: a.Debut, Fin: a.Fin, CIM10: medconseil.CIM10(a.CIM10), Libelle: a.Libelle},
		RecueLe:      recue,
		Avis:         medconseil.Avis{Sens: medconseil.SensJustifie, Par: par, Le: recue.Add(time.Duration(24*(1+a.Num%4)+4) * time.Hour)},
	}
	if a.Prolongation {
		x.InitialRef = a.Initial
	}
	if n := a.Fin.Sub(a.Debut) + 1; n >= 8 && a.Num%40 == 0 {
		x.Avis.Sens, x.Avis.EffetAu = medconseil.SensNonJustifie, a.Debut.AddDays(n/2)
		x.Avis.Motif = "État constaté à l'examen compatible avec la reprise du travail"
	}
	return x
}
