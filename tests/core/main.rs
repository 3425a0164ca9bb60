//! The integration tests of the core: the real binary, real SQLite files, real keys.

// Test helpers fail loudly: a panic is a failed test, not a crashed service.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod audit_log;
mod lifecycle;
mod personal_data;
mod policy;
mod scenarios;
mod tamper;
