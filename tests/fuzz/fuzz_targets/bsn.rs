//! The BSN parser (`Bsn: FromStr`), as the API, the scenario runner and the audit search use it.
//!
//! Asserts: it agrees with an independent reading of the rule (nine ASCII digits, not all zero,
//! the elfproef); a refusal's message holds no digit, so it cannot repeat the number; a parsed
//! BSN prints no digit either, and its pseudonym is stable and does not contain it.

#![no_main]

use std::sync::LazyLock;

use ketenpoort::youth::{Bsn, BsnError, Pseudonymiser};
use libfuzzer_sys::fuzz_target;

static KEYS: LazyLock<Pseudonymiser> = LazyLock::new(|| Pseudonymiser::from_secret([7; 32]));

/// The rule, written again from its definition rather than from the parser.
fn expected(text: &str) -> Result<(), BsnError> {
    let bytes = text.as_bytes();
    if bytes.len() != 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(BsnError::NotNineDigits);
    }
    let digits: Vec<i64> = bytes.iter().map(|b| i64::from(b - b'0')).collect();
    if digits.iter().all(|d| *d == 0) {
        return Err(BsnError::AllZeros);
    }
    let sum: i64 = (0..8).map(|i| (9 - i as i64) * digits[i]).sum::<i64>() - digits[8];
    if sum.rem_euclid(11) == 0 { Ok(()) } else { Err(BsnError::FailsElfproef) }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = text.parse::<Bsn>();
    assert_eq!(parsed.as_ref().map(drop).map_err(|e| *e), expected(&text), "the parser and the rule disagree");
    match parsed {
        Ok(bsn) => {
            let printed = format!("{bsn:?} {bsn} {bsn:#?}");
            assert!(!printed.bytes().any(|b| b.is_ascii_digit()), "a BSN printed a digit: {printed}");
            let pseudonym = KEYS.pseudonymise(&bsn);
            assert_eq!(pseudonym, KEYS.pseudonymise(&text.parse::<Bsn>().unwrap()), "pseudonyms differ");
            assert_eq!(pseudonym.value.len(), 64, "a pseudonym is an HMAC-SHA-256 in hex");
            assert!(!pseudonym.value.contains(text.as_ref()), "a pseudonym holds the BSN");
        }
        Err(error) => {
            let message = error.to_string();
            assert!(!message.bytes().any(|b| b.is_ascii_digit()), "a refusal holds a digit: {message}");
        }
    }
});
