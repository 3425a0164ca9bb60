//! The HTTPS API end to end: a real server on a loopback port with `certs-dev/`, a real TLS
//! client with client certificates, a real SQLite file.

// Test helpers fail loudly: a panic is a failed test, not a crashed service.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod activation;
mod audit;
mod authz;
mod browser;
mod crash;
mod demo;
mod errors;
mod identity;
mod instances;
mod lifecycle;
mod limits;
mod mail;
mod notices;
mod oidc;
mod personal_data;
mod resources;
mod serve;
mod story;
mod tls;
mod web;
mod web_admin;
