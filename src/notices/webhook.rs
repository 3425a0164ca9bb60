//! Webhooks by the Standard Webhooks scheme (<https://www.standardwebhooks.com>): the secret,
//! the signature, the address a delivery may go to, and the client that sends it.
//!
//! A delivery carries `webhook-id` (the notice's id: the same on every retry, so a receiver
//! drops what it has seen), `webhook-timestamp` (seconds since the epoch) and
//! `webhook-signature`: `v1,` and the base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`,
//! keyed with the bytes of the secret after its `whsec_` prefix.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use super::NoticesConfig;

const SECRET_PREFIX: &str = "whsec_";
/// Longest webhook address accepted.
const MAX_URL: usize = 2000;
/// How long one delivery may take, connection included.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook address is not a URL: {0}")]
    NotAUrl(String),
    #[error("a webhook address starts with https:// (deliveries are never sent in the clear)")]
    NotHttps,
    #[error("a webhook address holds no user name or password: the signature authenticates Ketenpoort")]
    Credentials,
    #[error("the webhook address is longer than {MAX_URL} characters")]
    TooLong,
    #[error(
        "the webhook address is on a loopback, private or link-local network ({0}); Ketenpoort sends only to public addresses unless `notices.allow_private_webhooks` is set"
    )]
    Private(IpAddr),
    #[error("the system random source failed")]
    Random,
    #[error("{0}")]
    Client(String),
}

/// A new secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> Result<String, WebhookError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).map_err(|_| WebhookError::Random)?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
}

/// The `webhook-signature` header for a delivery.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, WebhookError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key =
        STANDARD.decode(encoded).map_err(|_| WebhookError::Client("the stored webhook secret is not base64".into()))?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
    let mut signed = hmac::Context::with_key(&key);
    signed.update(id.as_bytes());
    signed.update(b".");
    signed.update(timestamp.to_string().as_bytes());
    signed.update(b".");
    signed.update(body);
    Ok(format!("v1,{}", STANDARD.encode(signed.sign().as_ref())))
}

/// Checks a webhook address as an organisation gives it: https, no credentials, and (unless
/// allowed) not a literal private address. A name is checked when it is resolved, at each
/// delivery ([`PublicOnly`]), so that it cannot later point inwards.
pub fn check_url(url: &str, allow_private: bool) -> Result<Url, WebhookError> {
    if url.len() > MAX_URL {
        return Err(WebhookError::TooLong);
    }
    let parsed = Url::parse(url.trim()).map_err(|e| WebhookError::NotAUrl(e.to_string()))?;
    if parsed.scheme() != "https" {
        return Err(WebhookError::NotHttps);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(WebhookError::Credentials);
    }
    let literal = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain(_)) => None,
        None => return Err(WebhookError::NotAUrl("it names no host".into())),
    };
    if let Some(ip) = literal
        && !allow_private
        && !is_public(ip)
    {
        return Err(WebhookError::Private(ip));
    }
    Ok(parsed)
}

/// Whether `ip` is on the public internet: not loopback, private, link-local, shared (CGNAT),
/// unspecified, documentation, benchmarking, multicast or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // NAT64 and IPv4-compatible forms would reach an IPv4 address unchecked.
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)
        || ip.segments()[..6].iter().all(|s| *s == 0))
}

/// Resolves a receiver's name to its public addresses only; a name with none is refused.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|addr| is_public(addr.ip())).collect();
            if public.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> =
                    "the receiver's name resolves to no public address".into();
                return Err(refused);
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// The client deliveries go out on: https only, no redirects (a receiver must not steer
/// Ketenpoort elsewhere), public addresses only unless configured otherwise.
pub fn client(config: &NoticesConfig) -> Result<reqwest::Client, WebhookError> {
    let mut builder = reqwest::ClientBuilder::new()
        .https_only(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(DELIVERY_TIMEOUT)
        .connect_timeout(DELIVERY_TIMEOUT)
        .pool_max_idle_per_host(64)
        .user_agent(concat!("Ketenpoort/", env!("CARGO_PKG_VERSION"), " (webhook)"));
    if !config.allow_private_webhooks {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    if let Some(path) = &config.webhook_ca {
        let pem = std::fs::read(path)
            .map_err(|e| WebhookError::Client(format!("cannot read the webhook CA at {}: {e}", path.display())))?;
        let ca = reqwest::Certificate::from_pem(&pem)
            .map_err(|e| WebhookError::Client(format!("the webhook CA at {} does not load: {e}", path.display())))?;
        builder = builder.add_root_certificate(ca);
    }
    builder.build().map_err(|e| WebhookError::Client(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification (and of its libraries' tests).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let signed = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_secret_is_prefixed_base64_of_32_bytes_and_new_each_time() {
        let (one, two) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(one, two);
        let bytes = STANDARD.decode(one.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(bytes.len(), 32);
    }

    #[test]
    fn only_https_to_public_addresses_without_credentials() {
        assert!(check_url("https://partner.example/hooks/ketenpoort", false).is_ok());
        assert!(matches!(check_url("http://partner.example/hook", false), Err(WebhookError::NotHttps)));
        assert!(matches!(check_url("https://user:pw@partner.example/", false), Err(WebhookError::Credentials)));
        assert!(matches!(check_url("not a url", false), Err(WebhookError::NotAUrl(_))));
        for inward in [
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://169.254.169.254/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:192.168.1.1]/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
        ] {
            assert!(matches!(check_url(inward, false), Err(WebhookError::Private(_))), "{inward}");
            assert!(check_url(inward, true).is_ok(), "{inward}");
        }
        assert!(check_url(&format!("https://partner.example/{}", "a".repeat(2000)), false).is_err());
    }
}
