//! The scenario file parser (`ketenpoort-scenarios/1`, tests/scenarios/FORMAT.md) and the runner
//! behind it: the text goes through `scenarios::run_text`, as `ketenpoort scenarios run` and a
//! privacy officer's policy test do, on a throwaway in-memory store under the default policy.
//!
//! Asserts: a text is either refused as malformed (a message, its location given once), or run
//! scenario by scenario (each counted once, passed or failed), or refused as inconsistent;
//! never a panic, and never "unreadable" (that is for files). The store is fresh for every text
//! that parses, so a crash replays from its input alone.

#![no_main]

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};

use ketenpoort::audit::AuditLog;
use ketenpoort::exchange::Gateway;
use ketenpoort::policy::Policy;
use ketenpoort::scenarios::{FileError, run_text};
use ketenpoort::youth::Pseudonymiser;
use libfuzzer_sys::fuzz_target;

static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap());
static POLICY: LazyLock<Arc<Policy>> = LazyLock::new(|| Arc::new(RUNTIME.block_on(Policy::default_policy()).unwrap()));
static KEYS: LazyLock<Pseudonymiser> = LazyLock::new(|| Pseudonymiser::from_secret([11; 32]));

thread_local! {
    /// A gateway whose store nothing has touched yet: a malformed text leaves it so.
    static UNTOUCHED: RefCell<Option<Gateway>> = const { RefCell::new(None) };
}

fn fresh_gateway() -> Gateway {
    // Forced before `block_on`: loading the policy blocks on the same runtime.
    let policy = POLICY.clone();
    RUNTIME.block_on(async {
        let store: Arc<dyn ketenpoort::store::Store> =
            Arc::from(ketenpoort::store::open("sqlite::memory:").await.unwrap());
        let signer = ketenpoort::keys::ephemeral().unwrap().signer;
        Gateway::new(store.clone(), AuditLog::new(store, signer, 1_000), policy)
    })
}

/// How many scenarios the text lists, read as plain YAML.
fn scenarios_listed(text: &str) -> Option<usize> {
    let value: yaml_serde::Value = yaml_serde::from_str(text).ok()?;
    Some(value.get("scenarios").and_then(|s| s.as_sequence()).map_or(0, Vec::len))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let gateway = UNTOUCHED.with(|spare| spare.borrow_mut().take()).unwrap_or_else(fresh_gateway);
    match RUNTIME.block_on(run_text("fuzz.yaml", text, &gateway, &KEYS)) {
        Err(FileError::Malformed { line, column, message, .. }) => {
            assert!(!message.is_empty(), "a malformed text is refused without a word");
            // The location stands in front of the message (`file:line:column: …`), not again at its end.
            assert!(!message.ends_with(&format!(" at line {line} column {column}")), "the location twice: {message}");
            UNTOUCHED.with(|spare| *spare.borrow_mut() = Some(gateway));
        }
        Err(error @ FileError::Unreadable { .. }) => panic!("a text is never unreadable: {error}"),
        Err(FileError::Inconsistent { .. } | FileError::Store { .. }) => {}
        Ok(tally) => {
            let ran = tally.passed + tally.failures.len();
            if let Some(listed) = scenarios_listed(text) {
                assert_eq!(ran, listed, "every scenario is counted once");
            }
        }
    }
});
