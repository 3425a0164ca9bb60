//! The shape a JSON body may have, checked on its bytes before it is parsed.
//!
//! Our bodies are flat: an object of short strings and short lists of words. A body that nests
//! deeper, or carries a string or list longer than any field of ours needs, is refused with the
//! field named, so that nothing downstream (a lookup by id, an error message, a log line) ever
//! handles a string of sixty thousand characters. One pass over the bytes, no allocation but a
//! small stack; malformed JSON is left for the parser to name.

/// Deepest nesting of objects and lists: a body (1) holding a list (2) is all we use.
pub const MAX_DEPTH: usize = 4;
/// Longest string, in characters as sent, of any field but the free texts below.
pub const MAX_STRING_CHARS: usize = 200;
/// Longest free text (a justification of a safety concern).
pub const MAX_TEXT_CHARS: usize = 4_000;
/// Most items in one list (the closed vocabulary has fewer words than this).
pub const MAX_ITEMS: usize = 64;

/// Fields of free text, allowed [`MAX_TEXT_CHARS`].
pub const FREE_TEXT_FIELDS: &[&[u8]] = &[b"justification"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutOfBounds {
    #[error("the body nests deeper than {MAX_DEPTH} levels; the API's bodies are flat objects")]
    TooDeep,
    #[error("`{field}` is longer than {limit} characters")]
    StringTooLong { field: String, limit: usize },
    #[error("`{field}` has more than {MAX_ITEMS} items")]
    TooManyItems { field: String },
}

/// Checks `body` against the bounds above.
pub fn check(body: &[u8]) -> Result<(), OutOfBounds> {
    // One frame per open object or list: whether it is a list, its items so far, and the
    // field it is the value of (for the message).
    let mut open: Vec<(bool, usize, &[u8])> = Vec::with_capacity(MAX_DEPTH);
    let mut field: &[u8] = b"";
    let mut expect_key = false;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'{' | b'[' => {
                if open.len() == MAX_DEPTH {
                    return Err(OutOfBounds::TooDeep);
                }
                count_item(&mut open)?;
                open.push((body[i] == b'[', 0, field));
                expect_key = body[i] == b'{';
            }
            b'}' | b']' => {
                open.pop();
                expect_key = false;
            }
            b',' => expect_key = matches!(open.last(), Some((false, _, _))),
            b'"' => {
                let start = i + 1;
                let mut end = start;
                let mut chars = 0usize;
                while end < body.len() && body[end] != b'"' {
                    // An escape takes the next byte with it, so an escaped quote does not end it.
                    end += if body[end] == b'\\' { 2 } else { 1 };
                    chars += 1;
                }
                let text = &body[start..end.min(body.len())];
                // Characters, not bytes: UTF-8 continuation bytes do not count.
                let chars = chars - text.iter().filter(|b| (**b & 0xC0) == 0x80).count();
                if expect_key {
                    if chars > MAX_STRING_CHARS {
                        return Err(OutOfBounds::StringTooLong {
                            field: "a field name".into(),
                            limit: MAX_STRING_CHARS,
                        });
                    }
                    field = text;
                    expect_key = false;
                } else {
                    count_item(&mut open)?;
                    let limit = if FREE_TEXT_FIELDS.contains(&field) { MAX_TEXT_CHARS } else { MAX_STRING_CHARS };
                    if chars > limit {
                        return Err(OutOfBounds::StringTooLong { field: name(field), limit });
                    }
                }
                i = end;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b':' => {}
            // A number, true, false or null: an item of a list like any other.
            _ => {
                count_item(&mut open)?;
                while i + 1 < body.len() && !b",]} \t\n\r".contains(&body[i + 1]) {
                    i += 1;
                }
            }
        }
        i += 1;
    }
    Ok(())
}

/// Counts one more value in the innermost list, if the innermost container is a list.
fn count_item(open: &mut [(bool, usize, &[u8])]) -> Result<(), OutOfBounds> {
    if let Some((true, items, field)) = open.last_mut() {
        *items += 1;
        if *items > MAX_ITEMS {
            return Err(OutOfBounds::TooManyItems { field: name(field) });
        }
    }
    Ok(())
}

/// A field name for a message: ours are short lowercase words; anything else (digits: a BSN
/// sent as a name) is not echoed.
fn name(field: &[u8]) -> String {
    match std::str::from_utf8(field) {
        Ok(word) if is_field_name(word) => word.to_owned(),
        _ => "a field".to_owned(),
    }
}

/// Whether a name a caller sent may be repeated in a message: a short lowercase word, as all
/// our field names are.
pub fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 40 && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bodies_of_the_api_are_within_bounds() {
        let consent = br#"{"bsn": "628194821", "given_by": "parent", "recipient_kinds": ["school"],
            "signals": ["help_started", "help_ongoing", "help_ended"], "purposes": ["care_coordination"],
            "valid_from": "2026-01-01T00:00:00Z", "valid_until": null, "limit": 50, "full": true}"#;
        assert_eq!(check(consent), Ok(()));
        let quoted = br#"{"justification": "she said \"no\" twice\\", "to": "veilig-thuis"}"#;
        assert_eq!(check(quoted), Ok(()));
    }

    #[test]
    fn a_deep_body_is_refused_before_it_is_parsed() {
        assert_eq!(check(br#"{"a": [[1]]}"#), Ok(()));
        assert_eq!(check(br#"{"a": [[[1]]]}"#), Ok(()));
        assert_eq!(check(br#"{"a": [[[[1]]]]}"#), Err(OutOfBounds::TooDeep));
        let deep = "[".repeat(100_000);
        assert_eq!(check(deep.as_bytes()), Err(OutOfBounds::TooDeep));
    }

    #[test]
    fn a_long_string_is_refused_naming_its_field_and_free_text_may_be_longer() {
        let long = "x".repeat(MAX_STRING_CHARS + 1);
        assert_eq!(
            check(format!(r#"{{"to": "{long}"}}"#).as_bytes()),
            Err(OutOfBounds::StringTooLong { field: "to".into(), limit: MAX_STRING_CHARS })
        );
        assert_eq!(check(format!(r#"{{"justification": "{long}"}}"#).as_bytes()), Ok(()));
        let text = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(check(format!(r#"{{"justification": "{text}"}}"#).as_bytes()), Ok(()), "characters, not bytes");
        let longer = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            check(format!(r#"{{"justification": "{longer}"}}"#).as_bytes()),
            Err(OutOfBounds::StringTooLong { field: "justification".into(), limit: MAX_TEXT_CHARS })
        );
        assert!(check(format!(r#"{{"{long}": 1}}"#).as_bytes()).is_err(), "a long field name");
        // A list item is a value of the list's field.
        assert_eq!(
            check(format!(r#"{{"signals": ["help_started", "{long}"]}}"#).as_bytes()),
            Err(OutOfBounds::StringTooLong { field: "signals".into(), limit: MAX_STRING_CHARS })
        );
    }

    #[test]
    fn a_long_list_is_refused_naming_its_field() {
        let items = vec!["\"school\""; MAX_ITEMS].join(",");
        assert_eq!(check(format!(r#"{{"recipient_kinds": [{items}]}}"#).as_bytes()), Ok(()));
        let more = vec!["1"; MAX_ITEMS + 1].join(", ");
        assert_eq!(
            check(format!(r#"{{"recipient_kinds": [{more}]}}"#).as_bytes()),
            Err(OutOfBounds::TooManyItems { field: "recipient_kinds".into() })
        );
    }

    #[test]
    fn a_field_name_that_is_not_a_word_is_not_echoed() {
        let long = "x".repeat(MAX_STRING_CHARS + 1);
        let error = check(format!(r#"{{"628194821": "{long}"}}"#).as_bytes()).unwrap_err();
        assert_eq!(error, OutOfBounds::StringTooLong { field: "a field".into(), limit: MAX_STRING_CHARS });
        let error = check(format!(r#"{{"b s n": "{long}"}}"#).as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), format!("`a field` is longer than {MAX_STRING_CHARS} characters"));
    }

    #[test]
    fn malformed_input_never_panics() {
        for body in [&b"\""[..], b"\"\\", b"{\"a\":\"\\", b"]]]]", b"{,,,}", b"tru", b"\xff\xfe", b""] {
            let _ = check(body);
        }
    }
}
