//! TLS: only 1.2 and 1.3 with forward-secret AEAD suites, and the client certificates the API
//! refuses at the handshake (expired, from another CA, revoked by the configured CRL), each
//! tried with a real TLS client. The partner PKI is generated here with rcgen, never checked in;
//! the server keeps its development certificate from `certs-dev/`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ketenpoort::config::{Config, TlsConfig};
use ketenpoort::framework::OrgId;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
};
use rustls::version::{TLS12, TLS13};
use rustls::{AlertDescription, ClientConfig, ProtocolVersion, RootCertStore, SupportedProtocolVersion};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use time::OffsetDateTime;

use crate::helpers::{certs_dev, database, spawn_app, spawn_app_with};

const ACTOR: &str = "mentor@lyceum-noord";

/// A client certificate and its key, PEM.
struct ClientCert {
    cert: String,
    key: String,
}

impl ClientCert {
    fn fingerprint(&self) -> String {
        ketenpoort::identity::mtls::fingerprint_of_pem(self.cert.as_bytes()).unwrap()
    }

    fn reqwest_identity(&self) -> reqwest::Identity {
        reqwest::Identity::from_pem(format!("{}{}", self.key, self.cert).as_bytes()).unwrap()
    }
}

/// A partner CA with a CRL, the client certificates the tests present, and the files the
/// server is configured with.
struct PartnerPki {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    crl: PathBuf,
    good: ClientCert,
    expired: ClientCert,
    other_ca: ClientCert,
    revoked: ClientCert,
}

fn ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    (pem, Issuer::new(params, key))
}

fn client(name: &str, serial: u64, not_after: OffsetDateTime, issuer: &Issuer<'_, KeyPair>) -> ClientCert {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.serial_number = Some(SerialNumber::from(serial));
    params.not_before = not_after - time::Duration::days(365);
    params.not_after = not_after;
    let key = KeyPair::generate().unwrap();
    ClientCert { cert: params.signed_by(&key, issuer).unwrap().pem(), key: key.serialize_pem() }
}

fn partner_pki() -> PartnerPki {
    let dir = tempfile::tempdir().unwrap();
    // The wall clock: rustls judges validity by it, not by a time the test could set.
    let now = ketenpoort::clock::now();
    let next_year = now + time::Duration::days(365);
    let (ca_pem, partner) = ca("Partner CA of the region");
    let (_, stranger) = ca("Some other CA");
    let good = client("lyceum-noord good", 1, next_year, &partner);
    let expired = client("lyceum-noord expired", 2, now - time::Duration::days(1), &partner);
    let revoked = client("lyceum-noord revoked", 3, next_year, &partner);
    let other_ca = client("lyceum-noord other CA", 4, next_year, &stranger);
    let crl = CertificateRevocationListParams {
        this_update: now - time::Duration::hours(1),
        next_update: now + time::Duration::days(7),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from(3u64),
            revocation_time: now - time::Duration::minutes(5),
            reason_code: Some(rcgen::RevocationReason::KeyCompromise),
            invalidity_date: None,
        }],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&partner)
    .unwrap();
    let ca = dir.path().join("partner-ca.crt");
    let crl_path = dir.path().join("partner.crl");
    std::fs::write(&ca, ca_pem).unwrap();
    std::fs::write(&crl_path, crl.pem().unwrap()).unwrap();
    PartnerPki { _dir: dir, ca, crl: crl_path, good, expired, other_ca, revoked }
}

/// The server's own certificate from `certs-dev/`, partner certificates from `pki`.
fn tls_config(pki: &PartnerPki) -> TlsConfig {
    let certs = certs_dev();
    TlsConfig {
        cert: certs.join("server.crt"),
        key: certs.join("server.key"),
        client_ca: pki.ca.clone(),
        client_crl: Some(pki.crl.clone()),
    }
}

/// A rustls client trusting the development CA for the server, speaking only `versions`.
fn rustls_client(versions: &[&'static SupportedProtocolVersion], identity: Option<&ClientCert>) -> ClientConfig {
    let mut roots = RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(certs_dev().join("ca.crt")).unwrap() {
        roots.add(ca.unwrap()).unwrap();
    }
    let builder = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots);
    let mut config = match identity {
        Some(identity) => {
            let chain = CertificateDer::pem_slice_iter(identity.cert.as_bytes()).map(Result::unwrap).collect();
            let key = PrivateKeyDer::from_pem_slice(identity.key.as_bytes()).unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// What one connection came to: the protocol, the suite and the status line of the reply.
#[derive(Debug)]
struct Connected {
    version: Option<ProtocolVersion>,
    suite: String,
    status_line: String,
}

/// `GET /api/v1/inbox` as the mentor over a fresh rustls connection: what it came to, or the
/// TLS error that ended it (for a refused certificate: the alert the server sent).
async fn get_inbox(addr: SocketAddr, config: ClientConfig) -> Result<Connected, rustls::Error> {
    tokio::task::spawn_blocking(move || {
        let name = ServerName::try_from("localhost").unwrap();
        let mut connection = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
        let mut socket = TcpStream::connect(addr).unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut stream = rustls::Stream::new(&mut connection, &mut socket);
        let request = format!(
            "GET /api/v1/inbox HTTP/1.1\r\nHost: localhost\r\nKetenpoort-Actor: {ACTOR}\r\nConnection: close\r\n\r\n"
        );
        let tls_error = |e: std::io::Error| match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            Some(tls) => tls.clone(),
            None => panic!("the connection failed, but not with a TLS error: {e}"),
        };
        stream.write_all(request.as_bytes()).map_err(tls_error)?;
        let mut reply = Vec::new();
        while !reply.windows(2).any(|w| w == b"\r\n") {
            let mut buffer = [0u8; 1024];
            match stream.read(&mut buffer).map_err(tls_error)? {
                0 => panic!("the server closed the connection without a reply or an alert"),
                read => reply.extend_from_slice(&buffer[..read]),
            }
        }
        let text = String::from_utf8_lossy(&reply);
        let status_line = text.lines().next().unwrap_or_default().to_owned();
        Ok(Connected {
            version: connection.protocol_version(),
            suite: format!("{:?}", connection.negotiated_cipher_suite().map(|s| s.suite())),
            status_line,
        })
    })
    .await
    .unwrap()
}

/// Whether `error` was caused by `tls` (tokio-rustls hands it on inside an I/O error, as text).
fn caused_by(error: &(dyn std::error::Error + 'static), tls: &rustls::Error) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.to_string() == tls.to_string() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// A reqwest client trusting the development CA for the server, presenting `identity`.
fn reqwest_client(identity: Option<&ClientCert>) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(certs_dev().join("ca.crt")).unwrap()).unwrap();
    let mut builder =
        reqwest::Client::builder().use_rustls_tls().tls_built_in_root_certs(false).add_root_certificate(ca);
    if let Some(identity) = identity {
        builder = builder.identity(identity.reqwest_identity());
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn the_api_refuses_expired_foreign_and_revoked_client_certificates_at_the_handshake() {
    let pki = partner_pki();
    let app = spawn_app_with(|config| Config { tls: tls_config(&pki), ..config }).await;
    // Registered for the school, so that a refusal is the handshake's doing, not the registry's.
    let store = app.app.state().gateway.store();
    for cert in [&pki.good, &pki.expired, &pki.revoked, &pki.other_ca] {
        store
            .add_certificate(&cert.fingerprint(), &OrgId("lyceum-noord".into()), ketenpoort::clock::now())
            .await
            .unwrap();
    }
    let addr = app.app.addr();
    let inbox = app.url("/api/v1/inbox");

    let good = reqwest_client(Some(&pki.good)).get(&inbox).header("ketenpoort-actor", ACTOR).send().await.unwrap();
    assert_eq!(good.status(), 200, "{}", good.text().await.unwrap());
    for versions in [&[&TLS13][..], &[&TLS12][..]] {
        let connected = get_inbox(addr, rustls_client(versions, Some(&pki.good))).await.unwrap();
        assert_eq!(connected.status_line, "HTTP/1.1 200 OK", "{connected:?}");
    }

    let refused = [
        ("expired", &pki.expired, AlertDescription::CertificateExpired),
        ("from another CA", &pki.other_ca, AlertDescription::UnknownCA),
        ("revoked", &pki.revoked, AlertDescription::CertificateRevoked),
    ];
    for (what, cert, alert) in refused {
        // A real HTTP client gets no HTTP reply at all: the server's alert ends the connection
        // (on TLS 1.3 the client has sent its request by then, so reqwest calls it a request
        // error rather than a connect error).
        let reply = reqwest_client(Some(cert)).get(&inbox).header("ketenpoort-actor", ACTOR).send().await;
        let error = reply.err().unwrap_or_else(|| panic!("the {what} certificate got an HTTP reply"));
        assert!(caused_by(&error, &rustls::Error::AlertReceived(alert)), "{what}: {error:?}");
        // On TLS 1.3 and on TLS 1.2 alike, the server's alert names the reason.
        for versions in [&[&TLS13][..], &[&TLS12][..]] {
            let outcome = get_inbox(addr, rustls_client(versions, Some(cert))).await;
            assert_eq!(outcome.unwrap_err(), rustls::Error::AlertReceived(alert), "{what} over {versions:?}");
        }
    }

    // A browser presents no certificate: its handshake succeeds and the API answers 401.
    let anonymous = get_inbox(addr, rustls_client(&[&TLS13, &TLS12], None)).await.unwrap();
    assert_eq!(anonymous.status_line, "HTTP/1.1 401 Unauthorized");
    let anonymous = reqwest_client(None).get(&inbox).header("ketenpoort-actor", ACTOR).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_revocation_list_file_that_cannot_be_used_stops_the_start_and_is_named() {
    let pki = partner_pki();
    let dir = tempfile::tempdir().unwrap();
    ketenpoort::keys::generate(&dir.path().join("k.keys"), false).unwrap();
    let empty = dir.path().join("empty.crl");
    std::fs::write(&empty, "no revocation list here\n").unwrap();
    let garbled = dir.path().join("garbled.crl");
    std::fs::write(&garbled, "-----BEGIN X509 CRL-----\nMIIBAAAA\n-----END X509 CRL-----\n").unwrap();
    for crl in [dir.path().join("absent.crl"), empty, garbled] {
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: database::fresh_url(dir.path(), "k.db"),
            keys: Some(dir.path().join("k.keys")),
            tls: TlsConfig { client_crl: Some(crl.clone()), ..tls_config(&pki) },
            ..Config::default()
        };
        let Err(error) = ketenpoort::app::App::build(&config).await else {
            panic!("the server started with the CRL file {}", crl.display())
        };
        let message = error.to_string();
        assert!(message.starts_with("TLS: ") && message.contains(&crl.display().to_string()), "{message}");
    }
}

#[tokio::test]
async fn clients_limited_to_tls_1_2_or_to_tls_1_3_both_connect_with_a_forward_secret_aead_suite() {
    let app = spawn_app().await;
    let certs = certs_dev();
    let school = ClientCert {
        cert: std::fs::read_to_string(certs.join("lyceum-noord.crt")).unwrap(),
        key: std::fs::read_to_string(certs.join("lyceum-noord.key")).unwrap(),
    };
    let tls12 = get_inbox(app.app.addr(), rustls_client(&[&TLS12], Some(&school))).await.unwrap();
    assert_eq!(tls12.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(tls12.status_line, "HTTP/1.1 200 OK");
    assert!(tls12.suite.contains("TLS_ECDHE_") && tls12.suite.contains("_GCM_"), "{}", tls12.suite);
    let tls13 = get_inbox(app.app.addr(), rustls_client(&[&TLS13], Some(&school))).await.unwrap();
    assert_eq!(tls13.version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(tls13.status_line, "HTTP/1.1 200 OK");
}

#[test]
fn every_suite_the_server_can_offer_is_forward_secret_and_aead() {
    // The server takes ring's default suites: this fails when a rustls upgrade adds one that is
    // not ECDHE (or TLS 1.3) with GCM or ChaCha20-Poly1305.
    let suites = rustls::crypto::ring::default_provider().cipher_suites;
    assert!(!suites.is_empty());
    for suite in suites {
        let name = format!("{:?}", suite.suite());
        let forward_secret = name.starts_with("TLS13_") || name.starts_with("TLS_ECDHE_");
        let aead = name.contains("_GCM_") || name.contains("_CHACHA20_POLY1305_");
        assert!(forward_secret && aead, "{name}");
    }
}

/// A hand-built ClientHello record: `version` as the hello's legacy version, only `suites`,
/// and (for TLS 1.2) the extensions a real client sends, so that the suites alone decide.
fn client_hello(version: [u8; 2], suites: &[u16]) -> Vec<u8> {
    let mut body = version.to_vec();
    body.extend([0x5a; 32]); // random
    body.push(0); // no session id
    body.extend(u16::try_from(suites.len() * 2).unwrap().to_be_bytes());
    for suite in suites {
        body.extend(suite.to_be_bytes());
    }
    body.extend([1, 0]); // null compression only
    let mut extensions = Vec::new();
    let mut extension = |kind: u16, data: &[u8]| {
        extensions.extend(kind.to_be_bytes());
        extensions.extend(u16::try_from(data.len()).unwrap().to_be_bytes());
        extensions.extend(data);
    };
    extension(0x000a, &[0, 4, 0x00, 0x1d, 0x00, 0x17]); // supported groups: x25519, secp256r1
    extension(0x000b, &[1, 0]); // EC point formats: uncompressed
    extension(0x000d, &[0, 6, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01]); // signature algorithms
    extension(0x0017, &[]); // extended master secret
    body.extend(u16::try_from(extensions.len()).unwrap().to_be_bytes());
    body.extend(extensions);

    let mut handshake = vec![0x01]; // ClientHello
    handshake.extend(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01]; // handshake record, TLS 1.0 record version
    record.extend(u16::try_from(handshake.len()).unwrap().to_be_bytes());
    record.extend(handshake);
    record
}

/// The content types of the records the server answers `hello` with, and the description of
/// its alert if it sent one.
async fn answer_to(addr: SocketAddr, hello: Vec<u8>) -> (Vec<u8>, Option<u8>) {
    tokio::task::spawn_blocking(move || {
        let mut socket = TcpStream::connect(addr).unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        socket.write_all(&hello).unwrap();
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        // Until the server closes, or enough for a ServerHello to have shown.
        while answer.len() < 5 || (answer[0] == 0x16 && answer.len() < 64) {
            match socket.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(read) => answer.extend_from_slice(&buffer[..read]),
            }
        }
        let (mut types, mut alert, mut rest) = (Vec::new(), None, answer.as_slice());
        while rest.len() >= 5 {
            let length = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
            types.push(rest[0]);
            if rest[0] == 0x15 && rest.len() >= 7 {
                alert = Some(rest[6]);
            }
            rest = &rest[(5 + length).min(rest.len())..];
        }
        (types, alert)
    })
    .await
    .unwrap()
}

/// Suites without forward secrecy or without AEAD: static RSA, CBC, RC4, 3DES, and ECDHE with CBC.
const WEAK_SUITES: &[u16] = &[
    0x002f, // TLS_RSA_WITH_AES_128_CBC_SHA
    0x0035, // TLS_RSA_WITH_AES_256_CBC_SHA
    0x003c, // TLS_RSA_WITH_AES_128_CBC_SHA256
    0x009c, // TLS_RSA_WITH_AES_128_GCM_SHA256 (no forward secrecy)
    0x009d, // TLS_RSA_WITH_AES_256_GCM_SHA384 (no forward secrecy)
    0x0005, // TLS_RSA_WITH_RC4_128_SHA
    0x000a, // TLS_RSA_WITH_3DES_EDE_CBC_SHA
    0x0033, // TLS_DHE_RSA_WITH_AES_128_CBC_SHA
    0xc009, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
    0xc023, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
    0xc013, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    0xc007, // TLS_ECDHE_ECDSA_WITH_RC4_128_SHA
];

#[tokio::test]
async fn the_server_answers_tls_1_0_and_1_1_and_weak_suites_with_an_alert_never_a_server_hello() {
    let app = spawn_app().await;
    let addr = app.app.addr();
    const HANDSHAKE_FAILURE: u8 = 40;
    const PROTOCOL_VERSION: u8 = 70;

    for (version, name) in [([0x03, 0x01], "TLS 1.0"), ([0x03, 0x02], "TLS 1.1")] {
        let (types, alert) = answer_to(addr, client_hello(version, &[0x002f, 0x0005])).await;
        assert_eq!(types, [0x15], "{name}: only an alert record");
        assert_eq!(alert, Some(PROTOCOL_VERSION), "{name}");
        // Offering the strong suites does not help an old protocol.
        let (types, alert) = answer_to(addr, client_hello(version, &[0xc02b, 0xc02f])).await;
        assert_eq!((types.as_slice(), alert), (&[0x15][..], Some(PROTOCOL_VERSION)), "{name} with strong suites");
    }

    let (types, alert) = answer_to(addr, client_hello([0x03, 0x03], WEAK_SUITES)).await;
    assert_eq!(types, [0x15], "TLS 1.2 with weak suites: only an alert record");
    assert_eq!(alert, Some(HANDSHAKE_FAILURE));

    // The same hand-built hello with one strong suite gets a ServerHello: the suites decided.
    let (types, alert) = answer_to(addr, client_hello([0x03, 0x03], &[0xc02b])).await;
    assert_eq!((types.first(), alert), (Some(&0x16), None), "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
}
