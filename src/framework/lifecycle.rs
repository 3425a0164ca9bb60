//! ACTION-FRAMEWORK §8: the life of a registration. How an involvement ends, whether its
//! organisation's archive keeps it and for how long, and when a youth's record is forgotten.
//!
//! Pure like the decision: the facts and the time go in. The store keeps the outcome of
//! [`Involvement::keep_until`] beside each involvement so that a retention run finds what to
//! destroy with one indexed query, and recomputes nothing.

use time::OffsetDateTime;

use super::facts::{Involvement, YouthFacts, default_expiry};
use super::vocabulary::WithdrawalReason;
use crate::youth::BirthDate;

/// §8: an archived involvement is kept this many years from its end.
pub const ARCHIVE_YEARS: i32 = 5;

/// §8: how an involvement ended, at the first of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Two years after registration.
    Expired,
    /// The youth's 23rd birthday.
    AgedOut,
    Died,
    Withdrawn(WithdrawalReason),
}

impl Ending {
    /// §8: only an expiry and a withdrawal because the worry is gone are archived.
    pub fn is_archived(self) -> bool {
        matches!(self, Ending::Expired | Ending::Withdrawn(WithdrawalReason::RiskGone))
    }
}

/// §3 and §8: a registration made at `registered_at` expires two years on, or at the youth's
/// 23rd birthday when that comes first.
pub fn registration_expiry(registered_at: OffsetDateTime, birth_date: BirthDate) -> OffsetDateTime {
    default_expiry(registered_at).min(birth_date.ages_out_at())
}

/// `at` plus whole calendar years (29 February becomes 1 March, as for an expiry).
fn years_after(at: OffsetDateTime, years: i32) -> OffsetDateTime {
    let date = at.date();
    let moved = date
        .replace_year(date.year() + years)
        .or_else(|_| time::Date::from_calendar_date(date.year() + years, time::Month::March, 1))
        .unwrap_or(time::Date::MAX);
    at.replace_date(moved)
}

impl Involvement {
    /// When and how it ends, as far as known now: a running involvement ends at its expiry or
    /// the youth's 23rd birthday unless something comes first. A withdrawal without a recorded
    /// reason (from before reasons were asked) counts as `risk_gone`, the default.
    pub fn ending(&self, birth_date: BirthDate, died_at: Option<OffsetDateTime>) -> (OffsetDateTime, Ending) {
        let mut ends = vec![(self.expires_at, Ending::Expired), (birth_date.ages_out_at(), Ending::AgedOut)];
        if let Some(died) = died_at {
            ends.push((died, Ending::Died));
        }
        if let Some(withdrawn) = self.withdrawn_at {
            match self.withdrawal {
                Some(reason) => ends.push((withdrawn, Ending::Withdrawn(reason))),
                // Ended by the youth's death (which sets no reason), or withdrawn before reasons.
                None if died_at == Some(withdrawn) => {}
                None => ends.push((withdrawn, Ending::Withdrawn(WithdrawalReason::RiskGone))),
            }
        }
        // The first end wins; at the same moment, the one that keeps least (a death, the 23rd
        // birthday) before an expiry, so that a tie never archives what the law forgets.
        let rank = |ending: &Ending| u8::from(ending.is_archived());
        ends.into_iter().min_by_key(|(at, ending)| (*at, rank(ending))).unwrap_or((self.expires_at, Ending::Expired))
    }

    /// §8: until when Ketenpoort keeps this involvement: its end, or for an archived one five
    /// years on, never past the youth's 23rd birthday or death. From then on it is destroyed.
    pub fn keep_until(&self, birth_date: BirthDate, died_at: Option<OffsetDateTime>) -> OffsetDateTime {
        let (end, ending) = self.ending(birth_date, died_at);
        if !ending.is_archived() {
            return end;
        }
        let mut until = years_after(end, ARCHIVE_YEARS).min(birth_date.ages_out_at());
        if let Some(died) = died_at {
            until = until.min(died);
        }
        until.max(end)
    }

    /// §8: ended, and still in its organisation's archive at `at`. No relationship: it allows
    /// no exchange; it gives one historic match.
    pub fn is_archived_at(&self, at: OffsetDateTime, birth_date: BirthDate, died_at: Option<OffsetDateTime>) -> bool {
        let (end, ending) = self.ending(birth_date, died_at);
        ending.is_archived() && end <= at && at < self.keep_until(birth_date, died_at)
    }
}

impl YouthFacts {
    /// §8: the archived involvements at `at` that have not given their historic match yet.
    pub fn unmatched_archive(&self, at: OffsetDateTime) -> Vec<&Involvement> {
        self.involvements
            .iter()
            .filter(|i| !i.historic_match_sent && i.is_archived_at(at, self.birth_date, self.died_at))
            .collect()
    }

    /// §8: registration is refused from the 23rd birthday on.
    pub fn is_too_old_at(&self, at: OffsetDateTime) -> bool {
        at >= self.birth_date.ages_out_at()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn born(text: &str) -> BirthDate {
        text.parse().unwrap()
    }

    fn registered(at: OffsetDateTime, birth_date: BirthDate) -> Involvement {
        Involvement {
            id: "i".into(),
            org: "lyceum-noord".into(),
            registered_at: at,
            expires_at: registration_expiry(at, birth_date),
            withdrawn_at: None,
            withdrawal: None,
            historic_match_sent: false,
        }
    }

    #[test]
    fn an_expired_involvement_is_archived_for_five_years_from_its_end() {
        let birth = born("2012-05-01");
        let i = registered(datetime!(2024-01-10 8:00 UTC), birth);
        assert_eq!(i.ending(birth, None), (datetime!(2026-01-10 8:00 UTC), Ending::Expired));
        assert_eq!(i.keep_until(birth, None), datetime!(2031-01-10 8:00 UTC));
        assert!(!i.is_archived_at(datetime!(2026-01-10 7:59:59 UTC), birth, None), "still active");
        assert!(i.is_archived_at(datetime!(2026-01-10 8:00 UTC), birth, None));
        assert!(i.is_archived_at(datetime!(2031-01-10 7:59:59 UTC), birth, None));
        assert!(!i.is_archived_at(datetime!(2031-01-10 8:00 UTC), birth, None));
    }

    #[test]
    fn the_archive_never_reaches_past_the_23rd_birthday_nor_the_death() {
        let birth = born("2005-03-01");
        let i = registered(datetime!(2024-01-10 8:00 UTC), birth);
        assert_eq!(i.keep_until(birth, None), datetime!(2028-03-01 0:00 UTC));
        let died = datetime!(2027-06-01 12:00 UTC);
        assert_eq!(i.keep_until(birth, Some(died)), died);
    }

    #[test]
    fn a_registration_ends_at_the_23rd_birthday_and_is_not_archived() {
        let birth = born("2004-06-01");
        let i = registered(datetime!(2026-01-10 8:00 UTC), birth);
        assert_eq!(i.expires_at, datetime!(2027-06-01 0:00 UTC));
        assert!(i.is_active_at(datetime!(2027-05-31 23:59:59 UTC)));
        assert!(!i.is_active_at(datetime!(2027-06-01 0:00 UTC)));
        assert_eq!(i.ending(birth, None).1, Ending::AgedOut);
        assert_eq!(i.keep_until(birth, None), datetime!(2027-06-01 0:00 UTC));
    }

    #[test]
    fn only_a_withdrawal_because_the_risk_is_gone_is_archived() {
        let birth = born("2012-05-01");
        let at = datetime!(2025-02-01 8:00 UTC);
        for (reason, kept) in [
            (WithdrawalReason::RiskGone, datetime!(2030-02-01 8:00 UTC)),
            (WithdrawalReason::Unjustified, at),
            (WithdrawalReason::Objection, at),
        ] {
            let i = Involvement {
                withdrawn_at: Some(at),
                withdrawal: Some(reason),
                ..registered(datetime!(2024-09-01 8:00 UTC), birth)
            };
            assert_eq!(i.keep_until(birth, None), kept, "{reason}");
        }
    }

    #[test]
    fn an_involvement_ended_by_death_is_not_archived() {
        let birth = born("2012-05-01");
        let died = datetime!(2025-02-01 8:00 UTC);
        let i = Involvement { withdrawn_at: Some(died), ..registered(datetime!(2024-09-01 8:00 UTC), birth) };
        assert_eq!(i.ending(birth, Some(died)), (died, Ending::Died));
        assert_eq!(i.keep_until(birth, Some(died)), died);
        assert!(!i.is_archived_at(died, birth, Some(died)));
    }
}
