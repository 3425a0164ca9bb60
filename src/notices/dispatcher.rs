//! The dispatcher inside `serve`: takes due notices from the outbox, sends them, settles them.
//!
//! At least once: a notice is settled only after its receiver answered 2xx, and one taken by
//! an instance that died comes due again when its lease runs out. The notice id is the same on
//! every attempt, so that a receiver can drop a repeat.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use time::OffsetDateTime;

use super::mail::{Mailer, Notify, Recipient, Told};
use super::webhook::{self, WebhookError};
use super::{Channel, DueNotice, NoticeState, NoticesConfig, Settled, Webhook, retry_at};
use crate::clock;
use crate::framework::OrgId;
use crate::limits::Load;
use crate::store::{InboxItem, Store, StoreError};
use crate::web::i18n::{Lang, admin as words};
use crate::youth::Pseudonymiser;

/// Notices taken at once: enough to keep the receivers busy, few enough that a lease (below)
/// is never near its end before the batch is settled.
const BATCH: u32 = 256;
/// Deliveries in flight at once.
const IN_FLIGHT: usize = 64;
/// How long a taken notice is this dispatcher's: far longer than a batch's deliveries take
/// (each at most [`webhook::DELIVERY_TIMEOUT`]).
const LEASE: time::Duration = time::Duration::seconds(60);
/// The kind of a notice to privacy officers: an exchange waits for their review.
const REVIEW: &str = "privacy_review";
/// Why a notice is dropped when what it tells of is gone.
const GONE: &str = "nothing left to tell: the item is gone (its youth's data were destroyed)";
/// Notices whose item is read from the store at once: the deliveries themselves go out
/// `IN_FLIGHT` at a time, but their reads take no more of the pool's connections than this,
/// so that the exchanges, which answer people, never wait behind the notices for one.
const READING: usize = 2;
/// What a webhook notice sends: the item's JSON (`None`: gone), or why it could not be read.
type Body = Result<Option<Vec<u8>>, String>;

/// How often an instance prunes settled notices, and how many it deletes in one statement.
const PRUNE_EVERY: Duration = Duration::from_secs(24 * 3600);
const PRUNE_PART: u32 = 10_000;

/// How often a dispatcher giving way looks whether the API still is saturated.
const GIVING_WAY: Duration = Duration::from_millis(20);
/// How often an idle dispatcher looks for due notices.
const IDLE: Duration = Duration::from_millis(250);

pub struct Dispatcher {
    store: Arc<dyn Store>,
    pseudonymiser: Pseudonymiser,
    client: reqwest::Client,
    /// `None` without `[smtp]`: e-mail notices are then dropped, saying why.
    mailer: Option<Mailer>,
    /// The last day whose digest this instance saw to (sent, or found claimed by another), so
    /// that it asks the database once a day, not at every round.
    digest_seen: std::sync::Mutex<Option<String>>,
    /// Permits to read from the store while delivering ([`READING`]).
    reading: tokio::sync::Semaphore,
    give_up_after: time::Duration,
    allow_private: bool,
    /// The API this dispatcher gives way to, and for how long at most ([`NoticesConfig::give_way_seconds`]).
    load: Option<Arc<Load>>,
    give_way: time::Duration,
    /// How long settled notices are kept, and when this instance last pruned the older ones.
    keep_log: time::Duration,
    pruned_at: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Dispatcher {
    pub fn new(
        store: Arc<dyn Store>,
        pseudonymiser: Pseudonymiser,
        config: &NoticesConfig,
        mailer: Option<Mailer>,
    ) -> Result<Dispatcher, WebhookError> {
        Ok(Dispatcher {
            store,
            pseudonymiser,
            client: webhook::client(config)?,
            mailer,
            digest_seen: std::sync::Mutex::new(None),
            reading: tokio::sync::Semaphore::new(READING),
            give_up_after: time::Duration::seconds(i64::try_from(config.give_up_after_seconds).unwrap_or(i64::MAX)),
            allow_private: config.allow_private_webhooks,
            load: None,
            give_way: time::Duration::seconds(i64::try_from(config.give_way_seconds).unwrap_or(i64::MAX)),
            keep_log: time::Duration::days(i64::from(config.keep_log_days)),
            pruned_at: std::sync::Mutex::new(None),
        })
    }

    /// Gives way to `load`'s requests: while they queue for a CPU, a batch waits (each notice
    /// at most the configured time since it was queued).
    #[must_use]
    pub fn giving_way_to(self, load: Arc<Load>) -> Dispatcher {
        Dispatcher { load: Some(load), ..self }
    }

    /// Sends notices until `stop` says so (or its sender is gone): the batch in hand is
    /// finished and settled first, so that a graceful shutdown leaves nothing leased. A store
    /// that fails is logged and tried again.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            if let Err(error) = self.digest_if_due(clock::now()).await {
                tracing::error!(%error, "the daily digest could not be sent; trying again");
            }
            if let Err(error) = self.prune_if_due(clock::now()).await {
                tracing::error!(%error, "settled notices could not be pruned; trying again tomorrow");
            }
            let pause = match self.round().await {
                Ok(0) => IDLE,
                Ok(_) => continue,
                Err(error) => {
                    tracing::error!(%error, "the notice dispatcher could not reach the store; trying again");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                changed = stop.changed() => if changed.is_err() { return },
            }
        }
    }

    /// One batch: taken, sent, settled. How many notices it held.
    pub async fn round(&self) -> Result<usize, StoreError> {
        let due = self.store.take_due_notices(clock::now(), LEASE, BATCH).await?;
        if due.is_empty() {
            return Ok(0);
        }
        self.give_way(&due).await;
        // Each organisation's webhook read once per batch.
        let mut hooks: HashMap<OrgId, Option<Webhook>> = HashMap::new();
        for notice in &due {
            if !hooks.contains_key(&notice.org) {
                hooks.insert(notice.org.clone(), self.store.webhook(&notice.org).await?);
            }
        }
        let bodies = self.bodies(&due, &hooks).await;
        let (taken, hooks, bodies) = (due.len(), &hooks, &bodies);
        let settled: Vec<Settled> = futures_util::stream::iter(due)
            .map(|notice| async move {
                let hook = hooks.get(&notice.org).and_then(Option::as_ref);
                self.deliver(&notice, hook, bodies.get(&notice.row)).await
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        count(&settled);
        self.store.settle_notices(&settled).await?;
        Ok(taken)
    }

    /// Waits while the API is saturated, until the oldest notice of `due` has waited its
    /// longest (and each delivery again, until its own notice has). Exchanges answer people; a notice may come seconds later without harm, and
    /// sent meanwhile it would take their CPU (on a small machine a notice costs about half an
    /// exchange, the receiver's side included). The batch's lease outlasts the wait.
    async fn give_way(&self, due: &[DueNotice]) {
        if let Some(oldest) = due.iter().map(|notice| notice.created_at).min() {
            self.give_way_since(oldest).await;
        }
    }

    /// Waits while the API is saturated, at most until the give-way bound after `queued`.
    async fn give_way_since(&self, queued: OffsetDateTime) {
        let Some(load) = &self.load else { return };
        let until = queued + self.give_way.min(LEASE / 2);
        let started = std::time::Instant::now();
        while load.saturated() && clock::now() < until {
            tokio::time::sleep(GIVING_WAY).await;
        }
        let waited = started.elapsed();
        if !waited.is_zero() {
            metrics::histogram!("ketenpoort_notices_give_way_seconds").record(waited.as_secs_f64());
        }
    }

    /// What each webhook notice of the batch sends (by row): the inbox item it tells of, as
    /// the organisation's API shows it now (`None` when it is gone), or why it could not be read.
    /// Each organisation's items are read together, a page of its inbox at a time from the
    /// first one told of, not one by one.
    async fn bodies(&self, due: &[DueNotice], hooks: &HashMap<OrgId, Option<Webhook>>) -> HashMap<i64, Body> {
        let _permit = self.reading.acquire().await;
        let mut told: HashMap<&OrgId, Vec<&DueNotice>> = HashMap::new();
        for notice in due.iter().filter(|n| n.channel == Channel::Webhook) {
            if hooks.get(&notice.org).is_some_and(Option::is_some) {
                told.entry(&notice.org).or_default().push(notice);
            }
        }
        let mut bodies = HashMap::with_capacity(due.len());
        for (org, notices) in told {
            match self.read_bodies(org, &notices).await {
                Ok(mut read) => {
                    for notice in notices {
                        bodies.insert(notice.row, Ok(read.remove(&notice.audit_seq)));
                    }
                }
                Err(error) => {
                    let error = format!("could not read the item: {error}");
                    bodies.extend(notices.iter().map(|notice| (notice.row, Err(error.clone()))));
                }
            }
        }
        bodies
    }

    /// `org`'s inbox items that `notices` tell of, as JSON, by audit seq.
    async fn read_bodies(&self, org: &OrgId, notices: &[&DueNotice]) -> Result<HashMap<u64, Vec<u8>>, StoreError> {
        let wanted: std::collections::HashSet<u64> = notices.iter().map(|n| n.audit_seq).collect();
        let (Some(&first), Some(&last)) = (wanted.iter().min(), wanted.iter().max()) else {
            return Ok(HashMap::new());
        };
        let mut items = Vec::with_capacity(wanted.len());
        let mut after = first.saturating_sub(1);
        loop {
            let page = self.store.inbox(org, after, BATCH).await?;
            let full = page.len() == BATCH as usize;
            after = page.last().map_or(last, InboxItem::seq);
            items.extend(page.into_iter().filter(|item| item.seq() <= last && wanted.contains(&item.seq())));
            if !full || after >= last {
                break;
            }
        }
        let bodies = crate::api::inbox::bodies(&*self.store, &self.pseudonymiser, org, &items).await?;
        items
            .iter()
            .zip(bodies)
            .map(|(item, body)| {
                serde_json::to_vec(&body).map(|json| (item.seq(), json)).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    async fn deliver(&self, notice: &DueNotice, hook: Option<&Webhook>, body: Option<&Body>) -> Settled {
        // Also within a batch: the API may have filled up again since it began.
        self.give_way_since(notice.created_at).await;
        if notice.channel != Channel::Webhook {
            return self.mail(notice).await;
        }
        let now = clock::now();
        let settled = |state, status, error: Option<String>| Settled {
            row: notice.row,
            channel: notice.channel,
            state,
            due_at: now,
            status,
            error,
            at: clock::now(),
        };
        let Some(hook) = hook else {
            return settled(NoticeState::Dropped, None, Some("the organisation has no webhook any more".into()));
        };
        // An address given as a number is not resolved, so it is checked here, at each
        // delivery, against this instance's configuration (the command line may allow more).
        if let Err(refused) = webhook::check_url(&hook.url, self.allow_private) {
            return self.retry(notice, now, None, refused.to_string());
        }
        let body = match body {
            Some(Ok(Some(body))) => body.clone(),
            Some(Ok(None)) | None => return settled(NoticeState::Dropped, None, Some(GONE.into())),
            Some(Err(error)) => return self.retry(notice, now, None, error.clone()),
        };
        match self.post(hook, &notice.notice_id, body).await {
            Ok(status) if (200..300).contains(&status) => settled(NoticeState::Delivered, Some(status), None),
            Ok(status) => self.retry(notice, now, Some(status), format!("the receiver answered {status}")),
            Err(error) => self.retry(notice, now, None, error),
        }
    }

    /// The inbox item a notice tells of, if the organisation can still see it.
    async fn item(&self, notice: &DueNotice) -> Result<Option<InboxItem>, StoreError> {
        let items = self.store.inbox(&notice.org, notice.audit_seq.saturating_sub(1), 1).await?;
        Ok(items.into_iter().find(|item| item.seq() == notice.audit_seq))
    }

    /// Sends one delivery; the receiver's status, or why there was none.
    async fn post(&self, hook: &Webhook, id: &str, body: Vec<u8>) -> Result<u16, String> {
        let timestamp = clock::now().unix_timestamp();
        let signature = webhook::signature(&hook.secret, id, timestamp, &body).map_err(|e| e.to_string())?;
        let sent = self
            .client
            .post(&hook.url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        Ok(sent.status().as_u16())
    }

    fn retry(&self, notice: &DueNotice, now: OffsetDateTime, status: Option<u16>, error: String) -> Settled {
        let (row, channel, error) = (notice.row, notice.channel, Some(error));
        match retry_at(notice.attempts, notice.created_at, now, self.give_up_after, fastrand::f64()) {
            Some(due_at) => Settled { row, channel, state: NoticeState::Pending, due_at, status, error, at: now },
            None => Settled { row, channel, state: NoticeState::Failed, due_at: now, status, error, at: now },
        }
    }

    /// What a notice tells of, in the person's words, if it is still there to tell.
    async fn told(&self, notice: &DueNotice, lang: Lang) -> Result<Option<Told>, StoreError> {
        if notice.kind == REVIEW {
            // The organisation's own exchange, waiting in its privacy officer's queue.
            let own = self.store.org(&notice.org).await?.map_or_else(|| notice.org.0.clone(), |org| org.name);
            return Ok(Some(Told { kind: words::notice_kind(lang, REVIEW), from: own, path: "/review" }));
        }
        let Some(item) = self.item(notice).await? else { return Ok(None) };
        let sender = match &item {
            InboxItem::Signal { signal, .. } => signal.from_org.clone(),
            InboxItem::MatchNotice { notice, .. } => notice.other_org.clone(),
        };
        let from = self.store.org(&sender).await?.map_or(sender.0, |org| org.name);
        Ok(Some(Told { kind: words::notice_kind(lang, &notice.kind), from, path: "/app" }))
    }

    /// The person the notice is for, if they still want e-mail of this kind (`digest`: in the
    /// digest, else at once): their address, name and language.
    async fn recipient(&self, notice: &DueNotice) -> Result<Option<(String, String, Lang)>, StoreError> {
        let Some(account) = &notice.account else { return Ok(None) };
        let Some(settings) = self.store.notice_settings(account).await? else { return Ok(None) };
        let wanted = match notice.channel {
            Channel::Email => settings.notify == Notify::AtOnce,
            Channel::Digest => settings.notify == Notify::DailyDigest,
            Channel::Webhook => false,
        };
        let name = self.store.account(account).await?.map(|a| a.display_name).unwrap_or_default();
        Ok(settings.email.filter(|_| wanted).map(|email| (email, name, settings.lang)))
    }

    /// An e-mail at once.
    async fn mail(&self, notice: &DueNotice) -> Settled {
        let now = clock::now();
        let settled = |state, error: Option<&str>| Settled {
            row: notice.row,
            channel: notice.channel,
            state,
            due_at: now,
            status: None,
            error: error.map(str::to_owned),
            at: clock::now(),
        };
        let Some(mailer) = &self.mailer else {
            return settled(NoticeState::Dropped, Some("e-mail is not configured ([smtp])"));
        };
        let permit = self.reading.acquire().await;
        let (address, name, lang) = match self.recipient(notice).await {
            Ok(Some(found)) => found,
            Ok(None) => return settled(NoticeState::Dropped, Some("the person no longer wants these by e-mail")),
            Err(error) => return self.retry(notice, now, None, format!("could not read the account: {error}")),
        };
        let read = self.told(notice, lang).await;
        drop(permit);
        let told = match read {
            Ok(Some(told)) => told,
            Ok(None) => return settled(NoticeState::Dropped, Some(GONE)),
            Err(error) => return self.retry(notice, now, None, format!("could not read the item: {error}")),
        };
        let to = Recipient { address: &address, name: &name, lang };
        match mailer.send(&to, &[told], &format!("{}.{}", notice.notice_id, notice.row)).await {
            Ok(()) => settled(NoticeState::Delivered, None),
            Err(error) => self.retry(notice, now, None, error),
        }
    }

    /// Deletes the settled notices older than `keep_log_days`, at start and once a day after
    /// (each instance: deleting what another deleted already is nothing). How many.
    pub async fn prune_if_due(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let due = self.pruned_at.lock().is_ok_and(|at| at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY));
        if !due {
            return Ok(0);
        }
        if let Ok(mut at) = self.pruned_at.lock() {
            *at = Some(std::time::Instant::now());
        }
        let mut pruned = 0;
        loop {
            // In parts, so that the exchanges' writes come between them.
            let part = self.store.prune_notices(now - self.keep_log, PRUNE_PART).await?;
            pruned += part;
            if part < u64::from(PRUNE_PART) {
                break;
            }
        }
        if pruned > 0 {
            tracing::info!(pruned, "settled notices pruned from the outbox");
        }
        Ok(pruned)
    }

    /// Sends the day's digest once its hour has come (Dutch time), by the one instance that
    /// claims the day; how many mails went out.
    pub async fn digest_if_due(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let Some(mailer) = &self.mailer else { return Ok(0) };
        let zone = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap_or(jiff::tz::TimeZone::UTC);
        let local = jiff::Timestamp::from_second(now.unix_timestamp())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .to_zoned(zone);
        if local.hour() < i8::try_from(mailer.digest_hour).unwrap_or(7) {
            return Ok(0);
        }
        let day = local.date().to_string();
        if self.digest_seen.lock().is_ok_and(|seen| seen.as_deref() == Some(day.as_str())) {
            return Ok(0);
        }
        let claimed = self.store.claim_digest_day(&day, now).await?;
        if let Ok(mut seen) = self.digest_seen.lock() {
            *seen = Some(day);
        }
        if !claimed {
            return Ok(0);
        }
        self.send_digests(now).await
    }

    /// One mail per person of everything waiting for their digest; how many mails were sent.
    pub async fn send_digests(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let mut sent = 0;
        loop {
            let due = self.store.take_digest_notices(now, LEASE, BATCH).await?;
            if due.is_empty() {
                return Ok(sent);
            }
            let mut settled = Vec::with_capacity(due.len());
            // Taken in order of person: each run of the same account is one mail.
            for person in due.chunk_by(|a, b| a.account == b.account) {
                let (done, mailed) = self.digest_of(person).await;
                settled.extend(done);
                sent += usize::from(mailed);
            }
            count(&settled);
            self.store.settle_notices(&settled).await?;
        }
    }

    /// One person's digest: every notice settled, and whether a mail went out.
    async fn digest_of(&self, notices: &[DueNotice]) -> (Vec<Settled>, bool) {
        let now = clock::now();
        let settle = |notice: &DueNotice, state, error: Option<String>| Settled {
            row: notice.row,
            channel: Channel::Digest,
            state,
            due_at: now,
            status: None,
            error,
            at: now,
        };
        let Some(first) = notices.first() else { return (Vec::new(), false) };
        let recipient = match self.recipient(first).await {
            Ok(found) => found,
            Err(error) => {
                let error = format!("could not read the account: {error}");
                return (notices.iter().map(|n| self.retry(n, now, None, error.clone())).collect(), false);
            }
        };
        let Some((address, name, lang)) = recipient else {
            let why = "the person no longer wants a digest by e-mail".to_owned();
            return (notices.iter().map(|n| settle(n, NoticeState::Dropped, Some(why.clone()))).collect(), false);
        };
        let (mut told, mut settled, mut included) = (Vec::new(), Vec::new(), Vec::new());
        for notice in notices {
            match self.told(notice, lang).await {
                Ok(Some(one)) => {
                    told.push(one);
                    included.push(notice);
                }
                Ok(None) => settled.push(settle(notice, NoticeState::Dropped, Some(GONE.into()))),
                Err(error) => settled.push(self.retry(notice, now, None, format!("could not read the item: {error}"))),
            }
        }
        let (Some(mailer), Some(first)) = (&self.mailer, included.first()) else { return (settled, false) };
        let to = Recipient { address: &address, name: &name, lang };
        let id = format!("digest.{}.{}", first.notice_id, first.row);
        match mailer.send(&to, &told, &id).await {
            Ok(()) => {
                settled.extend(included.iter().map(|n| settle(n, NoticeState::Delivered, None)));
                (settled, true)
            }
            Err(error) => {
                settled.extend(included.iter().map(|n| self.retry(n, now, None, error.clone())));
                (settled, false)
            }
        }
    }
}

/// Counts settled notices in `/metrics`; one failed for good is logged for the operator too (the
/// organisation's administrators see it on their page).
fn count(settled: &[Settled]) {
    for one in settled {
        let outcome = match one.state {
            NoticeState::Delivered => "delivered",
            NoticeState::Pending => "retried",
            NoticeState::Failed => "failed",
            NoticeState::Dropped => "dropped",
        };
        metrics::counter!("ketenpoort_notices_total", "channel" => one.channel.as_str(), "outcome" => outcome)
            .increment(1);
        if one.state == NoticeState::Failed {
            tracing::warn!(
                row = one.row,
                channel = one.channel.as_str(),
                error = one.error.as_deref().unwrap_or(""),
                "a notice failed for good"
            );
        }
    }
}

/// A failed request in words for the delivery log: what went wrong, with its causes.
fn describe(error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "no answer in time"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    let mut text = what.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
