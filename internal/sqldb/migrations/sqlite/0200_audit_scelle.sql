-- Audit journal as evidence (issue 8): entries are sealed with HMAC-SHA256 under a
-- key kept outside the database, from the first entry after this migration on
-- (audit_head.scelle_depuis; earlier entries keep their plain SHA-256 chain); each
-- entry lists the dossiers it disclosed besides its objet (lists, exports, history).
ALTER TABLE audit ADD COLUMN divulgues TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN scelle_depuis INTEGER NOT NULL DEFAULT 1;
UPDATE audit_head SET scelle_depuis = seq + 1 WHERE id = 1;
