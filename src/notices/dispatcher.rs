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

use super::webhook::{self, WebhookError};
use super::{DueNotice, NoticeState, NoticesConfig, Settled, Webhook, retry_at};
use crate::clock;
use crate::framework::OrgId;
use crate::store::{Store, StoreError};
use crate::youth::Pseudonymiser;

/// Notices taken at once: enough to keep the receivers busy, few enough that a lease (below)
/// is never near its end before the batch is settled.
const BATCH: u32 = 256;
/// Deliveries in flight at once.
const IN_FLIGHT: usize = 64;
/// How long a taken notice is this dispatcher's: far longer than a batch's deliveries take
/// (each at most [`webhook::DELIVERY_TIMEOUT`]).
const LEASE: time::Duration = time::Duration::seconds(60);
/// How often an idle dispatcher looks for due notices.
const IDLE: Duration = Duration::from_millis(250);

pub struct Dispatcher {
    store: Arc<dyn Store>,
    pseudonymiser: Pseudonymiser,
    client: reqwest::Client,
    give_up_after: time::Duration,
    allow_private: bool,
}

impl Dispatcher {
    pub fn new(
        store: Arc<dyn Store>,
        pseudonymiser: Pseudonymiser,
        config: &NoticesConfig,
    ) -> Result<Dispatcher, WebhookError> {
        Ok(Dispatcher {
            store,
            pseudonymiser,
            client: webhook::client(config)?,
            give_up_after: time::Duration::seconds(i64::try_from(config.give_up_after_seconds).unwrap_or(i64::MAX)),
            allow_private: config.allow_private_webhooks,
        })
    }

    /// Sends notices until the task is dropped; a store that fails is logged and tried again.
    pub async fn run(self) {
        loop {
            match self.round().await {
                Ok(0) => tokio::time::sleep(IDLE).await,
                Ok(_) => {}
                Err(error) => {
                    tracing::error!(%error, "the notice dispatcher could not reach the store; trying again");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// One batch: taken, sent, settled. How many notices it held.
    pub async fn round(&self) -> Result<usize, StoreError> {
        let due = self.store.take_due_notices(clock::now(), LEASE, BATCH).await?;
        if due.is_empty() {
            return Ok(0);
        }
        // Each organisation's webhook read once per batch.
        let mut hooks: HashMap<OrgId, Option<Webhook>> = HashMap::new();
        for notice in &due {
            if !hooks.contains_key(&notice.org) {
                hooks.insert(notice.org.clone(), self.store.webhook(&notice.org).await?);
            }
        }
        let (taken, hooks) = (due.len(), &hooks);
        let settled: Vec<Settled> = futures_util::stream::iter(due)
            .map(|notice| async move {
                let hook = hooks.get(&notice.org).and_then(Option::as_ref);
                self.deliver(&notice, hook).await
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        for one in &settled {
            let outcome = match one.state {
                NoticeState::Delivered => "delivered",
                NoticeState::Pending => "retried",
                NoticeState::Failed => "failed",
                NoticeState::Dropped => "dropped",
            };
            metrics::counter!("ketenpoort_notices_total", "channel" => "webhook", "outcome" => outcome).increment(1);
            if one.state == NoticeState::Failed {
                // The organisation's administrators see it on their page; the operator here.
                tracing::warn!(row = one.row, error = one.error.as_deref().unwrap_or(""), "a notice failed for good");
            }
        }
        self.store.settle_notices(&settled).await?;
        Ok(taken)
    }

    async fn deliver(&self, notice: &DueNotice, hook: Option<&Webhook>) -> Settled {
        let now = clock::now();
        let settled = |state, status, error: Option<String>| Settled {
            row: notice.row,
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
        let body = match self.body(notice).await {
            Ok(Some(body)) => body,
            Ok(None) => {
                return settled(
                    NoticeState::Dropped,
                    None,
                    Some("nothing left to tell: the item is gone (its youth's data were destroyed)".into()),
                );
            }
            Err(error) => return self.retry(notice, now, None, format!("could not read the item: {error}")),
        };
        match self.post(hook, &notice.notice_id, body).await {
            Ok(status) if (200..300).contains(&status) => settled(NoticeState::Delivered, Some(status), None),
            Ok(status) => self.retry(notice, now, Some(status), format!("the receiver answered {status}")),
            Err(error) => self.retry(notice, now, None, error),
        }
    }

    /// The inbox item the notice tells of, as the organisation's API would show it now.
    async fn body(&self, notice: &DueNotice) -> Result<Option<Vec<u8>>, StoreError> {
        let items = self.store.inbox(&notice.org, notice.audit_seq.saturating_sub(1), 1).await?;
        let items: Vec<_> = items.into_iter().filter(|item| item.seq() == notice.audit_seq).collect();
        if items.is_empty() {
            return Ok(None);
        }
        let bodies = crate::api::inbox::bodies(&*self.store, &self.pseudonymiser, &notice.org, &items).await?;
        let Some(body) = bodies.first() else { return Ok(None) };
        serde_json::to_vec(body).map(Some).map_err(|e| StoreError::Corrupt(e.to_string()))
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
        match retry_at(notice.attempts, notice.created_at, now, self.give_up_after, fastrand::f64()) {
            Some(due_at) => {
                Settled { row: notice.row, state: NoticeState::Pending, due_at, status, error: Some(error), at: now }
            }
            None => Settled {
                row: notice.row,
                state: NoticeState::Failed,
                due_at: now,
                status,
                error: Some(error),
                at: now,
            },
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
