-- Issue 13, parts 5 and 6 (docs/echanges.md).
-- echange: every contact of the service médical with a treating doctor on a
--   dossier (R4127-103 CSP; REGULATIONS.md §13.6): who, when, channel, outcome in
--   clear (administrative class), the summary encrypted (resume_enc, enc1:…,
--   clinical: the medical team of the territory only); the letter model to the
--   médecin traitant once written (courrier_id).
-- contre_visite: the conclusion of the doctor mandated by the employer
--   (L1226-1 code du travail; L315-1 II CSS; REGULATIONS.md §13.7), with the
--   deadline for the service médical to act (limite, '' when none runs) and the
--   convocation already planned that answers it (convocation_id).
CREATE TABLE echange (
    id           BIGSERIAL PRIMARY KEY,
    dossier_id   BIGINT NOT NULL REFERENCES dossier(id),
    medecin_rpps TEXT NOT NULL DEFAULT '',
    medecin_nom  TEXT NOT NULL,
    le           TEXT NOT NULL,
    canal        TEXT NOT NULL,
    initiative   TEXT NOT NULL,
    issue        TEXT NOT NULL,
    reprise_le   TEXT NOT NULL DEFAULT '',
    resume_enc   TEXT NOT NULL DEFAULT '',
    courrier_id  BIGINT,
    cree_par     TEXT NOT NULL,
    cree_le      TEXT NOT NULL
);
CREATE INDEX echange_dossier ON echange (dossier_id, id);

CREATE TABLE contre_visite (
    id             BIGSERIAL PRIMARY KEY,
    dossier_id     BIGINT NOT NULL REFERENCES dossier(id),
    visite_le      TEXT NOT NULL,
    rapport_le     TEXT NOT NULL,
    conclusion     TEXT NOT NULL,
    medecin_nom    TEXT NOT NULL,
    medecin_rpps   TEXT NOT NULL DEFAULT '',
    employeur      TEXT NOT NULL DEFAULT '',
    limite         TEXT NOT NULL DEFAULT '',
    convocation_id BIGINT,
    cree_par       TEXT NOT NULL,
    cree_le        TEXT NOT NULL
);
CREATE INDEX contre_visite_dossier ON contre_visite (dossier_id, id);
