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
    dossier_id  INTEGER PRIMARY KEY,
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
    n           INTEGER NOT NULL,
    PRIMARY KEY (departement, mois, type, issue, echeance, a_avis, delai)
) WITHOUT ROWID;

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
                ELSE CAST(julianday(substr(v.le, 1, 10)) - julianday(substr(d.recue_le, 1, 10)) AS INTEGER) END AS delai
    FROM dossier d LEFT JOIN avis v ON v.dossier_id = d.id
);

-- Backfill: the dossiers already there.
INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle;
INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
    SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, COUNT(*) FROM tableau_dossier
    GROUP BY departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai;

-- Each trigger moves one dossier from its stored row to the row of its key now
-- (the same four statements; a dossier deleted just leaves its row).
CREATE TRIGGER tableau_dossier_ai AFTER INSERT ON dossier BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_dossier_au AFTER UPDATE OF etat, echeance, recue_le, departement, type ON dossier
WHEN OLD.etat IS NOT NEW.etat OR OLD.echeance IS NOT NEW.echeance OR OLD.recue_le IS NOT NEW.recue_le
  OR OLD.departement IS NOT NEW.departement OR OLD.type IS NOT NEW.type BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_dossier_ad AFTER DELETE ON dossier BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.id);
    DELETE FROM tableau_dossier WHERE dossier_id = OLD.id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = OLD.id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_avis_ai AFTER INSERT ON avis BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_avis_au AFTER UPDATE OF sens, le ON avis
WHEN (OLD.sens IS NOT NEW.sens OR OLD.le IS NOT NEW.le) AND OLD.dossier_id = NEW.dossier_id BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
-- (No write moves an avis or a deadline to another dossier; if one did, both move.)
CREATE TRIGGER tableau_avis_au_dossier AFTER UPDATE OF dossier_id ON avis
WHEN OLD.dossier_id IS NOT NEW.dossier_id BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = OLD.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_avis_ad AFTER DELETE ON avis BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = OLD.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
-- Deadlines: only a tacit one fired (or no longer fired) changes the outcome.
CREATE TRIGGER tableau_echeance_ai AFTER INSERT ON echeance
WHEN NEW.statut = 'declenchee' AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = NEW.nom) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_echeance_au AFTER UPDATE OF statut, nom ON echeance
WHEN (OLD.statut = 'declenchee' OR NEW.statut = 'declenchee')
  AND (OLD.statut IS NOT NEW.statut OR OLD.nom IS NOT NEW.nom) AND OLD.dossier_id = NEW.dossier_id
  AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom IN (OLD.nom, NEW.nom)) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_echeance_au_dossier AFTER UPDATE OF dossier_id ON echeance
WHEN OLD.dossier_id IS NOT NEW.dossier_id AND (OLD.statut = 'declenchee' OR NEW.statut = 'declenchee')
  AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom IN (OLD.nom, NEW.nom)) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = OLD.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_echeance_ad AFTER DELETE ON echeance
WHEN OLD.statut = 'declenchee' AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = OLD.nom) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = OLD.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
