-- Foundation schema: organisation, accounts, sessions, assurés, dossiers, arrêts,
-- avis, clinical notes, idempotency keys and the hash-chained audit journal.
-- Times are fixed-width UTC text (sorts as it reads); dates are YYYY-MM-DD text.
-- Clinical free text (cim10, libelle, motif, notes) is stored encrypted (enc1:…).

CREATE TABLE organisme (
    code        TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    nom         TEXT NOT NULL,
    parent      TEXT REFERENCES organisme(code),
    region      TEXT NOT NULL DEFAULT '',
    departement TEXT NOT NULL DEFAULT '',
    commune     TEXT NOT NULL DEFAULT '',
    adresse     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE utilisateur (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    nom           TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    actif         INTEGER NOT NULL DEFAULT 1,
    cree_le       TEXT NOT NULL
);

CREATE TABLE habilitation (
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateur(id) ON DELETE CASCADE,
    role           TEXT NOT NULL,
    niveau         TEXT NOT NULL,
    code           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (utilisateur_id, role, niveau, code)
);

CREATE TABLE session (
    id_hash        TEXT PRIMARY KEY,
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateur(id) ON DELETE CASCADE,
    csrf           TEXT NOT NULL,
    cree_le        TEXT NOT NULL,
    vu_le          TEXT NOT NULL,
    expire_le      TEXT NOT NULL,
    adresse        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_utilisateur ON session(utilisateur_id);

CREATE TABLE api_token (
    id             INTEGER PRIMARY KEY,
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateur(id) ON DELETE CASCADE,
    hash           TEXT NOT NULL UNIQUE,
    libelle        TEXT NOT NULL DEFAULT '',
    cree_le        TEXT NOT NULL,
    revoque_le     TEXT
);

CREATE TABLE login_echec (
    cle TEXT NOT NULL,
    le  TEXT NOT NULL
);
CREATE INDEX login_echec_cle ON login_echec(cle, le);

CREATE TABLE assure (
    nir       TEXT PRIMARY KEY,
    nom       TEXT NOT NULL DEFAULT '',
    prenom    TEXT NOT NULL DEFAULT '',
    naissance TEXT,
    residence TEXT NOT NULL,
    cree_le   TEXT NOT NULL
);

CREATE TABLE dossier (
    id           INTEGER PRIMARY KEY,
    type         TEXT NOT NULL,
    etat         TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    departement  TEXT NOT NULL,
    nir          TEXT NOT NULL REFERENCES assure(nir),
    prescripteur TEXT NOT NULL DEFAULT '',
    recue_le     TEXT NOT NULL,
    echeance     TEXT,
    attribue_a   TEXT NOT NULL DEFAULT '',
    cree_par     INTEGER REFERENCES utilisateur(id),
    maj_le       TEXT NOT NULL
);
CREATE INDEX dossier_worklist ON dossier(departement, etat, echeance);
CREATE INDEX dossier_nir ON dossier(nir);
CREATE INDEX dossier_prescripteur ON dossier(prescripteur);

CREATE TABLE arret (
    dossier_id       INTEGER PRIMARY KEY REFERENCES dossier(id),
    nature           TEXT NOT NULL,
    initial_id       INTEGER REFERENCES dossier(id),
    debut            TEXT NOT NULL,
    fin              TEXT NOT NULL,
    teleconsultation INTEGER NOT NULL DEFAULT 0,
    cim10_enc        TEXT NOT NULL,
    libelle_enc      TEXT NOT NULL,
    motif_enc        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX arret_initial ON arret(initial_id);

CREATE TABLE avis (
    dossier_id INTEGER PRIMARY KEY REFERENCES dossier(id),
    sens       TEXT NOT NULL,
    effet_au   TEXT,
    motif_enc  TEXT NOT NULL DEFAULT '',
    par        TEXT NOT NULL,
    le         TEXT NOT NULL
);

CREATE TABLE note_clinique (
    id         INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES dossier(id),
    auteur     TEXT NOT NULL,
    le         TEXT NOT NULL,
    texte_enc  TEXT NOT NULL
);
CREATE INDEX note_clinique_dossier ON note_clinique(dossier_id);

CREATE TABLE idempotence (
    utilisateur_id INTEGER NOT NULL,
    cle            TEXT NOT NULL,
    route          TEXT NOT NULL,
    corps_hash     TEXT NOT NULL,
    statut         INTEGER NOT NULL,
    reponse        TEXT NOT NULL,
    cree_le        TEXT NOT NULL,
    PRIMARY KEY (utilisateur_id, cle)
);

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    le        TEXT NOT NULL,
    acteur_id INTEGER,
    login     TEXT NOT NULL,
    roles     TEXT NOT NULL,
    action    TEXT NOT NULL,
    objet     TEXT NOT NULL,
    classes   TEXT NOT NULL,
    finalite  TEXT NOT NULL,
    adresse   TEXT NOT NULL,
    resultat  TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_objet ON audit(objet);
CREATE INDEX audit_login ON audit(login, le);

-- One row: the last sequence number and hash of the journal. Updating it serialises
-- appends, so the chain never forks under concurrent writers.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- No UPDATE or DELETE of a journal entry through SQL: append only.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'journal d''audit : modification interdite'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'journal d''audit : suppression interdite'); END;
