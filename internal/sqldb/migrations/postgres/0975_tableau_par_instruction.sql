-- Dashboard counters maintained per statement, not per row (issue 9: the deadline
-- sweep over 1,000,000 open dossiers; docs/perf.md, branch h-balayage2). The
-- row-level triggers of migration 0940 ran a PL/pgSQL function per row changed —
-- lock the dossier's tableau_dossier row, read its key from tableau_cle, append two
-- movements, upsert the row — twice per fired deadline (the claim of the deadline,
-- then the dossier's change of state): 1,024 calls and 2,048 movements for a sweep
-- batch of 512. The triggers below run once per statement over its transition
-- tables: the dossiers whose counted columns changed are refreshed as a set by
-- tableau_rafraichir_ensemble, which appends one movement per key and sign
-- (a batch of 512 tacit decisions: a few dozen rows). Same rules as 0940: which
-- writes count, the lock of the stored row before the key is read (two
-- transactions changing the same dossier move it in turn; the rows are locked in
-- dossier order, so two sets never deadlock each other), movements only (writers
-- never wait on a shared counter row).
--
-- Inserted and deleted deadlines keep a row-level trigger: only a fired tacit one
-- counts, and the trigger's WHEN tests that without calling any function (a
-- statement-level trigger would run for every deadline the intake writes).

DROP TRIGGER tableau_dossier_ai ON dossier;
DROP TRIGGER tableau_dossier_au ON dossier;
DROP TRIGGER tableau_dossier_ad ON dossier;
DROP TRIGGER tableau_avis_ai ON avis;
DROP TRIGGER tableau_avis_au ON avis;
DROP TRIGGER tableau_avis_ad ON avis;
DROP TRIGGER tableau_echeance_ai ON echeance;
DROP TRIGGER tableau_echeance_au ON echeance;
DROP TRIGGER tableau_echeance_ad ON echeance;
DROP FUNCTION tableau_dossier_trg();
DROP FUNCTION tableau_avis_trg();
DROP FUNCTION tableau_echeance_trg();
DROP FUNCTION tableau_rafraichir(BIGINT);

-- Moves each dossier of p_ids from its stored row to the row of its key now: one
-- statement locks the stored rows (in dossier order), the next — a new snapshot,
-- which sees what a transaction that held one of them committed — reads the keys
-- and writes the differences.
CREATE FUNCTION tableau_rafraichir_ensemble(p_ids BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM tableau_dossier WHERE dossier_id IN (SELECT unnest(p_ids)) ORDER BY dossier_id FOR UPDATE;
    WITH ids AS (SELECT DISTINCT unnest(p_ids) AS id),
    o AS (SELECT t.* FROM tableau_dossier t WHERE t.dossier_id IN (SELECT id FROM ids)),
    c AS (SELECT k.* FROM tableau_cle k WHERE k.dossier_id IN (SELECT id FROM ids)),
    d AS (
        SELECT o.dossier_id AS o_id, o.jour AS o_jour, o.departement AS o_departement, o.type AS o_type, o.issue AS o_issue,
               o.echeance AS o_echeance, o.a_avis AS o_a_avis, o.delai AS o_delai,
               c.dossier_id AS c_id, c.jour AS c_jour, c.departement AS c_departement, c.type AS c_type, c.issue AS c_issue,
               c.echeance AS c_echeance, c.a_avis AS c_a_avis, c.delai AS c_delai
        FROM o FULL JOIN c ON c.dossier_id = o.dossier_id
        WHERE o.dossier_id IS NULL OR c.dossier_id IS NULL
           OR (o.jour, o.departement, o.type, o.issue, o.echeance, o.a_avis, o.delai)
              IS DISTINCT FROM (c.jour, c.departement, c.type, c.issue, c.echeance, c.a_avis, c.delai)
    ),
    mouvements AS (
        INSERT INTO tableau_mouvement (departement, mois, type, issue, echeance, a_avis, delai, n)
        SELECT departement, mois, type, issue, echeance, a_avis, delai, SUM(n) FROM (
            SELECT o_departement AS departement, substr(o_jour, 1, 7) AS mois, o_type AS type, o_issue AS issue,
                   o_echeance AS echeance, o_a_avis AS a_avis, o_delai AS delai, -1 AS n FROM d WHERE o_id IS NOT NULL
            UNION ALL
            SELECT c_departement, substr(c_jour, 1, 7), c_type, c_issue, c_echeance, c_a_avis, c_delai, 1 FROM d WHERE c_id IS NOT NULL
        ) m
        GROUP BY departement, mois, type, issue, echeance, a_avis, delai
        HAVING SUM(n) <> 0
    ),
    supprimes AS (
        DELETE FROM tableau_dossier t USING d WHERE d.c_id IS NULL AND t.dossier_id = d.o_id
    )
    INSERT INTO tableau_dossier (dossier_id, jour, departement, type, issue, echeance, a_avis, delai)
        SELECT c_id, c_jour, c_departement, c_type, c_issue, c_echeance, c_a_avis, c_delai FROM d WHERE c_id IS NOT NULL
        ON CONFLICT (dossier_id) DO UPDATE SET jour = EXCLUDED.jour, departement = EXCLUDED.departement, type = EXCLUDED.type,
            issue = EXCLUDED.issue, echeance = EXCLUDED.echeance, a_avis = EXCLUDED.a_avis, delai = EXCLUDED.delai;
END $$;

-- Dossiers: filed, deleted, or changed in a counted column (a statement-level
-- trigger cannot name its columns: the function picks the rows).
CREATE FUNCTION tableau_dossier_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tableau_rafraichir_ensemble(ARRAY(SELECT id FROM nouveau));
    RETURN NULL;
END $$;
CREATE FUNCTION tableau_dossier_maj() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tableau_rafraichir_ensemble(ARRAY(
        SELECT id FROM (SELECT id, etat, echeance, recue_le, departement, type FROM nouveau
                        EXCEPT SELECT id, etat, echeance, recue_le, departement, type FROM ancien) n
        UNION
        SELECT id FROM (SELECT id, etat, echeance, recue_le, departement, type FROM ancien
                        EXCEPT SELECT id, etat, echeance, recue_le, departement, type FROM nouveau) o));
    RETURN NULL;
END $$;
CREATE FUNCTION tableau_dossier_sup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tableau_rafraichir_ensemble(ARRAY(SELECT id FROM ancien));
    RETURN NULL;
END $$;
CREATE TRIGGER tableau_dossier_ai AFTER INSERT ON dossier REFERENCING NEW TABLE AS nouveau
    FOR EACH STATEMENT EXECUTE FUNCTION tableau_dossier_ins();
CREATE TRIGGER tableau_dossier_au AFTER UPDATE ON dossier REFERENCING OLD TABLE AS ancien NEW TABLE AS nouveau
    FOR EACH STATEMENT EXECUTE FUNCTION tableau_dossier_maj();
CREATE TRIGGER tableau_dossier_ad AFTER DELETE ON dossier REFERENCING OLD TABLE AS ancien
    FOR EACH STATEMENT EXECUTE FUNCTION tableau_dossier_sup();

-- Avis: given, corrected (sens, day) or moved, withdrawn.
CREATE FUNCTION tableau_avis_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tableau_rafraichir_ensemble(ARRAY(SELECT dossier_id FROM nouveau));
    RETURN NULL;
END $$;
CREATE FUNCTION tableau_avis_maj() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tableau_rafraichir_ensemble(ARRAY(
        SELECT dossier_id FROM (SELECT dossier_id, sens, le FROM nouveau EXCEPT SELECT dossier_id, sens, le FROM ancien) n
        UNION
        SELECT dossier_id FROM (SELECT dossier_id, sens, le FROM ancien EXCEPT SELECT dossier_id, sens, le FROM nouveau) o));
    RETURN NULL;
END $$;
CREATE FUNCTION tableau_avis_sup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tableau_rafraichir_ensemble(ARRAY(SELECT dossier_id FROM ancien));
    RETURN NULL;
END $$;
CREATE TRIGGER tableau_avis_ai AFTER INSERT ON avis REFERENCING NEW TABLE AS nouveau
    FOR EACH STATEMENT EXECUTE FUNCTION tableau_avis_ins();
CREATE TRIGGER tableau_avis_au AFTER UPDATE ON avis REFERENCING OLD TABLE AS ancien NEW TABLE AS nouveau
    FOR EACH STATEMENT EXECUTE FUNCTION tableau_avis_maj();
CREATE TRIGGER tableau_avis_ad AFTER DELETE ON avis REFERENCING OLD TABLE AS ancien
    FOR EACH STATEMENT EXECUTE FUNCTION tableau_avis_sup();

-- Deadlines: only a tacit one fired (or no longer fired) changes the outcome.
-- Updated (the sweep's claim of a batch): per statement.
CREATE FUNCTION tableau_echeance_maj() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tableau_rafraichir_ensemble(ARRAY(
        SELECT x.dossier_id FROM (
            SELECT * FROM (SELECT id, dossier_id, nom, statut FROM nouveau EXCEPT SELECT id, dossier_id, nom, statut FROM ancien) n
            UNION ALL
            SELECT * FROM (SELECT id, dossier_id, nom, statut FROM ancien EXCEPT SELECT id, dossier_id, nom, statut FROM nouveau) o
        ) x
        WHERE x.statut = 'declenchee' AND EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = x.nom)));
    RETURN NULL;
END $$;
CREATE TRIGGER tableau_echeance_au AFTER UPDATE ON echeance REFERENCING OLD TABLE AS ancien NEW TABLE AS nouveau
    FOR EACH STATEMENT EXECUTE FUNCTION tableau_echeance_maj();
-- Inserted or deleted fired: per row, filtered by the WHEN.
CREATE FUNCTION tableau_echeance_ligne() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = OLD.nom) THEN
            PERFORM tableau_rafraichir_ensemble(ARRAY[OLD.dossier_id]);
        END IF;
    ELSIF EXISTS (SELECT 1 FROM tableau_tacite t WHERE t.nom = NEW.nom) THEN
        PERFORM tableau_rafraichir_ensemble(ARRAY[NEW.dossier_id]);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tableau_echeance_ai AFTER INSERT ON echeance FOR EACH ROW WHEN (NEW.statut = 'declenchee')
    EXECUTE FUNCTION tableau_echeance_ligne();
CREATE TRIGGER tableau_echeance_ad AFTER DELETE ON echeance FOR EACH ROW WHEN (OLD.statut = 'declenchee')
    EXECUTE FUNCTION tableau_echeance_ligne();
