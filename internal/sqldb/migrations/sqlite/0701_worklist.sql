-- The working day (issue 10, part 1).
-- Worklist indexes: the list is always narrowed to the reader's départements
-- (authz.Filter), then sorted by one column and paged; one index per sort column,
-- led by the département, lets a page of 25 be read in order without sorting the
-- département's dossiers (1,000,000 dossiers: docs/perf.md). No deadline sorts last.
CREATE INDEX dossier_dep_echeance ON dossier(departement, COALESCE(echeance, '9999-12-31'), id);
CREATE INDEX dossier_dep_recue ON dossier(departement, recue_le, id);
CREATE INDEX dossier_dep_type ON dossier(departement, type, id);
CREATE INDEX dossier_dep_etat ON dossier(departement, etat, id);
CREATE INDEX dossier_dep_nom ON dossier(departement, UPPER(decl_nom), id);
CREATE INDEX dossier_dep_attribue ON dossier(departement, attribue_a, id);
CREATE INDEX dossier_dep_id ON dossier(departement, id);
-- The registered names, for the search by name.
CREATE INDEX assure_nom ON assure(UPPER(nom));

-- An avis corrected later: each replaced version is kept with who replaced it,
-- when and why (motif_correction, encrypted: it may quote clinical reasons); the
-- avis row holds the version in force. numero counts the avis of the dossier (1 =
-- the first avis).
ALTER TABLE avis ADD COLUMN numero INTEGER NOT NULL DEFAULT 1;
CREATE TABLE avis_version (
    dossier_id           INTEGER NOT NULL REFERENCES dossier(id),
    numero               INTEGER NOT NULL,
    sens                 TEXT NOT NULL,
    effet_au             TEXT,
    motif_enc            TEXT NOT NULL DEFAULT '',
    par                  TEXT NOT NULL,
    le                   TEXT NOT NULL,
    remplace_par         TEXT NOT NULL,
    remplace_le          TEXT NOT NULL,
    motif_correction_enc TEXT NOT NULL,
    PRIMARY KEY (dossier_id, numero)
);

-- A draft avis, kept per user and dossier so that it survives the end of a
-- session: the whole draft (sens, date, motif) sealed as clinical (contenu_enc).
CREATE TABLE brouillon_avis (
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateur(id) ON DELETE CASCADE,
    dossier_id     INTEGER NOT NULL REFERENCES dossier(id),
    contenu_enc    TEXT NOT NULL,
    le             TEXT NOT NULL,
    PRIMARY KEY (utilisateur_id, dossier_id)
);
CREATE INDEX brouillon_avis_dossier ON brouillon_avis(dossier_id);
