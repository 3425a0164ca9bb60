//! Signing in and out. `ketenpoort demo` offers a bannered demo sign-in that picks a demo
//! professional; `ketenpoort serve` never has it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::error::WebError;
use super::session::{self, PageLang, Person, SESSION_COOKIE, cookie, random_token, same_token};
use super::{Chrome, Lang};
use crate::app::AppState;
use crate::identity::Authentication;

/// Holds the token of the sign-in form until a session exists.
const SIGNIN_COOKIE: &str = "ketenpoort_signin";

pub fn routes() -> axum::Router<AppState> {
    Router::new()
        .route("/signin", get(signin_get))
        .route("/signin/demo", post(signin_demo_post))
        .route("/signout", post(signout_post))
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    c: Chrome,
    /// (account id, "role — organisation") of every demo professional.
    accounts: Vec<(String, String)>,
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
                if account.role.is_professional() {
                    accounts.push((
                        account.id.clone(),
                        format!("{} — {}", account.role.as_str().replace('_', " "), org.name),
                    ));
                }
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
    };
    let page = SignInPage { c: chrome, accounts }.render()?;
    let jar = jar.add(cookie(SIGNIN_COOKIE, token)).add(cookie(super::i18n::LANG_COOKIE, lang.code().to_owned()));
    Ok((jar, Html(page)).into_response())
}

#[derive(Deserialize)]
struct DemoSignIn {
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
    let account = state.gateway.store().account(&form.account).await?.filter(|a| a.role.is_professional());
    let Some(account) = account else {
        return Err(WebError::shown(StatusCode::FORBIDDEN, lang, unknown_account(lang)));
    };
    let session = session::start(&state, &account, &Authentication::DemoSignIn).await?;
    let jar = jar.remove(cookie(SIGNIN_COOKIE, String::new())).add(session);
    Ok((jar, Redirect::to("/app")).into_response())
}

fn unknown_account(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "Dit account is niet geregistreerd in Ketenpoort. Vraag uw beheerder.",
        Lang::En => "This account is not registered in Ketenpoort. Ask your administrator.",
    }
}

#[derive(Deserialize)]
struct SignOut {
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
