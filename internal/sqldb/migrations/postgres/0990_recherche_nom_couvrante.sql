-- The search by name at 1,000,000 dossiers (issue 10, docs/perf.md "Liste de
-- travail : recherche par nom et queues"). A short prefix (« MOR ») matches
-- ~7,000 dossiers of a département; the list collects them, sorts them by the
-- requested key and keeps one page. With dossier_dep_nom_assure as it was
-- (departement, UPPER(nom_assure), id), every one of them was fetched from the
-- table for its sort key — and once more for the capped count, since PostgreSQL
-- answers from an index alone only when the columns under its expressions are in
-- it. The index now carries the name and every sort key and filter column of the
-- worklist (INCLUDE: not part of the key, so its order is unchanged), so that the
-- candidates are read from the index alone, a few dozen pages, and a sort by name
-- walks it in order and stops at the page. Same name, same key: the number of
-- indexes on dossier does not change.
DROP INDEX IF EXISTS dossier_dep_nom_assure;
CREATE INDEX dossier_dep_nom_assure ON dossier(departement, UPPER(nom_assure), id)
    INCLUDE (nom_assure, echeance, recue_le, type, etat, attribue_a);
-- The statistics of the indexed expression went with the old index.
ANALYZE dossier;
