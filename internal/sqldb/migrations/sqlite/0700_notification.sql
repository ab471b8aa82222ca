-- Outbox of the conclusions sent to the caisse (issue 10): one row per avis, tacit
-- approval or implicit recognition, written in the transaction of the decision
-- (Tx.Notify). caisse is the département code of the CPAM of the assuré (the code
-- of its agents' "caisse" habilitations); nature is one of sqldb.NotificationNatures;
-- conclusion is French text with the outcome and never a clinical field; date is the
-- day of the decision (YYYY-MM-DD). seq is the readers' cursor: it grows in commit
-- order (one writer on SQLite; an advisory lock on PostgreSQL).
CREATE TABLE notification (
    seq        INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES dossier(id),
    caisse     TEXT NOT NULL,
    nature     TEXT NOT NULL,
    conclusion TEXT NOT NULL,
    date       TEXT NOT NULL,
    cree_le    TEXT NOT NULL
);
CREATE INDEX notification_caisse ON notification(caisse, seq);
CREATE INDEX notification_dossier ON notification(dossier_id);
