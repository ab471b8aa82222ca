package sqldb

import (
	"context"
	"fmt"
	"time"

	"medconseil"
)

// secondeConvocation books, in the transaction that records an absence or a
// refusal with a valid reason, the next convocation of the dossier (issue 13
// part 4). REGULATIONS.md §13.3: without a valid reason the caisse suspends the
// IJ (L315-2 IV; L323-6 2°); with one (hospitalisation, force majeure,
// convocation not received) practice is a new convocation rather than a
// suspension (verify CNAM instructions). The text asks for the convocation
// itself, so it is booked, not merely proposed: the best free slot of the
// dossier's département (nearest site, then earliest) at least
// controle/seconde_convocation_delai_jours after the finding, with its letter
// and the caisse's notification, rang + 1, naming the missed one (remplace).
// When the recorder may not convoke (an infirmier) or no slot is free, nothing
// is booked and c.Suite says the convocation is to be fixed by hand.
func (t *Tx) secondeConvocation(ctx context.Context, a *medconseil.Acteur, r *dossierRow, c *medconseil.Convocation, geo Geo, m Meta) error {
	const manual = "Motif valable : fixer une nouvelle convocation (pratique : nouvelle convocation plutôt que suspension — à vérifier auprès des instructions CNAM)."
	if !t.mayConvoke(a, r) {
		c.Suite = manual + " Seuls les agents administratifs et praticiens-conseils du territoire convoquent."
		return nil
	}
	now := t.now().In(parisTZ)
	delai, ref, err := secondeDelai(medconseil.DateOf(now))
	if err != nil {
		return err
	}
	day := medconseil.DateOf(now).AddDays(delai)
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, parisTZ).Format(medconseil.CreneauLayout)
	res, err := t.residenceOf(ctx, r)
	if err != nil {
		return err
	}
	slots, err := t.BestFreeSlots(ctx, res, r.Departement, geo, from, 20)
	if err != nil {
		return err
	}
	for _, s := range slots {
		if s.HorsDepartement {
			continue // a site outside the département needs a reason: an agent's choice
		}
		if read, _ := t.db.Policy.AgendaAccess(a, s.Site); !read {
			continue
		}
		next, err := t.convoquer(ctx, a, r.ID, ConvocationInput{CreneauID: s.ID}, c.ID, "seconde convocation après absence ou refus pour motif valable", m)
		if err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `UPDATE convocation SET rang = ? WHERE id = ?`, c.Rang+1, next.ID); err != nil {
			return medconseil.Internal(err)
		}
		next.Rang = c.Rang + 1
		c.Suivante = next
		c.Suite = fmt.Sprintf("Motif valable : seconde convocation fixée le %s au site %s (convocation n° %d), lettre envoyée à l'assuré et caisse informée — délai minimal de %d jours (%s, à vérifier).",
			frDateTime(s.Debut), s.SiteNom, next.ID, delai, ref)
		return nil
	}
	c.Suite = manual + " Aucun créneau libre dans le département à partir du " + day.Francais() + " : ouvrir des plages dans l'agenda."
	return nil
}

// secondeDelai is the minimal delay in days before a second convocation, in
// force on d, with its reference.
func secondeDelai(d medconseil.Date) (int, string, error) {
	params, err := controleParams()
	if err != nil {
		return 0, "", medconseil.Internal(err)
	}
	p, ok := params.Get("controle/seconde_convocation_delai_jours")
	if !ok {
		return 0, "", medconseil.Internal(fmt.Errorf("parameter controle/seconde_convocation_delai_jours missing"))
	}
	per, ok := p.At(d)
	if !ok {
		return 0, "", medconseil.Internal(fmt.Errorf("no seconde_convocation_delai_jours on %s", d))
	}
	ref := ""
	if len(per.References) > 0 {
		ref = per.References[0].Title
	}
	return int(per.Value.Num.Int()), ref, nil
}
