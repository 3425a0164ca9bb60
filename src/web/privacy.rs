//! The privacy officers' pages: the active rule table in words, drafts made from it with the
//! closed vocabulary's words, a draft's difference, its test against scenario files and its
//! replay over past decisions, and the four-eyes steps — approve a colleague's draft, activate
//! an approved version (or roll back) — and the review queue of their organisation.
//!
//! Drafting and activating are sweeping: they ask on the confirmation page first (the first
//! post shows what will happen and changes nothing; only the confirmed post acts). Every
//! outcome and refusal is said in the person's language (`i18n::policy`), at the top of the page.

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, post};
use serde::Deserialize;

use super::confirm::{Confirmation, confirmed};
use super::form::{CsrfOnly, Form};
use super::i18n::policy::{self as words, Choice, Step, Texts};
use super::session::PrivacyOfficer;
use super::{Chrome, Lang, Person, WebError};
use crate::app::AppState;
use crate::clock;
use crate::exchange::{Occasion, PolicyVersionError, ReplayReport, Turn};
use crate::framework::{Outcome, RuleBook};
use crate::policy::Rule;
use crate::store::PolicyStatus;

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

/// The form fields of a rule, in the order of policy.csv's columns.
const FIELDS: [&str; 8] = ["id", "role", "org_kind", "action", "signal", "recipient_kind", "purpose", "basis"];

/// A refusal as the page shows it: the words, and a reader's technical detail if any.
struct Alert {
    text: String,
    detail: Option<String>,
}

impl From<String> for Alert {
    fn from(text: String) -> Alert {
        Alert { text, detail: None }
    }
}

/// A scenario run: "Versie x: 12 geslaagd, 3 mislukt", and the failing scenarios in words.
struct Report {
    summary: String,
    failures: Vec<String>,
}

/// What the page shows at its top, right after the action that led there.
#[derive(Default)]
struct Outcomes {
    done: Option<String>,
    error: Option<Alert>,
    report: Option<Report>,
    replay: Option<ReplayView>,
    /// The rule editor's contents: blank, a rule to change, or a form that was refused.
    editor: Option<RuleDraft>,
}

impl Outcomes {
    fn done(text: String) -> Outcomes {
        Outcomes { done: Some(text), ..Outcomes::default() }
    }

    fn error(alert: impl Into<Alert>) -> Outcomes {
        Outcomes { error: Some(alert.into()), ..Outcomes::default() }
    }
}

struct RuleLine {
    id: String,
    sentence: String,
}

struct VersionLine {
    id: String,
    status: &'static str,
    note: String,
    author: String,
    approver: String,
    made: String,
    can_approve: bool,
    can_activate: bool,
    rollback: bool,
    /// For a draft or an approved version: how its rules differ from the active version's.
    changes: Vec<String>,
    active: bool,
}

/// One column of the rule editor: a fieldset of radio buttons or checkboxes.
struct ColumnView {
    field: &'static str,
    legend: &'static str,
    input: &'static str,
    /// (value, label, checked) of `*`, a list, `* except` a list; empty for action and basis.
    modes: Vec<(&'static str, &'static str, bool)>,
    /// (code, words, checked).
    words: Vec<(&'static str, String, bool)>,
}

struct EditorView {
    id: String,
    note: String,
    columns: Vec<ColumnView>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    c: Chrome,
    t: &'static Texts,
    done: Option<String>,
    error: Option<Alert>,
    report: Option<Report>,
    replay: Option<ReplayView>,
    active_version: String,
    rules: Vec<RuleLine>,
    versions: Vec<VersionLine>,
    editor: EditorView,
}

/// The rule editor's state: a rule's columns as choices (index 0, the id, unused).
#[derive(Clone)]
struct RuleDraft {
    id: String,
    note: String,
    columns: Vec<Choice>,
}

impl RuleDraft {
    fn blank() -> RuleDraft {
        let none = || Choice::Only(Vec::new());
        let columns = vec![
            Choice::All,
            Choice::All,
            Choice::All,
            Choice::Only(vec!["send".into()]),
            none(),
            none(),
            none(),
            none(),
        ];
        RuleDraft { id: String::new(), note: String::new(), columns }
    }

    fn of(rule: &Rule) -> RuleDraft {
        RuleDraft {
            id: rule.id.clone(),
            note: String::new(),
            columns: rule.columns.iter().map(|column| Choice::parse(column)).collect(),
        }
    }

    /// The editor's form: per column `<field>_mode` (all | only | except) and the ticked words
    /// as repeated `<field>`. Without a mode the words are read as policy.csv writes a column.
    fn of_form(pairs: &[(String, String)]) -> RuleDraft {
        let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
        let columns = FIELDS
            .iter()
            .map(|field| {
                let words: Vec<String> = pairs
                    .iter()
                    .filter(|(k, _)| k == field)
                    .flat_map(|(_, v)| v.split(|c: char| c == ',' || c.is_whitespace()))
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect();
                match value(&format!("{field}_mode")).as_deref() {
                    Some("all") => Choice::All,
                    Some("only") => Choice::Only(words),
                    Some("except") => Choice::Except(words),
                    _ => Choice::parse(&words.join(" ")),
                }
            })
            .collect();
        RuleDraft { id: value("id").unwrap_or_default(), note: value("note").unwrap_or_default(), columns }
    }

    /// The rule's eight columns as policy.csv writes them, or what is wrong, in words.
    fn columns(&self, lang: Lang) -> Result<Vec<String>, String> {
        let id = self.id.trim();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(words::bad_id(lang, id));
        }
        let mut out = vec![id.to_owned()];
        for (index, choice) in self.columns.iter().enumerate().skip(1) {
            let fixed = index == 3 || index == 7;
            match choice {
                Choice::Only(list) if list.is_empty() || (index == 3 && list.len() != 1) => {
                    return Err(words::choose_words(lang, index));
                }
                Choice::All | Choice::Except(_) if fixed => return Err(words::choose_words(lang, index)),
                _ => {}
            }
            let allowed = words::choices(lang, index);
            if let Some(unknown) = choice.words().iter().find(|w| !allowed.iter().any(|(code, _)| code == *w)) {
                return Err(words::unknown_word(lang, index, unknown));
            }
            out.push(choice.column());
        }
        Ok(out)
    }

    fn view(&self, lang: Lang) -> EditorView {
        let t = words::texts(lang);
        let columns = FIELDS
            .iter()
            .enumerate()
            .skip(1)
            .map(|(index, field)| {
                let choice = self.columns.get(index).cloned().unwrap_or(Choice::All);
                let modes = if index == 3 || index == 7 {
                    Vec::new()
                } else {
                    ["all", "only", "except"]
                        .into_iter()
                        .zip(t.modes)
                        .map(|(value, label)| (value, label, choice.mode() == value))
                        .collect()
                };
                let words = words::choices(lang, index)
                    .into_iter()
                    .map(|(code, said)| (code, said, choice.words().iter().any(|w| w == code)))
                    .collect();
                ColumnView {
                    field,
                    legend: words::column(lang, index),
                    input: if index == 3 { "radio" } else { "checkbox" },
                    modes,
                    words,
                }
            })
            .collect();
        EditorView { id: self.id.clone(), note: self.note.clone(), columns }
    }
}

/// A replay's outcome as the page shows it.
struct ReplayView {
    summary: String,
    /// (turn, rules, org kind, count, samples) per group.
    groups: Vec<(String, String, &'static str, u64, Vec<String>)>,
}

impl ReplayView {
    fn of(report: &ReplayReport, lang: Lang) -> ReplayView {
        let groups = report
            .changes
            .iter()
            .map(|group| {
                let (from, to) = match group.turn {
                    Turn::AllowToDeny => (Outcome::Allow, Outcome::Deny),
                    Turn::DenyToAllow => (Outcome::Deny, Outcome::Allow),
                };
                let turn = format!("{} → {}", lang.outcome(from), lang.outcome(to));
                let samples = group
                    .samples
                    .iter()
                    .map(|s| {
                        format!(
                            "#{} · {} · {}… · {} → {} · {} · {}",
                            s.seq,
                            lang.when(s.at),
                            s.youth,
                            s.from_org,
                            s.to_org
                                .as_deref()
                                .unwrap_or(lang.recipient_kind(crate::framework::vocabulary::REFERENCE_INDEX)),
                            lang.signal(s.signal),
                            lang.purpose(s.purpose)
                        )
                    })
                    .collect();
                let rules = if group.rules.is_empty() { "—".to_owned() } else { group.rules.join(", ") };
                (turn, rules, lang.org_kind(group.org_kind), group.count, samples)
            })
            .collect();
        ReplayView { summary: words::replay_summary(lang, report), groups }
    }
}

/// The rules of a stored table text, or none when it does not parse.
fn rules_of(text: &str) -> Vec<Rule> {
    crate::policy::parse_table(text).unwrap_or_default()
}

async fn page(state: &AppState, person: &Person, shown: Outcomes) -> Result<Html<String>, WebError> {
    let lang = person.lang;
    let policy = state.gateway.policy();
    let versions = state
        .gateway
        .store()
        .policy_versions()
        .await?
        .into_iter()
        .map(|v| {
            let status = v.status;
            VersionLine {
                changes: if matches!(status, PolicyStatus::Draft | PolicyStatus::Approved) {
                    words::changes(policy.rules(), &rules_of(&v.text.rules)).iter().map(|c| c.said(lang)).collect()
                } else {
                    Vec::new()
                },
                id: v.text.version,
                status: words::status(lang, status),
                note: v.note,
                author: v.author.unwrap_or_default(),
                approver: v.approver.unwrap_or_default(),
                made: lang.when(v.created_at),
                can_approve: status == PolicyStatus::Draft,
                can_activate: status == PolicyStatus::Approved,
                rollback: status == PolicyStatus::Retired,
                active: status == PolicyStatus::Active,
            }
        })
        .collect();
    let editor = shown.editor.unwrap_or_else(RuleDraft::blank).view(lang);
    let page = PolicyPage {
        c: Chrome::of(person),
        t: words::texts(lang),
        done: shown.done,
        error: shown.error,
        report: shown.report,
        replay: shown.replay,
        active_version: policy.version().to_owned(),
        rules: policy
            .rules()
            .iter()
            .map(|rule| RuleLine {
                id: rule.id.clone(),
                sentence: super::i18n::capitalised(&words::sentence(lang, &rule.columns)),
            })
            .collect(),
        versions,
        editor,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct PolicyQuery {
    /// The id of an active rule to open in the editor.
    #[serde(default)]
    edit: Option<String>,
}

async fn policy_get(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Query(query): Query<PolicyQuery>,
) -> Result<Html<String>, WebError> {
    let editor =
        query.edit.and_then(|id| state.gateway.policy().rules().iter().find(|r| r.id == id).map(RuleDraft::of));
    page(&state, &person, Outcomes { editor, ..Outcomes::default() }).await
}

/// A refused step in words, or — for a failure of the database — the error page.
async fn refused(
    state: &AppState,
    person: &Person,
    step: Step<'_>,
    error: PolicyVersionError,
    text: Option<&str>,
) -> Result<String, WebError> {
    let id = match step {
        Step::Approve(id) | Step::Activate(id) | Step::Replay(id) => Some(id),
        Step::Draft | Step::Review => None,
    };
    let status = match id {
        Some(id) => state.gateway.store().policy_version(id).await?.map(|v| v.status),
        None => None,
    };
    if let PolicyVersionError::Load(crate::policy::LoadError::Model(cause)) = &error {
        tracing::warn!(%cause, "a policy version's model does not load");
    }
    match words::version_error(person.lang, step, &error, status, text) {
        Some(said) => Ok(said),
        None => match error {
            PolicyVersionError::Store(store) => Err(store.into()),
            // Every other refusal has its words above; this arm is there for the compiler.
            _ => Err(WebError::shown(StatusCode::INTERNAL_SERVER_ERROR, person.lang, words::failed(person.lang))),
        },
    }
}

async fn approve_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    // Four eyes: the store refuses the author; no confirmation beyond the colleague's own look.
    let result = state.gateway.approve_policy(person.principal.audit_actor(), &id, &Occasion::at(clock::now())).await;
    let shown = match result {
        Ok(()) => Outcomes::done(words::approved(person.lang, &id)),
        Err(error) => Outcomes::error(refused(&state, &person, Step::Approve(&id), error, None).await?),
    };
    page(&state, &person, shown).await
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    confirm: Option<String>,
}

async fn activate_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let lang = person.lang;
    let Some(version) = state.gateway.store().policy_version(&id).await? else {
        return page(&state, &person, Outcomes::error(words::not_found(lang, &id))).await;
    };
    let active = state.gateway.policy();
    let previous = active.version().to_owned();
    if !matches!(version.status, PolicyStatus::Approved | PolicyStatus::Retired) {
        let conflict = PolicyVersionError::Store(crate::store::StoreError::Conflict(String::new()));
        let said = refused(&state, &person, Step::Activate(&id), conflict, None).await?;
        return page(&state, &person, Outcomes::error(said)).await;
    }
    if !confirmed(form.confirm.as_deref()) {
        let rules = rules_of(&version.text.rules);
        let changes = words::changes(active.rules(), &rules);
        let rollback = version.status == PolicyStatus::Retired;
        let (heading, consequences, button) = words::confirm_activation(lang, &id, &previous, rollback, &changes);
        let action = format!("/policy/{id}/activate");
        return Confirmation { heading, consequences, action, fields: Vec::new(), button, cancel: "/policy".into() }
            .page(&person);
    }
    let result = state.gateway.activate_policy(person.principal.audit_actor(), &id, &Occasion::at(clock::now())).await;
    let shown = match result {
        Ok(()) => Outcomes::done(words::activated(lang, &id, &previous)),
        Err(error) => Outcomes::error(refused(&state, &person, Step::Activate(&id), error, None).await?),
    };
    page(&state, &person, shown).await
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
    t: &'static Texts,
    items: Vec<ReviewLine>,
    done: Option<String>,
}

/// The exchanges of the officer's organisation awaiting a privacy review (safety concerns).
async fn review_page(state: &AppState, person: &Person, done: Option<String>) -> Result<Html<String>, WebError> {
    let lang = person.lang;
    let store = state.gateway.store();
    // Veilig Thuis organisations are few: their names once, the queue in words.
    let names: std::collections::HashMap<String, String> =
        store.orgs_with_state().await?.into_iter().map(|(org, _)| (org.id.0, org.name)).collect();
    let items = store
        .review_queue(&person.principal.org)
        .await?
        .into_iter()
        .map(|entry| ReviewLine {
            seq: entry.seq,
            when: lang.when(entry.at),
            signal: entry.signal.map_or("", |s| lang.signal(s)),
            to: entry.recipient_org.map(|id| names.get(&id).cloned().unwrap_or(id)).unwrap_or_default(),
            by: entry.actor.account.unwrap_or_default(),
            justification: entry.justification.unwrap_or_default(),
        })
        .collect();
    let page = ReviewPage { c: Chrome::of(person), t: words::texts(lang), items, done };
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
    let queued = state.gateway.store().review_queue(&person.principal.org).await?;
    let when = queued.iter().find(|entry| entry.seq == seq).map(|entry| person.lang.when(entry.at));
    match state
        .gateway
        .review_exchange(person.principal.audit_actor(), seq, &form.note, &Occasion::at(clock::now()))
        .await
    {
        Ok(()) => review_page(&state, &person, Some(words::reviewed(person.lang, &when.unwrap_or_default()))).await,
        Err(error) => {
            let status = match error {
                PolicyVersionError::Store(crate::store::StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
                PolicyVersionError::Store(crate::store::StoreError::Conflict(_)) => StatusCode::CONFLICT,
                _ => StatusCode::FORBIDDEN,
            };
            let said = refused(&state, &person, Step::Review, error, None).await?;
            Err(WebError::shown(status, person.lang, said))
        }
    }
}

/// Runs scenario files against a version and shows the outcome at the top of the page: the
/// files uploaded, or without any the built-in conformance scenarios.
async fn test_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Html<String>, WebError> {
    let lang = person.lang;
    let unreadable = || WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, lang, words::unreadable_files(lang));
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
        return page(&state, &person, Outcomes::error(words::not_found(lang, &id))).await;
    };
    let named: Vec<(&str, &str)> = files.iter().map(|(name, text)| (name.as_str(), text.as_str())).collect();
    let result = if named.is_empty() {
        crate::scenarios::run_built_in(&version.text).await
    } else {
        crate::scenarios::run_under(&version.text, &named).await
    };
    let shown = match result {
        Ok(tally) => Outcomes {
            report: Some(Report {
                summary: words::tally(lang, &id, tally.passed, tally.failures.len()),
                failures: tally.failures.iter().map(|line| words::scenario_failure(lang, line)).collect(),
            }),
            ..Outcomes::default()
        },
        Err(error) => {
            if let crate::scenarios::FileError::Store { detail, .. } = &error {
                tracing::warn!(%detail, "scenarios could not be run");
            }
            let (text, detail) = words::scenario_file_error(lang, &error);
            Outcomes::error(Alert { text, detail })
        }
    };
    page(&state, &person, shown).await
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
            None => return page(&state, &person, Outcomes::error(words::bad_date(person.lang, date))).await,
        },
    };
    let result =
        state.gateway.replay_version(person.principal.audit_actor(), &id, since, &Occasion::at(clock::now())).await;
    let shown = match result {
        Ok(report) => Outcomes { replay: Some(ReplayView::of(&report, person.lang)), ..Outcomes::default() },
        Err(error) => Outcomes::error(refused(&state, &person, Step::Replay(&id), error, None).await?),
    };
    page(&state, &person, shown).await
}

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

/// A draft asked for: its table text, the form fields to carry to the confirmation, its note,
/// and the editor to show again when it is refused.
struct DraftRequest {
    rules: String,
    fields: Vec<(String, String)>,
    note: String,
    confirm: bool,
    editor: Option<RuleDraft>,
}

/// Checks a draft's table, asks for confirmation, and — confirmed — stores it as a draft
/// authored by the officer.
async fn draft(state: &AppState, person: &Person, request: DraftRequest) -> Result<Html<String>, WebError> {
    let lang = person.lang;
    let refuse =
        |said: String| Outcomes { error: Some(said.into()), editor: request.editor.clone(), ..Outcomes::default() };
    let active = state.gateway.policy();
    let rules = match crate::policy::parse_table(&request.rules) {
        Ok(rules) => rules,
        Err(error) => return page(state, person, refuse(words::table_error(lang, &error, Some(&request.rules)))).await,
    };
    let changes = words::changes(active.rules(), &rules);
    if !request.confirm {
        let (heading, consequences, button) = words::confirm_draft(lang, &changes);
        let action = if request.editor.is_some() { "/policy/rule" } else { "/policy/remove" };
        let confirmation = Confirmation {
            heading,
            consequences,
            action: action.into(),
            fields: request.fields,
            button,
            cancel: "/policy".into(),
        };
        return confirmation.page(person);
    }
    let model = state
        .gateway
        .store()
        .active_policy()
        .await?
        .map(|p| p.model)
        .unwrap_or_else(|| crate::policy::DEFAULT_MODEL.to_owned());
    let note = match request.note.trim() {
        "" => changes.iter().map(|c| c.short(lang)).collect::<Vec<_>>().join(", "),
        note => note.to_owned(),
    };
    let occasion = Occasion::at(clock::now());
    let shown = match state
        .gateway
        .draft_policy(person.principal.audit_actor(), &model, &request.rules, &note, &occasion)
        .await
    {
        Ok(version) => Outcomes::done(words::drafted(lang, &version, &changes)),
        Err(error) => refuse(refused(state, person, Step::Draft, error, Some(&request.rules)).await?),
    };
    page(state, person, shown).await
}

#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    confirm: Option<String>,
}

async fn remove_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Form(form): Form<RemoveForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let active = state.gateway.policy();
    if !active.rules().iter().any(|rule| rule.id == form.id) {
        return page(&state, &person, Outcomes::error(words::not_in_table(person.lang, &form.id))).await;
    }
    let rules = edited(&active, |lines| lines.retain(|line| line.first() != Some(&form.id)));
    let note = match person.lang {
        Lang::Nl => format!("{} verwijderd", form.id),
        Lang::En => format!("{} removed", form.id),
    };
    let fields = vec![("id".to_owned(), form.id.clone())];
    let request = DraftRequest { rules, fields, note, confirm: confirmed(form.confirm.as_deref()), editor: None };
    draft(&state, &person, request).await
}

async fn rule_post(
    State(state): State<AppState>,
    PrivacyOfficer(person): PrivacyOfficer,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Html<String>, WebError> {
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    person.check_csrf(value("csrf").unwrap_or_default())?;
    let lang = person.lang;
    let rule = RuleDraft::of_form(&pairs);
    let columns = match rule.columns(lang) {
        Ok(columns) => columns,
        Err(said) => {
            let shown = Outcomes { error: Some(said.into()), editor: Some(rule), ..Outcomes::default() };
            return page(&state, &person, shown).await;
        }
    };
    let active = state.gateway.policy();
    if active.rules().iter().any(|r| r.columns == columns) {
        let shown = Outcomes {
            error: Some(words::nothing_changes(lang, &columns[0]).into()),
            editor: Some(rule),
            ..Outcomes::default()
        };
        return page(&state, &person, shown).await;
    }
    let rules = edited(&active, |lines| match lines.iter_mut().find(|line| line.first() == columns.first()) {
        Some(line) => *line = columns.clone(),
        None => lines.push(columns.clone()),
    });
    let fields = pairs.iter().filter(|(k, _)| k != "csrf" && k != "confirm").cloned().collect();
    let confirm = confirmed(value("confirm"));
    let request = DraftRequest { rules, fields, note: rule.note.clone(), confirm, editor: Some(rule) };
    draft(&state, &person, request).await
}
