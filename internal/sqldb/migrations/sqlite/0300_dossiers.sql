-- Every dossier type filed and pre-analysed at intake; versioned identity.
-- demande: the typed request of the types other than the arrêt, split by field
--   class: administrative fields in clear (JSON), clinical fields encrypted (enc1:…).
-- preanalyse: the rule set's proposition, encrypted (it draws on the whole
--   history), the missing facts in clear (the agent adds them), and the
--   praticien's answer (confirmée / écartée with a motif).
-- alerte: incoherences found at intake (message encrypted: a terminology alert
--   quotes diagnoses); ref_id names the other dossier concerned.
-- assure_version: every change of an assuré's identity, attributed; assure keeps
--   the version in force. dossier.decl_*: the identity as declared on this filing,
--   what its submitter reads back.

ALTER TABLE dossier ADD COLUMN employeur TEXT NOT NULL DEFAULT '';
ALTER TABLE dossier ADD COLUMN decl_nom TEXT NOT NULL DEFAULT '';
ALTER TABLE dossier ADD COLUMN decl_prenom TEXT NOT NULL DEFAULT '';
ALTER TABLE dossier ADD COLUMN decl_naissance TEXT;
ALTER TABLE dossier ADD COLUMN decl_residence TEXT NOT NULL DEFAULT '';
CREATE INDEX dossier_nir_type ON dossier(nir, type);

ALTER TABLE assure ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE assure ADD COLUMN medecin_traitant TEXT NOT NULL DEFAULT '';

CREATE TABLE assure_version (
    nir              TEXT NOT NULL REFERENCES assure(nir),
    version          INTEGER NOT NULL,
    nom              TEXT NOT NULL,
    prenom           TEXT NOT NULL,
    naissance        TEXT,
    residence        TEXT NOT NULL,
    medecin_traitant TEXT NOT NULL DEFAULT '',
    par              TEXT NOT NULL,
    le               TEXT NOT NULL,
    dossier_id       INTEGER,
    motif            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (nir, version)
);

CREATE TABLE demande (
    dossier_id   INTEGER PRIMARY KEY REFERENCES dossier(id),
    admin        TEXT NOT NULL,
    clinique_enc TEXT NOT NULL
);

CREATE TABLE dossier_fait (
    dossier_id INTEGER NOT NULL REFERENCES dossier(id),
    nom        TEXT NOT NULL,
    valeur     TEXT NOT NULL,
    par        TEXT NOT NULL,
    le         TEXT NOT NULL,
    PRIMARY KEY (dossier_id, nom)
);

CREATE TABLE preanalyse (
    dossier_id      INTEGER PRIMARY KEY REFERENCES dossier(id),
    regles          TEXT NOT NULL,
    version         TEXT NOT NULL,
    issue           TEXT NOT NULL,
    contenu_enc     TEXT NOT NULL,
    manquants       TEXT NOT NULL,
    le              TEXT NOT NULL,
    suite           TEXT NOT NULL DEFAULT '',
    suite_motif_enc TEXT NOT NULL DEFAULT '',
    suite_par       TEXT NOT NULL DEFAULT '',
    suite_le        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE alerte (
    dossier_id  INTEGER NOT NULL REFERENCES dossier(id),
    rang        INTEGER NOT NULL,
    code        TEXT NOT NULL,
    message_enc TEXT NOT NULL,
    ref_id      INTEGER,
    PRIMARY KEY (dossier_id, rang)
);
