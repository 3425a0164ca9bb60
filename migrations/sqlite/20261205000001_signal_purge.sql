-- no-transaction
-- Destroying a youth (ACTION-FRAMEWORK §8) no longer deletes their delivered signals one youth
-- at a time: scattered over the table by time, millions of them rewrote most of its pages in
-- every commit. The youth's record goes first, which makes their signals unreachable (every read
-- of a signal joins its youth), and a purge then deletes them in table order.
--
-- For that, a signal may outlive its youth for the moments between the two: `youth_id` and
-- `in_reply_to` lose their foreign keys (the gateway checks both before it delivers). SQLite
-- cannot drop a constraint, so the table is rebuilt, with foreign keys off (they cannot be
-- switched off inside a transaction, hence the transaction of its own).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE delivered_signals_rebuilt (
    id           TEXT PRIMARY KEY,
    audit_seq    INTEGER NOT NULL REFERENCES audit_entries(seq),
    youth_id     INTEGER NOT NULL,
    from_org_id  TEXT NOT NULL REFERENCES organisations(id),
    from_account TEXT,
    to_org_id    TEXT NOT NULL REFERENCES organisations(id),
    signal       TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    in_reply_to  TEXT,
    delivered_at INTEGER NOT NULL
) STRICT;
INSERT INTO delivered_signals_rebuilt
    (id, audit_seq, youth_id, from_org_id, from_account, to_org_id, signal, purpose, in_reply_to, delivered_at)
    SELECT id, audit_seq, youth_id, from_org_id, from_account, to_org_id, signal, purpose, in_reply_to, delivered_at
    FROM delivered_signals ORDER BY rowid;
DROP TABLE delivered_signals;
ALTER TABLE delivered_signals_rebuilt RENAME TO delivered_signals;
CREATE INDEX delivered_signals_by_recipient ON delivered_signals (to_org_id, audit_seq);
-- Only what is looked up: a youth's requests (their threads) and the answers to a request. The
-- fewer entries, the less a purge has to take out of indexes in no useful order.
CREATE INDEX delivered_signals_by_youth ON delivered_signals (youth_id)
    WHERE signal IN ('feedback_request', 'contact_request');
CREATE INDEX delivered_signals_by_request ON delivered_signals (in_reply_to) WHERE in_reply_to IS NOT NULL;
-- A signal deleted checks that no report names it: without an index, a scan of every report.
CREATE INDEX reports_by_signal ON reports (signal_id);
COMMIT;
PRAGMA foreign_keys = ON;
