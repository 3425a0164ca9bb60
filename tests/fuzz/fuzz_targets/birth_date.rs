//! The birth date parser (`BirthDate: FromStr`, and its serde form in scenario files).
//!
//! Asserts: whatever parses is a real calendar date written back as `YYYY-MM-DD` that parses
//! to the same date, and is the text given when that text has the canonical form; a refusal
//! holds no digit, so it cannot repeat the date; `Debug` and `Display` show no digit; the age
//! at any moment is computed without a panic.

#![no_main]

use ketenpoort::youth::BirthDate;
use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;

/// `YYYY-MM-DD` with ASCII digits: the canonical form.
fn canonical(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match text.parse::<BirthDate>() {
        Ok(date) => {
            let iso = date.to_iso();
            assert!(canonical(&iso), "to_iso gave {iso:?}");
            assert_eq!(iso.parse::<BirthDate>().ok(), Some(date), "to_iso does not read back");
            if canonical(&text) {
                assert_eq!(iso, text, "a canonical date is written back as given");
            }
            let printed = format!("{date:?} {date} {date:#?}");
            assert!(!printed.bytes().any(|b| b.is_ascii_digit()), "a birth date printed a digit: {printed}");
            // Any moment: the age is a number, never a panic (the first bytes pick the moment).
            let seconds = data.iter().take(8).fold(0i64, |acc, b| acc.wrapping_mul(251).wrapping_add(i64::from(*b)));
            let bounded = seconds.rem_euclid(253_402_300_799); // up to 9999-12-31
            if let Ok(at) = OffsetDateTime::from_unix_timestamp(bounded) {
                let _ = date.age_at(at);
            }
        }
        Err(error) => {
            let message = error.to_string();
            assert!(!message.bytes().any(|b| b.is_ascii_digit()), "a refusal holds a digit: {message}");
        }
    }
});
