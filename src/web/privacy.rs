//! The privacy officers' page: the active rule table in words, drafts made from it, a draft's
//! difference, its test against scenario files and its replay over past decisions, and the
//! four-eyes steps — approve a colleague's draft, activate an approved version (or roll back).

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Html;
use axum::routing::{get, post};
use serde::Deserialize;

use super::form::{CsrfOnly, Form, IdForm};
use super::session::PrivacyOfficer;
use super::{Chrome, Lang, Person, WebError};
use crate::app::AppState;
use crate::clock;
use crate::exchange::{Occasion, PolicyVersionError, ReplayReport, Turn};
use crate::framework::RuleBook;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/policy", get(policy_get))
        .route("/policy/{id}/approve", post(approve_post))
        .route("/policy/{id}/activate", post(activate_post))
        .route("/policy/{id}/test", post(test_post))
        .route("/policy/{id}/replay", get(replay_get))
        .route("/policy/remove", post(remove_post))
        .route("/policy/rule", post(rule_post))
        .route("/review", get(review_get))
        .route("/review/{seq}", post(review_post))
}

struct VersionLine {
    id: String,
    status: &'static str,
    note: String,
    author: String,
    approver: String,
    /// For a draft: how its rules differ from the active version's.
    changes: Vec<String>,
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
    test: &'static str,
    changes_title: &'static str,
    report_title: &'static str,
    /// ("N passed, M failed", failing scenarios) of a draft's test run.
    report: Option<(String, Vec<String>)>,
    replay: Option<ReplayView>,
    replay_label: &'static str,
    since_label: &'static str,
    files_label: &'static str,
    replay_heads: [&'static str; 5],
    version_heads: [&'static str; 5],
    remove: &'static str,
    edit_title: &'static str,
    edit_help: &'static str,
    note: &'static str,
    save_draft: &'static str,
    /// (form field, label) of a rule's columns.
    fields: Vec<(&'static str, &'static str)>,
    active_version: String,
    heads: [&'static str; 8],
    rules: Vec<Vec<String>>,
    versions: Vec<VersionLine>,
    done: Option<String>,
    error: Option<String>,
}

/// How `draft_rules` differ from the `active` rules, rule by rule.
fn changes(active: &[crate::policy::Rule], draft_rules: &str, lang: Lang) -> Vec<String> {
    let Ok(draft) = crate::policy::parse_table(draft_rules) else { return Vec::new() };
    let (added, removed, changed) = match lang {
        Lang::Nl => ("toegevoegd", "verwijderd", "gewijzigd"),
        Lang::En => ("added", "removed", "changed"),
    };
    let line = |rule: &crate::policy::Rule| rule.columns.join(", ");
    let mut out = Vec::new();
    for rule in &draft {
        match active.iter().find(|a| a.id == rule.id) {
            None => out.push(format!("{} {added}: {}", rule.id, line(rule))),
            Some(old) if old.columns != rule.columns => {
                out.push(format!("{} {changed}: {} → {}", rule.id, line(old), line(rule)))
            }
            Some(_) => {}
        }
    }
    for rule in active.iter().filter(|a| !draft.iter().any(|d| d.id == a.id)) {
        out.push(format!("{} {removed}: {}", rule.id, line(rule)));
    }
    out
}

/// A replay's outcome as the page shows it.
struct ReplayView {
    summary: String,
    /// (turn, rules, org kind, count, samples) per group.
    groups: Vec<(String, String, String, u64, Vec<String>)>,
}

impl ReplayView {
    fn of(report: &ReplayReport, lang: Lang) -> ReplayView {
        let dutch = lang == Lang::Nl;
        let summary = if dutch {
            format!(
                "{} besluiten opnieuw genomen onder {}: {} anders ({} toegestaan → geweigerd, {} geweigerd → toegestaan); {} niet opnieuw te nemen.",
                report.replayed,
                report.version,
                report.changed(),
                report.allow_to_deny,
                report.deny_to_allow,
                report.not_replayable
            )
        } else {
            format!(
                "{} decisions re-decided under {}: {} would change ({} allow → deny, {} deny → allow); {} could not be re-decided.",
                report.replayed,
                report.version,
                report.changed(),
                report.allow_to_deny,
                report.deny_to_allow,
                report.not_replayable
            )
        };
        let groups = report
            .changes
            .iter()
            .map(|group| {
                let turn = match (group.turn, dutch) {
                    (Turn::AllowToDeny, true) => "toegestaan → geweigerd",
                    (Turn::DenyToAllow, true) => "geweigerd → toegestaan",
                    (turn, false) => turn.as_str(),
                };
                let samples = group
                    .samples
                    .iter()
                    .map(|s| {
                        format!(
                            "#{} {} · {}… · {} → {} · {} · {}",
                            s.seq,
                            s.at.date(),
                            s.youth,
                            s.from_org,
                            s.to_org.as_deref().unwrap_or("verwijsindex / reference index"),
                            lang.signal(s.signal),
                            s.purpose.as_str().replace('_', " ")
                        )
                    })
                    .collect();
                let rules = if group.rules.is_empty() { "—".to_owned() } else { group.rules.join(", ") };
                (turn.to_owned(), rules, group.org_kind.as_str().replace('_', " "), group.count, samples)
            })
            .collect();
        ReplayView { summary, groups }
    }
}

async fn page(
    state: &AppState,
    person: &Person,
    done: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    report_page(state, person, done, error, None, None).await
}

async fn report_page(
    state: &AppState,
    person: &Person,
    done: Option<String>,
    error: Option<String>,
    report: Option<(String, Vec<String>)>,
    replay: Option<ReplayView>,
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
            changes: if v.status == crate::store::PolicyStatus::Draft {
                changes(policy.rules(), &v.text.rules, person.lang)
            } else {
                Vec::new()
            },
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
        test: if dutch { "Testen met de scenario's" } else { "Test with the scenarios" },
        changes_title: if dutch { "Verschil met de actieve versie:" } else { "Difference from the active version:" },
        report_title: if dutch { "Uitkomst van de scenario's" } else { "Outcome of the scenarios" },
        report,
        replay,
        replay_label: if dutch { "Terugspelen sinds" } else { "Replay since" },
        since_label: if dutch { "datum (leeg: alles)" } else { "date (empty: everything)" },
        files_label: if dutch {
            "eigen scenariobestanden (leeg: de ingebouwde)"
        } else {
            "your scenario files (empty: the built-in ones)"
        },
        version_heads: if dutch {
            ["versie", "status", "toelichting", "auteur", "goedgekeurd door"]
        } else {
            ["version", "status", "note", "author", "approver"]
        },
        replay_heads: if dutch {
            ["verandering", "regels", "soort organisatie", "aantal", "voorbeelden (pseudoniem)"]
        } else {
            ["change", "rules", "org kind", "count", "examples (pseudonym)"]
        },
        remove: if dutch { "Verwijderen (concept)" } else { "Remove (draft)" },
        edit_title: if dutch { "Regel toevoegen of wijzigen (concept)" } else { "Add or change a rule (draft)" },
        edit_help: if dutch {
            "Elke wijziging maakt een nieuw concept van de actieve regels; een collega keurt het goed. Een kolom is een woord, een lijst met spaties, * of * except …"
        } else {
            "Every change makes a new draft from the active rules; a colleague approves it. A column is a word, a list separated by spaces, * or * except …"
        },
        note: if dutch { "Toelichting" } else { "Note" },
        save_draft: if dutch { "Concept opslaan" } else { "Save draft" },
        fields: RULE_FIELDS.iter().zip(if dutch { LABELS_NL } else { LABELS_EN }).map(|(f, l)| (*f, l)).collect(),
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

/// A four-eyes step's outcome as the page shows it.
async fn outcome(
    state: &AppState,
    person: &Person,
    id: &str,
    result: Result<(), PolicyVersionError>,
) -> Result<Html<String>, WebError> {
    match result {
        Ok(()) => page(state, person, Some(format!("{id} ✓")), None).await,
        Err(error) => page(state, person, None, Some(shown(error)?)).await,
    }
}

/// What the page says of a refused step; a database failure is an error page instead.
fn shown(error: PolicyVersionError) -> Result<String, WebError> {
    match error {
        PolicyVersionError::Store(store @ crate::store::StoreError::Database(_)) => Err(store.into()),
        other => Ok(other.to_string()),
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

/// Runs scenario files against a draft and shows the outcome: the files uploaded, or without
/// any the built-in conformance scenarios.
async fn test_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Html<String>, WebError> {
    let unreadable = || {
        WebError::shown(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            person.lang,
            match person.lang {
                Lang::Nl => "De bestanden konden niet worden gelezen (te groot, of geen tekst).",
                Lang::En => "The files could not be read (too large, or not text).",
            },
        )
    };
    let mut multipart = multipart.map_err(|_| unreadable())?;
    let (mut csrf, mut files) = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let text = field.text().await.map_err(|_| unreadable())?;
        match name.as_str() {
            "csrf" => csrf = text,
            // A browser sends an empty part when no file was chosen.
            "files" if !file_name.is_empty() => files.push((file_name, text)),
            _ => {}
        }
    }
    person.check_csrf(&csrf)?;
    let Some(version) = state.gateway.store().policy_version(&id).await? else {
        return page(&state, &person, None, Some(format!("{id}: —"))).await;
    };
    let named: Vec<(&str, &str)> = files.iter().map(|(name, text)| (name.as_str(), text.as_str())).collect();
    let result = if named.is_empty() {
        crate::scenarios::run_built_in(&version.text).await
    } else {
        crate::scenarios::run_under(&version.text, &named).await
    };
    match result {
        Ok(tally) => {
            let summary = format!("{id}: {} passed, {} failed", tally.passed, tally.failures.len());
            report_page(&state, &person, None, None, Some((summary, tally.failures)), None).await
        }
        Err(error) => page(&state, &person, None, Some(error.to_string())).await,
    }
}

#[derive(Deserialize)]
struct ReplayQuery {
    #[serde(default)]
    since: String,
}

/// Re-decides the audited decisions since a date under a version and shows what would change.
async fn replay_get(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Path(id): Path<String>,
    Query(query): Query<ReplayQuery>,
) -> Result<Html<String>, WebError> {
    let since = match query.since.trim() {
        "" => time::OffsetDateTime::UNIX_EPOCH,
        date => match clock::parse_instant(date, clock::DayEnd::Start) {
            Some(since) => since,
            None => {
                let message = match person.lang {
                    Lang::Nl => format!("`{date}` is geen datum (jjjj-mm-dd)."),
                    Lang::En => format!("`{date}` is not a date (yyyy-mm-dd)."),
                };
                return page(&state, &person, None, Some(message)).await;
            }
        },
    };
    match state.gateway.replay_version(person.principal.audit_actor(), &id, since, &Occasion::at(clock::now())).await {
        Ok(report) => {
            let view = ReplayView::of(&report, person.lang);
            report_page(&state, &person, None, None, None, Some(view)).await
        }
        Err(error) => page(&state, &person, None, Some(shown(error)?)).await,
    }
}

/// The form fields of a rule, in the order of policy.csv's columns.
const RULE_FIELDS: [&str; 8] = ["id", "role", "org_kind", "action", "signal", "recipient_kind", "purpose", "basis"];
const LABELS_NL: [&str; 8] =
    ["regel", "rol", "soort organisatie", "handeling", "signaal", "soort ontvanger", "doel", "grondslag"];
const LABELS_EN: [&str; 8] = ["rule", "role", "org kind", "action", "signal", "recipient kind", "purpose", "basis"];

/// The active rule table with `change` applied to its rule lines, as policy.csv text.
fn edited(active: &crate::policy::Policy, change: impl Fn(&mut Vec<Vec<String>>)) -> String {
    let mut lines: Vec<Vec<String>> = active.rules().iter().map(|rule| rule.columns.clone()).collect();
    change(&mut lines);
    let mut text = String::from(
        "# Ketenpoort policy: one line per rule (p, id, role, org kind, action, signal, recipient kind, purpose, basis)\n",
    );
    for line in lines {
        text.push_str(&format!("p, {}\n", line.join(", ")));
    }
    text
}

/// Stores an edited table as a draft authored by the officer, and shows the outcome.
async fn save_draft(state: &AppState, person: &Person, rules: String, note: &str) -> Result<Html<String>, WebError> {
    let model = state
        .gateway
        .store()
        .active_policy()
        .await?
        .map(|p| p.model)
        .unwrap_or_else(|| crate::policy::DEFAULT_MODEL.to_owned());
    let occasion = Occasion::at(clock::now());
    match state.gateway.draft_policy(person.principal.audit_actor(), &model, &rules, note, &occasion).await {
        Ok(version) => page(state, person, Some(format!("{version} ✓")), None).await,
        Err(PolicyVersionError::Store(store)) => Err(store.into()),
        Err(other) => page(state, person, None, Some(other.to_string())).await,
    }
}

async fn remove_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Form(form): Form<IdForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let rules = edited(&state.gateway.policy(), |lines| lines.retain(|line| line.first() != Some(&form.id)));
    let note = match person.lang {
        Lang::Nl => format!("{} verwijderd", form.id),
        Lang::En => format!("{} removed", form.id),
    };
    save_draft(&state, &person, rules, &note).await
}

#[derive(Deserialize)]
struct RuleForm {
    #[serde(default)]
    csrf: String,
    id: String,
    role: String,
    org_kind: String,
    action: String,
    signal: String,
    recipient_kind: String,
    purpose: String,
    basis: String,
    note: String,
}

async fn rule_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Form(form): Form<RuleForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    // Commas separate columns in policy.csv: inside a column they have no meaning.
    let columns: Vec<String> = [
        &form.id,
        &form.role,
        &form.org_kind,
        &form.action,
        &form.signal,
        &form.recipient_kind,
        &form.purpose,
        &form.basis,
    ]
    .iter()
    .map(|value| value.replace(',', " ").split_whitespace().collect::<Vec<_>>().join(" "))
    .collect();
    let rules =
        edited(&state.gateway.policy(), |lines| match lines.iter_mut().find(|line| line.first() == columns.first()) {
            Some(line) => *line = columns.clone(),
            None => lines.push(columns.clone()),
        });
    save_draft(&state, &person, rules, form.note.trim()).await
}
