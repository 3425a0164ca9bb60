-- Auditors search the log by youth, organisation (as actor or recipient) and account, newest
-- first: each filter has an index ending in seq, so a first page reads only what it shows.
CREATE INDEX audit_entries_by_youth ON audit_entries (youth_pseudonym, seq);
CREATE INDEX audit_entries_by_actor_org ON audit_entries (actor_org, seq);
CREATE INDEX audit_entries_by_recipient_org ON audit_entries (recipient_org, seq);
CREATE INDEX audit_entries_by_account ON audit_entries (actor_account, seq);
