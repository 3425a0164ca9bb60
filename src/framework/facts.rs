//! ACTION-FRAMEWORK §3: the facts about one youth, and what they mean at decision time T.
//!
//! The records are as the store keeps them; the methods compute the facts of §3 at T. Privacy
//! officers may change the rule table, never these computations.

use std::fmt;

use time::OffsetDateTime;

use super::vocabulary::{Consenter, OrgKind, Purpose, Signal, WithdrawalReason};
use crate::youth::BirthDate;

/// An organisation's id, as registered (`lyceum-noord`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct OrgId(pub String);

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for OrgId {
    fn from(id: &str) -> Self {
        OrgId(id.to_owned())
    }
}

/// An organisation taking part in an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub org: OrgId,
    pub kind: OrgKind,
}

/// A reference-index registration ("ik ben betrokken").
#[derive(Debug, Clone)]
pub struct Involvement {
    pub id: String,
    pub org: OrgId,
    pub registered_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// When it ended before it expired: withdrawn by its organisation, or at the youth's death.
    pub withdrawn_at: Option<OffsetDateTime>,
    /// Why it was withdrawn (§8); `None` while it runs, and when the youth's death ended it.
    pub withdrawal: Option<WithdrawalReason>,
    /// Whether its archive has given its one historic match already (§8).
    pub historic_match_sent: bool,
}

/// A child-protection measure (OTS, voogdij) held by one certified institution.
#[derive(Debug, Clone)]
pub struct Measure {
    pub id: String,
    pub org: OrgId,
    pub from: OffsetDateTime,
    pub until: Option<OffsetDateTime>,
}

/// A consent recorded by the disclosing organisation (the holder).
#[derive(Debug, Clone)]
pub struct Consent {
    pub id: String,
    pub given_by: Consenter,
    pub holder: OrgId,
    pub recipient_orgs: Vec<OrgId>,
    pub recipient_kinds: Vec<OrgKind>,
    pub signals: Vec<Signal>,
    pub purposes: Vec<Purpose>,
    pub valid_from: OffsetDateTime,
    pub valid_until: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// An earlier `safety_concern` from one organisation to a Veilig Thuis organisation.
#[derive(Debug, Clone)]
pub struct Report {
    pub from: OrgId,
    pub to: OrgId,
    pub at: OffsetDateTime,
}

/// Everything the framework may know about one youth.
#[derive(Debug, Clone)]
pub struct YouthFacts {
    pub birth_date: BirthDate,
    pub involvements: Vec<Involvement>,
    pub measures: Vec<Measure>,
    pub consents: Vec<Consent>,
    pub reports: Vec<Report>,
    /// The recorded death of the youth (§8): every involvement ended then.
    pub died_at: Option<OffsetDateTime>,
}

/// ACTION-FRAMEWORK §3: `expires_at` defaults to `registered_at` + 2 years, same time of day;
/// a registration made on 29 February expires on 1 March.
pub fn default_expiry(registered_at: OffsetDateTime) -> OffsetDateTime {
    let date = registered_at.date();
    let expiry = date
        .replace_year(date.year() + 2)
        .or_else(|_| {
            // Only 29 February has no counterpart two years on: move to 1 March.
            time::Date::from_calendar_date(date.year() + 2, time::Month::March, 1)
        })
        .unwrap_or(date);
    registered_at.replace_date(expiry)
}

impl Involvement {
    /// §3: active when `registered_at <= T < expires_at` and not withdrawn at or before T.
    pub fn is_active_at(&self, at: OffsetDateTime) -> bool {
        self.registered_at <= at && at < self.expires_at && self.withdrawn_at.is_none_or(|withdrawn| at < withdrawn)
    }
}

impl Measure {
    /// §3: active when `from <= T` and (`until` absent or `T < until`).
    pub fn is_active_at(&self, at: OffsetDateTime) -> bool {
        self.from <= at && self.until.is_none_or(|until| at < until)
    }
}

impl Consent {
    /// §3: the holder is the sender, the recipient matches by id or kind, and the signal and
    /// purpose are listed.
    pub fn covers(&self, sender: &OrgId, recipient: &Party, signal: Signal, purpose: Purpose) -> bool {
        self.holder == *sender
            && (self.recipient_orgs.contains(&recipient.org) || self.recipient_kinds.contains(&recipient.kind))
            && self.signals.contains(&signal)
            && self.purposes.contains(&purpose)
    }

    /// §3: `revoked_at` present and at or before T.
    pub fn is_revoked_at(&self, at: OffsetDateTime) -> bool {
        self.revoked_at.is_some_and(|revoked| revoked <= at)
    }

    /// §3: within its validity period and not revoked.
    pub fn is_active_at(&self, at: OffsetDateTime) -> bool {
        self.valid_from <= at && self.valid_until.is_none_or(|until| at < until) && !self.is_revoked_at(at)
    }
}

impl YouthFacts {
    /// §3, relationship: an active involvement, or the certified institution holding an active
    /// measure.
    pub fn has_relationship(&self, org: &OrgId, at: OffsetDateTime) -> bool {
        self.involvements.iter().any(|i| i.org == *org && i.is_active_at(at)) || self.holds_measure(org, at)
    }

    /// §7: the organisations other than `except` with an active involvement at T (a match).
    pub fn involved_orgs(&self, at: OffsetDateTime, except: &OrgId) -> Vec<OrgId> {
        distinct(self.involvements.iter().filter(|i| i.is_active_at(at)).map(|i| &i.org), except)
    }

    /// §3: every organisation with a relationship at T: involved, or holding an active measure.
    pub fn related_orgs(&self, at: OffsetDateTime) -> Vec<OrgId> {
        let involved = self.involvements.iter().filter(|i| i.is_active_at(at)).map(|i| &i.org);
        let measured = self.measures.iter().filter(|m| m.is_active_at(at)).map(|m| &m.org);
        distinct(involved.chain(measured), &OrgId(String::new()))
    }

    /// §3, measure: `org` holds an active child-protection measure.
    pub fn holds_measure(&self, org: &OrgId, at: OffsetDateTime) -> bool {
        self.measures.iter().any(|m| m.org == *org && m.is_active_at(at))
    }

    /// §3, reporter: `reporter` sent `safe_home` a `safety_concern` about the youth at or before T.
    pub fn is_reporter(&self, reporter: &OrgId, safe_home: &OrgId, at: OffsetDateTime) -> bool {
        self.reports.iter().any(|r| r.from == *reporter && r.to == *safe_home && r.at <= at)
    }

    /// §3: the consenters required at T: under 12 the parent; 12 to 15 youth and parent; from
    /// 16 the youth alone.
    pub fn required_consenters(&self, at: OffsetDateTime) -> &'static [Consenter] {
        match self.birth_date.age_at(at) {
            0..=11 => &[Consenter::Parent],
            12..=15 => &[Consenter::Youth, Consenter::Parent],
            _ => &[Consenter::Youth],
        }
    }
}

/// The organisations of `orgs` but `except`, each once, in order of appearance.
fn distinct<'a>(orgs: impl Iterator<Item = &'a OrgId>, except: &OrgId) -> Vec<OrgId> {
    let mut seen: Vec<OrgId> = Vec::new();
    for org in orgs {
        if org != except && !seen.contains(org) {
            seen.push(org.clone());
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn involvement(registered_at: OffsetDateTime) -> Involvement {
        Involvement {
            id: "i".into(),
            org: "lyceum-noord".into(),
            registered_at,
            expires_at: default_expiry(registered_at),
            withdrawn_at: None,
            withdrawal: None,
            historic_match_sent: false,
        }
    }

    #[test]
    fn an_involvement_expires_two_years_on_at_the_same_time_of_day() {
        let registered = datetime!(2024-01-10 08:00 UTC);
        assert_eq!(default_expiry(registered), datetime!(2026-01-10 08:00 UTC));
        let i = involvement(registered);
        assert!(i.is_active_at(datetime!(2026-01-10 07:59:59 UTC)));
        assert!(!i.is_active_at(datetime!(2026-01-10 08:00 UTC)));
        assert!(!i.is_active_at(datetime!(2024-01-10 07:59 UTC)), "not active before registration");
    }

    #[test]
    fn a_registration_on_29_february_expires_on_1_march() {
        let registered = datetime!(2024-02-29 10:30 UTC);
        assert_eq!(default_expiry(registered), datetime!(2026-03-01 10:30 UTC));
        let i = involvement(registered);
        assert!(i.is_active_at(datetime!(2026-02-28 23:00 UTC)));
        assert!(!i.is_active_at(datetime!(2026-03-01 10:30 UTC)));
    }

    #[test]
    fn a_withdrawal_ends_the_involvement_at_the_moment_of_withdrawal() {
        let mut i = involvement(datetime!(2025-09-01 8:00 UTC));
        i.withdrawn_at = Some(datetime!(2026-02-01 8:00 UTC));
        assert!(i.is_active_at(datetime!(2026-02-01 7:59 UTC)));
        assert!(!i.is_active_at(datetime!(2026-02-01 8:00 UTC)));
    }

    #[test]
    fn a_measure_without_end_stays_active() {
        let m = Measure { id: "m".into(), org: "gi".into(), from: datetime!(2025-06-01 0:00 UTC), until: None };
        assert!(!m.is_active_at(datetime!(2025-05-31 23:59 UTC)));
        assert!(m.is_active_at(datetime!(2040-01-01 0:00 UTC)));
        let ended = Measure { until: Some(datetime!(2026-01-01 0:00 UTC)), ..m };
        assert!(!ended.is_active_at(datetime!(2026-01-01 0:00 UTC)));
    }
}
