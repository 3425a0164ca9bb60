-- Server-side sessions of people signed in to the web pages. The cookie holds a random token;
-- the table holds only its SHA-256, so a copy of the database opens no session.
CREATE TABLE web_sessions (
    token_hash       TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    authenticated_by TEXT NOT NULL,
    csrf_token       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    last_seen_at     BIGINT NOT NULL
);
