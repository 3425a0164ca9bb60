//! Pages for people, server-rendered (askama), usable without JavaScript, in Dutch by default
//! and English on request.
//!
//! In the request flow this is the HTML edge beside `api`: a session becomes a [`Person`]
//! (a `Principal`), every form carries a CSRF token, and the same exchange layer decides.
//! Errors map to HTML in `error.rs` only.

mod admin;
mod assets;
mod auditor;
mod confirm;
mod error;
mod form;
pub(crate) mod i18n;
mod lifecycle;
mod privacy;
mod professionals;
mod session;
mod settings;
mod signin;
mod way_forward;

use axum::Router;
use axum::http::header;
use axum::response::Redirect;
use axum::routing::get;

pub use assets::ASSETS;
pub use error::{WebError, error_pages, page_method_not_allowed, page_not_found, unavailable_page, wants_page};
pub use i18n::{Lang, capitalised};
pub use session::Person;

use crate::app::AppState;
use i18n::Texts;

/// The frame every page shares: words, language, who is signed in, the form token.
pub struct Chrome {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub user: Option<String>,
    pub org: String,
    pub csrf: String,
    pub demo: bool,
    /// Whether to show the administration link.
    pub admin: bool,
    /// Whether to show the policy link.
    pub privacy_officer: bool,
    /// Whether to show the audit link.
    pub auditor: bool,
}

impl Chrome {
    /// The frame for someone not signed in (the sign-in page, an error before sign-in).
    fn anonymous(lang: Lang, demo: bool) -> Chrome {
        Chrome {
            t: lang.texts(),
            lang: lang.code(),
            user: None,
            org: String::new(),
            csrf: String::new(),
            demo,
            admin: false,
            privacy_officer: false,
            auditor: false,
        }
    }

    /// Whether the signed-in person is a professional (the overview and finding a youth).
    pub fn professional(&self) -> bool {
        self.user.is_some() && !self.admin && !self.privacy_officer && !self.auditor
    }

    /// Where the person's own pages start.
    pub fn home(&self) -> &'static str {
        if self.user.is_none() {
            "/signin"
        } else if self.admin {
            "/admin"
        } else if self.privacy_officer {
            "/policy"
        } else if self.auditor {
            "/audit"
        } else {
            "/app"
        }
    }

    pub fn language(&self) -> Lang {
        if self.lang == "en" { Lang::En } else { Lang::Nl }
    }

    /// The stylesheet's address, named after its content so that it can be cached for ever.
    pub fn stylesheet(&self) -> &'static str {
        &assets::ASSETS.stylesheet
    }

    pub fn favicon(&self) -> &'static str {
        &assets::ASSETS.favicon
    }

    fn of(person: &Person) -> Chrome {
        Chrome {
            t: person.lang.texts(),
            lang: person.lang.code(),
            user: Some(person.name.clone()),
            org: person.org_name.clone(),
            csrf: person.csrf.clone(),
            demo: person.demo,
            admin: person.principal.role == Some(crate::framework::Role::Admin),
            privacy_officer: person.principal.role == Some(crate::framework::Role::PrivacyOfficer),
            auditor: person.principal.role == Some(crate::framework::Role::Auditor),
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/app") }))
        .merge(assets::routes())
        .merge(signin::routes())
        .merge(professionals::routes())
        .merge(lifecycle::routes())
        .merge(admin::routes())
        .merge(settings::routes())
        .merge(auditor::routes())
        .merge(privacy::routes())
        .layer(axum::middleware::from_fn(remember_lang))
}

/// The language switch (`?lang=en`) is remembered in a cookie for the pages that follow.
async fn remember_lang(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let chosen =
        request.uri().query().and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("lang="))).and_then(
            |code| match code {
                "nl" | "en" => Some(code.to_owned()),
                _ => None,
            },
        );
    let mut response = next.run(request).await;
    if let Some(code) = chosen
        && let Ok(value) = session::cookie(i18n::LANG_COOKIE, code).to_string().parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
