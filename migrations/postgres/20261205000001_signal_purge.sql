-- Destroying a youth (ACTION-FRAMEWORK §8) no longer deletes their delivered signals one youth
-- at a time: the youth's record goes first, which makes their signals unreachable (every read
-- of a signal joins its youth), and a purge then deletes them all at once. For the moments
-- between the two a signal may outlive its youth: `youth_id` and `in_reply_to` lose their
-- foreign keys (the gateway checks both before it delivers).
ALTER TABLE delivered_signals DROP CONSTRAINT delivered_signals_youth_id_fkey;
ALTER TABLE delivered_signals DROP CONSTRAINT delivered_signals_in_reply_to_fkey;
-- Only what is looked up: a youth's requests (their threads) and the answers to a request.
DROP INDEX delivered_signals_by_youth;
DROP INDEX delivered_signals_by_request;
CREATE INDEX delivered_signals_by_youth ON delivered_signals (youth_id)
    WHERE signal IN ('feedback_request', 'contact_request');
CREATE INDEX delivered_signals_by_request ON delivered_signals (in_reply_to) WHERE in_reply_to IS NOT NULL;
-- A signal deleted checks that no report names it: without an index, a scan of every report.
CREATE INDEX reports_by_signal ON reports (signal_id);
