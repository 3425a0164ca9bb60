//! The one mapping of errors to HTTP for the JSON API: `{ "error": code, "message": text }`
//! with a stable snake_case code. The cause of a server error is logged, never sent; a
//! message never echoes a BSN.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::bounds::OutOfBounds;
use super::types::DecisionBody;
use crate::exchange::ExchangeError;
use crate::framework::InputError;
use crate::identity::mtls::AccessDenied;
use crate::limits::RateLimited;
use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// A refused exchange carries its decision (boxed: errors travel often, decisions rarely).
    pub decision: Option<Box<DecisionBody>>,
    /// Seconds to wait before trying again (429, 503): the `Retry-After` header.
    pub retry_after_seconds: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code: `invalid_bsn`, `denied`, `no_relationship`, …
    pub error: &'static str,
    /// What went wrong and what to do, in plain words.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionBody>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), decision: None, retry_after_seconds: None }
    }

    pub fn retry_after(self, seconds: u64) -> Self {
        ApiError { retry_after_seconds: Some(seconds), ..self }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
    }

    fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Ketenpoort could not complete this request; it was logged.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: self.code, message: self.message, decision: self.decision.map(|d| *d) };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after_seconds {
            let (name, value) = crate::limits::retry_after(seconds);
            response.headers_mut().insert(name, value);
        }
        response
    }
}

impl From<InputError> for ApiError {
    fn from(error: InputError) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, error.code(), error.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no {what}")),
            StoreError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            StoreError::BirthDateMismatch => ApiError::new(
                StatusCode::CONFLICT,
                "birth_date_mismatch",
                "this youth is known with another birth date: check the BSN and the birth date",
            ),
            StoreError::Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Ketenpoort is busy; nothing was done: try again",
            )
            .retry_after(1),
            StoreError::Corrupt(_) | StoreError::Database(_) => ApiError::internal(&error),
        }
    }
}

impl From<ExchangeError> for ApiError {
    fn from(error: ExchangeError) -> Self {
        match error {
            ExchangeError::Input(input) => input.into(),
            ExchangeError::Store(store) => store.into(),
            ExchangeError::Policy(policy) => ApiError::internal(&policy),
            ExchangeError::AlreadyInvolved(_) => {
                ApiError::new(StatusCode::CONFLICT, "already_involved", error.to_string())
            }
            ExchangeError::NoRelationship => ApiError::new(StatusCode::FORBIDDEN, "no_relationship", error.to_string()),
            ExchangeError::CaseLead(message) => ApiError::new(StatusCode::CONFLICT, "case_lead", message),
            ExchangeError::Parents(message) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_parents", message)
            }
        }
    }
}

impl From<OutOfBounds> for ApiError {
    fn from(out: OutOfBounds) -> Self {
        let (status, code) = match out {
            OutOfBounds::TooDeep => (StatusCode::BAD_REQUEST, "json_too_deep"),
            OutOfBounds::StringTooLong { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "too_long"),
            OutOfBounds::TooManyItems { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "too_many_items"),
        };
        ApiError::new(status, code, out.to_string())
    }
}

impl From<RateLimited> for ApiError {
    fn from(limited: RateLimited) -> Self {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("your organisation is over its rate of requests: try again in {} s", limited.retry_after_seconds),
        )
        .retry_after(limited.retry_after_seconds)
    }
}

impl From<AccessDenied> for ApiError {
    fn from(denied: AccessDenied) -> Self {
        let status = if denied.is_unauthenticated() { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
        ApiError::new(status, denied.code(), denied.to_string())
    }
}
