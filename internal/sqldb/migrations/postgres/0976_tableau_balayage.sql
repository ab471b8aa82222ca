-- The deadline sweep moves the dossiers of a batch in the dashboard counters once,
-- itself, at the end of the batch (sqldb.fireSet), instead of once per statement
-- through the triggers of migration 0975 — the claim of the deadlines and the
-- dossiers' change of state each moved the whole batch, the second time to no
-- effect. The sweep sets medconseil.tableau_differe to 'on' for its transaction
-- only (set_config(…, true)), the trigger functions then return at once, and the
-- sweep calls tableau_rafraichir_ensemble over every dossier of the batch after
-- its last write, before it commits: what the triggers would have done, in one
-- set. No other writer sets the setting; a transaction rolled back takes it back.

CREATE FUNCTION tableau_differe() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT COALESCE(current_setting('medconseil.tableau_differe', true), '') = 'on'
$$;

CREATE OR REPLACE FUNCTION tableau_dossier_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF tableau_differe() THEN
        RETURN NULL;
    END IF;
    PERFORM tableau_rafraichir_ensemble(ARRAY(SELECT id FROM nouveau));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tableau_dossier_maj() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF tableau_differe() THEN
        RETURN NULL;
    END IF;
    PERFORM tableau_rafraichir_ensemble(ARRAY(
        SELECT id FROM (SELECT id, etat, echeance, recue_le, departement, type FROM nouveau
                        EXCEPT SELECT id, etat, echeance, recue_le, departement, type FROM ancien) n
        UNION
        SELECT id FROM (SELECT id, etat, echeance, recue_le, departement, type FROM ancien
                        EXCEPT SELECT id, etat, echeance, recue_le, departement, type FROM nouveau) o));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tableau_dossier_sup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF tableau_differe() THEN
        RETURN NULL;
    END IF;
    PERFORM tableau_rafraichir_ensemble(ARRAY(SELECT id FROM ancien));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tableau_avis_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF tableau_differe() THEN
        RETURN NULL;
    END IF;
    PERFORM tableau_rafraichir_ensemble(ARRAY(SELECT dossier_id FROM nouveau));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tableau_avis_maj() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF tableau_differe() THEN
        RETURN NULL;
    END IF;
    PERFORM tableau_rafraichir_ensemble(ARRAY(
        SELECT dossier_id FROM (SELECT dossier_id, sens, le FROM nouveau EXCEPT SELECT dossier_id, sens, le FROM ancien) n
        UNION
        SELECT dossier_id FROM (SELECT dossier_id, sens, le FROM ancien EXCEPT SELECT dossier_id, sens, le FROM nouveau) o));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tableau_avis_sup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF tableau_differe() THEN
        RETURN NULL;
    END IF;
    PERFORM tableau_rafraichir_ensemble(ARRAY(SELECT dossier_id FROM ancien));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tableau_echeance_maj() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF tableau_differe() THEN
        RETURN NULL;
    END IF;
    PERFORM tableau_rafraichir_ensemble(ARRAY(
        SELECT x.dossier_id FROM (
            SELECT * FROM (SELECT id, dossier_id, nom, statut FROM nouveau EXCEPT SELECT id, dossier_id, nom, statut FROM ancien) n
            UNION ALL
            SELECT * FROM (SELECT id, dossier_id, nom, statut FROM ancien EXCEPT SELECT id, dossier_id, nom, statut FROM nouveau) o
        ) x
        WHERE x.statut = 'declenchee' AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = x.nom)));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tableau_echeance_ligne() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF tableau_differe() THEN
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = OLD.nom) THEN
            PERFORM tableau_rafraichir_ensemble(ARRAY[OLD.dossier_id]);
        END IF;
    ELSIF EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = NEW.nom) THEN
        PERFORM tableau_rafraichir_ensemble(ARRAY[NEW.dossier_id]);
    END IF;
    RETURN NULL;
END $$;
