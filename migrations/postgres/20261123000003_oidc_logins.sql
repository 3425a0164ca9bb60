-- Sign-ins under way with an OpenID Connect provider: the state, PKCE verifier and nonce of
-- each, used once at the callback (a replayed callback finds nothing).
CREATE TABLE oidc_logins (
    state         TEXT PRIMARY KEY,
    provider      BIGINT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
