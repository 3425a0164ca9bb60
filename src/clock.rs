//! The only place that reads the wall clock (clippy.toml bans it elsewhere): decisions take
//! their time T as a parameter, so that tests and scenarios can set it.

use time::OffsetDateTime;

/// Now, in UTC, to the microsecond: the precision every store keeps.
#[allow(clippy::disallowed_methods)]
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000).unwrap_or(now)
}
