//! The youth as Ketenpoort knows them: a pseudonym of the BSN and a birth date, nothing more.
//!
//! A BSN enters at the edge (API body, scenario file), is checked ([`Bsn`]) and turned into a
//! [`Pseudonym`] at once; only the pseudonym and the [`BirthDate`] travel further, to the facts
//! and the audit log. None of these types print their clear value in `Debug` or `Display`.

mod birth_date;
mod bsn;
mod pseudonym;

pub use birth_date::{BirthDate, BirthDateError};
pub use bsn::{Bsn, BsnError};
pub use pseudonym::{KeyError, Pseudonym, Pseudonymiser};
