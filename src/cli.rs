//! The command line: `serve`, `demo`, `migrate`, `org …`, `account …`, `keys …`, `scenarios run`,
//! `audit verify`.
//!
//! Each subcommand opens what it needs (store, keys, policy) and calls the same library code
//! the server will use; this is the only module that uses `anyhow`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use time::OffsetDateTime;

use crate::app::{self, App};
use crate::audit;
use crate::config::{Config, TlsConfig};
use crate::exchange::{Gateway, Occasion};
use crate::framework::{OrgId, OrgKind, Role};
use crate::identity::{mtls, operator};
use crate::keys::{self, Keys};
use crate::store::{self, Account, Organisation, PolicyText, Store};
use crate::{clock, demo, scenarios};

const DEFAULT_DATABASE: &str = "sqlite://ketenpoort.db";
/// Entries between two signed checkpoints for the command-line runs.
const CHECKPOINT_EVERY: u64 = 1_000;

/// Ketenpoort: the gateway through which youth-care partners exchange only the signals the
/// action framework permits, every decision audited in a log no one can silently change.
#[derive(Debug, Parser)]
#[command(name = "ketenpoort", version, propagate_version = true)]
pub struct Cli {
    /// Database URL [default: sqlite://ketenpoort.db; `scenarios run`: a fresh in-memory database per file]
    #[arg(long, global = true, env = "KETENPOORT_DATABASE_URL", value_name = "URL")]
    database: Option<String>,

    /// Directory of the pseudonym and checkpoint keys [default: beside the SQLite file, `NAME.keys/`]
    #[arg(long, global = true, env = "KETENPOORT_KEYS", value_name = "DIR")]
    keys: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTPS API (mutual TLS for partner systems) until SIGTERM or Ctrl-C.
    Serve {
        /// The configuration file (TOML; every key may be overridden by KETENPOORT_<KEY>)
        #[arg(long, value_name = "FILE", default_value = "ketenpoort.toml")]
        config: PathBuf,
    },
    /// Run a demo region on SQLite with the development certificates, and print the story to paste.
    Demo {
        /// Where the demo keeps its database and keys (created or reused)
        #[arg(long, value_name = "DIR", default_value = "ketenpoort-demo")]
        data_dir: PathBuf,
        /// Address to listen on
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
        listen: std::net::SocketAddr,
        /// The development certificates (made there when missing)
        #[arg(long, value_name = "DIR", default_value = "certs-dev")]
        certs: PathBuf,
    },
    /// Create the database if needed and bring its schema up to date.
    Migrate,
    /// Register organisations and their partner systems' certificates (audited).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Register the accounts of professionals, privacy officers, auditors and admins (audited).
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Generate or show the keys that pseudonymise BSNs and sign audit checkpoints.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Run conformance scenario files against the action framework.
    Scenarios {
        #[command(subcommand)]
        command: ScenariosCommand,
    },
    /// Policy versions: check, import a draft, approve (four eyes), activate, test against scenarios.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Destroy what the law says Ketenpoort must forget (ACTION-FRAMEWORK §8; audited).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Development tools: NOT FOR A PRODUCTION DATABASE.
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Debug, Subcommand)]
enum DevCommand {
    /// Fill the database with a synthetic region (made-up youths, their facts and a year of
    /// audited exchanges) for benchmarks. Registers the demo region's organisations when missing.
    Seed {
        /// Youths to make (the Rijk van Nijmegen has 57,066)
        #[arg(long, default_value_t = 57_066)]
        youths: u64,
        /// Audit entries to write in all, facts included
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        /// The same seed makes the same region
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// A retention run as if it were TIME (RFC 3339), to see or measure what the years will
    /// destroy. A run in the future destroys data before the law says so.
    RetentionAt {
        #[arg(value_parser = parse_since, value_name = "TIME")]
        at: OffsetDateTime,
        /// Only print what it would destroy
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// Destroy now what §8 says: involvements whose time and archive are up, then youths with
    /// nothing left to keep. `serve` does this once a day by itself.
    Run {
        /// Only print what it would destroy, by kind and count
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Generate a pseudonym key and an Ed25519 checkpoint key into the key directory.
    Generate {
        /// Overwrite existing keys. Pseudonyms made with the old key no longer match: only for
        /// a database you are discarding.
        #[arg(long)]
        force: bool,
    },
    /// Print the public half of the checkpoint key (hex), for whoever verifies the log.
    ExportPublic,
    /// Retire the pseudonym key and make a new one. Youths known before are still found (under
    /// the retired key, kept in `pseudonym.retired/`) and keep their pseudonym in the log and
    /// their case references; restart the servers to use the new key.
    RotatePseudonym,
    /// Make development TLS certificates: a CA, a server certificate for localhost and one
    /// client certificate per demo organisation. NOT FOR PRODUCTION.
    DevCerts {
        #[arg(long, value_name = "DIR", default_value = "certs-dev")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Register an organisation, or update its name and contact.
    Add {
        /// The organisation's id, e.g. lyceum-noord
        id: String,
        /// school, gp_practice, neighbourhood_team, youth_health, youth_work, care_provider,
        /// certified_institution, safe_home or compulsory_education
        #[arg(long)]
        kind: OrgKind,
        #[arg(long)]
        name: String,
        /// How partners reach the organisation (shown in match notices)
        #[arg(long)]
        contact: Option<String>,
    },
    /// List the active organisations.
    List,
    /// Disable an organisation: its certificates and accounts can no longer act.
    Disable { id: String },
    /// Register a partner system's client certificate for an organisation.
    Cert {
        #[command(subcommand)]
        command: CertCommand,
    },
    /// An organisation's webhook: its own system is told of what arrives in its inbox.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Set or replace the webhook; prints its new signing secret, once.
    Set {
        /// The organisation's id
        org: String,
        /// Where deliveries go: an https:// address on a public network
        #[arg(long)]
        url: String,
        /// Accept a loopback or private address (a test or a closed network; `serve` must
        /// allow it too, with `notices.allow_private_webhooks`)
        #[arg(long)]
        allow_private: bool,
    },
    /// Remove the webhook; notices still waiting for it are dropped.
    Remove {
        /// The organisation's id
        org: String,
    },
    /// The organisation's latest notices: state, attempts, the receiver's last answer.
    Log {
        /// The organisation's id
        org: String,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
enum CertCommand {
    /// Register a certificate by its PEM file or its SHA-256 fingerprint.
    Add {
        /// The organisation's id
        org: String,
        /// The certificate (PEM)
        #[arg(long, value_name = "FILE", conflicts_with = "fingerprint", required_unless_present = "fingerprint")]
        cert: Option<PathBuf>,
        /// The SHA-256 fingerprint of the certificate's DER encoding (64 hex characters)
        #[arg(long)]
        fingerprint: Option<String>,
    },
    /// Disable a certificate (a lost or replaced key): the API refuses it from then on, for good.
    Disable {
        /// The organisation's id
        org: String,
        /// The certificate (PEM)
        #[arg(long, value_name = "FILE", conflicts_with = "fingerprint", required_unless_present = "fingerprint")]
        cert: Option<PathBuf>,
        /// The SHA-256 fingerprint of the certificate's DER encoding (64 hex characters)
        #[arg(long)]
        fingerprint: Option<String>,
    },
}

/// The fingerprint a certificate command names, by its PEM file or as typed.
fn certificate_fingerprint(cert: Option<&PathBuf>, fingerprint: Option<&String>) -> Result<String> {
    match (cert, fingerprint) {
        (Some(file), _) => {
            let pem = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            mtls::fingerprint_of_pem(&pem).with_context(|| format!("no PEM certificate in {}", file.display()))
        }
        (None, Some(fingerprint)) => Ok(fingerprint.replace(':', "").to_ascii_lowercase()),
        (None, None) => bail!("give --cert FILE or --fingerprint HEX"),
    }
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Register an account, or update its role, name and contact.
    Add {
        /// The account id, e.g. mentor@lyceum-noord
        id: String,
        #[arg(long)]
        org: String,
        /// A role of the organisation's kind, or privacy_officer, auditor, admin
        #[arg(long)]
        role: Role,
        #[arg(long)]
        name: String,
        #[arg(long)]
        contact: Option<String>,
        /// The issuer of the person's OpenID Connect provider (for signing in to the pages)
        #[arg(long, requires = "oidc_subject")]
        oidc_issuer: Option<String>,
        /// The person's subject (`sub`) at that provider
        #[arg(long, requires = "oidc_issuer")]
        oidc_subject: Option<String>,
        /// Where notices reach the person by e-mail (they choose how often on their settings page)
        #[arg(long)]
        email: Option<String>,
    },
    /// List an organisation's accounts.
    List {
        #[arg(long)]
        org: String,
    },
    /// Disable an account: its sessions end, it can no longer act.
    Disable { id: String },
}

#[derive(Debug, Subcommand)]
enum ScenariosCommand {
    /// Decide every scenario of each FILE and compare with its `expect`.
    ///
    /// Prints one line per failing scenario and `N passed, M failed`. Exit code 0 when all
    /// pass, 1 when any fails, 2 when a file is malformed. With --database the decisions are
    /// audited into that database and kept, for `ketenpoort audit verify`.
    Run {
        /// Scenario files (format ketenpoort-scenarios/1 or /2)
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Check a model.conf + policy.csv pair; errors name the file and line.
    Check {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Store DIR's model.conf + policy.csv as a draft version.
    Import {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// What changes and why
        #[arg(long)]
        note: String,
        /// The privacy officer's account id (the draft's author)
        #[arg(long = "as", value_name = "ACCOUNT")]
        actor: String,
    },
    /// List the versions, newest first.
    List,
    /// Approve a draft: by a privacy officer other than its author.
    Approve {
        id: String,
        #[arg(long = "as", value_name = "ACCOUNT")]
        actor: String,
    },
    /// Activate an approved version (or roll back to a retired one).
    Activate {
        id: String,
        #[arg(long = "as", value_name = "ACCOUNT")]
        actor: String,
    },
    /// Run scenario files against a draft; the same output as `scenarios run`.
    Test {
        #[arg(long, value_name = "ID")]
        draft: String,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Re-decide every audited decision since DATE under a version, on the facts known then,
    /// and report what would change (allow → deny, deny → allow) by rule and org kind.
    Simulate {
        #[arg(long, value_name = "ID")]
        draft: String,
        /// A date (2026-01-31, from midnight UTC) or an RFC 3339 time; without it the whole log
        #[arg(long, value_name = "DATE", value_parser = parse_since)]
        since: Option<OffsetDateTime>,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
    },
}

/// `--since`: a calendar date (midnight UTC) or an RFC 3339 time.
fn parse_since(text: &str) -> Result<OffsetDateTime, String> {
    clock::parse_instant(text, clock::DayEnd::Start)
        .ok_or_else(|| format!("`{text}` is neither a date (2026-01-31) nor an RFC 3339 time (2026-01-31T08:00:00Z)"))
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and check every checkpoint signature.
    ///
    /// Prints `audit log intact: N entries, M checkpoints` and exits 0, or names the first
    /// entry that fails and exits 1. On a terminal a progress bar shows the rate and the time
    /// left; otherwise a line every million entries.
    Verify {
        /// Checkpoints exported earlier (`audit checkpoints`), kept by a third party: each must
        /// still be in the log with the same hash, so a removed tail or a rewrite is found.
        #[arg(long, value_name = "FILE")]
        anchors: Option<PathBuf>,
    },
    /// Print the signed checkpoints as JSON lines, for a third party to keep.
    Checkpoints {
        /// Only the checkpoints after entry N
        #[arg(long, value_name = "N", default_value_t = 0)]
        since: u64,
    },
    /// Write the log (or what the filters select), oldest first, as CSV or JSON lines to
    /// stdout. Each entry carries its hashes, so the file can be verified on its own. Audited.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        #[command(flatten)]
        fields: Box<crate::audit::SearchFields>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Migrate => {
            let url = cli.database_url();
            store::open(url).await.with_context(|| format!("cannot open the database {url}"))?;
            println!("database schema up to date: {url}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys { command: KeysCommand::Generate { force } } => {
            let dir = cli.keys_dir()?;
            let generated = keys::generate(&dir, *force)?;
            println!(
                "keys written to {}: pseudonym key {}, checkpoint key {} (public half in {})",
                dir.display(),
                generated.pseudonymiser.key_id(),
                generated.signer.key_id(),
                dir.join(keys::CHECKPOINT_PUBLIC_FILE).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys { command: KeysCommand::RotatePseudonym } => {
            let (retired, new) = keys::rotate_pseudonym_key(&cli.keys_dir()?)?;
            println!("pseudonym key {retired} retired (kept for look-ups); new pseudonyms use {new}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys { command: KeysCommand::ExportPublic } => {
            println!("{}", keys::load_public(&cli.keys_dir()?)?.to_hex());
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys { command: KeysCommand::DevCerts { out } } => {
            demo::generate_dev_certs(out, &demo_orgs()?)?;
            println!("development certificates written to {} (NOT FOR PRODUCTION)", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { config } => {
            let config = Config::load(config)?;
            let app = App::build(&config).await?;
            eprintln!("Ketenpoort listening on https://{}", app.addr());
            app.run_until_stopped(app::shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { data_dir, listen, certs } => run_demo(data_dir, *listen, certs).await,
        Command::Org { command } => administer_orgs(&cli, command).await,
        Command::Account { command } => administer_accounts(&cli, command).await,
        Command::Scenarios { command: ScenariosCommand::Run { files } } => run_scenarios(&cli, files, None).await,
        Command::Policy { command } => policies(&cli, command).await,
        Command::Audit { command: AuditCommand::Verify { anchors } } => verify(&cli, anchors.as_deref()).await,
        Command::Audit { command: AuditCommand::Checkpoints { since } } => export_checkpoints(&cli, *since).await,
        Command::Audit { command: AuditCommand::Export { format, fields } } => export(&cli, *format, fields).await,
        Command::Dev { command: DevCommand::Seed { youths, entries, seed } } => {
            seed_synthetic(&cli, *youths, *entries, *seed).await
        }
        Command::Dev { command: DevCommand::RetentionAt { at, dry_run } } => retention(&cli, *at, *dry_run).await,
        Command::Retention { command: RetentionCommand::Run { dry_run } } => {
            retention(&cli, clock::now(), *dry_run).await
        }
    }
}

impl Cli {
    /// Servers say what they do; one-shot commands speak only when something is wrong.
    pub fn default_log_level(&self) -> &'static str {
        match self.command {
            Command::Serve { .. } | Command::Demo { .. } => "info",
            _ => "warn",
        }
    }

    fn database_url(&self) -> &str {
        self.database.as_deref().unwrap_or(DEFAULT_DATABASE)
    }

    fn keys_dir(&self) -> Result<PathBuf> {
        match (&self.keys, keys::default_dir(self.database_url())) {
            (Some(dir), _) => Ok(dir.clone()),
            (None, Some(dir)) => Ok(dir),
            (None, None) => bail!("an in-memory database has no key directory beside it: pass --keys DIR"),
        }
    }
}

async fn gateway(store: Arc<dyn Store>, keys: &Keys) -> Result<Gateway> {
    Ok(app::gateway(store, keys, CHECKPOINT_EVERY).await?)
}

fn demo_orgs() -> Result<Vec<(String, String)>> {
    Ok(demo::region()?.orgs.into_iter().map(|org| (org.id, org.name)).collect())
}

async fn run_demo(data_dir: &Path, listen: std::net::SocketAddr, certs: &Path) -> Result<ExitCode> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let database_url = format!("sqlite://{}", data_dir.join("ketenpoort.db").display());
    let keys_dir = keys::default_dir(&database_url).context("the demo database is a file")?;
    if !keys::exist(&keys_dir) {
        keys::generate(&keys_dir, false)?;
    }
    if !certs.join("ca.crt").exists() {
        demo::generate_dev_certs(certs, &demo_orgs()?)?;
    }
    let defaults = Config {
        listen,
        database_url: database_url.clone(),
        keys: Some(keys_dir),
        tls: TlsConfig {
            cert: certs.join("server.crt"),
            key: certs.join("server.key"),
            client_ca: certs.join("ca.crt"),
            client_crl: None,
        },
        // The demo region's gateway operator, whose administrator manages its organisations.
        operator_org: Some("jgz-utrecht".into()),
        ..Config::default()
    };
    // The demo alone offers the demo sign-in, and names the made-up youth of its story.
    let youth = demo::DemoYouth::fourteen_today(clock::now().date());
    let config = Config {
        demo_sign_in: true,
        demo_youth: Some((youth.bsn.clone(), youth.birth_date.clone())),
        ..Config::from_env(defaults)?
    };
    let app = App::build(&config).await?;
    let region = demo::region()?;
    demo::seed(&app.state().gateway, &region, certs, clock::now()).await?;
    let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("ketenpoort"));
    println!("Ketenpoort demo listening on https://{} (development certificates: NOT FOR PRODUCTION)", app.addr());
    println!(
        "In a browser: https://{}/signin (accept the development certificate; pick a demo professional).",
        app.addr()
    );
    println!(
        "Data in {}. Stop with Ctrl-C. Paste these commands in another terminal, from this directory:\n",
        data_dir.display()
    );
    println!("{}", demo::walkthrough(&youth, app.addr(), certs, &database_url, &me));
    app.run_until_stopped(app::shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn seed_synthetic(cli: &Cli, youths: u64, entries: u64, seed: u64) -> Result<ExitCode> {
    let url = cli.database_url();
    let store: Arc<dyn Store> = Arc::new(
        store::SqlStore::open_tuned(url, 4, 1024).await.with_context(|| format!("cannot open the database {url}"))?,
    );
    let keys = keys_for(cli, &*store).await?;
    let gateway = gateway(store, &keys).await?;
    let known: std::collections::HashSet<OrgId> = gateway.store().orgs().await?.into_iter().map(|o| o.id).collect();
    for org in demo::region()?.orgs {
        if !known.contains(&OrgId(org.id.clone())) {
            let org = Organisation { id: OrgId(org.id), kind: org.kind, name: org.name, contact: Some(org.contact) };
            gateway.add_org(operator(), org, &Occasion::at(clock::now())).await?;
        }
    }
    let plan = crate::exchange::SeedPlan { youths, entries, now: clock::now(), seed };
    let started = std::time::Instant::now();
    let mut progress = Progress::new(entries, "written");
    let seeded = gateway.seed_synthetic(&keys.pseudonymiser, &plan, &mut |done| progress.show(done)).await?;
    progress.finish();
    gateway.audit().checkpoint(clock::now()).await?;
    println!(
        "seeded {} youths, {} facts and {} exchanges ({} allowed) in {:.0} s",
        seeded.youths,
        seeded.facts,
        seeded.exchanges,
        seeded.allowed,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// A retention run at `at`, printed by kind and count.
async fn retention(cli: &Cli, at: OffsetDateTime, dry_run: bool) -> Result<ExitCode> {
    let store: Arc<dyn Store> = Arc::from(open_existing(cli).await?);
    let keys = keys_for(cli, &*store).await?;
    let gateway = gateway(store, &keys).await?;
    let report = gateway.run_retention(at, dry_run).await?;
    if !dry_run {
        gateway.audit().checkpoint(clock::now()).await?;
    }
    print!("{}", retention_text(&report));
    Ok(ExitCode::SUCCESS)
}

/// What a retention run destroyed (or would), one kind a line.
fn retention_text(report: &crate::exchange::RetentionReport) -> String {
    let counts = &report.destroyed;
    let mut text = String::new();
    if report.planned > 0 {
        text.push_str(&format!("worked out the retention of {} youths kept from before\n", report.planned));
    }
    text.push_str(if report.dry_run { "a retention run now would destroy:\n" } else { "destroyed:\n" });
    for (count, what) in [
        (counts.involvements, "involvements (ended, archive period over)"),
        (counts.youths, "youths' records (birth date, parents, the link from the BSN)"),
        (counts.consents, "consents"),
        (counts.measures, "measures"),
        (counts.signals, "delivered signals"),
        (counts.notices, "notices"),
        (counts.reports, "reports to Veilig Thuis"),
        (counts.parents, "parents' pseudonyms"),
    ] {
        text.push_str(&format!("  {count:>9} {what}\n"));
    }
    if report.kept_after_all > 0 {
        text.push_str(&format!(
            "kept after all (something to keep came in during the run): {}\n",
            report.kept_after_all
        ));
    }
    text
}

/// The gateway of the command line's database, for administration.
async fn admin_gateway(cli: &Cli) -> Result<Gateway> {
    let url = cli.database_url();
    let store: Arc<dyn Store> =
        Arc::from(store::open(url).await.with_context(|| format!("cannot open the database {url}"))?);
    let keys = keys_for(cli, &*store).await?;
    gateway(store, &keys).await
}

async fn administer_orgs(cli: &Cli, command: &OrgCommand) -> Result<ExitCode> {
    let gateway = admin_gateway(cli).await?;
    let occasion = Occasion::at(clock::now());
    match command {
        OrgCommand::Add { id, kind, name, contact } => {
            let org = Organisation { id: OrgId(id.clone()), kind: *kind, name: name.clone(), contact: contact.clone() };
            gateway.add_org(operator(), org, &occasion).await?;
            println!("organisation {id} ({kind}) registered");
        }
        OrgCommand::List => {
            for org in gateway.store().orgs().await? {
                println!("{}\t{}\t{}\t{}", org.id, org.kind, org.name, org.contact.unwrap_or_default());
            }
        }
        OrgCommand::Disable { id } => {
            gateway.disable_org(operator(), &OrgId(id.clone()), &occasion).await?;
            println!("organisation {id} disabled");
        }
        OrgCommand::Cert { command: CertCommand::Add { org, cert, fingerprint } } => {
            let fingerprint = certificate_fingerprint(cert.as_ref(), fingerprint.as_ref())?;
            gateway.add_certificate(operator(), &OrgId(org.clone()), &fingerprint, &occasion).await?;
            println!("certificate {fingerprint} registered for {org}");
        }
        OrgCommand::Cert { command: CertCommand::Disable { org, cert, fingerprint } } => {
            let fingerprint = certificate_fingerprint(cert.as_ref(), fingerprint.as_ref())?;
            gateway
                .disable_certificate(operator(), &OrgId(org.clone()), &fingerprint, &occasion)
                .await
                .with_context(|| format!("no active certificate {fingerprint} of {org}"))?;
            println!("certificate {fingerprint} of {org} disabled");
        }
        OrgCommand::Webhook { command } => return administer_webhook(&gateway, command, &occasion).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn administer_webhook(gateway: &Gateway, command: &WebhookCommand, occasion: &Occasion) -> Result<ExitCode> {
    match command {
        WebhookCommand::Set { org, url, allow_private } => {
            let notices =
                crate::notices::NoticesConfig { allow_private_webhooks: *allow_private, ..Default::default() };
            let (_, hook) = gateway.set_webhook(operator(), &OrgId(org.clone()), url, &notices, occasion).await?;
            println!("webhook of {org} set to {}", hook.url);
            println!("signing secret (shown this once; give it to the receiver): {}", hook.secret);
        }
        WebhookCommand::Remove { org } => {
            gateway
                .remove_webhook(operator(), &OrgId(org.clone()), occasion)
                .await
                .with_context(|| format!("{org} has no webhook"))?;
            println!("webhook of {org} removed");
        }
        WebhookCommand::Log { org, limit } => {
            if !(1..=1000).contains(limit) {
                anyhow::bail!("--limit is between 1 and 1000");
            }
            println!("notice\tkind\tchannel\tstate\tattempts\tcreated\tlast status\tlast error");
            for d in gateway.store().deliveries(&OrgId(org.clone()), *limit).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    d.notice_id,
                    d.kind,
                    d.channel,
                    d.state.as_str(),
                    d.attempts,
                    d.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                    d.last_status.map(|s| s.to_string()).unwrap_or_default(),
                    d.last_error.unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn administer_accounts(cli: &Cli, command: &AccountCommand) -> Result<ExitCode> {
    let gateway = admin_gateway(cli).await?;
    match command {
        AccountCommand::Add { id, org, role, name, contact, oidc_issuer, oidc_subject, email } => {
            let account = Account {
                id: id.clone(),
                org: OrgId(org.clone()),
                role: *role,
                display_name: name.clone(),
                contact: contact.clone(),
                oidc: oidc_issuer.clone().zip(oidc_subject.clone()),
                email: email.clone(),
            };
            gateway.add_account(operator(), account, &Occasion::at(clock::now())).await?;
            println!("account {id} ({role} at {org}) registered");
        }
        AccountCommand::Disable { id } => {
            let account = gateway.store().account(id).await?.with_context(|| format!("no active account `{id}`"))?;
            gateway.disable_account(operator(), &account, &Occasion::at(clock::now())).await?;
            println!("account {id} disabled");
        }
        AccountCommand::List { org } => {
            for account in gateway.store().accounts(&OrgId(org.clone())).await? {
                println!("{}\t{}\t{}", account.id, account.role, account.display_name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The audit actor a `--as ACCOUNT` names.
async fn acting_as(gateway: &Gateway, account: &str) -> Result<crate::audit::AuditActor> {
    let account = gateway.store().account(account).await?.with_context(|| format!("no active account `{account}`"))?;
    let org = gateway.store().org(&account.org).await?.context("the account's organisation is disabled")?;
    Ok(crate::audit::AuditActor {
        account: Some(account.id),
        org: Some(org.id.0),
        org_kind: Some(org.kind),
        role: Some(account.role),
        authenticated_by: crate::identity::Authentication::CommandLine.to_string(),
    })
}

fn read_policy_dir(dir: &Path) -> Result<(String, String)> {
    let read = |file: &str| {
        std::fs::read_to_string(dir.join(file)).with_context(|| format!("cannot read {}", dir.join(file).display()))
    };
    Ok((read("model.conf")?, read("policy.csv")?))
}

async fn policies(cli: &Cli, command: &PolicyCommand) -> Result<ExitCode> {
    match command {
        PolicyCommand::Check { dir } => {
            let (model, rules) = read_policy_dir(dir)?;
            match crate::policy::Policy::load(&model, &rules).await {
                Ok(policy) => {
                    println!(
                        "policy ok: {} rules, version {}",
                        policy.rules().len(),
                        crate::framework::RuleBook::version(&policy)
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => {
                    println!("policy refused: {error}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        PolicyCommand::Test { draft, files } => {
            let gateway = admin_gateway(cli).await?;
            let version =
                gateway.store().policy_version(draft).await?.with_context(|| format!("no policy version `{draft}`"))?;
            run_scenarios(cli, files, Some(version.text)).await
        }
        PolicyCommand::Simulate { draft, since, json } => {
            let gateway = admin_gateway(cli).await?;
            let version =
                gateway.store().policy_version(draft).await?.with_context(|| format!("no policy version `{draft}`"))?;
            let policy = crate::policy::Policy::load(&version.text.model, &version.text.rules).await?;
            let report = gateway.replay(&policy, since.unwrap_or(OffsetDateTime::UNIX_EPOCH)).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", replay_text(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::List => {
            let gateway = admin_gateway(cli).await?;
            for version in gateway.store().policy_versions().await? {
                println!(
                    "{}\t{}\t{}\tauthor {}\tapprover {}\t{}",
                    version.text.version,
                    version.status.as_str(),
                    version.created_at.date(),
                    version.author.unwrap_or_else(|| "-".into()),
                    version.approver.unwrap_or_else(|| "-".into()),
                    version.note
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Import { dir, note, actor } => {
            let gateway = admin_gateway(cli).await?;
            let (model, rules) = read_policy_dir(dir)?;
            let by = acting_as(&gateway, actor).await?;
            let version = gateway.draft_policy(by, &model, &rules, note, &Occasion::at(clock::now())).await?;
            println!("draft {version} stored; a privacy officer other than {actor} approves it");
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Approve { id, actor } => {
            let gateway = admin_gateway(cli).await?;
            let by = acting_as(&gateway, actor).await?;
            gateway.approve_policy(by, id, &Occasion::at(clock::now())).await?;
            println!("version {id} approved by {actor}");
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Activate { id, actor } => {
            let gateway = admin_gateway(cli).await?;
            let by = acting_as(&gateway, actor).await?;
            gateway.activate_policy(by, id, &Occasion::at(clock::now())).await?;
            println!("version {id} active; running servers adopt it within a second");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A replay report for a terminal.
fn replay_text(report: &crate::exchange::ReplayReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let since =
        if report.since == OffsetDateTime::UNIX_EPOCH { "the start".to_owned() } else { report.since.to_string() };
    let _ = writeln!(
        out,
        "replayed {} decisions since {since} under version {}: {} would change ({} allow → deny, {} deny → allow)",
        report.replayed,
        report.version,
        report.changed(),
        report.allow_to_deny,
        report.deny_to_allow
    );
    if report.not_replayable > 0 {
        let _ = writeln!(out, "{} decisions could not be re-decided (entry incomplete)", report.not_replayable);
    }
    if report.facts_destroyed > 0 {
        let _ = writeln!(
            out,
            "{} decisions were not re-decided: their youths' data were destroyed as the law requires (ACTION-FRAMEWORK §8)",
            report.facts_destroyed
        );
    }
    for group in &report.changes {
        let rules = if group.rules.is_empty() { "no rule".to_owned() } else { group.rules.join(" ") };
        let _ = writeln!(out, "{}\t{rules}\t{}\t{}", group.turn.as_str(), group.org_kind.as_str(), group.count);
        for sample in &group.samples {
            let _ = writeln!(
                out,
                "\t#{} {} youth {}… {} → {} {} for {}",
                sample.seq,
                sample.at.date(),
                sample.youth,
                sample.from_org,
                sample.to_org.as_deref().unwrap_or("reference index"),
                sample.signal.as_str(),
                sample.purpose.as_str()
            );
        }
    }
    out
}

async fn run_scenarios(cli: &Cli, files: &[PathBuf], draft: Option<PolicyText>) -> Result<ExitCode> {
    let (mut passed, mut failed, mut malformed) = (0usize, 0usize, false);
    let mut run_one = async |file: &Path, gateway: &Gateway, keys: &Keys| -> Result<()> {
        match scenarios::run_file(file, gateway, &keys.pseudonymiser).await {
            Ok(tally) => {
                for line in &tally.failures {
                    println!("{line}");
                }
                passed += tally.passed;
                failed += tally.failures.len();
            }
            Err(error) => {
                eprintln!("malformed scenario file: {error}");
                malformed = true;
            }
        }
        gateway.audit().checkpoint(clock::now()).await?;
        Ok(())
    };

    // A draft under test is never audited into a real database.
    let database = if draft.is_some() { None } else { cli.database.as_ref() };
    match database {
        // A fresh in-memory database and fresh keys for each file.
        None => {
            for file in files {
                let store: Arc<dyn Store> = Arc::from(store::open("sqlite::memory:").await?);
                let keys = keys::ephemeral()?;
                let gateway = match &draft {
                    Some(text) => {
                        let policy = crate::policy::Policy::load(&text.model, &text.rules).await?;
                        app::gateway_with(store, &keys, CHECKPOINT_EVERY, policy)
                    }
                    None => gateway(store, &keys).await?,
                };
                run_one(file, &gateway, &keys).await?;
            }
        }
        // The given database, kept, with its keys (made on first use of a new database).
        Some(url) => {
            let store: Arc<dyn Store> =
                Arc::from(store::open(url).await.with_context(|| format!("cannot open the database {url}"))?);
            let keys = keys_for(cli, &*store).await?;
            let gateway = gateway(store, &keys).await?;
            for file in files {
                run_one(file, &gateway, &keys).await?;
            }
        }
    }

    println!("{passed} passed, {failed} failed");
    Ok(if malformed {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The keys of the database: loaded, or generated when neither keys nor an audit log exist.
async fn keys_for(cli: &Cli, store: &dyn Store) -> Result<Keys> {
    let Ok(dir) = cli.keys_dir() else {
        return Ok(keys::ephemeral()?);
    };
    if keys::exist(&dir) || std::env::var_os(keys::PSEUDONYM_KEY_ENV).is_some() {
        return Ok(keys::load(&dir)?);
    }
    if store.chain_head().await?.0 > 0 {
        bail!(
            "this database has an audit log but its keys are not in {}: pass --keys DIR with the keys it was written with",
            dir.display()
        );
    }
    let generated = keys::generate(&dir, false)?;
    eprintln!("generated new keys in {} for this database", dir.display());
    Ok(generated)
}

async fn open_existing(cli: &Cli) -> Result<Box<dyn Store>> {
    let url = cli.database_url();
    if let Some(file) = store::sqlite_file(url)
        && !file.exists()
    {
        bail!("no database at {}: pass --database URL", file.display());
    }
    store::open(url).await.with_context(|| format!("cannot open the database {url}"))
}

async fn verify(cli: &Cli, anchors: Option<&Path>) -> Result<ExitCode> {
    let store = open_existing(cli).await?;
    let public = keys::load_public(&cli.keys_dir()?)?;
    let anchors = match anchors {
        Some(file) => read_anchors(file)?,
        None => Vec::new(),
    };
    let total = store.chain_head().await?.0;
    let mut progress = Progress::new(total, "verified");
    let result = audit::verify_with(&*store, &public, &anchors, &mut |done| progress.show(done)).await?;
    progress.finish();
    match result {
        Ok(intact) => {
            println!("{intact}");
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            println!("{broken}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Checkpoints exported earlier, one JSON line each.
fn read_anchors(file: &Path) -> Result<Vec<audit::Checkpoint>> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let exported: audit::ExportedCheckpoint = serde_json::from_str(line)
                .with_context(|| format!("{} line {}: not an exported checkpoint", file.display(), index + 1))?;
            audit::Checkpoint::try_from(&exported).with_context(|| format!("{} line {}", file.display(), index + 1))
        })
        .collect()
}

/// Progress of a long run over entries: a bar with rate and time left on a terminal, a plain
/// line every million entries otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    /// What is done to the entries, for the plain lines: "verified", "written".
    done_to: &'static str,
    total: u64,
    next_line: u64,
}

impl Progress {
    const LINE_EVERY: u64 = 1_000_000;

    fn new(total: u64, done_to: &'static str) -> Self {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {human_pos}/{human_len} entries · {per_sec} · {eta} left",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, done_to, total, next_line: Self::LINE_EVERY }
    }

    fn show(&mut self, done: u64) {
        match &self.bar {
            Some(bar) => bar.set_position(done),
            None if done >= self.next_line => {
                eprintln!("{} {done} of {} entries", self.done_to, self.total);
                self.next_line = done + Self::LINE_EVERY;
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

async fn export_checkpoints(cli: &Cli, since: u64) -> Result<ExitCode> {
    let store = open_existing(cli).await?;
    for checkpoint in store.checkpoints().await?.iter().filter(|c| c.seq > since) {
        println!("{}", serde_json::to_string(&audit::ExportedCheckpoint::from(checkpoint))?);
    }
    Ok(ExitCode::SUCCESS)
}

async fn export(cli: &Cli, format: ExportFormat, fields: &audit::SearchFields) -> Result<ExitCode> {
    use std::io::Write;
    let store: Arc<dyn Store> = Arc::from(open_existing(cli).await?);
    let keys = keys_for(cli, &*store).await?;
    let gateway = gateway(store, &keys).await?;
    let youth = match fields.youth()? {
        Some((bsn, birth_date)) => {
            Some(gateway.youth_for_audit(&keys.pseudonymiser.pseudonymise_all(&bsn), birth_date).await?)
        }
        None => None,
    };
    let filter = fields.filter(youth)?;
    let what =
        format!("export ({}) of {}", if format == ExportFormat::Csv { "csv" } else { "jsonl" }, filter.describe());
    gateway
        .record_audit_access(
            operator(),
            audit::AuditEvent::AuditExported,
            filter.youth.clone(),
            what,
            &Occasion::at(clock::now()),
        )
        .await?;
    let stdout = std::io::stdout().lock();
    let mut csv = (format == ExportFormat::Csv).then(|| csv::Writer::from_writer(std::io::stdout()));
    let mut lines = std::io::BufWriter::new(stdout);
    let mut after = None;
    loop {
        let query = audit::AuditQuery {
            scope: audit::AuditScope::All,
            filter: filter.clone(),
            order: audit::Order::OldestFirst,
            after,
            limit: audit::MAX_PAGE,
        };
        let page = gateway.store().search_audit(&query).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.entry.seq);
        for stored in &page {
            let exported = audit::ExportedEntry::from(stored);
            match &mut csv {
                Some(csv) => csv.serialize(audit::CsvEntry::from(&exported))?,
                None => writeln!(lines, "{}", serde_json::to_string(&exported)?)?,
            }
        }
    }
    if let Some(csv) = &mut csv {
        csv.flush()?;
    }
    lines.flush()?;
    Ok(ExitCode::SUCCESS)
}
