-- Cheaper dashboard counters on SQLite (branch h-balayage2, docs/perf.md). The
-- triggers of migration 0940 moved a dossier (four statements: the old counter
-- -1, the stored row deleted, the key read from tableau_cle and stored, the new
-- counter +1) at every write they watch, even when its key had not changed: the
-- second move of each sweep firing (the deadline claimed moves the dossier to
-- "tacite", its change of state right after leaves it there), most changes of
-- state of an open dossier. Each trigger now first compares the stored key with
-- the key now (two lookups by dossier) and moves the dossier only when they
-- differ. (The two triggers for an avis or a deadline moved to another dossier,
-- which no write does, are unchanged.)
--
-- A dossier filed (every intake) has no row of its own yet, no avis and no fired
-- deadline (they reference it): its key then comes from the new row alone and is
-- written with two statements. The trigger checks those three absences (three
-- lookups by dossier); when one fails (a dossier id reused by hand) the general
-- trigger runs. The states counted as open are those of tableau_cle.

DROP TRIGGER tableau_dossier_ai;
DROP TRIGGER tableau_dossier_au;
DROP TRIGGER tableau_dossier_ad;
DROP TRIGGER tableau_avis_ai;
DROP TRIGGER tableau_avis_au;
DROP TRIGGER tableau_avis_ad;
DROP TRIGGER tableau_echeance_ai;
DROP TRIGGER tableau_echeance_au;
DROP TRIGGER tableau_echeance_ad;

CREATE TRIGGER tableau_dossier_ai_neuf AFTER INSERT ON dossier
WHEN NOT EXISTS (SELECT 1 FROM tableau_dossier WHERE dossier_id = NEW.id) AND NOT EXISTS (SELECT 1 FROM avis WHERE dossier_id = NEW.id)
  AND NOT EXISTS (SELECT 1 FROM echeance WHERE dossier_id = NEW.id AND statut = 'declenchee') BEGIN
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai)
        VALUES (NEW.id, substr(NEW.recue_le, 1, 10), NEW.departement, NEW.type,
                CASE WHEN NEW.etat IN ('recue', 'preanalysee', 'a_instruire', 'convocation', 'examen', 'attente_pieces') THEN 'ouvert' ELSE 'autre' END,
                CASE WHEN NEW.etat IN ('recue', 'preanalysee', 'a_instruire', 'convocation', 'examen', 'attente_pieces') THEN COALESCE(NEW.echeance, '') ELSE '' END, 0, 0);
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        VALUES (NEW.departement, substr(NEW.recue_le, 1, 7), NEW.type,
                CASE WHEN NEW.etat IN ('recue', 'preanalysee', 'a_instruire', 'convocation', 'examen', 'attente_pieces') THEN 'ouvert' ELSE 'autre' END,
                CASE WHEN NEW.etat IN ('recue', 'preanalysee', 'a_instruire', 'convocation', 'examen', 'attente_pieces') THEN COALESCE(NEW.echeance, '') ELSE '' END, 0, 0, 1)
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_dossier_ai AFTER INSERT ON dossier
WHEN NOT (NOT EXISTS (SELECT 1 FROM tableau_dossier WHERE dossier_id = NEW.id) AND NOT EXISTS (SELECT 1 FROM avis WHERE dossier_id = NEW.id)
  AND NOT EXISTS (SELECT 1 FROM echeance WHERE dossier_id = NEW.id AND statut = 'declenchee'))
  AND (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.id)
      IS NOT (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.id) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_dossier_au AFTER UPDATE OF etat, echeance, recue_le, departement, type ON dossier
WHEN (OLD.etat IS NOT NEW.etat OR OLD.echeance IS NOT NEW.echeance OR OLD.recue_le IS NOT NEW.recue_le
  OR OLD.departement IS NOT NEW.departement OR OLD.type IS NOT NEW.type)
  AND (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.id)
      IS NOT (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.id) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_dossier_ad AFTER DELETE ON dossier
WHEN EXISTS (SELECT 1 FROM tableau_dossier WHERE dossier_id = OLD.id) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.id);
    DELETE FROM tableau_dossier WHERE dossier_id = OLD.id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = OLD.id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_avis_ai AFTER INSERT ON avis
WHEN (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id)
      IS NOT (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_avis_au AFTER UPDATE OF sens, le ON avis
WHEN ((OLD.sens IS NOT NEW.sens OR OLD.le IS NOT NEW.le) AND OLD.dossier_id = NEW.dossier_id)
  AND (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id)
      IS NOT (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_avis_ad AFTER DELETE ON avis
WHEN (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.dossier_id)
      IS NOT (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.dossier_id) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = OLD.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_echeance_ai AFTER INSERT ON echeance
WHEN (NEW.statut = 'declenchee' AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = NEW.nom))
  AND (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id)
      IS NOT (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_echeance_au AFTER UPDATE OF statut, nom ON echeance
WHEN ((OLD.statut = 'declenchee' OR NEW.statut = 'declenchee')
  AND (OLD.statut IS NOT NEW.statut OR OLD.nom IS NOT NEW.nom) AND OLD.dossier_id = NEW.dossier_id
  AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom IN (OLD.nom, NEW.nom)))
  AND (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id)
      IS NOT (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = NEW.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = NEW.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = NEW.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tableau_echeance_ad AFTER DELETE ON echeance
WHEN (OLD.statut = 'declenchee' AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = OLD.nom))
  AND (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.dossier_id)
      IS NOT (SELECT jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.dossier_id) BEGIN
    UPDATE tableau_compte SET n = n - 1
        WHERE (departement, mois, type, issue, echeance, a_avis, delai) = (SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai FROM tableau_dossier WHERE dossier_id = OLD.dossier_id);
    DELETE FROM tableau_dossier WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai) SELECT dossier_id, jour, departement, type, issue, echeance, a_avis, delai FROM tableau_cle WHERE dossier_id = OLD.dossier_id;
    INSERT INTO tableau_compte (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, 1 FROM tableau_dossier WHERE dossier_id = OLD.dossier_id
        ON CONFLICT (departement, mois, type, issue, echeance, a_avis, delai) DO UPDATE SET n = n + 1;
END;
