//! The auditors' pages: search the log within their organisation's part of it (all of it for the
//! gateway operator's auditors), one entry with its hashes and checkpoint, a youth's disclosure
//! report (printable, CSV, JSON), an export, and "verify now". Every look is audited. Forms that
//! may carry a BSN are posted, never put in a URL, and their pages are not cached.
//!
//! Everything shown is in words (`i18n::audit` and the shared vocabulary); only identifiers (ids,
//! hashes, rule ids, pseudonyms) and the exact stored timestamps stand as stored, in `<code>`.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::form::{CsrfOnly, Form};
use super::i18n::audit::{self as words, AuditTexts};
use super::session::Auditor;
use super::{Chrome, Lang, Person, WebError};
use crate::app::AppState;
use crate::audit::{
    AuditEntry, AuditEvent, AuditQuery, AuditScope, CsvEntry, DEFAULT_PAGE, Disclosure, DisclosureKind, ExportedEntry,
    MAX_PAGE, Order, SearchError, SearchFields,
};
use crate::clock;
use crate::exchange::{AuditAccessError, Occasion};
use crate::framework::{Basis, DenyReason, Outcome, Signal};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit_get).post(search_post))
        .route("/audit/entry/{seq}", get(entry_get))
        .route("/audit/report", post(report_post))
        .route("/audit/export", post(export_post))
        .route("/audit/verify", post(verify_post))
}

fn scope(state: &AppState, person: &Person) -> Result<AuditScope, WebError> {
    AuditScope::of(person.principal.role, &person.principal.org, state.operator_org.as_ref())
        .map_err(|_| WebError::shown(StatusCode::FORBIDDEN, person.lang, words::texts(person.lang).only_auditors))
}

fn occasion() -> Occasion {
    Occasion::at(clock::now())
}

/// A page that may carry a BSN or what the log says about a youth: never kept in a cache.
fn private(body: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// Organisation ids to names, to show an organisation as people know it.
async fn org_names(state: &AppState) -> Result<HashMap<String, String>, WebError> {
    Ok(state.gateway.store().orgs().await?.into_iter().map(|org| (org.id.0, org.name)).collect())
}

/// An organisation by name; by its id when it is not (or no longer) registered.
fn org_name(names: &HashMap<String, String>, id: &str) -> String {
    names.get(id).cloned().unwrap_or_else(|| id.to_owned())
}

/// `text` in pieces between which a line may break (`<wbr>` in the templates): a hash, a
/// pseudonym or an account id has no space to break at, and must not make a phone's page
/// scroll sideways. The pieces joined are `text` unchanged.
fn breakable(text: &str) -> Vec<String> {
    const LONGEST: usize = 16;
    let mut pieces = Vec::new();
    let mut piece = String::new();
    // Words of ordinary length are left whole; only a long token is broken, after a separator
    // or else every LONGEST characters.
    for token in text.split_inclusive(char::is_whitespace) {
        if token.trim_end().chars().count() <= LONGEST {
            piece.push_str(token);
            continue;
        }
        let mut run = 0;
        for c in token.chars() {
            piece.push(c);
            run += 1;
            let separator = matches!(c, '@' | '_' | '-' | '.' | ':' | '/') && run >= 6;
            if (run >= LONGEST || separator) && !c.is_whitespace() {
                pieces.push(std::mem::take(&mut piece));
                run = 0;
            }
        }
    }
    if !piece.is_empty() || pieces.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// The time of a filter as `AuditFilter::describe` wrote it (`OffsetDateTime`'s `Display`).
fn described_time(text: &str) -> Option<time::OffsetDateTime> {
    let format = time::macros::format_description!(
        "[year]-[month]-[day] [hour padding:none]:[minute]:[second].[subsecond] [offset_hour sign:mandatory]:[offset_minute]:[offset_second]"
    );
    time::OffsetDateTime::parse(text, format).ok()
}

/// A search's filters as its audit entry keeps them (`AuditFilter::describe`: `name=value`
/// pairs), in words.
fn filters_in_words(described: &str, names: &HashMap<String, String>, lang: Lang) -> String {
    let t = words::texts(lang);
    if described == "everything" {
        return match lang {
            Lang::Nl => "alles".into(),
            Lang::En => "everything".into(),
        };
    }
    // A value may hold spaces (a time): a word without `=` belongs to the value before it.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for token in described.split(' ') {
        match (token.split_once('='), pairs.last_mut()) {
            (Some((name, value)), _) => pairs.push((name.to_owned(), value.to_owned())),
            (None, Some((_, value))) => {
                value.push(' ');
                value.push_str(token);
            }
            (None, None) => pairs.push((String::new(), token.to_owned())),
        }
    }
    let said: Vec<String> = pairs
        .into_iter()
        .map(|(name, value)| {
            let value = match name.as_str() {
                "youth" => match lang {
                    Lang::Nl => "op BSN en geboortedatum".to_owned(),
                    Lang::En => "by BSN and birth date".to_owned(),
                },
                "org" => org_name(names, &value),
                "event" => value.parse().map_or(value, |e| words::event(lang, e).to_owned()),
                "action" => value.parse().map_or(value, |a| lang.action(a).to_owned()),
                "signal" => value.parse().map_or(value, |s| lang.signal(s).to_owned()),
                "purpose" => value.parse().map_or(value, |p| lang.purpose(p).to_owned()),
                "decision" => value.parse().map_or(value, |o| lang.outcome(o).to_owned()),
                "basis" => value.parse().map_or(value, |b| lang.basis(b).to_owned()),
                "reason" => value.parse().map_or(value, |r| lang.reason(r).to_owned()),
                "from" | "until" => described_time(&value).map_or(value, |at| lang.when(at)),
                _ => value,
            };
            let label = match name.as_str() {
                "youth" => t.youth,
                "org" => t.organisation,
                "account" => t.account,
                "event" => t.event,
                "action" => words::field(lang, "action"),
                "signal" => t.signal,
                "purpose" => words::field(lang, "purpose"),
                "decision" => t.decision,
                "basis" => t.basis,
                "reason" => t.reason,
                "policy_version" => t.policy_version,
                "from" => t.from,
                "until" => t.until,
                _ => "",
            };
            if label.is_empty() { value } else { format!("{}: {value}", label.to_lowercase()) }
        })
        .collect();
    said.join("; ")
}

/// What an auditor's look or a refused access was about, in words, from the entry's subject;
/// `None` for a subject that is an identifier (a consent id, a policy version), shown as is.
fn subject_in_words(entry: &AuditEntry, names: &HashMap<String, String>, lang: Lang) -> Option<String> {
    let subject = entry.subject.as_deref()?;
    let t = words::texts(lang);
    match entry.event {
        AuditEvent::AuditSearched => Some(filters_in_words(subject, names, lang)),
        AuditEvent::AuditExported => {
            let (format, filters) = subject.strip_prefix("export (")?.split_once(") of ")?;
            let format = if format == "csv" { "CSV" } else { "JSON" };
            Some(format!("{format}: {}", filters_in_words(filters, names, lang)))
        }
        AuditEvent::AuditEntryViewed => {
            let seq = subject.strip_prefix("entry ")?;
            Some(format!("{} {seq}", t.col_seq))
        }
        AuditEvent::DisclosureReported => Some(if subject.ends_with("full detail") {
            format!("{}, {}", t.report_title.to_lowercase(), t.full_detail_short)
        } else {
            t.report_title.to_lowercase()
        }),
        AuditEvent::AuditVerified => Some(String::new()),
        AuditEvent::AccessDenied => words::access_denied(lang, subject).map(str::to_owned),
        _ => None,
    }
}

/// An actor as people know them: organisation (role).
fn actor_in_words(entry: &AuditEntry, names: &HashMap<String, String>, lang: Lang) -> String {
    let org = entry.actor.org.as_deref().map(|id| org_name(names, id));
    match (org, entry.actor.role) {
        (Some(org), Some(role)) => format!("{org} ({})", lang.role(role)),
        (Some(org), None) => org,
        (None, _) => match lang {
            Lang::Nl => "onbekend".into(),
            Lang::En => "unknown".into(),
        },
    }
}

/// One row of the results table, in words.
struct Row {
    seq: u64,
    when: String,
    event: String,
    actor: String,
    what: String,
    to: String,
    decision: String,
    why: String,
    refused: bool,
}

impl Row {
    fn of(entry: &AuditEntry, names: &HashMap<String, String>, lang: Lang) -> Row {
        Row {
            seq: entry.seq,
            when: lang.when(entry.at),
            event: words::event(lang, entry.event).to_owned(),
            actor: actor_in_words(entry, names, lang),
            what: match (entry.action, entry.signal) {
                (_, Some(signal)) => lang.signal(signal).to_owned(),
                (Some(action), None) => lang.action(action).to_owned(),
                (None, None) => match entry.event {
                    AuditEvent::AccessDenied => String::new(),
                    _ => subject_in_words(entry, names, lang).unwrap_or_default(),
                },
            },
            to: entry.recipient_org.as_deref().map(|id| org_name(names, id)).unwrap_or_default(),
            decision: entry.decision.map(|d| lang.outcome(d).to_owned()).unwrap_or_default(),
            why: match (entry.basis, entry.reason, entry.event) {
                (Some(basis), _, _) => lang.basis(basis).to_owned(),
                (None, Some(reason), _) => lang.reason(reason).to_owned(),
                (None, None, AuditEvent::AccessDenied) => subject_in_words(entry, names, lang).unwrap_or_default(),
                (None, None, _) => String::new(),
            },
            refused: entry.decision == Some(Outcome::Deny),
        }
    }
}

/// A choice of a `<select>`: (value as the framework writes it, words, selected).
type Choice = (String, String, bool);

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    shown: impl Fn(T) -> String,
    chosen: &Option<String>,
) -> Vec<Choice> {
    let chosen = chosen.as_deref().map(str::trim);
    all.iter().map(|&value| (code(value).to_owned(), shown(value), chosen == Some(code(value)))).collect()
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    t: &'static AuditTexts,
    all: bool,
    fields: SearchFields,
    orgs: Vec<Choice>,
    events: Vec<Choice>,
    signals: Vec<Choice>,
    decisions: Vec<Choice>,
    reasons: Vec<Choice>,
    bases: Vec<Choice>,
    order: String,
    rows: Vec<Row>,
    searched: bool,
    next: Option<u64>,
    verified: Option<String>,
    error: Option<String>,
    /// The technical detail of a broken chain, as `audit verify` says it (English).
    broken: Option<String>,
}

async fn audit_page(state: &AppState, person: &Person, fields: SearchFields) -> Result<AuditPage, WebError> {
    let lang = person.lang;
    let mut orgs: Vec<(String, String)> =
        state.gateway.store().orgs().await?.into_iter().map(|org| (org.id.0, org.name)).collect();
    orgs.sort_by(|a, b| a.1.cmp(&b.1));
    let chosen_org = fields.org.as_deref().map(str::trim);
    Ok(AuditPage {
        orgs: orgs
            .into_iter()
            .map(|(id, name)| {
                let chosen = chosen_org == Some(id.as_str());
                (id, name, chosen)
            })
            .collect(),
        c: Chrome::of(person),
        t: words::texts(lang),
        all: scope(state, person)? == AuditScope::All,
        events: choices(AuditEvent::ALL, AuditEvent::as_str, |e| words::event(lang, e).to_owned(), &fields.event),
        signals: choices(Signal::ALL, Signal::as_str, |s| lang.signal(s).to_owned(), &fields.signal),
        decisions: choices(Outcome::ALL, Outcome::as_str, |o| lang.outcome(o).to_owned(), &fields.decision),
        reasons: choices(DenyReason::ALL, DenyReason::as_str, |r| lang.reason(r).to_owned(), &fields.reason),
        bases: choices(Basis::ALL, Basis::as_str, |b| lang.basis(b).to_owned(), &fields.basis),
        fields,
        order: "newest".into(),
        rows: Vec::new(),
        searched: false,
        next: None,
        verified: None,
        error: None,
        broken: None,
    })
}

async fn audit_get(State(state): State<AppState>, Auditor(person): Auditor) -> Result<Html<String>, WebError> {
    Ok(Html(audit_page(&state, &person, SearchFields::default()).await?.render()?))
}

#[derive(Deserialize)]
struct SearchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    order: String,
    /// The cursor of the page shown: entries after it.
    #[serde(default)]
    after: String,
    #[serde(flatten)]
    fields: SearchFields,
}

/// The youth of a form, pseudonymised and checked against the birth date Ketenpoort knows.
async fn youth_of(
    state: &AppState,
    fields: &SearchFields,
    lang: Lang,
) -> Result<Result<Option<crate::youth::Pseudonym>, String>, WebError> {
    let (bsn, birth_date) = match fields.youth() {
        Ok(Some(youth)) => youth,
        Ok(None) => return Ok(Ok(None)),
        Err(error) => return Ok(Err(words::search_error(lang, &error))),
    };
    match state.gateway.youth_for_audit(&state.pseudonymiser.pseudonymise_all(&bsn), birth_date).await {
        Ok(youth) => Ok(Ok(Some(youth))),
        Err(crate::store::StoreError::BirthDateMismatch) => Ok(Err(words::texts(lang).birth_date_mismatch.into())),
        Err(other) => Err(other.into()),
    }
}

async fn search_post(
    State(state): State<AppState>,
    Auditor(person): Auditor,
    Form(form): Form<SearchForm>,
) -> Result<Response, WebError> {
    person.check_csrf(&form.csrf)?;
    let mut page = audit_page(&state, &person, form.fields.clone()).await?;
    page.order = if form.order == "oldest" { "oldest".into() } else { "newest".into() };
    let youth = match youth_of(&state, &form.fields, person.lang).await? {
        Ok(youth) => youth,
        Err(message) => {
            page.error = Some(message);
            return Ok(private(Html(page.render()?)));
        }
    };
    let filter = match form.fields.filter(youth) {
        Ok(filter) => filter,
        Err(error) => {
            page.error = Some(words::search_error(person.lang, &error));
            return Ok(private(Html(page.render()?)));
        }
    };
    let order = if page.order == "oldest" { Order::OldestFirst } else { Order::NewestFirst };
    let query = AuditQuery {
        scope: scope(&state, &person)?,
        filter,
        order,
        after: form.after.trim().parse().ok(),
        limit: DEFAULT_PAGE,
    };
    let found = state.gateway.search_audit(&person.principal, &query, &occasion()).await?;
    let names = org_names(&state).await?;
    page.next = (found.len() == DEFAULT_PAGE as usize).then(|| found.last().map(|s| s.entry.seq)).flatten();
    page.rows = found.iter().map(|stored| Row::of(&stored.entry, &names, person.lang)).collect();
    page.searched = true;
    Ok(private(Html(page.render()?)))
}

/// One field of the entry page: its label, its value in words, and what stands as stored.
struct Shown {
    label: &'static str,
    words: String,
    /// Stored text (an id, a hash, an exact time) in pieces that may break (see [`breakable`]).
    code: Vec<String>,
    /// Closes what `words` opened (the brackets around a stored subject).
    after: &'static str,
    id: &'static str,
}

#[derive(Template)]
#[template(path = "audit_entry.html")]
struct EntryPage {
    c: Chrome,
    t: &'static AuditTexts,
    seq: u64,
    fields: Vec<Shown>,
    /// (entry, when signed, hash, key id) of the checkpoint that covers it.
    checkpoint: Option<(u64, String, Vec<String>, Vec<String>)>,
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The entry's fields in words, in the order of the canonical encoding; the exact timestamps
/// (as the export writes them) and the hashes after them.
fn entry_fields(stored: &crate::store::StoredEntry, names: &HashMap<String, String>, lang: Lang) -> Vec<Shown> {
    let e = &stored.entry;
    let x = ExportedEntry::from(stored);
    let none = "—".to_owned();
    let org = |id: &Option<String>| match id.as_deref() {
        Some(id) if names.contains_key(id) => (org_name(names, id), breakable(id)),
        Some(id) => (String::new(), breakable(id)),
        None => (none.clone(), Vec::new()),
    };
    let code = |text: &Option<String>| match text {
        Some(text) => (String::new(), breakable(text)),
        None => (none.clone(), Vec::new()),
    };
    let word = |text: Option<String>| (text.unwrap_or_else(|| none.clone()), Vec::new());
    let list = |items: &[String]| {
        if items.is_empty() { (none.clone(), Vec::new()) } else { (String::new(), breakable(&items.join(" "))) }
    };
    let (how, detail) = words::authenticated_by(lang, &e.actor.authenticated_by);
    let subject = match (subject_in_words(e, names, lang), &e.subject) {
        (_, None) => (none.clone(), Vec::new()),
        (Some(said), Some(stored)) if !said.is_empty() => {
            (format!("{said} ({}:", words::texts(lang).stored_as), breakable(stored))
        }
        (_, Some(stored)) => (String::new(), breakable(stored)),
    };
    let bracketed = subject.0.ends_with(':');
    let values: Vec<(&'static str, (String, Vec<String>))> = vec![
        ("at", word(Some(lang.when(e.at)))),
        ("recorded_at", word(Some(lang.when(e.recorded_at)))),
        ("request_id", code(&Some(e.request_id.clone()))),
        ("event", word(Some(words::event(lang, e.event).to_owned()))),
        ("actor_account", code(&e.actor.account)),
        ("actor_org", org(&e.actor.org)),
        ("actor_org_kind", word(e.actor.org_kind.map(|k| lang.org_kind(k).to_owned()))),
        ("actor_role", word(e.actor.role.map(|r| lang.role(r).to_owned()))),
        ("authenticated_by", (how.to_owned(), detail.as_deref().map(breakable).unwrap_or_default())),
        ("action", word(e.action.map(|a| lang.action(a).to_owned()))),
        ("signal", word(e.signal.map(|s| lang.signal(s).to_owned()))),
        ("purpose", word(e.purpose.map(|p| lang.purpose(p).to_owned()))),
        ("youth_key_id", code(&x.youth_key_id)),
        ("youth_pseudonym", code(&x.youth_pseudonym)),
        ("recipient_org", org(&e.recipient_org)),
        ("decision", word(e.decision.map(|d| lang.outcome(d).to_owned()))),
        ("basis", word(e.basis.map(|b| lang.basis(b).to_owned()))),
        ("reason", word(e.reason.map(|r| lang.reason(r).to_owned()))),
        ("matched_rules", list(&e.matched_rules)),
        ("policy_version", code(&e.policy_version)),
        (
            "obligations",
            word(
                (!e.obligations.is_empty())
                    .then(|| e.obligations.iter().map(|o| lang.obligation(*o)).collect::<Vec<_>>().join(", ")),
            ),
        ),
        ("justification", word(e.justification.clone())),
        ("consents", list(&e.consents)),
        ("subject", subject),
        ("at_exact", code(&Some(rfc3339(e.at)))),
        ("recorded_at_exact", code(&Some(rfc3339(e.recorded_at)))),
        ("hash", code(&Some(x.hash))),
        ("prev_hash", code(&Some(x.prev_hash))),
    ];
    values
        .into_iter()
        .map(|(name, (words, code))| Shown {
            label: words::field(lang, name),
            words,
            code,
            after: if name == "subject" && bracketed { ")" } else { "" },
            id: match name {
                "hash" => "hash",
                "prev_hash" => "prev-hash",
                _ => "",
            },
        })
        .collect()
}

async fn entry_get(
    State(state): State<AppState>,
    Auditor(person): Auditor,
    Path(seq): Path<u64>,
) -> Result<Response, WebError> {
    let scope = scope(&state, &person)?;
    let t = words::texts(person.lang);
    let detail = match state.gateway.audit_entry_detail(&person.principal, &scope, seq, &occasion()).await {
        Ok(detail) => detail,
        Err(AuditAccessError::NotFound(_)) => {
            let message = format!("{} {seq} {}", t.entry, t.not_your_part);
            return Err(WebError::shown(StatusCode::NOT_FOUND, person.lang, message));
        }
        Err(AuditAccessError::Store(store)) => return Err(store.into()),
    };
    let names = org_names(&state).await?;
    let page = EntryPage {
        c: Chrome::of(&person),
        t,
        seq,
        fields: entry_fields(&detail.stored, &names, person.lang),
        checkpoint: detail
            .checkpoint
            .map(|c| (c.seq, person.lang.when(c.at), breakable(&hex::encode(c.hash)), breakable(&c.key_id))),
    };
    Ok(private(Html(page.render()?)))
}

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    birth_date: String,
    /// "on" when the auditor asks for professionals' accounts too.
    #[serde(default)]
    full: Option<String>,
    #[serde(default)]
    format: String,
}

/// One line of the report as read: what happened, in words.
#[derive(serde::Serialize)]
struct ReportLine {
    #[serde(flatten)]
    disclosure: Disclosure,
    text: String,
}

#[derive(serde::Serialize)]
struct ReportCsvRow<'a> {
    seq: u64,
    at: String,
    from_org: &'a str,
    from_role: &'a str,
    from_account: &'a str,
    to_org: &'a str,
    kind: &'a str,
    signal: &'a str,
    purpose: &'a str,
    decision: &'a str,
    basis: &'a str,
    reason: &'a str,
    text: &'a str,
    /// Last, so that the columns before it keep their places for readers of older reports.
    asked_in_advance: bool,
}

/// A report line as a sentence: who told whom what, for what, on which basis — or who tried to,
/// and why they were refused.
fn sentence(line: &Disclosure, names: &HashMap<String, String>, lang: Lang) -> String {
    let mut from = org_name(names, &line.from_org);
    let role = line.from_role.map(|r| lang.role(r)).unwrap_or_default();
    from = match &line.from_account {
        Some(account) => format!("{from} ({role}, {account})"),
        None if !role.is_empty() => format!("{from} ({role})"),
        None => from,
    };
    let to = line.to_org.as_deref().map(|id| org_name(names, id)).unwrap_or_default();
    let signal = line.signal.map(|s| lang.signal(s)).unwrap_or_default();
    let purpose = line.purpose.map(|p| lang.purpose(p)).unwrap_or_default();
    let basis = line.basis.map(|b| lang.basis(b)).unwrap_or_default();
    let reason = line.reason.map(|r| lang.reason(r)).unwrap_or_default();
    let allowed = line.decision == Outcome::Allow;
    // A look at the case has no sender: "the sender is not involved" would read wrong.
    let looker = match (lang, line.reason) {
        (Lang::Nl, Some(DenyReason::NoRelationship)) => "de organisatie is zelf niet betrokken",
        (Lang::En, Some(DenyReason::NoRelationship)) => "the organisation is not involved itself",
        _ => reason,
    };
    let asked = match (lang, line.asked_in_advance) {
        (Lang::Nl, true) => " (vooraf gevraagd)",
        (Lang::En, true) => " (asked in advance)",
        (_, false) => "",
    };
    match (lang, line.kind, allowed) {
        (Lang::Nl, DisclosureKind::Signal, true) => {
            format!("{from} stuurde {to} “{signal}”, voor {purpose}, op grond van {basis}.")
        }
        (Lang::Nl, DisclosureKind::Signal, false) => {
            format!(
                "{from} wilde {to} “{signal}” sturen, voor {purpose}{asked}: geweigerd, {reason}. Er is niets verstuurd."
            )
        }
        (Lang::Nl, DisclosureKind::Registration, true) => format!("{from} meldde betrokkenheid in de verwijsindex."),
        (Lang::Nl, DisclosureKind::Registration, false) => {
            format!("{from} wilde betrokkenheid melden in de verwijsindex{asked}: geweigerd, {reason}.")
        }
        (Lang::Nl, DisclosureKind::MatchNotice, _) => {
            format!(
                "{to} kreeg uit de verwijsindex bericht over een andere betrokken organisatie (na de melding van {from})."
            )
        }
        (Lang::Nl, DisclosureKind::HistoricMatch, _) => {
            format!(
                "{to} kreeg uit de verwijsindex bericht dat een andere organisatie deze jeugdige eerder kende (na de melding van {from})."
            )
        }
        (Lang::Nl, DisclosureKind::FamilyMatch, _) => {
            format!(
                "{to} kreeg uit de verwijsindex bericht dat een andere jeugdige uit dit gezin bij een andere organisatie bekend is (na de melding van {from})."
            )
        }
        (Lang::Nl, DisclosureKind::CaseView, _) => {
            format!(
                "{from} wilde zien welke organisaties bij deze jeugdige betrokken zijn: geweigerd, {looker}. Er is niets getoond."
            )
        }
        (Lang::En, DisclosureKind::Signal, true) => {
            format!("{from} sent {to} “{signal}”, for {purpose}, on the basis of {basis}.")
        }
        (Lang::En, DisclosureKind::Signal, false) => {
            format!("{from} asked to send {to} “{signal}”, for {purpose}{asked}: refused, {reason}. Nothing was sent.")
        }
        (Lang::En, DisclosureKind::Registration, true) => {
            format!("{from} registered involvement in the reference index.")
        }
        (Lang::En, DisclosureKind::Registration, false) => {
            format!("{from} asked to register involvement in the reference index{asked}: refused, {reason}.")
        }
        (Lang::En, DisclosureKind::MatchNotice, _) => {
            format!(
                "{to} was told by the reference index that another organisation is involved (after {from} registered)."
            )
        }
        (Lang::En, DisclosureKind::HistoricMatch, _) => {
            format!(
                "{to} was told by the reference index that another organisation knew this youth before (after {from} registered)."
            )
        }
        (Lang::En, DisclosureKind::FamilyMatch, _) => {
            format!(
                "{to} was told by the reference index that another youth of this family is known to another organisation (after {from} registered)."
            )
        }
        (Lang::En, DisclosureKind::CaseView, _) => {
            format!(
                "{from} asked to see which organisations are involved with this youth: refused, {looker}. Nothing was shown."
            )
        }
    }
}

/// One line of the printable report: day, time of day, the sentence, and whether it disclosed.
struct ShownLine {
    day: String,
    time: String,
    text: Vec<String>,
    disclosed: bool,
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct ReportPage {
    c: Chrome,
    t: &'static AuditTexts,
    /// The youth as the auditor entered them: BSN and birth date (in words).
    bsn: String,
    born: String,
    generated: String,
    full: bool,
    /// Whether Ketenpoort knows the youth: one it does not may have been destroyed (§8).
    known: bool,
    lines: Vec<ShownLine>,
}

async fn report_post(
    State(state): State<AppState>,
    Auditor(person): Auditor,
    Form(form): Form<ReportForm>,
) -> Result<Response, WebError> {
    person.check_csrf(&form.csrf)?;
    let lang = person.lang;
    let scope = scope(&state, &person)?;
    let fields = SearchFields {
        bsn: Some(form.bsn.clone()),
        birth_date: Some(form.birth_date.clone()),
        ..SearchFields::default()
    };
    let refused = |message: String| WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, lang, message);
    let (bsn_checked, birth_date) = match fields.youth() {
        Ok(Some(youth)) => youth,
        Ok(None) => return Err(refused(words::search_error(lang, &SearchError::YouthIncomplete))),
        Err(error) => return Err(refused(words::search_error(lang, &error))),
    };
    let youth = match youth_of(&state, &fields, lang).await? {
        Ok(Some(youth)) => youth,
        Ok(None) => return Err(refused(words::search_error(lang, &SearchError::YouthIncomplete))),
        Err(message) => return Err(refused(message)),
    };
    let full = form.full.is_some();
    let report = state.gateway.disclosure_report(&person.principal, &scope, &youth, full, &occasion()).await?;
    let known = state.gateway.knows_youth(&state.pseudonymiser.pseudonymise_all(&bsn_checked)).await?;
    let names = org_names(&state).await?;
    let lines: Vec<ReportLine> = report
        .into_iter()
        .map(|disclosure| ReportLine { text: sentence(&disclosure, &names, lang), disclosure })
        .collect();
    // The youth as entered: the BSN typed (it parsed, so it is nine digits) and the birth date.
    let bsn = form.bsn.trim().to_owned();
    let birth_iso = birth_date.to_iso();
    let now = clock::now();
    match form.format.as_str() {
        "json" => {
            let body = serde_json::json!({
                "generated_at": rfc3339(now),
                "youth": { "bsn": bsn, "birth_date": birth_iso },
                "full_detail": full,
                "youth_known": known,
                "lines": lines,
            });
            Ok(private(download("application/json", "inzageoverzicht.json", body.to_string())))
        }
        "csv" => {
            let mut csv = csv::Writer::from_writer(Vec::new());
            for line in &lines {
                let d = &line.disclosure;
                csv.serialize(ReportCsvRow {
                    seq: d.seq,
                    at: rfc3339(d.at),
                    from_org: &d.from_org,
                    from_role: d.from_role.map_or("", |r| r.as_str()),
                    from_account: d.from_account.as_deref().unwrap_or(""),
                    to_org: d.to_org.as_deref().unwrap_or(""),
                    kind: match d.kind {
                        DisclosureKind::Signal => "signal",
                        DisclosureKind::Registration => "registration",
                        DisclosureKind::MatchNotice => "match_notice",
                        DisclosureKind::HistoricMatch => "historic_match",
                        DisclosureKind::FamilyMatch => "family_match",
                        DisclosureKind::CaseView => "case_view",
                    },
                    signal: d.signal.map_or("", |s| s.as_str()),
                    purpose: d.purpose.map_or("", |p| p.as_str()),
                    decision: d.decision.as_str(),
                    basis: d.basis.map_or("", |b| b.as_str()),
                    reason: d.reason.map_or("", |r| r.as_str()),
                    text: &line.text,
                    asked_in_advance: d.asked_in_advance,
                })
                .map_err(|e| WebError::Internal(e.to_string()))?;
            }
            let bytes = csv.into_inner().map_err(|e| WebError::Internal(e.to_string()))?;
            Ok(private(download("text/csv; charset=utf-8", "inzageoverzicht.csv", bytes)))
        }
        _ => {
            let born = time::Date::parse(&birth_iso, time::macros::format_description!("[year]-[month]-[day]"))
                .map(|day| lang.day(day))
                .unwrap_or(birth_iso);
            let page = ReportPage {
                c: Chrome::of(&person),
                t: words::texts(lang),
                bsn,
                born,
                generated: lang.when(now),
                full,
                known,
                lines: lines
                    .iter()
                    .map(|l| {
                        let when = lang.when(l.disclosure.at);
                        let (day, time) = when.rsplit_once(' ').unwrap_or((when.as_str(), ""));
                        ShownLine {
                            day: day.to_owned(),
                            time: time.to_owned(),
                            text: breakable(&l.text),
                            disclosed: l.disclosure.decision == Outcome::Allow,
                        }
                    })
                    .collect(),
            };
            Ok(private(Html(page.render()?)))
        }
    }
}

fn download(content_type: &'static str, name: &str, body: impl Into<Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body.into(),
    )
        .into_response()
}

#[derive(Deserialize)]
struct ExportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    format: String,
    #[serde(flatten)]
    fields: SearchFields,
}

/// The selected entries, oldest first, streamed a page at a time as CSV or JSON lines.
async fn export_post(
    State(state): State<AppState>,
    Auditor(person): Auditor,
    Form(form): Form<ExportForm>,
) -> Result<Response, WebError> {
    person.check_csrf(&form.csrf)?;
    let scope = scope(&state, &person)?;
    let youth = match youth_of(&state, &form.fields, person.lang).await? {
        Ok(youth) => youth,
        Err(message) => return Err(WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, person.lang, message)),
    };
    let filter = form.fields.filter(youth).map_err(|e| {
        WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, person.lang, words::search_error(person.lang, &e))
    })?;
    let csv = form.format == "csv";
    let what = format!("export ({}) of {}", if csv { "csv" } else { "jsonl" }, filter.describe());
    state
        .gateway
        .record_audit_access(
            person.principal.audit_actor(),
            AuditEvent::AuditExported,
            filter.youth.clone(),
            what,
            &occasion(),
        )
        .await?;
    let gateway = state.gateway.clone();
    let first = AuditQuery { scope, filter, order: Order::OldestFirst, after: None, limit: MAX_PAGE };
    // One page of the log per chunk: memory stays flat however much is exported.
    let pages = futures_util::stream::unfold(Some((first, true)), move |next| {
        let gateway = gateway.clone();
        async move {
            let (query, header) = next?;
            let page = match gateway.store().search_audit(&query).await {
                Ok(page) => page,
                Err(error) => return Some((Err(std::io::Error::other(error.to_string())), None)),
            };
            let Some(last) = page.last() else {
                // An empty selection still gets its CSV header.
                let empty = if header && csv { csv_page(&[], true) } else { Ok(Vec::new()) };
                return Some((empty, None));
            };
            let after = Some(last.entry.seq);
            let chunk = if csv { csv_page(&page, header) } else { jsonl_page(&page) };
            Some((chunk, Some((AuditQuery { after, ..query }, false))))
        }
    });
    let (content_type, name) =
        if csv { ("text/csv; charset=utf-8", "audit.csv") } else { ("application/jsonl", "audit.jsonl") };
    Ok(private(download(content_type, name, Body::from_stream(pages))))
}

fn csv_page(page: &[crate::store::StoredEntry], header: bool) -> std::io::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new().has_headers(header).from_writer(Vec::new());
    if page.is_empty() && header {
        writer.write_record(CsvEntry::HEADER).map_err(std::io::Error::other)?;
    }
    for stored in page {
        writer.serialize(CsvEntry::from(&ExportedEntry::from(stored))).map_err(std::io::Error::other)?;
    }
    writer.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}

fn jsonl_page(page: &[crate::store::StoredEntry]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for stored in page {
        serde_json::to_writer(&mut out, &ExportedEntry::from(stored)).map_err(std::io::Error::other)?;
        out.push(b'\n');
    }
    Ok(out)
}

async fn verify_post(
    State(state): State<AppState>,
    Auditor(person): Auditor,
    Form(form): Form<CsrfOnly>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let mut page = audit_page(&state, &person, SearchFields::default()).await?;
    state
        .gateway
        .record_audit_access(
            person.principal.audit_actor(),
            AuditEvent::AuditVerified,
            None,
            "verify".into(),
            &occasion(),
        )
        .await?;
    let verifier = state.gateway.audit().verifier();
    let (lang, t) = (person.lang, page.t);
    page.verified = Some(match crate::audit::verify(state.gateway.store(), &verifier).await? {
        Ok(intact) => {
            let last = intact.last_checkpoint.map_or_else(
                || t.no_checkpoint.to_owned(),
                |(seq, at)| format!("{} {seq}, {}", t.last_checkpoint, lang.when(at)),
            );
            let entries = if intact.entries == 1 { t.entry_one } else { t.entries };
            let checkpoints = if intact.checkpoints == 1 { t.checkpoint_one } else { t.checkpoints };
            format!("{}: {} {entries}, {} {checkpoints}; {last}.", t.intact, intact.entries, intact.checkpoints)
        }
        Err(broken) => {
            page.error = Some(match lang {
                Lang::Nl => format!("De eerste regel die niet klopt: regel {}.", broken.seq),
                Lang::En => format!("The first entry that does not verify: entry {}.", broken.seq),
            });
            // What `audit verify` says, for whoever investigates: technical, in English.
            page.broken = Some(broken.problem);
            t.not_intact.to_owned()
        }
    });
    Ok(Html(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditActor;
    use crate::framework::{Action, Purpose, Role};
    use time::macros::datetime;

    fn decision(event: AuditEvent, outcome: Outcome) -> AuditEntry {
        let actor = AuditActor {
            account: Some("family_worker@buurtteam-oost".into()),
            org: Some("buurtteam-oost".into()),
            org_kind: Some(crate::framework::OrgKind::NeighbourhoodTeam),
            role: Some(Role::FamilyWorker),
            authenticated_by: "oidc:https://idp.example".into(),
        };
        let at = datetime!(2026-12-03 06:36:06.620032 UTC);
        let mut entry = AuditEntry::new(event, actor, at, at, "req-1".into());
        entry.action = Some(Action::Send);
        entry.signal = Some(Signal::HelpStarted);
        entry.purpose = Some(Purpose::CareCoordination);
        entry.recipient_org = Some("lyceum-noord".into());
        entry.decision = Some(outcome);
        entry.reason = (outcome == Outcome::Deny).then_some(DenyReason::ConsentMissing);
        entry
    }

    fn names() -> HashMap<String, String> {
        [("lyceum-noord", "Lyceum Noord"), ("buurtteam-oost", "Buurtteam Oost")]
            .into_iter()
            .map(|(id, name)| (id.to_owned(), name.to_owned()))
            .collect()
    }

    #[test]
    fn long_tokens_break_into_pieces_that_join_to_the_same_text() {
        let hash = "a".repeat(64);
        let pieces = breakable(&hash);
        assert_eq!(pieces.len(), 4);
        assert_eq!(pieces.concat(), hash);
        assert_eq!(breakable("3 december 2026 07:36"), vec!["3 december 2026 07:36"]);
        assert_eq!(breakable("").concat(), "");
        assert_eq!(breakable("family_worker@buurtteam-oost").concat(), "family_worker@buurtteam-oost");
        assert!(breakable("family_worker@buurtteam-oost").len() > 1);
        let sentence = "Buurtteam Oost stuurde Lyceum Noord “hulp gestart”, voor afstemming van zorg.";
        assert_eq!(breakable(sentence), vec![sentence], "ordinary words stay whole");
    }

    #[test]
    fn a_row_reads_in_words_with_names_and_dutch_civil_time() {
        let row = Row::of(&decision(AuditEvent::Decision, Outcome::Deny), &names(), Lang::Nl);
        assert_eq!(row.when, "3 december 2026 07:36");
        assert_eq!(row.event, "besluit over een uitwisseling");
        assert_eq!(row.actor, "Buurtteam Oost (gezinswerker)");
        assert_eq!((row.what.as_str(), row.to.as_str()), ("hulp gestart", "Lyceum Noord"));
        assert_eq!((row.decision.as_str(), row.why.as_str()), ("geweigerd", "toestemming ontbreekt"));
        assert!(row.refused);
    }

    #[test]
    fn the_entry_page_labels_every_field_in_words() {
        let stored = crate::store::StoredEntry {
            entry: decision(AuditEvent::Decision, Outcome::Allow),
            prev_hash: vec![0; 32],
            hash: vec![1; 32],
        };
        for lang in [Lang::Nl, Lang::En] {
            let shown = entry_fields(&stored, &names(), lang);
            let labels: Vec<&str> = shown.iter().map(|s| s.label).collect();
            let expected: Vec<&str> = words::FIELDS.iter().map(|name| words::field(lang, name)).collect();
            assert_eq!(labels, expected);
        }
        let shown = entry_fields(&stored, &names(), Lang::Nl);
        let value = |label: &str| shown.iter().find(|s| s.label == label).map(|s| (s.words.clone(), s.code.concat()));
        assert_eq!(value("tijdstip van de gebeurtenis").unwrap().0, "3 december 2026 07:36");
        assert_eq!(value("soort organisatie van de actor").unwrap().0, "buurtteam");
        assert_eq!(value("organisatie van de actor").unwrap(), ("Buurtteam Oost".into(), "buurtteam-oost".into()));
        assert_eq!(value("aangemeld met").unwrap().1, "https://idp.example");
        assert_eq!(value("hash van deze regel").unwrap().1, "01".repeat(32));
        assert!(
            value("tijdstip van de gebeurtenis, exact (UTC, zoals in de export)")
                .unwrap()
                .1
                .starts_with("2026-12-03T06:36:06.620032")
        );
    }

    #[test]
    fn a_refusal_asked_in_advance_reads_as_a_refusal_in_the_report() {
        let entry = decision(AuditEvent::DryRun, Outcome::Deny);
        let line = Disclosure::of(&entry, false).unwrap();
        assert_eq!(
            sentence(&line, &names(), Lang::Nl),
            "Buurtteam Oost (gezinswerker) wilde Lyceum Noord “hulp gestart” sturen, voor afstemming van zorg \
             (vooraf gevraagd): geweigerd, toestemming ontbreekt. Er is niets verstuurd."
        );
        assert!(sentence(&line, &names(), Lang::En).contains("(asked in advance): refused, consent is missing."));
    }

    #[test]
    fn a_search_entry_says_its_filters_in_words() {
        let filter = crate::audit::AuditFilter {
            org: Some(crate::framework::OrgId::from("buurtteam-oost")),
            signal: Some(Signal::HelpStarted),
            decision: Some(Outcome::Deny),
            from: Some(datetime!(2026-01-01 0:00 UTC)),
            ..Default::default()
        };
        assert_eq!(
            filters_in_words(&filter.describe(), &names(), Lang::Nl),
            "organisatie: Buurtteam Oost; signaal: hulp gestart; besluit: geweigerd; vanaf: 1 januari 2026 01:00"
        );
        assert_eq!(filters_in_words("everything", &names(), Lang::En), "everything");
    }
}
