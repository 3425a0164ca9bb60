//! `ketenpoort dev seed`: a synthetic region at the size of a real one, for the benchmarks of
//! search, verification, replay and memory. Development only: the BSNs are made up (they pass
//! the elfproef) and every entry says it came from `scenario:dev-seed`.
//!
//! The shape follows the Rijk van Nijmegen's published figures — 57,066 youths and 5,735 care
//! trajectories a year — scaled to `--youths`: about one youth in ten has a care provider
//! involved, more have a school, some a neighbourhood team, a few a youth-protection measure,
//! and some of the neighbourhood team's involvements come with a consent. The facts are
//! recorded first; the exchanges follow over the year before `now`, each decided by the active
//! policy on those facts and audited as a real one (an allowed signal is delivered), so a
//! replay of the active version finds no change.

use time::{Duration, OffsetDateTime};

use super::{Gateway, Mode, Occasion, Youth};
use crate::audit::AuditEvent;
use crate::framework::{
    self, Action, Consent, Consenter, ExchangeRequest, Involvement, Measure, OrgKind, Party, Purpose, Signal,
    YouthFacts, registration_expiry,
};
use crate::identity::{Authentication, Principal};
use crate::store::{Audited, DeliveredSignal, Effect, Organisation};
use crate::youth::{BirthDate, Bsn, Pseudonym, Pseudonymiser};

/// What to make.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub youths: u64,
    /// Audit entries in all (facts and exchanges): at least one per fact.
    pub entries: u64,
    pub now: OffsetDateTime,
    /// The same seed makes the same region.
    pub seed: u64,
}

/// What was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    pub youths: u64,
    pub facts: u64,
    pub exchanges: u64,
    pub allowed: u64,
}

/// Entries per transaction.
const PER_APPEND: usize = 10_000;

/// The `n`th made-up BSN: eight digits from `n` and the check digit of the elfproef (numbers
/// whose check digit would be 10 move on to the next).
pub fn synthetic_bsn(n: u64) -> Bsn {
    let mut candidate = 10_000_000 + n * 11;
    loop {
        let digits: Vec<u64> = format!("{:08}", candidate % 100_000_000).bytes().map(|b| u64::from(b - b'0')).collect();
        let sum: u64 = digits.iter().zip([9, 8, 7, 6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
        if sum % 11 < 10 {
            let text: String = digits.iter().chain([&(sum % 11)]).map(|d| char::from(b'0' + *d as u8)).collect();
            if let Ok(bsn) = text.parse() {
                return bsn;
            }
        }
        candidate += 1;
    }
}

/// A synthetic youth: who they are to the gateway and what is known about them.
struct SyntheticYouth {
    youth: Youth,
    facts: YouthFacts,
    /// The organisations involved (the ones that exchange about this youth).
    involved: Vec<Party>,
}

impl Gateway {
    /// Fills the store with a synthetic region; see the module documentation. The region's
    /// organisations must be registered (one of each kind at least). `progress` hears the
    /// entries written so far.
    pub async fn seed_synthetic(
        &self,
        keys: &Pseudonymiser,
        plan: &SeedPlan,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<Seeded, super::ExchangeError> {
        let orgs = self.store.orgs().await?;
        let of_kind = |kind: OrgKind| -> Vec<&Organisation> { orgs.iter().filter(|o| o.kind == kind).collect() };
        let (schools, teams, care, protection) = (
            of_kind(OrgKind::School),
            of_kind(OrgKind::NeighbourhoodTeam),
            of_kind(OrgKind::CareProvider),
            of_kind(OrgKind::CertifiedInstitution),
        );
        if schools.is_empty() || teams.is_empty() || care.is_empty() || protection.is_empty() {
            return Err(framework::InputError::InvalidRequest(
                "seeding needs a school, a neighbourhood team, a care provider and a certified institution registered"
                    .into(),
            )
            .into());
        }
        let mut rng = fastrand::Rng::with_seed(plan.seed);
        let mut seeded = Seeded::default();
        let mut written = 0u64;
        let facts_from = plan.now - Duration::days(400);
        let mut youths = Vec::with_capacity(plan.youths as usize);
        let mut work = Vec::with_capacity(PER_APPEND);

        // The youths and their facts.
        let born: Vec<(Pseudonym, BirthDate)> = (0..plan.youths)
            .map(|n| {
                let birth = BirthDate::new(plan.now.date() - Duration::days(rng.i64(0..18 * 365)));
                (keys.pseudonymise(&synthetic_bsn(n)), birth)
            })
            .collect();
        let mut enrolled = Vec::with_capacity(born.len());
        for chunk in born.chunks(PER_APPEND) {
            enrolled.extend(self.store.enrol_youths(chunk, facts_from).await?);
        }
        for ((id, pseudonym), (_, birth)) in enrolled.into_iter().zip(born) {
            let youth = Youth::new(id, pseudonym);
            let at = facts_from + Duration::minutes(rng.i64(0..60 * 24 * 30));
            let mut facts = YouthFacts {
                birth_date: birth,
                involvements: vec![],
                measures: vec![],
                consents: vec![],
                reports: vec![],
                died_at: None,
            };
            let mut involved = Vec::new();
            let mut involve = |org: &Organisation, work: &mut Vec<Audited>, facts: &mut YouthFacts| {
                let involvement = Involvement {
                    id: super::new_id(),
                    org: org.id.clone(),
                    registered_at: at,
                    expires_at: registration_expiry(at, birth),
                    withdrawn_at: None,
                    withdrawal: None,
                    historic_match_sent: false,
                };
                let keep_until = involvement.keep_until(birth, None);
                let mut entry =
                    self.entry(AuditEvent::InvolvementRecorded, &principal(org), Some(&youth), &occasion(at));
                entry.recipient_org = Some(org.id.0.clone());
                entry.subject = Some(involvement.id.clone());
                facts.involvements.push(involvement.clone());
                work.push(Audited {
                    entry,
                    effect: Some(Effect::RecordInvolvement { youth: id, involvement, keep_until }),
                });
                involved.push(Party { org: org.id.clone(), kind: org.kind });
            };
            if rng.u32(0..100) < 45 {
                involve(schools[rng.usize(0..schools.len())], &mut work, &mut facts);
            }
            if rng.u32(0..57_066) < 5_735 {
                involve(care[rng.usize(0..care.len())], &mut work, &mut facts);
            }
            let team = teams[rng.usize(0..teams.len())];
            if rng.u32(0..100) < 15 {
                involve(team, &mut work, &mut facts);
                if rng.bool() {
                    let consent = Consent {
                        id: super::new_id(),
                        given_by: if birth.age_at(at) >= 16 { Consenter::Youth } else { Consenter::Parent },
                        holder: team.id.clone(),
                        recipient_orgs: vec![],
                        recipient_kinds: vec![OrgKind::School, OrgKind::CareProvider],
                        signals: vec![Signal::HelpStarted, Signal::HelpOngoing, Signal::FeedbackRequest],
                        purposes: vec![Purpose::CareCoordination],
                        valid_from: at,
                        valid_until: Some(at + Duration::days(730)),
                        revoked_at: None,
                    };
                    let mut entry =
                        self.entry(AuditEvent::ConsentRecorded, &principal(team), Some(&youth), &occasion(at));
                    entry.consents = vec![consent.id.clone()];
                    entry.subject = Some(consent.id.clone());
                    facts.consents.push(consent.clone());
                    work.push(Audited { entry, effect: Some(Effect::RecordConsent { youth: id, consent }) });
                }
            }
            if rng.u32(0..1_000) < 15 {
                let gi = protection[rng.usize(0..protection.len())];
                let measure = Measure { id: super::new_id(), org: gi.id.clone(), from: at, until: None };
                let mut entry = self.entry(AuditEvent::MeasureRecorded, &principal(gi), Some(&youth), &occasion(at));
                entry.subject = Some(measure.id.clone());
                facts.measures.push(measure.clone());
                work.push(Audited { entry, effect: Some(Effect::RecordMeasure { youth: id, measure }) });
                involved.push(Party { org: gi.id.clone(), kind: gi.kind });
            }
            if work.len() >= PER_APPEND {
                written += self.append_seeded(&mut work, &mut seeded.facts).await?;
                progress(written);
            }
            youths.push(SyntheticYouth { youth, facts, involved });
        }
        written += self.append_seeded(&mut work, &mut seeded.facts).await?;
        seeded.youths = plan.youths;
        progress(written);

        // The exchanges, evenly over the year before `now`, between organisations involved.
        let with_partners: Vec<&SyntheticYouth> = youths.iter().filter(|y| y.involved.len() >= 2).collect();
        if with_partners.is_empty() {
            return Ok(seeded);
        }
        let policy = self.policy();
        let exchanges = plan.entries.saturating_sub(written);
        let step = Duration::days(365) / (exchanges.max(1) as f64);
        let first = plan.now - Duration::days(365);
        let asked: [(Signal, Purpose); 4] = [
            (Signal::HelpStarted, Purpose::CareCoordination),
            (Signal::HelpOngoing, Purpose::CareCoordination),
            (Signal::FeedbackRequest, Purpose::CareCoordination),
            (Signal::SchoolAbsence, Purpose::SchoolAttendance),
        ];
        for k in 0..exchanges {
            let youth = with_partners[rng.usize(0..with_partners.len())];
            let from = rng.usize(0..youth.involved.len());
            let to = (from + 1 + rng.usize(0..youth.involved.len() - 1)) % youth.involved.len();
            let (actor, recipient) = (&youth.involved[from], &youth.involved[to]);
            let (signal, purpose) = asked[rng.usize(0..asked.len())];
            let role = actor.kind.professional_roles()[0];
            let request = ExchangeRequest::new(
                actor.clone(),
                role,
                Action::Send,
                signal,
                Some(recipient.clone()),
                purpose,
                None,
            )?;
            let at = first + step * (k as f64);
            let occasion = occasion(at);
            let decision = framework::decide(&request, &youth.facts, &*policy, at)?;
            let by = Principal { role: Some(role), ..principal_of(actor) };
            let mut entry = self.decision_entry(&by, &youth.youth, &request, &decision, Mode::Deliver, &occasion);
            let effect = decision.is_allow().then(|| {
                let signal = DeliveredSignal {
                    id: super::new_id(),
                    youth: youth.youth.id,
                    from_org: actor.org.clone(),
                    from_account: None,
                    to_org: recipient.org.clone(),
                    signal,
                    purpose,
                    in_reply_to: None,
                    delivered_at: at,
                };
                entry.subject = Some(signal.id.clone());
                seeded.allowed += 1;
                Effect::Deliver(signal)
            });
            work.push(Audited { entry, effect });
            if work.len() >= PER_APPEND {
                written += self.append_seeded(&mut work, &mut seeded.exchanges).await?;
                progress(written);
            }
        }
        written += self.append_seeded(&mut work, &mut seeded.exchanges).await?;
        progress(written);
        Ok(seeded)
    }

    /// Appends `work` in one transaction and counts it.
    async fn append_seeded(&self, work: &mut Vec<Audited>, count: &mut u64) -> Result<u64, super::ExchangeError> {
        if work.is_empty() {
            return Ok(0);
        }
        let n = work.len() as u64;
        self.audit.append(std::mem::take(work), crate::clock::now()).await?;
        *count += n;
        Ok(n)
    }
}

fn principal_of(party: &Party) -> Principal {
    Principal {
        account: None,
        org: party.org.clone(),
        org_kind: party.kind,
        role: None,
        authenticated_by: Authentication::Scenario { file: "dev-seed".into() },
    }
}

fn principal(org: &Organisation) -> Principal {
    principal_of(&Party { org: org.id.clone(), kind: org.kind })
}

fn occasion(at: OffsetDateTime) -> Occasion {
    Occasion { request_id: super::new_id(), at }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_bsns_are_valid_and_distinct() {
        // Valid, since they parsed; the same digits make the same pseudonym.
        let keys = Pseudonymiser::from_secret([7; 32]);
        let bsns: std::collections::HashSet<String> =
            (0..10_000).map(|n| keys.pseudonymise(&synthetic_bsn(n)).value).collect();
        assert_eq!(bsns.len(), 10_000);
    }
}
