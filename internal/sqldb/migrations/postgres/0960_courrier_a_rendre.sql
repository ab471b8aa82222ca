-- The letters of the tacit decisions, rendered outside the sweep (outbox). The
-- deadline sweep writes one row per accord tacite or reconnaissance implicite in
-- the transaction that changes the dossier, notifies the caisse and journals;
-- the letter worker (sqldb.RenderCourriers) renders and stores the letters
-- afterwards, one job per transaction that claims the row (statut attente → fait)
-- and writes the courrier rows: no letter lost (the row is written with the
-- decision), none written twice (the claim and the letters commit together).
-- echeance_id is unique: a deadline fires once, its letters are asked for once;
-- the decision (accord tacite, reconnaissance implicite), its date of effect and
-- its legal basis are those of the deadline fired (its name in the dossier type's
-- lifecycle, its due day). date_courrier is the day of the decision.
-- A failed rendering stays pending with its error, retried from reessai_le.
CREATE TABLE courrier_a_rendre (
    id            BIGSERIAL PRIMARY KEY,
    dossier_id    BIGINT NOT NULL REFERENCES dossier(id),
    echeance_id   BIGINT NOT NULL UNIQUE REFERENCES echeance(id),
    date_courrier TEXT NOT NULL,
    statut        TEXT NOT NULL DEFAULT 'attente' CHECK (statut IN ('attente', 'fait')),
    tentatives    INTEGER NOT NULL DEFAULT 0,
    erreur        TEXT NOT NULL DEFAULT '',
    reessai_le    TEXT NOT NULL DEFAULT '',
    cree_le       TEXT NOT NULL,
    traite_le     TEXT NOT NULL DEFAULT ''
);
-- The worker reads only pending rows, oldest first.
CREATE INDEX courrier_a_rendre_attente ON courrier_a_rendre(id) WHERE statut = 'attente';
