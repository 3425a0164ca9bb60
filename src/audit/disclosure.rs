//! The disclosure report (AVG art. 15): for one youth, every exchange that disclosed something
//! about them and every refusal — who sent what to whom, when, for what and on which basis.

use time::OffsetDateTime;

use super::{AuditEntry, AuditEvent};
use crate::framework::{Action, Basis, DenyReason, Outcome, Purpose, Role, Signal};

/// One line of the report. A professional appears as organisation and role; their account only
/// when the auditor asks for full detail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Disclosure {
    /// The audit entry it comes from.
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub from_org: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_account: Option<String>,
    /// Absent for a registration in the reference index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_org: Option<String>,
    pub kind: DisclosureKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<Signal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    pub decision: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<DenyReason>,
}

/// What kind of line it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureKind {
    /// A signal sent to an organisation (or refused).
    Signal,
    /// An organisation registered its involvement in the reference index (or was refused).
    Registration,
    /// An organisation was told that another is involved too.
    MatchNotice,
}

impl Disclosure {
    /// The line an entry makes in the report, if it is an exchange or a match notice.
    pub fn of(entry: &AuditEntry, full_detail: bool) -> Option<Disclosure> {
        let kind = match (entry.event, entry.action) {
            (AuditEvent::Decision, Some(Action::Send)) => DisclosureKind::Signal,
            (AuditEvent::Decision, Some(Action::Register)) => DisclosureKind::Registration,
            (AuditEvent::MatchNotice, _) => DisclosureKind::MatchNotice,
            _ => return None,
        };
        Some(Disclosure {
            seq: entry.seq,
            at: entry.at,
            from_org: entry.actor.org.clone().unwrap_or_default(),
            from_role: entry.actor.role,
            from_account: entry.actor.account.clone().filter(|_| full_detail),
            to_org: entry.recipient_org.clone(),
            kind,
            signal: entry.signal,
            purpose: entry.purpose,
            decision: entry.decision?,
            basis: entry.basis,
            reason: entry.reason,
        })
    }
}
