//! The youth's birth date, stored because the consent rules depend on age (DESIGN.md).

use std::fmt;
use std::str::FromStr;

use time::{Date, OffsetDateTime, macros::format_description};

/// A birth date. `Debug` and `Display` never show it; [`BirthDate::to_iso`] is for storage.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BirthDate(Date);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a birth date is written YYYY-MM-DD and is a real calendar date")]
pub struct BirthDateError;

impl BirthDate {
    pub fn new(date: Date) -> Self {
        BirthDate(date)
    }

    /// `YYYY-MM-DD`, for the store.
    pub fn to_iso(self) -> String {
        let (y, m, d) = self.0.to_calendar_date();
        format!("{y:04}-{:02}-{d:02}", m as u8)
    }

    /// ACTION-FRAMEWORK §3, age: whole years at `at`; it goes up on the anniversary, and for a
    /// birthday on 29 February on 1 March in common years. The day of `at` is taken in UTC,
    /// like every time in the framework.
    pub fn age_at(self, at: OffsetDateTime) -> u32 {
        let today = at.date();
        let years = today.year() - self.0.year();
        let before_birthday = (today.month() as u8, today.day()) < (self.0.month() as u8, self.0.day());
        u32::try_from(years - i32::from(before_birthday)).unwrap_or(0)
    }

    /// ACTION-FRAMEWORK §8: the moment the reference index stops reaching the youth, their
    /// 23rd birthday at midnight UTC (1 March in a common year for a birthday on 29 February,
    /// as [`BirthDate::age_at`] counts).
    pub fn ages_out_at(self) -> OffsetDateTime {
        let (year, month, day) = (self.0.year() + 23, self.0.month(), self.0.day());
        let date = Date::from_calendar_date(year, month, day)
            .or_else(|_| Date::from_calendar_date(year, time::Month::March, 1))
            .unwrap_or(Date::MAX);
        date.midnight().assume_utc()
    }
}

impl FromStr for BirthDate {
    type Err = BirthDateError;

    fn from_str(text: &str) -> Result<Self, BirthDateError> {
        // `[year]` also takes a sign (`-2012-01-29`, found by tests/fuzz): ten characters only.
        if text.len() != 10 || !text.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(BirthDateError);
        }
        Date::parse(text, format_description!("[year]-[month]-[day]")).map(BirthDate).map_err(|_| BirthDateError)
    }
}

impl<'de> serde::Deserialize<'de> for BirthDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BirthDate(<redacted>)")
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<birth date redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn born(text: &str) -> BirthDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_reference_index_stops_reaching_a_youth_at_midnight_of_their_23rd_birthday() {
        let youth = born("2003-12-04");
        assert_eq!(youth.ages_out_at(), datetime!(2026-12-04 0:00 UTC));
        assert_eq!(youth.age_at(youth.ages_out_at() - time::Duration::SECOND), 22);
        assert_eq!(youth.age_at(youth.ages_out_at()), 23);
        assert_eq!(born("2004-02-29").ages_out_at(), datetime!(2027-03-01 0:00 UTC));
    }

    #[test]
    fn age_goes_up_on_the_birthday_itself() {
        let youth = born("2010-03-02");
        assert_eq!(youth.age_at(datetime!(2026-03-01 23:59:59 UTC)), 15);
        assert_eq!(youth.age_at(datetime!(2026-03-02 00:00:00 UTC)), 16);
    }

    #[test]
    fn the_exact_twelfth_and_sixteenth_birthdays() {
        let youth = born("2014-06-15");
        assert_eq!(youth.age_at(datetime!(2026-06-14 12:00 UTC)), 11);
        assert_eq!(youth.age_at(datetime!(2026-06-15 00:00 UTC)), 12);
        assert_eq!(youth.age_at(datetime!(2030-06-14 23:59 UTC)), 15);
        assert_eq!(youth.age_at(datetime!(2030-06-15 00:00 UTC)), 16);
    }

    #[test]
    fn a_youth_born_on_29_february_grows_older_on_1_march_in_common_years() {
        let youth = born("2012-02-29");
        assert_eq!(youth.age_at(datetime!(2026-02-28 12:00 UTC)), 13);
        assert_eq!(youth.age_at(datetime!(2026-03-01 00:00 UTC)), 14);
        // In a leap year the birthday exists.
        assert_eq!(youth.age_at(datetime!(2028-02-28 12:00 UTC)), 15);
        assert_eq!(youth.age_at(datetime!(2028-02-29 00:00 UTC)), 16);
    }

    #[test]
    fn before_birth_the_age_is_zero() {
        assert_eq!(born("2026-05-01").age_at(datetime!(2026-01-01 0:00 UTC)), 0);
    }

    #[test]
    fn only_real_calendar_dates_parse() {
        assert!("2011-10-01".parse::<BirthDate>().is_ok());
        assert!("2011-02-29".parse::<BirthDate>().is_err());
        assert!("01-10-2011".parse::<BirthDate>().is_err());
        assert!("-2011-10-01".parse::<BirthDate>().is_err() && "+2011-10-01".parse::<BirthDate>().is_err());
        assert_eq!(born("2011-10-01").to_iso(), "2011-10-01");
    }

    #[test]
    fn debug_and_display_never_print_the_date() {
        let date = born("2011-10-01");
        let printed = format!("{date:?} {date}");
        assert!(!printed.contains("2011"), "{printed}");
    }
}
