//! `GET /api/v1/openapi.json`: the OpenAPI 3 document, generated from the handlers' types.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ArrayItems, Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Content, ContentBuilder, Ref, RefOr, ResponseBuilder};

use crate::app::AppState;
use crate::framework::{DenyReason, WithdrawalReason};

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
        super::cases::record_death,
        super::audit::search_audit,
        super::audit::search_audit_by_body,
        super::audit::audit_entry,
    )
)]
struct ApiDoc;

/// The document as JSON text.
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    let mut bodies = Vec::new();
    for (path, item) in &mut doc.paths.paths {
        for operation in [&mut item.get, &mut item.post, &mut item.delete].into_iter().flatten() {
            if path == "/api/v1/audit"
                && let Some(parameters) = &mut operation.parameters
            {
                // Refused in a URL (`bsn_in_url`): documented for the body of /audit/search only.
                parameters.retain(|p| !matches!(&p, RefOr::T(p) if p.name == "bsn" || p.name == "birth_date"));
            }
            document_refusals(path, operation);
            if let Some(RefOr::T(body)) = &operation.request_body {
                bodies.extend(body.content.values().filter_map(|content| match content {
                    RefOr::T(Content { schema: Some(RefOr::Ref(reference)), .. }) => {
                        reference.ref_location.rsplit('/').next().map(str::to_owned)
                    }
                    _ => None,
                }));
            }
        }
    }
    if let Some(components) = &mut doc.components {
        // A body made of others (`allOf`) is bounded through its parts.
        let parts: Vec<String> = bodies
            .iter()
            .filter_map(|name| match components.schemas.get(name) {
                Some(RefOr::T(Schema::AllOf(all))) => Some(all.items.iter()),
                _ => None,
            })
            .flatten()
            .filter_map(|part| match part {
                RefOr::Ref(reference) => reference.ref_location.rsplit('/').next().map(str::to_owned),
                RefOr::T(_) => None,
            })
            .collect();
        for name in bodies.iter().chain(&parts) {
            if let Some(RefOr::T(Schema::Object(body))) = components.schemas.get_mut(name) {
                document_bounds(body);
            }
        }
        // The closed vocabulary where a field holds one of its words.
        if let Some(RefOr::T(Schema::Object(decision))) = components.schemas.get_mut("DecisionBody") {
            document_words(decision, "reason", DenyReason::WORDS);
        }
    }
    for (path, item) in &mut doc.paths.paths {
        if path == "/api/v1/involvements/{id}"
            && let Some(parameters) = item.delete.as_mut().and_then(|op| op.parameters.as_mut())
        {
            for parameter in parameters.iter_mut() {
                let RefOr::T(parameter) = parameter else { continue };
                if parameter.name != "reason" {
                    continue;
                }
                let mut words = ObjectBuilder::new().schema_type(Type::String).build();
                words.enum_values = Some(WithdrawalReason::WORDS.iter().map(|w| (*w).into()).collect());
                words.default = Some(WithdrawalReason::RiskGone.as_str().into());
                parameter.schema = Some(RefOr::T(Schema::Object(words)));
            }
        }
    }
    doc.to_pretty_json().unwrap_or_default()
}

/// A text property that holds one of `words`.
fn document_words(body: &mut Object, field: &str, words: &[&str]) {
    if let Some(RefOr::T(Schema::Object(property))) = body.properties.get_mut(field) {
        property.enum_values = Some(words.iter().map(|w| (*w).into()).collect());
    }
}

/// The bounds every request body is held to (`bounds.rs`), in the document: the longest
/// string of each field and the most items of each list.
fn document_bounds(body: &mut Object) {
    let is_string = |ty: &SchemaType| match ty {
        SchemaType::Type(ty) => *ty == Type::String,
        SchemaType::Array(types) => types.contains(&Type::String),
        SchemaType::AnyValue => false,
    };
    for (field, property) in &mut body.properties {
        let limit = if super::bounds::FREE_TEXT_FIELDS.contains(&field.as_bytes()) {
            super::bounds::MAX_TEXT_CHARS
        } else {
            super::bounds::MAX_STRING_CHARS
        };
        match property {
            RefOr::T(Schema::Object(value)) if is_string(&value.schema_type) => value.max_length = Some(limit),
            RefOr::T(Schema::Array(list)) => {
                list.max_items = Some(super::bounds::MAX_ITEMS);
                if let ArrayItems::RefOrSchema(item) = &mut list.items
                    && let RefOr::T(Schema::Object(item)) = item.as_mut()
                    && is_string(&item.schema_type)
                {
                    item.max_length = Some(limit);
                }
            }
            _ => {}
        }
    }
}

/// Adds the refusals every operation can give, beside those its handler names: so a partner
/// finds each status it may meet in the document, with the one error body.
fn document_refusals(path: &str, operation: &mut Operation) {
    let has_body = operation.request_body.is_some();
    let refusals = [
        ("400", "malformed JSON, a body nested too deep, or a path segment of the wrong kind", true),
        ("401", "no client certificate, or no `Ketenpoort-Actor` header", true),
        ("403", "refused: an unknown certificate or actor, a role that may not, or a denied exchange", true),
        ("404", "no such resource, or none of yours", path.contains('{')),
        ("413", "the body is larger than the server accepts", has_body),
        ("415", "the body is not `application/json`", has_body),
        ("422", "a field is missing, unknown, too long or not in the vocabulary", true),
        ("429", "your organisation is over its rate: see `Retry-After`", true),
        ("503", "the server is shedding load or could not answer in time; `Retry-After` when retrying helps", true),
    ];
    for (status, description, applies) in refusals {
        if applies && !operation.responses.responses.contains_key(status) {
            let response = ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                )
                .build();
            operation.responses.responses.insert(status.to_owned(), RefOr::T(response));
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/openapi.json",
        get(|| async { ([(header::CONTENT_TYPE, "application/json")], document()).into_response() }),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    #[test]
    fn the_document_names_every_deny_reason_and_withdrawal_reason() {
        let doc: Value = serde_json::from_str(&super::document()).unwrap();
        let reasons = &doc["components"]["schemas"]["DecisionBody"]["properties"]["reason"]["enum"];
        assert!(reasons.as_array().unwrap().iter().any(|r| r == "youth_too_old"), "{reasons}");
        let withdraw = &doc["paths"]["/api/v1/involvements/{id}"]["delete"]["parameters"];
        let reason = withdraw.as_array().unwrap().iter().find(|p| p["name"] == "reason").unwrap();
        assert_eq!(reason["schema"]["enum"], serde_json::json!(["risk_gone", "unjustified", "objection"]));
        assert!(doc["paths"]["/api/v1/cases/death"]["post"].is_object());
    }
}
