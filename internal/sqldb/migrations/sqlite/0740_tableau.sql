-- The dashboard (sqldb/tableau.go) counts the dossiers of some échelons received in
-- a period, grouped by type, state and deadline: this index covers that pass, one
-- range per échelon, without reading the table's rows (docs/perf.md).
CREATE INDEX dossier_tableau ON dossier(departement, recue_le, type, etat, echeance);
