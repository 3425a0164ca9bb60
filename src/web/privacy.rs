//! The privacy officers' page: the active rule table in words, the versions, and the four-eyes
//! steps — approve a colleague's draft, activate an approved version (or roll back). Drafts are
//! imported with `ketenpoort policy import`; editing them on the page is still to come.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::{get, post};
use serde::Deserialize;

use super::form::Form;
use super::session::PrivacyOfficer;
use super::{Chrome, Lang, Person, WebError};
use crate::app::AppState;
use crate::clock;
use crate::exchange::{Occasion, PolicyVersionError};
use crate::framework::RuleBook;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/policy", get(policy_get))
        .route("/policy/{id}/approve", post(approve_post))
        .route("/policy/{id}/activate", post(activate_post))
        .route("/review", get(review_get))
        .route("/review/{seq}", post(review_post))
}

struct VersionLine {
    id: String,
    status: &'static str,
    note: String,
    author: String,
    approver: String,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    c: Chrome,
    title: &'static str,
    active_title: &'static str,
    versions_title: &'static str,
    approve: &'static str,
    activate: &'static str,
    active_version: String,
    heads: [&'static str; 8],
    rules: Vec<Vec<String>>,
    versions: Vec<VersionLine>,
    done: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    person: &Person,
    done: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let policy = state.gateway.policy();
    let dutch = person.lang == Lang::Nl;
    let versions = state
        .gateway
        .store()
        .policy_versions()
        .await?
        .into_iter()
        .map(|v| VersionLine {
            id: v.text.version,
            status: v.status.as_str(),
            note: v.note,
            author: v.author.unwrap_or_default(),
            approver: v.approver.unwrap_or_default(),
        })
        .collect();
    let page = PolicyPage {
        c: Chrome::of(person),
        title: if dutch { "Handelingskader" } else { "Action framework" },
        active_title: if dutch { "Actieve regels, versie" } else { "Active rules, version" },
        versions_title: if dutch { "Versies" } else { "Versions" },
        approve: if dutch { "Goedkeuren" } else { "Approve" },
        activate: if dutch { "Activeren" } else { "Activate" },
        active_version: policy.version().to_owned(),
        heads: if dutch {
            ["regel", "rol", "soort organisatie", "handeling", "signaal", "soort ontvanger", "doel", "grondslag"]
        } else {
            ["rule", "role", "org kind", "action", "signal", "recipient kind", "purpose", "basis"]
        },
        rules: policy.rules().iter().map(|rule| rule.columns.iter().map(|c| c.replace('_', " ")).collect()).collect(),
        versions,
        done,
        error,
    };
    Ok(Html(page.render()?))
}

async fn policy_get(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
) -> Result<Html<String>, WebError> {
    page(&state, &person, None, None).await
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// A four-eyes step's outcome as the page shows it.
async fn outcome(
    state: &AppState,
    person: &Person,
    id: &str,
    result: Result<(), PolicyVersionError>,
) -> Result<Html<String>, WebError> {
    match result {
        Ok(()) => page(state, person, Some(format!("{id} ✓")), None).await,
        Err(PolicyVersionError::Store(store)) if !matches!(store, crate::store::StoreError::Database(_)) => {
            page(state, person, None, Some(store.to_string())).await
        }
        Err(PolicyVersionError::Store(store)) => Err(store.into()),
        Err(other) => page(state, person, None, Some(other.to_string())).await,
    }
}

async fn approve_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let result = state.gateway.approve_policy(person.principal.audit_actor(), &id, &Occasion::at(clock::now())).await;
    outcome(&state, &person, &id, result).await
}

async fn activate_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let result = state.gateway.activate_policy(person.principal.audit_actor(), &id, &Occasion::at(clock::now())).await;
    outcome(&state, &person, &id, result).await
}

struct ReviewLine {
    seq: u64,
    when: String,
    signal: &'static str,
    to: String,
    by: String,
    justification: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    c: Chrome,
    title: &'static str,
    empty: &'static str,
    note: &'static str,
    reviewed: &'static str,
    items: Vec<ReviewLine>,
    done: Option<String>,
}

/// The exchanges of the officer's organisation awaiting a privacy review (safety concerns).
async fn review_page(state: &AppState, person: &Person, done: Option<String>) -> Result<Html<String>, WebError> {
    let dutch = person.lang == Lang::Nl;
    let items = state
        .gateway
        .store()
        .review_queue(&person.principal.org)
        .await?
        .into_iter()
        .map(|entry| ReviewLine {
            seq: entry.seq,
            when: entry.at.date().to_string(),
            signal: entry.signal.map_or("", |s| person.lang.signal(s)),
            to: entry.recipient_org.unwrap_or_default(),
            by: entry.actor.account.unwrap_or_default(),
            justification: entry.justification.unwrap_or_default(),
        })
        .collect();
    let page = ReviewPage {
        c: Chrome::of(person),
        title: if dutch { "Te beoordelen meldingen" } else { "Reports awaiting review" },
        empty: if dutch { "Niets te beoordelen." } else { "Nothing to review." },
        note: if dutch { "Notitie" } else { "Note" },
        reviewed: if dutch { "Beoordeeld" } else { "Reviewed" },
        items,
        done,
    };
    Ok(Html(page.render()?))
}

async fn review_get(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
) -> Result<Html<String>, WebError> {
    review_page(&state, &person, None).await
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

async fn review_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Path(seq): Path<u64>,
    Form(form): Form<ReviewForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    match state
        .gateway
        .review_exchange(person.principal.audit_actor(), seq, &form.note, &Occasion::at(clock::now()))
        .await
    {
        Ok(()) => review_page(&state, &person, Some(format!("{seq} ✓"))).await,
        Err(PolicyVersionError::Store(store)) => Err(store.into()),
        Err(other) => Err(WebError::shown(axum::http::StatusCode::FORBIDDEN, person.lang, other.to_string())),
    }
}
