//! `/api/v1/audit`: auditors search the log within their organisation's part of it (all of it
//! for the gateway operator's auditors), and read one entry with its hashes and checkpoint.
//! Every call is itself audited. A youth is searched by `POST /api/v1/audit/search` with BSN and
//! birth date in the body: a BSN never travels in a URL, where proxies and browsers keep it.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json as JsonResponse, Router};
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::extract::{Caller, Json, Path, Query, RequestOccasion};
use crate::app::AppState;
use crate::audit::{
    AuditQuery, AuditScope, DEFAULT_PAGE, ExportedCheckpoint, ExportedEntry, MAX_PAGE, Order, SearchError, SearchFields,
};
use crate::exchange::AuditAccessError;
use crate::identity::Principal;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(search_audit))
        .route("/audit/search", post(search_audit_by_body))
        .route("/audit/{seq}", get(audit_entry))
}

/// Paging and order of a search.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `newest` (default) or `oldest` first.
    #[serde(default)]
    pub order: Option<String>,
    /// The `next` cursor of the previous page.
    #[serde(default, deserialize_with = "super::types::cursor")]
    pub after: Option<u64>,
    /// Entries per page, 1 to 500 (default 50).
    #[serde(default)]
    #[param(minimum = 1, maximum = 500)]
    #[schema(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPageBody {
    pub entries: Vec<ExportedEntry>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntryDetailBody {
    pub entry: ExportedEntry,
    /// The signed checkpoint at or after this entry; absent until the next one is signed.
    pub checkpoint: Option<ExportedCheckpoint>,
}

impl From<SearchError> for ApiError {
    fn from(error: SearchError) -> Self {
        ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, error.code(), error.to_string())
    }
}

impl From<AuditAccessError> for ApiError {
    fn from(error: AuditAccessError) -> Self {
        match error {
            AuditAccessError::NotFound(_) => {
                ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", error.to_string())
            }
            AuditAccessError::Store(store) => store.into(),
        }
    }
}

/// The caller's part of the log: auditors only.
pub fn scope_of(state: &AppState, principal: &Principal) -> Result<AuditScope, ApiError> {
    AuditScope::of(principal.role, &principal.org, state.operator_org.as_ref())
        .map_err(|refused| ApiError::new(axum::http::StatusCode::FORBIDDEN, "not_an_auditor", refused.to_string()))
}

/// A search with its paging, as a JSON body (the only way to search by youth).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SearchBody {
    #[serde(flatten)]
    pub fields: SearchFields,
    #[serde(flatten)]
    pub page: PageParams,
}

/// Search the audit log: filters combine; newest first unless `order=oldest`. A youth is
/// searched with `POST /api/v1/audit/search`: a BSN in this URL is refused.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(SearchFields, PageParams),
    responses((status = 200, body = AuditPageBody), (status = 403, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn search_audit(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Query(fields): Query<SearchFields>,
    Query(page): Query<PageParams>,
) -> Result<JsonResponse<AuditPageBody>, ApiError> {
    if fields.bsn.is_some() || fields.birth_date.is_some() {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "bsn_in_url",
            "a BSN never travels in a URL: search by youth with POST /api/v1/audit/search and the BSN in the body",
        ));
    }
    search(&state, &principal, &occasion, &fields, &page).await
}

/// Search the audit log with the filters in the body, the youth by BSN and birth date included.
#[utoipa::path(post, path = "/api/v1/audit/search", tag = "audit", request_body = SearchBody,
    responses((status = 200, body = AuditPageBody), (status = 403, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn search_audit_by_body(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Json(body): Json<SearchBody>,
) -> Result<JsonResponse<AuditPageBody>, ApiError> {
    search(&state, &principal, &occasion, &body.fields, &body.page).await
}

async fn search(
    state: &AppState,
    principal: &Principal,
    occasion: &crate::exchange::Occasion,
    fields: &SearchFields,
    page: &PageParams,
) -> Result<JsonResponse<AuditPageBody>, ApiError> {
    let scope = scope_of(state, principal)?;
    let limit = page.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid(format!("limit is between 1 and {MAX_PAGE}")));
    }
    let order = match page.order.as_deref() {
        None | Some("newest") => Order::NewestFirst,
        Some("oldest") => Order::OldestFirst,
        Some(other) => return Err(ApiError::invalid(format!("order is `newest` or `oldest`, not `{other}`"))),
    };
    let youth = match fields.youth()? {
        Some((bsn, birth_date)) => {
            Some(state.gateway.youth_for_audit(&state.pseudonymiser.pseudonymise_all(&bsn), birth_date).await?)
        }
        None => None,
    };
    let query = AuditQuery { scope, filter: fields.filter(youth)?, order, after: page.after, limit };
    let found = state.gateway.search_audit(principal, &query, occasion).await?;
    let next = (found.len() == limit as usize).then(|| found.last().map(|s| s.entry.seq)).flatten();
    Ok(JsonResponse(AuditPageBody { entries: found.iter().map(ExportedEntry::from).collect(), next }))
}

/// One audit entry with its hash, its predecessor's hash and the checkpoint that covers it.
#[utoipa::path(get, path = "/api/v1/audit/{seq}", tag = "audit", params(("seq" = u64, Path, description = "the entry's sequence number")),
    responses((status = 200, body = AuditEntryDetailBody), (status = 403, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody)))]
pub async fn audit_entry(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Path(seq): Path<u64>,
) -> Result<JsonResponse<AuditEntryDetailBody>, ApiError> {
    if i64::try_from(seq).is_err() {
        return Err(ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "no audit entry with this number"));
    }
    let scope = scope_of(&state, &principal)?;
    let detail = state.gateway.audit_entry_detail(&principal, &scope, seq, &occasion).await?;
    Ok(JsonResponse(AuditEntryDetailBody {
        entry: ExportedEntry::from(&detail.stored),
        checkpoint: detail.checkpoint.as_ref().map(ExportedCheckpoint::from),
    }))
}
