-- Prévention de la désinsertion professionnelle (issue 13 part 7, REGULATIONS.md §16).
-- pdp_action: what the PDP cell did on a dossier (closed list of natures), its
--   dates and outcome (closed list). No free text: the caisse's cell is not medical.
-- pdp_contact: contacts with the médecin du travail (an outside party without
--   account): who, when, channel, summary (encrypted, enc1:), and the class of the
--   summary: 'clinique' when a medical role wrote it (the medical team only),
--   'administratif' when the cell did (the cell and the medical team).
-- pdp_sequelle: AT/MP final certificates concluding to a consolidation with
--   séquelles, written at intake (the conclusion itself is a clinical field,
--   encrypted in demande): the signal is computed in SQL without decrypting.
-- The indexes serve the signal queries: active arrêts (fin), their episodes
--   (initial + prolongations), initial arrêts by start date (repeated arrêts).
CREATE TABLE pdp_action (
    id         BIGSERIAL PRIMARY KEY,
    dossier_id BIGINT NOT NULL REFERENCES dossier(id),
    nature     TEXT NOT NULL,
    debut      TEXT NOT NULL,
    fin        TEXT,
    issue      TEXT NOT NULL DEFAULT '',
    par        TEXT NOT NULL,
    le         TEXT NOT NULL
);
CREATE INDEX pdp_action_dossier ON pdp_action(dossier_id, id);

CREATE TABLE pdp_contact (
    id         BIGSERIAL PRIMARY KEY,
    dossier_id BIGINT NOT NULL REFERENCES dossier(id),
    qui        TEXT NOT NULL,
    quand      TEXT NOT NULL,
    canal      TEXT NOT NULL,
    resume_enc TEXT NOT NULL,
    classe     TEXT NOT NULL CHECK (classe IN ('clinique', 'administratif')),
    par        TEXT NOT NULL,
    le         TEXT NOT NULL
);
CREATE INDEX pdp_contact_dossier ON pdp_contact(dossier_id, id);

CREATE TABLE pdp_sequelle (
    dossier_id    BIGINT PRIMARY KEY REFERENCES dossier(id),
    departement   TEXT NOT NULL,
    nir           TEXT NOT NULL,
    consolidation TEXT NOT NULL
);
CREATE INDEX pdp_sequelle_dep ON pdp_sequelle(departement, consolidation);

CREATE INDEX arret_fin ON arret(fin);
CREATE INDEX arret_episode ON arret(COALESCE(initial_id, dossier_id), debut, fin);
CREATE INDEX arret_initial_debut ON arret(debut, dossier_id) WHERE initial_id IS NULL;
