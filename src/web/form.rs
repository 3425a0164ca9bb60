//! Form bodies with our rejection: a malformed form is a page that says so, not a bare
//! framework error.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::WebError;

/// An `application/x-www-form-urlencoded` body. A field given more than once (a group of
/// checkboxes) fills a `Vec`.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, WebError> {
        axum_extra::extract::Form::<T>::from_request(request, state)
            .await
            .map(|axum_extra::extract::Form(value)| Form(value))
            .map_err(|rejection| {
                let status = if axum::response::IntoResponse::into_response(rejection).status()
                    == StatusCode::PAYLOAD_TOO_LARGE
                {
                    StatusCode::PAYLOAD_TOO_LARGE
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                WebError::Words {
                    status,
                    nl: "Dit formulier is onvolledig of te groot. Open de pagina opnieuw.",
                    en: "This form is incomplete or too large. Open the page again.",
                }
            })
    }
}

/// A form that carries only its CSRF token (a button).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    pub csrf: String,
}
