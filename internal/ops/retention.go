package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/rules"
	"medconseil/internal/sqldb"
)

// The retention parameters (internal/rules/parametres/conservation), shown with
// their sources and « à vérifier » flags on the Législation page.
const (
	ParamDossierAns = "conservation/dossier_ans"
	ParamPurgeATMP  = "conservation/purge_atmp"
)

// RetentionValue is a retention parameter as applied on a date.
type RetentionValue struct {
	Name       string
	Value      string
	Verify     bool
	Note       string
	References []rules.Reference
}

// ErrUnverified refuses a real purge while a retention value in force is still
// marked « à vérifier »: deleting health data on an unconfirmed legal basis cannot
// be undone (art. 226-20 code pénal punishes keeping too long, but a wrong deletion
// loses an assuré's file).
var ErrUnverified = errors.New("purge refusée : une durée de conservation en vigueur est marquée « à vérifier » (REGULATIONS.md §17) ; faites-la confirmer par le DPO et retirez la marque, ou forcez en connaissance de cause")

// RetentionPolicy reads the retention parameters in force at now and returns the
// purge policy with the values used.
func RetentionPolicy(set *rules.Set, now time.Time) (sqldb.PurgePolicy, []RetentionValue, error) {
	var pol sqldb.PurgePolicy
	today := medconseil.DateOf(now)
	get := func(name string) (*rules.Period, error) {
		p, ok := set.Get(name)
		if !ok {
			return nil, fmt.Errorf("paramètre %s absent", name)
		}
		per, ok := p.At(today)
		if !ok {
			return nil, fmt.Errorf("paramètre %s : aucune valeur en vigueur le %s", name, today.Francais())
		}
		return per, nil
	}
	years, err := get(ParamDossierAns)
	if err != nil {
		return pol, nil, err
	}
	if years.Value.Kind != rules.Number || years.Value.Num.D != 1 || years.Value.Num.N <= 0 {
		return pol, nil, fmt.Errorf("paramètre %s : un nombre entier d'années est attendu", ParamDossierAns)
	}
	atmp, err := get(ParamPurgeATMP)
	if err != nil {
		return pol, nil, err
	}
	pol.Avant = now.AddDate(-int(years.Value.Num.N), 0, 0)
	if atmp.Value.Kind != rules.Bool || !atmp.Value.Bool {
		pol.TypesExclus = append(pol.TypesExclus, medconseil.TypeATMP)
	}
	vals := []RetentionValue{
		{Name: ParamDossierAns, Value: years.Value.String() + " ans", Verify: years.Verify, Note: years.Note, References: years.References},
		{Name: ParamPurgeATMP, Value: atmp.Value.String(), Verify: atmp.Verify, Note: atmp.Note, References: atmp.References},
	}
	return pol, vals, nil
}

// PurgeDue applies the retention in force at now: what the scheduler calls (daily,
// say) and what « medconseil purge » runs. A real purge is refused (ErrUnverified)
// while a value in force is « à vérifier », unless force.
func PurgeDue(ctx context.Context, db *sqldb.DB, set *rules.Set, now time.Time, dryRun, force bool, each func(sqldb.PurgeItem)) (sqldb.PurgeResult, []RetentionValue, error) {
	pol, vals, err := RetentionPolicy(set, now)
	if err != nil {
		return sqldb.PurgeResult{}, nil, err
	}
	if !dryRun && !force {
		var unverified []string
		for _, v := range vals {
			if v.Verify {
				unverified = append(unverified, v.Name)
			}
		}
		if len(unverified) > 0 {
			return sqldb.PurgeResult{}, vals, fmt.Errorf("%w (%s)", ErrUnverified, strings.Join(unverified, ", "))
		}
	}
	res, err := db.Purge(ctx, pol, dryRun, each)
	return res, vals, err
}
