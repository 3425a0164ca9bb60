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
use super::session::{self, PageLang, Person, SESSION_COOKIE, cookie, random_token, same_token};
use super::{Chrome, Lang};
use crate::app::AppState;
use crate::clock;
use crate::exchange::Occasion;
use crate::identity::Authentication;

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
    /// (account id, "role — organisation") of every demo professional.
    accounts: Vec<(String, String)>,
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
    let token = random_token();
    let mut accounts = Vec::new();
    if state.demo_sign_in {
        let store = state.gateway.store();
        for org in store.orgs().await? {
            for account in store.accounts(&org.id).await? {
                accounts
                    .push((account.id.clone(), format!("{} — {}", account.role.as_str().replace('_', " "), org.name)));
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
    let page = SignInPage { c: chrome, accounts, providers: state.oidc.names(), demo_youth: state.demo_youth.clone() }
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
        return Err(WebError::shown(StatusCode::NOT_FOUND, lang, "no demo sign-in here"));
    }
    let expected = jar.get(SIGNIN_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    if !same_token(&expected, &form.csrf) {
        return Err(WebError::Csrf(lang));
    }
    let account = state.gateway.store().account(&form.account).await?;
    let Some(account) = account else {
        return Err(WebError::shown(StatusCode::FORBIDDEN, lang, unknown_account(lang)));
    };
    let session = session::start(&state, &account, &Authentication::DemoSignIn).await?;
    let jar = jar.remove(cookie(SIGNIN_COOKIE, String::new())).add(session);
    Ok((jar, Redirect::to(home(&account))).into_response())
}

/// Where a person lands after signing in.
fn home(account: &crate::store::Account) -> &'static str {
    match account.role {
        crate::framework::Role::Admin => "/admin",
        crate::framework::Role::PrivacyOfficer => "/policy",
        crate::framework::Role::Auditor => "/audit",
        _ => "/app",
    }
}

fn unknown_account(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "Dit account is niet geregistreerd in Ketenpoort. Vraag uw beheerder.",
        Lang::En => "This account is not registered in Ketenpoort. Ask your administrator.",
    }
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
    let refused = |message: &str| WebError::shown(StatusCode::FORBIDDEN, lang, message);
    if callback.error.is_some() {
        return Err(refused(match lang {
            Lang::Nl => "De identiteitsprovider heeft het inloggen geweigerd. Probeer het opnieuw.",
            Lang::En => "The identity provider refused the sign-in. Try again.",
        }));
    }
    let (Some(code), Some(login_state)) = (callback.code, callback.state) else {
        return Err(refused("—"));
    };
    // Each sign-in is used once: a replayed callback (and its nonce) finds nothing.
    let login = state.gateway.store().take_oidc_login(&login_state).await?;
    let Some(login) = login.filter(|login| clock::now() - login.created_at < LOGIN_VALID) else {
        return Err(refused(match lang {
            Lang::Nl => "Deze inlogpoging is verlopen of al gebruikt. Log opnieuw in.",
            Lang::En => "This sign-in has expired or was used already. Sign in again.",
        }));
    };
    let (issuer, subject) = state.oidc.finish(&login, &code).await.map_err(|e| oidc_failed(lang, &e))?;
    let authenticated_by = Authentication::OidcSession { issuer: issuer.clone() };
    let account = state.gateway.store().account_by_oidc(&issuer, &subject).await?;
    let Some(account) = account else {
        let actor = crate::audit::AuditActor {
            account: None,
            org: None,
            org_kind: None,
            role: None,
            authenticated_by: authenticated_by.to_string(),
        };
        state.gateway.record_access_denied(actor, "unknown_account", &Occasion::at(clock::now())).await?;
        return Err(refused(unknown_account(lang)));
    };
    let session = session::start(&state, &account, &authenticated_by).await?;
    Ok((jar.add(session), Redirect::to(home(&account))).into_response())
}

fn oidc_failed(lang: Lang, error: &crate::identity::oidc::OidcError) -> WebError {
    tracing::warn!(%error, "sign-in with the identity provider failed");
    WebError::shown(
        StatusCode::FORBIDDEN,
        lang,
        match lang {
            Lang::Nl => {
                "Inloggen is niet gelukt: het antwoord van de identiteitsprovider klopte niet. Probeer het opnieuw of vraag uw beheerder."
            }
            Lang::En => {
                "Signing in failed: the identity provider's answer did not check out. Try again or ask your administrator."
            }
        },
    )
}
