-- Notices that leave Ketenpoort (issue 18): by e-mail to people, by signed webhook to partner
-- systems, from a transactional outbox.

-- Where a person is told, how often, and in which language.
ALTER TABLE accounts ADD COLUMN email TEXT;
ALTER TABLE accounts ADD COLUMN notify TEXT NOT NULL DEFAULT 'at_once'
    CHECK (notify IN ('at_once', 'daily_digest', 'none'));
ALTER TABLE accounts ADD COLUMN lang TEXT NOT NULL DEFAULT 'nl' CHECK (lang IN ('nl', 'en'));

-- An organisation's webhook: deliveries go to `url`, signed with `secret` (Standard Webhooks,
-- `whsec_` and base64), which Ketenpoort made and showed once.
CREATE TABLE webhooks (
    org_id TEXT PRIMARY KEY REFERENCES organisations(id),
    url    TEXT NOT NULL,
    secret TEXT NOT NULL,
    set_at INTEGER NOT NULL
) STRICT;

-- The outbox: one row per notice and way of telling, written in the transaction of the effect
-- it tells of, so that none is lost and none is sent for an effect that did not happen. The
-- row names the effect's audit entry, never the youth: what is sent is read at sending time
-- from what the organisation may see then (nothing, once the youth's data are destroyed).
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    -- The notice's id, one for all its ways (`webhook-id`; the e-mail's Message-ID).
    notice_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    audit_seq   INTEGER NOT NULL,
    org_id      TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('webhook', 'email', 'digest')),
    account_id  TEXT,
    created_at  INTEGER NOT NULL,
    -- When it is next tried; a dispatcher that takes it moves this by its lease, so that a
    -- crashed one's notices come due again.
    due_at      INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivered', 'failed', 'dropped')),
    last_status INTEGER,
    last_error  TEXT,
    done_at     INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (due_at) WHERE state = 'pending';
CREATE INDEX outbox_by_org ON outbox (org_id, id);

-- The daily digest: one row per day, made by the instance that sends it (of several, one).
CREATE TABLE digest_runs (
    day        TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL
) STRICT;
