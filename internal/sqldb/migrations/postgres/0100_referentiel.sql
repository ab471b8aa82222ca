-- Référentiels: each imported source file is a version (file, SHA-256, row count,
-- import date); its rows are kept as read, so that an old version stays readable
-- by id after a newer file supersedes it. One current version per source.
CREATE TABLE referentiel_version (
    id         BIGSERIAL PRIMARY KEY,
    source     TEXT NOT NULL,
    fichier    TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    lignes     INTEGER NOT NULL,
    importe_le TEXT NOT NULL,
    courante   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, sha256)
);
CREATE UNIQUE INDEX referentiel_version_courante ON referentiel_version (source) WHERE courante = 1;

CREATE TABLE referentiel_ligne (
    version_id BIGINT NOT NULL REFERENCES referentiel_version(id),
    ligne      INTEGER NOT NULL,
    code       TEXT NOT NULL,
    champs     TEXT NOT NULL, -- JSON array of the fields, in header order
    PRIMARY KEY (version_id, ligne)
);
CREATE INDEX referentiel_ligne_code ON referentiel_ligne (version_id, code);
