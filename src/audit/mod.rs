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
/// Group commit: appends that arrive while a commit is under way wait in a queue, and the next
/// caller to take the commit turn writes all of them in one transaction with one durable
/// commit. Each caller is answered only after the commit that holds its entries.
#[derive(Clone)]
pub struct AuditLog {
    store: Arc<dyn Store>,
    signer: Arc<CheckpointSigner>,
    checkpoint_every: u64,
    group: Arc<Group>,
}

type Sealed = Result<Vec<(u64, ChainHash)>, StoreError>;

/// Appends waiting for the next commit, and the turn to make it.
#[derive(Default)]
struct Group {
    waiting: std::sync::Mutex<Vec<(Vec<Audited>, tokio::sync::oneshot::Sender<Sealed>)>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

/// The most units one commit takes, so that one slow commit cannot grow without bound.
const MOST_PER_COMMIT: usize = 512;

impl AuditLog {
    pub fn new(store: Arc<dyn Store>, signer: Arc<CheckpointSigner>, checkpoint_every: u64) -> Self {
        AuditLog { store, signer, checkpoint_every: checkpoint_every.max(1), group: Arc::default() }
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

    /// Queues `work` and waits for the commit that holds it, making commits itself whenever
    /// the turn is free and its work is still waiting. A commit runs as a task of its own that
    /// holds the turn: a caller that goes away (a client hanging up) cannot cut short a commit
    /// that carries other callers' entries, nor their answers.
    async fn commit_in_group(&self, work: Vec<Audited>) -> Sealed {
        use tokio::sync::oneshot::error::TryRecvError;
        let lost = || StoreError::Database("the audit append was lost before its commit".into());
        let (tell, mut told) = tokio::sync::oneshot::channel();
        self.lock_waiting().push((work, tell));
        loop {
            let turn = self.group.turn.clone().lock_owned().await;
            match told.try_recv() {
                Ok(sealed) => return sealed,
                Err(TryRecvError::Closed) => return Err(lost()),
                Err(TryRecvError::Empty) => {}
            }
            let batch: Vec<_> = {
                let mut waiting = self.lock_waiting();
                let take = waiting.len().min(MOST_PER_COMMIT);
                waiting.drain(..take).collect()
            };
            // Unanswered, and no commit in flight (we hold the turn): our work is in this batch
            // or behind it in the queue — never nowhere.
            if batch.is_empty() {
                return Err(lost());
            }
            metrics::histogram!("ketenpoort_audit_group_size").record(batch.len() as f64);
            let store = self.store.clone();
            let commit = tokio::spawn(async move {
                let _turn = turn;
                let (units, tellers): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
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
            });
            if commit.await.is_err() {
                return Err(lost());
            }
        }
    }

    fn lock_waiting(&self) -> std::sync::MutexGuard<'_, Vec<(Vec<Audited>, tokio::sync::oneshot::Sender<Sealed>)>> {
        self.group.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
