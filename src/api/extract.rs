//! Our own extractors: bodies, callers and occasions reject with [`ApiError`], never with a
//! framework default (a 500, or a message echoing the input).

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum_server::tls::TlsInfo;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::sync::Arc;

use super::bounds;
use super::error::ApiError;
use crate::app::AppState;
use crate::clock;
use crate::exchange::Occasion;
use crate::identity::Principal;
use crate::identity::mtls::{self, ACTOR_HEADER};

/// A JSON body. Syntax errors are 400 `malformed_json`, a wrong shape 422 `invalid_request`,
/// an oversized body 413 `body_too_large`, one out of [`bounds`] 400 `json_too_deep` or 422
/// `too_long` / `too_many_items`. Messages name fields, never the values sent.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "the request body is too large")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "the request body could not be read")
            }
        })?;
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        bounds::check(&bytes)?;
        serde_json::from_slice(&bytes).map(Json).map_err(|error| {
            let at = format!("line {} column {}", error.line(), error.column());
            match error.classify() {
                serde_json::error::Category::Data => {
                    let text = error.to_string();
                    // serde names missing and unknown fields by their (our) names; any other
                    // data error may quote the value sent, which could be personal data.
                    let what = if text.starts_with("missing field") {
                        text.split(" at line").next().unwrap_or_default().to_owned()
                    } else if let Some(field) =
                        text.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next())
                    {
                        // The name is the caller's: echoed only when it is a word (a BSN sent
                        // as a field name is not repeated).
                        if bounds::is_field_name(field) {
                            text.split(" at line").next().unwrap_or_default().to_owned()
                        } else {
                            "an unknown field".to_owned()
                        }
                    } else {
                        "a field has the wrong type".to_owned()
                    };
                    ApiError::invalid(format!("{what} ({at}); see /api/v1/openapi.json"))
                }
                _ => ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    format!("the body is not valid JSON ({at})"),
                ),
            }
        })
    }
}

/// The acting principal of a partner system's request (client certificate + actor header).
/// A refusal is audited before it is answered.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let certificates =
            parts.extensions.get::<Arc<TlsInfo>>().map(|info| info.peer_certificates.clone()).unwrap_or_default();
        let actor = parts.headers.get(ACTOR_HEADER).and_then(|v| v.to_str().ok());
        match mtls::principal(state.gateway.store(), &certificates, actor).await? {
            Ok(principal) => {
                state.request_rates.admit(&principal.org)?;
                Ok(Caller(principal))
            }
            Err(refusal) => {
                // Each refusal is written to the log: a caller nobody knows is held to a rate
                // by address before it can fill the log with refusals.
                if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
                    state.request_rates.admit_address(peer.ip())?;
                }
                let occasion = occasion_of(parts);
                state.gateway.record_access_denied(refusal.actor, refusal.denied.code(), &occasion).await?;
                Err(refusal.denied.into())
            }
        }
    }
}

/// The request's id (also in its audit entries) and its time T.
pub struct RequestOccasion(pub Occasion);

impl<S: Send + Sync> FromRequestParts<S> for RequestOccasion {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(RequestOccasion(occasion_of(parts)))
    }
}

fn occasion_of(parts: &Parts) -> Occasion {
    // The request id goes into audit entries: accept only a plain token from outside (a caller
    // could put anything in a header), else make one.
    let given = parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).filter(|id| {
        (1..=100).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    });
    match given {
        Some(request_id) => Occasion { request_id: request_id.to_owned(), at: clock::now() },
        None => Occasion::at(clock::now()),
    }
}

/// Path segments with our rejection: `/audit/-1` is 400 `invalid_path`, in JSON like every
/// other refusal, not the framework's plain text.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|_| {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", "a segment of the path is not of its kind")
            })
    }
}

/// Query strings with our rejection.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|_| ApiError::invalid("the query string does not have the expected parameters"))
    }
}
