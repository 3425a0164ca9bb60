//! Request and response bodies of `/api/v1`, documented in the OpenAPI document.
//!
//! Words of the framework arrive as text and are checked by the domain, so that an unknown
//! signal is `422 unknown_signal`, not a generic parse error.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::framework::Decision;
use crate::store::{Answer, Organisation};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// The youth's BSN: nine digits passing the elfproef. Never stored or returned.
    pub bsn: String,
    /// `YYYY-MM-DD`; needed when Ketenpoort does not know the youth yet.
    pub birth_date: Option<String>,
    pub purpose: String,
    /// The BSNs of the youth's parents (at most four), for the family match: checked,
    /// pseudonymised like the youth's, never stored in clear nor returned.
    #[serde(default)]
    pub parents: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WithdrawQuery {
    /// Why: `risk_gone` (the default; archived for five years for the historic match),
    /// `unjustified` or `objection` (neither archived).
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalBody {
    pub bsn: String,
    pub birth_date: Option<String>,
    pub signal: String,
    /// The recipient organisation's id.
    pub to: String,
    pub purpose: String,
    /// Required for a `safety_concern` (reporting code); stored for the privacy officer, never delivered.
    pub justification: Option<String>,
    /// The id of the feedback or contact request this signal answers.
    pub in_reply_to: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    pub bsn: String,
    pub birth_date: Option<String>,
    /// `youth` or `parent`.
    pub given_by: String,
    #[serde(default)]
    pub recipient_orgs: Vec<String>,
    #[serde(default)]
    pub recipient_kinds: Vec<String>,
    pub signals: Vec<String>,
    pub purposes: Vec<String>,
    /// RFC 3339.
    pub valid_from: String,
    pub valid_until: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureBody {
    pub bsn: String,
    pub birth_date: Option<String>,
    /// RFC 3339; defaults to now.
    pub from: Option<String>,
    pub until: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseBody {
    pub bsn: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseLeadBody {
    pub bsn: String,
    /// The organisation that is to lead: your own to take the lead, another to hand it over.
    pub org: String,
}

#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// The `next` cursor of the previous page; 0 or absent for the start.
    #[serde(default, deserialize_with = "cursor")]
    pub after: Option<u64>,
    /// At most 200; default 50.
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A cursor (`after`): a sequence number as the document declares it, a 64-bit signed integer
/// that is not negative; anything larger was never handed out.
pub fn cursor<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<u64>::deserialize(deserializer)?;
    match value {
        Some(after) if i64::try_from(after).is_err() => {
            Err(serde::de::Error::custom("a cursor is at most 9223372036854775807"))
        }
        _ => Ok(value),
    }
}

/// §6: the decision, with the reason in plain words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionBody {
    /// `allow` or `deny`.
    pub decision: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub matched_rules: Vec<String>,
    pub policy_version: String,
    pub obligations: Vec<String>,
    /// Why, and what would make it possible.
    pub message: String,
}

impl DecisionBody {
    pub fn new(decision: &Decision, message: String) -> Self {
        DecisionBody {
            decision: decision.decision.to_string(),
            basis: decision.basis.map(|b| b.to_string()),
            reason: decision.reason.map(|r| r.to_string()),
            matched_rules: decision.matched_rules.clone(),
            policy_version: decision.policy_version.clone(),
            obligations: decision.obligations.iter().map(ToString::to_string).collect(),
            message,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgBody {
    pub id: String,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

impl From<&Organisation> for OrgBody {
    fn from(org: &Organisation) -> Self {
        OrgBody {
            id: org.id.0.clone(),
            kind: org.kind.to_string(),
            name: org.name.clone(),
            contact: org.contact.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredBody {
    /// The involvement's id (to withdraw it).
    pub id: String,
    /// Your organisation's reference for this youth, as it appears in your inbox.
    pub case_ref: String,
    pub decision: DecisionBody,
    /// The organisations already involved: each got a match notice, and so did you.
    pub matches: Vec<OrgBody>,
    /// The organisations whose archive knew this youth: each got a historic match notice, and
    /// so did you; once per archived involvement.
    pub historic_matches: Vec<OrgBody>,
    /// The organisations involved with another youth of the same family: each got a family
    /// match notice, and so did you. Nothing about that youth is told.
    pub family_matches: Vec<OrgBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SentBody {
    /// The delivered signal's id (answers refer to it with `in_reply_to`).
    pub id: String,
    pub case_ref: String,
    pub decision: DecisionBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DryRunBody {
    pub decision: DecisionBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedBody {
    /// The recorded fact's id.
    pub id: String,
    pub case_ref: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DoneBody {
    pub id: String,
    /// What was done: `withdrawn`, `revoked`, `ended`, `case_lead_changed`, `death_recorded`.
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerBody {
    pub id: String,
    pub signal: String,
    pub from: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub delivered_at: OffsetDateTime,
}

impl From<&Answer> for AnswerBody {
    fn from(answer: &Answer) -> Self {
        AnswerBody {
            id: answer.id.clone(),
            signal: answer.signal.to_string(),
            from: answer.from_org.0.clone(),
            delivered_at: answer.delivered_at,
        }
    }
}

/// One item of an inbox: a signal, or a notice of the reference index.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItemBody {
    /// Pass the last item's cursor as `after` for the next page.
    pub cursor: u64,
    /// `signal`; or a notice of the reference index naming another organisation in `from`:
    /// `match_notice` (it is involved too), `historic_match` (it was involved before: its
    /// archive) or `family_match` (it is involved with another youth of this family; nothing
    /// about that youth is told).
    pub kind: &'static str,
    pub id: String,
    pub case_ref: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub delivered_at: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The sending organisation (signals) or the other involved organisation (match notices).
    pub from: OrgBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    /// For a feedback or contact request: the answers sent so far.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<AnswerBody>,
    /// For a match notice: the case lead, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_lead: Option<String>,
    /// For a historic match: `registrant` (your organisation registered; `from` knew the youth
    /// before) or `archive` (your organisation knew the youth before; `from` is involved now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<&'static str>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxBody {
    pub items: Vec<InboxItemBody>,
    /// The cursor for the next page; absent when this page is the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadBody {
    pub id: String,
    pub signal: String,
    pub from: String,
    pub to: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub delivered_at: OffsetDateTime,
    pub answers: Vec<AnswerBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseViewBody {
    pub case_ref: String,
    /// The organisations with a relationship to the youth now.
    pub involved: Vec<OrgBody>,
    /// The case lead (regievoerder), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_lead: Option<String>,
    /// The feedback and contact requests your organisation sent or received, with answers.
    pub threads: Vec<ThreadBody>,
}
