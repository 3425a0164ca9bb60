-- Pages of the log come newest (or oldest) first by seq. An index on (event, seq) reads a
-- first page of one event in order and stops; (event, at) made the database sort every entry
-- of a frequent event first. Time ranges get an index of their own.
DROP INDEX audit_entries_by_event_time;
CREATE INDEX audit_entries_by_event ON audit_entries (event, seq);
CREATE INDEX audit_entries_by_time ON audit_entries (at);
