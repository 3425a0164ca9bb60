//! ACTION-FRAMEWORK §8, the life of a registration, through the library with the time as a
//! parameter: the years an archive lasts, the 23rd birthday and the death that end it, the one
//! historic match; destruction at the right moment (also by `ketenpoort dev retention-at` and
//! `retention run`), what keeps a youth, one run a day among instances, and a database from
//! before retention that migrates and is then destroyed in time.

use std::collections::BTreeMap;
use std::path::Path;

use ketenpoort::audit::{AuditActor, AuditEntry, AuditEvent, AuditQuery, AuditScope, ChainHash, Order};
use ketenpoort::exchange::{Exchanged, Occasion, RetentionReport};
use ketenpoort::framework::{
    Action, Consent, Consenter, ExchangeRequest, Measure, NoticeKind, OrgId, OrgKind, Party, Purpose, Signal,
    WithdrawalReason,
};
use ketenpoort::store::{
    Audited, DeliveredSignal, Effect, FactKind, InboxItem, MatchNotice, RetentionCounts, SqlStore, Store, StoreError,
};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::helpers::database::{self, made_up_bsn};
use crate::helpers::{World, professional};

/// When the stories begin.
const T0: OffsetDateTime = datetime!(2026-01-10 8:00 UTC);

fn days(n: i64) -> time::Duration {
    time::Duration::days(n)
}

/// `at`, whole calendar years later.
fn years(at: OffsetDateTime, n: i32) -> OffsetDateTime {
    at.replace_year(at.year() + n).unwrap()
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap()
}

impl World {
    async fn retention(&self, at: OffsetDateTime) -> RetentionReport {
        self.gateway.run_retention(at, false).await.unwrap()
    }

    /// The notices of `kind` delivered to `org`, oldest first.
    async fn notices(&self, org: &str, kind: NoticeKind) -> Vec<MatchNotice> {
        let inbox = self.store.inbox(&OrgId(org.into()), 0, 10_000).await.unwrap();
        inbox
            .into_iter()
            .filter_map(|item| match item {
                InboxItem::MatchNotice { notice, .. } if notice.kind == kind => Some(notice),
                _ => None,
            })
            .collect()
    }

    /// `org` withdraws its involvement `id` with the youth of `bsn` at `at`.
    async fn withdraw(&self, org: &str, bsn: &str, id: &str, reason: WithdrawalReason, at: OffsetDateTime) {
        let youth = self.known(bsn).await.unwrap();
        self.gateway.withdraw_involvement(&professional(org), &youth, id, reason, &Occasion::at(at)).await.unwrap();
    }

    /// `from` sends `signal` about the youth of `bsn` to `to` at `at`.
    async fn send(&self, from: &str, bsn: &str, signal: Signal, to: &str, at: OffsetDateTime) -> Exchanged {
        let who = professional(from);
        let recipient = self.store.org(&OrgId(to.into())).await.unwrap().unwrap();
        let to = Party { org: recipient.id, kind: recipient.kind };
        let request = ExchangeRequest::new(
            who.party(),
            who.role.unwrap(),
            Action::Send,
            signal,
            Some(to),
            Purpose::CareCoordination,
            None,
        )
        .unwrap();
        let youth = self.known(bsn).await.unwrap();
        let mode = ketenpoort::exchange::Mode::Deliver;
        self.gateway.exchange(&who, &youth, &request, mode, None, &Occasion::at(at)).await.unwrap()
    }

    /// `holder` records a consent of the youth of `bsn` from `at`, until `until`; its id.
    async fn consent(&self, holder: &str, bsn: &str, at: OffsetDateTime, until: Option<OffsetDateTime>) -> String {
        let consent = Consent {
            id: uuid::Uuid::new_v4().to_string(),
            given_by: Consenter::Youth,
            holder: OrgId(holder.into()),
            recipient_orgs: vec![],
            recipient_kinds: vec![OrgKind::School],
            signals: vec![Signal::HelpStarted],
            purposes: vec![Purpose::CareCoordination],
            valid_from: at,
            valid_until: until,
            revoked_at: None,
        };
        let id = consent.id.clone();
        let youth = self.known(bsn).await.unwrap();
        self.gateway.record_consent(&professional(holder), &youth, consent, &Occasion::at(at)).await.unwrap();
        id
    }

    /// A child-protection measure of GI Jeugdbescherming Midden from `at` until `until`.
    async fn measure(&self, bsn: &str, at: OffsetDateTime, until: OffsetDateTime) {
        let measure = Measure {
            id: uuid::Uuid::new_v4().to_string(),
            org: OrgId("gi-midden".into()),
            from: at,
            until: Some(until),
        };
        let youth = self.known(bsn).await.unwrap();
        self.gateway.record_measure(&professional("gi-midden"), &youth, measure, &Occasion::at(at)).await.unwrap();
    }

    /// Every audit entry, in order.
    async fn entries(&self) -> Vec<AuditEntry> {
        self.store.audit_page(0, 100_000).await.unwrap().into_iter().map(|stored| stored.entry).collect()
    }

    /// `ketenpoort audit checkpoints` after a checkpoint at the head: the anchors a third
    /// party keeps, in a file.
    async fn anchors(&self) -> std::path::PathBuf {
        self.gateway.audit().checkpoint(ketenpoort::clock::now()).await.unwrap();
        let run = self.cli(&["audit", "checkpoints"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let file = self.dir.path().join("anchors.jsonl");
        std::fs::write(&file, &run.stdout).unwrap();
        file
    }

    /// `ketenpoort audit verify --anchors FILE`: intact, and the anchors found.
    fn assert_intact_with(&self, anchors: &Path) {
        let run = self.cli(&["audit", "verify", "--anchors", anchors.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(run.stdout.starts_with("audit log intact: ") && run.stdout.contains(" anchors"), "{}", run.stdout);
    }
}

fn org_ids(orgs: &[ketenpoort::store::Organisation]) -> Vec<&str> {
    orgs.iter().map(|org| org.id.0.as_str()).collect()
}

#[tokio::test]
async fn an_archived_involvement_gives_one_historic_match_each_way_and_never_again() {
    let world = World::new().await;
    let (bsn, born) = (made_up_bsn(1), "2014-05-01");
    let first = world.register("lyceum-noord", &bsn, born, &[], T0).await;
    assert!(first.historic_matches.is_empty());

    // Two years on the registration has expired: archived, no relationship, no match.
    let expired = years(T0, 2) + days(1);
    let second = world.register("buurtteam-oost", &bsn, born, &[], expired).await;
    assert_eq!((org_ids(&second.matches), org_ids(&second.historic_matches)), (vec![], vec!["lyceum-noord"]));
    let youth = world.known(&bsn).await.unwrap();
    let heard = |notices: Vec<MatchNotice>| notices.into_iter().map(|n| (n.youth, n.other_org.0)).collect::<Vec<_>>();
    assert_eq!(
        heard(world.notices("buurtteam-oost", NoticeKind::HistoricMatch).await),
        [(youth.id, "lyceum-noord".into())]
    );
    assert_eq!(
        heard(world.notices("lyceum-noord", NoticeKind::HistoricMatch).await),
        [(youth.id, "buurtteam-oost".into())]
    );

    // The archive gave its match: a third organisation gets an ordinary match only, and the
    // archive's own organisation registering again gets none from itself.
    let third = world.register("obs-de-linde", &bsn, born, &[], expired + days(1)).await;
    assert_eq!((org_ids(&third.matches), org_ids(&third.historic_matches)), (vec!["buurtteam-oost"], vec![]));
    let again = world.register("lyceum-noord", &bsn, born, &[], expired + days(2)).await;
    assert!(again.historic_matches.is_empty(), "{:?}", again.historic_matches);
    assert_eq!(world.notices("lyceum-noord", NoticeKind::HistoricMatch).await.len(), 1);
    assert!(world.notices("obs-de-linde", NoticeKind::HistoricMatch).await.is_empty());

    // Two disclosures on basis reference_index, audited like a match notice.
    let audited: Vec<AuditEntry> =
        world.entries().await.into_iter().filter(|e| e.event == AuditEvent::HistoricMatch).collect();
    assert_eq!(audited.len(), 2);
    assert!(
        audited.iter().all(|e| e.basis == Some(ketenpoort::framework::Basis::ReferenceIndex)
            && e.youth.as_ref() == Some(&youth.pseudonym))
    );
}

#[tokio::test]
async fn an_archive_gives_no_historic_match_from_five_years_after_its_end() {
    let world = World::new().await;
    let (in_time, too_late, born) = (made_up_bsn(10), made_up_bsn(11), "2015-01-01");
    world.register("lyceum-noord", &in_time, born, &[], T0).await;
    world.register("lyceum-noord", &too_late, born, &[], T0).await;
    // Expired at T0 + 2 years; archived for 5 years from then.
    let archive_ends = years(T0, 7);
    let before = world.register("buurtteam-oost", &in_time, born, &[], archive_ends - time::Duration::minutes(1)).await;
    assert_eq!(org_ids(&before.historic_matches), ["lyceum-noord"]);
    let after = world.register("buurtteam-oost", &too_late, born, &[], archive_ends).await;
    assert!(after.historic_matches.is_empty(), "{:?}", after.historic_matches);
    assert_eq!(world.notices("lyceum-noord", NoticeKind::HistoricMatch).await.len(), 1);
}

#[tokio::test]
async fn an_archive_and_a_registration_end_at_the_23rd_birthday() {
    let world = World::new().await;
    // 23 on 1 June 2033: the archive of a registration expired in 2032 ends then, not in 2037.
    let (in_time, too_old, born) = (made_up_bsn(20), made_up_bsn(21), "2010-06-01");
    let birthday = datetime!(2033-06-01 0:00 UTC);
    let registered = datetime!(2030-01-10 8:00 UTC);
    world.register("lyceum-noord", &in_time, born, &[], registered).await;
    world.register("lyceum-noord", &too_old, born, &[], registered).await;

    let day_before = world.register("buurtteam-oost", &in_time, born, &[], birthday - days(1)).await;
    assert_eq!(org_ids(&day_before.historic_matches), ["lyceum-noord"]);
    let youth = world.known(&in_time).await.unwrap();
    let facts = world.store.youth_facts(youth.id).await.unwrap();
    let theirs = facts.involvements.iter().find(|i| i.org.0 == "buurtteam-oost").unwrap();
    assert_eq!(theirs.expires_at, birthday, "a registration expires at the 23rd birthday");
    let on_the_day = world.register("buurtteam-oost", &too_old, born, &[], birthday).await;
    assert_eq!(on_the_day.decision.reason, Some(ketenpoort::framework::DenyReason::YouthTooOld));
    assert!(on_the_day.historic_matches.is_empty() && on_the_day.effect_id.is_none());
    assert_eq!(world.notices("lyceum-noord", NoticeKind::HistoricMatch).await.len(), 1);

    // Nothing is kept past the birthday: the three involvements and both youths go then.
    let just_before = world.retention(birthday - time::Duration::seconds(1)).await;
    assert_eq!(just_before.destroyed, RetentionCounts::default(), "{just_before:?}");
    let run = world.retention(birthday).await;
    assert_eq!((run.destroyed.involvements, run.destroyed.youths), (3, 2), "{run:?}");
    assert!(world.known(&in_time).await.is_none() && world.known(&too_old).await.is_none());
}

#[tokio::test]
async fn a_death_ends_every_involvement_unarchived_and_no_registration_after_it_gives_a_relationship() {
    let world = World::new().await;
    let (bsn, born) = (made_up_bsn(30), "2012-09-09");
    let ours = world.register("lyceum-noord", &bsn, born, &[], T0).await.effect_id.unwrap();
    world.register("buurtteam-oost", &bsn, born, &[], T0).await;
    world.withdraw("lyceum-noord", &bsn, &ours, WithdrawalReason::RiskGone, T0 + days(10)).await;
    let died = T0 + days(20);
    let youth = world.known(&bsn).await.unwrap();
    world.gateway.record_death(&professional("buurtteam-oost"), &youth, &Occasion::at(died)).await.unwrap();
    let facts = world.store.youth_facts(youth.id).await.unwrap();
    assert_eq!(facts.died_at, Some(died));
    assert!(facts.involvements.iter().all(|i| !i.is_active_at(died)));
    assert!(!facts.involvements.iter().any(|i| i.is_archived_at(died + days(1), facts.birth_date, facts.died_at)));

    // The archive from before the death ended with it: no historic match for anyone after.
    let after = T0 + days(30);
    let later = world.register("obs-de-linde", &bsn, born, &[], after).await;
    assert!(later.historic_matches.is_empty(), "{:?}", later.historic_matches);
    assert!(world.notices("lyceum-noord", NoticeKind::HistoricMatch).await.is_empty());
    // Nor does a registration after the death make a relationship with the dead youth.
    let view =
        world.gateway.view_case(&professional("obs-de-linde"), &world.pseudonyms(&bsn), &Occasion::at(after)).await;
    assert!(
        matches!(view, Err(ketenpoort::exchange::ExchangeError::NoRelationship)),
        "a registration after the recorded death gives a relationship: {:?}",
        view.map(|v| v.involved)
    );
}

#[tokio::test]
async fn a_retention_run_destroys_what_is_due_when_it_is_due_and_a_dry_run_counts_it_first() {
    let world = World::new().await;
    let (bsn, born, parents) = (made_up_bsn(40), "2014-02-02", [made_up_bsn(41), made_up_bsn(42)]);
    let (kept, kept_born) = (made_up_bsn(43), "2016-06-06");

    // The youth's story: two registrations naming the parents (a match each way), a request,
    // a consent that runs out and one revoked, a measure, a case lead; the team's involvement
    // withdrawn as never justified.
    let ours = world.register("lyceum-noord", &bsn, born, &[&parents[0], &parents[1]], T0).await;
    assert!(ours.effect_id.is_some() && ours.matches.is_empty());
    let theirs = world.register("buurtteam-oost", &bsn, born, &[&parents[1]], T0 + days(1)).await;
    assert_eq!(org_ids(&theirs.matches), ["lyceum-noord"]);
    let asked = world.send("lyceum-noord", &bsn, Signal::FeedbackRequest, "buurtteam-oost", T0 + days(2)).await;
    assert!(asked.effect_id.is_some(), "{:?}", asked.decision);
    world.consent("buurtteam-oost", &bsn, T0 + days(3), Some(years(T0, 1))).await;
    let revoked = world.consent("buurtteam-oost", &bsn, T0 + days(3), None).await;
    let youth = world.known(&bsn).await.unwrap();
    let team = professional("buurtteam-oost");
    world.gateway.revoke_consent(&team, &youth, &revoked, &Occasion::at(T0 + days(100))).await.unwrap();
    world.measure(&bsn, T0 + days(5), years(T0, 1)).await;
    let lead = OrgId("lyceum-noord".into());
    world
        .gateway
        .set_case_lead(&professional("lyceum-noord"), &youth, &lead, &Occasion::at(T0 + days(4)))
        .await
        .unwrap();
    let team_involvement = theirs.effect_id.unwrap();
    world.withdraw("buurtteam-oost", &bsn, &team_involvement, WithdrawalReason::Unjustified, T0 + days(200)).await;
    // A youth who stays: registered three years on, archived until ten years on.
    world.register("lyceum-noord", &kept, kept_born, &[], years(T0, 3)).await;

    // A year on, the unjustified involvement is gone; the youth, with the school's, stays.
    let first = world.retention(years(T0, 1) + days(1)).await;
    assert_eq!((first.destroyed.involvements, first.destroyed.youths), (1, 0), "{first:?}");
    assert!(world.store.fact_owner(FactKind::Involvement, &team_involvement).await.unwrap().is_none());
    assert!(world.known(&bsn).await.is_some());

    // The school's registration expired at T0 + 2 years; its archive ends at T0 + 7.
    let due = years(T0, 7);
    let anchors = world.anchors().await;
    let rows = database::row_counts(&world.url).await;
    let dry = world.cli(&["dev", "retention-at", &rfc3339(due), "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let expected = [
        (1, "involvements"),
        (1, "youths' records"),
        (2, "consents"),
        (1, "measures"),
        (1, "delivered signals"),
        (2, "notices"),
        (0, "reports to Veilig Thuis"),
        (2, "parents' pseudonyms"),
    ];
    assert!(dry.stdout.starts_with("a retention run now would destroy:\n"), "{}", dry.stdout);
    for (count, what) in expected {
        assert!(dry.stdout.contains(&format!("{count:>9} {what}")), "{count} {what}: {}", dry.stdout);
    }
    assert_eq!(database::row_counts(&world.url).await, rows, "a dry run changes nothing");
    assert!(world.known(&bsn).await.is_some());

    let early = world.cli(&["dev", "retention-at", &rfc3339(due - time::Duration::seconds(1))]);
    assert!(early.stdout.contains(&format!("{:>9} involvements", 0)), "{}", early.stdout);
    assert!(world.known(&bsn).await.is_some(), "a second early, nothing is destroyed");
    let run = world.cli(&["dev", "retention-at", &rfc3339(due)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("destroyed:\n"), "{}", run.stdout);
    for (count, what) in expected {
        assert!(run.stdout.contains(&format!("{count:>9} {what}")), "{count} {what}: {}", run.stdout);
    }

    // Unknown by BSN; nothing of the youth in any row; the other youth stays.
    assert!(world.known(&bsn).await.is_none());
    assert!(world.known(&kept).await.is_some());
    let mut personal: Vec<String> = world.pseudonyms(&bsn).into_iter().map(|p| p.value).collect();
    personal.push(born.to_owned());
    for parent in &parents {
        personal.extend(world.pseudonyms(parent).into_iter().map(|p| p.value));
    }
    let needles: Vec<&str> = personal.iter().map(String::as_str).collect();
    assert_eq!(database::columns_holding_any(&world.url, &needles).await, [], "rows left of the youth");
    assert_eq!(database::columns_holding(&world.url, kept_born).await, [("youths".into(), "birth_date".into())]);
    let left = database::row_counts(&world.url).await;
    for table in
        ["involvements", "consents", "measures", "delivered_signals", "match_notices", "youth_parents", "case_leads"]
    {
        assert_eq!(left[table], i64::from(table == "involvements"), "{table}: only the other youth's involvement");
    }

    // The log is intact against the anchors taken before, and records the destruction by the
    // youth's random reference; the disclosure report and the replay run on what is kept.
    world.assert_intact_with(&anchors);
    let entries = world.entries().await;
    let destroyed: Vec<&AuditEntry> = entries.iter().filter(|e| e.event == AuditEvent::YouthDestroyed).collect();
    assert_eq!(destroyed.len(), 1);
    assert_eq!(destroyed[0].youth.as_ref(), Some(&youth.pseudonym));
    assert!(destroyed[0].youth.as_ref().unwrap().is_reference());
    assert_eq!(destroyed[0].actor.authenticated_by, "retention");
    assert_eq!(entries.iter().filter(|e| e.event == AuditEvent::InvolvementDestroyed).count(), 2);
    let auditor = ketenpoort::identity::Principal {
        account: Some("auditor@jgz-utrecht".into()),
        role: Some(ketenpoort::framework::Role::Auditor),
        ..professional("jgz-utrecht")
    };
    let looked_for = world.gateway.youth_for_audit(&world.pseudonyms(&bsn), born.parse().unwrap()).await.unwrap();
    let occasion = Occasion::at(ketenpoort::clock::now());
    let report =
        world.gateway.disclosure_report(&auditor, &AuditScope::All, &looked_for, true, &occasion).await.unwrap();
    assert!(report.is_empty(), "{report:?}");
    let replayed = world.gateway.replay(&*world.gateway.policy(), OffsetDateTime::UNIX_EPOCH).await.unwrap();
    assert!(replayed.facts_destroyed > 0, "decisions about the destroyed youth are counted as such: {replayed:?}");
    assert!(replayed.replayed + replayed.facts_destroyed >= 3, "{replayed:?}");
}

#[tokio::test]
async fn a_running_consent_or_measure_keeps_a_youth_and_a_new_enrolment_has_a_day_of_grace() {
    let world = World::new().await;
    let (consented, measured, enrolled, born) = (made_up_bsn(50), made_up_bsn(51), made_up_bsn(52), "2013-03-03");
    let id = world.register("lyceum-noord", &consented, born, &[], T0).await.effect_id.unwrap();
    let consent = world.consent("lyceum-noord", &consented, T0, None).await;
    world.withdraw("lyceum-noord", &consented, &id, WithdrawalReason::Unjustified, T0 + days(1)).await;
    let id = world.register("lyceum-noord", &measured, born, &[], T0).await.effect_id.unwrap();
    world.measure(&measured, T0, years(T0, 1)).await;
    world.withdraw("lyceum-noord", &measured, &id, WithdrawalReason::Objection, T0 + days(1)).await;
    // Enrolled on the way to a registration that has not come yet.
    let enrolment = T0 + days(9) + time::Duration::hours(2);
    world.gateway.youth(&world.pseudonyms(&enrolled), born.parse().unwrap(), enrolment).await.unwrap();

    let first = world.retention(T0 + days(10)).await;
    assert_eq!((first.destroyed.involvements, first.destroyed.youths), (2, 0), "{first:?}");
    for bsn in [&consented, &measured, &enrolled] {
        assert!(world.known(bsn).await.is_some());
    }

    let youth = world.known(&consented).await.unwrap();
    let at = Occasion::at(T0 + days(20));
    world.gateway.revoke_consent(&professional("lyceum-noord"), &youth, &consent, &at).await.unwrap();
    let second = world.retention(T0 + days(30)).await;
    assert_eq!((second.destroyed.youths, second.destroyed.consents), (2, 1), "{second:?}");
    assert!(world.known(&consented).await.is_none() && world.known(&enrolled).await.is_none());
    assert!(world.known(&measured).await.is_some(), "the measure runs for a year");

    let third = world.retention(years(T0, 1) + time::Duration::seconds(1)).await;
    assert_eq!((third.destroyed.youths, third.destroyed.measures), (1, 1), "{third:?}");
    assert!(world.known(&measured).await.is_none());
}

#[tokio::test]
async fn retention_run_on_the_command_line_prints_by_kind_what_it_destroys_now() {
    let world = World::new().await;
    let now = ketenpoort::clock::now();
    let (gone, stays) = (made_up_bsn(60), made_up_bsn(61));
    let id = world.register("lyceum-noord", &gone, "2012-12-12", &[], now - days(3)).await.effect_id.unwrap();
    world.withdraw("lyceum-noord", &gone, &id, WithdrawalReason::Unjustified, now - days(2)).await;
    world.register("lyceum-noord", &stays, "2012-12-12", &[], now - days(3)).await;

    let dry = world.cli(&["retention", "run", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.starts_with("a retention run now would destroy:\n"), "{}", dry.stdout);
    assert!(dry.stdout.contains(&format!("{:>9} involvements", 1)) && dry.stdout.contains(&format!("{:>9} youths", 1)));
    assert!(world.known(&gone).await.is_some(), "a dry run destroys nothing");
    let run = world.cli(&["retention", "run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("destroyed:\n"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("{:>9} involvements", 1)) && run.stdout.contains(&format!("{:>9} youths", 1)));
    assert!(world.known(&gone).await.is_none() && world.known(&stays).await.is_some());
    let again = world.cli(&["retention", "run"]);
    assert!(again.stdout.contains(&format!("{:>9} youths", 0)), "{}", again.stdout);
    let verified = world.cli(&["audit", "verify"]);
    assert_eq!(verified.code, 0, "{}", verified.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_claims_a_days_retention_run() {
    let world = World::new().await;
    let other = SqlStore::open(&world.url).await.unwrap();
    let at = ketenpoort::clock::now();
    let day = ketenpoort::exchange::retention_day(at);
    assert_eq!(day.len(), 10, "{day}");
    assert!(world.store.claim_retention_day(&day, at).await.unwrap(), "the first claim of the day");
    assert!(!other.claim_retention_day(&day, at).await.unwrap(), "another instance, the same day");
    assert!(!world.store.claim_retention_day(&day, at).await.unwrap(), "the same instance again");
    // Of two instances claiming the next day at once, exactly one gets it.
    let next = ketenpoort::exchange::retention_day(at + days(1));
    let (a, b) = tokio::join!(world.store.claim_retention_day(&next, at), other.claim_retention_day(&next, at));
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|claimed| **claimed).count(), 1);
}

#[tokio::test]
async fn a_request_for_a_youth_destroyed_meanwhile_never_lands_on_another_youth() {
    let world = World::new().await;
    let (earlier, destroyed, newcomer) = (made_up_bsn(70), made_up_bsn(71), made_up_bsn(72));
    world.register("lyceum-noord", &earlier, "2012-01-01", &[], T0).await;
    let id = world.register("lyceum-noord", &destroyed, "2012-02-02", &[], T0).await.effect_id.unwrap();
    world.withdraw("lyceum-noord", &destroyed, &id, WithdrawalReason::Unjustified, T0 + days(1)).await;

    // A request finds the youth; before it writes, the run destroys them and someone else is
    // enrolled.
    let at = T0 + days(3);
    let found = world.gateway.youth(&world.pseudonyms(&destroyed), "2012-02-02".parse().unwrap(), at).await.unwrap();
    assert_eq!(world.retention(at).await.destroyed.youths, 1);
    let other = world.gateway.youth(&world.pseudonyms(&newcomer), "2015-05-05".parse().unwrap(), at).await.unwrap();
    let who = professional("buurtteam-oost");
    let request = crate::helpers::registration(&who);
    let mode = ketenpoort::exchange::Mode::Deliver;
    let late = world.gateway.exchange(&who, &found, &request, mode, None, &Occasion::at(at)).await;
    let facts = world.store.youth_facts(other.id).await.unwrap();
    assert!(
        facts.involvements.is_empty(),
        "the registration for the destroyed youth (store id {:?}) became the newcomer's (store id {:?}): {:?}",
        found.id,
        other.id,
        late.map(|e| e.effect_id)
    );
}

/// The retention run's unit for the youth of `bsn`, appended alone: a run cut short before
/// its purge.
async fn destroy_unpurged(world: &World, bsn: &str, at: OffsetDateTime) {
    let youth = world.known(bsn).await.unwrap();
    let actor =
        AuditActor { account: None, org: None, org_kind: None, role: None, authenticated_by: "retention".into() };
    let now = ketenpoort::clock::now();
    let mut entry = AuditEntry::new(AuditEvent::YouthDestroyed, actor, at, now, uuid::Uuid::new_v4().to_string());
    entry.youth = Some(youth.pseudonym.clone());
    let effect = Effect::DestroyYouth { youth: youth.id, at, enrolled_before: at - days(1) };
    world.gateway.audit().append(vec![Audited { entry, effect: Some(effect) }], now).await.unwrap();
}

#[tokio::test]
async fn a_destroyed_youths_signals_are_gone_before_the_purge_and_a_later_run_purges_them() {
    let world = World::new().await;
    let (bsn, born) = (made_up_bsn(80), "2014-03-03");
    let school = world.register("lyceum-noord", &bsn, born, &[], T0).await.effect_id.unwrap();
    let team = world.register("buurtteam-oost", &bsn, born, &[], T0 + days(1)).await.effect_id.unwrap();
    let asked = world.send("lyceum-noord", &bsn, Signal::FeedbackRequest, "buurtteam-oost", T0 + days(2)).await;
    let request = asked.effect_id.unwrap();
    let theirs = world.send("buurtteam-oost", &bsn, Signal::FeedbackRequest, "lyceum-noord", T0 + days(3)).await;
    assert!(theirs.effect_id.is_some(), "{:?}", theirs.decision);
    let youth = world.known(&bsn).await.unwrap();
    world.withdraw("lyceum-noord", &bsn, &school, WithdrawalReason::Unjustified, T0 + days(4)).await;
    world.withdraw("buurtteam-oost", &bsn, &team, WithdrawalReason::Unjustified, T0 + days(4)).await;

    let at = T0 + days(10);
    destroy_unpurged(&world, &bsn, at).await;
    assert_eq!(database::row_counts(&world.url).await["delivered_signals"], 2, "not purged yet");
    assert!(world.store.delivered_signal(&request).await.unwrap().is_none(), "a destroyed youth's signal is gone");
    for org in ["lyceum-noord", "buurtteam-oost"] {
        assert!(world.store.inbox(&OrgId(org.into()), 0, 100).await.unwrap().is_empty(), "{org}'s inbox");
    }
    // No foreign key stands guard any more: the store itself refuses a signal about them.
    let late = DeliveredSignal {
        id: uuid::Uuid::now_v7().to_string(),
        youth: youth.id,
        from_org: OrgId("lyceum-noord".into()),
        from_account: None,
        to_org: OrgId("buurtteam-oost".into()),
        signal: Signal::FeedbackRequest,
        purpose: Purpose::CareCoordination,
        in_reply_to: None,
        delivered_at: at,
    };
    let actor = AuditActor { account: None, org: None, org_kind: None, role: None, authenticated_by: "test".into() };
    let now = ketenpoort::clock::now();
    let entry = AuditEntry::new(AuditEvent::Decision, actor, at, now, uuid::Uuid::new_v4().to_string());
    let refused = world.gateway.audit().append(vec![Audited { entry, effect: Some(Effect::Deliver(late)) }], now).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");

    // The next run finds nothing more to destroy, and purges what the last one left.
    let next = world.retention(at + days(1)).await;
    assert_eq!((next.destroyed.youths, next.destroyed.signals), (0, 2), "{next:?}");
    assert_eq!(database::row_counts(&world.url).await["delivered_signals"], 0);
    assert_eq!(world.retention(at + days(2)).await.destroyed.signals, 0, "nothing is purged twice");
}

/// A database as it was before retention (every migration up to 20261203000001): a youth
/// named in the log by their BSN's pseudonym, two involvements without `keep_until` (the
/// school's running, the team's withdrawn without a reason), four audit entries and a
/// checkpoint over them. Returns the database opened (and so migrated) as a world, with the
/// youth's BSN, birth date and the checkpoint as an anchors file.
async fn database_from_before_retention() -> (World, String, &'static str, std::path::PathBuf) {
    use ketenpoort::audit::{AuditActor, micros};
    let dir = tempfile::tempdir().unwrap();
    let url = database::fresh_url(dir.path(), "ketenpoort.db");
    let keys_dir = database::keys_dir(&url).unwrap_or_else(|| dir.path().join("ketenpoort.keys"));
    let keys = ketenpoort::keys::generate(&keys_dir, true).unwrap();
    let backend = if url.starts_with("postgres") { "postgres" } else { "sqlite" };
    let old = dir.path().join("migrations-before-retention");
    std::fs::create_dir(&old).unwrap();
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    for file in std::fs::read_dir(&all).unwrap() {
        let file = file.unwrap();
        let name = file.file_name().into_string().unwrap();
        if name.as_str() < "20261204000001" {
            std::fs::copy(file.path(), old.join(&name)).unwrap();
        }
    }
    sqlx::any::install_default_drivers();
    let connect = if backend == "sqlite" { format!("{url}?mode=rwc") } else { url.clone() };
    let pool = sqlx::AnyPool::connect(&connect).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path()).await.unwrap().run(&pool).await.unwrap();
    assert!(
        sqlx::query("SELECT keep_until FROM involvements").fetch_all(&pool).await.is_err(),
        "the schema from before retention"
    );

    let (bsn, born) = (made_up_bsn(80), "2012-03-15");
    let pseudonym = keys.pseudonymiser.pseudonymise(&bsn.parse().unwrap());
    let actor = |org: &str, kind: OrgKind, role: ketenpoort::framework::Role| AuditActor {
        account: Some(format!("{}@{org}", role.as_str())),
        org: Some(org.into()),
        org_kind: Some(kind),
        role: Some(role),
        authenticated_by: "certificate:legacy".into(),
    };
    let school = || actor("lyceum-noord", OrgKind::School, ketenpoort::framework::Role::Mentor);
    let team = || actor("buurtteam-oost", OrgKind::NeighbourhoodTeam, ketenpoort::framework::Role::FamilyWorker);
    let registration = |by: AuditActor, at: OffsetDateTime, n: u64| {
        let mut entry = AuditEntry::new(AuditEvent::Decision, by, at, at, format!("legacy-{n}"));
        entry.action = Some(Action::Register);
        entry.signal = Some(Signal::Involvement);
        entry.purpose = Some(Purpose::CareCoordination);
        entry.decision = Some(ketenpoort::framework::Outcome::Allow);
        entry.basis = Some(ketenpoort::framework::Basis::ReferenceIndex);
        entry.matched_rules = vec!["R1".into()];
        entry.policy_version = Some("legacy".into());
        entry
    };
    let mut withdrawal =
        AuditEntry::new(AuditEvent::InvolvementWithdrawn, team(), T0 + days(30), T0 + days(30), "legacy-3".into());
    withdrawal.subject = Some("legacy-team".into());
    let mut viewed = AuditEntry::new(AuditEvent::CaseViewed, school(), T0 + days(40), T0 + days(40), "legacy-4".into());
    viewed.decision = Some(ketenpoort::framework::Outcome::Allow);
    let mut entries = [registration(school(), T0, 1), registration(team(), T0 + days(1), 2), withdrawal, viewed];
    let (mut sql, mut previous): (String, ChainHash) = (String::new(), ketenpoort::audit::GENESIS);
    let text = |value: Option<&str>| value.map_or("NULL".to_owned(), |v| format!("'{v}'"));
    for (index, entry) in entries.iter_mut().enumerate() {
        entry.seq = index as u64 + 1;
        entry.youth = Some(pseudonym.clone());
        let hash = ketenpoort::audit::link(&previous, entry);
        sql.push_str(&format!(
            "INSERT INTO audit_entries (seq, at, recorded_at, request_id, actor_account, actor_org, actor_org_kind, \
             actor_role, authenticated_by, event, action, signal, purpose, youth_key_id, youth_pseudonym, \
             recipient_org, decision, basis, reason, matched_rules, policy_version, obligations, justification, \
             consents, subject, prev_hash, hash) VALUES ({}, {}, {}, '{}', {}, {}, {}, {}, '{}', '{}', {}, {}, {}, \
             '{}', '{}', NULL, {}, {}, NULL, '{}', {}, '[]', NULL, '[]', {}, {}, {});\n",
            entry.seq,
            micros(entry.at),
            micros(entry.recorded_at),
            entry.request_id,
            text(entry.actor.account.as_deref()),
            text(entry.actor.org.as_deref()),
            text(entry.actor.org_kind.map(|k| k.as_str())),
            text(entry.actor.role.map(|r| r.as_str())),
            entry.actor.authenticated_by,
            entry.event.as_str(),
            text(entry.action.map(|a| a.as_str())),
            text(entry.signal.map(|s| s.as_str())),
            text(entry.purpose.map(|p| p.as_str())),
            pseudonym.key_id,
            pseudonym.value,
            text(entry.decision.map(|d| d.as_str())),
            text(entry.basis.map(|b| b.as_str())),
            serde_json::to_string(&entry.matched_rules).unwrap(),
            text(entry.policy_version.as_deref()),
            text(entry.subject.as_deref()),
            database::bytes_literal(&url, &previous),
            database::bytes_literal(&url, &hash),
        ));
        previous = hash;
    }
    let checkpoint = keys.signer.sign(4, previous, T0 + days(40));
    let anchors = dir.path().join("anchors-before-the-migration.jsonl");
    let exported = ketenpoort::audit::ExportedCheckpoint::from(&checkpoint);
    std::fs::write(&anchors, serde_json::to_string(&exported).unwrap() + "\n").unwrap();
    let two_years = |at: OffsetDateTime| micros(years(at, 2));
    sql = format!(
        "INSERT INTO organisations (id, kind, name) VALUES ('lyceum-noord', 'school', 'Lyceum Noord'), \
            ('buurtteam-oost', 'neighbourhood_team', 'Buurtteam Oost');
         INSERT INTO youths (id, key_id, pseudonym, birth_date, enrolled_at) VALUES (1, '{}', '{}', '{born}', {});
         {sql}
         INSERT INTO involvements
             (id, youth_id, org_id, registered_at, expires_at, withdrawn_at, recorded_seq, ended_seq) VALUES ('legacy-school', 1, 'lyceum-noord', {}, {}, NULL, 1, NULL),
                    ('legacy-team', 1, 'buurtteam-oost', {}, {}, {}, 2, 3);
         INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (4, {}, {}, '{}', {});",
        pseudonym.key_id,
        pseudonym.value,
        micros(T0),
        micros(T0),
        two_years(T0),
        micros(T0 + days(1)),
        two_years(T0 + days(1)),
        micros(T0 + days(30)),
        database::bytes_literal(&url, &checkpoint.hash),
        micros(checkpoint.at),
        checkpoint.key_id,
        database::bytes_literal(&url, &checkpoint.signature),
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.unwrap();
    pool.close().await;
    (World::at(dir, url).await, bsn, born, anchors)
}

#[tokio::test]
async fn a_database_from_before_retention_migrates_with_its_chain_intact_and_its_youth_destroyed_in_time() {
    let (world, bsn, born, anchors) = database_from_before_retention().await;
    world.assert_intact_with(&anchors);

    // Still found by BSN, under the name the log knows them by, with the history.
    let youth = world.known(&bsn).await.unwrap();
    assert!(!youth.pseudonym.is_reference());
    assert_eq!(youth.pseudonym, world.pseudonyms(&bsn)[0]);
    let looked_for = world.gateway.youth_for_audit(&world.pseudonyms(&bsn), born.parse().unwrap()).await.unwrap();
    let query = |youth| AuditQuery {
        scope: AuditScope::All,
        filter: ketenpoort::audit::AuditFilter { youth: Some(youth), ..Default::default() },
        order: Order::OldestFirst,
        after: None,
        limit: 100,
    };
    let history = world.store.search_audit(&query(looked_for)).await.unwrap();
    assert_eq!(history.iter().map(|s| s.entry.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    let facts = world.store.youth_facts(youth.id).await.unwrap();
    assert_eq!(facts.involvements.len(), 2);
    let view = world
        .gateway
        .view_case(&professional("lyceum-noord"), &world.pseudonyms(&bsn), &Occasion::at(T0 + days(50)))
        .await;
    assert_eq!(view.unwrap().involved.iter().map(|o| o.id.0.as_str()).collect::<Vec<_>>(), ["lyceum-noord"]);

    // The first run works out what was never kept; each involvement then goes when its archive
    // ends (the team's withdrawal without a reason counts as `risk_gone`), the youth with the last.
    let team_archive_ends = years(T0 + days(30), 5);
    let first = world.retention(team_archive_ends - time::Duration::seconds(1)).await;
    assert_eq!((first.planned, first.destroyed), (1, RetentionCounts::default()), "{first:?}");
    let second = world.retention(team_archive_ends).await;
    assert_eq!((second.planned, second.destroyed.involvements, second.destroyed.youths), (0, 1, 0), "{second:?}");
    let school_archive_ends = years(T0, 7);
    let third = world.retention(school_archive_ends - time::Duration::seconds(1)).await;
    assert_eq!(third.destroyed, RetentionCounts::default(), "{third:?}");
    let last = world.retention(school_archive_ends).await;
    assert_eq!((last.destroyed.involvements, last.destroyed.youths), (1, 1), "{last:?}");
    assert!(world.known(&bsn).await.is_none());
    world.assert_intact_with(&anchors);

    // Outside the log, no row holds the youth's pseudonym or birth date.
    let found = database::columns_holding_any(&world.url, &[&world.pseudonyms(&bsn)[0].value, born]).await;
    let outside: Vec<_> = found.iter().filter(|(_, table, _)| table != "audit_entries").collect();
    assert_eq!(outside, Vec::<&(String, String, String)>::new());
}

#[tokio::test]
async fn a_youth_from_before_the_migration_is_found_by_bsn_only_in_entries_from_before_once_destroyed() {
    let (world, bsn, born, _) = database_from_before_retention().await;
    assert_eq!(world.retention(years(T0, 7)).await.destroyed.youths, 1);
    assert!(world.known(&bsn).await.is_none());
    let looked_for = world.gateway.youth_for_audit(&world.pseudonyms(&bsn), born.parse().unwrap()).await.unwrap();
    let query = AuditQuery {
        scope: AuditScope::All,
        filter: ketenpoort::audit::AuditFilter { youth: Some(looked_for), ..Default::default() },
        order: Order::OldestFirst,
        after: None,
        limit: 100,
    };
    let found: BTreeMap<u64, AuditEvent> =
        world.store.search_audit(&query).await.unwrap().into_iter().map(|s| (s.entry.seq, s.entry.event)).collect();
    // The README's documented limit: entries written before random references name the youth
    // by their pseudonym and stay findable with the BSN and that key, until the key is retired
    // and destroyed. The destruction itself adds no entry that the BSN finds.
    let legacy: Vec<u64> = found.keys().copied().collect();
    assert_eq!(legacy, [1, 2, 3, 4], "only the entries from before the migration: {found:?}");
    assert!(
        !found.values().any(|e| matches!(e, AuditEvent::InvolvementDestroyed | AuditEvent::YouthDestroyed)),
        "{found:?}"
    );
}
