//! The scenario file format `ketenpoort-scenarios/1` (tests/scenarios/FORMAT.md), as serde types.
//!
//! Facts use the closed vocabulary directly, so a misspelt word in them is a malformed file
//! with a line and column. The request keeps its words as text: an unknown signal there is what
//! a scenario may test (`expect: { error: unknown_signal }`).

use serde::Deserialize;
use time::OffsetDateTime;

use crate::framework::{Basis, Consenter, DenyReason, Obligation, OrgKind, Outcome, Purpose, Signal};
use crate::youth::BirthDate;

pub const FORMAT: &str = "ketenpoort-scenarios/1";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    #[allow(dead_code, reason = "checked while parsing")]
    pub format: FormatTag,
    #[serde(default)]
    pub orgs: Vec<OrgSpec>,
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
}

/// The `format:` line; any other value is refused where it stands.
#[derive(Debug)]
pub struct FormatTag;

impl<'de> Deserialize<'de> for FormatTag {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(deserializer)?;
        if tag == FORMAT {
            Ok(FormatTag)
        } else {
            Err(serde::de::Error::custom(format!("unsupported format `{tag}`; this runner reads `{FORMAT}`")))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    pub id: String,
    pub kind: OrgKind,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub now: OffsetDateTime,
    pub youth: YouthSpec,
    #[serde(default)]
    pub involvements: Vec<InvolvementSpec>,
    #[serde(default)]
    pub measures: Vec<MeasureSpec>,
    #[serde(default)]
    pub consents: Vec<ConsentSpec>,
    #[serde(default)]
    pub reports: Vec<ReportSpec>,
    pub request: RequestSpec,
    pub expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YouthSpec {
    /// Text: checking it is part of what a scenario may test.
    pub bsn: String,
    pub birth_date: BirthDate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvolvementSpec {
    pub org: String,
    #[serde(with = "time::serde::rfc3339")]
    pub registered_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub withdrawn_at: Option<OffsetDateTime>,
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

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            decision: Option<Outcome>,
            basis: Option<Basis>,
            reason: Option<DenyReason>,
            obligations: Option<Vec<Obligation>>,
            error: Option<String>,
        }
        const ERRORS: &[&str] = &[
            "invalid_bsn",
            "invalid_role",
            "unknown_org",
            "unknown_signal",
            "unknown_purpose",
            "unknown_action",
            "invalid_request",
        ];
        use serde::de::Error;
        let raw = Raw::deserialize(deserializer)?;
        match (raw.decision, raw.error) {
            (Some(_), Some(_)) => Err(D::Error::custom("expect either a `decision` or an `error`, not both")),
            (None, None) => Err(D::Error::custom("expect a `decision` (allow | deny) or an `error`")),
            (None, Some(error)) if ERRORS.contains(&error.as_str()) => Ok(Expect::Error(error)),
            (None, Some(error)) => {
                Err(D::Error::custom(format!("unknown error code `{error}`; allowed: {}", ERRORS.join(", "))))
            }
            (Some(Outcome::Allow), _) if raw.reason.is_some() => {
                Err(D::Error::custom("an `allow` has a `basis`, not a `reason`"))
            }
            (Some(Outcome::Deny), _) if raw.basis.is_some() => {
                Err(D::Error::custom("a `deny` has a `reason`, not a `basis`"))
            }
            (Some(decision), None) => {
                Ok(Expect::Decision { decision, basis: raw.basis, reason: raw.reason, obligations: raw.obligations })
            }
        }
    }
}
