-- Convocations and examinations (issue 13; REGULATIONS.md §13).
-- agenda_salle: the rooms of a site. agenda_plage: a weekly recurring consultation
--   period of a praticien in a room (ISO weekday, wall-clock hours Europe/Paris),
--   between two dates; it generates one creneau per slot. agenda_absence: a
--   praticien's absence; the free slots it covers are removed.
-- creneau: one bookable slot, wall-clock 'YYYY-MM-DDTHH:MM' (Europe/Paris). No two
--   slots of a praticien or of a room start together (unique indexes); overlaps
--   are refused by the store.
-- convocation: an assuré summoned on a slot for a dossier. actif = 1 while it holds
--   its slot: the partial unique index is what makes a slot impossible to book
--   twice, whatever the concurrency. remplace: the convocation it reschedules or
--   follows (second convocation after a no-show), so the history is kept.
-- examen: the examination of a convocation in three phases; the clinical free
--   text is encrypted (enc1:…), identity check and transport in clear.
CREATE TABLE agenda_salle (
    id      BIGSERIAL PRIMARY KEY,
    site    TEXT NOT NULL,
    nom     TEXT NOT NULL,
    adresse TEXT NOT NULL DEFAULT '',
    UNIQUE (site, nom)
);

CREATE TABLE agenda_plage (
    id        BIGSERIAL PRIMARY KEY,
    site      TEXT NOT NULL,
    salle_id  BIGINT NOT NULL REFERENCES agenda_salle(id),
    praticien TEXT NOT NULL,
    jour      INTEGER NOT NULL CHECK (jour BETWEEN 1 AND 7),
    debut     TEXT NOT NULL,
    fin       TEXT NOT NULL,
    duree     INTEGER NOT NULL,
    du        TEXT NOT NULL,
    au        TEXT NOT NULL,
    cree_par  TEXT NOT NULL,
    cree_le   TEXT NOT NULL
);

CREATE TABLE agenda_absence (
    id        BIGSERIAL PRIMARY KEY,
    praticien TEXT NOT NULL,
    du        TEXT NOT NULL,
    au        TEXT NOT NULL,
    motif     TEXT NOT NULL DEFAULT '',
    cree_par  TEXT NOT NULL,
    cree_le   TEXT NOT NULL
);

CREATE TABLE creneau (
    id        BIGSERIAL PRIMARY KEY,
    site      TEXT NOT NULL,
    salle_id  BIGINT NOT NULL REFERENCES agenda_salle(id),
    praticien TEXT NOT NULL,
    debut     TEXT NOT NULL,
    fin       TEXT NOT NULL,
    plage_id  BIGINT REFERENCES agenda_plage(id)
);
CREATE UNIQUE INDEX creneau_praticien ON creneau(praticien, debut);
CREATE UNIQUE INDEX creneau_salle ON creneau(salle_id, debut);
CREATE INDEX creneau_site_debut ON creneau(site, debut, id);

CREATE TABLE convocation (
    id            BIGSERIAL PRIMARY KEY,
    dossier_id    BIGINT NOT NULL REFERENCES dossier(id),
    creneau_id    BIGINT NOT NULL REFERENCES creneau(id),
    statut        TEXT NOT NULL DEFAULT 'prevue' CHECK (statut IN ('prevue', 'presente', 'absente', 'refus', 'reportee', 'annulee')),
    actif         INTEGER NOT NULL DEFAULT 1,
    rang          INTEGER NOT NULL DEFAULT 1,
    remplace      BIGINT REFERENCES convocation(id),
    motif         TEXT NOT NULL DEFAULT '',
    hors_dep      TEXT NOT NULL DEFAULT '',
    motif_valable INTEGER,
    cree_par      TEXT NOT NULL,
    cree_le       TEXT NOT NULL,
    suite_par     TEXT NOT NULL DEFAULT '',
    suite_le      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX convocation_creneau_actif ON convocation(creneau_id) WHERE actif = 1;
CREATE INDEX convocation_dossier ON convocation(dossier_id);

CREATE TABLE examen (
    convocation_id    BIGINT PRIMARY KEY,
    dossier_id        BIGINT NOT NULL REFERENCES dossier(id),
    identite_verifiee INTEGER NOT NULL DEFAULT 0,
    transport         TEXT NOT NULL DEFAULT '',
    interrogatoire_enc TEXT NOT NULL DEFAULT '',
    clinique_enc      TEXT NOT NULL DEFAULT '',
    conclusions_enc   TEXT NOT NULL DEFAULT '',
    maj_par           TEXT NOT NULL,
    maj_le            TEXT NOT NULL
);
