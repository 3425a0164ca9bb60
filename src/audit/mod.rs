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
pub use entry::{AuditActor, AuditEntry, AuditEvent, micros};
pub use export::{CsvEntry, ExportedCheckpoint, ExportedEntry, ImportError};
pub use search::{
    AuditFilter, AuditQuery, AuditScope, DEFAULT_PAGE, MAX_PAGE, NotAnAuditor, Order, SearchError, SearchFields,
};
pub use verify::{Broken, Intact, verify, verify_with};

use crate::store::{Audited, Store, StoreError};

/// Appends to the chain and signs a checkpoint every `checkpoint_every` entries.
#[derive(Clone)]
pub struct AuditLog {
    store: Arc<dyn Store>,
    signer: Arc<CheckpointSigner>,
    checkpoint_every: u64,
}

impl AuditLog {
    pub fn new(store: Arc<dyn Store>, signer: Arc<CheckpointSigner>, checkpoint_every: u64) -> Self {
        AuditLog { store, signer, checkpoint_every: checkpoint_every.max(1) }
    }

    /// The public half of the checkpoint key, to verify the log with.
    pub fn verifier(&self) -> CheckpointVerifier {
        self.signer.verifier()
    }

    /// Appends `work` (entries with their effects) in one transaction; returns the sequence
    /// numbers given. Once this returns, the entries are durably stored.
    pub async fn append(&self, work: Vec<Audited>, now: OffsetDateTime) -> Result<Vec<u64>, StoreError> {
        let started = std::time::Instant::now();
        let sealed = self.store.append(work, link).await?;
        metrics::counter!("ketenpoort_audit_appends_total").increment(sealed.len() as u64);
        metrics::histogram!("ketenpoort_audit_append_seconds").record(started.elapsed().as_secs_f64());
        if let (Some((first, _)), Some(&(last, hash))) = (sealed.first(), sealed.last())
            && (first - 1) / self.checkpoint_every != last / self.checkpoint_every
        {
            self.store.add_checkpoint(&self.signer.sign(last, hash, now)).await?;
        }
        Ok(sealed.into_iter().map(|(seq, _)| seq).collect())
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
