-- The worklist at 1,000,000 dossiers (issue 10, docs/perf.md "Liste de travail :
-- plans à 1 000 000 de dossiers"). The number of indexes on dossier, which every
-- intake and every sweep pays, does not change: two go, two come.
--
-- The registered name of the assuré (assure.nom) is kept on each of its dossiers
-- (nom_assure), so that the search by name of the roles that read it is a range of
-- one index led by the département — 4 % of a département — instead of every
-- assuré of that name in the region, then each of their dossiers (20,000 + 40,000
-- probes for « MOR » in the bench). Written with the dossier (its INSERT reads the
-- assure row, which exists before: foreign key) and by every change of the
-- registered identity (writeIdentity). The sort by name of these roles follows it
-- too (the name they read), so it replaces the index on the declared name.
ALTER TABLE dossier ADD COLUMN nom_assure TEXT NOT NULL DEFAULT '';
UPDATE dossier d SET nom_assure = COALESCE(s.nom, '') FROM assure s WHERE s.nir = d.nir AND COALESCE(s.nom, '') <> '';
DROP INDEX IF EXISTS dossier_dep_nom;
CREATE INDEX dossier_dep_nom_assure ON dossier(departement, UPPER(nom_assure), id);

-- The dossiers awaiting an avis (the caseload: a few percent of the base) have
-- their own covering index, so that every list of them (the default worklist, the
-- filters by state, type, assignment and urgency, the counts) reads only them,
-- never the département's closed history. Its condition is, word for word, the
-- one the worklist writes (openEtats, checked by TestOpenEtatsMatchPartialIndex).
-- It replaces dossier_worklist (departement, etat, echeance), whose other uses
-- (closed states) are served by dossier_dep_etat.
DROP INDEX IF EXISTS dossier_worklist;
CREATE INDEX dossier_ouvert ON dossier(departement, etat) INCLUDE (id, type, attribue_a, echeance, recue_le, nom_assure, decl_nom)
    WHERE etat IN ('recue','preanalysee','a_instruire','convocation','examen','attente_pieces');
