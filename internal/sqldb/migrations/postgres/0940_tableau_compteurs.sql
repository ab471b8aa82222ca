-- Dashboard counters (issue 10, docs/tableau-de-bord.md "Vitesse"): the dashboard
-- over a year of the region reads a few thousand aggregated rows instead of the
-- year's dossiers. Every dossier falls in exactly one row of tableau_compte, by
-- (échelon, month of reception, type, outcome, deadline if open, delay to the avis
-- if any); tableau_dossier keeps each dossier's current row (so that a change moves
-- it from its old row to its new one) and serves the days of a partial month. Both
-- are maintained by the triggers below, in the transaction of every write that
-- changes what the dashboard counts: a dossier filed, moved to another state or
-- deadline, or deleted; an avis given, corrected or deleted; a tacit deadline
-- fired. The outcome follows sqldb/tableau.go: accord tacite (a fired deadline
-- whose effect is accord tacite or reconnaissance implicite, listed in
-- tableau_tacite: filled here from internal/lifecycle/cycles, kept in step with the
-- lifecycle files at every migration by sqldb.syncTableauTacite), else the avis'
-- sens, else open (states awaiting an avis), else another closure.
-- TestTableauCompteursEqualsRaw checks them against the raw tables on random data.

CREATE TABLE tableau_tacite (
    type TEXT NOT NULL,
    nom  TEXT NOT NULL,
    PRIMARY KEY (type, nom)
);
INSERT INTO tableau_tacite (type, nom) VALUES
    ('atmp', 'decision_at'), ('atmp', 'decision_at_apres_enquete'), ('atmp', 'decision_mp'),
    ('atmp', 'decision_crrmp'), ('atmp', 'decision_rechute'),
    ('transport', 'accord_tacite'), ('transport', 'accord_tacite_10_jours'), ('transport', 'accord_tacite_apres_pieces'),
    ('lpp', 'accord_tacite'), ('lpp', 'accord_tacite_apres_pieces'), ('lpp', 'accord_tacite_devis_vph'),
    ('kine', 'accord_tacite'), ('kine', 'accord_tacite_apres_pieces');

-- One row per dossier: its key. echeance: the dossier's nearest deadline when it
-- is open ('' otherwise); a_avis = 1 and delai = days from reception to the avis
-- when it has one (0 otherwise).
CREATE TABLE tableau_dossier (
    dossier_id  BIGINT PRIMARY KEY,
    jour        TEXT NOT NULL,
    departement TEXT NOT NULL,
    type        TEXT NOT NULL,
    issue       TEXT NOT NULL,
    echeance    TEXT NOT NULL,
    a_avis      INTEGER NOT NULL,
    delai       INTEGER NOT NULL
);
CREATE INDEX tableau_dossier_jour ON tableau_dossier(departement, jour, type, issue, echeance, a_avis, delai);

CREATE TABLE tableau_compte (
    departement TEXT NOT NULL,
    mois        TEXT NOT NULL,
    type        TEXT NOT NULL,
    issue       TEXT NOT NULL,
    echeance    TEXT NOT NULL,
    a_avis      INTEGER NOT NULL,
    delai       INTEGER NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (departement, mois, type, issue, echeance, a_avis, delai)
);

-- PostgreSQL runs several write transactions at once (group commit, 8 writers):
-- an UPDATE of a shared counter row would hold its lock until the writer's group
-- commits, serialising every intake of the same échelon, month and type (and
-- deadlocking groups that take two rows in opposite orders). So the triggers only
-- append movements here (+1 to the new row, −1 to the old): inserts never wait on
-- each other. The dashboard folds them into tableau_compte before reading
-- (sqldb.compactTableau, one folder at a time) and reads both.
CREATE TABLE tableau_mouvement (
    departement TEXT NOT NULL,
    mois        TEXT NOT NULL,
    type        TEXT NOT NULL,
    issue       TEXT NOT NULL,
    echeance    TEXT NOT NULL,
    a_avis      INTEGER NOT NULL,
    delai       INTEGER NOT NULL,
    n           INTEGER NOT NULL
);

-- A dossier's key as the raw tables give it now.
CREATE VIEW tableau_cle AS
SELECT dossier_id, jour, departement, type, issue,
       CASE WHEN issue = 'ouvert' THEN COALESCE(echeance, '') ELSE '' END AS echeance, a_avis, delai
FROM (
    SELECT d.id AS dossier_id, substr(d.recue_le, 1, 10) AS jour, d.departement AS departement, d.type AS type,
           CASE
               WHEN EXISTS (SELECT 1 FROM echeance e JOIN tableau_tacite t ON t.type = d.type AND t.nom = e.nom
                            WHERE e.dossier_id = d.id AND e.statut = 'declenchee') THEN 'tacite'
               WHEN v.sens = 'justifie' THEN 'justifie'
               WHEN v.sens = 'non_justifie' THEN 'non_justifie'
               WHEN d.etat IN ('recue', 'preanalysee', 'a_instruire', 'convocation', 'examen', 'attente_pieces') THEN 'ouvert'
               ELSE 'autre'
           END AS issue,
           d.echeance AS echeance,
           CASE WHEN v.dossier_id IS NULL THEN 0 ELSE 1 END AS a_avis,
           CASE WHEN v.dossier_id IS NULL THEN 0
                ELSE to_date(substr(v.le, 1, 10), 'YYYY-MM-DD') - to_date(substr(d.recue_le, 1, 10), 'YYYY-MM-DD') END AS delai
    FROM dossier d LEFT JOIN avis v ON v.dossier_id = d.id
) k;

-- Backfill: the dossiers already there.
INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle;
INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
    SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, COUNT(*) FROM tableau_dossier
    GROUP BY departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai;

-- Moves one dossier from its stored row to the row of its key now. The stored row
-- is locked first, so two transactions changing the same dossier move it in turn.
CREATE FUNCTION tableau_rafraichir(p_id BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    o tableau_dossier%ROWTYPE;
    c tableau_dossier%ROWTYPE;
    had BOOLEAN;
    has BOOLEAN;
BEGIN
    SELECT * INTO o FROM tableau_dossier WHERE dossier_id = p_id FOR UPDATE;
    had := FOUND;
    SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai INTO c FROM tableau_cle WHERE dossier_id = p_id;
    has := FOUND;
    IF had AND has AND (o.jour, o.departement, o.type, o.issue, o.echeance, o.a_avis, o.delai)
                     = (c.jour, c.departement, c.type, c.issue, c.echeance, c.a_avis, c.delai) THEN
        RETURN;
    END IF;
    IF had THEN
        INSERT INTO tableau_mouvement (departement, mois, type, issue, echeance, a_avis, delai, n)
            VALUES (o.departement, substr(o.jour, 1, 7), o.type, o.issue, o.echeance, o.a_avis, o.delai, -1);
    END IF;
    IF NOT has THEN
        DELETE FROM tableau_dossier WHERE dossier_id = p_id;
        RETURN;
    END IF;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai)
        VALUES (c.dossier_id, c.jour, c.departement, c.type, c.issue, c.echeance, c.a_avis, c.delai)
        ON CONFLICT (dossier_id) DO UPDATE SET jour = EXCLUDED.jour, departement = EXCLUDED.departement, type = EXCLUDED.type,
            issue = EXCLUDED.issue, echeance = EXCLUDED.echeance, a_avis = EXCLUDED.a_avis, delai = EXCLUDED.delai;
    INSERT INTO tableau_mouvement (departement, mois, type, issue, echeance, a_avis, delai, n)
        VALUES (c.departement, substr(c.jour, 1, 7), c.type, c.issue, c.echeance, c.a_avis, c.delai, 1);
END $$;

CREATE FUNCTION tableau_dossier_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM tableau_rafraichir(OLD.id);
    ELSE
        PERFORM tableau_rafraichir(NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tableau_dossier_ai AFTER INSERT ON dossier FOR EACH ROW EXECUTE FUNCTION tableau_dossier_trg();
CREATE TRIGGER tableau_dossier_au AFTER UPDATE OF etat, echeance, recue_le, departement, type ON dossier FOR EACH ROW
    WHEN (OLD.etat IS DISTINCT FROM NEW.etat OR OLD.echeance IS DISTINCT FROM NEW.echeance OR OLD.recue_le IS DISTINCT FROM NEW.recue_le
          OR OLD.departement IS DISTINCT FROM NEW.departement OR OLD.type IS DISTINCT FROM NEW.type)
    EXECUTE FUNCTION tableau_dossier_trg();
CREATE TRIGGER tableau_dossier_ad AFTER DELETE ON dossier FOR EACH ROW EXECUTE FUNCTION tableau_dossier_trg();

-- avis and echeance rows name their dossier in dossier_id.
CREATE FUNCTION tableau_avis_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM tableau_rafraichir(OLD.dossier_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.dossier_id IS DISTINCT FROM OLD.dossier_id) THEN
        PERFORM tableau_rafraichir(NEW.dossier_id);
    END IF;
    RETURN NULL;
END $$;
-- Deadlines: only a tacit one fired (or no longer fired) changes the outcome.
CREATE FUNCTION tableau_echeance_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = OLD.nom) THEN
        PERFORM tableau_rafraichir(OLD.dossier_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.dossier_id IS DISTINCT FROM OLD.dossier_id OR NEW.nom IS DISTINCT FROM OLD.nom)) THEN
        IF EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = NEW.nom) THEN
            PERFORM tableau_rafraichir(NEW.dossier_id);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tableau_avis_ai AFTER INSERT ON avis FOR EACH ROW EXECUTE FUNCTION tableau_avis_trg();
CREATE TRIGGER tableau_avis_au AFTER UPDATE OF sens, le, dossier_id ON avis FOR EACH ROW
    WHEN (OLD.sens IS DISTINCT FROM NEW.sens OR OLD.le IS DISTINCT FROM NEW.le OR OLD.dossier_id IS DISTINCT FROM NEW.dossier_id)
    EXECUTE FUNCTION tableau_avis_trg();
CREATE TRIGGER tableau_avis_ad AFTER DELETE ON avis FOR EACH ROW EXECUTE FUNCTION tableau_avis_trg();
CREATE TRIGGER tableau_echeance_ai AFTER INSERT ON echeance FOR EACH ROW WHEN (NEW.statut = 'declenchee')
    EXECUTE FUNCTION tableau_echeance_trg();
CREATE TRIGGER tableau_echeance_au AFTER UPDATE OF statut, nom, dossier_id ON echeance FOR EACH ROW
    WHEN ((OLD.statut = 'declenchee' OR NEW.statut = 'declenchee')
          AND (OLD.statut IS DISTINCT FROM NEW.statut OR OLD.nom IS DISTINCT FROM NEW.nom OR OLD.dossier_id IS DISTINCT FROM NEW.dossier_id))
    EXECUTE FUNCTION tableau_echeance_trg();
CREATE TRIGGER tableau_echeance_ad AFTER DELETE ON echeance FOR EACH ROW WHEN (OLD.statut = 'declenchee')
    EXECUTE FUNCTION tableau_echeance_trg();
