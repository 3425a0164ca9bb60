//! The steps of a scenario (`ketenpoort-scenarios/2`): ACTION-FRAMEWORK §8 played out in time
//! order through the [`Gateway`], as partner systems and the retention run would, and each
//! step held to what it expects: the decision and notices of a registration, the counts of a
//! retention run, whether a youth is still known.
//!
//! A scenario's youths are looked up by their BSN's pseudonym at every step, as a partner's
//! call would: a youth destroyed by a retention run is enrolled anew by the next registration,
//! with nothing of before.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::format::{NoticeSpec, Scenario, Step, StepAction, THE_YOUTH};
use super::{Came, Expected, ScenarioError};
use crate::exchange::{ExchangeError, Gateway, Mode, Occasion, Youth};
use crate::framework::{
    Action, ExchangeRequest, InputError, NoticeKind, OrgId, OrgKind, Party, Purpose, Role, Signal, WithdrawalReason,
};
use crate::identity::{Authentication, Principal};
use crate::store::{InboxItem, Organisation, RetentionCounts, StoreError, YouthId};
use crate::youth::{BirthDate, Bsn, Pseudonym, Pseudonymiser};

/// A gateway on a database of its own, in memory, under `like`'s policy, knowing `orgs`.
pub(super) async fn own_gateway(like: &Gateway, orgs: &[Organisation]) -> Result<Gateway, String> {
    let store: Arc<dyn crate::store::Store> =
        Arc::from(crate::store::open("sqlite::memory:").await.map_err(|e| e.to_string())?);
    let signer = crate::keys::ephemeral().map_err(|e| e.to_string())?.signer;
    let audit = crate::audit::AuditLog::new(store.clone(), signer, 1_000);
    let gateway = Gateway::new(store, audit, like.policy());
    for org in orgs {
        gateway.register_org(org).await.map_err(|e| e.to_string())?;
    }
    Ok(gateway)
}

/// §8, destruction: "`audit verify` still says intact". `None` when it does.
pub(super) async fn broken_log(gateway: &Gateway) -> Result<Option<String>, StoreError> {
    gateway.audit().checkpoint(crate::clock::now()).await?;
    Ok(match crate::audit::verify(gateway.store(), &gateway.audit().verifier()).await? {
        Ok(_) => None,
        Err(broken) => Some(format!("expected the audit log intact after the steps, got {broken}")),
    })
}

/// A step in words, for a failure line: `register of sister by lyceum-noord at …`.
pub(super) fn describe(step: &Step) -> String {
    let mut words = step.action.word().to_owned();
    if let StepAction::Retention(spec) = &step.action
        && spec.dry_run
    {
        words.push_str(" (dry run)");
    }
    if let Some(youth) = step.action.youth()
        && youth != THE_YOUTH
    {
        words.push_str(&format!(" of {youth}"));
    }
    if let Some(org) = step.action.org() {
        words.push_str(&format!(" by {org}"));
    }
    format!("{words} at {}", time_words(step.at))
}

fn time_words(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// One youth of the scenario.
struct Person {
    name: String,
    pseudonym: Pseudonym,
    birth_date: BirthDate,
}

/// A scenario's world: its youths, its organisations, and what its notices were so far.
pub(super) struct World<'a> {
    gateway: &'a Gateway,
    keys: &'a Pseudonymiser,
    orgs: &'a HashMap<String, OrgKind>,
    file: &'a str,
    people: Vec<Person>,
    /// The store's ids of the youths as last looked up (a youth enrolled anew gets another).
    names: HashMap<YouthId, String>,
    /// Per organisation, the inbox seen up to this sequence number.
    read_up_to: HashMap<OrgId, u64>,
}

/// A notice as delivered.
#[derive(Debug)]
struct Delivered {
    kind: NoticeKind,
    to: OrgId,
    names: OrgId,
    about: String,
}

impl fmt::Display for Delivered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {} naming {} about {}", self.kind, self.to, self.names, self.about)
    }
}

struct Wanted<'a>(&'a NoticeSpec);

impl fmt::Display for Wanted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {} naming {}", self.0.kind, self.0.to, self.0.names)?;
        if let Some(about) = &self.0.about {
            write!(f, " about {about}")?;
        }
        Ok(())
    }
}

impl<'a> World<'a> {
    pub(super) fn new(
        scenario: &Scenario,
        bsn: Bsn,
        keys: &'a Pseudonymiser,
        orgs: &'a HashMap<String, OrgKind>,
        gateway: &'a Gateway,
        file: &'a str,
    ) -> Result<World<'a>, ScenarioError> {
        let mut people = vec![Person {
            name: THE_YOUTH.to_owned(),
            pseudonym: keys.pseudonymise(&bsn),
            birth_date: scenario.youth.birth_date,
        }];
        for sibling in &scenario.siblings {
            let bsn: Bsn =
                sibling.bsn.parse().map_err(|e| ScenarioError::Facts(format!("sibling `{}`: {e}", sibling.id)))?;
            people.push(Person {
                name: sibling.id.clone(),
                pseudonym: keys.pseudonymise(&bsn),
                birth_date: sibling.birth_date,
            });
        }
        let (names, read_up_to) = (HashMap::new(), HashMap::new());
        Ok(World { gateway, keys, orgs, file, people, names, read_up_to })
    }

    pub(super) fn gateway(&self) -> &'a Gateway {
        self.gateway
    }

    fn person(&self, name: &str) -> Result<&Person, ScenarioError> {
        self.people
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| ScenarioError::Facts(format!("`{name}` is no youth of this scenario")))
    }

    /// The youth `name` as the gateway finds them at `at` by their BSN, enrolled if unknown.
    pub(super) async fn youth(&mut self, name: &str, at: OffsetDateTime) -> Result<Youth, ScenarioError> {
        let person = self.person(name)?;
        let youth = self.gateway.youth(std::slice::from_ref(&person.pseudonym), person.birth_date, at).await?;
        self.names.insert(youth.id, name.to_owned());
        Ok(youth)
    }

    /// Whether the gateway knows the youth `name` by their BSN, without enrolling them.
    async fn is_known(&self, name: &str) -> Result<bool, ScenarioError> {
        let person = self.person(name)?;
        Ok(self.gateway.known_youth(std::slice::from_ref(&person.pseudonym)).await?.is_some())
    }

    fn kind(&self, id: &str) -> Result<OrgKind, ScenarioError> {
        self.orgs.get(id).copied().ok_or_else(|| {
            ScenarioError::Facts(format!("the facts name organisation `{id}`, which `orgs` does not define"))
        })
    }

    /// The organisation `party` as it acts in the scenario, with `role` when a professional acts.
    pub(super) fn principal(&self, party: &Party, role: Option<Role>) -> Principal {
        Principal {
            account: None,
            org: party.org.clone(),
            org_kind: party.kind,
            role,
            authenticated_by: Authentication::Scenario { file: self.file.to_owned() },
        }
    }

    /// The organisation that holds a fact, recording it.
    pub(super) fn holder(&self, id: &str) -> Result<Principal, ScenarioError> {
        let party = Party { org: OrgId(id.to_owned()), kind: self.kind(id)? };
        Ok(self.principal(&party, None))
    }

    /// An organisation the file defines.
    pub(super) fn known(&self, id: &str) -> Result<OrgId, ScenarioError> {
        self.kind(id).map(|_| OrgId(id.to_owned()))
    }

    /// Runs `step` and holds it to its expectation: `None` when it holds.
    pub(super) async fn run_step(&mut self, step: &Step) -> Result<Option<String>, ScenarioError> {
        let at = step.at;
        let occasion = Occasion::at(at);
        let mut destroyed = None;
        let came = match &step.action {
            StepAction::Register(spec) => {
                let youth = self.youth(spec.youth.as_deref().unwrap_or(THE_YOUTH), at).await?;
                let kind = self.kind(&spec.org)?;
                let actor = Party { org: OrgId(spec.org.clone()), kind };
                let asked = (|| {
                    let role: Role = spec.role.parse().map_err(|_| InputError::invalid_role(&spec.role, kind))?;
                    let purpose: Purpose = spec.purpose.parse()?;
                    let request =
                        ExchangeRequest::new(actor, role, Action::Register, Signal::Involvement, None, purpose, None)?;
                    let parents = spec
                        .parents
                        .iter()
                        .map(|bsn| {
                            let bsn: Bsn = bsn.parse().map_err(|e: crate::youth::BsnError| {
                                InputError::InvalidBsn(format!("a parent's BSN: {e}"))
                            })?;
                            Ok(self.keys.pseudonymise_all(&bsn))
                        })
                        .collect::<Result<Vec<_>, InputError>>()?;
                    Ok::<_, InputError>((request, parents))
                })();
                match asked {
                    Err(error) => Came::error(&error),
                    Ok((request, parents)) => {
                        let principal = self.principal(&request.actor, Some(request.role));
                        let done = self
                            .gateway
                            .exchange_naming(&principal, &youth, &request, Mode::Deliver, None, &parents, &occasion)
                            .await;
                        match done {
                            Ok(exchanged) => Came::Decision(exchanged.decision),
                            Err(ExchangeError::Input(error)) => Came::error(&error),
                            Err(error @ ExchangeError::AlreadyInvolved(_)) => refused("already_involved", &error),
                            Err(error @ ExchangeError::Parents(_)) => refused("invalid_parents", &error),
                            Err(error) => return Err(ScenarioError::Gateway(error)),
                        }
                    }
                }
            }
            StepAction::Withdraw(spec) => {
                let youth = self.youth(spec.youth.as_deref().unwrap_or(THE_YOUTH), at).await?;
                let by = self.holder(&spec.org)?;
                let facts = self.gateway.store().youth_facts(youth.id).await?;
                let running = facts.involvements.iter().find(|i| i.org == by.org && i.is_active_at(at));
                match running {
                    None => refused("not_involved", &format!("`{}` has no involvement running at that time", by.org)),
                    Some(involvement) => {
                        let reason = spec.reason.unwrap_or(WithdrawalReason::RiskGone);
                        let id = involvement.id.clone();
                        match self.gateway.withdraw_involvement(&by, &youth, &id, reason, &occasion).await {
                            Ok(_) => Came::Done,
                            Err(error @ StoreError::NotFound(_)) => refused("not_involved", &error),
                            Err(error) => return Err(error.into()),
                        }
                    }
                }
            }
            StepAction::Death(spec) => {
                let youth = self.youth(spec.youth.as_deref().unwrap_or(THE_YOUTH), at).await?;
                let by = self.holder(&spec.by)?;
                match self.gateway.record_death(&by, &youth, &occasion).await {
                    Ok(_) => Came::Done,
                    Err(error @ ExchangeError::NoRelationship) => refused("no_relationship", &error),
                    Err(error) => return Err(ScenarioError::Gateway(error)),
                }
            }
            StepAction::Retention(spec) => {
                let report = self.gateway.run_retention(at, spec.dry_run).await.map_err(ScenarioError::Gateway)?;
                destroyed = Some(report.destroyed);
                Came::Done
            }
        };
        let notices = self.delivered().await?;
        let expect = &step.expect;

        let met = match (&expect.outcome, &came) {
            (Some(wanted), came) => came.meets(wanted),
            (None, Came::Decision(decision)) => decision.is_allow(),
            (None, Came::Done) => true,
            (None, Came::Error { .. }) => false,
        };
        if !met {
            let wanted = match (&expect.outcome, &step.action) {
                (Some(wanted), _) => Expected(wanted).to_string(),
                (None, StepAction::Register(_)) => "allow".to_owned(),
                (None, _) => "done".to_owned(),
            };
            return Ok(Some(format!("expected {wanted}, got {came}")));
        }
        if let Some(wanted) = &expect.notices
            && !same_notices(wanted, &notices)
        {
            let mut wanted: Vec<String> = wanted.iter().map(|n| Wanted(n).to_string()).collect();
            let mut got: Vec<String> = notices.iter().map(ToString::to_string).collect();
            wanted.sort();
            got.sort();
            return Ok(Some(format!("expected notices [{}], got notices [{}]", wanted.join("; "), got.join("; "))));
        }
        if let (Some(wanted), Some(got)) = (&expect.destroyed, &destroyed) {
            let checked = [
                ("involvements", wanted.involvements, got.involvements),
                ("youths", wanted.youths, got.youths),
                ("consents", wanted.consents, got.consents),
                ("measures", wanted.measures, got.measures),
                ("signals", wanted.signals, got.signals),
                ("notices", wanted.notices, got.notices),
                ("reports", wanted.reports, got.reports),
                ("parents", wanted.parents, got.parents),
            ];
            if checked.iter().any(|(_, wanted, got)| wanted.is_some_and(|w| w != *got)) {
                let wanted: Vec<String> =
                    checked.iter().filter_map(|(what, wanted, _)| wanted.map(|w| format!("{what} {w}"))).collect();
                return Ok(Some(format!("expected destroyed {}, got destroyed {}", wanted.join(", "), counts(got))));
            }
        }
        for (name, wanted) in &expect.known {
            let known = self.is_known(name).await?;
            if known != *wanted {
                let said = |known: bool| if known { "known" } else { "unknown" };
                return Ok(Some(format!("expected {name} {}, got {name} {}", said(*wanted), said(known))));
            }
        }
        Ok(None)
    }

    /// The notices delivered since the last look, to any organisation.
    async fn delivered(&mut self) -> Result<Vec<Delivered>, ScenarioError> {
        let mut found = Vec::new();
        let mut orgs: Vec<&String> = self.orgs.keys().collect();
        orgs.sort();
        for id in orgs {
            let org = OrgId(id.clone());
            loop {
                let after = self.read_up_to.get(&org).copied().unwrap_or(0);
                let items = self.gateway.store().inbox(&org, after, 100).await?;
                let Some(last) = items.last().map(InboxItem::seq).filter(|last| *last > after) else { break };
                for item in items {
                    if let InboxItem::MatchNotice { notice, .. } = item {
                        let about = self.names.get(&notice.youth).cloned().unwrap_or_else(|| "?".to_owned());
                        found.push(Delivered { kind: notice.kind, to: notice.to_org, names: notice.other_org, about });
                    }
                }
                self.read_up_to.insert(org.clone(), last);
            }
        }
        Ok(found)
    }
}

fn refused(code: &str, why: &dyn fmt::Display) -> Came {
    Came::Error { code: code.to_owned(), message: why.to_string() }
}

/// Exactly the notices wanted, each delivered once; `about` is checked where it is given.
fn same_notices(wanted: &[NoticeSpec], delivered: &[Delivered]) -> bool {
    if wanted.len() != delivered.len() {
        return false;
    }
    let mut left: Vec<&Delivered> = delivered.iter().collect();
    let mut wanted: Vec<&NoticeSpec> = wanted.iter().collect();
    // The most particular first, so that a looser one does not take its notice.
    wanted.sort_by_key(|n| n.about.is_none());
    for w in wanted {
        let fits = |d: &&Delivered| {
            d.kind == w.kind && d.to.0 == w.to && d.names.0 == w.names && w.about.as_ref().is_none_or(|a| *a == d.about)
        };
        match left.iter().position(fits) {
            Some(i) => {
                left.remove(i);
            }
            None => return false,
        }
    }
    true
}

fn counts(c: &RetentionCounts) -> String {
    format!(
        "involvements {}, youths {}, consents {}, measures {}, signals {}, notices {}, reports {}, parents {}",
        c.involvements, c.youths, c.consents, c.measures, c.signals, c.notices, c.reports, c.parents
    )
}
