//! One audit entry (DESIGN.md "Audit", after NEN 7513 and FHIR AuditEvent), and its canonical
//! bytes: the exact input of the hash chain.
//!
//! # Canonical encoding, version 1
//!
//! `canonical_bytes` is the ASCII tag `ketenpoort-audit-entry/1` followed by one NUL byte,
//! then every field below in this order:
//!
//! | field | encoding |
//! |---|---|
//! | seq | u64, big-endian |
//! | at, recorded_at | i64 microseconds since the Unix epoch (UTC), big-endian |
//! | text fields | u32 big-endian byte length, then the UTF-8 bytes |
//! | absent optional text | the u32 `0xFFFF_FFFF` and nothing else |
//! | lists | u32 big-endian count, then each item as a text field |
//!
//! Order: seq, at, recorded_at, request_id, actor_account, actor_org, actor_org_kind,
//! actor_role, authenticated_by, event, action, signal, purpose, youth_key_id, youth_pseudonym,
//! recipient_org, decision, basis, reason, matched_rules, policy_version, obligations,
//! justification, consents, subject. Enumerated values are their framework words
//! (`neighbourhood_team`, `consent_missing_parent`). No map, no float, no whitespace choice
//! enters the bytes, so any implementation in any language yields the same hash.

use time::OffsetDateTime;

use crate::framework::vocabulary::{
    Action, Basis, DenyReason, Obligation, OrgKind, Outcome, Purpose, Role, Signal, WithdrawalReason, vocabulary,
};
use crate::youth::Pseudonym;

vocabulary! {
    /// What an audit entry records.
    AuditEvent, "audit event" {
        /// A decision on an exchange (allow or deny), with its effect when allowed.
        Decision = "decision",
        /// A decision asked for without any effect ("may I send this?").
        DryRun = "dry_run",
        InvolvementRecorded = "involvement_recorded",
        InvolvementWithdrawn = "involvement_withdrawn",
        MeasureRecorded = "measure_recorded",
        MeasureEnded = "measure_ended",
        ConsentRecorded = "consent_recorded",
        ConsentRevoked = "consent_revoked",
        ReportRecorded = "report_recorded",
        /// A match notice delivered: "another professional is involved too".
        MatchNotice = "match_notice",
        /// A look at a youth's case (who is involved, the case lead, the threads).
        CaseViewed = "case_viewed",
        CaseLeadChanged = "case_lead_changed",
        /// A request refused before any decision: no certificate, unknown organisation or account.
        AccessDenied = "access_denied",
        /// Administration: an organisation, a partner system's certificate, an account.
        OrgRegistered = "org_registered",
        CertificateRegistered = "certificate_registered",
        AccountRegistered = "account_registered",
        OrgDisabled = "org_disabled",
        /// Policy versions: a draft, its approval (four eyes), its activation.
        PolicyDrafted = "policy_drafted",
        PolicyApproved = "policy_approved",
        PolicyActivated = "policy_activated",
        /// A privacy officer reviewed an exchange that carried the `privacy_review` obligation.
        PrivacyReviewed = "privacy_reviewed",
        AccountDisabled = "account_disabled",
        /// A partner system's certificate disabled by its organisation's administrator.
        CertificateDisabled = "certificate_disabled",
        /// A privacy officer replayed past decisions under a version: a read across organisations.
        PolicyReplayed = "policy_replayed",
        /// An auditor's look at the log: a search, one entry, a youth's disclosure report, an
        /// export, a verification. Who looked is as much on record as who disclosed.
        AuditSearched = "audit_searched",
        AuditEntryViewed = "audit_entry_viewed",
        DisclosureReported = "disclosure_reported",
        AuditExported = "audit_exported",
        AuditVerified = "audit_verified",
        /// §8: a registration named the youth's parents (`subject`: how many, never who).
        ParentsNamed = "parents_named",
        /// §8: an organisation with a relationship recorded the youth's death.
        DeathRecorded = "death_recorded",
        /// §8: "this youth was known to another organisation before": a notice from its archive.
        HistoricMatch = "historic_match",
        /// §8: "another youth of this family is known to another organisation".
        FamilyMatch = "family_match",
        /// §8: a retention run destroyed an involvement whose time was up (`subject`: its id).
        InvolvementDestroyed = "involvement_destroyed",
        /// §8: a retention run destroyed the youth's own record with their ended consents,
        /// measures, signals and notices; the log keeps only the youth's random reference,
        /// which nothing links to a BSN any more.
        YouthDestroyed = "youth_destroyed",
        /// Notices: an organisation's webhook set (`subject`: its address; never the secret).
        WebhookSet = "webhook_set",
        WebhookRemoved = "webhook_removed",
    }
}

/// Who acted, as the audit log remembers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    pub account: Option<String>,
    /// Absent only when access was refused before the organisation was known.
    pub org: Option<String>,
    pub org_kind: Option<OrgKind>,
    pub role: Option<Role>,
    /// How the actor was authenticated: `certificate:<sha256>`, `oidc:<issuer>`, `cli`, `scenario:<file>`.
    pub authenticated_by: String,
}

/// One entry of the chain. `seq` is given by the store when the entry is appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: u64,
    /// The time T the event is about (the decision time).
    pub at: OffsetDateTime,
    /// When the entry was written, from the wall clock.
    pub recorded_at: OffsetDateTime,
    pub request_id: String,
    pub actor: AuditActor,
    pub event: AuditEvent,
    pub action: Option<Action>,
    pub signal: Option<Signal>,
    pub purpose: Option<Purpose>,
    pub youth: Option<Pseudonym>,
    pub recipient_org: Option<String>,
    pub decision: Option<Outcome>,
    pub basis: Option<Basis>,
    pub reason: Option<DenyReason>,
    /// Why an involvement was withdrawn (§8). Written where `reason` is (an entry has one or
    /// the other), so the canonical layout stays as it was.
    pub withdrawal: Option<WithdrawalReason>,
    pub matched_rules: Vec<String>,
    pub policy_version: Option<String>,
    pub obligations: Vec<Obligation>,
    pub justification: Option<String>,
    pub consents: Vec<String>,
    /// The id of what the event created or changed (a delivered signal, a consent, …).
    pub subject: Option<String>,
}

impl AuditEntry {
    /// An entry of `event` by `actor` about time `at`, with every other field empty.
    pub fn new(
        event: AuditEvent,
        actor: AuditActor,
        at: OffsetDateTime,
        recorded_at: OffsetDateTime,
        request_id: String,
    ) -> Self {
        AuditEntry {
            seq: 0,
            at,
            recorded_at,
            request_id,
            actor,
            event,
            action: None,
            signal: None,
            purpose: None,
            youth: None,
            recipient_org: None,
            decision: None,
            basis: None,
            reason: None,
            withdrawal: None,
            matched_rules: Vec::new(),
            policy_version: None,
            obligations: Vec::new(),
            justification: None,
            consents: Vec::new(),
            subject: None,
        }
    }

    /// The word in the `reason` field: a deny reason, or a withdrawal's reason.
    pub fn reason_word(&self) -> Option<&'static str> {
        self.reason.map(DenyReason::as_str).or(self.withdrawal.map(WithdrawalReason::as_str))
    }

    /// Reads the `reason` field back into a deny reason or a withdrawal's reason.
    pub fn set_reason_word(&mut self, word: &str) -> Result<(), crate::framework::VocabularyError> {
        match word.parse::<DenyReason>() {
            Ok(reason) => self.reason = Some(reason),
            Err(error) => self.withdrawal = Some(word.parse().map_err(|_| error)?),
        }
        Ok(())
    }

    /// The bytes the chain hashes; see the module documentation for the exact layout.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512);
        self.fields().write_canonical(&mut out);
        out
    }

    /// The entry as the borrowed fields its canonical bytes are made of.
    fn fields(&self) -> EntryFields<'_> {
        EntryFields {
            seq: self.seq,
            at: micros(self.at),
            recorded_at: micros(self.recorded_at),
            request_id: self.request_id.as_bytes(),
            actor_account: bytes(self.actor.account.as_deref()),
            actor_org: bytes(self.actor.org.as_deref()),
            actor_org_kind: bytes(self.actor.org_kind.map(OrgKind::as_str)),
            actor_role: bytes(self.actor.role.map(Role::as_str)),
            authenticated_by: self.actor.authenticated_by.as_bytes(),
            event: self.event.as_str().as_bytes(),
            action: bytes(self.action.map(Action::as_str)),
            signal: bytes(self.signal.map(Signal::as_str)),
            purpose: bytes(self.purpose.map(Purpose::as_str)),
            youth_key_id: self.youth.as_ref().map(|y| y.key_id.as_bytes()),
            youth_pseudonym: self.youth.as_ref().map(|y| y.value.as_bytes()),
            recipient_org: bytes(self.recipient_org.as_deref()),
            decision: bytes(self.decision.map(Outcome::as_str)),
            basis: bytes(self.basis.map(Basis::as_str)),
            reason: bytes(self.reason_word()),
            matched_rules: self.matched_rules.iter().map(String::as_bytes).collect(),
            policy_version: bytes(self.policy_version.as_deref()),
            obligations: self.obligations.iter().map(|o| o.as_str().as_bytes()).collect(),
            justification: bytes(self.justification.as_deref()),
            consents: self.consents.iter().map(String::as_bytes).collect(),
            subject: bytes(self.subject.as_deref()),
        }
    }
}

/// An entry's fields as the bytes of their stored words, borrowed: what the canonical bytes are
/// made of (bytes, not text: verification compares bytes, and need not check UTF-8 first).
/// `audit verify` fills it straight from a stored row, without making an [`AuditEntry`] of it;
/// a word that is not in the vocabulary any more is hashed as it stands (and fails its hash
/// only if it was altered).
#[derive(Debug, Clone, Default)]
pub struct EntryFields<'a> {
    pub seq: u64,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    pub recorded_at: i64,
    pub request_id: &'a [u8],
    pub actor_account: Option<&'a [u8]>,
    pub actor_org: Option<&'a [u8]>,
    pub actor_org_kind: Option<&'a [u8]>,
    pub actor_role: Option<&'a [u8]>,
    pub authenticated_by: &'a [u8],
    pub event: &'a [u8],
    pub action: Option<&'a [u8]>,
    pub signal: Option<&'a [u8]>,
    pub purpose: Option<&'a [u8]>,
    pub youth_key_id: Option<&'a [u8]>,
    pub youth_pseudonym: Option<&'a [u8]>,
    pub recipient_org: Option<&'a [u8]>,
    pub decision: Option<&'a [u8]>,
    pub basis: Option<&'a [u8]>,
    pub reason: Option<&'a [u8]>,
    pub matched_rules: Vec<&'a [u8]>,
    pub policy_version: Option<&'a [u8]>,
    pub obligations: Vec<&'a [u8]>,
    pub justification: Option<&'a [u8]>,
    pub consents: Vec<&'a [u8]>,
    pub subject: Option<&'a [u8]>,
}

impl EntryFields<'_> {
    /// Appends the canonical bytes (see the module documentation) to `out`.
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        let mut out = Canonical(out);
        out.0.extend_from_slice(b"ketenpoort-audit-entry/1\0");
        out.0.extend_from_slice(&self.seq.to_be_bytes());
        out.0.extend_from_slice(&self.at.to_be_bytes());
        out.0.extend_from_slice(&self.recorded_at.to_be_bytes());
        out.text(Some(self.request_id));
        out.text(self.actor_account);
        out.text(self.actor_org);
        out.text(self.actor_org_kind);
        out.text(self.actor_role);
        out.text(Some(self.authenticated_by));
        out.text(Some(self.event));
        out.text(self.action);
        out.text(self.signal);
        out.text(self.purpose);
        out.text(self.youth_key_id);
        out.text(self.youth_pseudonym);
        out.text(self.recipient_org);
        out.text(self.decision);
        out.text(self.basis);
        out.text(self.reason);
        out.list(&self.matched_rules);
        out.text(self.policy_version);
        out.list(&self.obligations);
        out.text(self.justification);
        out.list(&self.consents);
        out.text(self.subject);
    }
}

fn bytes(text: Option<&str>) -> Option<&[u8]> {
    text.map(str::as_bytes)
}

/// Unix microseconds: the precision both stores keep.
pub fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

struct Canonical<'a>(&'a mut Vec<u8>);

impl Canonical<'_> {
    fn text(&mut self, text: Option<&[u8]>) {
        match text {
            Some(text) => {
                self.0.extend_from_slice(&(text.len() as u32).to_be_bytes());
                self.0.extend_from_slice(text);
            }
            None => self.0.extend_from_slice(&u32::MAX.to_be_bytes()),
        }
    }

    fn list(&mut self, items: &[&[u8]]) {
        self.0.extend_from_slice(&(items.len() as u32).to_be_bytes());
        for item in items {
            self.text(Some(item));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    pub(crate) fn sample() -> AuditEntry {
        let actor = AuditActor {
            account: None,
            org: Some("lyceum-noord".into()),
            org_kind: Some(OrgKind::School),
            role: Some(Role::Mentor),
            authenticated_by: "cli".into(),
        };
        AuditEntry::new(
            AuditEvent::Decision,
            actor,
            datetime!(2026-03-02 9:00 UTC),
            datetime!(2026-03-02 9:00 UTC),
            "req-1".into(),
        )
    }

    #[test]
    fn every_field_changes_the_bytes() {
        let base = sample().canonical_bytes();
        let mut changed = sample();
        changed.subject = Some(String::new());
        assert_ne!(changed.canonical_bytes(), base, "absent and empty differ");
        let mut changed = sample();
        changed.matched_rules = vec!["R1".into()];
        assert_ne!(changed.canonical_bytes(), base);
        let mut changed = sample();
        changed.seq = 1;
        assert_ne!(changed.canonical_bytes(), base);
    }

    #[test]
    fn adjacent_texts_cannot_be_shifted_into_each_other() {
        let mut a = sample();
        a.recipient_org = Some("ab".into());
        a.justification = Some("c".into());
        let mut b = sample();
        b.recipient_org = Some("a".into());
        b.justification = Some("bc".into());
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
    }

    #[test]
    fn the_layout_starts_with_the_tag_and_the_sequence_number() {
        let mut entry = sample();
        entry.seq = 258;
        let bytes = entry.canonical_bytes();
        assert!(bytes.starts_with(b"ketenpoort-audit-entry/1\0\0\0\0\0\0\0\x01\x02"));
    }
}
