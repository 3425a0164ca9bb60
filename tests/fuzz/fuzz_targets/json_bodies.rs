//! The JSON request bodies of `/api/v1`: the bytes go through the API's own `Json` extractor
//! into each body type and the conversions each handler runs before the store
//! (`ketenpoort::api::fuzzing`).
//!
//! Asserts: every refusal is a client error (4xx) with a snake_case code, never a 5xx; no
//! route takes bytes that are not JSON; no refusal repeats the BSN or the birth date sent when
//! it holds six digits or more (unless that text was also sent in another field, which an
//! error may name).

#![no_main]

use std::sync::LazyLock;

use ketenpoort::api::fuzzing::{ROUTES, read_bodies};
use libfuzzer_sys::fuzz_target;

static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().build().unwrap());

/// Texts that messages quote as examples (`e.g. 2026-03-02T09:00:00Z`).
const EXAMPLES: &[&str] = &["2026-03-02T09:00:00Z", "YYYY-MM-DD"];

fuzz_target!(|data: &[u8]| {
    let outcomes = RUNTIME.block_on(read_bodies(data));
    assert_eq!(outcomes.len(), ROUTES.len());
    let not_json = serde_json_is_invalid(data);
    for outcome in outcomes {
        let route = outcome.route;
        let Err(error) = outcome.result else {
            assert!(!not_json, "{route} took bytes that are not JSON");
            continue;
        };
        let status = error.status.as_u16();
        assert!((400..500).contains(&status), "{route}: status {status} ({})", error.code);
        let snake_case = |code: &str| !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        assert!(snake_case(error.code), "{route}: code {:?} is not a stable snake_case code", error.code);
        // The fixed examples a message may give are not an echo.
        let message = EXAMPLES.iter().fold(error.message.clone(), |message, example| message.replace(example, "…"));
        for secret in &outcome.personal {
            let elsewhere = outcome.other.iter().any(|text| text.contains(secret.as_str()));
            // Digits make a BSN or a date; words are echoed by design (`unknown signal `…``).
            let personal = secret.bytes().filter(u8::is_ascii_digit).count() >= 6;
            if personal && !elsewhere {
                assert!(!message.contains(secret.as_str()), "{route} repeats personal data: {}", error.message);
            }
        }
    }
});

/// Whether the bytes are not JSON at all (any value), by serde_json's own reading.
fn serde_json_is_invalid(data: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(data).is_err()
}
