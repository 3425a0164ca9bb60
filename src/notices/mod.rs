//! Notices that leave Ketenpoort when something arrives in an organisation's inbox: a signed
//! webhook to the organisation's own system, and an e-mail to each of its professionals who
//! chose one (at once, or in a daily digest).
//!
//! The store writes each notice into its outbox in the transaction of the effect it tells of
//! ([`crate::store::Effect::Deliver`], a match notice), so that an acknowledged exchange never
//! loses its notice and a refused one never sends any. The [`dispatcher`] inside `serve` takes
//! due notices by lease (of several instances each notice goes to one), reads what the
//! organisation may see of the item at that moment, sends it, and settles it: delivered, tried
//! again later with backoff, or failed for good after [`NoticesConfig::give_up_after_seconds`].

pub mod dispatcher;
pub mod mail;
pub mod webhook;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::framework::OrgId;

/// `[notices]` of the configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticesConfig {
    /// Whether `serve` sends notices (off: they wait in the outbox).
    #[serde(default = "default_true")]
    pub dispatch: bool,
    /// How long a notice is tried before it fails for good, in seconds [default: a day].
    #[serde(default = "default_give_up")]
    pub give_up_after_seconds: u64,
    /// While the API's requests queue for a CPU, a notice waits up to this long, in seconds, so
    /// that the exchanges, which people wait for, go first; after it, it is sent regardless
    /// [default: 10].
    #[serde(default = "default_give_way")]
    pub give_way_seconds: u64,
    /// How long settled notices stay in the outbox, for the delivery log, in days [default: 30].
    #[serde(default = "default_keep_log_days")]
    pub keep_log_days: u32,
    /// Webhook addresses on loopback, private or link-local networks are refused (an
    /// organisation could otherwise make Ketenpoort reach into the operator's own network);
    /// `true` allows them, for a test or a closed network only.
    #[serde(default)]
    pub allow_private_webhooks: bool,
    /// A CA (PEM) trusted for webhook receivers besides the public roots: a test's or a closed
    /// network's own.
    #[serde(default)]
    pub webhook_ca: Option<std::path::PathBuf>,
}

impl Default for NoticesConfig {
    fn default() -> Self {
        NoticesConfig {
            dispatch: true,
            give_up_after_seconds: default_give_up(),
            give_way_seconds: default_give_way(),
            keep_log_days: default_keep_log_days(),
            allow_private_webhooks: false,
            webhook_ca: None,
        }
    }
}

fn default_true() -> bool {
    true
}

fn default_give_up() -> u64 {
    24 * 3600
}

fn default_give_way() -> u64 {
    10
}

fn default_keep_log_days() -> u32 {
    30
}

/// An organisation's webhook.
#[derive(Clone)]
pub struct Webhook {
    pub org: OrgId,
    pub url: String,
    /// `whsec_` and the base64 of 32 random bytes (Standard Webhooks).
    pub secret: String,
    pub set_at: OffsetDateTime,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret signs deliveries: never in a log line.
        f.debug_struct("Webhook").field("org", &self.org).field("url", &self.url).finish_non_exhaustive()
    }
}

/// How a notice is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// To the organisation's system.
    Webhook,
    /// To a person, at once.
    Email,
    /// To a person, in the day's digest.
    Digest,
}

impl Channel {
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
            Channel::Digest => "digest",
        }
    }

    pub fn parse(word: &str) -> Option<Channel> {
        [Channel::Webhook, Channel::Email, Channel::Digest].into_iter().find(|channel| channel.as_str() == word)
    }
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeState {
    Pending,
    Delivered,
    /// Tried until [`NoticesConfig::give_up_after_seconds`] without success.
    Failed,
    /// Nothing left to tell: the item is gone (the youth's data were destroyed, §8) or the
    /// webhook was removed.
    Dropped,
}

impl NoticeState {
    pub const fn as_str(self) -> &'static str {
        match self {
            NoticeState::Pending => "pending",
            NoticeState::Delivered => "delivered",
            NoticeState::Failed => "failed",
            NoticeState::Dropped => "dropped",
        }
    }

    pub fn parse(word: &str) -> Option<NoticeState> {
        [NoticeState::Pending, NoticeState::Delivered, NoticeState::Failed, NoticeState::Dropped]
            .into_iter()
            .find(|state| state.as_str() == word)
    }
}

/// A notice a dispatcher has taken: until its lease ends no other takes it.
#[derive(Debug, Clone)]
pub struct DueNotice {
    /// The outbox row.
    pub row: i64,
    /// The notice's id: the receiver's key for idempotency (`webhook-id`).
    pub notice_id: String,
    /// What it tells of: a signal's or a match notice's word.
    pub kind: String,
    /// The inbox item's cursor (its audit entry).
    pub audit_seq: u64,
    pub org: OrgId,
    pub channel: Channel,
    /// The person told, by e-mail.
    pub account: Option<String>,
    pub created_at: OffsetDateTime,
    /// Attempts so far, this one included.
    pub attempts: u32,
}

/// What became of an attempt, to be written back.
#[derive(Debug, Clone)]
pub struct Settled {
    pub row: i64,
    pub channel: Channel,
    pub state: NoticeState,
    /// When a pending notice is tried next.
    pub due_at: OffsetDateTime,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why the attempt failed, in words without personal data.
    pub error: Option<String>,
    pub at: OffsetDateTime,
}

/// One line of an organisation's delivery log.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub notice_id: String,
    pub kind: String,
    pub channel: String,
    pub state: NoticeState,
    pub attempts: u32,
    pub created_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub done_at: Option<OffsetDateTime>,
}

/// After a failed attempt: when to try again (exponential from 5 s, at most an hour, with
/// full jitter so that a receiver back from an outage is not hit by every notice at once), or
/// `None` when the notice has been tried long enough.
pub fn retry_at(
    attempts: u32,
    created_at: OffsetDateTime,
    now: OffsetDateTime,
    give_up_after: time::Duration,
    jitter: f64,
) -> Option<OffsetDateTime> {
    if now - created_at >= give_up_after {
        return None;
    }
    let ceiling = 5.0 * 2f64.powi(i32::try_from(attempts.saturating_sub(1).min(20)).unwrap_or(20));
    let ceiling = ceiling.min(3600.0);
    // Half the step at least, so that retries still spread out as they grow.
    let wait = ceiling * (0.5 + 0.5 * jitter.clamp(0.0, 1.0));
    let next = now + time::Duration::seconds_f64(wait);
    // One last try at the end rather than none.
    Some(next.min(created_at + give_up_after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn retries_back_off_exponentially_within_their_jitter_up_to_an_hour() {
        let created = datetime!(2026-12-01 10:00 UTC);
        let day = time::Duration::days(1);
        let after = |attempts, jitter| retry_at(attempts, created, created, day, jitter).map(|at| at - created);
        assert_eq!(after(1, 0.0), Some(time::Duration::seconds_f64(2.5)));
        assert_eq!(after(1, 1.0), Some(time::Duration::seconds(5)));
        assert_eq!(after(3, 1.0), Some(time::Duration::seconds(20)));
        assert_eq!(after(30, 1.0), Some(time::Duration::hours(1)));
        assert_eq!(after(30, 0.0), Some(time::Duration::minutes(30)));
    }

    #[test]
    fn a_notice_tried_for_the_whole_period_fails_and_the_last_try_falls_at_its_end() {
        let created = datetime!(2026-12-01 10:00 UTC);
        let day = time::Duration::days(1);
        assert_eq!(retry_at(9, created, created + day, day, 0.5), None);
        let late = created + day - time::Duration::seconds(10);
        assert_eq!(retry_at(20, created, late, day, 1.0), Some(created + day));
    }
}
