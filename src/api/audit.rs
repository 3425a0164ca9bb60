//! `/api/v1/audit`: auditors search the log within their organisation's part of it (all of it
//! for the gateway operator's auditors), and read one entry with its hashes and checkpoint.
//! Every call is itself audited. A BSN in the query string is pseudonymised at once and never
//! logged: request spans carry the path only.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json as JsonResponse, Router};
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::extract::{Caller, Query, RequestOccasion};
use crate::app::AppState;
use crate::audit::{
    AuditEntry, AuditQuery, AuditScope, Checkpoint, DEFAULT_PAGE, MAX_PAGE, Order, SearchError, SearchFields,
};
use crate::exchange::AuditAccessError;
use crate::identity::Principal;
use crate::store::StoredEntry;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(search_audit)).route("/audit/{seq}", get(audit_entry))
}

/// Paging and order of a search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `newest` (default) or `oldest` first.
    #[serde(default)]
    pub order: Option<String>,
    /// The `next` cursor of the previous page.
    #[serde(default)]
    pub after: Option<u64>,
    /// Entries per page, 1 to 500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ActorBody {
    pub account: Option<String>,
    pub org: Option<String>,
    pub org_kind: Option<String>,
    pub role: Option<String>,
    pub authenticated_by: String,
}

/// One audit entry as an auditor sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntryBody {
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: time::OffsetDateTime,
    pub request_id: String,
    pub event: String,
    pub actor: ActorBody,
    pub action: Option<String>,
    pub signal: Option<String>,
    pub purpose: Option<String>,
    /// The youth's pseudonym (key id and value), never a BSN.
    pub youth_pseudonym: Option<String>,
    pub recipient_org: Option<String>,
    pub decision: Option<String>,
    pub basis: Option<String>,
    pub reason: Option<String>,
    pub matched_rules: Vec<String>,
    pub policy_version: Option<String>,
    pub obligations: Vec<String>,
    pub justification: Option<String>,
    pub consents: Vec<String>,
    pub subject: Option<String>,
    /// SHA-256 of the previous entry's hash and this entry's canonical bytes, hex.
    pub hash: String,
    pub prev_hash: String,
}

fn text<T: std::fmt::Display>(value: Option<T>) -> Option<String> {
    value.map(|v| v.to_string())
}

impl From<&StoredEntry> for AuditEntryBody {
    fn from(stored: &StoredEntry) -> Self {
        let e: &AuditEntry = &stored.entry;
        AuditEntryBody {
            seq: e.seq,
            at: e.at,
            recorded_at: e.recorded_at,
            request_id: e.request_id.clone(),
            event: e.event.to_string(),
            actor: ActorBody {
                account: e.actor.account.clone(),
                org: e.actor.org.clone(),
                org_kind: text(e.actor.org_kind),
                role: text(e.actor.role),
                authenticated_by: e.actor.authenticated_by.clone(),
            },
            action: text(e.action),
            signal: text(e.signal),
            purpose: text(e.purpose),
            youth_pseudonym: e.youth.as_ref().map(|p| format!("{}:{}", p.key_id, p.value)),
            recipient_org: e.recipient_org.clone(),
            decision: text(e.decision),
            basis: text(e.basis),
            reason: text(e.reason),
            matched_rules: e.matched_rules.clone(),
            policy_version: e.policy_version.clone(),
            obligations: e.obligations.iter().map(|o| o.to_string()).collect(),
            justification: e.justification.clone(),
            consents: e.consents.clone(),
            subject: e.subject.clone(),
            hash: hex::encode(&stored.hash),
            prev_hash: hex::encode(&stored.prev_hash),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPageBody {
    pub entries: Vec<AuditEntryBody>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckpointBody {
    pub seq: u64,
    pub hash: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: time::OffsetDateTime,
    pub key_id: String,
    /// Ed25519 signature, hex.
    pub signature: String,
}

impl From<&Checkpoint> for CheckpointBody {
    fn from(c: &Checkpoint) -> Self {
        CheckpointBody {
            seq: c.seq,
            hash: hex::encode(c.hash),
            at: c.at,
            key_id: c.key_id.clone(),
            signature: hex::encode(&c.signature),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntryDetailBody {
    pub entry: AuditEntryBody,
    /// The signed checkpoint at or after this entry; absent until the next one is signed.
    pub checkpoint: Option<CheckpointBody>,
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

/// Search the audit log: filters combine; newest first unless `order=oldest`.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(SearchFields, PageParams),
    responses((status = 200, body = AuditPageBody), (status = 403, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn search_audit(
    State(state): State<AppState>,
    Caller(principal): Caller,
    RequestOccasion(occasion): RequestOccasion,
    Query(fields): Query<SearchFields>,
    Query(page): Query<PageParams>,
) -> Result<JsonResponse<AuditPageBody>, ApiError> {
    let scope = scope_of(&state, &principal)?;
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
            Some(state.gateway.youth_for_audit(state.pseudonymiser.pseudonymise(&bsn), birth_date).await?)
        }
        None => None,
    };
    let query = AuditQuery { scope, filter: fields.filter(youth)?, order, after: page.after, limit };
    let found = state.gateway.search_audit(&principal, &query, &occasion).await?;
    let next = (found.len() == limit as usize).then(|| found.last().map(|s| s.entry.seq)).flatten();
    Ok(JsonResponse(AuditPageBody { entries: found.iter().map(AuditEntryBody::from).collect(), next }))
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
    let scope = scope_of(&state, &principal)?;
    let detail = state.gateway.audit_entry_detail(&principal, &scope, seq, &occasion).await?;
    Ok(JsonResponse(AuditEntryDetailBody {
        entry: AuditEntryBody::from(&detail.stored),
        checkpoint: detail.checkpoint.as_ref().map(CheckpointBody::from),
    }))
}
