//! `ketenpoort demo`: a demo region on SQLite with the development certificates, and the
//! walkthrough a newcomer pastes to watch the whole story of the mission.
//!
//! Development only: the certificates in `certs-dev/` and the accounts made here are public.

mod certs;

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;

pub use certs::{DevCertError, generate as generate_dev_certs};

use crate::exchange::Gateway;
use crate::framework::{OrgId, OrgKind};
use crate::identity::mtls::fingerprint_of_pem;
use crate::store::{Account, Organisation, StoreError};

const REGION: &str = include_str!("region.yaml");

#[derive(Debug, Deserialize)]
pub struct Region {
    pub orgs: Vec<RegionOrg>,
}

#[derive(Debug, Deserialize)]
pub struct RegionOrg {
    pub id: String,
    pub kind: OrgKind,
    pub name: String,
    pub contact: String,
}

/// The made-up youth of a walkthrough.
#[derive(Debug, Clone)]
pub struct DemoYouth {
    pub bsn: String,
    pub birth_date: String,
}

impl DemoYouth {
    /// A new youth of 14 with a random BSN that passes the elfproef: every demo run tells the
    /// story afresh, also on a reused database.
    pub fn fourteen_today(today: time::Date) -> DemoYouth {
        let birthday = today.replace_year(today.year() - 14).unwrap_or(today) - time::Duration::days(100);
        DemoYouth { bsn: random_bsn(), birth_date: crate::youth::BirthDate::new(birthday).to_iso() }
    }
}

/// A random nine-digit number that passes the elfproef: test data, nobody's BSN on purpose.
pub fn random_bsn() -> String {
    use ring::rand::SecureRandom;
    let random = ring::rand::SystemRandom::new();
    loop {
        let mut bytes = [0u8; 8];
        if random.fill(&mut bytes).is_err() {
            continue;
        }
        let digits: Vec<u32> = bytes.iter().map(|b| u32::from(*b) % 10).collect();
        let sum: u32 = digits.iter().zip([9, 8, 7, 6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
        let check = sum % 11;
        if check < 10 && digits.iter().any(|d| *d != 0) {
            return digits.iter().chain([&check]).map(|d| char::from(b'0' + *d as u8)).collect();
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo region does not parse: {0}")]
    Region(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read the certificate {path}: {detail}")]
    Certificate { path: String, detail: String },
}

/// The demo region shipped in the binary.
pub fn region() -> Result<Region, DemoError> {
    yaml_serde::from_str(REGION).map_err(|e| DemoError::Region(e.to_string()))
}

/// The demo account id of a role at an organisation: `mentor@lyceum-noord`.
pub fn account_id(role: &str, org: &str) -> String {
    format!("{role}@{org}")
}

/// Registers the region's organisations, one account per professional role, and each
/// organisation's development certificate from `certs`. Safe to run again. Demo fixtures go
/// straight to the store; an administrator's registrations (`ketenpoort org …`) are audited.
pub async fn seed(gateway: &Gateway, region: &Region, certs: &Path, at: time::OffsetDateTime) -> Result<(), DemoError> {
    let store = gateway.store();
    for org in &region.orgs {
        let id = OrgId(org.id.clone());
        gateway
            .register_org(&Organisation {
                id: id.clone(),
                kind: org.kind,
                name: org.name.clone(),
                contact: Some(org.contact.clone()),
            })
            .await?;
        // One account per professional role, an administrator, a privacy officer and an auditor.
        let others =
            [crate::framework::Role::Admin, crate::framework::Role::PrivacyOfficer, crate::framework::Role::Auditor];
        for role in org.kind.professional_roles().iter().chain(&others) {
            let account = Account {
                id: account_id(role.as_str(), &org.id),
                org: id.clone(),
                role: *role,
                // A demo person is named by their role in Dutch, as a name is written ("Gezinswerker").
                display_name: crate::web::capitalised(crate::web::Lang::Nl.role(*role)),
                contact: Some(org.contact.clone()),
                oidc: None,
                email: None,
            };
            store.upsert_account(&account).await?;
        }
        let path = certs.join(format!("{}.crt", org.id));
        let pem = std::fs::read(&path)
            .map_err(|e| DemoError::Certificate { path: path.display().to_string(), detail: e.to_string() })?;
        let fingerprint = fingerprint_of_pem(&pem).ok_or_else(|| DemoError::Certificate {
            path: path.display().to_string(),
            detail: "no certificate in it".into(),
        })?;
        store.add_certificate(&fingerprint, &id, at).await?;
    }
    Ok(())
}

/// The ready-to-paste commands of the story, for a server at `addr` with certificates in
/// `certs` and its database at `database_url`.
pub fn walkthrough(youth: &DemoYouth, addr: SocketAddr, certs: &Path, database_url: &str, ketenpoort: &Path) -> String {
    let certs = certs.display();
    let url = format!("https://{addr}/api/v1");
    let who = |org: &str, role: &str| {
        format!(
            "curl -sS --cacert {certs}/ca.crt --cert {certs}/{org}.crt --key {certs}/{org}.key \\\n  -H 'Ketenpoort-Actor: {}' -H 'Content-Type: application/json'",
            account_id(role, org)
        )
    };
    let mentor = who("lyceum-noord", "mentor");
    let worker = who("buurtteam-oost", "family_worker");
    let ids = format!("\"bsn\": \"{}\", \"birth_date\": \"{}\"", youth.bsn, youth.birth_date);
    let consent = |given_by: &str| {
        format!(
            "{worker} \\\n  -d '{{{ids}, \"given_by\": \"{given_by}\", \"recipient_kinds\": [\"school\"], \"signals\": [\"help_started\", \"help_ongoing\", \"help_ended\"], \"purposes\": [\"care_coordination\"], \"valid_from\": \"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'\"}}' \\\n  {url}/consents; echo"
        )
    };
    let answer = format!(
        "{worker} -w ' → HTTP %{{http_code}}\\n' \\\n  -d '{{{ids}, \"signal\": \"help_started\", \"to\": \"lyceum-noord\", \"purpose\": \"care_coordination\", \"in_reply_to\": \"'$REQUEST'\"}}' \\\n  {url}/signals"
    );
    format!(
        r#"# The story, step by step (bash; the youth is a made-up 14-year-old).
# 1. The mentor of Lyceum Noord registers involvement with the youth.
{mentor} \
  -d '{{{ids}, "purpose": "care_coordination"}}' {url}/involvements; echo
# 2. The family worker of Buurtteam Oost registers too: a match, both are notified.
{worker} \
  -d '{{{ids}, "purpose": "care_coordination"}}' {url}/involvements; echo
# 3. The mentor asks Buurtteam Oost for feedback; the request's id is kept in $REQUEST.
REQUEST=$({mentor} \
  -d '{{{ids}, "signal": "feedback_request", "to": "buurtteam-oost", "purpose": "care_coordination"}}' \
  {url}/signals | sed -E 's/^\{{"id":"([^"]+)".*/\1/'); echo "feedback request $REQUEST"
# 4. The youth (14) consents to the neighbourhood team telling the school how help goes.
{youth_consent}
# 5. The family worker answers "help started": refused, the parent's consent is missing.
{answer}
# 6. The parent consents too.
{parent_consent}
# 7. The same answer is now allowed and delivered.
{answer}
# 8. The mentor's inbox: the match notice and the answer to the request.
{mentor} \
  {url}/inbox; echo
# 9. Every decision is in the audit log, and the log is intact.
{ketenpoort} audit verify --database {database_url}
"#,
        ketenpoort = ketenpoort.display(),
        youth_consent = consent("youth"),
        parent_consent = consent("parent"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_bsns_pass_the_elfproef() {
        for _ in 0..200 {
            let bsn = random_bsn();
            assert!(bsn.parse::<crate::youth::Bsn>().is_ok(), "{bsn}");
        }
    }

    #[test]
    fn the_demo_youth_is_fourteen() {
        let today = time::macros::date!(2026 - 11 - 23);
        let youth = DemoYouth::fourteen_today(today);
        let birth: crate::youth::BirthDate = youth.birth_date.parse().unwrap();
        assert_eq!(birth.age_at(today.midnight().assume_utc()), 14);
    }
}
