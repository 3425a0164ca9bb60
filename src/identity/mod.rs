//! Who is acting: the organisation, its kind, the role of the person (if a person acts), and
//! how they were authenticated.
//!
//! In the request flow this comes first: a client certificate, an OpenID Connect session, the
//! command line or a scenario file becomes a [`Principal`]; everything after it, up to the
//! audit entry, knows the actor only through it.

pub mod mtls;
pub mod oidc;

use std::fmt;

use crate::audit::AuditActor;
use crate::framework::{OrgId, OrgKind, Party, Role};

/// How the actor proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authentication {
    /// A partner system's client certificate, by SHA-256 fingerprint.
    Certificate { fingerprint: String },
    /// A person signed in with an OpenID Connect provider.
    OidcSession { issuer: String },
    /// An operator at the command line.
    CommandLine,
    /// Facts and requests read from a conformance scenario file.
    Scenario { file: String },
    /// The demo's sign-in, which picks a demo professional (`ketenpoort demo` only).
    DemoSignIn,
}

impl Authentication {
    /// Reads back what `Display` wrote (sessions store it as text).
    pub fn parse(text: &str) -> Authentication {
        match text.split_once(':') {
            Some(("certificate", fingerprint)) => Authentication::Certificate { fingerprint: fingerprint.to_owned() },
            Some(("oidc", issuer)) => Authentication::OidcSession { issuer: issuer.to_owned() },
            Some(("scenario", file)) => Authentication::Scenario { file: file.to_owned() },
            _ if text == "demo" => Authentication::DemoSignIn,
            _ => Authentication::CommandLine,
        }
    }
}

impl fmt::Display for Authentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Authentication::Certificate { fingerprint } => write!(f, "certificate:{fingerprint}"),
            Authentication::OidcSession { issuer } => write!(f, "oidc:{issuer}"),
            Authentication::CommandLine => f.write_str("cli"),
            Authentication::Scenario { file } => write!(f, "scenario:{file}"),
            Authentication::DemoSignIn => f.write_str("demo"),
        }
    }
}

/// An operator at the command line, as the audit log records them.
pub fn operator() -> AuditActor {
    AuditActor {
        account: None,
        org: None,
        org_kind: None,
        role: Some(Role::Admin),
        authenticated_by: Authentication::CommandLine.to_string(),
    }
}

/// The acting party. `role` is absent when an organisation's system acts without naming a
/// person (recording facts it holds); professional requests always name one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account: Option<String>,
    pub org: OrgId,
    pub org_kind: OrgKind,
    pub role: Option<Role>,
    pub authenticated_by: Authentication,
}

impl Principal {
    /// The organisation as a party to an exchange.
    pub fn party(&self) -> Party {
        Party { org: self.org.clone(), kind: self.org_kind }
    }

    /// The actor as the audit log records them.
    pub fn audit_actor(&self) -> AuditActor {
        AuditActor {
            account: self.account.clone(),
            org: Some(self.org.0.clone()),
            org_kind: Some(self.org_kind),
            role: self.role,
            authenticated_by: self.authenticated_by.to_string(),
        }
    }
}
