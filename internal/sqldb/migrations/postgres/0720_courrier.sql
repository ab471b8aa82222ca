-- Letters of a dossier (internal/courrier): the notification to the assuré, the
-- answer to the prescriber, the copy for the caisse… Each row keeps the PDF as
-- sent, encrypted at rest (pdf_enc: base64 of the PDF, sealed like the clinical
-- columns), its SHA-256 (hex, of the PDF bytes) to prove what was sent, the kind of
-- addressee, the model, and the field classes it carries (contenu: the letter is
-- only shown to a reader who sees every one of them on the dossier).
CREATE TABLE courrier (
    id           BIGSERIAL PRIMARY KEY,
    dossier_id   BIGINT NOT NULL REFERENCES dossier(id),
    reference    TEXT NOT NULL,
    modele       TEXT NOT NULL,
    destinataire TEXT NOT NULL,
    objet        TEXT NOT NULL,
    contenu      TEXT NOT NULL,
    date_courrier TEXT NOT NULL,
    cree_le      TEXT NOT NULL,
    par          TEXT NOT NULL,
    taille       BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    pdf_enc      TEXT NOT NULL
);
CREATE INDEX courrier_dossier ON courrier(dossier_id, id);
CREATE INDEX courrier_reference ON courrier(reference);
