//! `GET /api/v1/openapi.json`: the OpenAPI 3 document, generated from the handlers' types.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::OpenApi;

use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ketenpoort partner API",
        description = "Typed, permitted, audited signals between youth-care partners. \
        Every request under /api/v1 needs a client certificate of a registered organisation and the \
        Ketenpoort-Actor header naming an account of that organisation. A BSN travels only in request bodies."
    ),
    paths(
        super::involvements::create_involvement,
        super::involvements::withdraw_involvement,
        super::signals::send_signal,
        super::signals::create_decision,
        super::inbox::list_inbox,
        super::consents::create_consent,
        super::consents::revoke_consent,
        super::measures::create_measure,
        super::measures::end_measure,
        super::cases::view_case,
        super::cases::set_case_lead,
        super::audit::search_audit,
        super::audit::search_audit_by_body,
        super::audit::audit_entry,
    )
)]
struct ApiDoc;

/// The document as JSON text.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/openapi.json",
        get(|| async { ([(header::CONTENT_TYPE, "application/json")], document()).into_response() }),
    )
}
