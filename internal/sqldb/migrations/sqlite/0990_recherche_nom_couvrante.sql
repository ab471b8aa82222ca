-- The search by name at 1,000,000 dossiers (issue 10, docs/perf.md "Liste de
-- travail : recherche par nom et queues"). A short prefix (« MOR ») matches
-- ~7,000 dossiers of a département; the list collects them, sorts them by the
-- requested key and keeps one page. With dossier_dep_nom_assure as it was
-- (departement, UPPER(nom_assure), id), every one of them was fetched from the
-- table for its sort key: 7,000 probes of the table's b-tree, scattered over the
-- whole file. The index now carries every sort key and filter column of the
-- worklist after its key (departement, UPPER(nom_assure), id), so that its order
-- is unchanged, a sort by name walks it and stops at the page, and the candidates
-- are read from the index alone (SQLite answers UPPER(nom_assure) from the index:
-- the column itself is not needed). Same name: the number of indexes on dossier
-- does not change.
DROP INDEX IF EXISTS dossier_dep_nom_assure;
CREATE INDEX dossier_dep_nom_assure ON dossier(departement, UPPER(nom_assure), id,
    echeance, recue_le, type, etat, attribue_a);
-- Its statistics went with the old index: without them the planner takes the new
-- one, which covers every list of the département, for the whole history sorted by
-- any key (a sort of 180,000 entries instead of a walk of 125: 30 ms at 1,000,000).
ANALYZE dossier_dep_nom_assure;
