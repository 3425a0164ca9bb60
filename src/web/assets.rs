//! The pages' static files: the stylesheet and the favicon, each served under a name that
//! carries a hash of its content, so browsers may keep them for a year (`immutable`) and a new
//! release is fetched at once. `/favicon.ico`, asked for by browsers on their own, leads there.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::app::AppState;

const STYLESHEET: &str = include_str!("static/app.css");
const FAVICON: &str = include_str!("static/favicon.svg");

/// A year: what `immutable` promises is then true, since the name changes with the content.
const FOR_EVER: &str = "public, max-age=31536000, immutable";

pub struct Assets {
    pub stylesheet: String,
    pub favicon: String,
}

pub static ASSETS: LazyLock<Assets> = LazyLock::new(|| Assets {
    stylesheet: format!("/static/app-{}.css", fingerprint(STYLESHEET)),
    favicon: format!("/static/favicon-{}.svg", fingerprint(FAVICON)),
});

/// The first 16 hex digits of the content's SHA-256.
fn fingerprint(content: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, content.as_bytes());
    hex::encode(&digest.as_ref()[..8])
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/{name}", get(asset))
        .route("/favicon.ico", get(|| async { Redirect::permanent(&ASSETS.favicon) }))
}

async fn asset(Path(name): Path<String>) -> Response {
    let path = format!("/static/{name}");
    let (content_type, body) = if path == ASSETS.stylesheet {
        ("text/css; charset=utf-8", STYLESHEET)
    } else if path == ASSETS.favicon {
        ("image/svg+xml", FAVICON)
    } else {
        return super::page_not_found();
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, FOR_EVER)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_change_with_their_content() {
        assert!(ASSETS.stylesheet.starts_with("/static/app-") && ASSETS.stylesheet.ends_with(".css"));
        assert_eq!(ASSETS.stylesheet.len(), "/static/app-.css".len() + 16);
        assert_ne!(fingerprint("a { }"), fingerprint("b { }"));
    }
}
