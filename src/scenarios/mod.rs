//! The conformance scenario runner: `ketenpoort scenarios run FILE…`.
//!
//! Each scenario's facts are recorded through the real store by the [`Gateway`], and its
//! request is decided by the real `framework::decide` as a dry run, audited like any other
//! decision. Scenarios are independent worlds that reuse the same BSN with other facts, so each
//! pseudonymises its youth under a key derived for that scenario alone.
//!
//! A scenario with steps (`ketenpoort-scenarios/2`, the life of a registration) runs them for
//! real, in time order: registrations delivered with their notices, withdrawals, deaths and
//! retention runs. Because a retention run destroys whatever is due in the whole database, such
//! a scenario runs on a database of its own, in memory, under the same policy: it destroys
//! nothing of another scenario's, nor of a database the runner was given.

mod format;
mod steps;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use format::{Expect, Scenario, Version};

use crate::exchange::{ExchangeError, Gateway, Mode, Occasion, Youth};
use crate::framework::{
    Action, Consent, Decision, ExchangeRequest, InputError, Involvement, Measure, OrgId, OrgKind, Party, Purpose,
    Report, Role, Signal, default_expiry,
};
use crate::store::Organisation;
use crate::youth::{Bsn, Pseudonymiser};

use steps::World;

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
pub const BUILT_IN: [(&str, &str); 3] = [
    ("public.yaml", include_str!("../../tests/scenarios/public.yaml")),
    ("edge-cases.yaml", include_str!("../../tests/scenarios/edge-cases.yaml")),
    ("lifecycle.yaml", include_str!("../../tests/scenarios/lifecycle.yaml")),
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
    let parsed = format::parse(text).map_err(|e| {
        let (line, column) = e.error.location().map_or((0, 0), |l| (l.line(), l.column()));
        // The parser appends the location to its message; it is already in front.
        let message = e.error.to_string();
        let mut message =
            message.strip_suffix(&format!(" at line {line} column {column}")).unwrap_or(&message).to_owned();
        if let Some(hint) = e.hint() {
            message = format!("{message} ({hint})");
        }
        FileError::Malformed { file: file.clone(), line, column, message }
    })?;
    let store_error = |e: &dyn fmt::Display| FileError::Store { file: file.clone(), detail: e.to_string() };

    let mut orgs: HashMap<String, OrgKind> = HashMap::new();
    let mut listed = Vec::new();
    for spec in &parsed.orgs {
        orgs.insert(spec.id.clone(), spec.kind);
        let org = Organisation { id: OrgId(spec.id.clone()), kind: spec.kind, name: spec.name.clone(), contact: None };
        gateway.register_org(&org).await.map_err(|e| store_error(&e))?;
        listed.push(org);
    }

    let mut tally = Tally::default();
    for (index, scenario) in parsed.scenarios.iter().enumerate() {
        let inconsistent = |message: String| FileError::Inconsistent {
            file: file.clone(),
            index: index + 1,
            name: scenario.name.clone(),
            message,
        };
        check(scenario, parsed.version, &orgs).map_err(inconsistent)?;
        let world = keys.for_world(&format!("{file}#{index}"));
        // Steps run on a database of their own (see the top of this file).
        let own = if scenario.steps.is_empty() {
            None
        } else {
            Some(steps::own_gateway(gateway, &listed).await.map_err(|e| store_error(&e))?)
        };
        let on = own.as_ref().unwrap_or(gateway);
        let verdict = match run_scenario(scenario, &orgs, on, &world, &file, mode).await {
            Ok(verdict) => verdict,
            Err(ScenarioError::Facts(message)) => return Err(inconsistent(message)),
            Err(ScenarioError::Gateway(error)) => return Err(inconsistent(error.to_string())),
        };
        // §8: destruction leaves the audit log intact.
        let verdict = match (verdict, &own) {
            (None, Some(own)) => steps::broken_log(own).await.map_err(|e| store_error(&e))?,
            (verdict, _) => verdict,
        };
        match verdict {
            None => tally.passed += 1,
            Some(detail) => tally.failures.push(format!("FAIL {}: {detail}", scenario.name)),
        }
    }
    Ok(tally)
}

/// What the types cannot say: `now`, `request` and `expect` go together (`/2`), the youths
/// and organisations named exist, the steps are in time order.
fn check(scenario: &Scenario, version: Version, orgs: &HashMap<String, OrgKind>) -> Result<(), String> {
    if version == Version::One {
        return Ok(()); // Its types say it all.
    }
    match (&scenario.now, &scenario.request, &scenario.expect) {
        (Some(_), Some(_), Some(_)) => {}
        (None, None, None) if !scenario.steps.is_empty() => {}
        (None, None, None) => return Err("a scenario has `steps`, or `now`, `request` and `expect`, or both".into()),
        _ => return Err("`now`, `request` and `expect` go together: all three or none".into()),
    }
    let mut youths = vec![format::THE_YOUTH];
    let mut bsns = vec![scenario.youth.bsn.as_str()];
    for sibling in &scenario.siblings {
        if youths.contains(&sibling.id.as_str()) {
            return Err(format!(
                "the youth id `{}` is taken: `youth` is the scenario's youth, ids are unique",
                sibling.id
            ));
        }
        sibling.bsn.parse::<Bsn>().map_err(|e| format!("sibling `{}`: {e}", sibling.id))?;
        if bsns.contains(&sibling.bsn.as_str()) {
            return Err(format!("sibling `{}` has the BSN of another youth of the scenario", sibling.id));
        }
        youths.push(&sibling.id);
        bsns.push(&sibling.bsn);
    }
    let youth = |name: &str| {
        if youths.contains(&name) {
            Ok(())
        } else {
            Err(format!("`{name}` is no youth of this scenario: `youth` or a sibling's id"))
        }
    };
    let org = |id: &str| {
        if orgs.contains_key(id) {
            Ok(())
        } else {
            Err(format!("the scenario names organisation `{id}`, which `orgs` does not define"))
        }
    };
    for involvement in &scenario.involvements {
        if let Some(name) = &involvement.youth {
            youth(name)?;
        }
        if involvement.withdrawal.is_some() && involvement.withdrawn_at.is_none() {
            return Err(format!("an involvement of `{}` names a `withdrawal` without `withdrawn_at`", involvement.org));
        }
    }
    for (n, step) in scenario.steps.iter().enumerate() {
        if n > 0 && step.at < scenario.steps[n - 1].at {
            return Err(format!("the steps are in time order: step {} comes before step {n}", n + 1));
        }
        if let Some(name) = step.action.youth() {
            youth(name)?;
        }
        if let Some(id) = step.action.org() {
            org(id)?;
        }
        for notice in step.expect.notices.iter().flatten() {
            org(&notice.to)?;
            org(&notice.names)?;
            if let Some(name) = &notice.about {
                youth(name)?;
            }
        }
        for name in step.expect.known.keys() {
            youth(name)?;
        }
    }
    Ok(())
}

enum ScenarioError {
    /// The facts name something the file does not define.
    Facts(String),
    Gateway(ExchangeError),
}

impl From<crate::store::StoreError> for ScenarioError {
    fn from(error: crate::store::StoreError) -> Self {
        ScenarioError::Gateway(error.into())
    }
}

/// Runs one scenario: `None` when it holds, else what was expected and what came.
async fn run_scenario(
    scenario: &Scenario,
    orgs: &HashMap<String, OrgKind>,
    gateway: &Gateway,
    keys: &Pseudonymiser,
    file: &str,
    mode: Mode,
) -> Result<Option<String>, ScenarioError> {
    // A request that is bad input is answered before anything is recorded.
    let bsn: Result<Bsn, InputError> =
        scenario.youth.bsn.parse().map_err(|e: crate::youth::BsnError| InputError::InvalidBsn(e.to_string()));
    let request = match (&scenario.now, &scenario.request, &scenario.expect) {
        (Some(now), Some(spec), Some(expect)) => match bsn.clone().and_then(|_| request_of(spec, orgs)) {
            Ok(request) => Some((*now, request, expect)),
            Err(error) => return Ok(verdict(&Came::error(&error), expect)),
        },
        _ => None,
    };
    let bsn = bsn.map_err(|e| ScenarioError::Facts(format!("the youth's BSN: {e}")))?;

    // The facts are recorded, and the youths they name enrolled, at `now` as in version 1; with
    // steps at the scenario's first moment, since a retention run spares a youth enrolled less
    // than a day before it. A youth without facts is enrolled by the first step about them.
    let first = match (scenario.now, scenario.steps.is_empty()) {
        (Some(now), true) => now,
        _ => scenario
            .steps
            .iter()
            .map(|s| s.at)
            .chain(scenario.now)
            .chain(scenario.involvements.iter().map(|i| i.registered_at))
            .chain(scenario.measures.iter().map(|m| m.from))
            .chain(scenario.consents.iter().map(|c| c.valid_from))
            .chain(scenario.reports.iter().map(|r| r.at))
            .min()
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    };
    let mut world = World::new(scenario, bsn, keys, orgs, gateway, file)?;
    record_facts(scenario, &mut world, first).await?;

    for (n, step) in scenario.steps.iter().enumerate() {
        if let Some(detail) = world.run_step(step).await? {
            return Ok(Some(format!("step {} ({}): {detail}", n + 1, steps::describe(step))));
        }
    }

    let Some((now, request, expect)) = request else { return Ok(None) };
    let youth = world.youth(format::THE_YOUTH, now).await?;
    let actor = world.principal(&request.actor, Some(request.role));
    let occasion = Occasion::at(now);
    let exchanged =
        gateway.exchange(&actor, &youth, &request, mode, None, &occasion).await.map_err(ScenarioError::Gateway)?;
    Ok(verdict(&Came::Decision(exchanged.decision), expect))
}

/// `None` when `came` meets `expect`, else the failure's words.
fn verdict(came: &Came, expect: &Expect) -> Option<String> {
    (!came.meets(expect)).then(|| format!("expected {}, got {came}", Expected(expect)))
}

/// The request in the closed vocabulary, or the input error a scenario may expect.
fn request_of(spec: &format::RequestSpec, orgs: &HashMap<String, OrgKind>) -> Result<ExchangeRequest, InputError> {
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
    world: &mut World<'_>,
    at: time::OffsetDateTime,
) -> Result<(), ScenarioError> {
    let occasion = Occasion::at(at);
    let gateway = world.gateway();
    // Each fact is recorded by the organisation that holds it, as a partner system would.
    for spec in &scenario.involvements {
        let youth = world.youth(spec.youth.as_deref().unwrap_or(format::THE_YOUTH), at).await?;
        let involvement = Involvement {
            withdrawal: spec.withdrawal,
            historic_match_sent: false,
            id: new_id(),
            org: world.known(&spec.org)?,
            registered_at: spec.registered_at,
            expires_at: spec.expires_at.unwrap_or_else(|| default_expiry(spec.registered_at)),
            withdrawn_at: spec.withdrawn_at,
        };
        gateway.record_involvement(&world.holder(&spec.org)?, &youth, involvement, &occasion).await?;
    }
    if scenario.measures.is_empty() && scenario.consents.is_empty() && scenario.reports.is_empty() {
        return Ok(());
    }
    let youth: Youth = world.youth(format::THE_YOUTH, at).await?;
    for spec in &scenario.measures {
        let measure = Measure { id: new_id(), org: world.known(&spec.org)?, from: spec.from, until: spec.until };
        gateway.record_measure(&world.holder(&spec.org)?, &youth, measure, &occasion).await?;
    }
    for spec in &scenario.consents {
        let consent = Consent {
            id: new_id(),
            given_by: spec.given_by,
            holder: world.known(&spec.holder)?,
            recipient_orgs: spec.recipient_orgs.iter().map(|id| world.known(id)).collect::<Result<_, _>>()?,
            recipient_kinds: spec.recipient_kinds.clone(),
            signals: spec.signals.clone(),
            purposes: spec.purposes.clone(),
            valid_from: spec.valid_from,
            valid_until: spec.valid_until,
            revoked_at: spec.revoked_at,
        };
        gateway.record_consent(&world.holder(&spec.holder)?, &youth, consent, &occasion).await?;
    }
    for spec in &scenario.reports {
        let report = Report { from: world.known(&spec.from)?, to: world.known(&spec.to)?, at: spec.at };
        gateway.record_report(&world.holder(&spec.to)?, &youth, report, &occasion).await?;
    }
    Ok(())
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What a request or a step came to.
enum Came {
    Decision(Decision),
    /// Bad input, or a step the gateway refused: its code and why.
    Error {
        code: String,
        message: String,
    },
    /// A step done.
    Done,
}

impl Came {
    fn error(error: &InputError) -> Came {
        Came::Error { code: error.code().to_owned(), message: error.to_string() }
    }

    fn meets(&self, expect: &Expect) -> bool {
        match (self, expect) {
            (Came::Error { code, .. }, Expect::Error(wanted)) => code == wanted,
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
            Came::Error { code, message } => write!(f, "error {code} ({message})"),
            Came::Done => f.write_str("done"),
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
