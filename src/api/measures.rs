//! `/api/v1/measures`: child-protection measures, recorded and ended by the certified
//! institution that holds them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json as JsonResponse, Router};

use super::consents::time_of;
use super::extract::{Caller, Json, Path, RequestOccasion};
use super::types::{DoneBody, MeasureBody, RecordedBody};
use super::{ApiError, professional, youth};
use crate::app::AppState;
use crate::framework::{Measure, OrgKind};
use crate::identity::Principal;
use crate::store::FactKind;

pub fn routes() -> Router<AppState> {
    Router::new().route("/measures", post(create_measure)).route("/measures/{id}/end", post(end_measure))
}

fn certified_institution(principal: &Principal) -> Result<(), ApiError> {
    professional(principal)?;
    if principal.org_kind == OrgKind::CertifiedInstitution {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only a certified institution records a child-protection measure",
        ))
    }
}

/// Record a measure (OTS, voogdij) your certified institution holds.
#[utoipa::path(post, path = "/api/v1/measures", request_body = MeasureBody, tag = "measures",
    responses((status = 201, body = RecordedBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn create_measure(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Json(body): Json<MeasureBody>,
) -> Result<(StatusCode, JsonResponse<RecordedBody>), ApiError> {
    certified_institution(&principal)?;
    let from = body.from.as_deref().map(|t| time_of("from", t)).transpose()?.unwrap_or(occasion.at);
    let until = body.until.as_deref().map(|t| time_of("until", t)).transpose()?;
    if until.is_some_and(|until| until <= from) {
        return Err(ApiError::invalid("until comes after from"));
    }
    let youth = youth(&state, &body.bsn, body.birth_date.as_deref()).await?;
    let measure = Measure { id: uuid::Uuid::new_v4().to_string(), org: principal.org.clone(), from, until };
    let id = measure.id.clone();
    state.gateway.record_measure(&principal, &youth, measure, &occasion).await?;
    let case_ref = state.pseudonymiser.case_ref(&principal.org.0, &youth.pseudonym);
    Ok((StatusCode::CREATED, JsonResponse(RecordedBody { id, case_ref })))
}

/// End a running measure of your institution, from now on.
#[utoipa::path(post, path = "/api/v1/measures/{id}/end", tag = "measures",
    params(("id" = String, Path, description = "the measure's id")),
    responses((status = 200, body = DoneBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn end_measure(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Path(id): Path<String>,
) -> Result<JsonResponse<DoneBody>, ApiError> {
    certified_institution(&principal)?;
    let youth = state.gateway.owned_fact(&principal, FactKind::Measure, &id).await?;
    state.gateway.end_measure(&principal, &youth, &id, &occasion).await?;
    Ok(JsonResponse(DoneBody { id, status: "ended" }))
}
