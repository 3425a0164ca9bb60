-- After a pseudonym key rotation a known youth is found under the old key and gets an alias
-- under the new one; their first pseudonym (in `youths`) stays their identity in the log.
CREATE TABLE youth_aliases (
    key_id    TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    youth_id  BIGINT NOT NULL REFERENCES youths(id),
    PRIMARY KEY (key_id, pseudonym)
);
