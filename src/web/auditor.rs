//! The auditors' pages: search the log within their organisation's part of it (all of it for the
//! gateway operator's auditors), one entry with its hashes and checkpoint, a youth's disclosure
//! report (printable, CSV, JSON), an export, and "verify now". Every look is audited. Forms that
//! may carry a BSN are posted, never put in a URL.

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
use super::session::Auditor;
use super::{Chrome, Lang, Person, WebError};
use crate::app::AppState;
use crate::audit::{
    AuditEvent, AuditQuery, AuditScope, CsvEntry, DEFAULT_PAGE, Disclosure, DisclosureKind, ExportedEntry, MAX_PAGE,
    Order, SearchError, SearchFields,
};
use crate::clock;
use crate::exchange::{AuditAccessError, Occasion};
use crate::framework::Outcome;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit_get).post(search_post))
        .route("/audit/entry/{seq}", get(entry_get))
        .route("/audit/report", post(report_post))
        .route("/audit/export", post(export_post))
        .route("/audit/verify", post(verify_post))
}

/// Times on the pages: to the second, in UTC (the log's own time).
const MINUTE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");

fn scope(state: &AppState, person: &Person) -> Result<AuditScope, WebError> {
    AuditScope::of(person.principal.role, &person.principal.org, state.operator_org.as_ref())
        .map_err(|refused| WebError::shown(StatusCode::FORBIDDEN, person.lang, refused.to_string()))
}

fn occasion() -> Occasion {
    Occasion::at(clock::now())
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
}

impl Row {
    fn of(entry: &crate::audit::AuditEntry, lang: Lang) -> Row {
        let role = entry.actor.role.map(|r| lang.role(r)).unwrap_or_default();
        Row {
            seq: entry.seq,
            when: entry.at.format(MINUTE).unwrap_or_default(),
            event: entry.event.as_str().replace('_', " "),
            actor: format!("{} {}", entry.actor.org.as_deref().unwrap_or("—"), role).trim().to_owned(),
            what: match (entry.action, entry.signal) {
                (_, Some(signal)) => lang.signal(signal).to_owned(),
                (Some(action), None) => action.as_str().to_owned(),
                (None, None) => entry.subject.clone().unwrap_or_default(),
            },
            to: entry.recipient_org.clone().unwrap_or_default(),
            decision: entry.decision.map(|d| d.as_str().to_owned()).unwrap_or_default(),
            why: match (entry.basis, entry.reason) {
                (Some(basis), _) => lang.basis(basis).to_owned(),
                (None, Some(reason)) => lang.reason(reason).to_owned(),
                (None, None) => String::new(),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    dutch: bool,
    all: bool,
    fields: SearchFields,
    order: String,
    rows: Vec<Row>,
    searched: bool,
    next: Option<u64>,
    verified: Option<String>,
    error: Option<String>,
}

fn audit_page(state: &AppState, person: &Person) -> Result<AuditPage, WebError> {
    Ok(AuditPage {
        c: Chrome::of(person),
        dutch: person.lang == Lang::Nl,
        all: scope(state, person)? == AuditScope::All,
        fields: SearchFields::default(),
        order: "newest".into(),
        rows: Vec::new(),
        searched: false,
        next: None,
        verified: None,
        error: None,
    })
}

async fn audit_get(State(state): State<AppState>, Auditor(person): Auditor) -> Result<Html<String>, WebError> {
    Ok(Html(audit_page(&state, &person)?.render()?))
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

/// A search's words in the page's language.
fn search_error(error: SearchError, lang: Lang) -> String {
    match (lang, &error) {
        (Lang::Nl, SearchError::YouthIncomplete) => "Zoek een jeugdige op BSN én geboortedatum.".into(),
        (Lang::Nl, SearchError::Bsn(_)) => "Dit is geen geldig BSN.".into(),
        (Lang::Nl, SearchError::Time(text)) => format!("`{text}` is geen datum (jjjj-mm-dd)."),
        _ => error.to_string(),
    }
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
        Err(error) => return Ok(Err(search_error(error, lang))),
    };
    match state.gateway.youth_for_audit(&state.pseudonymiser.pseudonymise_all(&bsn), birth_date).await {
        Ok(youth) => Ok(Ok(Some(youth))),
        Err(crate::store::StoreError::BirthDateMismatch) => Ok(Err(match lang {
            Lang::Nl => "Deze jeugdige is bekend met een andere geboortedatum: controleer BSN en geboortedatum.".into(),
            Lang::En => "This youth is known with another birth date: check the BSN and the birth date.".into(),
        })),
        Err(other) => Err(other.into()),
    }
}

async fn search_post(
    State(state): State<AppState>,
    Auditor(person): Auditor,
    Form(form): Form<SearchForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let mut page = audit_page(&state, &person)?;
    page.fields = form.fields.clone();
    page.order = if form.order == "oldest" { "oldest".into() } else { "newest".into() };
    let youth = match youth_of(&state, &form.fields, person.lang).await? {
        Ok(youth) => youth,
        Err(message) => {
            page.error = Some(message);
            return Ok(Html(page.render()?));
        }
    };
    let filter = match form.fields.filter(youth) {
        Ok(filter) => filter,
        Err(error) => {
            page.error = Some(search_error(error, person.lang));
            return Ok(Html(page.render()?));
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
    page.next = (found.len() == DEFAULT_PAGE as usize).then(|| found.last().map(|s| s.entry.seq)).flatten();
    page.rows = found.iter().map(|stored| Row::of(&stored.entry, person.lang)).collect();
    page.searched = true;
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "audit_entry.html")]
struct EntryPage {
    c: Chrome,
    dutch: bool,
    seq: u64,
    /// (field, value) of the entry, in the order of its canonical encoding.
    fields: Vec<(&'static str, String)>,
    hash: String,
    prev_hash: String,
    /// (entry, hash, time, key id) of the checkpoint that covers it.
    checkpoint: Option<(u64, String, String, String)>,
}

async fn entry_get(
    State(state): State<AppState>,
    Auditor(person): Auditor,
    Path(seq): Path<u64>,
) -> Result<Html<String>, WebError> {
    let scope = scope(&state, &person)?;
    let detail = match state.gateway.audit_entry_detail(&person.principal, &scope, seq, &occasion()).await {
        Ok(detail) => detail,
        Err(AuditAccessError::NotFound(_)) => {
            let message = match person.lang {
                Lang::Nl => format!("Regel {seq} staat niet in het deel van het logboek dat u mag zien."),
                Lang::En => format!("Entry {seq} is not in the part of the log you may see."),
            };
            return Err(WebError::shown(StatusCode::NOT_FOUND, person.lang, message));
        }
        Err(AuditAccessError::Store(store)) => return Err(store.into()),
    };
    let x = ExportedEntry::from(&detail.stored);
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = vec![
        ("at", x.at.to_string()),
        ("recorded_at", x.recorded_at.to_string()),
        ("request_id", x.request_id.clone()),
        ("event", x.event.clone()),
        ("actor_account", o(&x.actor_account)),
        ("actor_org", o(&x.actor_org)),
        ("actor_org_kind", o(&x.actor_org_kind)),
        ("actor_role", o(&x.actor_role)),
        ("authenticated_by", x.authenticated_by.clone()),
        ("action", o(&x.action)),
        ("signal", o(&x.signal)),
        ("purpose", o(&x.purpose)),
        ("youth_pseudonym", o(&x.youth_pseudonym)),
        ("recipient_org", o(&x.recipient_org)),
        ("decision", o(&x.decision)),
        ("basis", o(&x.basis)),
        ("reason", o(&x.reason)),
        ("matched_rules", x.matched_rules.join(" ")),
        ("policy_version", o(&x.policy_version)),
        ("obligations", x.obligations.join(" ")),
        ("justification", o(&x.justification)),
        ("consents", x.consents.join(" ")),
        ("subject", o(&x.subject)),
    ];
    let page = EntryPage {
        c: Chrome::of(&person),
        dutch: person.lang == Lang::Nl,
        seq,
        fields,
        hash: x.hash,
        prev_hash: x.prev_hash,
        checkpoint: detail.checkpoint.map(|c| (c.seq, hex::encode(c.hash), c.at.to_string(), c.key_id)),
    };
    Ok(Html(page.render()?))
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
}

/// A report line as a sentence: who told whom what, for what, on which basis — or why not.
fn sentence(line: &Disclosure, names: &HashMap<String, String>, lang: Lang) -> String {
    let name = |org: &str| names.get(org).cloned().unwrap_or_else(|| org.to_owned());
    let mut from = name(&line.from_org);
    let role = line.from_role.map(|r| lang.role(r)).unwrap_or_default();
    from = match &line.from_account {
        Some(account) => format!("{from} ({role}, {account})"),
        None if !role.is_empty() => format!("{from} ({role})"),
        None => from,
    };
    let to = line.to_org.as_deref().map(name).unwrap_or_default();
    let signal = line.signal.map(|s| lang.signal(s)).unwrap_or_default();
    let purpose = line.purpose.map(|p| lang.purpose(p)).unwrap_or_default();
    let basis = line.basis.map(|b| lang.basis(b)).unwrap_or_default();
    let reason = line.reason.map(|r| lang.reason(r)).unwrap_or_default();
    let allowed = line.decision == Outcome::Allow;
    match (lang, line.kind, allowed) {
        (Lang::Nl, DisclosureKind::Signal, true) => {
            format!("{from} stuurde {to} “{signal}”, voor {purpose}, op grond van {basis}.")
        }
        (Lang::Nl, DisclosureKind::Signal, false) => {
            format!("{from} wilde {to} “{signal}” sturen, voor {purpose}: geweigerd, {reason}. Er is niets verstuurd.")
        }
        (Lang::Nl, DisclosureKind::Registration, true) => format!("{from} meldde betrokkenheid in de verwijsindex."),
        (Lang::Nl, DisclosureKind::Registration, false) => {
            format!("{from} wilde betrokkenheid melden: geweigerd, {reason}.")
        }
        (Lang::Nl, DisclosureKind::MatchNotice, _) => {
            format!(
                "{to} kreeg uit de verwijsindex bericht over een andere betrokken organisatie (na de melding van {from})."
            )
        }
        (Lang::En, DisclosureKind::Signal, true) => {
            format!("{from} sent {to} “{signal}”, for {purpose}, on the basis of {basis}.")
        }
        (Lang::En, DisclosureKind::Signal, false) => {
            format!("{from} asked to send {to} “{signal}”, for {purpose}: refused, {reason}. Nothing was sent.")
        }
        (Lang::En, DisclosureKind::Registration, true) => {
            format!("{from} registered involvement in the reference index.")
        }
        (Lang::En, DisclosureKind::Registration, false) => {
            format!("{from} asked to register involvement: refused, {reason}.")
        }
        (Lang::En, DisclosureKind::MatchNotice, _) => {
            format!(
                "{to} was told by the reference index that another organisation is involved (after {from} registered)."
            )
        }
    }
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct ReportPage {
    c: Chrome,
    dutch: bool,
    generated: String,
    full: bool,
    /// (date, sentence, disclosed) per line.
    lines: Vec<(String, String, bool)>,
}

async fn report_post(
    State(state): State<AppState>,
    Auditor(person): Auditor,
    Form(form): Form<ReportForm>,
) -> Result<Response, WebError> {
    person.check_csrf(&form.csrf)?;
    let scope = scope(&state, &person)?;
    let fields = SearchFields {
        bsn: Some(form.bsn.clone()),
        birth_date: Some(form.birth_date.clone()),
        ..SearchFields::default()
    };
    let youth = match youth_of(&state, &fields, person.lang).await? {
        Ok(Some(youth)) => youth,
        Ok(None) => {
            return Err(WebError::shown(
                StatusCode::UNPROCESSABLE_ENTITY,
                person.lang,
                search_error(SearchError::YouthIncomplete, person.lang),
            ));
        }
        Err(message) => return Err(WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, person.lang, message)),
    };
    let full = form.full.is_some();
    let report = state.gateway.disclosure_report(&person.principal, &scope, &youth, full, &occasion()).await?;
    let names: HashMap<String, String> =
        state.gateway.store().orgs().await?.into_iter().map(|org| (org.id.0, org.name)).collect();
    let lines: Vec<ReportLine> = report
        .into_iter()
        .map(|disclosure| ReportLine { text: sentence(&disclosure, &names, person.lang), disclosure })
        .collect();
    let generated = clock::now().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    match form.format.as_str() {
        "json" => {
            let body = serde_json::json!({ "generated_at": generated, "full_detail": full, "lines": lines });
            Ok(download("application/json", "inzageoverzicht.json", body.to_string()))
        }
        "csv" => {
            let mut csv = csv::Writer::from_writer(Vec::new());
            for line in &lines {
                let d = &line.disclosure;
                csv.serialize(ReportCsvRow {
                    seq: d.seq,
                    at: d.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                    from_org: &d.from_org,
                    from_role: d.from_role.map_or("", |r| r.as_str()),
                    from_account: d.from_account.as_deref().unwrap_or(""),
                    to_org: d.to_org.as_deref().unwrap_or(""),
                    kind: match d.kind {
                        DisclosureKind::Signal => "signal",
                        DisclosureKind::Registration => "registration",
                        DisclosureKind::MatchNotice => "match_notice",
                    },
                    signal: d.signal.map_or("", |s| s.as_str()),
                    purpose: d.purpose.map_or("", |p| p.as_str()),
                    decision: d.decision.as_str(),
                    basis: d.basis.map_or("", |b| b.as_str()),
                    reason: d.reason.map_or("", |r| r.as_str()),
                    text: &line.text,
                })
                .map_err(|e| WebError::Internal(e.to_string()))?;
            }
            let bytes = csv.into_inner().map_err(|e| WebError::Internal(e.to_string()))?;
            Ok(download("text/csv; charset=utf-8", "inzageoverzicht.csv", bytes))
        }
        _ => {
            let page = ReportPage {
                c: Chrome::of(&person),
                dutch: person.lang == Lang::Nl,
                generated: clock::now().format(MINUTE).unwrap_or_default(),
                full,
                lines: lines
                    .iter()
                    .map(|l| {
                        (l.disclosure.at.date().to_string(), l.text.clone(), l.disclosure.decision == Outcome::Allow)
                    })
                    .collect(),
            };
            Ok(Html(page.render()?).into_response())
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
    let filter = form
        .fields
        .filter(youth)
        .map_err(|e| WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, person.lang, search_error(e, person.lang)))?;
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
    Ok(download(content_type, name, Body::from_stream(pages)))
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
    let mut page = audit_page(&state, &person)?;
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
    let dutch = page.dutch;
    page.verified = Some(match crate::audit::verify(state.gateway.store(), &verifier).await? {
        Ok(intact) => {
            let last = intact.last_checkpoint.map_or_else(
                || {
                    if dutch {
                        "nog geen ondertekend controlepunt".to_owned()
                    } else {
                        "no signed checkpoint yet".to_owned()
                    }
                },
                |(seq, at)| {
                    if dutch {
                        format!("laatste ondertekende controlepunt: regel {seq}, {at}")
                    } else {
                        format!("last signed checkpoint: entry {seq}, {at}")
                    }
                },
            );
            if dutch {
                format!("Logboek intact: {} regels, {} controlepunten; {last}.", intact.entries, intact.checkpoints)
            } else {
                format!("Audit log intact: {} entries, {} checkpoints; {last}.", intact.entries, intact.checkpoints)
            }
        }
        Err(broken) => {
            page.error = Some(broken.to_string());
            if dutch { "Logboek NIET intact.".to_owned() } else { "Audit log NOT intact.".to_owned() }
        }
    });
    Ok(Html(page.render()?))
}
