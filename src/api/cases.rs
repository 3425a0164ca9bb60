//! `/api/v1/cases`: the case as an involved organisation may see it, and its case lead
//! (regievoerder: "1 gezin, 1 plan, 1 regisseur").

use axum::extract::State;
use axum::routing::post;
use axum::{Json as JsonResponse, Router};

use super::extract::{Caller, Json, RequestOccasion};
use super::types::{AnswerBody, CaseBody, CaseLeadBody, CaseViewBody, DoneBody, OrgBody, ThreadBody};
use super::{ApiError, party, professional, pseudonym};
use crate::app::AppState;
use crate::exchange::ExchangeError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/view", post(view_case))
        .route("/cases/lead", post(set_case_lead))
        .route("/cases/death", post(record_death))
}

/// Who is involved, who leads, and the threads your organisation is part of. Only for an
/// organisation with a relationship; every look-up is audited.
#[utoipa::path(post, path = "/api/v1/cases/view", request_body = CaseBody, tag = "cases",
    responses((status = 200, body = CaseViewBody), (status = 403, body = super::error::ErrorBody, description = "no_relationship")))]
pub async fn view_case(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Json(body): Json<CaseBody>,
) -> Result<JsonResponse<CaseViewBody>, ApiError> {
    professional(&principal)?;
    let pseudonym = pseudonym(&state, &body.bsn)?;
    let view = state.gateway.view_case(&principal, &pseudonym, &occasion).await?;
    let case_ref = state.pseudonymiser.case_ref(&principal.org.0, &view.youth);
    Ok(JsonResponse(CaseViewBody {
        case_ref,
        involved: view.involved.iter().map(OrgBody::from).collect(),
        case_lead: view.lead.map(|org| org.0),
        threads: view
            .threads
            .iter()
            .map(|thread| ThreadBody {
                id: thread.request.id.clone(),
                signal: thread.request.signal.to_string(),
                from: thread.request.from_org.0.clone(),
                to: thread.request.to_org.0.clone(),
                delivered_at: thread.request.delivered_at,
                answers: thread.answers.iter().map(AnswerBody::from).collect(),
            })
            .collect(),
    }))
}

/// Take the lead when there is none, or hand it, as the lead, to another involved
/// organisation.
#[utoipa::path(post, path = "/api/v1/cases/lead", request_body = CaseLeadBody, tag = "cases",
    responses((status = 200, body = DoneBody), (status = 403, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody)))]
pub async fn set_case_lead(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Json(body): Json<CaseLeadBody>,
) -> Result<JsonResponse<DoneBody>, ApiError> {
    professional(&principal)?;
    let lead = party(&state, &body.org).await?;
    let pseudonym = pseudonym(&state, &body.bsn)?;
    let youth = state.gateway.known_youth(&pseudonym).await?.ok_or(ExchangeError::NoRelationship)?;
    state.gateway.set_case_lead(&principal, &youth, &lead.org, &occasion).await?;
    Ok(JsonResponse(DoneBody { id: lead.org.0, status: "case_lead_changed" }))
}

/// Record the youth's death (§8): every involvement and measure ends now, nothing is archived,
/// and the youth's data are destroyed by the next retention run. Only for an organisation with
/// a relationship; audited.
#[utoipa::path(post, path = "/api/v1/cases/death", request_body = CaseBody, tag = "cases",
    responses((status = 200, body = DoneBody), (status = 403, body = super::error::ErrorBody, description = "no_relationship"),
        (status = 409, body = super::error::ErrorBody, description = "recorded already")))]
pub async fn record_death(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Json(body): Json<CaseBody>,
) -> Result<JsonResponse<DoneBody>, ApiError> {
    professional(&principal)?;
    let pseudonym = pseudonym(&state, &body.bsn)?;
    // An unknown youth is as good as one without a relationship: their existence is not told.
    let youth = state.gateway.known_youth(&pseudonym).await?.ok_or(ExchangeError::NoRelationship)?;
    state.gateway.record_death(&principal, &youth, &occasion).await?;
    let case_ref = state.pseudonymiser.case_ref(&principal.org.0, &youth.pseudonym);
    Ok(JsonResponse(DoneBody { id: case_ref, status: "death_recorded" }))
}
