//! People sign in with their organisation's OpenID Connect provider: authorization code flow
//! with PKCE, state and nonce. The ID token's signature, issuer, audience, expiry and nonce
//! are checked by the `openidconnect` crate; the (issuer, subject) pair names an account that
//! is registered in Ketenpoort, which carries the organisation and the role.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, reqwest,
};
use time::OffsetDateTime;
use tokio::sync::OnceCell;

use crate::config::OidcProviderConfig;
use crate::store::OidcLogin;

/// A client configured from the provider's discovery document.
type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("no identity provider {0}")]
    UnknownProvider(usize),
    #[error("the identity provider cannot be reached or described itself wrongly: {0}")]
    Discovery(String),
    #[error("the configuration of the identity provider is wrong: {0}")]
    Config(String),
    #[error("the identity provider refused the sign-in code: {0}")]
    Exchange(String),
    #[error("the identity provider's answer did not verify: {0}")]
    Token(String),
}

/// One configured provider and, once discovered, its client.
struct Provider {
    config: OidcProviderConfig,
    client: OnceCell<Client>,
}

/// Every configured provider, discovered on first use (a provider that is down does not stop
/// Ketenpoort from starting).
pub struct Providers {
    providers: Vec<Provider>,
    http: reqwest::Client,
}

impl Providers {
    pub fn new(configs: &[OidcProviderConfig]) -> Result<Providers, OidcError> {
        // No redirects: a provider's endpoints must not steer our requests elsewhere (SSRF).
        let http = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| OidcError::Config(e.to_string()))?;
        let providers =
            configs.iter().map(|config| Provider { config: config.clone(), client: OnceCell::new() }).collect();
        Ok(Providers { providers, http })
    }

    /// (index, display name) of every provider, for the sign-in page.
    pub fn names(&self) -> Vec<(usize, String)> {
        self.providers.iter().enumerate().map(|(i, p)| (i, p.config.name.clone())).collect()
    }

    async fn client(&self, index: usize) -> Result<&Client, OidcError> {
        let provider = self.providers.get(index).ok_or(OidcError::UnknownProvider(index))?;
        provider
            .client
            .get_or_try_init(|| async {
                let issuer =
                    IssuerUrl::new(provider.config.issuer.clone()).map_err(|e| OidcError::Config(e.to_string()))?;
                let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
                    .await
                    .map_err(|e| OidcError::Discovery(e.to_string()))?;
                let redirect = RedirectUrl::new(provider.config.redirect_url.clone())
                    .map_err(|e| OidcError::Config(e.to_string()))?;
                Ok(CoreClient::from_provider_metadata(
                    metadata,
                    ClientId::new(provider.config.client_id.clone()),
                    Some(ClientSecret::new(provider.config.client_secret.clone())),
                )
                .set_redirect_uri(redirect))
            })
            .await
    }

    /// Where to send the browser, and what to remember until it comes back.
    pub async fn begin(&self, index: usize, now: OffsetDateTime) -> Result<(String, OidcLogin), OidcError> {
        let client = self.client(index).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        // The client adds the `openid` scope itself.
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let login = OidcLogin {
            state: state.secret().clone(),
            provider: index,
            pkce_verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
            created_at: now,
        };
        Ok((url.to_string(), login))
    }

    /// Exchanges the code, verifies the ID token against `login`'s nonce; returns the verified
    /// (issuer, subject).
    pub async fn finish(&self, login: &OidcLogin, code: &str) -> Result<(String, String), OidcError> {
        let client = self.client(login.provider).await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(e.to_string()))?;
        let id_token = response.id_token().ok_or_else(|| OidcError::Token("no ID token in the answer".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(login.nonce.clone()))
            .map_err(|e| OidcError::Token(e.to_string()))?;
        Ok((claims.issuer().to_string(), claims.subject().to_string()))
    }
}
