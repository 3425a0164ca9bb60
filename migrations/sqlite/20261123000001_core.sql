-- Ketenpoort core schema (SQLite). Times are INTEGER Unix microseconds (UTC); lists are JSON
-- arrays of framework words. No column ever holds a clear BSN: youths are known by pseudonym.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    contact     TEXT,
    disabled_at INTEGER
) STRICT;

-- Partner systems' client certificates, by SHA-256 fingerprint of the DER encoding.
CREATE TABLE organisation_certificates (
    fingerprint TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    added_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    role         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    contact      TEXT,
    oidc_issuer  TEXT,
    oidc_subject TEXT,
    disabled_at  INTEGER,
    UNIQUE (oidc_issuer, oidc_subject)
) STRICT;

CREATE TABLE youths (
    id          INTEGER PRIMARY KEY,
    key_id      TEXT NOT NULL,
    pseudonym   TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    enrolled_at INTEGER NOT NULL,
    UNIQUE (key_id, pseudonym)
) STRICT;

CREATE TABLE involvements (
    id            TEXT PRIMARY KEY,
    youth_id      INTEGER NOT NULL REFERENCES youths(id),
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    registered_at INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    withdrawn_at  INTEGER
) STRICT;
CREATE INDEX involvements_by_youth ON involvements (youth_id);

CREATE TABLE measures (
    id        TEXT PRIMARY KEY,
    youth_id  INTEGER NOT NULL REFERENCES youths(id),
    org_id    TEXT NOT NULL REFERENCES organisations(id),
    starts_at INTEGER NOT NULL,
    ends_at   INTEGER
) STRICT;
CREATE INDEX measures_by_youth ON measures (youth_id);

CREATE TABLE consents (
    id              TEXT PRIMARY KEY,
    youth_id        INTEGER NOT NULL REFERENCES youths(id),
    given_by        TEXT NOT NULL CHECK (given_by IN ('youth', 'parent')),
    holder_org_id   TEXT NOT NULL REFERENCES organisations(id),
    recipient_orgs  TEXT NOT NULL,
    recipient_kinds TEXT NOT NULL,
    signals         TEXT NOT NULL,
    purposes        TEXT NOT NULL,
    valid_from      INTEGER NOT NULL,
    valid_until     INTEGER,
    revoked_at      INTEGER
) STRICT;
CREATE INDEX consents_by_youth ON consents (youth_id);

CREATE TABLE audit_entries (
    seq              INTEGER PRIMARY KEY,
    at               INTEGER NOT NULL,
    recorded_at      INTEGER NOT NULL,
    request_id       TEXT NOT NULL,
    actor_account    TEXT,
    actor_org        TEXT,
    actor_org_kind   TEXT,
    actor_role       TEXT,
    authenticated_by TEXT NOT NULL,
    event            TEXT NOT NULL,
    action           TEXT,
    signal           TEXT,
    purpose          TEXT,
    youth_key_id     TEXT,
    youth_pseudonym  TEXT,
    recipient_org    TEXT,
    decision         TEXT,
    basis            TEXT,
    reason           TEXT,
    matched_rules    TEXT NOT NULL,
    policy_version   TEXT,
    obligations      TEXT NOT NULL,
    justification    TEXT,
    consents         TEXT NOT NULL,
    subject          TEXT,
    prev_hash        BLOB NOT NULL,
    hash             BLOB NOT NULL
) STRICT;

-- The log is append-only for Ketenpoort itself; whoever drops these triggers to rewrite it is
-- still caught by `ketenpoort audit verify`.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;

CREATE TABLE audit_checkpoints (
    seq       INTEGER PRIMARY KEY,
    hash      BLOB NOT NULL,
    at        INTEGER NOT NULL,
    key_id    TEXT NOT NULL,
    signature BLOB NOT NULL
) STRICT;

-- A signal is in an inbox only with the audit entry that allowed it (log before disclose).
CREATE TABLE delivered_signals (
    id           TEXT PRIMARY KEY,
    audit_seq    INTEGER NOT NULL REFERENCES audit_entries(seq),
    youth_id     INTEGER NOT NULL REFERENCES youths(id),
    from_org_id  TEXT NOT NULL REFERENCES organisations(id),
    from_account TEXT,
    to_org_id    TEXT NOT NULL REFERENCES organisations(id),
    signal       TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    in_reply_to  TEXT REFERENCES delivered_signals(id),
    delivered_at INTEGER NOT NULL
) STRICT;
CREATE INDEX delivered_signals_by_recipient ON delivered_signals (to_org_id, audit_seq);

-- Safety concerns received by Veilig Thuis: who is the reporter of a youth (§3).
CREATE TABLE reports (
    id          TEXT PRIMARY KEY,
    youth_id    INTEGER NOT NULL REFERENCES youths(id),
    from_org_id TEXT NOT NULL REFERENCES organisations(id),
    to_org_id   TEXT NOT NULL REFERENCES organisations(id),
    reported_at INTEGER NOT NULL,
    signal_id   TEXT REFERENCES delivered_signals(id)
) STRICT;
CREATE INDEX reports_by_youth ON reports (youth_id);

CREATE TABLE policy_versions (
    id           TEXT PRIMARY KEY,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'active', 'retired')),
    model        TEXT NOT NULL,
    rules        TEXT NOT NULL,
    note         TEXT NOT NULL,
    author       TEXT,
    approver     TEXT,
    created_at   INTEGER NOT NULL,
    approved_at  INTEGER,
    activated_at INTEGER,
    retired_at   INTEGER
) STRICT;
CREATE UNIQUE INDEX policy_versions_one_active ON policy_versions (status) WHERE status = 'active';

-- "Another professional is involved too": one notice per recipient, each with its audit entry.
CREATE TABLE match_notices (
    id           TEXT PRIMARY KEY,
    audit_seq    INTEGER NOT NULL REFERENCES audit_entries(seq),
    youth_id     INTEGER NOT NULL REFERENCES youths(id),
    to_org_id    TEXT NOT NULL REFERENCES organisations(id),
    other_org_id TEXT NOT NULL REFERENCES organisations(id),
    delivered_at INTEGER NOT NULL
) STRICT;
CREATE INDEX match_notices_by_recipient ON match_notices (to_org_id, audit_seq);

-- The case lead (regievoerder): one organisation per youth, "1 gezin, 1 plan, 1 regisseur".
CREATE TABLE case_leads (
    youth_id  INTEGER PRIMARY KEY REFERENCES youths(id),
    org_id    TEXT NOT NULL REFERENCES organisations(id),
    since     INTEGER NOT NULL,
    audit_seq INTEGER NOT NULL REFERENCES audit_entries(seq)
) STRICT;

CREATE INDEX delivered_signals_by_youth ON delivered_signals (youth_id);
CREATE INDEX delivered_signals_by_request ON delivered_signals (in_reply_to);
