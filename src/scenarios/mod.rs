//! The conformance scenario runner: `ketenpoort scenarios run FILE…`.
//!
//! Each scenario's facts are recorded through the real store by the [`Gateway`], and its
//! request is decided by the real `framework::decide` as a dry run, audited like any other
//! decision. Scenarios are independent worlds that reuse the same BSN with other facts, so each
//! pseudonymises its youth under a key derived for that scenario alone.

mod format;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use format::{Expect, Scenario, ScenarioFile};

use crate::exchange::{ExchangeError, Gateway, Mode, Occasion, Youth};
use crate::framework::{
    Action, Consent, Decision, ExchangeRequest, InputError, Involvement, Measure, OrgId, OrgKind, Party, Purpose,
    Report, Role, Signal, default_expiry,
};
use crate::identity::{Authentication, Principal};
use crate::store::Organisation;
use crate::youth::{Bsn, Pseudonymiser};

/// Why a file could not be run at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{file}: cannot read: {detail}")]
    Unreadable { file: String, detail: String },
    #[error("{file}:{line}:{column}: {message}")]
    Malformed { file: String, line: usize, column: usize, message: String },
    #[error("{file}: scenario {index} ({name:?}): {message}")]
    Inconsistent { file: String, index: usize, name: String, message: String },
    #[error("{file}: {detail}")]
    Store { file: String, detail: String },
}

/// The outcome of one file.
#[derive(Debug, Default)]
pub struct Tally {
    pub passed: usize,
    /// One line per failing scenario: its name, what was expected, what came.
    pub failures: Vec<String>,
}

/// Runs every scenario of the file at `path`, recording through `gateway`.
pub async fn run_file(path: &Path, gateway: &Gateway, keys: &Pseudonymiser) -> Result<Tally, FileError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| FileError::Unreadable { file: file.clone(), detail: e.to_string() })?;
    run_text(&file, &text, gateway, keys).await
}

/// The conformance files built into Ketenpoort: (name, text) of `tests/scenarios/*.yaml`.
pub const BUILT_IN: [(&str, &str); 2] = [
    ("public.yaml", include_str!("../../tests/scenarios/public.yaml")),
    ("edge-cases.yaml", include_str!("../../tests/scenarios/edge-cases.yaml")),
];

/// Runs the built-in conformance files under `policy` (a draft under test).
pub async fn run_built_in(policy: &crate::store::PolicyText) -> Result<Tally, FileError> {
    run_under(policy, &BUILT_IN).await
}

/// Runs scenario texts (name, text) under `policy` (a draft under test), each on a fresh
/// in-memory database: nothing is delivered, nothing reaches the real audit log.
pub async fn run_under(policy: &crate::store::PolicyText, files: &[(&str, &str)]) -> Result<Tally, FileError> {
    let store_error = |e: &dyn std::fmt::Display| FileError::Store { file: "built-in".into(), detail: e.to_string() };
    let mut total = Tally::default();
    for &(name, text) in files {
        let loaded = crate::policy::Policy::load(&policy.model, &policy.rules).await.map_err(|e| store_error(&e))?;
        let store: std::sync::Arc<dyn crate::store::Store> =
            std::sync::Arc::from(crate::store::open("sqlite::memory:").await.map_err(|e| store_error(&e))?);
        let keys = crate::keys::ephemeral().map_err(|e| store_error(&e))?;
        let audit = crate::audit::AuditLog::new(store.clone(), keys.signer.clone(), 1_000);
        let gateway = Gateway::new(store, audit, std::sync::Arc::new(loaded));
        let tally = run_text(name, text, &gateway, &keys.pseudonymiser).await?;
        total.passed += tally.passed;
        total.failures.extend(tally.failures);
    }
    Ok(total)
}

/// Runs every scenario of a scenario text named `file`; every decision is a dry run.
pub async fn run_text(file: &str, text: &str, gateway: &Gateway, keys: &Pseudonymiser) -> Result<Tally, FileError> {
    run_text_as(file, text, gateway, keys, Mode::DryRun).await
}

/// Runs every scenario of a scenario text as real exchanges: what is allowed is delivered and
/// audited as a decision. Builds a history to replay (tests, seeding), never a partner's data.
pub async fn deliver_text(file: &str, text: &str, gateway: &Gateway, keys: &Pseudonymiser) -> Result<Tally, FileError> {
    run_text_as(file, text, gateway, keys, Mode::Deliver).await
}

async fn run_text_as(
    file: &str,
    text: &str,
    gateway: &Gateway,
    keys: &Pseudonymiser,
    mode: Mode,
) -> Result<Tally, FileError> {
    let file = file.to_owned();
    let parsed: ScenarioFile = yaml_serde::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        // The parser appends the location to its message; it is already in front.
        let message = e.to_string();
        let message = message.strip_suffix(&format!(" at line {line} column {column}")).unwrap_or(&message).to_owned();
        FileError::Malformed { file: file.clone(), line, column, message }
    })?;

    let mut orgs: HashMap<String, OrgKind> = HashMap::new();
    for spec in &parsed.orgs {
        orgs.insert(spec.id.clone(), spec.kind);
        let org = Organisation { id: OrgId(spec.id.clone()), kind: spec.kind, name: spec.name.clone(), contact: None };
        gateway.register_org(&org).await.map_err(|e| FileError::Store { file: file.clone(), detail: e.to_string() })?;
    }

    let mut tally = Tally::default();
    for (index, scenario) in parsed.scenarios.iter().enumerate() {
        let inconsistent = |message: String| FileError::Inconsistent {
            file: file.clone(),
            index: index + 1,
            name: scenario.name.clone(),
            message,
        };
        let world = keys.for_world(&format!("{file}#{index}"));
        let came = match run_scenario(scenario, &orgs, gateway, &world, &file, mode).await {
            Ok(decision) => Came::Decision(decision),
            Err(ScenarioError::Input(error)) => Came::Error(error),
            Err(ScenarioError::Facts(message)) => return Err(inconsistent(message)),
            Err(ScenarioError::Gateway(error)) => return Err(inconsistent(error.to_string())),
        };
        if came.meets(&scenario.expect) {
            tally.passed += 1;
        } else {
            tally.failures.push(format!("FAIL {}: expected {}, got {came}", scenario.name, Expected(&scenario.expect)));
        }
    }
    Ok(tally)
}

enum ScenarioError {
    /// The request is bad input: what `expect: { error: … }` tests.
    Input(InputError),
    /// The facts name something the file does not define.
    Facts(String),
    Gateway(ExchangeError),
}

impl From<InputError> for ScenarioError {
    fn from(error: InputError) -> Self {
        ScenarioError::Input(error)
    }
}

impl From<crate::store::StoreError> for ScenarioError {
    fn from(error: crate::store::StoreError) -> Self {
        ScenarioError::Gateway(error.into())
    }
}

async fn run_scenario(
    scenario: &Scenario,
    orgs: &HashMap<String, OrgKind>,
    gateway: &Gateway,
    keys: &Pseudonymiser,
    file: &str,
    mode: Mode,
) -> Result<Decision, ScenarioError> {
    let bsn: Bsn =
        scenario.youth.bsn.parse().map_err(|e: crate::youth::BsnError| InputError::InvalidBsn(e.to_string()))?;
    let request = request_of(scenario, orgs)?;

    let occasion = Occasion::at(scenario.now);
    let youth = gateway.youth(&[keys.pseudonymise(&bsn)], scenario.youth.birth_date, scenario.now).await?;
    record_facts(scenario, orgs, gateway, &youth, file, &occasion).await?;
    let youth = youth.without_facts();

    let actor = Principal {
        account: None,
        org: request.actor.org.clone(),
        org_kind: request.actor.kind,
        role: Some(request.role),
        authenticated_by: Authentication::Scenario { file: file.to_owned() },
    };
    let exchanged =
        gateway.exchange(&actor, &youth, &request, mode, None, &occasion).await.map_err(ScenarioError::Gateway)?;
    Ok(exchanged.decision)
}

/// The request in the closed vocabulary, or the input error a scenario may expect.
fn request_of(scenario: &Scenario, orgs: &HashMap<String, OrgKind>) -> Result<ExchangeRequest, InputError> {
    let spec = &scenario.request;
    let party = |id: &str| {
        orgs.get(id)
            .map(|kind| Party { org: OrgId(id.to_owned()), kind: *kind })
            .ok_or_else(|| InputError::UnknownOrg(id.to_owned()))
    };
    let actor = party(&spec.actor.org)?;
    let role: Role = spec.actor.role.parse().map_err(|_| InputError::invalid_role(&spec.actor.role, actor.kind))?;
    let action: Action = spec.action.parse()?;
    let signal: Signal = spec.signal.parse()?;
    let purpose: Purpose = spec.purpose.parse()?;
    let recipient = spec.to.as_deref().map(party).transpose()?;
    ExchangeRequest::new(actor, role, action, signal, recipient, purpose, spec.justification.clone())
}

async fn record_facts(
    scenario: &Scenario,
    orgs: &HashMap<String, OrgKind>,
    gateway: &Gateway,
    youth: &Youth,
    file: &str,
    occasion: &Occasion,
) -> Result<(), ScenarioError> {
    // Each fact is recorded by the organisation that holds it, as a partner system would.
    let holder = |id: &str| {
        orgs.get(id)
            .map(|kind| Principal {
                account: None,
                org: OrgId(id.to_owned()),
                org_kind: *kind,
                role: None,
                authenticated_by: Authentication::Scenario { file: file.to_owned() },
            })
            .ok_or_else(|| {
                ScenarioError::Facts(format!("the facts name organisation `{id}`, which `orgs` does not define"))
            })
    };
    let known = |id: &String| holder(id).map(|p| p.org);

    for spec in &scenario.involvements {
        let involvement = Involvement {
            withdrawal: None,
            historic_match_sent: false,
            id: new_id(),
            org: known(&spec.org)?,
            registered_at: spec.registered_at,
            expires_at: spec.expires_at.unwrap_or_else(|| default_expiry(spec.registered_at)),
            withdrawn_at: spec.withdrawn_at,
        };
        gateway.record_involvement(&holder(&spec.org)?, youth, involvement, occasion).await?;
    }
    for spec in &scenario.measures {
        let measure = Measure { id: new_id(), org: known(&spec.org)?, from: spec.from, until: spec.until };
        gateway.record_measure(&holder(&spec.org)?, youth, measure, occasion).await?;
    }
    for spec in &scenario.consents {
        let consent = Consent {
            id: new_id(),
            given_by: spec.given_by,
            holder: known(&spec.holder)?,
            recipient_orgs: spec.recipient_orgs.iter().map(known).collect::<Result<_, _>>()?,
            recipient_kinds: spec.recipient_kinds.clone(),
            signals: spec.signals.clone(),
            purposes: spec.purposes.clone(),
            valid_from: spec.valid_from,
            valid_until: spec.valid_until,
            revoked_at: spec.revoked_at,
        };
        gateway.record_consent(&holder(&spec.holder)?, youth, consent, occasion).await?;
    }
    for spec in &scenario.reports {
        let report = Report { from: known(&spec.from)?, to: known(&spec.to)?, at: spec.at };
        gateway.record_report(&holder(&spec.to)?, youth, report, occasion).await?;
    }
    Ok(())
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What a scenario's request came to.
enum Came {
    Decision(Decision),
    Error(InputError),
}

impl Came {
    fn meets(&self, expect: &Expect) -> bool {
        match (self, expect) {
            (Came::Error(error), Expect::Error(code)) => error.code() == code,
            (Came::Decision(d), Expect::Decision { decision, basis, reason, obligations }) => {
                d.decision == *decision
                    && basis.is_none_or(|basis| d.basis == Some(basis))
                    && reason.is_none_or(|reason| d.reason == Some(reason))
                    && obligations.as_ref().is_none_or(|wanted| same_set(wanted, &d.obligations))
            }
            _ => false,
        }
    }
}

fn same_set<T: Ord + Clone>(a: &[T], b: &[T]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

impl fmt::Display for Came {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Came::Error(error) => write!(f, "error {} ({error})", error.code()),
            Came::Decision(d) => {
                write!(f, "{}", d.decision)?;
                if let Some(basis) = d.basis {
                    write!(f, " basis {basis}")?;
                }
                if let Some(reason) = d.reason {
                    write!(f, " reason {reason}")?;
                }
                write!(f, " obligations [{}]", words(&d.obligations))?;
                if !d.matched_rules.is_empty() {
                    write!(f, " rules [{}]", d.matched_rules.join(", "))?;
                }
                Ok(())
            }
        }
    }
}

struct Expected<'a>(&'a Expect);

impl fmt::Display for Expected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Expect::Error(code) => write!(f, "error {code}"),
            Expect::Decision { decision, basis, reason, obligations } => {
                write!(f, "{decision}")?;
                if let Some(basis) = basis {
                    write!(f, " basis {basis}")?;
                }
                if let Some(reason) = reason {
                    write!(f, " reason {reason}")?;
                }
                if let Some(obligations) = obligations {
                    write!(f, " obligations [{}]", words(obligations))?;
                }
                Ok(())
            }
        }
    }
}

fn words<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
