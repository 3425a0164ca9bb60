//! The burgerservicenummer: nine digits that pass the elfproef, and never printed.

use std::fmt;
use std::str::FromStr;

/// A valid BSN. `Debug` and `Display` never show the number; only [`super::Pseudonymiser`]
/// reads the digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Bsn([u8; 9]);

/// Why a text is not a BSN. The messages never echo the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BsnError {
    #[error("a BSN has exactly nine digits")]
    NotNineDigits,
    #[error("a BSN cannot be all zeros")]
    AllZeros,
    #[error("not a valid BSN: the check digit (elfproef) does not match")]
    FailsElfproef,
}

impl Bsn {
    /// The nine ASCII digits, for pseudonymisation only.
    pub(super) fn digits(&self) -> &[u8; 9] {
        &self.0
    }
}

impl FromStr for Bsn {
    type Err = BsnError;

    fn from_str(text: &str) -> Result<Self, BsnError> {
        let digits: [u8; 9] = text.as_bytes().try_into().map_err(|_| BsnError::NotNineDigits)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(BsnError::NotNineDigits);
        }
        if digits.iter().all(|d| *d == b'0') {
            return Err(BsnError::AllZeros);
        }
        // The elfproef: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 must be divisible by 11.
        let sum: i32 = digits
            .iter()
            .zip([9, 8, 7, 6, 5, 4, 3, 2, -1])
            .map(|(digit, weight)| i32::from(digit - b'0') * weight)
            .sum();
        if sum % 11 != 0 {
            return Err(BsnError::FailsElfproef);
        }
        Ok(Bsn(digits))
    }
}

impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bsn(<redacted>)")
    }
}

impl fmt::Display for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<BSN redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_passing_the_elfproef_is_a_bsn() {
        assert!("628194821".parse::<Bsn>().is_ok());
        assert!("111222333".parse::<Bsn>().is_ok());
    }

    #[test]
    fn leading_zeros_are_significant() {
        // 079244026 passes the elfproef only with its leading zero.
        assert!("079244026".parse::<Bsn>().is_ok());
        assert_eq!("79244026".parse::<Bsn>(), Err(BsnError::NotNineDigits));
    }

    #[test]
    fn a_wrong_check_digit_fails_the_elfproef() {
        assert_eq!("123456789".parse::<Bsn>(), Err(BsnError::FailsElfproef));
        assert_eq!("628194822".parse::<Bsn>(), Err(BsnError::FailsElfproef));
    }

    #[test]
    fn all_zeros_is_not_a_bsn_although_it_passes_the_elfproef() {
        assert_eq!("000000000".parse::<Bsn>(), Err(BsnError::AllZeros));
    }

    #[test]
    fn anything_but_nine_ascii_digits_is_refused() {
        for text in ["", "62819482", "6281948210", "62819482a", " 628194821", "６２８１９４８２１"] {
            assert_eq!(text.parse::<Bsn>(), Err(BsnError::NotNineDigits), "{text:?}");
        }
    }

    #[test]
    fn debug_and_display_never_print_the_number() {
        let bsn: Bsn = "628194821".parse().unwrap();
        let printed = format!("{bsn:?} {bsn} {bsn:#?}");
        assert!(!printed.contains("628194821"), "{printed}");
        assert!(!printed.contains("6281"), "{printed}");
    }
}
