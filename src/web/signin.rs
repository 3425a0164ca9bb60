//! Signing in and out. `ketenpoort demo` offers a bannered demo sign-in that picks a demo
//! professional; `ketenpoort serve` never has it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::form::Form;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::error::WebError;
use super::i18n::admin::{SignInRefusal, SignInTexts, sign_in_texts};
use super::session::{self, PageLang, Person, SESSION_COOKIE, cookie, random_token, same_token};
use super::{Chrome, Lang};
use crate::app::AppState;
use crate::clock;
use crate::exchange::Occasion;
use crate::framework::Role;
use crate::identity::Authentication;
use crate::store::{Account, StoreError};

/// Holds the token of the sign-in form until a session exists.
const SIGNIN_COOKIE: &str = "ketenpoort_signin";

pub fn routes() -> axum::Router<AppState> {
    Router::new()
        .route("/signin", get(signin_get))
        .route("/signin/demo", post(signin_demo_post))
        .route("/signin/oidc/{provider}", get(oidc_begin))
        .route("/signin/oidc/callback", get(oidc_callback))
        .route("/signout", post(signout_post))
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    c: Chrome,
    /// Every active organisation's name with (account id, role in words) of its active
    /// accounts, for the demo sign-in.
    orgs: Vec<(String, Vec<(String, &'static str)>)>,
    s: &'static SignInTexts,
    /// (index, name) of every OpenID Connect provider.
    providers: Vec<(usize, String)>,
    /// The demo's made-up youth.
    demo_youth: Option<(String, String)>,
}

async fn signin_get(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    jar: CookieJar,
) -> Result<Response, WebError> {
    // The token of a sign-in page open in another tab stays good: a new one per visit would
    // make the first tab's form fail its check.
    let token = jar
        .get(SIGNIN_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(random_token);
    let mut orgs = Vec::new();
    if state.demo_sign_in {
        let store = state.gateway.store();
        // Active organisations only, and of those the active accounts: a disabled one cannot
        // sign in, so it is not offered.
        for org in store.orgs().await? {
            let mut active: Vec<Account> = store
                .accounts_with_state(&org.id)
                .await?
                .into_iter()
                .filter_map(|(account, disabled_at)| disabled_at.is_none().then_some(account))
                .collect();
            // The professionals first, as the organisation's kind names them; then the others.
            let rank = |role: Role| {
                let professional = org.kind.professional_roles().iter().position(|r| *r == role);
                let other = [Role::PrivacyOfficer, Role::Auditor, Role::Admin].iter().position(|r| *r == role);
                professional.or(other.map(|n| n + Role::ALL.len())).unwrap_or(usize::MAX)
            };
            active.sort_by_key(|account| rank(account.role));
            let accounts: Vec<_> = active.into_iter().map(|account| (account.id, lang.role(account.role))).collect();
            if !accounts.is_empty() {
                orgs.push((org.name, accounts));
            }
        }
    }
    let chrome = Chrome {
        t: lang.texts(),
        lang: lang.code(),
        user: None,
        org: String::new(),
        csrf: token.clone(),
        demo: state.demo_sign_in,
        admin: false,
        privacy_officer: false,
        auditor: false,
    };
    let page = SignInPage {
        c: chrome,
        orgs,
        s: sign_in_texts(lang),
        providers: state.oidc.names(),
        demo_youth: state.demo_youth.clone(),
    }
    .render()?;
    let jar = jar.add(cookie(SIGNIN_COOKIE, token)).add(cookie(super::i18n::LANG_COOKIE, lang.code().to_owned()));
    Ok((jar, Html(page)).into_response())
}

#[derive(Deserialize)]
struct DemoSignIn {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    account: String,
}

async fn signin_demo_post(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    jar: CookieJar,
    Form(form): Form<DemoSignIn>,
) -> Result<Response, WebError> {
    if !state.demo_sign_in {
        return Err(WebError::shown(StatusCode::NOT_FOUND, lang, SignInRefusal::NoDemo.words(lang)));
    }
    let expected = jar.get(SIGNIN_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    if !same_token(&expected, &form.csrf) {
        return Err(WebError::Csrf(lang));
    }
    let found = state.gateway.store().account_with_state(&form.account).await?;
    let account = may_sign_in(&state, found).await?.map_err(|refusal| refused(lang, refusal))?;
    let session = session::start(&state, &account, &Authentication::DemoSignIn).await?;
    let jar = jar.remove(cookie(SIGNIN_COOKIE, String::new())).add(session);
    Ok((jar, Redirect::to(home(&account))).into_response())
}

/// Where a person lands after signing in.
fn home(account: &crate::store::Account) -> &'static str {
    match account.role {
        Role::Admin => "/admin",
        Role::PrivacyOfficer => "/policy",
        Role::Auditor => "/audit",
        _ => "/app",
    }
}

/// The account found for a person signing in, if it may: registered, not disabled, of an
/// organisation that is not disabled. A disabled one is told so, not called unknown.
async fn may_sign_in(
    state: &AppState,
    found: Option<(Account, Option<time::OffsetDateTime>)>,
) -> Result<Result<Account, SignInRefusal>, StoreError> {
    let Some((account, disabled_at)) = found else { return Ok(Err(SignInRefusal::UnknownAccount)) };
    if disabled_at.is_some() {
        return Ok(Err(SignInRefusal::AccountDisabled));
    }
    // A session of a disabled organisation's account would be refused at its first request.
    Ok(match state.gateway.store().org(&account.org).await? {
        Some(_) => Ok(account),
        None => Err(SignInRefusal::OrgDisabled),
    })
}

fn refused(lang: Lang, refusal: SignInRefusal) -> WebError {
    WebError::shown(StatusCode::FORBIDDEN, lang, refusal.words(lang))
}

#[derive(Deserialize)]
struct SignOut {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
}

async fn signout_post(
    State(state): State<AppState>,
    person: Person,
    jar: CookieJar,
    Form(form): Form<SignOut>,
) -> Result<Response, WebError> {
    person.check_csrf(&form.csrf)?;
    session::end(&state, &jar).await?;
    Ok((jar.remove(cookie(SESSION_COOKIE, String::new())), Redirect::to("/signin")).into_response())
}

/// A sign-in under way is good for this long.
const LOGIN_VALID: time::Duration = time::Duration::minutes(10);

async fn oidc_begin(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Path(provider): Path<usize>,
) -> Result<Response, WebError> {
    let now = clock::now();
    let (url, login) = state.oidc.begin(provider, now).await.map_err(|e| oidc_failed(lang, &e))?;
    // Sign-ins that were never finished are removed as new ones begin.
    state.gateway.store().purge_oidc_logins(now - LOGIN_VALID).await?;
    state.gateway.store().begin_oidc_login(&login).await?;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn oidc_callback(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    jar: CookieJar,
    Query(callback): Query<Callback>,
) -> Result<Response, WebError> {
    if callback.error.is_some() {
        return Err(refused(lang, SignInRefusal::ProviderRefused));
    }
    let (Some(code), Some(login_state)) = (callback.code, callback.state) else {
        return Err(refused(lang, SignInRefusal::Incomplete));
    };
    // Each sign-in is used once: a replayed callback (and its nonce) finds nothing.
    let login = state.gateway.store().take_oidc_login(&login_state).await?;
    let Some(login) = login.filter(|login| clock::now() - login.created_at < LOGIN_VALID) else {
        return Err(refused(lang, SignInRefusal::Expired));
    };
    let (issuer, subject) = state.oidc.finish(&login, &code).await.map_err(|e| oidc_failed(lang, &e))?;
    let authenticated_by = Authentication::OidcSession { issuer: issuer.clone() };
    let found = state.gateway.store().account_by_oidc_with_state(&issuer, &subject).await?;
    let account = match may_sign_in(&state, found.clone()).await? {
        Ok(account) => account,
        Err(refusal) => {
            // Refused sign-ins are audited like refused API calls: a disabled account's
            // attempt names the account, an unknown identity nothing but its provider.
            let (account, why) = match (&refusal, found) {
                (SignInRefusal::AccountDisabled, Some((account, _))) => (Some(account), "account_disabled"),
                (SignInRefusal::OrgDisabled, Some((account, _))) => (Some(account), "org_disabled"),
                _ => (None, "unknown_account"),
            };
            let actor = crate::audit::AuditActor {
                account: account.as_ref().map(|a| a.id.clone()),
                org: account.as_ref().map(|a| a.org.0.clone()),
                org_kind: None,
                role: account.as_ref().map(|a| a.role),
                authenticated_by: authenticated_by.to_string(),
            };
            state.gateway.record_access_denied(actor, why, &Occasion::at(clock::now())).await?;
            return Err(refused(lang, refusal));
        }
    };
    let session = session::start(&state, &account, &authenticated_by).await?;
    Ok((jar.add(session), Redirect::to(home(&account))).into_response())
}

fn oidc_failed(lang: Lang, error: &crate::identity::oidc::OidcError) -> WebError {
    tracing::warn!(%error, "sign-in with the identity provider failed");
    refused(lang, SignInRefusal::ProviderAnswerWrong)
}
