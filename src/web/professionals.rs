//! The professionals' pages: the overview, finding a youth, registering involvement, asking
//! for feedback, answering a request, recording consent. Before anything is sent, the
//! decision is shown (a dry run), and only a confirmed, allowed exchange is delivered.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, post};

use super::form::{CsrfOnly, Form};
use serde::Deserialize;

use super::error::WebError;
use super::session::{Person, Professional};
use super::{Chrome, Lang};
use crate::app::AppState;
use crate::clock;
use crate::exchange::{ExchangeError, Exchanged, Mode, Occasion, Youth};
use crate::framework::{
    Action, Consent, Consenter, ExchangeRequest, OrgId, OrgKind, Party, Purpose, Signal, explain_nl,
};
use crate::store::InboxItem;
use crate::youth::{BirthDate, Bsn};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app", get(overview_get))
        .route("/app/youth", get(youth_get).post(youth_post))
        // A result page's language switch asks for these by GET: back to finding a youth.
        .route("/app/register", get(to_youth).post(register_post))
        .route("/app/ask", get(to_youth).post(ask_post))
        .route("/app/answer/{id}", get(answer_get).post(answer_post))
        .route("/app/consent", get(consent_get).post(consent_post))
        .route("/app/consent/{id}/revoke", post(revoke_post))
        .route("/app/report", get(to_youth).post(report_post))
}

async fn to_youth(uri: axum::http::Uri) -> axum::response::Redirect {
    let lang = uri.query().and_then(|q| q.split('&').find(|pair| pair.starts_with("lang="))).unwrap_or_default();
    axum::response::Redirect::to(&format!("/app/youth?{lang}"))
}

fn date(at: time::OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02} {:02}:{:02}", at.year(), at.month() as u8, at.day(), at.hour(), at.minute())
}

struct Line {
    id: String,
    when: String,
    org: String,
    contact: String,
    signal: String,
    case_ref: String,
    answered: bool,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    c: Chrome,
    matches: Vec<Line>,
    requests: Vec<Line>,
    answers: Vec<Line>,
}

async fn overview_get(
    State(state): State<AppState>,
    Professional(person): Professional,
) -> Result<Html<String>, WebError> {
    let store = state.gateway.store();
    let mut page =
        OverviewPage { c: Chrome::of(&person), matches: Vec::new(), requests: Vec::new(), answers: Vec::new() };
    // Few partners send many items: look each organisation up once.
    let mut orgs: std::collections::HashMap<OrgId, Option<crate::store::Organisation>> =
        std::collections::HashMap::new();
    for item in store.inbox(&person.principal.org, 0, 200).await?.into_iter().rev() {
        let (org_id, youth) = match &item {
            InboxItem::Signal { signal, youth, .. } => (&signal.from_org, youth),
            InboxItem::MatchNotice { notice, youth, .. } => (&notice.other_org, youth),
        };
        if !orgs.contains_key(org_id) {
            orgs.insert(org_id.clone(), store.org(org_id).await?);
        }
        let org = orgs.get(org_id).cloned().flatten();
        let mut line = Line {
            id: String::new(),
            when: String::new(),
            org: org.as_ref().map_or_else(|| org_id.0.clone(), |o| o.name.clone()),
            contact: org.and_then(|o| o.contact).unwrap_or_default(),
            signal: String::new(),
            case_ref: state.pseudonymiser.case_ref(&person.principal.org.0, youth)[..8].to_owned(),
            answered: false,
        };
        match item {
            InboxItem::MatchNotice { notice, .. } => {
                line.when = date(notice.delivered_at);
                page.matches.push(line);
            }
            InboxItem::Signal { signal, answers, .. } => {
                line.id = signal.id.clone();
                line.when = date(signal.delivered_at);
                line.signal = person.lang.signal(signal.signal).to_owned();
                line.answered = !answers.is_empty();
                if matches!(signal.signal, Signal::FeedbackRequest | Signal::ContactRequest) {
                    page.requests.push(line);
                } else {
                    page.answers.push(line);
                }
            }
        }
    }
    Ok(Html(page.render()?))
}

struct CaseOrg {
    id: String,
    name: String,
    contact: String,
    is_self: bool,
}

struct ConsentLine {
    id: String,
    given_by: &'static str,
    scope: String,
    from: String,
    revoked: bool,
}

struct CaseBox {
    case_ref: String,
    related: bool,
    involved: Vec<CaseOrg>,
    lead: String,
    age: u32,
    who_consents: &'static str,
    consents: Vec<ConsentLine>,
    /// (id, name) of the Veilig Thuis organisations one may report to.
    safe_homes: Vec<(String, String)>,
    /// Each request the organisation sent or received, with its answers, in words.
    threads: Vec<String>,
}

#[derive(Template)]
#[template(path = "youth.html")]
struct YouthPage {
    c: Chrome,
    bsn: String,
    birth_date: String,
    bsn_error: Option<String>,
    birth_error: Option<String>,
    case: Option<CaseBox>,
}

async fn youth_get(Professional(person): Professional) -> Result<Html<String>, WebError> {
    let page = YouthPage {
        c: Chrome::of(&person),
        bsn: String::new(),
        birth_date: String::new(),
        bsn_error: None,
        birth_error: None,
        case: None,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct YouthForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    bsn: String,
    #[serde(default)]
    birth_date: String,
}

/// The youth a form names, or the page again with the problem beside its field.
async fn youth_of(
    state: &AppState,
    person: &Person,
    bsn: &str,
    birth_date: &str,
) -> Result<Result<Youth, YouthPage>, WebError> {
    let mut page = YouthPage {
        c: Chrome::of(person),
        bsn: bsn.trim().to_owned(),
        birth_date: birth_date.trim().to_owned(),
        bsn_error: None,
        birth_error: None,
        case: None,
    };
    let dutch = person.lang == Lang::Nl;
    let bsn: Bsn = match page.bsn.parse() {
        Ok(bsn) => bsn,
        Err(_) => {
            page.bsn_error = Some(
                if dutch {
                    "Geen geldig BSN: negen cijfers die de elfproef doorstaan."
                } else {
                    "Not a valid BSN: nine digits that pass the elfproef."
                }
                .into(),
            );
            return Ok(Err(page));
        }
    };
    let pseudonym = state.pseudonymiser.pseudonymise_all(&bsn);
    if page.birth_date.is_empty() {
        return match state.gateway.known_youth(&pseudonym).await? {
            Some(youth) => Ok(Ok(youth)),
            None => {
                page.birth_error = Some(
                    if dutch {
                        "Deze jeugdige is nog niet bekend: vul de geboortedatum in."
                    } else {
                        "This youth is not known yet: enter the birth date."
                    }
                    .into(),
                );
                Ok(Err(page))
            }
        };
    }
    let Ok(birth_date) = page.birth_date.parse::<BirthDate>() else {
        page.birth_error =
            Some(if dutch { "Schrijf de datum als jjjj-mm-dd." } else { "Write the date as yyyy-mm-dd." }.into());
        return Ok(Err(page));
    };
    match state.gateway.youth(&pseudonym, birth_date, clock::now()).await {
        Ok(youth) => Ok(Ok(youth)),
        Err(crate::store::StoreError::BirthDateMismatch) => {
            page.birth_error = Some(
                if dutch {
                    "Deze jeugdige is bekend met een andere geboortedatum."
                } else {
                    "This youth is known with another birth date."
                }
                .into(),
            );
            Ok(Err(page))
        }
        Err(other) => Err(other.into()),
    }
}

async fn youth_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Form(form): Form<YouthForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let (mut page, pseudonym) = match youth_of(&state, &person, &form.bsn, &form.birth_date).await? {
        Ok(youth) => {
            let page = YouthPage {
                c: Chrome::of(&person),
                bsn: form.bsn.trim().to_owned(),
                birth_date: form.birth_date.trim().to_owned(),
                bsn_error: None,
                birth_error: None,
                case: None,
            };
            (page, youth.pseudonym)
        }
        Err(page) => return Ok(Html(page.render()?)),
    };
    let case_ref = state.pseudonymiser.case_ref(&person.principal.org.0, &pseudonym)[..8].to_owned();
    let occasion = Occasion::at(clock::now());
    let safe_homes: Vec<(String, String)> = if person.principal.org_kind == OrgKind::SafeHome {
        Vec::new()
    } else {
        state
            .gateway
            .store()
            .orgs()
            .await?
            .into_iter()
            .filter(|o| o.kind == OrgKind::SafeHome)
            .map(|o| (o.id.0, o.name))
            .collect()
    };
    let texts = person.lang.texts();
    page.case =
        Some(match state.gateway.view_case(&person.principal, std::slice::from_ref(&pseudonym), &occasion).await {
            Ok(view) => CaseBox {
                case_ref,
                related: true,
                age: view.age,
                who_consents: person.lang.who_consents(view.age),
                consents: view
                    .consents
                    .iter()
                    .map(|consent| ConsentLine {
                        id: consent.id.clone(),
                        given_by: match consent.given_by {
                            Consenter::Youth => texts.youth,
                            Consenter::Parent => texts.parent,
                        },
                        scope: consent
                            .signals
                            .iter()
                            .map(|s| person.lang.signal(*s))
                            .chain(consent.recipient_kinds.iter().map(|k| k.as_str()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        from: date(consent.valid_from),
                        revoked: consent.is_revoked_at(occasion.at),
                    })
                    .collect(),
                safe_homes: safe_homes.clone(),
                threads: view
                    .threads
                    .iter()
                    .map(|thread| {
                        let answers: Vec<&str> = thread.answers.iter().map(|a| person.lang.signal(a.signal)).collect();
                        format!(
                            "{} — {} → {}{}",
                            date(thread.request.delivered_at),
                            person.lang.signal(thread.request.signal),
                            thread.request.to_org,
                            if answers.is_empty() { String::new() } else { format!(": {}", answers.join(", ")) }
                        )
                    })
                    .collect(),
                involved: view
                    .involved
                    .iter()
                    .map(|org| CaseOrg {
                        id: org.id.0.clone(),
                        name: org.name.clone(),
                        contact: org.contact.clone().unwrap_or_default(),
                        is_self: org.id == person.principal.org,
                    })
                    .collect(),
                lead: view.lead.map_or_else(|| person.lang.texts().none.to_owned(), |org| org.0),
            },
            Err(ExchangeError::NoRelationship) => CaseBox {
                case_ref,
                related: false,
                involved: Vec::new(),
                lead: String::new(),
                age: 0,
                who_consents: "",
                consents: Vec::new(),
                safe_homes,
                threads: Vec::new(),
            },
            Err(other) => return Err(other.into()),
        });
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    c: Chrome,
    heading: String,
    allowed: bool,
    sent: bool,
    message: String,
    action: String,
    fields: Vec<(String, String)>,
}

/// The decision in the person's language.
fn message(person: &Person, request: &ExchangeRequest, exchanged: &Exchanged) -> String {
    match person.lang {
        Lang::Nl => explain_nl(request, &exchanged.decision, exchanged.age),
        Lang::En => exchanged.message.clone(),
    }
}

fn request(
    person: &Person,
    action: Action,
    signal: Signal,
    to: Option<Party>,
    purpose: Purpose,
) -> Result<ExchangeRequest, WebError> {
    justified(person, action, signal, to, purpose, None)
}

fn justified(
    person: &Person,
    action: Action,
    signal: Signal,
    to: Option<Party>,
    purpose: Purpose,
    justification: Option<String>,
) -> Result<ExchangeRequest, WebError> {
    let role = person.principal.role.ok_or(WebError::SignInRequired)?;
    ExchangeRequest::new(person.principal.party(), role, action, signal, to, purpose, justification)
        .map_err(|e| WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, person.lang, e.to_string()))
}

/// What a confirmable exchange shows: its heading, and the form that sends it after the dry run.
struct Confirmable {
    heading: String,
    action: String,
    fields: Vec<(String, String)>,
}

/// Decides `request` and shows the decision: a dry run first, delivery only when the person
/// confirmed (`confirm=yes`) and the exchange is allowed.
async fn decide_and_show(
    state: &AppState,
    person: &Person,
    youth: &Youth,
    request: &ExchangeRequest,
    in_reply_to: Option<&str>,
    confirm: Option<&str>,
    shown: Confirmable,
) -> Result<Html<String>, WebError> {
    let confirmed = confirm == Some("yes");
    let mode = if confirmed { Mode::Deliver } else { Mode::DryRun };
    let occasion = Occasion::at(clock::now());
    let exchanged = state.gateway.exchange(&person.principal, youth, request, mode, in_reply_to, &occasion).await?;
    let page = DecisionPage {
        c: Chrome::of(person),
        heading: shown.heading,
        allowed: exchanged.decision.is_allow(),
        sent: confirmed && exchanged.decision.is_allow(),
        message: message(person, request, &exchanged),
        action: shown.action,
        fields: shown.fields,
    };
    Ok(Html(page.render()?))
}

async fn register_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Form(form): Form<YouthForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let youth = match youth_of(&state, &person, &form.bsn, &form.birth_date).await? {
        Ok(youth) => youth,
        Err(page) => return Ok(Html(page.render()?)),
    };
    let request = request(&person, Action::Register, Signal::Involvement, None, Purpose::CareCoordination)?;
    let occasion = Occasion::at(clock::now());
    let exchanged = state.gateway.exchange(&person.principal, &youth, &request, Mode::Deliver, None, &occasion).await?;
    let mut text = message(&person, &request, &exchanged);
    if !exchanged.matches.is_empty() {
        let names: Vec<&str> = exchanged.matches.iter().map(|o| o.name.as_str()).collect();
        let also = if person.lang == Lang::Nl { "Ook betrokken" } else { "Also involved" };
        text = format!("{text} {also}: {}.", names.join(", "));
    }
    let page = DecisionPage {
        c: Chrome::of(&person),
        heading: person.lang.texts().register_involvement.to_owned(),
        allowed: exchanged.decision.is_allow(),
        sent: exchanged.decision.is_allow(),
        message: text,
        action: String::new(),
        fields: Vec::new(),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct AskForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    bsn: String,
    #[serde(default)]
    birth_date: String,
    to: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn ask_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Form(form): Form<AskForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let youth = match youth_of(&state, &person, &form.bsn, &form.birth_date).await? {
        Ok(youth) => youth,
        Err(page) => return Ok(Html(page.render()?)),
    };
    let org = state.gateway.store().org(&OrgId(form.to.clone())).await?;
    let Some(org) = org else {
        return Err(WebError::shown(
            StatusCode::UNPROCESSABLE_ENTITY,
            person.lang,
            format!("unknown organisation {}", form.to),
        ));
    };
    let recipient = Party { org: org.id.clone(), kind: org.kind };
    let request = request(&person, Action::Send, Signal::FeedbackRequest, Some(recipient), Purpose::CareCoordination)?;
    let shown = Confirmable {
        heading: format!("{} — {}", person.lang.texts().ask_feedback, org.name),
        action: "/app/ask".into(),
        fields: vec![
            ("bsn".into(), form.bsn.trim().to_owned()),
            ("birth_date".into(), form.birth_date.trim().to_owned()),
            ("to".into(), form.to),
        ],
    };
    decide_and_show(&state, &person, &youth, &request, None, form.confirm.as_deref(), shown).await
}

#[derive(Template)]
#[template(path = "answer.html")]
struct AnswerPage {
    c: Chrome,
    request_id: String,
    request_signal: String,
    request_org: String,
    options: Vec<(&'static str, &'static str)>,
}

/// A request received by the person's organisation, with its youth.
async fn received_request(
    state: &AppState,
    person: &Person,
    id: &str,
) -> Result<(crate::store::DeliveredSignal, Youth), WebError> {
    let store = state.gateway.store();
    let request = store.delivered_signal(id).await?.filter(|r| {
        r.to_org == person.principal.org && matches!(r.signal, Signal::FeedbackRequest | Signal::ContactRequest)
    });
    let not_found = || WebError::shown(StatusCode::NOT_FOUND, person.lang, "—");
    let request = request.ok_or_else(not_found)?;
    let pseudonym = store.youth_pseudonym(request.youth).await?.ok_or_else(not_found)?;
    let youth = Youth::new(request.youth, pseudonym);
    Ok((request, youth))
}

const ANSWERS: [Signal; 3] = [Signal::HelpStarted, Signal::HelpOngoing, Signal::HelpEnded];

async fn answer_get(
    State(state): State<AppState>,
    Professional(person): Professional,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (request, _) = received_request(&state, &person, &id).await?;
    let org = state.gateway.store().org(&request.from_org).await?.map_or(request.from_org.0.clone(), |o| o.name);
    let page = AnswerPage {
        c: Chrome::of(&person),
        request_id: id,
        request_signal: person.lang.signal(request.signal).to_owned(),
        request_org: org,
        options: ANSWERS.iter().map(|s| (s.as_str(), person.lang.signal(*s))).collect(),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct AnswerForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    signal: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn answer_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let (request_signal, youth) = received_request(&state, &person, &id).await?;
    let signal = form.signal.parse::<Signal>().ok().filter(|s| ANSWERS.contains(s));
    let Some(signal) = signal else {
        return Err(WebError::shown(
            StatusCode::UNPROCESSABLE_ENTITY,
            person.lang,
            "help_started | help_ongoing | help_ended",
        ));
    };
    let requester = state.gateway.store().org(&request_signal.from_org).await?;
    let Some(requester) = requester else { return Err(WebError::shown(StatusCode::NOT_FOUND, person.lang, "—")) };
    let recipient = Party { org: requester.id.clone(), kind: requester.kind };
    let request = request(&person, Action::Send, signal, Some(recipient), request_signal.purpose)?;
    let shown = Confirmable {
        heading: format!("{} — {}", person.lang.signal(signal), requester.name),
        action: format!("/app/answer/{id}"),
        fields: vec![("signal".into(), signal.as_str().into())],
    };
    decide_and_show(&state, &person, &youth, &request, Some(&id), form.confirm.as_deref(), shown).await
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    c: Chrome,
    bsn: String,
    birth_date: String,
    today: String,
    kinds: Vec<&'static str>,
    done: Option<String>,
    error: Option<String>,
}

fn consent_page(person: &Person) -> ConsentPage {
    let today = clock::now().date();
    ConsentPage {
        c: Chrome::of(person),
        bsn: String::new(),
        birth_date: String::new(),
        today: BirthDate::new(today).to_iso(),
        kinds: OrgKind::WORDS.to_vec(),
        done: None,
        error: None,
    }
}

async fn consent_get(Professional(person): Professional) -> Result<Html<String>, WebError> {
    Ok(Html(consent_page(&person).render()?))
}

#[derive(Deserialize)]
struct ConsentForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    bsn: String,
    #[serde(default)]
    birth_date: String,
    given_by: String,
    recipient_kind: String,
    valid_from: String,
}

async fn consent_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Form(form): Form<ConsentForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let mut page = consent_page(&person);
    page.bsn = form.bsn.trim().to_owned();
    page.birth_date = form.birth_date.trim().to_owned();
    let youth = match youth_of(&state, &person, &form.bsn, &form.birth_date).await? {
        Ok(youth) => youth,
        Err(problem) => {
            page.error = problem.bsn_error.or(problem.birth_error);
            return Ok(Html(page.render()?));
        }
    };
    let from = time::Date::parse(form.valid_from.trim(), time::macros::format_description!("[year]-[month]-[day]"));
    let (Ok(given_by), Ok(kind), Ok(from)) =
        (form.given_by.parse::<Consenter>(), form.recipient_kind.parse::<OrgKind>(), from)
    else {
        page.error = Some(
            if person.lang == Lang::Nl {
                "Controleer de velden: datum als jjjj-mm-dd."
            } else {
                "Check the fields: date as yyyy-mm-dd."
            }
            .into(),
        );
        return Ok(Html(page.render()?));
    };
    let valid_from = from.midnight().assume_utc();
    let consent = Consent {
        id: uuid::Uuid::new_v4().to_string(),
        given_by,
        holder: person.principal.org.clone(),
        recipient_orgs: Vec::new(),
        recipient_kinds: vec![kind],
        signals: ANSWERS.to_vec(),
        purposes: vec![Purpose::CareCoordination],
        valid_from,
        valid_until: None,
        revoked_at: None,
    };
    state.gateway.record_consent(&person.principal, &youth, consent, &Occasion::at(clock::now())).await?;
    page.done = Some(person.lang.texts().consent_recorded.to_owned());
    Ok(Html(page.render()?))
}

async fn revoke_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let youth = state.gateway.owned_fact(&person.principal, crate::store::FactKind::Consent, &id).await?;
    state.gateway.revoke_consent(&person.principal, &youth, &id, &Occasion::at(clock::now())).await?;
    let page = DecisionPage {
        c: Chrome::of(&person),
        heading: person.lang.texts().revoke.to_owned(),
        allowed: true,
        sent: true,
        message: person.lang.texts().consent_revoked.to_owned(),
        action: String::new(),
        fields: Vec::new(),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct ReportForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    bsn: String,
    #[serde(default)]
    birth_date: String,
    to: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// A safety concern to Veilig Thuis (meldcode): the justification is required, stored with
/// the audit entry for the privacy officer's review, and never delivered.
async fn report_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Form(form): Form<ReportForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let youth = match youth_of(&state, &person, &form.bsn, &form.birth_date).await? {
        Ok(youth) => youth,
        Err(page) => return Ok(Html(page.render()?)),
    };
    let org = state.gateway.store().org(&OrgId(form.to.clone())).await?;
    let Some(org) = org.filter(|o| o.kind == OrgKind::SafeHome) else {
        return Err(WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, person.lang, "Veilig Thuis?"));
    };
    let recipient = Party { org: org.id.clone(), kind: org.kind };
    let justification = Some(form.justification.clone());
    let request =
        justified(&person, Action::Send, Signal::SafetyConcern, Some(recipient), Purpose::Safety, justification)?;
    let shown = Confirmable {
        heading: format!("{} — {}", person.lang.texts().report_concern, org.name),
        action: "/app/report".into(),
        fields: vec![
            ("bsn".into(), form.bsn.trim().to_owned()),
            ("birth_date".into(), form.birth_date.trim().to_owned()),
            ("to".into(), form.to),
            ("justification".into(), form.justification),
        ],
    };
    decide_and_show(&state, &person, &youth, &request, None, form.confirm.as_deref(), shown).await
}
