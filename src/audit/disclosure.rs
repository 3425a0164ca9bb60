//! The disclosure report (AVG art. 15): for one youth, every exchange that disclosed something
//! about them and every refusal — who sent what to whom, when, for what and on which basis, or
//! who tried to and why they were refused.
//!
//! Refusals come from three kinds of entry: a refused decision (`decision`), a refused question
//! asked in advance (`dry_run`: the pages ask before they send, so a professional whose answer
//! is refused never gets as far as a `decision`), and a refused look at the youth's case
//! (`case_viewed`). A dry run that was allowed disclosed nothing and is left out: the delivery
//! that may follow is its own `decision`.

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
    /// A refusal of a question asked before sending (a dry run): nothing was sent either way.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub asked_in_advance: bool,
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
    /// An organisation was told that another knew the youth before (its archive, §8).
    HistoricMatch,
    /// An organisation was told that another youth of the family is known to another
    /// organisation (§8).
    FamilyMatch,
    /// An organisation asked to see who is involved with the youth and was refused.
    CaseView,
}

impl Disclosure {
    /// The line an entry makes in the report, if it is an exchange, a match notice or a refusal.
    pub fn of(entry: &AuditEntry, full_detail: bool) -> Option<Disclosure> {
        let refused = entry.decision == Some(Outcome::Deny);
        let kind = match (entry.event, entry.action) {
            (AuditEvent::Decision | AuditEvent::DryRun, Some(Action::Send)) => DisclosureKind::Signal,
            (AuditEvent::Decision | AuditEvent::DryRun, Some(Action::Register)) => DisclosureKind::Registration,
            (AuditEvent::MatchNotice, _) => DisclosureKind::MatchNotice,
            (AuditEvent::HistoricMatch, _) => DisclosureKind::HistoricMatch,
            (AuditEvent::FamilyMatch, _) => DisclosureKind::FamilyMatch,
            (AuditEvent::CaseViewed, _) if refused => DisclosureKind::CaseView,
            _ => return None,
        };
        let asked_in_advance = entry.event == AuditEvent::DryRun;
        if asked_in_advance && !refused {
            return None;
        }
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
            asked_in_advance,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditActor;
    use time::macros::datetime;

    fn entry(event: AuditEvent, action: Option<Action>, decision: Outcome) -> AuditEntry {
        let actor = AuditActor {
            account: Some("family_worker@buurtteam-oost".into()),
            org: Some("buurtteam-oost".into()),
            org_kind: None,
            role: Some(Role::FamilyWorker),
            authenticated_by: "cli".into(),
        };
        let at = datetime!(2026-03-02 9:00 UTC);
        let mut entry = AuditEntry::new(event, actor, at, at, "req".into());
        entry.action = action;
        entry.decision = Some(decision);
        entry
    }

    #[test]
    fn refusals_asked_in_advance_are_in_the_report_and_allowed_questions_are_not() {
        let refused = Disclosure::of(&entry(AuditEvent::DryRun, Some(Action::Send), Outcome::Deny), false).unwrap();
        assert!(refused.asked_in_advance && refused.kind == DisclosureKind::Signal);
        assert_eq!(Disclosure::of(&entry(AuditEvent::DryRun, Some(Action::Send), Outcome::Allow), false), None);
        let sent = Disclosure::of(&entry(AuditEvent::Decision, Some(Action::Send), Outcome::Allow), true).unwrap();
        assert!(!sent.asked_in_advance && sent.from_account.is_some());
    }

    #[test]
    fn a_refused_look_at_the_case_is_in_the_report_and_an_allowed_one_is_not() {
        let refused = Disclosure::of(&entry(AuditEvent::CaseViewed, None, Outcome::Deny), false).unwrap();
        assert_eq!((refused.kind, refused.from_account), (DisclosureKind::CaseView, None));
        assert_eq!(Disclosure::of(&entry(AuditEvent::CaseViewed, None, Outcome::Allow), false), None);
        assert_eq!(Disclosure::of(&entry(AuditEvent::ConsentRecorded, None, Outcome::Allow), false), None);
    }
}
