//! `/api/v1/involvements`: "I am involved" (reference index), and withdrawing it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json as JsonResponse, Router};

use super::extract::{Caller, Json, Path, Query, RequestOccasion};
use super::types::{DecisionBody, DoneBody, OrgBody, RegisterBody, RegisteredBody, WithdrawQuery};
use super::{ApiError, denied, professional, pseudonym, request, youth};
use crate::app::AppState;
use crate::exchange::{ExchangeError, Mode};
use crate::framework::{InputError, WithdrawalReason};
use crate::store::FactKind;

/// A registration names at most this many parents (whoever holds parental authority).
const MOST_PARENTS: usize = 4;

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
    let parents = parents(&state, &body.bsn, &body.parents)?;
    let youth = youth(&state, &body.bsn, body.birth_date.as_deref()).await?;
    let exchanged =
        state.gateway.exchange_naming(&principal, &youth, &request, Mode::Deliver, None, &parents, &occasion).await?;
    let Some(id) = exchanged.effect_id.clone() else { return Err(denied(&exchanged)) };
    Ok((
        StatusCode::CREATED,
        JsonResponse(RegisteredBody {
            id,
            case_ref: state.pseudonymiser.case_ref(&principal.org.0, &youth.pseudonym),
            matches: exchanged.matches.iter().map(OrgBody::from).collect(),
            historic_matches: exchanged.historic_matches.iter().map(OrgBody::from).collect(),
            family_matches: exchanged.family_matches.iter().map(OrgBody::from).collect(),
            decision: DecisionBody::new(&exchanged.decision, exchanged.message),
        }),
    ))
}

/// The parents' BSNs as pseudonyms (each under every key, current first): checked, none the
/// youth's own, none twice.
fn parents(state: &AppState, youth_bsn: &str, bsns: &[String]) -> Result<Vec<Vec<crate::youth::Pseudonym>>, ApiError> {
    if bsns.len() > MOST_PARENTS {
        return Err(ExchangeError::Parents(format!("a registration names at most {MOST_PARENTS} parents")).into());
    }
    let mut named: Vec<crate::youth::Bsn> = Vec::with_capacity(bsns.len());
    for bsn in bsns {
        let parent: crate::youth::Bsn =
            bsn.parse().map_err(|e: crate::youth::BsnError| InputError::InvalidBsn(format!("a parent's BSN: {e}")))?;
        named.push(parent);
    }
    if youth_bsn.parse::<crate::youth::Bsn>().is_ok_and(|own| named.contains(&own)) {
        return Err(ExchangeError::Parents("a parent's BSN is the youth's own".into()).into());
    }
    if (1..named.len()).any(|i| named[..i].contains(&named[i])) {
        return Err(ExchangeError::Parents("a parent is named twice".into()).into());
    }
    bsns.iter().map(|bsn| pseudonym(state, bsn)).collect()
}

/// Withdraw your organisation's involvement, saying why: always allowed, audited, no
/// disclosure. Only a withdrawal because the worry is gone (`risk_gone`, the default) is
/// archived for the historic match.
#[utoipa::path(delete, path = "/api/v1/involvements/{id}", tag = "involvements",
    params(("id" = String, Path, description = "the involvement's id"), WithdrawQuery),
    responses((status = 200, body = DoneBody), (status = 403, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody)))]
pub async fn withdraw_involvement(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Path(id): Path<String>,
    Query(query): Query<WithdrawQuery>,
) -> Result<JsonResponse<DoneBody>, ApiError> {
    // As recording it: a professional's act, never an administrative role's.
    professional(&principal)?;
    let reason = match query.reason.as_deref() {
        None => WithdrawalReason::RiskGone,
        Some(word) => word.parse().map_err(InputError::from)?,
    };
    let youth = state.gateway.owned_fact(&principal, FactKind::Involvement, &id).await?;
    state.gateway.withdraw_involvement(&principal, &youth, &id, reason, &occasion).await?;
    Ok(JsonResponse(DoneBody { id, status: "withdrawn" }))
}
