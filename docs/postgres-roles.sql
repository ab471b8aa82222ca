-- PostgreSQL roles of medconseil: a migration role owns the schema and runs
-- « medconseil migrate »; the application role (« medconseil serve ») reads and writes
-- the data but cannot alter the schema, and can only append to the audit journal.
-- Run as a superuser, replacing medconseil_app, medconseil_migration and the schema
-- (public by default). internal/sqldb/grants_test.go runs this very file.

CREATE ROLE medconseil_migration LOGIN;            -- set a password, or use certificates
CREATE ROLE medconseil_app LOGIN;                  -- idem; NOT the owner of anything
GRANT CREATE, USAGE ON SCHEMA public TO medconseil_migration;
-- ==== migrate ====
-- Run « medconseil migrate » as medconseil_migration now: it owns every table, the
-- triggers and the functions. Then, still as the superuser or medconseil_migration:

GRANT USAGE ON SCHEMA public TO medconseil_app;
REVOKE CREATE ON SCHEMA public FROM medconseil_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO medconseil_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO medconseil_app;
-- The journal: append and read only. No UPDATE, DELETE or TRUNCATE; not being the
-- owner, the role can neither drop nor disable the triggers, nor alter the table.
REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM medconseil_app;
-- The head moves forward at every append (seq, hash); it cannot be deleted.
REVOKE DELETE, TRUNCATE ON audit_head FROM medconseil_app;
-- Migrations are the migration role's: the application only reads their list.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migration FROM medconseil_app;
