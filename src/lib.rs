//! Ketenpoort: the gateway through which Dutch youth-care partners exchange only the typed,
//! permitted signals of the action framework, every decision audited in a hash chain.
//!
//! A guided tour, in the order a request flows (DESIGN.md, "Architecture"):

/// The JSON API under /api/v1 for partner systems (mutual TLS).
pub mod api;
/// Bootstrap: `App::build(config)` and `run_until_stopped`.
pub mod app;
/// The audit log: canonical entries, the SHA-256 chain, Ed25519 checkpoints, verification.
pub mod audit;
/// The command line.
pub mod cli;
/// The only place that reads the wall clock.
pub mod clock;
/// The configuration file and its environment overrides.
pub mod config;
/// The demo region, its development certificates and the walkthrough.
pub mod demo;
/// Effects under "log before disclose": decisions, delivered signals and fact changes.
pub mod exchange;
/// The action framework as types, and the one pure `decide`.
pub mod framework;
/// Who is acting: organisation, org kind, role, and how they were authenticated.
pub mod identity;
/// Key files: the pseudonym key and the checkpoint signing key.
pub mod keys;
/// Load shedding: rates per organisation, requests in flight, timeouts.
pub mod limits;
/// Notices that leave Ketenpoort: the outbox's dispatcher and signed webhooks.
pub mod notices;
/// /healthz, /readyz, /metrics.
pub mod ops;
/// The rule table as a casbin model; which rules match a request.
pub mod policy;
/// The conformance scenario runner: real store, real `decide`.
pub mod scenarios;
/// The storage port (units of work) and its SQLite backend.
pub mod store;
/// Pages for people: sessions, CSRF, Dutch and English.
pub mod web;
/// BSN (elfproef) → pseudonym (HMAC); birth date and age.
pub mod youth;
