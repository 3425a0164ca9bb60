//! ACTION-FRAMEWORK §8, destruction: what the law says Ketenpoort must forget, it forgets.
//!
//! A run destroys, at its time T: every involvement kept until T or before (its end, or the end
//! of its archive), and then every youth with nothing left to keep (no involvement, every
//! consent and measure ended, or the youth 23 or dead) with all that is left about them: their
//! consents, measures, reports, signals, notices, case lead, parents, the link from their BSN's
//! pseudonym and their birth date. Each destruction is an audit entry in the same transaction,
//! naming the involvement's id or the youth's random reference and nothing personal; the
//! entries about the youth stay in the chain, which still verifies, but nothing links them to a
//! BSN any more.
//!
//! Destruction runs through the audit log's appends, one unit per thing destroyed: serialised
//! with every exchange, so a consent recorded while the run looks is either seen by it or keeps
//! the youth (the unit checks again and leaves no trace). A youth's delivered signals, the bulk
//! of what a region holds, are not in their unit: the unit makes them unreachable (every read
//! of a signal joins its youth), and a purge deletes them after, in the table's order. Deleted
//! youth by youth they lay scattered over the whole table, and a run eight years on rewrote
//! most of its pages for every commit (339 s over the benchmark region).

use time::{Duration, OffsetDateTime};

use super::{ExchangeError, Gateway};
use crate::audit::{AuditActor, AuditEntry, AuditEvent};
use crate::clock;
use crate::store::{Audited, Effect, RetentionCounts, YouthId};

/// A youth enrolled less than this ago is never destroyed: their registration may be on its
/// way (enrolment and registration are two steps).
const ENROLMENT_GRACE: Duration = Duration::DAY;

/// How many things a run destroys per page (and so per group of commits).
const PAGE: u32 = 500;

/// What a retention run destroyed, or would destroy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub at: Option<OffsetDateTime>,
    pub dry_run: bool,
    /// Youths from before retention was kept whose 23rd birthday and involvements' ends were
    /// worked out first (bookkeeping: no fact changes).
    pub planned: u64,
    /// By kind: what was destroyed (or, in a dry run, what would be).
    pub destroyed: RetentionCounts,
    /// Things found due that were no longer due when their turn came (a consent came in
    /// between): kept, as they must be.
    pub kept_after_all: u64,
}

/// The day a retention run inside `serve` belongs to (UTC): one run per day among instances.
pub fn retention_day(at: OffsetDateTime) -> String {
    let date = at.date();
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

impl Gateway {
    /// Runs retention at `at`; with `dry_run`, only counts what it would destroy.
    pub async fn run_retention(&self, at: OffsetDateTime, dry_run: bool) -> Result<RetentionReport, ExchangeError> {
        let mut report = RetentionReport { at: Some(at), dry_run, ..RetentionReport::default() };
        report.planned = self.plan_retention().await?;
        let enrolled_before = at - ENROLMENT_GRACE;
        let preview = self.store.retention_preview(at, enrolled_before).await?;
        if dry_run {
            report.destroyed = preview;
            return Ok(report);
        }

        // The involvements whose time is up, whether or not their youth stays.
        let started = std::time::Instant::now();
        loop {
            let due = self.store.due_involvements(at, PAGE).await?;
            if due.is_empty() {
                break;
            }
            let units = due.into_iter().map(|(id, youth, org)| {
                let mut entry = destruction_entry(AuditEvent::InvolvementDestroyed, at);
                entry.youth = named_in_destruction(youth);
                entry.recipient_org = Some(org.0);
                entry.subject = Some(id.clone());
                vec![Audited { entry, effect: Some(Effect::DestroyInvolvement { id, due: at }) }]
            });
            let (done, kept) = self.append_all(units).await?;
            report.destroyed.involvements += done;
            report.kept_after_all += kept;
            if done == 0 {
                break;
            }
        }

        let involvements_took = started.elapsed();
        // Then the youths with nothing left to keep, by id: one found due but kept after all
        // is not offered again in this run.
        let mut after = YouthId(0);
        loop {
            let due = self.store.destroyable_youths(at, enrolled_before, after, PAGE).await?;
            let Some((last, _)) = due.last() else { break };
            after = *last;
            let units = due.into_iter().map(|(youth, reference)| {
                let mut entry = destruction_entry(AuditEvent::YouthDestroyed, at);
                entry.youth = named_in_destruction(reference);
                vec![Audited { entry, effect: Some(Effect::DestroyYouth { youth, at, enrolled_before }) }]
            });
            let (done, kept) = self.append_all(units).await?;
            report.destroyed.youths += done;
            report.kept_after_all += kept;
        }
        let youths_took = started.elapsed() - involvements_took;
        // Their signals, which nothing reaches since, and any a run cut short left behind.
        report.destroyed.signals = self.store.purge_destroyed_signals().await?;
        let purge_took = started.elapsed() - involvements_took - youths_took;
        // What else went with the youths, as counted before: the youths' units destroy it all.
        let RetentionCounts { consents, measures, notices, reports, parents, .. } = preview;
        report.destroyed = RetentionCounts { consents, measures, notices, reports, parents, ..report.destroyed };
        let destroyed = report.destroyed.involvements + report.destroyed.youths;
        metrics::counter!("ketenpoort_retention_destroyed_total").increment(destroyed);
        tracing::info!(
            involvements = report.destroyed.involvements,
            youths = report.destroyed.youths,
            signals = report.destroyed.signals,
            kept_after_all = report.kept_after_all,
            involvements_ms = involvements_took.as_millis(),
            youths_ms = youths_took.as_millis(),
            purge_ms = purge_took.as_millis(),
            "retention run"
        );
        Ok(report)
    }

    /// Works out, for youths and involvements kept from before retention, the 23rd birthday
    /// and until when each involvement is kept; returns how many youths.
    async fn plan_retention(&self) -> Result<u64, ExchangeError> {
        let mut planned = 0;
        let mut previous: Vec<YouthId> = Vec::new();
        loop {
            let youths = self.store.unplanned_youths(PAGE).await?;
            if youths.is_empty() || youths == previous {
                return Ok(planned);
            }
            for youth in &youths {
                let facts = self.store.youth_facts(*youth).await?;
                let kept: Vec<(String, OffsetDateTime)> = facts
                    .involvements
                    .iter()
                    .map(|i| (i.id.clone(), i.keep_until(facts.birth_date, facts.died_at)))
                    .collect();
                self.store.plan_retention(*youth, facts.birth_date.ages_out_at(), &kept).await?;
                planned += 1;
            }
            previous = youths;
        }
    }

    /// Appends every unit (grouped into shared commits); how many took effect and how many were
    /// refused because what they would destroy is no longer due.
    async fn append_all(&self, units: impl Iterator<Item = Vec<Audited>>) -> Result<(u64, u64), ExchangeError> {
        let appends = units.map(|unit| self.audit.append(unit, clock::now()));
        let (mut done, mut kept) = (0, 0);
        for outcome in futures_util::future::join_all(appends).await {
            match outcome {
                Ok(_) => done += 1,
                Err(crate::store::StoreError::Conflict(_) | crate::store::StoreError::NotFound(_)) => kept += 1,
                Err(error) => return Err(error.into()),
            }
        }
        Ok((done, kept))
    }
}

/// How a destruction's entry names the youth: by their random reference, which nothing will
/// link to a BSN once it is done; a youth from before references (named by their BSN's
/// pseudonym) not at all, so that the destruction adds no entry their BSN finds.
fn named_in_destruction(youth: crate::youth::Pseudonym) -> Option<crate::youth::Pseudonym> {
    youth.is_reference().then_some(youth)
}

/// An entry of a destruction by the retention run itself: no person, no organisation acted.
fn destruction_entry(event: AuditEvent, at: OffsetDateTime) -> AuditEntry {
    let actor =
        AuditActor { account: None, org: None, org_kind: None, role: None, authenticated_by: "retention".into() };
    let mut entry = AuditEntry::new(event, actor, at, clock::now(), uuid::Uuid::new_v4().to_string());
    entry.decision = Some(crate::framework::Outcome::Allow);
    entry
}
