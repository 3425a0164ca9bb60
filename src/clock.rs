//! The only place that reads the wall clock (clippy.toml bans it elsewhere): decisions take
//! their time T as a parameter, so that tests and scenarios can set it.

use time::OffsetDateTime;

/// Now, in UTC, to the microsecond: the precision every store keeps.
#[allow(clippy::disallowed_methods)]
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000).unwrap_or(now)
}

/// Which end of a day a bare date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayEnd {
    /// Its first moment: midnight UTC.
    Start,
    /// Just after it: the next midnight (an exclusive end "through that day").
    After,
}

/// A time as people type it: a date (`2026-01-31`, UTC) or an RFC 3339 time
/// (`2026-01-31T08:00:00Z`); `None` when it is neither.
pub fn parse_instant(text: &str, day: DayEnd) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(date) = time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")) {
        let date = if day == DayEnd::After { date.next_day().unwrap_or(date) } else { date };
        return Some(date.midnight().assume_utc());
    }
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}
