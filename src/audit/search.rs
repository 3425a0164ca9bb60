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
    pub fn of(role: Option<Role>, org: &OrgId, operator: Option<&str>) -> Result<AuditScope, NotAnAuditor> {
        match role {
            Some(role) if role.may(AdminAction::ReadAudit) => {
                Ok(if operator == Some(org.0.as_str()) { AuditScope::All } else { AuditScope::Org(org.clone()) })
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
