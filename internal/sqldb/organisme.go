package sqldb

import (
	"context"

	"medconseil"
)

// SeedOrganisation inserts or refreshes the bodies of the organisation (idempotent).
func (db *DB) SeedOrganisation(ctx context.Context, orgs []medconseil.Organisme) error {
	return db.Write(ctx, func(tx *Tx) error {
		// Parents first: the list is ordered so, but insert without the parent link
		// then set it, to be independent of order.
		for _, o := range orgs {
			if _, err := tx.Exec(ctx, `INSERT INTO organisme (code, type, nom, region, departement, commune, adresse, debut, fin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (code) DO UPDATE SET type = excluded.type, nom = excluded.nom, region = excluded.region,
				departement = excluded.departement, commune = excluded.commune, adresse = excluded.adresse,
				debut = excluded.debut, fin = excluded.fin`,
				o.Code, string(o.Type), o.Nom, o.Region, o.Departement, o.Commune, o.Adresse, dateText(o.Debut), dateText(o.Fin)); err != nil {
				return medconseil.Internal(err)
			}
		}
		for _, o := range orgs {
			if o.Parent == "" {
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE organisme SET parent = ? WHERE code = ?`, o.Parent, o.Code); err != nil {
				return medconseil.Internal(err)
			}
		}
		return nil
	})
}

// Organisation lists the bodies.
func (db *DB) Organisation(ctx context.Context) ([]medconseil.Organisme, error) {
	var out []medconseil.Organisme
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT code, type, nom, COALESCE(parent, ''), region, departement, commune, adresse, debut, fin FROM organisme ORDER BY type, code`)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var o medconseil.Organisme
			var typ, debut, fin string
			if err := rows.Scan(&o.Code, &typ, &o.Nom, &o.Parent, &o.Region, &o.Departement, &o.Commune, &o.Adresse, &debut, &fin); err != nil {
				return medconseil.Internal(err)
			}
			if o.Debut, err = parseDateText(debut); err != nil {
				return err
			}
			if o.Fin, err = parseDateText(fin); err != nil {
				return err
			}
			o.Type = medconseil.TypeOrganisme(typ)
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// dateText stores a date of the organisation as YYYY-MM-DD, ” when zero (open).
func dateText(d medconseil.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func parseDateText(s string) (medconseil.Date, error) {
	if s == "" {
		return medconseil.Date{}, nil
	}
	d, err := medconseil.ParseDate(s)
	if err != nil {
		return d, medconseil.Internal(err)
	}
	return d, nil
}
