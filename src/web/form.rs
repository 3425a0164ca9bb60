//! Form bodies with our rejection: a malformed form is a page that says so, not a bare
//! framework error.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::WebError;
use super::i18n::Lang;

/// An `application/x-www-form-urlencoded` body.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, WebError> {
        axum::Form::<T>::from_request(request, state).await.map(|axum::Form(value)| Form(value)).map_err(|rejection| {
            let status = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            WebError::shown(
                status,
                Lang::Nl,
                "Dit formulier is onvolledig of te groot. Open de pagina opnieuw. / This form is incomplete or too large. Open the page again.",
            )
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

/// A form that names one thing by id (a button in a list).
#[derive(serde::Deserialize)]
pub struct IdForm {
    #[serde(default)]
    pub csrf: String,
    pub id: String,
}
