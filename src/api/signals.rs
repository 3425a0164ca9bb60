//! `/api/v1/signals` (send) and `/api/v1/decisions` (the same question as a dry run).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json as JsonResponse, Router};

use super::extract::{Caller, Json, RequestOccasion};
use super::types::{DecisionBody, DryRunBody, SentBody, SignalBody};
use super::{ApiError, denied, party, professional, request, youth};
use crate::app::AppState;
use crate::exchange::{Exchanged, Mode};
use crate::identity::Principal;

pub fn routes() -> Router<AppState> {
    Router::new().route("/signals", post(send_signal)).route("/decisions", post(create_decision))
}

async fn exchange(
    state: &AppState,
    principal: &Principal,
    occasion: &crate::exchange::Occasion,
    body: SignalBody,
    mode: Mode,
) -> Result<(Exchanged, String), ApiError> {
    // Refused at the door, before any fact about the youth is looked at (a dry run's answer
    // can tell what consent is missing, and so the youth's age).
    professional(principal)?;
    let recipient = party(state, &body.to).await?;
    let request = request(principal, "send", &body.signal, Some(recipient), &body.purpose, body.justification)?;
    let youth = youth(state, &body.bsn, body.birth_date.as_deref()).await?;
    let exchanged =
        state.gateway.exchange(principal, &youth, &request, mode, body.in_reply_to.as_deref(), occasion).await?;
    Ok((exchanged, state.pseudonymiser.case_ref(&principal.org.0, &youth.pseudonym)))
}

/// Send a signal to one organisation; delivered only when allowed, after its audit entry is
/// stored.
#[utoipa::path(post, path = "/api/v1/signals", request_body = SignalBody, tag = "signals",
    responses(
        (status = 201, body = SentBody, description = "allowed and delivered"),
        (status = 403, body = super::error::ErrorBody, description = "denied: `message` says why and what would make it possible"),
        (status = 422, body = super::error::ErrorBody, description = "bad input: invalid_bsn, unknown_signal, unknown_org, …"),
    ))]
pub async fn send_signal(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Json(body): Json<SignalBody>,
) -> Result<(StatusCode, JsonResponse<SentBody>), ApiError> {
    let (exchanged, case_ref) = exchange(&state, &principal, &occasion, body, Mode::Deliver).await?;
    let Some(id) = exchanged.effect_id.clone() else { return Err(denied(&exchanged)) };
    let decision = DecisionBody::new(&exchanged.decision, exchanged.message);
    Ok((StatusCode::CREATED, JsonResponse(SentBody { id, case_ref, decision })))
}

/// May I send this? The decision, audited as a dry run; nothing is delivered.
#[utoipa::path(post, path = "/api/v1/decisions", request_body = SignalBody, tag = "signals",
    responses((status = 200, body = DryRunBody), (status = 403, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn create_decision(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Json(body): Json<SignalBody>,
) -> Result<JsonResponse<DryRunBody>, ApiError> {
    let (exchanged, _) = exchange(&state, &principal, &occasion, body, Mode::DryRun).await?;
    Ok(JsonResponse(DryRunBody { decision: DecisionBody::new(&exchanged.decision, exchanged.message) }))
}
