//! `/api/v1/involvements`: "I am involved" (reference index), and withdrawing it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json as JsonResponse, Router};

use super::extract::{Caller, Json, Path, RequestOccasion};
use super::types::{DecisionBody, DoneBody, OrgBody, RegisterBody, RegisteredBody};
use super::{ApiError, denied, professional, request, youth};
use crate::app::AppState;
use crate::exchange::Mode;
use crate::store::FactKind;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/involvements", post(create_involvement))
        .route("/involvements/{id}", delete(withdraw_involvement))
}

/// Register your organisation's involvement with a youth; organisations already involved
/// and yours receive a match notice.
#[utoipa::path(post, path = "/api/v1/involvements", request_body = RegisterBody, tag = "involvements",
    responses(
        (status = 201, body = RegisteredBody, description = "registered; `matches` lists the organisations already involved"),
        (status = 403, body = super::error::ErrorBody, description = "denied, with the decision"),
        (status = 409, body = super::error::ErrorBody, description = "already involved, or another birth date"),
        (status = 422, body = super::error::ErrorBody, description = "bad input: invalid_bsn, unknown_purpose, …"),
    ))]
pub async fn create_involvement(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Json(body): Json<RegisterBody>,
) -> Result<(StatusCode, JsonResponse<RegisteredBody>), ApiError> {
    professional(&principal)?;
    let request = request(&principal, "register", "involvement", None, &body.purpose, None)?;
    let youth = youth(&state, &body.bsn, body.birth_date.as_deref()).await?;
    let exchanged = state.gateway.exchange(&principal, &youth, &request, Mode::Deliver, None, &occasion).await?;
    let Some(id) = exchanged.effect_id.clone() else { return Err(denied(&exchanged)) };
    Ok((
        StatusCode::CREATED,
        JsonResponse(RegisteredBody {
            id,
            case_ref: state.pseudonymiser.case_ref(&principal.org.0, &youth.pseudonym),
            matches: exchanged.matches.iter().map(OrgBody::from).collect(),
            decision: DecisionBody::new(&exchanged.decision, exchanged.message),
        }),
    ))
}

/// Withdraw your organisation's involvement: always allowed, audited, no disclosure.
#[utoipa::path(delete, path = "/api/v1/involvements/{id}", tag = "involvements",
    params(("id" = String, Path, description = "the involvement's id")),
    responses((status = 200, body = DoneBody), (status = 403, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody)))]
pub async fn withdraw_involvement(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Path(id): Path<String>,
) -> Result<JsonResponse<DoneBody>, ApiError> {
    // As recording it: a professional's act, never an administrative role's.
    professional(&principal)?;
    let youth = state.gateway.owned_fact(&principal, FactKind::Involvement, &id).await?;
    state.gateway.withdraw_involvement(&principal, &youth, &id, &occasion).await?;
    Ok(JsonResponse(DoneBody { id, status: "withdrawn" }))
}
