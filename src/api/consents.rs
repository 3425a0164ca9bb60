//! `/api/v1/consents`: consent the caller's organisation obtained, and its revocation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json as JsonResponse, Router};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::extract::{Caller, Json, Path, RequestOccasion};
use super::types::{ConsentBody, DoneBody, RecordedBody};
use super::{ApiError, party, professional, youth};
use crate::app::AppState;
use crate::framework::{Consent, Consenter, InputError, OrgKind, Purpose, Signal};
use crate::store::FactKind;

pub fn routes() -> Router<AppState> {
    Router::new().route("/consents", post(create_consent)).route("/consents/{id}/revoke", post(revoke_consent))
}

/// An RFC 3339 time of field `name`.
pub(super) fn time_of(name: &str, text: &str) -> Result<OffsetDateTime, ApiError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| ApiError::invalid(format!("{name} is a time in RFC 3339, e.g. 2026-03-02T09:00:00Z")))
}

/// A consent's terms as its body states them, checked without the store (the recipient
/// organisations are looked up by the handler).
pub(super) struct Terms {
    pub given_by: Consenter,
    pub recipient_kinds: Vec<OrgKind>,
    pub signals: Vec<Signal>,
    pub purposes: Vec<Purpose>,
    pub valid_from: OffsetDateTime,
    pub valid_until: Option<OffsetDateTime>,
}

pub(super) fn terms_of(body: &ConsentBody) -> Result<Terms, ApiError> {
    let given_by: Consenter = body.given_by.parse().map_err(|e| ApiError::invalid(format!("given_by: {e}")))?;
    let recipient_kinds = body
        .recipient_kinds
        .iter()
        .map(|kind| kind.parse::<OrgKind>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::invalid(format!("recipient_kinds: {e}")))?;
    let signals =
        body.signals.iter().map(|s| s.parse::<Signal>()).collect::<Result<Vec<_>, _>>().map_err(InputError::from)?;
    let purposes =
        body.purposes.iter().map(|p| p.parse::<Purpose>()).collect::<Result<Vec<_>, _>>().map_err(InputError::from)?;
    if body.recipient_orgs.is_empty() && recipient_kinds.is_empty() {
        return Err(ApiError::invalid("a consent names at least one recipient organisation or kind"));
    }
    if signals.is_empty() || purposes.is_empty() {
        return Err(ApiError::invalid("a consent names at least one signal and one purpose"));
    }
    let valid_from = time_of("valid_from", &body.valid_from)?;
    let valid_until = body.valid_until.as_deref().map(|t| time_of("valid_until", t)).transpose()?;
    if valid_until.is_some_and(|until| until <= valid_from) {
        return Err(ApiError::invalid("valid_until comes after valid_from"));
    }
    Ok(Terms { given_by, recipient_kinds, signals, purposes, valid_from, valid_until })
}

/// Record a consent held by your organisation: who gave it, for which recipients, signals
/// and purposes, and from when.
#[utoipa::path(post, path = "/api/v1/consents", request_body = ConsentBody, tag = "consents",
    responses((status = 201, body = RecordedBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn create_consent(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Json(body): Json<ConsentBody>,
) -> Result<(StatusCode, JsonResponse<RecordedBody>), ApiError> {
    professional(&principal)?;
    let terms = terms_of(&body)?;
    let mut recipient_orgs = Vec::with_capacity(body.recipient_orgs.len());
    for org in &body.recipient_orgs {
        recipient_orgs.push(party(&state, org).await?.org);
    }
    let youth = youth(&state, &body.bsn, body.birth_date.as_deref()).await?;
    let consent = Consent {
        id: uuid::Uuid::new_v4().to_string(),
        given_by: terms.given_by,
        holder: principal.org.clone(),
        recipient_orgs,
        recipient_kinds: terms.recipient_kinds,
        signals: terms.signals,
        purposes: terms.purposes,
        valid_from: terms.valid_from,
        valid_until: terms.valid_until,
        revoked_at: None,
    };
    let id = consent.id.clone();
    state.gateway.record_consent(&principal, &youth, consent, &occasion).await?;
    let case_ref = state.pseudonymiser.case_ref(&principal.org.0, &youth.pseudonym);
    Ok((StatusCode::CREATED, JsonResponse(RecordedBody { id, case_ref })))
}

/// Revoke a consent your organisation holds, from now on.
#[utoipa::path(post, path = "/api/v1/consents/{id}/revoke", tag = "consents",
    params(("id" = String, Path, description = "the consent's id")),
    responses((status = 200, body = DoneBody), (status = 403, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody)))]
pub async fn revoke_consent(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Path(id): Path<String>,
) -> Result<JsonResponse<DoneBody>, ApiError> {
    // As recording it: a professional's act, never an administrative role's.
    professional(&principal)?;
    let youth = state.gateway.owned_fact(&principal, FactKind::Consent, &id).await?;
    state.gateway.revoke_consent(&principal, &youth, &id, &occasion).await?;
    Ok(JsonResponse(DoneBody { id, status: "revoked" }))
}
