//! Sessions of people on the pages: an opaque random cookie (`Secure`, `HttpOnly`,
//! `SameSite=Lax`), the session itself in the database under the token's hash, idle and
//! absolute timeouts, and a CSRF token per session for every form.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use time::Duration;

use super::error::WebError;
use super::i18n::Lang;
use crate::app::AppState;
use crate::clock;
use crate::identity::{Authentication, Principal};
use crate::store::{Account, WebSession};

pub const SESSION_COOKIE: &str = "ketenpoort_session";
/// A session unused this long is over.
const IDLE: Duration = Duration::minutes(30);
/// A session is over this long after sign-in, used or not.
const ABSOLUTE: Duration = Duration::hours(10);

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The system source does not fail on the platforms we run on; if it did, an all-zero
    // token would be refused below, never used.
    let _ = SystemRandom::new().fill(&mut bytes);
    hex::encode(bytes)
}

fn hash(token: &str) -> String {
    hex::encode(digest::digest(&digest::SHA256, token.as_bytes()))
}

/// Compares without leaking where two tokens differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// A cookie only this site's pages over HTTPS read.
pub fn cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value)).path("/").secure(true).http_only(true).same_site(SameSite::Lax).build()
}

/// Starts a session for `account`; returns the cookie that carries it.
pub async fn start(
    state: &AppState,
    account: &Account,
    authenticated_by: &Authentication,
) -> Result<Cookie<'static>, WebError> {
    let token = random_token();
    let now = clock::now();
    let session = WebSession {
        token_hash: hash(&token),
        account_id: account.id.clone(),
        authenticated_by: authenticated_by.to_string(),
        csrf_token: random_token(),
        created_at: now,
        last_seen_at: now,
    };
    let store = state.gateway.store();
    store.purge_sessions(now - IDLE, now - ABSOLUTE).await?;
    store.create_session(&session).await?;
    Ok(cookie(SESSION_COOKIE, token))
}

/// Ends the session behind the cookies, if any.
pub async fn end(state: &AppState, cookies: &CookieJar) -> Result<(), WebError> {
    if let Some(token) = cookies.get(SESSION_COOKIE) {
        state.gateway.store().end_session(&hash(token.value())).await?;
    }
    Ok(())
}

/// A signed-in person: who they are, their session's CSRF token, their language.
pub struct Person {
    pub principal: Principal,
    pub name: String,
    pub org_name: String,
    pub csrf: String,
    pub lang: Lang,
    pub demo: bool,
}

impl Person {
    /// Every form post carries the session's token; a post without it is refused (403).
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if same_token(&self.csrf, token) { Ok(()) } else { Err(WebError::Csrf(self.lang)) }
    }
}

impl FromRequestParts<AppState> for Person {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let PageLang(lang) = PageLang::of(&parts.headers, parts.uri.query());
        let person = person(state, parts, true).await?.ok_or(WebError::SignInRequired)?;
        state
            .request_rates
            .admit(&person.principal.org)
            .map_err(|limited| WebError::TooMany { lang, retry_after_seconds: limited.retry_after_seconds })?;
        Ok(person)
    }
}

/// The person a request's session cookie names, for an error page's header: the session is
/// neither renewed nor counted against the organisation's rate (the request already was).
pub async fn signed_in(state: &AppState, parts: &Parts) -> Option<Person> {
    person(state, parts, false).await.ok().flatten()
}

/// The session's person, if the session is valid; `renew` moves its idle timeout on (and
/// ends a session found stale).
async fn person(state: &AppState, parts: &Parts, renew: bool) -> Result<Option<Person>, WebError> {
    let cookies = CookieJar::from_headers(&parts.headers);
    let PageLang(lang) = PageLang::of(&parts.headers, parts.uri.query());
    let Some(token) = cookies.get(SESSION_COOKIE) else { return Ok(None) };
    let store = state.gateway.store();
    let token_hash = hash(token.value());
    let Some(session) = store.session(&token_hash).await? else { return Ok(None) };
    let now = clock::now();
    if now - session.last_seen_at > IDLE || now - session.created_at > ABSOLUTE {
        if renew {
            store.end_session(&token_hash).await?;
        }
        return Ok(None);
    }
    if renew {
        store.touch_session(&token_hash, now).await?;
    }
    let Some(account) = store.account(&session.account_id).await? else { return Ok(None) };
    let Some(org) = store.org(&account.org).await? else { return Ok(None) };
    let authenticated_by = Authentication::parse(&session.authenticated_by);
    Ok(Some(Person {
        demo: authenticated_by == Authentication::DemoSignIn,
        principal: Principal {
            account: Some(account.id),
            org: org.id,
            org_kind: org.kind,
            role: Some(account.role),
            authenticated_by,
        },
        name: account.display_name,
        org_name: org.name,
        csrf: session.csrf_token,
        lang,
    }))
}

/// The language of a page for anyone, signed in or not.
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLang::of(&parts.headers, parts.uri.query()))
    }
}

impl PageLang {
    /// The language a request asks for: `?lang=`, the cookie, the browser, else Dutch.
    pub fn of(headers: &axum::http::HeaderMap, query: Option<&str>) -> PageLang {
        let cookies = CookieJar::from_headers(headers);
        let lang_query = query.unwrap_or_default().split('&').find_map(|pair| pair.strip_prefix("lang="));
        PageLang(Lang::choose(lang_query, &cookies, headers))
    }
}

/// A signed-in professional: the role extractor of the professionals' pages.
pub struct Professional(pub Person);

impl FromRequestParts<AppState> for Professional {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let person = Person::from_request_parts(parts, state).await?;
        if person.principal.role.is_some_and(|role| role.is_professional()) {
            Ok(Professional(person))
        } else {
            let message = match person.lang {
                Lang::Nl => {
                    "Deze pagina's zijn voor professionals; uw rol heeft ze niet nodig. Het menu hierboven toont wat u kunt openen."
                }
                Lang::En => {
                    "These pages are for professionals; your role does not need them. The menu above shows what you can open."
                }
            };
            Err(WebError::shown(axum::http::StatusCode::FORBIDDEN, person.lang, message))
        }
    }
}

/// A signed-in person who can be told of notices by e-mail: a professional (of their inbox) or
/// a privacy officer (of exchanges waiting for their review). The settings page's extractor.
pub struct Notified(pub Person);

impl FromRequestParts<AppState> for Notified {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let person = Person::from_request_parts(parts, state).await?;
        if person
            .principal
            .role
            .is_some_and(|role| role.is_professional() || role == crate::framework::Role::PrivacyOfficer)
        {
            Ok(Notified(person))
        } else {
            let message = match person.lang {
                Lang::Nl => "Deze pagina is voor wie meldingen ontvangt: professionals en privacy officers.",
                Lang::En => "This page is for those who receive notices: professionals and privacy officers.",
            };
            Err(WebError::shown(axum::http::StatusCode::FORBIDDEN, person.lang, message))
        }
    }
}

/// A signed-in administrator: the role extractor of the administration page.
pub struct Admin(pub Person);

impl FromRequestParts<AppState> for Admin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let person = Person::from_request_parts(parts, state).await?;
        if person.principal.role == Some(crate::framework::Role::Admin) {
            Ok(Admin(person))
        } else {
            let message = match person.lang {
                Lang::Nl => "Deze pagina is voor beheerders.",
                Lang::En => "This page is for administrators.",
            };
            Err(WebError::shown(axum::http::StatusCode::FORBIDDEN, person.lang, message))
        }
    }
}

/// A signed-in privacy officer: the role extractor of the policy page.
pub struct PrivacyOfficer(pub Person);

impl FromRequestParts<AppState> for PrivacyOfficer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let person = Person::from_request_parts(parts, state).await?;
        if person.principal.role == Some(crate::framework::Role::PrivacyOfficer) {
            Ok(PrivacyOfficer(person))
        } else {
            let message = match person.lang {
                Lang::Nl => "Deze pagina is voor privacy officers.",
                Lang::En => "This page is for privacy officers.",
            };
            Err(WebError::shown(axum::http::StatusCode::FORBIDDEN, person.lang, message))
        }
    }
}

/// A signed-in auditor: the role extractor of the audit pages.
pub struct Auditor(pub Person);

impl FromRequestParts<AppState> for Auditor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let person = Person::from_request_parts(parts, state).await?;
        if person.principal.role == Some(crate::framework::Role::Auditor) {
            Ok(Auditor(person))
        } else {
            let message = match person.lang {
                Lang::Nl => "Deze pagina is voor auditors.",
                Lang::En => "This page is for auditors.",
            };
            Err(WebError::shown(axum::http::StatusCode::FORBIDDEN, person.lang, message))
        }
    }
}
