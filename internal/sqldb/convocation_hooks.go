package sqldb

import (
	"context"

	"medconseil"
)

// onConvocation runs in the transaction of a convocation (new or rescheduled):
// the letter to the assuré and the notification to the caisse.
func (t *Tx) onConvocation(ctx context.Context, a *medconseil.Acteur, r *dossierRow, c *medconseil.Convocation) error {
	return nil
}

// onNoShow runs in the transaction that records an absence or a refusal without
// a valid reason: the proposal to suspend the IJ, sent to the caisse.
func (t *Tx) onNoShow(ctx context.Context, a *medconseil.Acteur, r *dossierRow, c *medconseil.Convocation) error {
	return nil
}
