//! The one mapping of errors to HTML for the pages: a page in the person's language that says
//! what happened and what to do; the cause is logged, never shown.
//!
//! A page error becomes a response in two steps. `IntoResponse` sets the status and leaves
//! what to say in the response's extensions ([`Said`]); then [`error_pages`], a layer over the
//! whole router, renders it as a full page: with the signed-in person's header, menu, sign-out
//! and language switch, or the sign-in link for someone not signed in. Unknown paths and
//! methods outside `/api/` get the same page (the API keeps its JSON).

use askama::Template;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::Chrome;
use super::i18n::Lang;
use super::session::{self, PageLang};
use crate::app::AppState;
use crate::exchange::ExchangeError;
use crate::store::StoreError;

#[derive(Debug)]
pub enum WebError {
    /// No (valid) session: go and sign in.
    SignInRequired,
    /// A form post without the session's CSRF token.
    Csrf(Lang),
    /// Something a person can act on: shown with this status and message.
    Shown {
        status: StatusCode,
        lang: Lang,
        message: String,
    },
    /// Something a person can act on, in words for either language (errors raised where the
    /// person's language is not known).
    Words {
        status: StatusCode,
        nl: &'static str,
        en: &'static str,
    },
    /// The organisation is over its rate: 429, come back after this many seconds.
    TooMany {
        lang: Lang,
        retry_after_seconds: u64,
    },
    Internal(String),
}

/// What an error page says, left in the response for [`error_pages`] to render.
#[derive(Debug, Clone)]
enum Said {
    /// Already in the person's language.
    Text(String),
    /// In both languages: the page picks the person's.
    Words { nl: &'static str, en: &'static str },
}

impl Said {
    fn in_(&self, lang: Lang) -> &str {
        match (self, lang) {
            (Said::Text(text), _) => text,
            (Said::Words { nl, .. }, Lang::Nl) => nl,
            (Said::Words { en, .. }, Lang::En) => en,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    status: u16,
    message: &'a str,
    home: &'static str,
}

impl WebError {
    pub fn shown(status: StatusCode, lang: Lang, message: impl Into<String>) -> Self {
        WebError::Shown { status, lang, message: message.into() }
    }

    /// A 404 in words, for a page or thing that is not there.
    pub fn not_found() -> Self {
        WebError::Words {
            status: StatusCode::NOT_FOUND,
            nl: "Deze pagina of dit gegeven bestaat niet (meer), of is niet voor uw organisatie.",
            en: "This page or item does not exist (any more), or is not for your organisation.",
        }
    }
}

/// The status and what to say; the page is rendered by [`error_pages`].
fn said(status: StatusCode, said: Said) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(said);
    response
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignInRequired => Redirect::to("/signin").into_response(),
            WebError::Csrf(_) => said(
                StatusCode::FORBIDDEN,
                Said::Words {
                    nl: "Dit formulier is verlopen of niet van deze site. Open de pagina opnieuw en probeer het nog eens.",
                    en: "This form has expired or did not come from this site. Open the page again and retry.",
                },
            ),
            WebError::Shown { status, message, .. } => said(status, Said::Text(message)),
            WebError::Words { status, nl, en } => said(status, Said::Words { nl, en }),
            WebError::TooMany { retry_after_seconds, .. } => {
                let mut response = said(
                    StatusCode::TOO_MANY_REQUESTS,
                    Said::Words {
                        nl: "Uw organisatie doet nu te veel verzoeken tegelijk. Probeer het over een paar seconden opnieuw.",
                        en: "Your organisation is making too many requests right now. Try again in a few seconds.",
                    },
                );
                let (name, value) = crate::limits::retry_after(retry_after_seconds);
                response.headers_mut().insert(name, value);
                response
            }
            WebError::Internal(cause) => {
                tracing::error!(%cause, "page failed");
                said(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Said::Words {
                        nl: "Ketenpoort kon dit niet afmaken; de oorzaak is gelogd. Probeer het later opnieuw of meld het bij uw beheerder.",
                        en: "Ketenpoort could not complete this; the cause was logged. Try again later or tell your administrator.",
                    },
                )
            }
        }
    }
}

/// The layer that renders every page error as a full page for whoever asked: the person's
/// header and menu when signed in, the sign-in link otherwise. Responses without a [`Said`]
/// (every success, every API answer) pass untouched.
pub async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The partner API's hot path pays one comparison: its errors are JSON already.
    if request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    // What the page's frame needs of the request: who (the session cookie) and which language.
    let uri = request.uri().clone();
    let mut headers = HeaderMap::new();
    for name in [axum::http::header::COOKIE, axum::http::header::ACCEPT_LANGUAGE] {
        for value in request.headers().get_all(&name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let mut response = next.run(request).await;
    let Some(said) = response.extensions_mut().remove::<Said>() else { return response };
    let status = response.status();
    let (mut parts, ()) = axum::http::Request::builder().uri(uri).body(()).unwrap_or_default().into_parts();
    parts.headers = headers;
    let chrome = chrome_for(&state, &mut parts).await;
    let home = chrome.home();
    let message = said.in_(chrome.language());
    let page = ErrorPage { c: chrome, status: status.as_u16(), message, home };
    let html = match page.render() {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(%error, "error page failed to render");
            message.to_owned()
        }
    };
    let mut dressed = (status, Html(html)).into_response();
    std::mem::swap(dressed.headers_mut(), response.headers_mut());
    dressed
        .headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/html; charset=utf-8"));
    dressed.headers_mut().remove(axum::http::header::CONTENT_LENGTH);
    dressed
}

/// The frame of an error page: the signed-in person's, else an anonymous one.
async fn chrome_for(state: &AppState, parts: &mut Parts) -> Chrome {
    match session::signed_in(state, parts).await {
        Some(person) => Chrome::of(&person),
        None => {
            let PageLang(lang) = PageLang::of(&parts.headers, parts.uri.query());
            Chrome::anonymous(lang, state.demo_sign_in)
        }
    }
}

/// The page for a path that is not there, outside `/api/` (whose answer stays JSON).
pub fn page_not_found() -> Response {
    WebError::not_found().into_response()
}

/// The page for a method a page does not take (a result page's address opened again).
pub fn page_method_not_allowed() -> Response {
    WebError::Words {
        status: StatusCode::METHOD_NOT_ALLOWED,
        nl: "Deze pagina is het antwoord op een formulier en kan niet opnieuw worden geopend. Ga terug en vul het formulier opnieuw in.",
        en: "This page answers a form and cannot be opened again. Go back and fill in the form again.",
    }
    .into_response()
}

/// Whether a request's answer should be a page (not the API's JSON).
pub fn wants_page(path: &str, headers: &HeaderMap) -> bool {
    let api = path.starts_with("/api/") || matches!(path, "/healthz" | "/readyz" | "/metrics");
    let json = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json") && !accept.contains("text/html"));
    !api && !json
}

/// The page of a request shed under load or stopped by the timeout (503): before the
/// session is read, so in both languages and without the header.
pub fn unavailable_page(timed_out: bool) -> Response {
    let message = if timed_out {
        "Ketenpoort kon niet op tijd antwoorden; of er iets is gedaan, staat in het logboek. / \
         Ketenpoort could not answer in time; the audit log shows whether anything was done."
    } else {
        "Ketenpoort is even te druk; er is niets gedaan. Probeer het zo opnieuw. / \
         Ketenpoort is busy; nothing was done. Try again in a moment."
    };
    let page = ErrorPage { c: Chrome::anonymous(Lang::Nl, false), status: 503, message, home: "/signin" };
    match page.render() {
        Ok(html) => (StatusCode::SERVICE_UNAVAILABLE, Html(html)).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, message.to_owned()).into_response(),
    }
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) => WebError::not_found(),
            StoreError::BirthDateMismatch => WebError::Words {
                status: StatusCode::CONFLICT,
                nl: "Deze jeugdige is bekend met een andere geboortedatum.",
                en: "This youth is known with another birth date.",
            },
            StoreError::Conflict(message) => {
                tracing::debug!(%message, "page refused a conflicting change");
                WebError::Words {
                    status: StatusCode::CONFLICT,
                    nl: "Dit kan niet: het botst met wat al is vastgelegd (het bestaat al, of is intussen gewijzigd). Open de pagina opnieuw.",
                    en: "This cannot be done: it conflicts with what is recorded (it exists already, or changed meanwhile). Open the page again.",
                }
            }
            StoreError::Busy => WebError::Words {
                status: StatusCode::SERVICE_UNAVAILABLE,
                nl: "Ketenpoort is even te druk; er is niets gedaan. Probeer het zo opnieuw.",
                en: "Ketenpoort is busy; nothing was done. Try again in a moment.",
            },
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<ExchangeError> for WebError {
    fn from(error: ExchangeError) -> Self {
        match error {
            ExchangeError::Store(store) => store.into(),
            ExchangeError::Policy(policy) => WebError::Internal(policy.to_string()),
            ExchangeError::Input(input) => {
                tracing::debug!(%input, "page refused bad input");
                WebError::Words {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    nl: "Deze invoer past niet bij het handelingskader. Controleer de keuzes en probeer het opnieuw.",
                    en: "This input does not fit the action framework. Check the choices and try again.",
                }
            }
            ExchangeError::AlreadyInvolved(_) => WebError::Words {
                status: StatusCode::CONFLICT,
                nl: "Uw organisatie is al betrokken bij deze jeugdige; een tweede melding is niet nodig.",
                en: "Your organisation is already involved with this youth; a second registration is not needed.",
            },
            ExchangeError::NoRelationship => WebError::Words {
                status: StatusCode::FORBIDDEN,
                nl: "Uw organisatie is niet betrokken bij deze jeugdige; meld eerst uw betrokkenheid.",
                en: "Your organisation is not involved with this youth; register your involvement first.",
            },
            other => {
                tracing::debug!(error = %other, "page refused a change");
                WebError::Words {
                    status: StatusCode::CONFLICT,
                    nl: "Dit kan niet in de huidige toestand (het is al gedaan, of niet van uw organisatie). Open de pagina opnieuw.",
                    en: "This cannot be done in the current state (it was done already, or is not your organisation's). Open the page again.",
                }
            }
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        WebError::Internal(error.to_string())
    }
}
