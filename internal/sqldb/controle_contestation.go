package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"medconseil"
	"medconseil/internal/rules"
)

// DelaiContestation is the délai an assuré has to contest the avis of a dossier
// before the CMRA (R142-1-A III; R142-8): 2 months from the notification
// (parameter contentieux/recours_cmra_mois).
type DelaiContestation struct {
	Notification medconseil.Date // day the decision was notified (zero: unknown)
	Limite       medconseil.Date // last day to contest
	Duree        string          // "2 mois"
	Reference    string
	Href         string
	Verifier     bool
}

// notificationDay returns the day dossier id was notified: the start of its
// « decision définitive » deadline, written by the lifecycle in the transaction of
// the notification (zero when the dossier type has none or predates lifecycles).
func (t *Tx) notificationDay(ctx context.Context, id int64) (medconseil.Date, error) {
	var s string
	err := t.QueryRow(ctx, `SELECT depuis FROM echeance WHERE dossier_id = ? AND nom = 'decision_definitive' ORDER BY id DESC LIMIT 1`, id).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return medconseil.Date{}, nil
	}
	if err != nil {
		return medconseil.Date{}, medconseil.Internal(err)
	}
	d, _ := medconseil.ParseDate(s)
	return d, nil
}

// delaiContestation computes the délai to contest the avis notified on notif.
func delaiContestation(notif medconseil.Date) (DelaiContestation, error) {
	out := DelaiContestation{Notification: notif}
	params, err := controleParams()
	if err != nil {
		return out, medconseil.Internal(err)
	}
	p, ok := params.Get("contentieux/recours_cmra_mois")
	if !ok {
		return out, medconseil.Internal(fmt.Errorf("paramètre contentieux/recours_cmra_mois absent"))
	}
	on := notif
	if on.IsZero() {
		on = medconseil.NewDate(2026, 1, 1)
	}
	per, ok := p.At(on)
	if !ok || per.Value.Kind != rules.Number {
		return out, medconseil.Internal(fmt.Errorf("contentieux/recours_cmra_mois sans valeur le %s", on.Francais()))
	}
	n := int(per.Value.Num.Int())
	out.Duree = fmt.Sprintf("%d %s", n, p.Unit.Label())
	if !notif.IsZero() {
		out.Limite = notif.AddMonths(n)
	}
	if len(per.References) > 0 {
		out.Reference, out.Href = per.References[0].Title, per.References[0].Href
	}
	out.Verifier = per.Verify
	return out, nil
}

// ContestationDelai returns the délai to contest the avis of dossier id. It reads
// no personal data (the day of a deadline); the caller has opened the dossier
// through the gate.
func (db *DB) ContestationDelai(ctx context.Context, id int64) (DelaiContestation, error) {
	var out DelaiContestation
	err := db.Read(ctx, func(tx *Tx) error {
		notif, err := tx.notificationDay(ctx, id)
		if err != nil {
			return err
		}
		out, err = delaiContestation(notif)
		return err
	})
	return out, err
}

// checkContestationDelai refuses a recourse received after the délai, unless the
// notification did not state the voies et délais de recours (the délai is then
// not opposable, R142-1-A III).
func (t *Tx) checkContestationDelai(ctx context.Context, id int64, in *ContentieuxInput) error {
	notif, err := t.notificationDay(ctx, id)
	if err != nil || notif.IsZero() {
		return err
	}
	d, err := delaiContestation(notif)
	if err != nil {
		return err
	}
	if in.Recu.Before(notif) {
		return medconseil.FieldErrorf("recu", "le recours (reçu le %s) ne peut précéder la notification de l'avis (%s)", in.Recu.Francais(), notif.Francais())
	}
	if in.Recu.After(d.Limite) && !in.DelaiInopposable {
		return medconseil.FieldErrorf("recu", "recours reçu le %s, après le délai de %s suivant la notification du %s (limite : %s, %s) : recours forclos. Si la notification ne mentionnait pas les voies et délais de recours, cocher « délai non opposable »", in.Recu.Francais(), d.Duree, notif.Francais(), d.Limite.Francais(), "R142-1-A III")
	}
	return nil
}
