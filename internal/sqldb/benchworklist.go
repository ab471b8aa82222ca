package sqldb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"medconseil"
)

// BenchNoms are the surnames of the worklist bench's assurés (the search by name
// picks prefixes among them).
var BenchNoms = []string{"MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
	"SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD",
	"BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER", "LEFEVRE", "FAURE", "ANDRE",
	"MERCIER", "BLANC", "GUERIN", "BOYER", "GARNIER", "CHEVALIER", "FRANCOIS", "LEGRAND", "GAUTHIER", "GARCIA",
	"SCHMITT", "MEYER", "WEBER", "KLEIN", "WAGNER", "HOFFMANN", "SCHNEIDER", "FISCHER", "KELLER", "BECKER"}

// benchDeps are the départements of the bench, the Bas-Rhin weighing more.
var benchDeps = []string{"67", "67", "68", "57", "54", "51", "88", "10", "08", "52", "55"}

// SeedWorklist adds n dossiers shaped like a region's history for the worklist
// benchmark: ten départements, every type (six in ten arrêts), most dossiers
// closed long ago and about 3 % awaiting an avis with deadlines around today (some
// overdue, some due within 48 hours), assignments among ten praticiens per
// département, names from BenchNoms. Clinical columns are left empty: the worklist
// never reads them (SeedBulk seals them, for the backup bench). Deterministic for
// a given state of the base. Multi-row inserts, 5,000 dossiers a transaction.
func (db *DB) SeedWorklist(ctx context.Context, n int, progress func(done int)) (err error) {
	const batch = 5000
	const rowsPerInsert = 200
	types := []medconseil.TypeDossier{medconseil.TypeATMP, medconseil.TypeALD, medconseil.TypeTransport, medconseil.TypeLPP,
		medconseil.TypeKine, medconseil.TypeInvalidite, medconseil.TypeOrdonnance, medconseil.TypeMTDents}
	open := []medconseil.Etat{medconseil.EtatAInstruire, medconseil.EtatAInstruire, medconseil.EtatAInstruire, medconseil.EtatConvocation,
		medconseil.EtatExamen, medconseil.EtatAttentePieces, medconseil.EtatRecue, medconseil.EtatPreAnalysee}
	closed := []medconseil.Etat{medconseil.EtatNotifiee, medconseil.EtatNotifiee, medconseil.EtatNotifiee, medconseil.EtatNotifiee,
		medconseil.EtatClassee, medconseil.EtatAvisRendu, medconseil.EtatAccordTacite, medconseil.EtatContestee}
	today := medconseil.DateOf(db.Now())
	// The secondary indexes of the filled tables are dropped during the fill and
	// built again after it (a sort each, rather than a million random inserts).
	indexes, err := db.secondaryIndexes(ctx, "dossier", "assure", "arret", "avis")
	if err != nil {
		return err
	}
	for _, ix := range indexes {
		if _, err := db.w.ExecContext(ctx, `DROP INDEX `+ix[0]); err != nil {
			return medconseil.Internal(err)
		}
	}
	defer func() {
		for _, ix := range indexes {
			if _, ierr := db.w.ExecContext(ctx, ix[1]); ierr != nil && err == nil {
				err = medconseil.Internal(fmt.Errorf("%s: %w", ix[1], ierr))
			}
		}
	}()
	for done := 0; done < n; {
		size := min(batch, n-done)
		err := db.Write(ctx, func(tx *Tx) error {
			var base int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM dossier`).Scan(&base); err != nil {
				return err
			}
			rng := rand.New(rand.NewPCG(uint64(base), 10))
			now := ts(db.Now())
			for off := 0; off < size; off += rowsPerInsert {
				m := min(rowsPerInsert, size-off)
				var as, ds, ar, av []string
				var aa, da, ra, va []any
				for i := 0; i < m; i++ {
					id := base + int64(off+i) + 1
					a := (id + 1) / 2
					nir, err := medconseil.NIRWithKey(fmt.Sprintf("1%02d%02d67%03d%03d", 50+a%50, 1+a%12, a%1000, 1+(a/1000)%999))
					if err != nil {
						return err
					}
					nom := BenchNoms[int(a*7919)%len(BenchNoms)]
					if id%2 == 1 {
						as = append(as, "(?, ?, ?, ?, ?)")
						aa = append(aa, string(nir), nom, "Prénom", "67482", now)
					}
					dep := benchDeps[rng.IntN(len(benchDeps))]
					typ := medconseil.TypeArretTravail
					if rng.IntN(10) >= 6 {
						typ = types[rng.IntN(len(types))]
					}
					var etat medconseil.Etat
					var echeance any
					var recue medconseil.Date
					attribue := ""
					if rng.IntN(100) < 3 {
						etat = open[rng.IntN(len(open))]
						recue = today.AddDays(-rng.IntN(30))
						echeance = recue.AddDays(5 + rng.IntN(25)).String()
						if rng.IntN(10) >= 4 {
							attribue = fmt.Sprintf("praticien.%s.%d", dep, rng.IntN(10))
						}
					} else {
						etat = closed[rng.IntN(len(closed))]
						recue = today.AddDays(-30 - rng.IntN(700))
						attribue = fmt.Sprintf("praticien.%s.%d", dep, rng.IntN(10))
					}
					recueTS := recue.String() + "T08:00:00.000000000Z"
					ds = append(ds, "(?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
					da = append(da, id, string(typ), string(etat), dep, string(nir), "10001234567", recueTS, echeance, attribue, nom, "Prénom", now, nom)
					if typ == medconseil.TypeArretTravail {
						ar = append(ar, "(?, 'initial', ?, ?, 0, '', '', '')")
						ra = append(ra, id, recue.AddDays(-2).String(), recue.AddDays(12).String())
					}
					if !etat.Open() && etat != medconseil.EtatAccordTacite {
						sens := medconseil.SensJustifie
						if rng.IntN(5) == 0 {
							sens = medconseil.SensNonJustifie
						}
						av = append(av, "(?, ?, '', ?, ?)")
						va = append(va, id, string(sens), attribue, recueTS)
					}
				}
				if len(as) > 0 {
					if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, nom, prenom, residence, cree_le) VALUES `+strings.Join(as, ", ")+` ON CONFLICT (nir) DO NOTHING`, aa...); err != nil {
						return err
					}
				}
				if _, err := tx.Exec(ctx, `INSERT INTO dossier (id, type, etat, version, departement, nir, prescripteur, recue_le, echeance, attribue_a, decl_nom, decl_prenom, maj_le, nom_assure) VALUES `+strings.Join(ds, ", "), da...); err != nil {
					return err
				}
				if len(ar) > 0 {
					if _, err := tx.Exec(ctx, `INSERT INTO arret (dossier_id, nature, debut, fin, teleconsultation, cim10_enc, libelle_enc, motif_enc) VALUES `+strings.Join(ar, ", "), ra...); err != nil {
						return err
					}
				}
				if len(av) > 0 {
					if _, err := tx.Exec(ctx, `INSERT INTO avis (dossier_id, sens, motif_enc, par, le) VALUES `+strings.Join(av, ", "), va...); err != nil {
						return err
					}
				}
			}
			if db.dialect == Postgres {
				if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('dossier', 'id'), (SELECT MAX(id) FROM dossier))`); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("remplissage du banc d'essai : %w", err)
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

// Analyze refreshes the planner's statistics (after a bulk fill: SQLite plans the
// worklist's index choice on them). On PostgreSQL it vacuums too, as autovacuum
// does after a bulk load: until the visibility map marks the filled pages, an
// index-only scan still visits the table for each row (at 1,000,000 dossiers, a
// capped count read 1,148 pages instead of 28; docs/perf.md).
func (db *DB) Analyze(ctx context.Context) error {
	stmt := `ANALYZE`
	if db.dialect == Postgres {
		stmt = `VACUUM (ANALYZE)`
	}
	if _, err := db.w.ExecContext(ctx, stmt); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// secondaryIndexes returns the name and the CREATE statement of the indexes of
// tables other than their primary keys and unique constraints.
func (db *DB) secondaryIndexes(ctx context.Context, tables ...string) ([][2]string, error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (`
	if db.dialect == Postgres {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE%' AND tablename IN (`
	}
	args := make([]any, len(tables))
	for i, t := range tables {
		args[i] = t
	}
	rows, err := db.w.QueryContext(ctx, db.Rebind(q+strings.TrimSuffix(strings.Repeat("?,", len(tables)), ",")+`)`), args...)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var ix [2]string
		if err := rows.Scan(&ix[0], &ix[1]); err != nil {
			return nil, medconseil.Internal(err)
		}
		out = append(out, ix)
	}
	return out, rows.Err()
}
