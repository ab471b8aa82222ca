-- dossier_nir (nir) is a prefix of dossier_nir_type (nir, type), which serves every
-- lookup by NIR as well. Every INSERT INTO dossier and every non-HOT UPDATE (a change
-- of state or echeance: both are in dossier_worklist) paid for one more index entry:
-- the intake's single writer and the deadline sweep (docs/perf.md, branche h-perf).
DROP INDEX IF EXISTS dossier_nir;
