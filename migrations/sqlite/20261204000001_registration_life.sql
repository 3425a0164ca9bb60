-- ACTION-FRAMEWORK §8, the life of a registration. Unix microseconds (UTC), like every time here.
--
-- A youth enrolled from now on is named in `youths` (and so in every audit entry about them)
-- by a random reference, key id `ref:…`; the BSN's pseudonym lives only in `youth_aliases`.
-- Destroying the youth's record (this row and its aliases) leaves the log's entries whole and
-- linked to nothing. Youths enrolled before keep their pseudonym as their name in the log.

-- Their 23rd birthday (the reference index stops reaching them), and their recorded death.
-- NULL `ages_out_at` for rows from before: the first retention run fills it in.
ALTER TABLE youths ADD COLUMN ages_out_at INTEGER;
ALTER TABLE youths ADD COLUMN died_at INTEGER;
ALTER TABLE youths ADD COLUMN died_seq INTEGER REFERENCES audit_entries(seq);

-- Why an involvement was withdrawn; until when it is kept (its end, or its archive's);
-- the entry of the one historic match its archive gave. NULL `keep_until` for rows from before:
-- the first retention run fills it in.
ALTER TABLE involvements ADD COLUMN withdrawal TEXT CHECK (withdrawal IN ('risk_gone', 'unjustified', 'objection'));
ALTER TABLE involvements ADD COLUMN keep_until INTEGER;
ALTER TABLE involvements ADD COLUMN historic_match_seq INTEGER REFERENCES audit_entries(seq);
CREATE INDEX involvements_by_keep_until ON involvements (keep_until);

-- The youth's parents as a registration named them: pseudonyms of their BSNs, never the BSNs.
CREATE TABLE youth_parents (
    youth_id  INTEGER NOT NULL REFERENCES youths(id),
    key_id    TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    PRIMARY KEY (youth_id, key_id, pseudonym)
) STRICT;
CREATE INDEX youth_parents_by_parent ON youth_parents (key_id, pseudonym);

-- A notice is a match, a historic match or a family match.
ALTER TABLE match_notices ADD COLUMN kind TEXT NOT NULL DEFAULT 'match'
    CHECK (kind IN ('match', 'historic_match', 'family_match'));

-- What destroying a youth's record deletes, found by youth.
CREATE INDEX match_notices_by_youth ON match_notices (youth_id);
CREATE INDEX youth_aliases_by_youth ON youth_aliases (youth_id);

-- One retention run a day among every instance: the one that inserts the day runs it.
CREATE TABLE retention_runs (
    day         TEXT PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER
) STRICT;

-- The highest id a destroyed youth had: enrolment never gives it again (SQLite would, to the
-- next youth, and a request that found the destroyed one would write onto another child).
-- PostgreSQL's identity never reuses an id.
CREATE TABLE youth_id_floor (floor INTEGER NOT NULL) STRICT;
INSERT INTO youth_id_floor (floor) VALUES (0);
CREATE TRIGGER youths_ids_stay_used AFTER DELETE ON youths
BEGIN UPDATE youth_id_floor SET floor = MAX(floor, OLD.id); END;
