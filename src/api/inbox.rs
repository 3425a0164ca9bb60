//! `/api/v1/inbox`: signals and match notices delivered to the caller's organisation.

use std::collections::HashMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json as JsonResponse, Router};

use super::ApiError;
use super::extract::{Caller, Query};
use super::types::{AnswerBody, InboxBody, InboxItemBody, InboxQuery, OrgBody};
use crate::app::AppState;
use crate::framework::{NoticeKind, OrgId};
use crate::store::{InboxItem, Store, StoreError};
use crate::youth::Pseudonymiser;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

pub fn routes() -> Router<AppState> {
    Router::new().route("/inbox", get(list_inbox))
}

/// Your organisation's inbox, oldest first; a feedback request shows its answers. Professionals
/// only.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "inbox", params(InboxQuery),
    responses((status = 200, body = InboxBody), (status = 403, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn list_inbox(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(query): Query<InboxQuery>,
) -> Result<JsonResponse<InboxBody>, ApiError> {
    // What was delivered about youths is for the professionals who work with them, as on the
    // pages; an administrative role reads the audit log or manages accounts instead.
    if !principal.role.is_some_and(|role| role.is_professional()) {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "only a professional reads the inbox; this account has an administrative role",
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid(format!("limit is between 1 and {MAX_PAGE}")));
    }
    let items = state.gateway.store().inbox(&principal.org, query.after.unwrap_or(0), limit).await?;
    let body = bodies(state.gateway.store(), &state.pseudonymiser, &principal.org, &items).await?;
    let next = (items.len() == limit as usize).then(|| items.last().map(InboxItem::seq)).flatten();
    Ok(JsonResponse(InboxBody { items: body, next }))
}

/// The inbox items of `org` as the API shows them (and as a webhook delivers them): the youth
/// by the organisation's own case reference, never a BSN.
pub(crate) async fn bodies(
    store: &dyn Store,
    pseudonymiser: &Pseudonymiser,
    org: &OrgId,
    items: &[InboxItem],
) -> Result<Vec<InboxItemBody>, StoreError> {
    let mut orgs: HashMap<OrgId, OrgBody> = HashMap::new();
    let mut body = Vec::with_capacity(items.len());
    for item in items {
        let sender = match item {
            InboxItem::Signal { signal, .. } => &signal.from_org,
            InboxItem::MatchNotice { notice, .. } => &notice.other_org,
        };
        let from = match orgs.get(sender) {
            Some(org) => org.clone(),
            None => {
                // Organisations are never deleted; one disabled since shows by its id.
                let org = store.org(sender).await?.map_or_else(
                    || OrgBody { id: sender.0.clone(), kind: String::new(), name: sender.0.clone(), contact: None },
                    |org| OrgBody::from(&org),
                );
                orgs.insert(sender.clone(), org.clone());
                org
            }
        };
        body.push(match item {
            InboxItem::Signal { seq, signal, youth, answers } => InboxItemBody {
                cursor: *seq,
                kind: "signal",
                id: signal.id.clone(),
                case_ref: pseudonymiser.case_ref(&org.0, youth),
                delivered_at: signal.delivered_at,
                signal: Some(signal.signal.to_string()),
                purpose: Some(signal.purpose.to_string()),
                from,
                from_account: signal.from_account.clone(),
                in_reply_to: signal.in_reply_to.clone(),
                answers: answers.iter().map(AnswerBody::from).collect(),
                case_lead: None,
                side: None,
            },
            InboxItem::MatchNotice { seq, notice, youth } => InboxItemBody {
                cursor: *seq,
                kind: match notice.kind {
                    NoticeKind::Match => "match_notice",
                    NoticeKind::HistoricMatch => "historic_match",
                    NoticeKind::FamilyMatch => "family_match",
                },
                id: notice.id.clone(),
                case_ref: pseudonymiser.case_ref(&org.0, youth),
                delivered_at: notice.delivered_at,
                signal: None,
                purpose: None,
                from,
                from_account: None,
                in_reply_to: None,
                answers: Vec::new(),
                // Who leads this youth's case, for a match; a historic or family match is about
                // an organisation that is not (or not for this youth) involved now.
                case_lead: match notice.kind {
                    NoticeKind::Match => store.case_lead(notice.youth).await?.map(|org| org.0),
                    NoticeKind::HistoricMatch | NoticeKind::FamilyMatch => None,
                },
                side: (notice.kind == NoticeKind::HistoricMatch).then_some(if notice.to_registrant {
                    "registrant"
                } else {
                    "archive"
                }),
            },
        });
    }
    Ok(body)
}
