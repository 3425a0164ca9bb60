//! Configuration: a TOML file (`ketenpoort serve --config ketenpoort.toml`), every key
//! overridable by a `KETENPOORT_…` environment variable (nested keys with `__`:
//! `KETENPOORT_TLS__CERT`).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The top-level keys; other `KETENPOORT_*` variables (`KETENPOORT_LOG`, the key variables) are
/// not configuration keys.
const KEYS: &[&str] = &[
    "listen",
    "database_url",
    "database_pool_size",
    "keys",
    "checkpoint_every",
    "max_body_bytes",
    "shutdown_grace_seconds",
    "operator_org",
    "daily_retention",
    "retention_check_seconds",
    "limits",
    "notices",
    "smtp",
    "tls",
    "oidc",
];

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address of the HTTPS listener.
    pub listen: SocketAddr,
    /// `sqlite://FILE` (the embedded default) or `postgres://USER:PASSWORD@HOST/DB`.
    pub database_url: String,
    /// Connections to PostgreSQL per instance (SQLite uses its own fixed pool).
    #[serde(default = "default_pool_size")]
    pub database_pool_size: u32,
    /// Directory of the pseudonym and checkpoint keys [default: beside the SQLite file].
    pub keys: Option<PathBuf>,
    /// Audit entries between two signed checkpoints.
    pub checkpoint_every: u64,
    /// Largest request body accepted; larger is 413.
    pub max_body_bytes: usize,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace_seconds: u64,
    /// The organisation that runs the gateway: its administrators manage the region's
    /// organisations on the pages (others manage their own accounts only).
    #[serde(default)]
    pub operator_org: Option<String>,
    /// Destroy what ACTION-FRAMEWORK §8 says once a day (one instance of several does it).
    /// Off only where `ketenpoort retention run` is scheduled instead.
    #[serde(default = "default_true")]
    pub daily_retention: bool,
    /// How often `serve` looks whether today's retention run is still to be done (the first
    /// look comes after at most a minute). Of several instances the first to look runs it.
    #[serde(default = "default_retention_check_seconds")]
    pub retention_check_seconds: u64,
    pub tls: TlsConfig,
    /// Notices by webhook: whether `serve` sends them, for how long it tries, which receivers.
    #[serde(default)]
    pub notices: crate::notices::NoticesConfig,
    /// Notices by e-mail: the mail server, the sender, the pages' address for links. Without
    /// it no e-mail is sent. The login comes from `KETENPOORT_SMTP_USERNAME` and
    /// `KETENPOORT_SMTP_PASSWORD`, never from the file.
    #[serde(default)]
    pub smtp: Option<crate::notices::mail::SmtpConfig>,
    /// Load shedding: rates per organisation, requests in flight, timeouts, header size.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// OpenID Connect providers people sign in with, one per organisation or shared.
    #[serde(default)]
    pub oidc: Vec<OidcProviderConfig>,
    /// The demo's sign-in that picks a demo professional: set by `ketenpoort demo` only, never
    /// by a file or the environment.
    #[serde(skip)]
    pub demo_sign_in: bool,
    /// The made-up youth of the demo walkthrough (BSN, birth date), shown on the demo's pages.
    #[serde(skip)]
    pub demo_youth: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The server's certificate chain (PEM).
    pub cert: PathBuf,
    /// The server's private key (PEM).
    pub key: PathBuf,
    /// The CA that partner systems' client certificates must chain to (PEM).
    pub client_ca: PathBuf,
    /// PEM file of certificate revocation lists of the partner CA: a client certificate listed
    /// there is refused at the handshake. When set, it must hold a CRL of every CA that issues
    /// client certificates (a certificate whose issuer has none is refused too); read at start.
    #[serde(default)]
    pub client_crl: Option<PathBuf>,
}

/// `[limits]`: what keeps one caller, or a surge, from taking the service from the others.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Requests a second one organisation may make, its partner systems and its people
    /// together; more is 429 with `Retry-After`. 0: no limit (benchmarks).
    pub per_org_per_second: u32,
    /// Requests an organisation may make at once beyond its rate before it is held to it.
    pub per_org_burst: u32,
    /// Requests served at the same time; more are refused at once with 503 (load shedding)
    /// rather than queued behind the database.
    pub in_flight: usize,
    /// Longest a request may take before it is answered 503 `timeout`.
    pub request_timeout_seconds: u64,
    /// Largest request line and headers; more is 431 (at least 8192).
    pub max_header_bytes: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        // About a twentieth of what one 2-core machine sustains (BENCHMARKS.md) per
        // organisation: a runaway partner system slows itself, not the region.
        LimitsConfig {
            per_org_per_second: 250,
            per_org_burst: 500,
            in_flight: 512,
            request_timeout_seconds: 30,
            max_header_bytes: 16 * 1024,
        }
    }
}

/// One OpenID Connect provider (`[[oidc]]` in the file).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProviderConfig {
    /// Shown on the sign-in button.
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// This server's callback: `https://HOST/signin/oidc/callback`, registered at the provider.
    pub redirect_url: String,
}

impl fmt::Debug for OidcProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcProviderConfig")
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

fn default_true() -> bool {
    true
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            database_url: "sqlite://ketenpoort.db".into(),
            database_pool_size: default_pool_size(),
            keys: None,
            checkpoint_every: 1_000,
            max_body_bytes: 64 * 1024,
            shutdown_grace_seconds: 10,
            operator_org: None,
            daily_retention: true,
            retention_check_seconds: default_retention_check_seconds(),
            limits: LimitsConfig::default(),
            notices: crate::notices::NoticesConfig::default(),
            smtp: None,
            tls: TlsConfig {
                cert: "certs-dev/server.crt".into(),
                key: "certs-dev/server.key".into(),
                client_ca: "certs-dev/ca.crt".into(),
                client_crl: None,
            },
            oidc: Vec::new(),
            demo_sign_in: false,
            demo_youth: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Reads `file` over the defaults, then the `KETENPOORT_…` environment over both.
    pub fn load(file: &Path) -> Result<Config, ConfigError> {
        if !file.exists() {
            return Err(ConfigError(format!("no file at {}: see the example in the README", file.display())));
        }
        Self::figment(Figment::from(Serialized::defaults(Config::default())).merge(Toml::file_exact(file)))
    }

    /// The defaults with the environment over them (for `demo`, which needs no file).
    pub fn from_env(defaults: Config) -> Result<Config, ConfigError> {
        Self::figment(Figment::from(Serialized::defaults(defaults)))
    }

    fn figment(figment: Figment) -> Result<Config, ConfigError> {
        let env = Env::prefixed("KETENPOORT_").split("__").filter(|key| {
            let top = key.as_str().split('.').next().unwrap_or_default();
            KEYS.iter().any(|known| known.eq_ignore_ascii_case(top))
        });
        figment.merge(env).extract().map_err(|e| ConfigError(e.to_string()))
    }
}

fn default_retention_check_seconds() -> u64 {
    60 * 60
}

fn default_pool_size() -> u32 {
    10
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A database URL may carry a password: show scheme and host only.
        let database = self.database_url.split_once('@').map_or(self.database_url.as_str(), |(_, host)| host);
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &database)
            .field("database_pool_size", &self.database_pool_size)
            .field("keys", &self.keys)
            .field("checkpoint_every", &self.checkpoint_every)
            .field("daily_retention", &self.daily_retention)
            .field("retention_check_seconds", &self.retention_check_seconds)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("tls", &self.tls)
            .field("limits", &self.limits)
            .field("notices", &self.notices)
            .field("smtp", &self.smtp)
            .field("oidc", &self.oidc)
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err, reason = "figment's Jail returns its own large error type")]
mod tests {
    use super::*;

    #[test]
    fn the_file_overrides_defaults_and_unknown_keys_are_refused() {
        // In a jail: the environment is the process's, shared with the other tests.
        figment::Jail::expect_with(|jail| {
            let toml = "listen = \"127.0.0.1:9443\"\ncheckpoint_every = 10\n[tls]\ncert = \"a\"\nkey = \"b\"\nclient_ca = \"c\"\n";
            jail.create_file("k.toml", toml)?;
            let config = Config::load(Path::new("k.toml")).map_err(|e| e.to_string())?;
            assert_eq!(config.listen.port(), 9443);
            assert_eq!(config.checkpoint_every, 10);
            assert_eq!(config.max_body_bytes, 64 * 1024);
            jail.create_file("typo.toml", "lissen = \"127.0.0.1:9443\"\n")?;
            assert!(Config::load(Path::new("typo.toml")).unwrap_err().to_string().contains("lissen"));
            assert!(Config::load(Path::new("absent.toml")).is_err());
            Ok(())
        });
    }

    #[test]
    fn the_environment_overrides_the_file_and_other_variables_are_left_alone() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("k.toml", "max_body_bytes = 1000\n")?;
            jail.set_env("KETENPOORT_MAX_BODY_BYTES", "512");
            jail.set_env("KETENPOORT_TLS__CERT", "/etc/k/server.crt");
            jail.set_env("KETENPOORT_LOG", "debug");
            let config = Config::load(Path::new("k.toml")).map_err(|e| e.to_string())?;
            assert_eq!(config.max_body_bytes, 512);
            assert_eq!(config.tls.cert, PathBuf::from("/etc/k/server.crt"));
            assert_eq!(config.tls.key, PathBuf::from("certs-dev/server.key"));
            Ok(())
        });
    }

    #[test]
    fn a_revocation_list_is_optional_and_read_from_the_file_or_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("old.toml", "[tls]\ncert = \"a\"\nkey = \"b\"\nclient_ca = \"c\"\n")?;
            let config = Config::load(Path::new("old.toml")).map_err(|e| e.to_string())?;
            assert_eq!(config.tls.client_crl, None);
            assert_eq!(Config::default().tls.client_crl, None);
            jail.create_file("crl.toml", "[tls]\nclient_crl = \"/etc/k/partners.crl\"\n")?;
            let config = Config::load(Path::new("crl.toml")).map_err(|e| e.to_string())?;
            assert_eq!(config.tls.client_crl, Some(PathBuf::from("/etc/k/partners.crl")));
            assert_eq!(config.tls.client_ca, PathBuf::from("certs-dev/ca.crt"));
            jail.set_env("KETENPOORT_TLS__CLIENT_CRL", "/run/k/partners.crl");
            let config = Config::load(Path::new("old.toml")).map_err(|e| e.to_string())?;
            assert_eq!(config.tls.client_crl, Some(PathBuf::from("/run/k/partners.crl")));
            Ok(())
        });
    }

    #[test]
    fn debug_hides_a_database_password() {
        let config = Config { database_url: "postgres://k:secret@db/k".into(), ..Config::default() };
        assert!(!format!("{config:?}").contains("secret"));
    }
}
