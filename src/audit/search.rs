//! What an auditor may see of the log and how they ask for it: a scope, filters, an order and a
//! cursor. The store turns an [`AuditQuery`] into one indexed query; the scope is never left to
//! the caller's filters.

use time::OffsetDateTime;

use super::AuditEvent;
use crate::framework::{Action, AdminAction, Basis, DenyReason, OrgId, Outcome, Purpose, Role, Signal};
use crate::youth::Pseudonym;

/// Entries per page unless asked otherwise, and at most.
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

/// The part of the log one auditor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditScope {
    /// The gateway operator's auditors: every entry.
    All,
    /// Entries where this organisation acted or received.
    Org(OrgId),
}

/// Refused: only auditors read the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("only an auditor may read the audit log")]
pub struct NotAnAuditor;

impl AuditScope {
    /// The scope of an account with `role` at `org`; `operator` is the organisation that runs
    /// the gateway, whose auditors see everything.
    pub fn of(role: Option<Role>, org: &OrgId, operator: Option<&OrgId>) -> Result<AuditScope, NotAnAuditor> {
        match role {
            Some(role) if role.may(AdminAction::ReadAudit) => {
                Ok(if operator == Some(org) { AuditScope::All } else { AuditScope::Org(org.clone()) })
            }
            _ => Err(NotAnAuditor),
        }
    }

    /// Whether an entry lies within the scope.
    pub fn covers(&self, entry: &super::AuditEntry) -> bool {
        match self {
            AuditScope::All => true,
            AuditScope::Org(org) => {
                entry.actor.org.as_deref() == Some(org.0.as_str()) || entry.recipient_org.as_deref() == Some(&org.0)
            }
        }
    }
}

/// Filters an auditor combines; each one given narrows the search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The youth, pseudonymised by the server from BSN and birth date.
    pub youth: Option<Pseudonym>,
    /// An organisation, as actor or recipient.
    pub org: Option<OrgId>,
    pub account: Option<String>,
    pub event: Option<AuditEvent>,
    pub action: Option<Action>,
    pub signal: Option<Signal>,
    pub purpose: Option<Purpose>,
    pub decision: Option<Outcome>,
    pub basis: Option<Basis>,
    pub reason: Option<DenyReason>,
    pub policy_version: Option<String>,
    /// From this time on (inclusive).
    pub from: Option<OffsetDateTime>,
    /// Before this time (exclusive).
    pub until: Option<OffsetDateTime>,
}

impl AuditFilter {
    /// The filters in words, for the audit entry of a search: never a BSN, at most a pseudonym
    /// (which the entry keeps in its youth column instead).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                parts.push(format!("{name}={value}"));
            }
        };
        add("youth", self.youth.as_ref().map(|_| "given".to_owned()));
        add("org", self.org.as_ref().map(|o| o.0.clone()));
        add("account", self.account.clone());
        add("event", self.event.map(|e| e.as_str().to_owned()));
        add("action", self.action.map(|a| a.as_str().to_owned()));
        add("signal", self.signal.map(|s| s.as_str().to_owned()));
        add("purpose", self.purpose.map(|p| p.as_str().to_owned()));
        add("decision", self.decision.map(|d| d.as_str().to_owned()));
        add("basis", self.basis.map(|b| b.as_str().to_owned()));
        add("reason", self.reason.map(|r| r.as_str().to_owned()));
        add("policy_version", self.policy_version.clone());
        add("from", self.from.map(|t| t.to_string()));
        add("until", self.until.map(|t| t.to_string()));
        if parts.is_empty() { "everything".to_owned() } else { parts.join(" ") }
    }
}

/// Newest first (what an auditor usually wants) or oldest first (exports, reports).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// One page of a search: the entries after the cursor `after` (a sequence number) in `order`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub scope: AuditScope,
    pub filter: AuditFilter,
    pub order: Order,
    pub after: Option<u64>,
    pub limit: u32,
}

/// A search as typed in a form or a query string: every field text, empty meaning "any".
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams, utoipa::ToSchema, clap::Args)]
#[into_params(parameter_in = Query)]
pub struct SearchFields {
    /// The youth's BSN (with `birth_date`); the server pseudonymises it and stores it nowhere.
    #[serde(default)]
    #[arg(long)]
    pub bsn: Option<String>,
    /// The youth's birth date, `YYYY-MM-DD`, checked against the youth Ketenpoort knows.
    #[serde(default)]
    #[arg(long)]
    pub birth_date: Option<String>,
    /// An organisation id, as actor or recipient.
    #[serde(default)]
    #[arg(long)]
    pub org: Option<String>,
    #[serde(default)]
    #[arg(long)]
    pub account: Option<String>,
    #[serde(default)]
    #[arg(long)]
    pub event: Option<String>,
    #[serde(default)]
    #[arg(long)]
    pub action: Option<String>,
    #[serde(default)]
    #[arg(long)]
    pub signal: Option<String>,
    #[serde(default)]
    #[arg(long)]
    pub purpose: Option<String>,
    #[serde(default)]
    #[arg(long)]
    pub decision: Option<String>,
    #[serde(default)]
    #[arg(long)]
    pub basis: Option<String>,
    #[serde(default)]
    #[arg(long)]
    pub reason: Option<String>,
    #[serde(default)]
    #[arg(long)]
    pub policy_version: Option<String>,
    /// From this time (a date `YYYY-MM-DD` from midnight UTC, or RFC 3339), inclusive.
    #[serde(default)]
    #[arg(long)]
    pub from: Option<String>,
    /// Until this time (a date: through that day), exclusive.
    #[serde(default)]
    #[arg(long)]
    pub until: Option<String>,
}

/// A field of a search that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("{0}")]
    Word(#[from] crate::framework::VocabularyError),
    #[error("invalid BSN: {0}")]
    Bsn(String),
    #[error("a youth is searched by BSN and birth date together")]
    YouthIncomplete,
    #[error("`{0}` is not a date (YYYY-MM-DD) or an RFC 3339 time")]
    Time(String),
}

impl SearchError {
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::Word(error) => crate::framework::InputError::from(error.clone()).code(),
            SearchError::Bsn(_) => "invalid_bsn",
            SearchError::YouthIncomplete | SearchError::Time(_) => "invalid_request",
        }
    }
}

fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|value| !value.is_empty())
}

fn word<T: std::str::FromStr<Err = crate::framework::VocabularyError>>(
    field: &Option<String>,
) -> Result<Option<T>, SearchError> {
    given(field).map(str::parse).transpose().map_err(SearchError::Word)
}

/// A date means its midnight UTC, or for an end the midnight after it (through that day).
fn time_of(field: &Option<String>, end: bool) -> Result<Option<OffsetDateTime>, SearchError> {
    let Some(text) = given(field) else { return Ok(None) };
    let day = if end { crate::clock::DayEnd::After } else { crate::clock::DayEnd::Start };
    crate::clock::parse_instant(text, day).map(Some).ok_or_else(|| SearchError::Time(text.to_owned()))
}

impl SearchFields {
    /// The youth named by BSN and birth date, if any: (BSN, birth date) parsed.
    pub fn youth(&self) -> Result<Option<(crate::youth::Bsn, crate::youth::BirthDate)>, SearchError> {
        match (given(&self.bsn), given(&self.birth_date)) {
            (None, None) => Ok(None),
            (Some(bsn), Some(birth)) => {
                let bsn = bsn.parse().map_err(|e: crate::youth::BsnError| SearchError::Bsn(e.to_string()))?;
                let birth = birth.parse().map_err(|_| SearchError::Time("birth_date".to_owned()))?; // not the date sent
                Ok(Some((bsn, birth)))
            }
            _ => Err(SearchError::YouthIncomplete),
        }
    }

    /// The filter, with the youth already pseudonymised by the caller.
    pub fn filter(&self, youth: Option<Pseudonym>) -> Result<AuditFilter, SearchError> {
        Ok(AuditFilter {
            youth,
            org: given(&self.org).map(OrgId::from),
            account: given(&self.account).map(str::to_owned),
            event: word(&self.event)?,
            action: word(&self.action)?,
            signal: word(&self.signal)?,
            purpose: word(&self.purpose)?,
            decision: word(&self.decision)?,
            basis: word(&self.basis)?,
            reason: word(&self.reason)?,
            policy_version: given(&self.policy_version).map(str::to_owned),
            from: time_of(&self.from, false)?,
            until: time_of(&self.until, true)?,
        })
    }
}
