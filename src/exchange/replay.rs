//! Replay: re-decide every audited exchange decision since a date under another policy version,
//! on the facts as they were known at the time, and report what would have changed.
//!
//! The log is read a page at a time and only tallies are kept (groups are bounded by the rule
//! table and the vocabulary), so memory stays flat however long the log is.

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;

use super::Gateway;
use crate::framework::{ExchangeRequest, OrgId, OrgKind, Outcome, Party, Purpose, RuleBook, Signal, decide};
use crate::store::{FactHistory, PastDecision, StoreError};
use crate::youth::Pseudonym;

/// Decisions read from the log per page.
const PAGE: u32 = 1_000;

/// Youths whose facts a replay keeps at most: a region's youths, some hundred bytes each.
const REMEMBERED_YOUTHS: usize = 200_000;
/// Examples kept per group of changes.
const SAMPLES: usize = 3;

/// Which way a decision would turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Turn {
    AllowToDeny,
    DenyToAllow,
}

impl Turn {
    pub fn as_str(self) -> &'static str {
        match self {
            Turn::AllowToDeny => "allow → deny",
            Turn::DenyToAllow => "deny → allow",
        }
    }
}

/// One decision that would turn, shown by pseudonym only.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChangedDecision {
    /// The audit entry of the original decision.
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The start of the youth's pseudonym: enough to find the case, not the child.
    pub youth: String,
    pub from_org: String,
    pub to_org: Option<String>,
    pub signal: Signal,
    pub purpose: Purpose,
}

/// The decisions that would turn the same way, for the same rules and kind of organisation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChangeGroup {
    pub turn: Turn,
    /// For allow → deny the rules that allowed; for deny → allow the draft's rules that would.
    pub rules: Vec<String>,
    /// The kind of the organisation that asked.
    pub org_kind: OrgKind,
    pub count: u64,
    pub samples: Vec<ChangedDecision>,
}

/// What a replay found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReplayReport {
    /// The version replayed.
    pub version: String,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Decisions re-decided.
    pub replayed: u64,
    pub allow_to_deny: u64,
    pub deny_to_allow: u64,
    /// Decisions that could not be re-decided (an entry without its request, a youth unknown).
    pub not_replayable: u64,
    /// Decisions about a youth whose data were destroyed (§8): gone, so not re-decided.
    pub facts_destroyed: u64,
    /// Largest groups first.
    pub changes: Vec<ChangeGroup>,
}

impl ReplayReport {
    pub fn changed(&self) -> u64 {
        self.allow_to_deny + self.deny_to_allow
    }
}

type GroupKey = (Turn, Vec<String>, OrgKind);

impl Gateway {
    /// Re-decides every exchange decision audited at or after `since` under `policy`.
    pub async fn replay(
        &self,
        policy: &(dyn RuleBook + Sync),
        since: OffsetDateTime,
    ) -> Result<ReplayReport, StoreError> {
        let kinds: HashMap<OrgId, OrgKind> =
            self.store.orgs().await?.into_iter().map(|org| (org.id, org.kind)).collect();
        let mut report = ReplayReport {
            version: policy.version().to_owned(),
            since,
            replayed: 0,
            allow_to_deny: 0,
            deny_to_allow: 0,
            not_replayable: 0,
            facts_destroyed: 0,
            changes: Vec::new(),
        };
        let mut groups: BTreeMap<GroupKey, (u64, Vec<ChangedDecision>)> = BTreeMap::new();
        // The next page is read while this one is decided.
        let read = |after: u64| {
            let store = self.store.clone();
            tokio::spawn(async move { store.decisions_page(after, since, PAGE).await })
        };
        let mut next = read(0);
        // Each youth's facts are read once (`None`: not known), in one read for a page's new
        // youths, and remembered up to a bound.
        let mut histories: HashMap<Pseudonym, Option<FactHistory>> = HashMap::new();
        loop {
            let page = next.await.map_err(|e| StoreError::Database(Box::new(e)))??;
            let Some(last) = page.last() else { break };
            next = read(last.seq);
            let mut youths: Vec<&Pseudonym> = page.iter().filter_map(|entry| entry.youth.as_ref()).collect();
            youths.sort_unstable_by(|a, b| (&a.key_id, &a.value).cmp(&(&b.key_id, &b.value)));
            youths.dedup();
            if histories.len() + youths.len() > REMEMBERED_YOUTHS {
                histories.clear();
            }
            let unread: Vec<Pseudonym> =
                youths.into_iter().filter(|youth| !histories.contains_key(*youth)).cloned().collect();
            histories.extend(unread.iter().map(|youth| (youth.clone(), None)));
            for (youth, history) in self.store.fact_histories(&unread).await? {
                histories.insert(youth, Some(history));
            }
            for entry in &page {
                let Some(youth) = &entry.youth else {
                    report.not_replayable += 1;
                    continue;
                };
                // Every decision's youth was enrolled: one no longer known was destroyed.
                if let Some(None) = histories.get(youth) {
                    report.facts_destroyed += 1;
                    continue;
                }
                let (Some(Some(history)), Some(request), Some(was)) =
                    (histories.get(youth), request_of(entry, &kinds), entry.decision)
                else {
                    report.not_replayable += 1;
                    continue;
                };
                let Ok(now) = decide(&request, &history.known_before(entry.seq), policy, entry.at) else {
                    report.not_replayable += 1;
                    continue;
                };
                report.replayed += 1;
                let (turn, rules) = match (was, now.decision) {
                    (Outcome::Allow, Outcome::Deny) => (Turn::AllowToDeny, entry.matched_rules.clone()),
                    (Outcome::Deny, Outcome::Allow) => (Turn::DenyToAllow, now.matched_rules),
                    _ => continue,
                };
                match turn {
                    Turn::AllowToDeny => report.allow_to_deny += 1,
                    Turn::DenyToAllow => report.deny_to_allow += 1,
                }
                let group = groups.entry((turn, rules, request.actor.kind)).or_default();
                group.0 += 1;
                if group.1.len() < SAMPLES {
                    group.1.push(ChangedDecision {
                        seq: entry.seq,
                        at: entry.at,
                        youth: youth.value.chars().take(12).collect(),
                        from_org: request.actor.org.0.clone(),
                        to_org: request.recipient.as_ref().map(|r| r.org.0.clone()),
                        signal: request.signal,
                        purpose: request.purpose,
                    });
                }
            }
        }
        report.changes = groups
            .into_iter()
            .map(|((turn, rules, org_kind), (count, samples))| ChangeGroup { turn, rules, org_kind, count, samples })
            .collect();
        report.changes.sort_by(|a, b| b.count.cmp(&a.count).then(a.turn.cmp(&b.turn)));
        Ok(report)
    }
}

/// The request an audited decision answered, as far as the entry holds it.
fn request_of(entry: &PastDecision, kinds: &HashMap<OrgId, OrgKind>) -> Option<ExchangeRequest> {
    let actor = Party { org: entry.actor_org.clone()?, kind: entry.actor_org_kind? };
    let recipient = match &entry.recipient_org {
        Some(org) => Some(Party { kind: *kinds.get(org)?, org: org.clone() }),
        None => None,
    };
    ExchangeRequest::new(
        actor,
        entry.actor_role?,
        entry.action?,
        entry.signal?,
        recipient,
        entry.purpose?,
        entry.justification.clone(),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{DEFAULT_MODEL, DEFAULT_RULES, Policy};

    /// A gateway on an in-memory database whose log holds the public scenarios as real exchanges.
    async fn history() -> Gateway {
        let store: std::sync::Arc<dyn crate::store::Store> =
            std::sync::Arc::from(crate::store::open("sqlite::memory:").await.unwrap());
        let keys = crate::keys::ephemeral().unwrap();
        let audit = crate::audit::AuditLog::new(store.clone(), keys.signer.clone(), 1_000);
        let policy = Policy::load(DEFAULT_MODEL, DEFAULT_RULES).await.unwrap();
        let gateway = Gateway::new(store, audit, std::sync::Arc::new(policy));
        let (name, text) = crate::scenarios::BUILT_IN[0];
        let tally = crate::scenarios::deliver_text(name, text, &gateway, &keys.pseudonymiser).await.unwrap();
        assert!(tally.failures.is_empty(), "{:?}", tally.failures);
        gateway
    }

    #[tokio::test]
    async fn the_active_version_replayed_against_itself_changes_nothing() {
        let gateway = history().await;
        let report = gateway.replay(&*gateway.policy(), OffsetDateTime::UNIX_EPOCH).await.unwrap();
        assert!(report.replayed >= 30, "{report:?}");
        assert_eq!(report.changed(), 0, "{report:?}");
        assert_eq!(report.not_replayable, 0);
        assert!(report.changes.is_empty());
    }

    #[tokio::test]
    async fn a_draft_without_r3_turns_the_help_started_exchanges_to_deny_grouped_by_rule_and_org_kind() {
        let gateway = history().await;
        let without_r3: String =
            DEFAULT_RULES.lines().filter(|line| !line.starts_with("p, R3,")).map(|line| format!("{line}\n")).collect();
        let draft = Policy::load(DEFAULT_MODEL, &without_r3).await.unwrap();
        let report = gateway.replay(&draft, OffsetDateTime::UNIX_EPOCH).await.unwrap();
        assert!(report.allow_to_deny > 0, "{report:?}");
        assert_eq!(report.deny_to_allow, 0);
        for group in &report.changes {
            assert_eq!(group.turn, Turn::AllowToDeny);
            assert_eq!(group.rules, ["R3"]);
            assert!(!group.samples.is_empty() && group.samples.len() <= SAMPLES);
            for sample in &group.samples {
                assert_eq!(sample.youth.len(), 12, "a pseudonym's start, never more");
                assert!(matches!(sample.signal, Signal::HelpStarted | Signal::HelpOngoing | Signal::HelpEnded));
            }
        }
        assert_eq!(report.changes.iter().map(|g| g.count).sum::<u64>(), report.allow_to_deny);
    }

    #[tokio::test]
    async fn a_replay_since_a_later_date_re_decides_nothing_before_it() {
        let gateway = history().await;
        let all = gateway.replay(&*gateway.policy(), OffsetDateTime::UNIX_EPOCH).await.unwrap();
        let later = gateway.replay(&*gateway.policy(), time::macros::datetime!(2100-01-01 0:00 UTC)).await.unwrap();
        assert!(all.replayed > 0);
        assert_eq!(later.replayed, 0);
    }
}
