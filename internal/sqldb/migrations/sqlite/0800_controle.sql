-- Control of professionals and contentieux (internal/controle; REGULATIONS.md §8,
-- §14, §15; docs/controle.md).
-- controle_proposition: the targeting list imported from « medconseil detect
--   --json » (one row per flag of a lot), opened into an MSO/MSAP procedure.
-- controle: one procedure (circuit mso_msap, indu, penalite, contentieux) at its
--   step (etape), versioned; parent_id links a pénalité, an indu or a contentieux to
--   the procedure it comes from; dossier_id a contentieux to the casework dossier
--   whose avis is contested (the purge never touches such a dossier).
-- controle_evenement: every step, attributed, its note encrypted (hearing minutes,
--   motifs may quote patients).
-- controle_echeance: deadlines of the procedures, written in the transaction of the
--   step that starts them, fired once by the scheduler (same states as echeance).
-- controle_suivi: the MSO objective month by month, measured from the data.
-- controle_element: parties, pièces and arguments of a contentieux (encrypted).
-- controle_indu: the computation of an indu (selection, totals; trace encrypted).
-- msap_arret: an arrêt prescribed by a professional under MSAP, filed while the
--   MSAP runs: it needs the prior agreement of the service du contrôle médical.
CREATE TABLE controle_proposition (
    id            INTEGER PRIMARY KEY,
    lot           TEXT NOT NULL,
    professionnel TEXT NOT NULL,
    anomalie      TEXT NOT NULL,
    score         REAL NOT NULL,
    explication   TEXT NOT NULL,
    departement   TEXT NOT NULL,
    importe_le    TEXT NOT NULL,
    importe_par   TEXT NOT NULL,
    controle_id   INTEGER
);
CREATE UNIQUE INDEX controle_proposition_cle ON controle_proposition(lot, professionnel, anomalie);

CREATE TABLE controle (
    id             INTEGER PRIMARY KEY,
    circuit        TEXT NOT NULL,
    etape          TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    departement    TEXT NOT NULL,
    professionnel  TEXT NOT NULL DEFAULT '',
    rpps           TEXT NOT NULL DEFAULT '',
    anomalie       TEXT NOT NULL DEFAULT '',
    proposition_id INTEGER REFERENCES controle_proposition(id),
    parent_id      INTEGER REFERENCES controle(id),
    dossier_id     INTEGER REFERENCES dossier(id),
    objet          TEXT NOT NULL DEFAULT '',
    objectif_pct   INTEGER,
    periode_debut  TEXT NOT NULL DEFAULT '',
    periode_fin    TEXT NOT NULL DEFAULT '',
    montant        INTEGER,
    issue          TEXT NOT NULL DEFAULT '',
    ouvert_le      TEXT NOT NULL,
    ouvert_par     TEXT NOT NULL,
    maj_le         TEXT NOT NULL
);
CREATE INDEX controle_rpps ON controle(rpps, etape);
CREATE INDEX controle_dossier ON controle(dossier_id);
CREATE INDEX controle_parent ON controle(parent_id);

CREATE TABLE controle_evenement (
    controle_id INTEGER NOT NULL REFERENCES controle(id),
    rang        INTEGER NOT NULL,
    evenement   TEXT NOT NULL,
    etape       TEXT NOT NULL,
    le          TEXT NOT NULL,
    saisi_le    TEXT NOT NULL,
    par         TEXT NOT NULL,
    note_enc    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (controle_id, rang)
);

CREATE TABLE controle_echeance (
    id          INTEGER PRIMARY KEY,
    controle_id INTEGER NOT NULL REFERENCES controle(id),
    nom         TEXT NOT NULL,
    libelle     TEXT NOT NULL,
    depuis      TEXT NOT NULL,
    limite      TEXT NOT NULL,
    due         TEXT NOT NULL,
    statut      TEXT NOT NULL DEFAULT 'attente' CHECK (statut IN ('attente', 'declenchee', 'annulee')),
    vers        TEXT NOT NULL DEFAULT '',
    effet       TEXT NOT NULL,
    duree       TEXT NOT NULL,
    reference   TEXT NOT NULL,
    href        TEXT NOT NULL DEFAULT '',
    verifier    INTEGER NOT NULL DEFAULT 0,
    cree_le     TEXT NOT NULL,
    traite_le   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX controle_echeance_en_attente ON controle_echeance(controle_id, nom) WHERE statut = 'attente';
CREATE INDEX controle_echeance_due ON controle_echeance(due, id) WHERE statut = 'attente';

CREATE TABLE controle_suivi (
    controle_id INTEGER NOT NULL REFERENCES controle(id),
    mois        TEXT NOT NULL,
    arrets      INTEGER NOT NULL,
    jours       INTEGER NOT NULL,
    cible_jours INTEGER NOT NULL,
    atteint     INTEGER NOT NULL,
    maj_le      TEXT NOT NULL,
    PRIMARY KEY (controle_id, mois)
);

CREATE TABLE controle_element (
    controle_id INTEGER NOT NULL REFERENCES controle(id),
    rang        INTEGER NOT NULL,
    genre       TEXT NOT NULL CHECK (genre IN ('partie', 'piece', 'argument')),
    partie      TEXT NOT NULL,
    contenu_enc TEXT NOT NULL,
    le          TEXT NOT NULL,
    par         TEXT NOT NULL,
    PRIMARY KEY (controle_id, rang)
);

CREATE TABLE controle_indu (
    controle_id  INTEGER PRIMARY KEY REFERENCES controle(id),
    selection    TEXT NOT NULL,
    calcul       TEXT NOT NULL,
    fraude       INTEGER NOT NULL,
    connaissance TEXT NOT NULL DEFAULT '',
    retenu       INTEGER NOT NULL,
    prescrit     INTEGER NOT NULL,
    majoration   INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    lignes       INTEGER NOT NULL,
    trace_enc    TEXT NOT NULL
);

CREATE TABLE msap_arret (
    dossier_id  INTEGER PRIMARY KEY REFERENCES dossier(id),
    controle_id INTEGER NOT NULL REFERENCES controle(id),
    statut      TEXT NOT NULL CHECK (statut IN ('attente_accord', 'accord', 'refus')),
    depuis      TEXT NOT NULL,
    decide_le   TEXT NOT NULL DEFAULT '',
    decide_par  TEXT NOT NULL DEFAULT '',
    motif_enc   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX msap_arret_controle ON msap_arret(controle_id);
