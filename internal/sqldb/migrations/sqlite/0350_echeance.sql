-- Lifecycle of the dossiers as data (internal/lifecycle) and its durable deadlines.
-- cycle keeps what later events need to plan deadlines: the nature of the request
-- (AT/MP accident, maladie, rechute…) and the day the délais count from.
CREATE TABLE cycle (
    dossier_id INTEGER PRIMARY KEY REFERENCES dossier(id),
    nature     TEXT NOT NULL DEFAULT '',
    recue      TEXT NOT NULL
);

-- One row per deadline of a dossier, written in the transaction of the event that
-- starts it. statut: attente (pending), declenchee (fired, exactly once: the firing
-- claims the row with a conditional UPDATE in the transaction that changes the
-- dossier and journals it), annulee (the dossier moved on). limite is the last day
-- of the délai, due the day its effect is acquired (limite + 1). A failed firing
-- stays pending with its error and is retried from reessai_le.
CREATE TABLE echeance (
    id         INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES dossier(id),
    nom        TEXT NOT NULL,
    depuis     TEXT NOT NULL,
    limite     TEXT NOT NULL,
    due        TEXT NOT NULL,
    statut     TEXT NOT NULL DEFAULT 'attente' CHECK (statut IN ('attente', 'declenchee', 'annulee')),
    tentatives INTEGER NOT NULL DEFAULT 0,
    erreur     TEXT NOT NULL DEFAULT '',
    reessai_le TEXT NOT NULL DEFAULT '',
    motif      TEXT NOT NULL DEFAULT '',
    cree_le    TEXT NOT NULL,
    traite_le  TEXT NOT NULL DEFAULT ''
);
-- Idempotent scheduling: one row per (dossier, deadline, start).
CREATE UNIQUE INDEX echeance_cle ON echeance(dossier_id, nom, depuis);
-- At most one pending row per (dossier, deadline); also serves the per-dossier lookups.
CREATE UNIQUE INDEX echeance_en_attente ON echeance(dossier_id, nom) WHERE statut = 'attente';
-- The sweep reads only pending rows, in due order.
CREATE INDEX echeance_a_declencher ON echeance(due, id) WHERE statut = 'attente';
