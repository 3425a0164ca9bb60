//! The fuzz targets' way into the JSON API (tests/fuzz, `scripts/fuzz`): a body read by our
//! [`Json`] extractor exactly as a handler reads it, then put through the conversions that
//! handler runs before its first look-up in the store — BSN, birth date, words, times, the
//! request in the closed vocabulary. The body types are private to the API; this is the one
//! public door to them, hidden from the documentation and used by nothing else.

use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::{Request, header};
use serde::de::DeserializeOwned;

use super::ApiError;
use super::audit::SearchBody;
use super::consents::time_of;
use super::extract::Json;
use super::types::{CaseBody, CaseLeadBody, ConsentBody, MeasureBody, RegisterBody, SignalBody};
use crate::framework::{InputError, OrgKind, Party, Role};
use crate::identity::{Authentication, Principal};
use crate::youth::{BirthDate, Bsn, BsnError};

/// What the API made of one body sent to one route, up to the store.
#[derive(Debug)]
pub struct BodyOutcome {
    /// The route, e.g. `POST /api/v1/involvements`.
    pub route: &'static str,
    /// The BSN and birth date texts the body carried, once read: personal data, which no
    /// error message may repeat.
    pub personal: Vec<String>,
    /// Every other text the body carried (words, ids, times): an error may name these.
    pub other: Vec<String>,
    /// `Ok` when the body passed every check a handler makes before the store; else the
    /// error the caller would get.
    pub result: Result<(), ApiError>,
}

/// The routes [`read_bodies`] reads a body for, in its order.
pub const ROUTES: [&str; 8] = [
    "POST /api/v1/involvements",
    "POST /api/v1/signals",
    "POST /api/v1/decisions",
    "POST /api/v1/consents",
    "POST /api/v1/measures",
    "POST /api/v1/cases/view",
    "POST /api/v1/cases/lead",
    "POST /api/v1/audit/search",
];

/// Reads `bytes` as the body of each route in [`ROUTES`], sent as `application/json`.
pub async fn read_bodies(bytes: &[u8]) -> Vec<BodyOutcome> {
    let mut outcomes = Vec::with_capacity(ROUTES.len());
    outcomes.push(outcome(ROUTES[0], read::<RegisterBody>(bytes).await, register));
    outcomes.push(outcome(ROUTES[1], read::<SignalBody>(bytes).await, signal));
    outcomes.push(outcome(ROUTES[2], read::<SignalBody>(bytes).await, signal));
    outcomes.push(outcome(ROUTES[3], read::<ConsentBody>(bytes).await, consent));
    outcomes.push(outcome(ROUTES[4], read::<MeasureBody>(bytes).await, measure));
    outcomes.push(outcome(ROUTES[5], read::<CaseBody>(bytes).await, case_view));
    outcomes.push(outcome(ROUTES[6], read::<CaseLeadBody>(bytes).await, case_lead));
    outcomes.push(outcome(ROUTES[7], read::<SearchBody>(bytes).await, audit_search));
    outcomes
}

/// The texts of a body read, and what its handler makes of it.
struct Checked {
    personal: Vec<String>,
    other: Vec<String>,
    result: Result<(), ApiError>,
}

fn outcome<T>(route: &'static str, read: Result<T, ApiError>, check: fn(T) -> Checked) -> BodyOutcome {
    match read {
        Ok(body) => {
            let Checked { personal, other, result } = check(body);
            BodyOutcome { route, personal, other, result }
        }
        Err(error) => BodyOutcome { route, personal: Vec::new(), other: Vec::new(), result: Err(error) },
    }
}

/// The body through our extractor, as a request with `Content-Type: application/json`.
async fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let request = Request::builder()
        .method("POST")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(bytes.to_vec()))
        .map_err(|_| ApiError::invalid("the fuzzing request could not be built"))?;
    Json::<T>::from_request(request, &()).await.map(|Json(body)| body)
}

/// The caller: a mentor of a school, or a youth protector of a certified institution where
/// only such an institution may call.
fn caller(org_kind: OrgKind) -> Principal {
    let (org, role) = match org_kind {
        OrgKind::CertifiedInstitution => ("gi-midden", Role::YouthProtector),
        _ => ("lyceum-noord", Role::Mentor),
    };
    Principal {
        account: Some("fuzz".into()),
        org: org.into(),
        org_kind,
        role: Some(role),
        authenticated_by: Authentication::Certificate { fingerprint: "fuzz".into() },
    }
}

/// A recipient as `super::party` finds one: any id names a care provider here, as the store
/// is not asked.
fn recipient(id: &str) -> Party {
    Party { org: id.into(), kind: OrgKind::CareProvider }
}

/// As `super::pseudonym` and `super::youth` check a BSN and birth date before the store.
fn youth(bsn: &str, birth_date: Option<&str>) -> Result<(), ApiError> {
    let _: Bsn = bsn.parse().map_err(|e: BsnError| InputError::InvalidBsn(e.to_string()))?;
    if let Some(text) = birth_date {
        let _: BirthDate =
            text.parse().map_err(|e: crate::youth::BirthDateError| ApiError::invalid(format!("birth_date: {e}")))?;
    }
    Ok(())
}

fn personal(bsn: &str, birth_date: Option<&str>) -> Vec<String> {
    std::iter::once(bsn).chain(birth_date).map(str::to_owned).collect()
}

fn register(body: RegisterBody) -> Checked {
    let result = (|| {
        super::request(&caller(OrgKind::School), "register", "involvement", None, &body.purpose, None)?;
        youth(&body.bsn, body.birth_date.as_deref())
    })();
    Checked { personal: personal(&body.bsn, body.birth_date.as_deref()), other: vec![body.purpose], result }
}

fn signal(body: SignalBody) -> Checked {
    let result = (|| {
        let to = Some(recipient(&body.to));
        super::request(&caller(OrgKind::School), "send", &body.signal, to, &body.purpose, body.justification.clone())?;
        youth(&body.bsn, body.birth_date.as_deref())
    })();
    let other = [Some(body.signal), Some(body.to), Some(body.purpose), body.justification, body.in_reply_to];
    Checked {
        personal: personal(&body.bsn, body.birth_date.as_deref()),
        other: other.into_iter().flatten().collect(),
        result,
    }
}

fn consent(body: ConsentBody) -> Checked {
    // As `consents::create_consent`, the recipients found in the store aside.
    let result = (|| {
        super::professional(&caller(OrgKind::School))?;
        super::consents::terms_of(&body)?;
        youth(&body.bsn, body.birth_date.as_deref())
    })();
    let mut other = vec![body.given_by, body.valid_from];
    other.extend(body.recipient_orgs);
    other.extend(body.recipient_kinds);
    other.extend(body.signals);
    other.extend(body.purposes);
    other.extend(body.valid_until);
    Checked { personal: personal(&body.bsn, body.birth_date.as_deref()), other, result }
}

fn measure(body: MeasureBody) -> Checked {
    let result = (|| {
        super::professional(&caller(OrgKind::CertifiedInstitution))?;
        let from = body.from.as_deref().map(|t| time_of("from", t)).transpose()?.unwrap_or(crate::clock::now());
        let until = body.until.as_deref().map(|t| time_of("until", t)).transpose()?;
        if until.is_some_and(|until| until <= from) {
            return Err(ApiError::invalid("until comes after from"));
        }
        youth(&body.bsn, body.birth_date.as_deref())
    })();
    let other = [body.from, body.until].into_iter().flatten().collect();
    Checked { personal: personal(&body.bsn, body.birth_date.as_deref()), other, result }
}

fn case_view(body: CaseBody) -> Checked {
    let result = super::professional(&caller(OrgKind::School)).and_then(|_| youth(&body.bsn, None));
    Checked { personal: vec![body.bsn], other: Vec::new(), result }
}

fn case_lead(body: CaseLeadBody) -> Checked {
    let result = super::professional(&caller(OrgKind::School)).and_then(|_| youth(&body.bsn, None));
    Checked { personal: vec![body.bsn], other: vec![body.org], result }
}

fn audit_search(body: SearchBody) -> Checked {
    // As `audit::search`, the caller's scope and the store aside.
    let fields = &body.fields;
    let result = (|| {
        let limit = body.page.limit.unwrap_or(crate::audit::DEFAULT_PAGE);
        if !(1..=crate::audit::MAX_PAGE).contains(&limit) {
            return Err(ApiError::invalid(format!("limit is between 1 and {}", crate::audit::MAX_PAGE)));
        }
        match body.page.order.as_deref() {
            None | Some("newest") | Some("oldest") => {}
            Some(other) => return Err(ApiError::invalid(format!("order is `newest` or `oldest`, not `{other}`"))),
        }
        fields.youth()?;
        fields.filter(None)?;
        Ok(())
    })();
    let personal = [fields.bsn.clone(), fields.birth_date.clone()].into_iter().flatten().collect();
    let other = [
        &fields.org,
        &fields.account,
        &fields.event,
        &fields.action,
        &fields.signal,
        &fields.purpose,
        &fields.decision,
        &fields.basis,
        &fields.reason,
        &fields.policy_version,
        &fields.from,
        &fields.until,
        &body.page.order,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    Checked { personal, other, result }
}
