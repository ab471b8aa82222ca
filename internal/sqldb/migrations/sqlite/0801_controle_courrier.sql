-- Letters of the control procedures (the notification of an MSO/MSAP procedure to
-- the professional, R148-1 I), rendered by internal/courrier: a procedure is not a
-- dossier of an assuré, so its letters have their own table, with the same
-- guarantees as courrier: the PDF as sent, sealed at rest (pdf_enc), its SHA-256,
-- its reference (SM-67/CTL/2026/000001: a numbering apart from the dossiers').
CREATE TABLE controle_courrier (
    id            INTEGER PRIMARY KEY,
    controle_id   INTEGER NOT NULL REFERENCES controle(id),
    reference     TEXT NOT NULL,
    modele        TEXT NOT NULL,
    objet         TEXT NOT NULL,
    date_courrier TEXT NOT NULL,
    cree_le       TEXT NOT NULL,
    par           TEXT NOT NULL,
    taille        INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    pdf_enc       TEXT NOT NULL
);
CREATE INDEX controle_courrier_controle ON controle_courrier(controle_id, id);
