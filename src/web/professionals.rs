//! The professionals' pages: the overview, finding a youth, registering involvement, asking
//! for feedback, answering a request, recording consent. Before anything is sent, the
//! decision is shown (a dry run), and only a confirmed, allowed exchange is delivered.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, post};

use super::form::Form;
use serde::Deserialize;

use super::error::WebError;
use super::i18n::capitalised;
use super::session::{Person, Professional};
use super::{Chrome, Lang, confirm, way_forward};
use crate::app::AppState;
use crate::clock;
use crate::exchange::{ExchangeError, Exchanged, Mode, Occasion, Youth};
use crate::framework::{
    Action, Consent, Consenter, ExchangeRequest, OrgId, OrgKind, Party, Purpose, Signal, WithdrawalReason, explain_nl,
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
        .route("/app/consent/form", post(consent_form_post))
        .route("/app/consent/{id}/revoke", post(revoke_post))
        .route("/app/report", get(to_youth).post(report_post))
}

pub(super) async fn to_youth(uri: axum::http::Uri) -> axum::response::Redirect {
    let lang = uri.query().and_then(|q| q.split('&').find(|pair| pair.starts_with("lang="))).unwrap_or_default();
    axum::response::Redirect::to(&format!("/app/youth?{lang}"))
}

struct Line {
    id: String,
    when: String,
    org: String,
    contact: String,
    signal: String,
    case_ref: String,
    answered: bool,
    /// A notice's words before and after the other organisation's name.
    before: &'static str,
    after: &'static str,
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
            before: "",
            after: "",
        };
        match item {
            InboxItem::MatchNotice { notice, .. } => {
                (line.before, line.after) = person.lang.notice(notice.kind, notice.to_registrant);
                line.when = person.lang.when(notice.delivered_at);
                page.matches.push(line);
            }
            InboxItem::Signal { signal, answers, .. } => {
                line.id = signal.id.clone();
                line.when = person.lang.when(signal.delivered_at);
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
    /// The region's organisations that are not involved: feedback can be asked of them only
    /// once they are (§4, reference_index), which the page says.
    not_involved: Vec<String>,
    lead: String,
    age: u32,
    who_consents: &'static str,
    consents: Vec<ConsentLine>,
    /// (id, name) of the Veilig Thuis organisations one may report to.
    safe_homes: Vec<(String, String)>,
    /// Each request the organisation sent or received, with its answers, in words.
    threads: Vec<String>,
    /// The organisation's own running involvement, which it may end (§8), and why it may.
    withdraw: Option<String>,
    reasons: Vec<ReasonChoice>,
}

/// A reason to end an involvement, with what it means for the registration (§8).
struct ReasonChoice {
    value: &'static str,
    words: &'static str,
    meaning: &'static str,
    checked: bool,
}

/// An optional field of the registration form for a parent's BSN (§8, family match). Never
/// filled in again: a parent's BSN is shown nowhere, not even to whoever typed it.
struct ParentField {
    name: &'static str,
    label: &'static str,
    error: Option<&'static str>,
}

/// The parent fields of the registration form, with the problem beside each, if any.
fn parent_fields(lang: Lang, errors: [Option<ParentProblem>; 2]) -> Vec<ParentField> {
    let texts = lang.texts();
    let [first, second] = errors;
    vec![
        ParentField { name: "parent_bsn_1", label: texts.parent_bsn_1, error: first.map(|p| p.words(texts)) },
        ParentField { name: "parent_bsn_2", label: texts.parent_bsn_2, error: second.map(|p| p.words(texts)) },
    ]
}

/// Why a parent's BSN on the registration form was not taken (as the API refuses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParentProblem {
    Invalid,
    IsTheYouth,
    Twice,
}

impl ParentProblem {
    fn words(self, texts: &super::i18n::Texts) -> &'static str {
        match self {
            ParentProblem::Invalid => texts.parent_invalid,
            ParentProblem::IsTheYouth => texts.parent_is_youth,
            ParentProblem::Twice => texts.parent_twice,
        }
    }
}

/// ACTION-FRAMEWORK §8, family match: the parents a registration names, checked as the API
/// checks them (each a valid BSN, not the youth's own, none twice); an empty field names no
/// one. Otherwise what is wrong with each field.
fn parents_named(youth: &str, typed: [&str; 2]) -> Result<Vec<Bsn>, [Option<ParentProblem>; 2]> {
    let own = youth.trim().parse::<Bsn>().ok();
    let mut named: Vec<Bsn> = Vec::new();
    let mut problems = [None, None];
    for (field, text) in typed.iter().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        match text.trim().parse::<Bsn>() {
            Err(_) => problems[field] = Some(ParentProblem::Invalid),
            Ok(bsn) if own.as_ref() == Some(&bsn) => problems[field] = Some(ParentProblem::IsTheYouth),
            Ok(bsn) if named.contains(&bsn) => problems[field] = Some(ParentProblem::Twice),
            Ok(bsn) => named.push(bsn),
        }
    }
    if problems.iter().any(Option::is_some) { Err(problems) } else { Ok(named) }
}

#[derive(Template)]
#[template(path = "youth.html")]
struct YouthPage {
    c: Chrome,
    bsn: String,
    birth_date: String,
    bsn_error: Option<String>,
    birth_error: Option<String>,
    /// The registration form's fields for the parents' BSNs, always empty.
    parents: Vec<ParentField>,
    case: Option<CaseBox>,
}

async fn youth_get(Professional(person): Professional) -> Result<Html<String>, WebError> {
    let page = YouthPage {
        c: Chrome::of(&person),
        bsn: String::new(),
        birth_date: String::new(),
        bsn_error: None,
        birth_error: None,
        parents: parent_fields(person.lang, [None, None]),
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
        parents: parent_fields(person.lang, [None, None]),
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
    match youth_of(&state, &person, &form.bsn, &form.birth_date).await? {
        Ok(youth) => {
            let page = youth_page(&state, &person, &form.bsn, &form.birth_date, &youth, [None, None]).await?;
            Ok(Html(page.render()?))
        }
        Err(page) => Ok(Html(page.render()?)),
    }
}

/// The youth's page: the form that found them, and the case as the person's organisation may
/// see it (a look that is audited). `parent_problems`: a registration form sent back.
async fn youth_page(
    state: &AppState,
    person: &Person,
    bsn: &str,
    birth_date: &str,
    youth: &Youth,
    parent_problems: [Option<ParentProblem>; 2],
) -> Result<YouthPage, WebError> {
    let mut page = YouthPage {
        c: Chrome::of(person),
        bsn: bsn.trim().to_owned(),
        birth_date: birth_date.trim().to_owned(),
        bsn_error: None,
        birth_error: None,
        parents: parent_fields(person.lang, parent_problems),
        case: None,
    };
    let pseudonym = youth.pseudonym.clone();
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
    let lang = person.lang;
    let all_orgs = state.gateway.store().orgs().await?;
    let name_of = |id: &OrgId| all_orgs.iter().find(|o| &o.id == id).map_or_else(|| id.0.clone(), |o| o.name.clone());
    page.case =
        Some(match state.gateway.view_case(&person.principal, std::slice::from_ref(&pseudonym), &occasion).await {
            Ok(view) => {
                // The organisation's own running involvement, if its relationship is one (a
                // certified institution may hold a measure only).
                let facts = state.gateway.store().youth_facts(youth.id).await?;
                let withdraw = facts
                    .involvements
                    .iter()
                    .find(|i| i.org == person.principal.org && i.is_active_at(occasion.at))
                    .map(|i| i.id.clone());
                CaseBox {
                    case_ref,
                    related: true,
                    age: view.age,
                    who_consents: person.lang.who_consents(view.age),
                    consents: view
                        .consents
                        .iter()
                        .map(|consent| ConsentLine {
                            id: consent.id.clone(),
                            given_by: lang.consenter(consent.given_by),
                            scope: consent_scope(lang, consent, &name_of),
                            from: lang.when(consent.valid_from),
                            revoked: consent.is_revoked_at(occasion.at),
                        })
                        .collect(),
                    safe_homes: safe_homes.clone(),
                    threads: view
                        .threads
                        .iter()
                        .map(|thread| {
                            let answers: Vec<&str> =
                                thread.answers.iter().map(|a| person.lang.signal(a.signal)).collect();
                            format!(
                                "{} — {} {} → {}{}",
                                lang.when(thread.request.delivered_at),
                                lang.signal(thread.request.signal),
                                name_of(&thread.request.from_org),
                                name_of(&thread.request.to_org),
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
                    not_involved: all_orgs
                        .iter()
                        .filter(|o| !view.involved.iter().any(|i| i.id == o.id))
                        .filter(|o| !matches!(o.kind, OrgKind::SafeHome | OrgKind::CompulsoryEducation))
                        .map(|o| format!("{} ({})", o.name, lang.org_kind(o.kind)))
                        .collect(),
                    lead: view.lead.as_ref().map_or_else(|| lang.texts().none.to_owned(), &name_of),
                    withdraw,
                    reasons: WithdrawalReason::ALL
                        .iter()
                        .map(|reason| ReasonChoice {
                            value: reason.as_str(),
                            words: lang.withdrawal(*reason),
                            meaning: lang.withdrawal_meaning(*reason),
                            // §8: the default.
                            checked: *reason == WithdrawalReason::RiskGone,
                        })
                        .collect(),
                }
            }
            Err(ExchangeError::NoRelationship) => CaseBox {
                case_ref,
                related: false,
                involved: Vec::new(),
                not_involved: Vec::new(),
                lead: String::new(),
                age: 0,
                who_consents: "",
                consents: Vec::new(),
                safe_homes,
                threads: Vec::new(),
                withdraw: None,
                reasons: Vec::new(),
            },
            Err(other) => return Err(other.into()),
        });
    Ok(page)
}

/// A consent's scope in words: signals, to whom, for what.
fn consent_scope(lang: Lang, consent: &Consent, name_of: &dyn Fn(&OrgId) -> String) -> String {
    let signals: Vec<&str> = consent.signals.iter().map(|s| lang.signal(*s)).collect();
    let recipients: Vec<String> = consent
        .recipient_orgs
        .iter()
        .map(name_of)
        .chain(consent.recipient_kinds.iter().map(|k| lang.org_kind(*k).to_owned()))
        .collect();
    let purposes: Vec<&str> = consent.purposes.iter().map(|p| lang.purpose(*p)).collect();
    let (to, r#for) = if lang == Lang::Nl { ("aan", "voor") } else { ("to", "for") };
    let mut words = format!("{} {to} {} {for} {}", signals.join(", "), recipients.join(", "), purposes.join(", "));
    if let Some(until) = consent.valid_until {
        let until_words = if lang == Lang::Nl { "tot" } else { "until" };
        words = format!("{words}, {until_words} {}", lang.when(until));
    }
    words
}

/// The step a refusal offers, as the page shows it: its words, and a button that carries
/// what is already known.
struct NextStep {
    words: String,
    button: Option<Button>,
}

/// A form of hidden fields and one button.
struct Button {
    label: String,
    action: String,
    fields: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "decision.html")]
pub(super) struct DecisionPage {
    c: Chrome,
    heading: String,
    /// What came of it, when not "sent" or "may (not) be sent": "Geregistreerd.", "Beëindigd.".
    verdict: Option<&'static str>,
    allowed: bool,
    sent: bool,
    message: String,
    next: Option<NextStep>,
    action: String,
    fields: Vec<(String, String)>,
}

impl DecisionPage {
    /// A change done, said in words: its heading, what came of it, and what it means.
    pub(super) fn done(person: &Person, heading: String, verdict: &'static str, message: String) -> DecisionPage {
        DecisionPage {
            c: Chrome::of(person),
            heading,
            verdict: Some(verdict),
            allowed: true,
            sent: true,
            message,
            next: None,
            action: String::new(),
            fields: Vec::new(),
        }
    }
}

/// An allowed exchange in the person's language; a refusal is worded by `way_forward`.
fn message(person: &Person, request: &ExchangeRequest, exchanged: &Exchanged) -> String {
    if !exchanged.decision.is_allow() {
        return way_forward::refusal_words(person.lang, request.action, &exchanged.decision, exchanged.age);
    }
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
        .map_err(|e| ExchangeError::Input(e).into())
}

/// How a page names the youth of an exchange in the forms it offers next: by the BSN the
/// person typed (carried in hidden fields, never in an address), or by the request received.
enum YouthRef {
    Typed { bsn: String, birth_date: String },
    Request(String),
}

impl YouthRef {
    fn fields(&self) -> Vec<(String, String)> {
        match self {
            YouthRef::Typed { bsn, birth_date } => {
                vec![("bsn".into(), bsn.clone()), ("birth_date".into(), birth_date.clone())]
            }
            YouthRef::Request(id) => vec![("request".into(), id.clone())],
        }
    }
}

/// The next step after a refusal, with its button where the person can take it.
fn next_step(
    person: &Person,
    request: &ExchangeRequest,
    exchanged: &Exchanged,
    youth: &YouthRef,
    recipient_name: &str,
) -> Option<NextStep> {
    use way_forward::Step;
    if exchanged.decision.is_allow() {
        return None;
    }
    let lang = person.lang;
    let step = way_forward::step(&exchanged.decision, exchanged.age);
    let words = way_forward::step_words(lang, &step, request, recipient_name);
    let button = match (&step, youth) {
        (Step::RecordConsent(consenters), _) => {
            let mut fields = youth.fields();
            fields.extend(consenters.iter().map(|c| ("given_by".to_owned(), c.as_str().to_owned())));
            if let Some(recipient) = &request.recipient {
                fields.push(("recipient_org".into(), recipient.org.0.clone()));
            }
            fields.push(("signal".into(), request.signal.as_str().into()));
            fields.push(("purpose".into(), request.purpose.as_str().into()));
            Some(Button {
                label: way_forward::consent_button(lang, consenters),
                action: "/app/consent/form".into(),
                fields,
            })
        }
        (Step::RegisterFirst, YouthRef::Typed { .. }) => Some(Button {
            label: lang.texts().register_involvement.into(),
            action: "/app/register".into(),
            fields: youth.fields(),
        }),
        (Step::RecipientMustBeInvolved | Step::Justify, YouthRef::Typed { .. }) => Some(Button {
            label: lang.texts().back_to_youth.into(),
            action: "/app/youth".into(),
            fields: youth.fields(),
        }),
        _ => None,
    };
    (!words.is_empty()).then_some(NextStep { words, button })
}

/// What a confirmable exchange shows: its heading, and the form that sends it after the dry run.
struct Confirmable {
    heading: String,
    action: String,
    fields: Vec<(String, String)>,
    youth: YouthRef,
    recipient_name: String,
}

/// Decides `request` and shows the decision: a dry run first, delivery only when the person
/// confirmed (`confirm=yes`) and the exchange is allowed. A refusal offers its next step.
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
        verdict: None,
        allowed: exchanged.decision.is_allow(),
        sent: confirmed && exchanged.decision.is_allow(),
        message: message(person, request, &exchanged),
        next: next_step(person, request, &exchanged, &shown.youth, &shown.recipient_name),
        action: shown.action,
        fields: shown.fields,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct RegisterForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    bsn: String,
    #[serde(default)]
    birth_date: String,
    /// The parents' BSNs, optional, for the family match only (§8): pseudonymised at once,
    /// never shown again.
    #[serde(default)]
    parent_bsn_1: String,
    #[serde(default)]
    parent_bsn_2: String,
}

async fn register_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Form(form): Form<RegisterForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let youth = match youth_of(&state, &person, &form.bsn, &form.birth_date).await? {
        Ok(youth) => youth,
        Err(page) => return Ok(Html(page.render()?)),
    };
    let parents = match parents_named(&form.bsn, [&form.parent_bsn_1, &form.parent_bsn_2]) {
        Ok(named) => named.iter().map(|bsn| state.pseudonymiser.pseudonymise_all(bsn)).collect::<Vec<_>>(),
        Err(problems) => {
            let page = youth_page(&state, &person, &form.bsn, &form.birth_date, &youth, problems).await?;
            return Ok(Html(page.render()?));
        }
    };
    let request = request(&person, Action::Register, Signal::Involvement, None, Purpose::CareCoordination)?;
    let occasion = Occasion::at(clock::now());
    let exchanged = state
        .gateway
        .exchange_naming(&person.principal, &youth, &request, Mode::Deliver, None, &parents, &occasion)
        .await?;
    let lang = person.lang;
    let texts = lang.texts();
    let mut text = message(&person, &request, &exchanged);
    // Who else heard of this registration, each with their contact (§7, §8).
    let names = |orgs: &[crate::store::Organisation]| {
        let named: Vec<String> = orgs
            .iter()
            .map(|o| match &o.contact {
                Some(contact) => format!("{} ({contact})", o.name),
                None => o.name.clone(),
            })
            .collect();
        named.join(", ")
    };
    if !exchanged.matches.is_empty() {
        let also = if lang == Lang::Nl { "Ook betrokken" } else { "Also involved" };
        text = format!("{text} {also}: {}.", names(&exchanged.matches));
    }
    if !exchanged.historic_matches.is_empty() {
        text = format!("{text} {}", lang.known_before(&names(&exchanged.historic_matches)));
    }
    if !exchanged.family_matches.is_empty() {
        text = format!("{text} {}", lang.family_known(&names(&exchanged.family_matches)));
    }
    let typed = YouthRef::Typed { bsn: form.bsn.trim().to_owned(), birth_date: form.birth_date.trim().to_owned() };
    let allowed = exchanged.decision.is_allow();
    let page = DecisionPage {
        c: Chrome::of(&person),
        heading: texts.register_involvement.to_owned(),
        verdict: Some(if allowed { texts.registered } else { texts.not_registered }),
        allowed,
        sent: allowed,
        message: text,
        next: if allowed {
            // Registered: back to the youth's page, where the partners involved can be asked.
            Some(NextStep {
                words: texts.registered_next.to_owned(),
                button: Some(Button {
                    label: texts.back_to_youth.into(),
                    action: "/app/youth".into(),
                    fields: typed.fields(),
                }),
            })
        } else {
            next_step(&person, &request, &exchanged, &typed, "")
        },
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

/// The named organisation, or a 422 page in words.
async fn organisation(state: &AppState, id: &str) -> Result<crate::store::Organisation, WebError> {
    state.gateway.store().org(&OrgId(id.to_owned())).await?.ok_or(WebError::Words {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        nl: "Deze organisatie is niet bekend in de regio. Kies een organisatie uit de lijst.",
        en: "This organisation is not known in the region. Choose one from the list.",
    })
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
    let org = organisation(&state, &form.to).await?;
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
        youth: YouthRef::Typed { bsn: form.bsn.trim().to_owned(), birth_date: form.birth_date.trim().to_owned() },
        recipient_name: org.name.clone(),
    };
    decide_and_show(&state, &person, &youth, &request, None, form.confirm.as_deref(), shown).await
}

#[derive(Template)]
#[template(path = "answer.html")]
struct AnswerPage {
    c: Chrome,
    request_id: String,
    /// "Verzoek om terugkoppeling van Lyceum Noord, ontvangen 3 december 2026 07:36".
    request_words: String,
    case_ref: String,
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
    let request = request.ok_or_else(WebError::not_found)?;
    let pseudonym = store.youth_pseudonym(request.youth).await?.ok_or_else(WebError::not_found)?;
    let youth = Youth::new(request.youth, pseudonym);
    Ok((request, youth))
}

/// The request in words, and the case reference the person's organisation knows the youth by.
async fn request_words(
    state: &AppState,
    person: &Person,
    request: &crate::store::DeliveredSignal,
    youth: &Youth,
) -> Result<(String, String, String), WebError> {
    let org = state.gateway.store().org(&request.from_org).await?.map_or(request.from_org.0.clone(), |o| o.name);
    let lang = person.lang;
    let words = match lang {
        Lang::Nl => format!(
            "{} van {org}, ontvangen {}",
            capitalised(lang.signal(request.signal)),
            lang.when(request.delivered_at)
        ),
        Lang::En => format!(
            "{} from {org}, received {}",
            capitalised(lang.signal(request.signal)),
            lang.when(request.delivered_at)
        ),
    };
    let case_ref = state.pseudonymiser.case_ref(&person.principal.org.0, &youth.pseudonym)[..8].to_owned();
    Ok((words, case_ref, org))
}

const ANSWERS: [Signal; 3] = [Signal::HelpStarted, Signal::HelpOngoing, Signal::HelpEnded];

async fn answer_get(
    State(state): State<AppState>,
    Professional(person): Professional,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (request, youth) = received_request(&state, &person, &id).await?;
    let (request_words, case_ref, request_org) = request_words(&state, &person, &request, &youth).await?;
    let page = AnswerPage {
        c: Chrome::of(&person),
        request_id: id,
        request_words,
        case_ref,
        request_org,
        options: ANSWERS.iter().map(|s| (s.as_str(), person.lang.signal(*s))).collect(),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct AnswerForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
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
        return Err(WebError::Words {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            nl: "Kies een antwoord: hulp gestart, hulp loopt of hulp afgerond.",
            en: "Choose an answer: help started, help ongoing or help ended.",
        });
    };
    let requester = state.gateway.store().org(&request_signal.from_org).await?.ok_or_else(WebError::not_found)?;
    let recipient = Party { org: requester.id.clone(), kind: requester.kind };
    let request = request(&person, Action::Send, signal, Some(recipient), request_signal.purpose)?;
    let shown = Confirmable {
        heading: format!("{} — {}", capitalised(person.lang.signal(signal)), requester.name),
        action: format!("/app/answer/{id}"),
        fields: vec![("signal".into(), signal.as_str().into())],
        youth: YouthRef::Request(id.clone()),
        recipient_name: requester.name.clone(),
    };
    decide_and_show(&state, &person, &youth, &request, Some(&id), form.confirm.as_deref(), shown).await
}

/// A choice among words of the vocabulary (or organisations): its value, its words, checked.
struct Choice {
    value: String,
    words: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    c: Chrome,
    bsn: String,
    birth_date: String,
    /// When reached from a request received: the request's id and words (the youth is the
    /// request's; no BSN is typed).
    request: Option<(String, String)>,
    consenters: Vec<Choice>,
    orgs: Vec<Choice>,
    kinds: Vec<Choice>,
    signals: Vec<Choice>,
    purposes: Vec<Choice>,
    valid_from: String,
    valid_until: String,
    done: Option<String>,
    error: Option<String>,
    /// After recording: back to the exchange that needed the consent.
    back: Option<Button>,
}

impl ConsentPage {
    fn kinds_chosen(&self) -> bool {
        self.kinds.iter().any(|k| k.checked)
    }
}

/// The signals a consent may cover: those a professional sends to a partner (registration,
/// safety concerns and Veilig Thuis' feedback rest on the law, never on consent).
const CONSENTABLE: [Signal; 6] = [
    Signal::HelpStarted,
    Signal::HelpOngoing,
    Signal::HelpEnded,
    Signal::SchoolAbsence,
    Signal::FeedbackRequest,
    Signal::ContactRequest,
];

/// The consent form, with these choices checked.
async fn consent_page(state: &AppState, person: &Person, form: &ConsentForm) -> Result<ConsentPage, WebError> {
    let lang = person.lang;
    let orgs = state.gateway.store().orgs().await?;
    let today = BirthDate::new(clock::now().date()).to_iso();
    let choice = |value: &str, words: &str, chosen: &[String]| Choice {
        value: value.to_owned(),
        words: words.to_owned(),
        checked: chosen.iter().any(|c| c == value),
    };
    let request = match &form.request {
        Some(id) if !id.is_empty() => {
            let (request, youth) = received_request(state, person, id).await?;
            let (words, case_ref, _) = request_words(state, person, &request, &youth).await?;
            Some((id.clone(), format!("{words} ({} {case_ref})", lang.texts().case_ref)))
        }
        _ => None,
    };
    Ok(ConsentPage {
        c: Chrome::of(person),
        bsn: form.bsn.trim().to_owned(),
        birth_date: form.birth_date.trim().to_owned(),
        request,
        consenters: Consenter::ALL.iter().map(|c| choice(c.as_str(), lang.consenter(*c), &form.given_by)).collect(),
        orgs: orgs
            .iter()
            .filter(|o| o.id != person.principal.org)
            .map(|o| choice(&o.id.0, &format!("{} ({})", o.name, lang.org_kind(o.kind)), &form.recipient_org))
            .collect(),
        kinds: OrgKind::ALL.iter().map(|k| choice(k.as_str(), lang.org_kind(*k), &form.recipient_kind)).collect(),
        signals: CONSENTABLE.iter().map(|s| choice(s.as_str(), lang.signal(*s), &form.signal)).collect(),
        purposes: Purpose::ALL.iter().map(|p| choice(p.as_str(), lang.purpose(*p), &form.purpose)).collect(),
        valid_from: if form.valid_from.trim().is_empty() { today } else { form.valid_from.trim().to_owned() },
        valid_until: form.valid_until.trim().to_owned(),
        done: None,
        error: None,
        back: None,
    })
}

async fn consent_get(
    State(state): State<AppState>,
    Professional(person): Professional,
) -> Result<Html<String>, WebError> {
    Ok(Html(consent_page(&state, &person, &ConsentForm::default()).await?.render()?))
}

#[derive(Deserialize, Default)]
struct ConsentForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    birth_date: String,
    /// The received request whose youth this is (instead of a BSN).
    #[serde(default)]
    request: Option<String>,
    #[serde(default)]
    given_by: Vec<String>,
    #[serde(default)]
    recipient_org: Vec<String>,
    #[serde(default)]
    recipient_kind: Vec<String>,
    #[serde(default)]
    signal: Vec<String>,
    #[serde(default)]
    purpose: Vec<String>,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_until: String,
}

/// The consent form filled in with what a refusal knew (the youth, the recipient, the
/// signal, the purpose, whose consent is missing); nothing is recorded yet.
async fn consent_form_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Form(form): Form<ConsentForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    Ok(Html(consent_page(&state, &person, &form).await?.render()?))
}

/// What a consent form says, parsed: the terms of one consent per consenter.
struct ConsentTerms {
    consenters: Vec<Consenter>,
    recipient_orgs: Vec<OrgId>,
    recipient_kinds: Vec<OrgKind>,
    signals: Vec<Signal>,
    purposes: Vec<Purpose>,
    valid_from: time::OffsetDateTime,
    valid_until: Option<time::OffsetDateTime>,
}

/// Why a consent form cannot be recorded; each is said beside the form.
#[derive(Debug, PartialEq, Eq)]
enum ConsentProblem {
    NoConsenter,
    NoRecipient,
    NoSignal,
    NoPurpose,
    UntilBeforeFrom,
    /// A word outside the lists or a date that is not one: a form not made by the page.
    Malformed,
}

impl ConsentProblem {
    fn words(&self, texts: &super::i18n::Texts) -> &'static str {
        match self {
            ConsentProblem::NoConsenter => texts.consent_needs_consenter,
            ConsentProblem::NoRecipient => texts.consent_needs_recipient,
            ConsentProblem::NoSignal => texts.consent_needs_signal,
            ConsentProblem::NoPurpose => texts.consent_needs_purpose,
            ConsentProblem::UntilBeforeFrom => texts.consent_until_after_from,
            ConsentProblem::Malformed => texts.consent_check_fields,
        }
    }
}

impl ConsentTerms {
    /// The form's terms; `known_orgs` are the organisations the form offered.
    fn of(form: &ConsentForm, known_orgs: &[&str]) -> Result<ConsentTerms, ConsentProblem> {
        fn words<T: std::str::FromStr>(values: &[String]) -> Result<Vec<T>, ConsentProblem> {
            values.iter().map(|v| v.parse().map_err(|_| ConsentProblem::Malformed)).collect()
        }
        let day = |text: &str| {
            time::Date::parse(text.trim(), time::macros::format_description!("[year]-[month]-[day]"))
                .map(|day| day.midnight().assume_utc())
                .map_err(|_| ConsentProblem::Malformed)
        };
        let nonempty = |list: bool, problem| if list { Err(problem) } else { Ok(()) };
        let consenters: Vec<Consenter> = words(&form.given_by)?;
        nonempty(consenters.is_empty(), ConsentProblem::NoConsenter)?;
        let recipient_kinds: Vec<OrgKind> = words(&form.recipient_kind)?;
        if form.recipient_org.iter().any(|id| !known_orgs.contains(&id.as_str())) {
            return Err(ConsentProblem::Malformed);
        }
        let recipient_orgs: Vec<OrgId> = form.recipient_org.iter().map(|id| OrgId(id.clone())).collect();
        nonempty(recipient_kinds.is_empty() && recipient_orgs.is_empty(), ConsentProblem::NoRecipient)?;
        let signals: Vec<Signal> = words(&form.signal)?;
        nonempty(signals.is_empty(), ConsentProblem::NoSignal)?;
        if signals.iter().any(|s| !CONSENTABLE.contains(s)) {
            return Err(ConsentProblem::Malformed);
        }
        let purposes: Vec<Purpose> = words(&form.purpose)?;
        nonempty(purposes.is_empty(), ConsentProblem::NoPurpose)?;
        let valid_from = day(&form.valid_from)?;
        let valid_until = if form.valid_until.trim().is_empty() { None } else { Some(day(&form.valid_until)?) };
        if valid_until.is_some_and(|until| until <= valid_from) {
            return Err(ConsentProblem::UntilBeforeFrom);
        }
        Ok(ConsentTerms { consenters, recipient_orgs, recipient_kinds, signals, purposes, valid_from, valid_until })
    }
}

async fn consent_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Form(form): Form<ConsentForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let mut page = consent_page(&state, &person, &form).await?;
    let lang = person.lang;
    let texts = lang.texts();
    let youth = match &form.request {
        Some(id) if !id.is_empty() => received_request(&state, &person, id).await?.1,
        _ => match youth_of(&state, &person, &form.bsn, &form.birth_date).await? {
            Ok(youth) => youth,
            Err(problem) => {
                page.error = problem.bsn_error.or(problem.birth_error);
                return Ok(Html(page.render()?));
            }
        },
    };
    let known_orgs: Vec<&str> = page.orgs.iter().map(|o| o.value.as_str()).collect();
    let terms = match ConsentTerms::of(&form, &known_orgs) {
        Ok(terms) => terms,
        Err(problem) => {
            page.error = Some(problem.words(texts).to_owned());
            return Ok(Html(page.render()?));
        }
    };
    // One consent per consenter: each is given, and may be revoked, on its own.
    for given_by in &terms.consenters {
        let consent = Consent {
            id: uuid::Uuid::new_v4().to_string(),
            given_by: *given_by,
            holder: person.principal.org.clone(),
            recipient_orgs: terms.recipient_orgs.clone(),
            recipient_kinds: terms.recipient_kinds.clone(),
            signals: terms.signals.clone(),
            purposes: terms.purposes.clone(),
            valid_from: terms.valid_from,
            valid_until: terms.valid_until,
            revoked_at: None,
        };
        state.gateway.record_consent(&person.principal, &youth, consent, &Occasion::at(clock::now())).await?;
    }
    let who: Vec<&str> = terms.consenters.iter().map(|c| lang.consenter(*c)).collect();
    page.done = Some(format!("{} ({})", texts.consent_recorded, who.join(", ")));
    page.back = match &form.request {
        Some(id) if !id.is_empty() => {
            Some(Button { label: texts.back_to_answer.into(), action: format!("/app/answer/{id}"), fields: Vec::new() })
        }
        _ => Some(Button {
            label: texts.back_to_youth.into(),
            action: "/app/youth".into(),
            fields: vec![
                ("bsn".into(), form.bsn.trim().to_owned()),
                ("birth_date".into(), form.birth_date.trim().to_owned()),
            ],
        }),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct RevokeForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// Revoking a consent cannot be undone (a new consent must be asked for): the person
/// confirms on a page that says so first.
async fn revoke_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let youth = state.gateway.owned_fact(&person.principal, crate::store::FactKind::Consent, &id).await?;
    let texts = person.lang.texts();
    if !confirm::confirmed(form.confirm.as_deref()) {
        return confirm::Confirmation {
            heading: texts.revoke_heading.into(),
            consequences: vec![texts.revoke_consequence.into(), texts.revoke_audited.into()],
            action: format!("/app/consent/{id}/revoke"),
            fields: Vec::new(),
            button: texts.revoke_button.into(),
            cancel: "/app/youth".into(),
        }
        .page(&person);
    }
    state.gateway.revoke_consent(&person.principal, &youth, &id, &Occasion::at(clock::now())).await?;
    let page =
        DecisionPage::done(&person, texts.revoke.to_owned(), texts.revoked_done, texts.consent_revoked.to_owned());
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
    let org = organisation(&state, &form.to).await?;
    if org.kind != OrgKind::SafeHome {
        return Err(WebError::Words {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            nl: "Een zorgmelding gaat naar Veilig Thuis. Kies een Veilig Thuis-organisatie uit de lijst.",
            en: "A safety concern goes to Veilig Thuis. Choose a Veilig Thuis organisation from the list.",
        });
    }
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
        youth: YouthRef::Typed { bsn: form.bsn.trim().to_owned(), birth_date: form.birth_date.trim().to_owned() },
        recipient_name: org.name.clone(),
    };
    decide_and_show(&state, &person, &youth, &request, None, form.confirm.as_deref(), shown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> ConsentForm {
        let mut form = ConsentForm { valid_from: "2026-12-03".into(), ..ConsentForm::default() };
        for (name, value) in pairs {
            let list = match *name {
                "given_by" => &mut form.given_by,
                "recipient_org" => &mut form.recipient_org,
                "recipient_kind" => &mut form.recipient_kind,
                "signal" => &mut form.signal,
                "purpose" => &mut form.purpose,
                "valid_until" => {
                    form.valid_until = (*value).into();
                    continue;
                }
                _ => continue,
            };
            list.push((*value).into());
        }
        form
    }

    const FULL: [(&str, &str); 4] = [
        ("given_by", "parent"),
        ("recipient_org", "lyceum-noord"),
        ("signal", "help_started"),
        ("purpose", "care_coordination"),
    ];

    #[test]
    fn a_registration_names_parents_as_the_api_checks_them_each_field_saying_what_is_wrong() {
        let (youth, mother, father) = ("628194821", "111222333", "123456782");
        assert_eq!(parents_named(youth, ["", " "]), Ok(Vec::new()));
        let named = parents_named(youth, [mother, &format!(" {father} ")]).unwrap();
        assert_eq!(named, [mother.parse::<Bsn>().unwrap(), father.parse().unwrap()]);
        assert_eq!(parents_named(youth, ["", father]).map(|n| n.len()), Ok(1));
        use ParentProblem::*;
        assert_eq!(parents_named(youth, ["12345678", ""]), Err([Some(Invalid), None]));
        assert_eq!(parents_named(youth, [mother, youth]), Err([None, Some(IsTheYouth)]));
        assert_eq!(parents_named(youth, [mother, mother]), Err([None, Some(Twice)]));
        assert_eq!(parents_named(youth, ["abc", youth]), Err([Some(Invalid), Some(IsTheYouth)]));
        // The words say what to do and never repeat the BSN typed.
        for problem in [Invalid, IsTheYouth, Twice] {
            for lang in [Lang::Nl, Lang::En] {
                let words = problem.words(lang.texts());
                assert!(!words.is_empty() && !words.chars().any(|c| c.is_ascii_digit()), "{words}");
            }
        }
    }

    #[test]
    fn a_consent_form_names_who_to_whom_what_and_why_or_says_what_is_missing() {
        let orgs = ["lyceum-noord"];
        let terms = ConsentTerms::of(&form(&FULL), &orgs).unwrap();
        assert_eq!(terms.consenters, [Consenter::Parent]);
        assert_eq!(terms.recipient_orgs, [OrgId("lyceum-noord".into())]);
        assert!(terms.valid_until.is_none());
        let without = |name: &str| form(&FULL.iter().copied().filter(|(n, _)| *n != name).collect::<Vec<_>>());
        let problem = |form: ConsentForm| ConsentTerms::of(&form, &orgs).err();
        assert_eq!(problem(without("given_by")), Some(ConsentProblem::NoConsenter));
        assert_eq!(problem(without("recipient_org")), Some(ConsentProblem::NoRecipient));
        assert_eq!(problem(without("signal")), Some(ConsentProblem::NoSignal));
        assert_eq!(problem(without("purpose")), Some(ConsentProblem::NoPurpose));
        let ending = |until: &str| form(&[&FULL[..], &[("valid_until", until)]].concat());
        assert_eq!(problem(ending("2026-12-03")), Some(ConsentProblem::UntilBeforeFrom));
        assert!(ConsentTerms::of(&ending("2027-06-30"), &orgs).unwrap().valid_until.is_some());
        // Words outside the lists are not the page's: refused, never recorded.
        assert_eq!(
            problem(form(&[&FULL[..], &[("signal", "safety_concern")]].concat())),
            Some(ConsentProblem::Malformed)
        );
        assert_eq!(
            problem(form(&[&FULL[..], &[("recipient_org", "elsewhere")]].concat())),
            Some(ConsentProblem::Malformed)
        );
        assert_eq!(problem(ending("morgen")), Some(ConsentProblem::Malformed));
    }
}
