//! A short memory of the directory — which organisation a client certificate belongs to, an
//! actor's account, an organisation by id — because every API request asks it and it rarely
//! changes.
//!
//! A change made through this process is seen at once (the store forgets everything it
//! remembers when it writes the directory). A change made by another process — the CLI,
//! another instance on the same PostgreSQL — is seen within [`FRESH_FOR`]: a disabled
//! certificate or account may act for at most that long there. Only what exists is
//! remembered, so a new registration is never hidden.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Account, Effect, Organisation};

/// How long an answer is trusted without asking the database again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// So that callers naming ever new actors cannot grow it without bound.
const MOST_REMEMBERED: usize = 4_096;

type Holder = (Organisation, Option<Account>);
/// A certificate's fingerprint and the actor named with it.
type HolderKey = (String, Option<String>);

#[derive(Default)]
pub(super) struct DirectoryMemory {
    holders: Mutex<HashMap<HolderKey, (Instant, Holder)>>,
    orgs: Mutex<HashMap<String, (Instant, Organisation)>>,
}

impl DirectoryMemory {
    pub fn holder(&self, fingerprint: &str, account: Option<&str>) -> Option<Holder> {
        let holders = lock(&self.holders);
        let key = (fingerprint.to_owned(), account.map(str::to_owned));
        holders.get(&key).filter(|(at, _)| at.elapsed() < FRESH_FOR).map(|(_, holder)| holder.clone())
    }

    pub fn remember_holder(&self, fingerprint: &str, account: Option<&str>, holder: &Holder) {
        let mut holders = lock(&self.holders);
        if holders.len() >= MOST_REMEMBERED {
            holders.clear();
        }
        holders.insert((fingerprint.to_owned(), account.map(str::to_owned)), (Instant::now(), holder.clone()));
    }

    pub fn org(&self, id: &str) -> Option<Organisation> {
        lock(&self.orgs).get(id).filter(|(at, _)| at.elapsed() < FRESH_FOR).map(|(_, org)| org.clone())
    }

    pub fn remember_org(&self, org: &Organisation) {
        let mut orgs = lock(&self.orgs);
        if orgs.len() >= MOST_REMEMBERED {
            orgs.clear();
        }
        orgs.insert(org.id.0.clone(), (Instant::now(), org.clone()));
    }

    pub fn forget_all(&self) {
        lock(&self.holders).clear();
        lock(&self.orgs).clear();
    }
}

/// Whether an effect changes what the directory answers.
pub(super) fn changes_directory(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::RegisterOrg(_)
            | Effect::RegisterCertificate { .. }
            | Effect::RegisterAccount(_)
            | Effect::DisableOrg { .. }
            | Effect::DisableAccount { .. }
            | Effect::DisableCertificate { .. }
    )
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
