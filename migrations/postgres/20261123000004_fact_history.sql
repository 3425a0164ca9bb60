-- When each fact became known, and when its end did, as the audit entry that recorded it: a
-- replay re-decides a past decision on the facts known before its own entry, not on today's.
-- Rows from before this migration have NULL and count as known from the start.
ALTER TABLE involvements ADD COLUMN recorded_seq BIGINT REFERENCES audit_entries(seq);
ALTER TABLE involvements ADD COLUMN ended_seq BIGINT REFERENCES audit_entries(seq);
ALTER TABLE measures ADD COLUMN recorded_seq BIGINT REFERENCES audit_entries(seq);
ALTER TABLE measures ADD COLUMN ended_seq BIGINT REFERENCES audit_entries(seq);
ALTER TABLE consents ADD COLUMN recorded_seq BIGINT REFERENCES audit_entries(seq);
ALTER TABLE consents ADD COLUMN ended_seq BIGINT REFERENCES audit_entries(seq);
ALTER TABLE reports ADD COLUMN recorded_seq BIGINT REFERENCES audit_entries(seq);

-- The replay walks the decisions in log order from a date.
CREATE INDEX audit_entries_by_event_time ON audit_entries (event, at);
