//! Bootstrap: `App::build(config)` opens the store, loads keys and policy, binds the HTTPS
//! listener (rustls, optional client certificates), and `run_until_stopped` serves until a
//! shutdown signal, then finishes requests in flight and the notices being sent, and signs a
//! checkpoint.
//!
//! `serve`, `demo` and the tests all start Ketenpoort this one way (tests bind port 0).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use hyper_util::rt::TokioExecutor;
use metrics_exporter_prometheus::PrometheusHandle;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use tokio::task::JoinHandle;

use crate::audit::AuditLog;
use crate::config::{Config, TlsConfig};
use crate::exchange::Gateway;
use crate::framework::OrgId;
use crate::identity::oidc::Providers;
use crate::keys::{self, Keys};
use crate::limits::RequestRates;
use crate::policy::{self, Policy};
use crate::store::{self, PolicyText, Store};
use crate::youth::Pseudonymiser;
use crate::{api, clock};

/// What every handler may reach: shared, so that the copy every extractor takes is one
/// reference count, not a copy of the keys and texts.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub gateway: Gateway,
    pub pseudonymiser: Pseudonymiser,
    pub metrics: PrometheusHandle,
    /// Whether the pages offer the demo sign-in (`ketenpoort demo` only).
    pub demo_sign_in: bool,
    /// The OpenID Connect providers people sign in with.
    pub oidc: Arc<Providers>,
    /// The demo's made-up youth (BSN, birth date), shown on its pages.
    pub demo_youth: Option<(String, String)>,
    /// The organisation that runs the gateway.
    pub operator_org: Option<OrgId>,
    /// The rate each organisation, and each refused address, is held to (`[limits]`).
    pub request_rates: RequestRates,
    /// `[notices]`: which webhook addresses an administrator may set.
    pub notices: crate::notices::NoticesConfig,
    /// The requests being answered, which the notice dispatcher gives way to.
    pub load: Arc<crate::limits::Load>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Keys(#[from] keys::KeysError),
    #[error("the active policy does not load: {0}")]
    Policy(#[from] policy::LoadError),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot listen on {0}: the address is taken or not ours")]
    Listen(SocketAddr),
    #[error("{0}")]
    Config(String),
}

/// A gateway over `store` with `keys` and the store's active policy (the default of
/// `policies/` on a new database).
pub async fn gateway(store: Arc<dyn Store>, keys: &Keys, checkpoint_every: u64) -> Result<Gateway, AppError> {
    if store.active_policy().await?.is_none() {
        let default = PolicyText {
            version: policy::version_of(policy::DEFAULT_MODEL, policy::DEFAULT_RULES),
            model: policy::DEFAULT_MODEL.to_owned(),
            rules: policy::DEFAULT_RULES.to_owned(),
        };
        store.install_policy(&default, "default policy of ACTION-FRAMEWORK.md §5", clock::now()).await?;
    }
    let active = store.active_policy().await?.ok_or_else(|| AppError::Config("no active policy".into()))?;
    let loaded = Policy::load(&active.model, &active.rules).await?;
    let audit = AuditLog::new(store.clone(), keys.signer.clone(), checkpoint_every);
    Ok(Gateway::new(store, audit, Arc::new(loaded)))
}

/// A gateway over `store` deciding under `policy` (a draft under test, say), not the store's.
pub fn gateway_with(store: Arc<dyn Store>, keys: &Keys, checkpoint_every: u64, policy: Policy) -> Gateway {
    let audit = AuditLog::new(store.clone(), keys.signer.clone(), checkpoint_every);
    Gateway::new(store, audit, Arc::new(policy))
}

/// The running server.
pub struct App {
    addr: SocketAddr,
    handle: Handle<SocketAddr>,
    server: JoinHandle<std::io::Result<()>>,
    state: AppState,
    grace: Duration,
    /// The notice dispatcher's stop signal and task, when this instance sends notices.
    dispatching: Option<(tokio::sync::watch::Sender<bool>, JoinHandle<()>)>,
}

impl App {
    /// Opens everything `config` names and starts listening.
    pub async fn build(config: &Config) -> Result<App, AppError> {
        let store: Arc<dyn Store> =
            Arc::new(store::SqlStore::open_with(&config.database_url, config.database_pool_size).await?);
        let keys_dir = config
            .keys
            .clone()
            .or_else(|| keys::default_dir(&config.database_url))
            .ok_or_else(|| AppError::Config("set `keys` (the key directory) in the configuration".into()))?;
        let keys = keys::load(&keys_dir)?;
        let gateway = gateway(store, &keys, config.checkpoint_every).await?;
        // Sign the head as found: after a crash the entries since the last checkpoint would
        // otherwise stay unsigned until the next boundary, and a cut tail go unseen meanwhile.
        gateway.audit().checkpoint(clock::now()).await?;
        let state = AppState(Arc::new(Shared {
            gateway,
            pseudonymiser: keys.pseudonymiser.clone(),
            metrics: crate::ops::metrics_handle(),
            demo_sign_in: config.demo_sign_in,
            oidc: Arc::new(Providers::new(&config.oidc).map_err(|e| AppError::Config(e.to_string()))?),
            demo_youth: config.demo_youth.clone(),
            operator_org: config.operator_org.clone().map(OrgId),
            request_rates: RequestRates::new(&config.limits),
            notices: config.notices.clone(),
            load: Arc::new(crate::limits::Load::new()),
        }));

        let tls = RustlsConfig::from_config(Arc::new(server_tls(&config.tls)?));
        let handle = Handle::new();
        let router = api::router(state.clone(), config.max_body_bytes, &config.limits);
        let mut server = axum_server::bind_rustls(config.listen, tls)
            .handle(handle.clone())
            // A connection that sends no complete request soon is closed (slow clients).
            .first_request_timeout(FIRST_REQUEST_TIMEOUT);
        bound_request_heads(server.http_builder(), config.limits.max_header_bytes);
        let server = tokio::spawn(server.serve(router.into_make_service_with_connect_info::<SocketAddr>()));
        let addr = handle.listening().await.ok_or(AppError::Listen(config.listen))?;
        tracing::info!(%addr, "listening");
        tokio::spawn(watch_policy(state.gateway.clone()));
        let mut dispatching = None;
        if config.notices.dispatch {
            let mailer = match &config.smtp {
                None => None,
                Some(smtp) => {
                    let login = crate::notices::mail::login_from_env().map_err(|e| AppError::Config(e.to_string()))?;
                    Some(crate::notices::mail::Mailer::new(smtp, login).map_err(|e| AppError::Config(e.to_string()))?)
                }
            };
            let dispatcher = crate::notices::dispatcher::Dispatcher::new(
                state.gateway.store_handle(),
                keys.pseudonymiser.clone(),
                &config.notices,
                mailer,
            )
            .map_err(|e| AppError::Config(e.to_string()))?
            .giving_way_to(state.load.clone());
            let (stop, stopped) = tokio::sync::watch::channel(false);
            dispatching = Some((stop, tokio::spawn(dispatcher.run(stopped))));
        }
        if config.daily_retention {
            let every = Duration::from_secs(config.retention_check_seconds.max(1));
            tokio::spawn(retain_daily(state.gateway.clone(), every));
        }
        let grace = Duration::from_secs(config.shutdown_grace_seconds);
        Ok(App { addr, handle, server, state, grace, dispatching })
    }

    /// The address actually bound (port 0 becomes a real port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `stop` completes; then finishes requests in flight (up to the grace period)
    /// and signs a checkpoint at the head of the audit chain.
    pub async fn run_until_stopped(self, stop: impl Future<Output = ()>) -> Result<(), AppError> {
        stop.await;
        tracing::info!("shutting down: finishing requests in flight and notices being sent");
        self.handle.graceful_shutdown(Some(self.grace));
        let dispatched = async {
            let Some((stop, task)) = self.dispatching else { return };
            let _ = stop.send(true);
            // Notices it holds after the grace period come due again when their lease ends.
            if tokio::time::timeout(self.grace, task).await.is_err() {
                tracing::warn!("notices were still being sent at the end of the grace period");
            }
        };
        let (served, ()) = tokio::join!(self.server, dispatched);
        match served {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "the server stopped with an error"),
            Err(error) => tracing::error!(%error, "the server task failed"),
        }
        self.state.gateway.audit().checkpoint(clock::now()).await?;
        tracing::info!("stopped; audit checkpoint written");
        Ok(())
    }
}

/// How long a client may take to send a request's line and headers.
const FIRST_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Bounds what a request's head may hold, over HTTP/1.1 and HTTP/2 alike: more than
/// `max_header_bytes` (or 64 headers on HTTP/1.1) is 431.
fn bound_request_heads(http: &mut hyper_util::server::conn::auto::Builder<TokioExecutor>, max_header_bytes: usize) {
    // hyper's read buffer holds the request line and headers; below 8 KiB it refuses to start.
    let max = max_header_bytes.max(8 * 1024);
    // The header read timeout stays hyper's (30 s): it also ends a kept-alive connection that
    // is idle that long, and partners' connection pools keep theirs longer than 10 s.
    http.http1().max_buf_size(max).max_headers(64);
    http.http2().max_header_list_size(u32::try_from(max).unwrap_or(u32::MAX)).max_concurrent_streams(128);
}

/// Adopts a policy version activated elsewhere (the CLI, another instance): at once when the
/// database says so (PostgreSQL), and in any case by checking every second. A version activated
/// through this server's own pages is swapped in at once.
async fn watch_policy(gateway: Gateway) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut changes = gateway.store().policy_changes().await;
    loop {
        match &mut changes {
            Some(heard) => {
                tokio::select! {
                    _ = tick.tick() => {}
                    said = heard.recv() => if said.is_none() { changes = None },
                }
            }
            None => {
                tick.tick().await;
            }
        }
        match gateway.refresh_policy().await {
            Ok(Some(version)) => tracing::info!(%version, "policy version activated"),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "the active policy version does not load; keeping the running one"),
        }
    }
}

/// ACTION-FRAMEWORK §8: a retention run each day, by the first instance to claim the day (the
/// claim is a row in the database, so of several instances one runs it and none twice). Checked
/// `every` (an hour by default), the first time within a minute of the start, so that a
/// restart does not wait an hour; a failed run is logged and tried the next day.
async fn retain_daily(gateway: Gateway, every: Duration) {
    tokio::time::sleep(every.min(Duration::from_secs(60))).await;
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let now = clock::now();
        match gateway.store().claim_retention_day(&crate::exchange::retention_day(now), now).await {
            Ok(true) => {
                if let Err(error) = gateway.run_retention(now, false).await {
                    tracing::error!(%error, "the retention run failed; the next day's run tries again");
                }
            }
            Ok(false) => {}
            Err(error) => tracing::error!(%error, "could not claim the day's retention run"),
        }
    }
}

/// TLS 1.2 and 1.3 only (rustls offers nothing older), ring as the only provider, HTTP/2 and
/// HTTP/1.1, and client certificates that are optional at the handshake (a browser has none)
/// but, when presented, must chain to the partner CA, be within their validity and, when
/// `client_crl` is set, not be revoked.
///
/// The cipher suites are ring's defaults, all forward-secret (ECDHE) and AEAD: for TLS 1.3
/// AES-256-GCM, AES-128-GCM and ChaCha20-Poly1305; for TLS 1.2 the same three with ECDHE-ECDSA
/// or ECDHE-RSA. rustls implements no CBC, RC4, 3DES, static-RSA or export suite, so there is
/// nothing weak to take out (tests/api/tls.rs fails if a new rustls adds one).
fn server_tls(tls: &TlsConfig) -> Result<rustls::ServerConfig, AppError> {
    let read = |what: &str, path: &std::path::Path, e: &dyn std::fmt::Display| {
        AppError::Tls(format!("cannot read the {what} at {}: {e}", path.display()))
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&tls.cert)
        .map_err(|e| read("server certificate", &tls.cert, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| read("server certificate", &tls.cert, &e))?;
    let key = PrivateKeyDer::from_pem_file(&tls.key).map_err(|e| read("server key", &tls.key, &e))?;
    let mut roots = RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(&tls.client_ca).map_err(|e| read("client CA", &tls.client_ca, &e))? {
        let ca = ca.map_err(|e| read("client CA", &tls.client_ca, &e))?;
        roots.add(ca).map_err(|e| read("client CA", &tls.client_ca, &e))?;
    }
    let crls: Vec<CertificateRevocationListDer<'static>> = match &tls.client_crl {
        None => Vec::new(),
        Some(path) => {
            let crls: Vec<_> = CertificateRevocationListDer::pem_file_iter(path)
                .map_err(|e| read("client CRL", path, &e))?
                .collect::<Result<_, _>>()
                .map_err(|e| read("client CRL", path, &e))?;
            // A file without a CRL would switch revocation off unnoticed.
            if crls.is_empty() {
                return Err(read("client CRL", path, &"it holds no PEM `X509 CRL`"));
            }
            crls
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // Revocation as webpki does it by default: every certificate of the chain is checked, and
    // one whose issuer has no CRL in the file is refused (fail closed). An outdated CRL still
    // counts: refusing every partner when a CRL is not renewed in time would stop the region.
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .with_crls(crls)
        .allow_unauthenticated()
        .build()
        .map_err(|e| match &tls.client_crl {
            Some(path) => AppError::Tls(format!(
                "the client CA at {} with the client CRL at {} do not load: {e}",
                tls.client_ca.display(),
                path.display()
            )),
            None => AppError::Tls(format!("the client CA at {} does not load: {e}", tls.client_ca.display())),
        })?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| AppError::Tls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| AppError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
