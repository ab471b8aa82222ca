package sqldb

import (
	"context"

	"medconseil"
)

// onFiled is called in the intake transaction of every dossier, once it is written
// with its initial state (preanalysee, or recue without an analyst) and before the
// transaction commits, with the new dossier's id, type and date of receipt. It is
// the one place where the lifecycle of the type (internal/lifecycle: states,
// transitions and legal deadlines as data, the durable scheduler) is wired: the
// deadline rows it writes here commit or roll back with the dossier itself.
// Until that wiring, the dossier keeps the échelon's service target written at
// insert (dossier.echeance = receipt + delaiInstructionArret).
func (t *Tx) onFiled(ctx context.Context, id int64, typ medconseil.TypeDossier, recue medconseil.Date) error {

	return nil
}
