//! The audit log: every decision and every change of facts, one entry each, in a SHA-256 hash
//! chain with signed checkpoints.
//!
//! In the request flow this is "audit": the exchange layer hands [`AuditLog::append`] the
//! entries together with their effects, and nothing is disclosed before they commit. `verify`
//! recomputes the chain for `ketenpoort audit verify`.

mod chain;
mod checkpoint;
mod disclosure;
mod entry;
mod export;
mod search;
mod verify;

use std::sync::Arc;

use time::OffsetDateTime;

pub use chain::{ChainHash, GENESIS, link};
pub use checkpoint::{Checkpoint, CheckpointKeyError, CheckpointSigner, CheckpointVerifier};
pub use disclosure::{Disclosure, DisclosureKind};
pub use entry::{AuditActor, AuditEntry, AuditEvent, EntryFields, micros};
pub use export::{CsvEntry, ExportedCheckpoint, ExportedEntry, ImportError};
pub use search::{
    AuditFilter, AuditQuery, AuditScope, DEFAULT_PAGE, MAX_PAGE, NotAnAuditor, Order, SearchError, SearchFields,
};
pub use verify::{Broken, Intact, verify, verify_with};

use crate::store::{Audited, Store, StoreError};

/// Appends to the chain and signs a checkpoint every `checkpoint_every` entries.
///
/// Group commit: one committer task writes whatever appends have queued up while it wrote the
/// last group, all in one transaction with one durable commit, then answers each of them. A
/// caller is answered only after the commit that holds its entries; a caller that goes away
/// (a client hanging up) cannot cut short a commit that carries other callers' entries.
#[derive(Clone)]
pub struct AuditLog {
    store: Arc<dyn Store>,
    signer: Arc<CheckpointSigner>,
    checkpoint_every: u64,
    group: Arc<Group>,
}

type Sealed = Result<Vec<(u64, ChainHash)>, StoreError>;
type Pending = (Vec<Audited>, tokio::sync::oneshot::Sender<Sealed>);

/// The queue of appends waiting for the committer.
struct Group {
    queue: tokio::sync::mpsc::UnboundedSender<Pending>,
    /// The committer's end of the queue until the first append starts it: a log may be made
    /// outside the runtime it will append on.
    unstarted: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<Pending>>>,
}

/// The most units one commit takes, so that one slow commit cannot grow without bound.
const MOST_PER_COMMIT: usize = 512;

/// Writes the queued appends a group at a time until every log handle is gone.
async fn commit_groups(store: Arc<dyn Store>, mut queue: tokio::sync::mpsc::UnboundedReceiver<Pending>) {
    let mut batch = Vec::with_capacity(MOST_PER_COMMIT);
    while queue.recv_many(&mut batch, MOST_PER_COMMIT).await > 0 {
        metrics::histogram!("ketenpoort_audit_group_size").record(batch.len() as f64);
        let (units, tellers): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        // A task of its own: should a commit panic, its callers hear that their append was
        // lost (their tellers are dropped) and the next group is written all the same.
        let store = store.clone();
        let _ = tokio::spawn(async move {
            match store.append_group(units, link).await {
                Ok(outcomes) => {
                    for (teller, outcome) in tellers.into_iter().zip(outcomes) {
                        let _ = teller.send(outcome);
                    }
                }
                Err(error) => {
                    let message = error.to_string();
                    for teller in tellers {
                        let _ = teller.send(Err(StoreError::Database(message.clone().into())));
                    }
                }
            }
        })
        .await;
    }
}

impl AuditLog {
    pub fn new(store: Arc<dyn Store>, signer: Arc<CheckpointSigner>, checkpoint_every: u64) -> Self {
        let (queue, unstarted) = tokio::sync::mpsc::unbounded_channel();
        let group = Arc::new(Group { queue, unstarted: std::sync::Mutex::new(Some(unstarted)) });
        AuditLog { store, signer, checkpoint_every: checkpoint_every.max(1), group }
    }

    /// The public half of the checkpoint key, to verify the log with.
    pub fn verifier(&self) -> CheckpointVerifier {
        self.signer.verifier()
    }

    /// Appends `work` (entries with their effects) in one transaction; returns the sequence
    /// numbers given. Once this returns, the entries are durably stored.
    pub async fn append(&self, work: Vec<Audited>, now: OffsetDateTime) -> Result<Vec<u64>, StoreError> {
        let started = std::time::Instant::now();
        let sealed = self.commit_in_group(work).await?;
        metrics::counter!("ketenpoort_audit_appends_total").increment(sealed.len() as u64);
        metrics::histogram!("ketenpoort_audit_append_seconds").record(started.elapsed().as_secs_f64());
        if let (Some((first, _)), Some(&(last, hash))) = (sealed.first(), sealed.last())
            && (first - 1) / self.checkpoint_every != last / self.checkpoint_every
        {
            // The entries are committed and may have been delivered: a checkpoint that fails
            // to be stored must not turn that into an error the caller retries (a second
            // delivery). The next checkpoint covers these entries too.
            if let Err(error) = self.store.add_checkpoint(&self.signer.sign(last, hash, now)).await {
                tracing::error!(%error, seq = last, "the checkpoint was not stored; the next one covers these entries");
            }
        }
        Ok(sealed.into_iter().map(|(seq, _)| seq).collect())
    }

    /// Queues `work` and waits for the commit that holds it.
    async fn commit_in_group(&self, work: Vec<Audited>) -> Sealed {
        let lost = || StoreError::Database("the audit append was lost before its commit".into());
        let unstarted = self.group.unstarted.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(queue) = unstarted {
            tokio::spawn(commit_groups(self.store.clone(), queue));
        }
        let (tell, told) = tokio::sync::oneshot::channel();
        self.group.queue.send((work, tell)).map_err(|_| lost())?;
        told.await.unwrap_or_else(|_| Err(lost()))
    }

    /// Signs a checkpoint at the head of the chain unless one is there already (on shutdown,
    /// at the end of a run).
    pub async fn checkpoint(&self, now: OffsetDateTime) -> Result<Option<Checkpoint>, StoreError> {
        let (seq, hash) = self.store.chain_head().await?;
        let last = self.store.checkpoints().await?.last().map(|c| c.seq);
        if seq == 0 || last == Some(seq) {
            return Ok(None);
        }
        let checkpoint = self.signer.sign(seq, hash, now);
        self.store.add_checkpoint(&checkpoint).await?;
        Ok(Some(checkpoint))
    }
}
