//! `/api/v1`: the JSON API for partner systems, authenticated by mutual TLS; and the one
//! router that joins it with the pages and the operations endpoints.
//!
//! In the request flow this is the outer edge: extract (body, caller, occasion), call the
//! exchange layer, present. Handlers hold no SQL and no rule; errors map to HTTP in
//! `error.rs` only.

mod audit;
mod bounds;
mod cases;
mod consents;
mod error;
mod extract;
// The fuzz targets' door to the private body types (tests/fuzz); not part of the API.
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod inbox;
mod involvements;
mod measures;
mod openapi;
mod signals;
mod types;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use openapi::document as openapi_document;

use crate::app::AppState;
use crate::config::LimitsConfig;
use crate::exchange::{Exchanged, Youth};
use crate::framework::{ExchangeRequest, OrgId, Party, Role};
use crate::identity::Principal;
use crate::youth::{BirthDate, Bsn, Pseudonym};
use crate::{framework::InputError, ops};
use types::DecisionBody;

/// The whole HTTP surface: `/api/v1`, then `/healthz`, `/readyz`, `/metrics`.
pub fn router(state: AppState, max_body_bytes: usize, limits: &LimitsConfig) -> Router {
    let api = Router::new()
        .merge(involvements::routes())
        .merge(signals::routes())
        .merge(inbox::routes())
        .merge(consents::routes())
        .merge(measures::routes())
        .merge(cases::routes())
        .merge(audit::routes())
        .merge(openapi::routes());
    let request_id = HeaderName::from_static("x-request-id");
    // Layers run outermost last-added: the request id is set first (and returned), then the
    // request is traced (method and path only: a BSN never travels in a URL), measured, and
    // its body bounded before any handler reads it.
    let router = Router::new()
        .nest("/api/v1", api)
        .merge(ops::routes())
        .merge(crate::web::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Page errors become whole pages with the person's header; API answers pass as they are.
        .layer(middleware::from_fn_with_state(state.clone(), crate::web::error_pages))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        // No scripts, frames or foreign form targets; no referrer; HTTPS only.
        .layer(header(
            "content-security-policy",
            "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        .layer(header("strict-transport-security", "max-age=31536000; includeSubDomains"))
        .layer(middleware::from_fn_with_state(state.clone(), ops::track))
        // The span names the path only: a query string may hold a BSN (an auditor's search).
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid));
    // Outermost: requests beyond the bound in flight are shed, slow ones stopped.
    crate::limits::shedding(router, limits).with_state(state)
}

/// A header every response carries unless its handler set one.
fn header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(HeaderName::from_static(name), HeaderValue::from_static(value))
}

/// A path that is not there: JSON under `/api/` (and for clients that ask for JSON), a page
/// for browsers.
async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> axum::response::Response {
    if crate::web::wants_page(uri.path(), &headers) {
        return crate::web::page_not_found();
    }
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint: see /api/v1/openapi.json").into_response()
}

async fn method_not_allowed(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> axum::response::Response {
    if crate::web::wants_page(uri.path(), &headers) {
        return crate::web::page_method_not_allowed();
    }
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this endpoint does not take that method")
        .into_response()
}

/// The pseudonyms of a BSN (current key first, then retired ones); the BSN itself goes no
/// further than this.
fn pseudonym(state: &AppState, bsn: &str) -> Result<Vec<Pseudonym>, ApiError> {
    let bsn: Bsn = bsn.parse().map_err(|e: crate::youth::BsnError| InputError::InvalidBsn(e.to_string()))?;
    Ok(state.pseudonymiser.pseudonymise_all(&bsn))
}

/// The youth a body names: found by pseudonym, or enrolled with the birth date given.
async fn youth(state: &AppState, bsn: &str, birth_date: Option<&str>) -> Result<Youth, ApiError> {
    let pseudonym = pseudonym(state, bsn)?;
    match birth_date {
        Some(text) => {
            let birth_date: BirthDate = text
                .parse()
                .map_err(|e: crate::youth::BirthDateError| ApiError::invalid(format!("birth_date: {e}")))?;
            Ok(state.gateway.youth(&pseudonym, birth_date, crate::clock::now()).await?)
        }
        None => state.gateway.known_youth(&pseudonym).await?.ok_or_else(|| {
            ApiError::invalid(
                "Ketenpoort does not know this youth yet: send `birth_date` (YYYY-MM-DD) with the first request",
            )
        }),
    }
}

/// A registered organisation as a party to an exchange.
async fn party(state: &AppState, id: &str) -> Result<Party, ApiError> {
    let org = state.gateway.store().org(&OrgId(id.to_owned())).await?;
    org.map(|org| Party { org: org.id, kind: org.kind }).ok_or_else(|| InputError::UnknownOrg(id.to_owned()).into())
}

/// The professional role of the caller; administrative roles do not exchange signals or
/// record facts about youths.
fn professional(principal: &Principal) -> Result<Role, ApiError> {
    match principal.role {
        Some(role) if role.is_professional() => Ok(role),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only a professional records facts about a youth; this account has an administrative role",
        )),
    }
}

/// A request in the closed vocabulary, from the caller and the words of a body.
fn request(
    principal: &Principal,
    action: &str,
    signal: &str,
    recipient: Option<Party>,
    purpose: &str,
    justification: Option<String>,
) -> Result<ExchangeRequest, ApiError> {
    let role = principal.role.ok_or_else(|| InputError::InvalidRequest("the caller has no role".into()))?;
    let action = action.parse().map_err(InputError::from)?;
    let signal = signal.parse().map_err(InputError::from)?;
    let purpose = purpose.parse().map_err(InputError::from)?;
    Ok(ExchangeRequest::new(principal.party(), role, action, signal, recipient, purpose, justification)?)
}

/// A refused exchange: 403 `denied`, with the decision and what would make it possible.
fn denied(exchanged: &Exchanged) -> ApiError {
    ApiError {
        status: StatusCode::FORBIDDEN,
        code: "denied",
        message: exchanged.message.clone(),
        decision: Some(Box::new(DecisionBody::new(&exchanged.decision, exchanged.message.clone()))),
        retry_after_seconds: None,
    }
}
