-- A partner system's certificate can be disabled (a lost or replaced key): from then on it
-- identifies no one. It is never enabled again, nor registered anew: a new key gets a new
-- certificate. Unix microseconds (UTC), like every time here.
ALTER TABLE organisation_certificates ADD COLUMN disabled_at INTEGER;
