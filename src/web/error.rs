//! The one mapping of errors to HTML for the pages: a page in the person's language that says
//! what happened and what to do; the cause is logged, never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::i18n::{Lang, Texts};
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
    /// The organisation is over its rate: 429, come back after this many seconds.
    TooMany {
        lang: Lang,
        retry_after_seconds: u64,
    },
    Internal(String),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: &'static Texts,
    lang: &'static str,
    message: &'a str,
}

impl WebError {
    pub fn shown(status: StatusCode, lang: Lang, message: impl Into<String>) -> Self {
        WebError::Shown { status, lang, message: message.into() }
    }
}

fn page(status: StatusCode, lang: Lang, message: &str) -> Response {
    let page = ErrorPage { t: lang.texts(), lang: lang.code(), message };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_owned()).into_response(),
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignInRequired => Redirect::to("/signin").into_response(),
            WebError::Csrf(lang) => {
                let message = match lang {
                    Lang::Nl => {
                        "Dit formulier is verlopen of niet van deze site. Open de pagina opnieuw en probeer het nog eens."
                    }
                    Lang::En => "This form has expired or did not come from this site. Open the page again and retry.",
                };
                page(StatusCode::FORBIDDEN, lang, message)
            }
            WebError::Shown { status, lang, message } => page(status, lang, &message),
            WebError::TooMany { lang, retry_after_seconds } => {
                let message = match lang {
                    Lang::Nl => {
                        "Uw organisatie doet nu te veel verzoeken tegelijk. Probeer het over een paar seconden opnieuw."
                    }
                    Lang::En => "Your organisation is making too many requests right now. Try again in a few seconds.",
                };
                let mut response = page(StatusCode::TOO_MANY_REQUESTS, lang, message);
                let (name, value) = crate::limits::retry_after(retry_after_seconds);
                response.headers_mut().insert(name, value);
                response
            }
            WebError::Internal(cause) => {
                tracing::error!(%cause, "page failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Lang::Nl,
                    "Ketenpoort kon dit niet afmaken; het is gelogd. / Ketenpoort could not complete this; it was logged.",
                )
            }
        }
    }
}

/// The page of a request shed under load or stopped by the timeout (503): before the
/// session is read, so in both languages.
pub fn unavailable_page(timed_out: bool) -> Response {
    let message = if timed_out {
        "Ketenpoort kon niet op tijd antwoorden; of er iets is gedaan, staat in het logboek. / \
         Ketenpoort could not answer in time; the audit log shows whether anything was done."
    } else {
        "Ketenpoort is even te druk; er is niets gedaan. Probeer het zo opnieuw. / \
         Ketenpoort is busy; nothing was done. Try again in a moment."
    };
    page(StatusCode::SERVICE_UNAVAILABLE, Lang::Nl, message)
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => {
                WebError::shown(StatusCode::NOT_FOUND, Lang::Nl, format!("Niet gevonden / not found: {what}"))
            }
            StoreError::BirthDateMismatch => WebError::shown(
                StatusCode::CONFLICT,
                Lang::Nl,
                "Deze jeugdige is bekend met een andere geboortedatum. / This youth is known with another birth date.",
            ),
            StoreError::Conflict(message) => WebError::shown(StatusCode::CONFLICT, Lang::Nl, message),
            StoreError::Busy => WebError::shown(
                StatusCode::SERVICE_UNAVAILABLE,
                Lang::Nl,
                "Ketenpoort is even te druk; er is niets gedaan. / Ketenpoort is busy; nothing was done.",
            ),
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
                WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, Lang::Nl, input.to_string())
            }
            other => WebError::shown(StatusCode::CONFLICT, Lang::Nl, other.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        WebError::Internal(error.to_string())
    }
}
