//! The scenario file formats `ketenpoort-scenarios/1` and `/2` (tests/scenarios/FORMAT.md), as
//! serde types.
//!
//! A file is read twice: once for its `format:` line, then as that version's types, so that a
//! `/1` file is held to exactly the fields of `/1` (with serde's own line and column for a word
//! too many) and a `/2` file may use the life of a registration (ACTION-FRAMEWORK §8): other
//! youths of the family, withdrawal reasons, and timed steps with their notices.
//!
//! Facts use the closed vocabulary directly, so a misspelt word in them is a malformed file
//! with a line and column. The request keeps its words as text: an unknown signal there is what
//! a scenario may test (`expect: { error: unknown_signal }`).

use std::collections::BTreeMap;

use serde::Deserialize;
use time::OffsetDateTime;

use crate::framework::{
    Basis, Consenter, DenyReason, NoticeKind, Obligation, OrgKind, Outcome, Purpose, Signal, WithdrawalReason,
};
use crate::youth::BirthDate;

pub const FORMAT: &str = "ketenpoort-scenarios/1";
/// `/1` and the life of a registration (§8).
pub const FORMAT_2: &str = "ketenpoort-scenarios/2";

/// The name by which steps and notices refer to the scenario's own youth.
pub const THE_YOUTH: &str = "youth";

/// Which version of the format a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    One,
    Two,
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(deserializer)?;
        match tag.as_str() {
            FORMAT => Ok(Version::One),
            FORMAT_2 => Ok(Version::Two),
            _ => Err(serde::de::Error::custom(format!(
                "unsupported format `{tag}`; this runner reads `{FORMAT}` and `{FORMAT_2}`"
            ))),
        }
    }
}

/// A file of either version, its scenarios in the terms of `/2` (of which `/1` is a part).
#[derive(Debug)]
pub struct ScenarioFile {
    pub version: Version,
    pub orgs: Vec<OrgSpec>,
    pub scenarios: Vec<Scenario>,
}

/// A text that is no scenario file: the parser's error, and the version its `format:` line
/// named when it got that far.
pub struct ParseError {
    pub error: yaml_serde::Error,
    pub version: Option<Version>,
}

impl ParseError {
    /// For a `/1` file that uses a field of `/2`: a word on where that field belongs.
    pub fn hint(&self) -> Option<String> {
        let message = self.error.to_string();
        let field = ["steps", "siblings", "withdrawal", "youth"]
            .into_iter()
            .find(|field| message.contains(&format!("unknown field `{field}`")))?;
        (self.version == Some(Version::One)).then(|| format!("`{field}` is a field of `{FORMAT_2}`"))
    }
}

/// Reads a scenario text: its `format:` line first, then the file as that version.
pub fn parse(text: &str) -> Result<ScenarioFile, ParseError> {
    let head: Head = yaml_serde::from_str(text).map_err(|error| ParseError { error, version: None })?;
    let version = head.format;
    parse_as(version, text).map_err(|error| ParseError { error, version: Some(version) })
}

/// Only the `format:` line; the rest is read once the version is known.
#[derive(Deserialize)]
struct Head {
    format: Version,
}

fn parse_as(version: Version, text: &str) -> Result<ScenarioFile, yaml_serde::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, bound(deserialize = "S: Deserialize<'de>"))]
    struct File<S> {
        #[allow(dead_code, reason = "read by `Head`")]
        format: Version,
        #[serde(default)]
        orgs: Vec<OrgSpec>,
        #[serde(default)]
        scenarios: Vec<S>,
    }
    Ok(match version {
        Version::One => {
            let file: File<Scenario1> = yaml_serde::from_str(text)?;
            ScenarioFile {
                version: Version::One,
                orgs: file.orgs,
                scenarios: file.scenarios.into_iter().map(Scenario::from).collect(),
            }
        }
        Version::Two => {
            let file: File<Scenario> = yaml_serde::from_str(text)?;
            ScenarioFile { version: Version::Two, orgs: file.orgs, scenarios: file.scenarios }
        }
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    pub id: String,
    pub kind: OrgKind,
    pub name: String,
}

/// A scenario of `/2`: facts, then steps in time order, then (optionally) one request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// The request's time T; with the request and its expectation, or absent with both.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub now: Option<OffsetDateTime>,
    pub youth: YouthSpec,
    /// Other youths in the same world (a brother, a sister), named in steps by their `id`.
    #[serde(default)]
    pub siblings: Vec<SiblingSpec>,
    #[serde(default)]
    pub involvements: Vec<InvolvementSpec>,
    #[serde(default)]
    pub measures: Vec<MeasureSpec>,
    #[serde(default)]
    pub consents: Vec<ConsentSpec>,
    #[serde(default)]
    pub reports: Vec<ReportSpec>,
    #[serde(default)]
    pub steps: Vec<Step>,
    #[serde(default)]
    pub request: Option<RequestSpec>,
    #[serde(default)]
    pub expect: Option<Expect>,
}

/// A scenario of `/1`: exactly its fields, with `now`, `request` and `expect` required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario1 {
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    now: OffsetDateTime,
    youth: YouthSpec,
    #[serde(default)]
    involvements: Vec<InvolvementSpec1>,
    #[serde(default)]
    measures: Vec<MeasureSpec>,
    #[serde(default)]
    consents: Vec<ConsentSpec>,
    #[serde(default)]
    reports: Vec<ReportSpec>,
    request: RequestSpec,
    expect: Expect,
}

impl From<Scenario1> for Scenario {
    fn from(s: Scenario1) -> Self {
        Scenario {
            name: s.name,
            now: Some(s.now),
            youth: s.youth,
            siblings: Vec::new(),
            involvements: s.involvements.into_iter().map(InvolvementSpec::from).collect(),
            measures: s.measures,
            consents: s.consents,
            reports: s.reports,
            steps: Vec::new(),
            request: Some(s.request),
            expect: Some(s.expect),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YouthSpec {
    /// Text: checking it is part of what a scenario may test.
    pub bsn: String,
    pub birth_date: BirthDate,
}

/// Another youth of the scenario's world (`/2`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiblingSpec {
    pub id: String,
    pub bsn: String,
    pub birth_date: BirthDate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvolvementSpec {
    /// Whose involvement: a sibling's `id`, or absent for the scenario's youth (`/2`).
    #[serde(default)]
    pub youth: Option<String>,
    pub org: String,
    #[serde(with = "time::serde::rfc3339")]
    pub registered_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub withdrawn_at: Option<OffsetDateTime>,
    /// Why it was withdrawn (`/2`); with `withdrawn_at` only.
    #[serde(default)]
    pub withdrawal: Option<WithdrawalReason>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InvolvementSpec1 {
    org: String,
    #[serde(with = "time::serde::rfc3339")]
    registered_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    withdrawn_at: Option<OffsetDateTime>,
}

impl From<InvolvementSpec1> for InvolvementSpec {
    fn from(i: InvolvementSpec1) -> Self {
        InvolvementSpec {
            youth: None,
            org: i.org,
            registered_at: i.registered_at,
            expires_at: i.expires_at,
            withdrawn_at: i.withdrawn_at,
            withdrawal: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    pub org: String,
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentSpec {
    pub given_by: Consenter,
    pub holder: String,
    #[serde(default)]
    pub recipient_orgs: Vec<String>,
    #[serde(default)]
    pub recipient_kinds: Vec<OrgKind>,
    #[serde(default)]
    pub signals: Vec<Signal>,
    #[serde(default)]
    pub purposes: Vec<Purpose>,
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub valid_until: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    pub from: String,
    pub to: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    pub actor: ActorSpec,
    pub action: String,
    pub signal: String,
    #[serde(default)]
    pub to: Option<String>,
    pub purpose: String,
    #[serde(default)]
    pub justification: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorSpec {
    pub org: String,
    pub role: String,
}

/// What a scenario expects: a decision, or an input error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Decision {
        decision: Outcome,
        basis: Option<Basis>,
        reason: Option<DenyReason>,
        obligations: Option<Vec<Obligation>>,
    },
    Error(String),
}

/// The error codes a request may expect: its bad input.
const ERRORS: &[&str] = &[
    "invalid_bsn",
    "invalid_role",
    "unknown_org",
    "unknown_signal",
    "unknown_purpose",
    "unknown_action",
    "invalid_request",
];

/// A decision or an error, as `expect` writes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    decision: Option<Outcome>,
    basis: Option<Basis>,
    reason: Option<DenyReason>,
    obligations: Option<Vec<Obligation>>,
    error: Option<String>,
}

impl Expect {
    /// The expectation `raw` states, with `errors` the codes it may name; `None` when it states
    /// neither a decision nor an error (and so nothing else about them).
    fn of(
        decision: Option<Outcome>,
        basis: Option<Basis>,
        reason: Option<DenyReason>,
        obligations: Option<Vec<Obligation>>,
        error: Option<String>,
        errors: &[&str],
    ) -> Result<Option<Expect>, String> {
        match (decision, error) {
            (Some(_), Some(_)) => Err("expect either a `decision` or an `error`, not both".into()),
            (None, None) if basis.is_some() || reason.is_some() || obligations.is_some() => {
                Err("expect a `decision` (allow | deny) or an `error`".into())
            }
            (None, None) => Ok(None),
            (None, Some(error)) if errors.contains(&error.as_str()) => Ok(Some(Expect::Error(error))),
            (None, Some(error)) => Err(format!("unknown error code `{error}`; allowed: {}", errors.join(", "))),
            (Some(Outcome::Allow), _) if reason.is_some() => Err("an `allow` has a `basis`, not a `reason`".into()),
            (Some(Outcome::Deny), _) if basis.is_some() => Err("a `deny` has a `reason`, not a `basis`".into()),
            (Some(decision), None) => Ok(Some(Expect::Decision { decision, basis, reason, obligations })),
        }
    }
}

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let RawExpect { decision, basis, reason, obligations, error } = RawExpect::deserialize(deserializer)?;
        match Expect::of(decision, basis, reason, obligations, error, ERRORS).map_err(D::Error::custom)? {
            Some(expect) => Ok(expect),
            None => Err(D::Error::custom("expect a `decision` (allow | deny) or an `error`")),
        }
    }
}

/// One thing that happens in a scenario's world at its time (`/2`), for real: a registration
/// delivered with its notices, a withdrawal, a death, a retention run.
#[derive(Debug)]
pub struct Step {
    pub at: OffsetDateTime,
    pub action: StepAction,
    pub expect: StepExpect,
}

#[derive(Debug)]
pub enum StepAction {
    Register(RegisterSpec),
    Withdraw(WithdrawSpec),
    Death(DeathSpec),
    Retention(RetentionSpec),
}

impl StepAction {
    pub fn word(&self) -> &'static str {
        match self {
            StepAction::Register(_) => "register",
            StepAction::Withdraw(_) => "withdraw",
            StepAction::Death(_) => "death",
            StepAction::Retention(_) => "retention",
        }
    }

    /// The youth the step is about (none for a retention run, which is about everyone).
    pub fn youth(&self) -> Option<&str> {
        match self {
            StepAction::Register(s) => Some(s.youth.as_deref().unwrap_or(THE_YOUTH)),
            StepAction::Withdraw(s) => Some(s.youth.as_deref().unwrap_or(THE_YOUTH)),
            StepAction::Death(s) => Some(s.youth.as_deref().unwrap_or(THE_YOUTH)),
            StepAction::Retention(_) => None,
        }
    }

    /// The organisation that acts.
    pub fn org(&self) -> Option<&str> {
        match self {
            StepAction::Register(s) => Some(&s.org),
            StepAction::Withdraw(s) => Some(&s.org),
            StepAction::Death(s) => Some(&s.by),
            StepAction::Retention(_) => None,
        }
    }
}

/// A registration, delivered: `exchange` with the youth's parents named.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterSpec {
    #[serde(default)]
    pub youth: Option<String>,
    pub org: String,
    /// Text, like the request's: a wrong role is what a step may expect.
    pub role: String,
    #[serde(default = "care_coordination")]
    pub purpose: String,
    /// The parents' BSNs, as text.
    #[serde(default)]
    pub parents: Vec<String>,
}

fn care_coordination() -> String {
    Purpose::CareCoordination.as_str().to_owned()
}

/// The organisation withdraws its involvement that runs at the step's time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawSpec {
    #[serde(default)]
    pub youth: Option<String>,
    pub org: String,
    /// Absent: `risk_gone`, the default of §8.
    #[serde(default)]
    pub reason: Option<WithdrawalReason>,
}

/// An organisation records the youth's death.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeathSpec {
    #[serde(default)]
    pub youth: Option<String>,
    pub by: String,
}

/// A retention run at the step's time.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSpec {
    /// Only count what would be destroyed.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a step expects. Without an `expect`, a step must succeed: a registration be allowed.
#[derive(Debug, Default)]
pub struct StepExpect {
    /// A registration's decision, or the error code of a step that is refused.
    pub outcome: Option<Expect>,
    /// A registration: exactly the notices it delivered, to anyone.
    pub notices: Option<Vec<NoticeSpec>>,
    /// A retention run: the counts named (the others are not checked).
    pub destroyed: Option<DestroyedSpec>,
    /// After the step: whether Ketenpoort still knows each youth named.
    pub known: BTreeMap<String, bool>,
}

/// A notice of the reference index: of `kind`, delivered to `to`, naming `names`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeSpec {
    pub kind: NoticeKind,
    pub to: String,
    pub names: String,
    /// The youth the notice is about (`youth` or a sibling's `id`); absent: not checked.
    #[serde(default)]
    pub about: Option<String>,
}

/// A retention run's counts by kind, each optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestroyedSpec {
    pub involvements: Option<u64>,
    pub youths: Option<u64>,
    pub consents: Option<u64>,
    pub measures: Option<u64>,
    pub signals: Option<u64>,
    pub notices: Option<u64>,
    pub reports: Option<u64>,
    pub parents: Option<u64>,
}

/// The error codes of a step, beyond a request's bad input: what the gateway refuses.
const REGISTER_ERRORS: &[&str] =
    &["invalid_bsn", "invalid_role", "unknown_purpose", "already_involved", "invalid_parents"];
const WITHDRAW_ERRORS: &[&str] = &["not_involved"];
const DEATH_ERRORS: &[&str] = &["no_relationship"];

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(with = "time::serde::rfc3339")]
            at: OffsetDateTime,
            register: Option<RegisterSpec>,
            withdraw: Option<WithdrawSpec>,
            death: Option<DeathSpec>,
            retention: Option<RetentionSpec>,
            #[serde(default)]
            expect: Option<RawStepExpect>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawStepExpect {
            decision: Option<Outcome>,
            basis: Option<Basis>,
            reason: Option<DenyReason>,
            obligations: Option<Vec<Obligation>>,
            error: Option<String>,
            notices: Option<Vec<NoticeSpec>>,
            destroyed: Option<DestroyedSpec>,
            #[serde(default)]
            known: BTreeMap<String, bool>,
        }

        let raw = Raw::deserialize(deserializer)?;
        let mut actions: Vec<StepAction> = Vec::new();
        actions.extend(raw.register.map(StepAction::Register));
        actions.extend(raw.withdraw.map(StepAction::Withdraw));
        actions.extend(raw.death.map(StepAction::Death));
        actions.extend(raw.retention.map(StepAction::Retention));
        let action = match (actions.pop(), actions.is_empty()) {
            (Some(action), true) => action,
            _ => return Err(D::Error::custom("a step does one thing: `register`, `withdraw`, `death` or `retention`")),
        };
        let Some(e) = raw.expect else {
            return Ok(Step { at: raw.at, action, expect: StepExpect::default() });
        };
        let word = action.word();
        let only = |field: &str, of: &str| {
            D::Error::custom(format!("`{field}` is expected of a `{of}` step, not of `{word}`"))
        };
        let decided = e.decision.is_some() || e.basis.is_some() || e.reason.is_some() || e.obligations.is_some();
        let errors = match action {
            StepAction::Register(_) => REGISTER_ERRORS,
            StepAction::Withdraw(_) => WITHDRAW_ERRORS,
            StepAction::Death(_) => DEATH_ERRORS,
            StepAction::Retention(_) => &[],
        };
        if decided && !matches!(action, StepAction::Register(_)) {
            return Err(only("decision", "register"));
        }
        if e.error.is_some() && errors.is_empty() {
            return Err(D::Error::custom(format!("a `{word}` step is never refused: it expects no `error`")));
        }
        if e.notices.is_some() && !matches!(action, StepAction::Register(_)) {
            return Err(only("notices", "register"));
        }
        if e.destroyed.is_some() && !matches!(action, StepAction::Retention(_)) {
            return Err(only("destroyed", "retention"));
        }
        let outcome =
            Expect::of(e.decision, e.basis, e.reason, e.obligations, e.error, errors).map_err(D::Error::custom)?;
        let expect = StepExpect { outcome, notices: e.notices, destroyed: e.destroyed, known: e.known };
        Ok(Step { at: raw.at, action, expect })
    }
}
