//! The log as others read it: entries and checkpoints as JSON lines or CSV, carrying everything
//! the chain hashes — so an exported file can be verified on its own, by anyone, with the
//! canonical encoding documented in `entry.rs` and the README.

use time::OffsetDateTime;

use super::{AuditActor, AuditEntry, ChainHash, Checkpoint};
use crate::store::StoredEntry;
use crate::youth::Pseudonym;

/// An exported entry: the entry's fields, its hash and its predecessor's hash (hex).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ExportedEntry {
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: OffsetDateTime,
    pub request_id: String,
    pub event: String,
    pub actor_account: Option<String>,
    pub actor_org: Option<String>,
    pub actor_org_kind: Option<String>,
    pub actor_role: Option<String>,
    pub authenticated_by: String,
    pub action: Option<String>,
    pub signal: Option<String>,
    pub purpose: Option<String>,
    /// The pseudonym key's id and the youth's pseudonym, never a BSN.
    pub youth_key_id: Option<String>,
    pub youth_pseudonym: Option<String>,
    pub recipient_org: Option<String>,
    pub decision: Option<String>,
    pub basis: Option<String>,
    pub reason: Option<String>,
    pub matched_rules: Vec<String>,
    pub policy_version: Option<String>,
    pub obligations: Vec<String>,
    pub justification: Option<String>,
    pub consents: Vec<String>,
    pub subject: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

fn text<T: AsRef<str>>(word: Option<T>) -> Option<String> {
    word.map(|w| w.as_ref().to_owned())
}

impl From<&StoredEntry> for ExportedEntry {
    fn from(stored: &StoredEntry) -> Self {
        let e = &stored.entry;
        ExportedEntry {
            seq: e.seq,
            at: e.at,
            recorded_at: e.recorded_at,
            request_id: e.request_id.clone(),
            event: e.event.as_str().to_owned(),
            actor_account: e.actor.account.clone(),
            actor_org: e.actor.org.clone(),
            actor_org_kind: text(e.actor.org_kind.map(|w| w.as_str())),
            actor_role: text(e.actor.role.map(|w| w.as_str())),
            authenticated_by: e.actor.authenticated_by.clone(),
            action: text(e.action.map(|w| w.as_str())),
            signal: text(e.signal.map(|w| w.as_str())),
            purpose: text(e.purpose.map(|w| w.as_str())),
            youth_key_id: e.youth.as_ref().map(|y| y.key_id.clone()),
            youth_pseudonym: e.youth.as_ref().map(|y| y.value.clone()),
            recipient_org: e.recipient_org.clone(),
            decision: text(e.decision.map(|w| w.as_str())),
            basis: text(e.basis.map(|w| w.as_str())),
            reason: text(e.reason_word()),
            matched_rules: e.matched_rules.clone(),
            policy_version: e.policy_version.clone(),
            obligations: e.obligations.iter().map(|o| o.as_str().to_owned()).collect(),
            justification: e.justification.clone(),
            consents: e.consents.clone(),
            subject: e.subject.clone(),
            prev_hash: hex::encode(&stored.prev_hash),
            hash: hex::encode(&stored.hash),
        }
    }
}

/// An exported entry that does not read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {seq}: {problem}")]
pub struct ImportError {
    pub seq: u64,
    pub problem: String,
}

fn word<T: std::str::FromStr<Err = crate::framework::VocabularyError>>(
    seq: u64,
    text: &Option<String>,
) -> Result<Option<T>, ImportError> {
    text.as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: crate::framework::VocabularyError| ImportError { seq, problem: e.to_string() })
}

impl TryFrom<&ExportedEntry> for StoredEntry {
    type Error = ImportError;

    /// Reads an exported entry back, so that its hash can be recomputed.
    fn try_from(x: &ExportedEntry) -> Result<StoredEntry, ImportError> {
        let seq = x.seq;
        let hex = |text: &str| hex::decode(text).map_err(|e| ImportError { seq, problem: format!("hash: {e}") });
        let words = |list: &[String]| -> Result<Vec<crate::framework::Obligation>, ImportError> {
            list.iter()
                .map(|w| {
                    w.parse()
                        .map_err(|e: crate::framework::VocabularyError| ImportError { seq, problem: e.to_string() })
                })
                .collect()
        };
        let mut entry = AuditEntry {
            seq,
            at: x.at,
            recorded_at: x.recorded_at,
            request_id: x.request_id.clone(),
            actor: AuditActor {
                account: x.actor_account.clone(),
                org: x.actor_org.clone(),
                org_kind: word(seq, &x.actor_org_kind)?,
                role: word(seq, &x.actor_role)?,
                authenticated_by: x.authenticated_by.clone(),
            },
            event: x
                .event
                .parse()
                .map_err(|e: crate::framework::VocabularyError| ImportError { seq, problem: e.to_string() })?,
            action: word(seq, &x.action)?,
            signal: word(seq, &x.signal)?,
            purpose: word(seq, &x.purpose)?,
            youth: match (&x.youth_key_id, &x.youth_pseudonym) {
                (Some(key_id), Some(value)) => Some(Pseudonym { key_id: key_id.clone(), value: value.clone() }),
                _ => None,
            },
            recipient_org: x.recipient_org.clone(),
            decision: word(seq, &x.decision)?,
            basis: word(seq, &x.basis)?,
            reason: None,
            withdrawal: None,
            matched_rules: x.matched_rules.clone(),
            policy_version: x.policy_version.clone(),
            obligations: words(&x.obligations)?,
            justification: x.justification.clone(),
            consents: x.consents.clone(),
            subject: x.subject.clone(),
        };
        if let Some(reason) = &x.reason {
            entry.set_reason_word(reason).map_err(|e| ImportError { seq, problem: e.to_string() })?;
        }
        Ok(StoredEntry { entry, prev_hash: hex(&x.prev_hash)?, hash: hex(&x.hash)? })
    }
}

/// One CSV row: the exported entry with lists joined by spaces (rule, obligation and consent
/// ids hold none) and an absent field empty.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CsvEntry {
    pub seq: u64,
    pub at: String,
    pub recorded_at: String,
    pub request_id: String,
    pub event: String,
    pub actor_account: String,
    pub actor_org: String,
    pub actor_org_kind: String,
    pub actor_role: String,
    pub authenticated_by: String,
    pub action: String,
    pub signal: String,
    pub purpose: String,
    pub youth_key_id: String,
    pub youth_pseudonym: String,
    pub recipient_org: String,
    pub decision: String,
    pub basis: String,
    pub reason: String,
    pub matched_rules: String,
    pub policy_version: String,
    pub obligations: String,
    pub justification: String,
    pub consents: String,
    pub subject: String,
    pub prev_hash: String,
    pub hash: String,
}

impl CsvEntry {
    /// The column names, for a CSV file with no rows (a test keeps them equal to the fields).
    pub const HEADER: [&'static str; 27] = [
        "seq",
        "at",
        "recorded_at",
        "request_id",
        "event",
        "actor_account",
        "actor_org",
        "actor_org_kind",
        "actor_role",
        "authenticated_by",
        "action",
        "signal",
        "purpose",
        "youth_key_id",
        "youth_pseudonym",
        "recipient_org",
        "decision",
        "basis",
        "reason",
        "matched_rules",
        "policy_version",
        "obligations",
        "justification",
        "consents",
        "subject",
        "prev_hash",
        "hash",
    ];
}

const RFC3339: time::format_description::well_known::Rfc3339 = time::format_description::well_known::Rfc3339;

impl From<&ExportedEntry> for CsvEntry {
    fn from(x: &ExportedEntry) -> Self {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        CsvEntry {
            seq: x.seq,
            at: x.at.format(&RFC3339).unwrap_or_default(),
            recorded_at: x.recorded_at.format(&RFC3339).unwrap_or_default(),
            request_id: x.request_id.clone(),
            event: x.event.clone(),
            actor_account: o(&x.actor_account),
            actor_org: o(&x.actor_org),
            actor_org_kind: o(&x.actor_org_kind),
            actor_role: o(&x.actor_role),
            authenticated_by: x.authenticated_by.clone(),
            action: o(&x.action),
            signal: o(&x.signal),
            purpose: o(&x.purpose),
            youth_key_id: o(&x.youth_key_id),
            youth_pseudonym: o(&x.youth_pseudonym),
            recipient_org: o(&x.recipient_org),
            decision: o(&x.decision),
            basis: o(&x.basis),
            reason: o(&x.reason),
            matched_rules: x.matched_rules.join(" "),
            policy_version: o(&x.policy_version),
            obligations: x.obligations.join(" "),
            justification: o(&x.justification),
            consents: x.consents.join(" "),
            subject: o(&x.subject),
            prev_hash: x.prev_hash.clone(),
            hash: x.hash.clone(),
        }
    }
}

impl TryFrom<&CsvEntry> for ExportedEntry {
    type Error = ImportError;

    fn try_from(c: &CsvEntry) -> Result<ExportedEntry, ImportError> {
        let seq = c.seq;
        let o = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
        let list = |v: &str| v.split_whitespace().map(str::to_owned).collect();
        let time = |v: &str| {
            OffsetDateTime::parse(v, &RFC3339).map_err(|e| ImportError { seq, problem: format!("time `{v}`: {e}") })
        };
        Ok(ExportedEntry {
            seq,
            at: time(&c.at)?,
            recorded_at: time(&c.recorded_at)?,
            request_id: c.request_id.clone(),
            event: c.event.clone(),
            actor_account: o(&c.actor_account),
            actor_org: o(&c.actor_org),
            actor_org_kind: o(&c.actor_org_kind),
            actor_role: o(&c.actor_role),
            authenticated_by: c.authenticated_by.clone(),
            action: o(&c.action),
            signal: o(&c.signal),
            purpose: o(&c.purpose),
            youth_key_id: o(&c.youth_key_id),
            youth_pseudonym: o(&c.youth_pseudonym),
            recipient_org: o(&c.recipient_org),
            decision: o(&c.decision),
            basis: o(&c.basis),
            reason: o(&c.reason),
            matched_rules: list(&c.matched_rules),
            policy_version: o(&c.policy_version),
            obligations: list(&c.obligations),
            justification: o(&c.justification),
            consents: list(&c.consents),
            subject: o(&c.subject),
            prev_hash: c.prev_hash.clone(),
            hash: c.hash.clone(),
        })
    }
}

/// A checkpoint exported for a third party to keep (an anchor): one JSON line each.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ExportedCheckpoint {
    pub seq: u64,
    /// The chain hash of entry `seq`, hex.
    pub hash: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub key_id: String,
    /// The Ed25519 signature, hex.
    pub signature: String,
}

impl From<&Checkpoint> for ExportedCheckpoint {
    fn from(c: &Checkpoint) -> Self {
        ExportedCheckpoint {
            seq: c.seq,
            hash: hex::encode(c.hash),
            at: c.at,
            key_id: c.key_id.clone(),
            signature: hex::encode(&c.signature),
        }
    }
}

impl TryFrom<&ExportedCheckpoint> for Checkpoint {
    type Error = ImportError;

    fn try_from(x: &ExportedCheckpoint) -> Result<Checkpoint, ImportError> {
        let problem = |what: &str| ImportError { seq: x.seq, problem: format!("checkpoint {what} is not valid hex") };
        let hash: ChainHash =
            hex::decode(&x.hash).ok().and_then(|bytes| bytes.try_into().ok()).ok_or_else(|| problem("hash"))?;
        Ok(Checkpoint {
            seq: x.seq,
            hash,
            at: x.at,
            key_id: x.key_id.clone(),
            signature: hex::decode(&x.signature).map_err(|_| problem("signature"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditActor, AuditEvent};

    #[test]
    fn the_csv_header_names_every_field_in_order() {
        let actor = AuditActor { account: None, org: None, org_kind: None, role: None, authenticated_by: "cli".into() };
        let at = time::macros::datetime!(2026-01-01 0:00 UTC);
        let entry = AuditEntry::new(AuditEvent::Decision, actor, at, at, "r".into());
        let stored = StoredEntry { entry, prev_hash: vec![0; 32], hash: vec![1; 32] };
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(CsvEntry::from(&ExportedEntry::from(&stored))).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next().unwrap(), CsvEntry::HEADER.join(","));
    }
}
