-- Issue 8, points 5 to 7: separation of duties, token expiry, progressive login
-- delays, and internal clinical notes.

-- API tokens expire (NULL: made before expiry existed, read as cree_le + the
-- configured lifetime).
ALTER TABLE api_token ADD COLUMN expire_le TEXT;

-- Progressive delays replace the per-address lockout: one row per key
-- ("login:<login>" or "adresse:<ip>"), the count of consecutive failures and the
-- time before which the next attempt is refused. Reserving an attempt updates the
-- row in the write transaction, so parallel attempts are counted one by one.
DROP TABLE login_echec;
CREATE TABLE login_delai (
    cle          TEXT PRIMARY KEY,
    echecs       INTEGER NOT NULL,
    bloque_jusqu TEXT NOT NULL,
    maj_le       TEXT NOT NULL
);

-- Four eyes: a habilitation that sees clinical data, or a password reset of an
-- account holding one, asked by an administrator takes effect only once a médecin
-- chef of the territory (another account) approves it.
CREATE TABLE habilitation_demande (
    id             BIGSERIAL PRIMARY KEY,
    utilisateur_id BIGINT NOT NULL REFERENCES utilisateur(id) ON DELETE CASCADE,
    nature         TEXT NOT NULL,                  -- habilitation | mot_de_passe
    role           TEXT NOT NULL DEFAULT '',
    niveau         TEXT NOT NULL DEFAULT '',
    code           TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL DEFAULT '',
    demande_par    TEXT NOT NULL,
    demande_par_id BIGINT,
    demande_le     TEXT NOT NULL,
    statut         TEXT NOT NULL DEFAULT 'en_attente', -- en_attente | approuvee | refusee
    decide_par     TEXT NOT NULL DEFAULT '',
    decide_le      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX habilitation_demande_statut ON habilitation_demande(statut, id);

-- A clinical note is internal to the medical team unless addressed to the
-- prescriber (échange confraternel). Notes written before this distinction
-- reached the prescriber; they keep doing so.
ALTER TABLE note_clinique ADD COLUMN destinataire TEXT NOT NULL DEFAULT 'interne';
UPDATE note_clinique SET destinataire = 'prescripteur';
