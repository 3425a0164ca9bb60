//! ACTION-FRAMEWORK §8, the life of a registration, over the API: who can be registered, how
//! an involvement ends (withdrawal reasons, death), the historic and the family match, and
//! destruction. The server's clock cannot be moved, so the retention runs go through the app's
//! own gateway at a time a little after now: the API story happens today, the run in two days.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use ketenpoort::audit::AuditEvent;
use ketenpoort::exchange::{Occasion, RetentionReport};
use ketenpoort::framework::{NoticeKind, OrgId, WithdrawalReason};
use ketenpoort::store::{FactKind, InboxItem, MatchNotice, RetentionCounts, SqlStore, Store};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::helpers::{TestApp, database, database::made_up_bsn, professional, spawn_app_with};

/// An app without its own daily retention run: the tests run retention when they mean to.
async fn spawn() -> TestApp {
    spawn_app_with(|config| ketenpoort::config::Config { daily_retention: false, ..config }).await
}

/// Two days on: everything that ended today is due, and a youth enrolled today is past the
/// grace of a day.
fn two_days_on() -> OffsetDateTime {
    ketenpoort::clock::now() + time::Duration::days(2)
}

async fn retention(app: &TestApp, at: OffsetDateTime, dry_run: bool) -> RetentionReport {
    app.gateway().run_retention(at, dry_run).await.unwrap()
}

/// Registers `org`'s involvement with the youth of `bsn` at `at` (enrolling them then if
/// Ketenpoort does not know them), through the library; the involvement's id.
pub(crate) async fn register_at(app: &TestApp, org: &str, bsn: &str, born: &str, at: OffsetDateTime) -> String {
    let who = professional(org);
    let youth = app.gateway().youth(&app.pseudonyms(bsn), born.parse().unwrap(), at).await.unwrap();
    let request = crate::helpers::registration(&who);
    let mode = ketenpoort::exchange::Mode::Deliver;
    let exchanged = app.gateway().exchange(&who, &youth, &request, mode, None, &Occasion::at(at)).await.unwrap();
    exchanged.effect_id.unwrap()
}

/// The notices of `kind` delivered to `org`, oldest first.
async fn notices(app: &TestApp, org: &str, kind: NoticeKind) -> Vec<MatchNotice> {
    let inbox = app.gateway().store().inbox(&OrgId(org.into()), 0, 10_000).await.unwrap();
    inbox
        .into_iter()
        .filter_map(|item| match item {
            InboxItem::MatchNotice { notice, .. } if notice.kind == kind => Some(notice),
            _ => None,
        })
        .collect()
}

/// The ids of the organisations a registration's answer lists under `field`.
fn org_ids(reply: &Value, field: &str) -> Vec<String> {
    reply[field].as_array().unwrap().iter().map(|org| org["id"].as_str().unwrap().to_owned()).collect()
}

/// `date`, `years` earlier; a 29 February that year does not have becomes `fallback`.
fn years_before(date: time::Date, years: i32, fallback: time::Month, fallback_day: u8) -> String {
    let year = date.year() - years;
    let earlier = date
        .replace_year(year)
        .unwrap_or_else(|_| time::Date::from_calendar_date(year, fallback, fallback_day).unwrap());
    let (y, m, d) = earlier.to_calendar_date();
    format!("{y:04}-{:02}-{d:02}", m as u8)
}

#[tokio::test]
async fn registration_is_refused_from_the_23rd_birthday_and_allowed_the_day_before_it() {
    let app = spawn().await;
    let today = ketenpoort::clock::now().date();
    // 23 today (a 29 February birthday counts from 1 March: 28 February is surely 23).
    let turned_23 = years_before(today, 23, time::Month::February, 28);
    // 23 tomorrow (for a tomorrow of 29 February, born 1 March: 23 the day after).
    let turns_23_tomorrow = years_before(today.next_day().unwrap(), 23, time::Month::March, 1);
    let (old, young) = (made_up_bsn(1), made_up_bsn(2));

    let refused = app.mentor().register_youth(&old, &turned_23, &[]).await;
    assert_eq!((refused.status.as_u16(), refused.error()), (403, "denied"), "{}", refused.body);
    assert_eq!(refused.body["decision"]["reason"], "youth_too_old", "{}", refused.body);
    let allowed = app.mentor().register_youth(&young, &turns_23_tomorrow, &[]).await;
    assert_eq!(allowed.status, 201, "{}", allowed.body);
    assert_eq!(allowed.body["decision"]["decision"], "allow");

    // The refused youth was enrolled on the way to the decision, and the 22-year-old's
    // registration ends at their 23rd birthday, unarchived: two days on, both are forgotten.
    assert!(app.known_youth(&old).await.is_some() && app.known_youth(&young).await.is_some());
    let run = retention(&app, two_days_on(), false).await;
    assert_eq!((run.destroyed.involvements, run.destroyed.youths), (1, 2), "{run:?}");
    assert!(app.known_youth(&old).await.is_none() && app.known_youth(&young).await.is_none());
}

#[tokio::test]
async fn a_withdrawal_names_its_reason_in_the_audit_log_and_an_unknown_reason_is_refused() {
    let app = spawn().await;
    let mentor = app.mentor();
    // (query, the reason recorded)
    let cases = [
        ("", WithdrawalReason::RiskGone),
        ("?reason=risk_gone", WithdrawalReason::RiskGone),
        ("?reason=unjustified", WithdrawalReason::Unjustified),
        ("?reason=objection", WithdrawalReason::Objection),
    ];
    let mut ids = Vec::new();
    for (n, _) in cases.iter().enumerate() {
        let registered = mentor.register_youth(&made_up_bsn(10 + n as u64), "2012-05-05", &[]).await;
        assert_eq!(registered.status, 201, "{}", registered.body);
        ids.push(registered.body["id"].as_str().unwrap().to_owned());
    }

    let refused = mentor.delete(&format!("/involvements/{}?reason=bored", ids[2])).await;
    assert_eq!((refused.status.as_u16(), refused.error()), (422, "unknown_withdrawal_reason"), "{}", refused.body);
    let still = mentor.post("/cases/view", json!({ "bsn": made_up_bsn(12) })).await;
    assert_eq!(still.status, 200, "a refused withdrawal leaves the involvement running: {}", still.body);

    for ((query, _), id) in cases.iter().zip(&ids) {
        let withdrawn = mentor.delete(&format!("/involvements/{id}{query}")).await;
        assert_eq!(withdrawn.status, 200, "{query}: {}", withdrawn.body);
        assert_eq!(withdrawn.body["status"], "withdrawn");
    }
    let again = mentor.delete(&format!("/involvements/{}?reason=objection", ids[0])).await;
    assert_eq!(again.status, 404, "withdrawn already: {}", again.body);

    let entries = app.audit_entries().await;
    for ((query, reason), id) in cases.iter().zip(&ids) {
        let withdrawal: Vec<_> = entries
            .iter()
            .filter(|e| e.event == AuditEvent::InvolvementWithdrawn && e.subject.as_deref() == Some(id))
            .collect();
        assert_eq!(withdrawal.len(), 1, "{query}");
        assert_eq!(withdrawal[0].withdrawal, Some(*reason), "{query}");
        assert_eq!(withdrawal[0].reason, None, "{query}: a withdrawal is no deny");
    }
    assert_eq!(app.verify().await.entries, entries.len() as u64, "the reasons are in what the chain covers");
}

#[tokio::test]
async fn only_a_withdrawal_because_the_risk_is_gone_gives_the_next_organisation_a_historic_match() {
    let app = spawn().await;
    let (mentor, worker) = (app.mentor(), app.family_worker());
    let reasons = ["risk_gone", "unjustified", "objection"];
    for (n, reason) in reasons.iter().enumerate() {
        let bsn = made_up_bsn(20 + n as u64);
        let registered = mentor.register_youth(&bsn, "2013-06-06", &[]).await;
        let id = registered.body["id"].as_str().unwrap();
        assert_eq!(mentor.delete(&format!("/involvements/{id}?reason={reason}")).await.status, 200);
    }
    let mut historic = Vec::new();
    for (n, reason) in reasons.iter().enumerate() {
        let registered = worker.register_youth(&made_up_bsn(20 + n as u64), "2013-06-06", &[]).await;
        assert_eq!(registered.status, 201, "{}", registered.body);
        assert!(org_ids(&registered.body, "matches").is_empty(), "{reason}: a withdrawn involvement is no match");
        historic.push((*reason, org_ids(&registered.body, "historic_matches")));
    }
    assert_eq!(
        historic,
        [("risk_gone", vec!["lyceum-noord".to_owned()]), ("unjustified", vec![]), ("objection", vec![])]
    );
    // One notice each way, about the youth whose worry was gone.
    let youth = app.known_youth(&made_up_bsn(20)).await.unwrap().id;
    let to_worker = notices(&app, "buurtteam-oost", NoticeKind::HistoricMatch).await;
    let to_mentor = notices(&app, "lyceum-noord", NoticeKind::HistoricMatch).await;
    assert_eq!(
        to_worker.iter().map(|n| (n.youth, n.other_org.0.as_str())).collect::<Vec<_>>(),
        [(youth, "lyceum-noord")]
    );
    assert_eq!(
        to_mentor.iter().map(|n| (n.youth, n.other_org.0.as_str())).collect::<Vec<_>>(),
        [(youth, "buurtteam-oost")]
    );
    // Each knows which side it is on: the registrant hears who knew the youth, the archive who
    // is involved now.
    assert!(to_worker[0].to_registrant && !to_mentor[0].to_registrant);
    for (who, side) in [(&worker, "registrant"), (&mentor, "archive")] {
        let inbox = who.get("/inbox").await;
        let sides: Vec<&str> = inbox.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item["kind"] == "historic_match")
            .map(|item| item["side"].as_str().unwrap())
            .collect();
        assert_eq!(sides, [side], "{}", inbox.body);
    }

    // Two days on, the unarchived withdrawals are destroyed; the archived one is kept.
    let run = retention(&app, two_days_on(), false).await;
    assert_eq!((run.destroyed.involvements, run.destroyed.youths), (2, 0), "{run:?}");
    let facts = app.gateway().store().youth_facts(youth).await.unwrap();
    assert_eq!(facts.involvements.len(), 2, "the archived involvement and the new one");
}

#[tokio::test]
async fn a_death_is_recorded_once_by_an_organisation_with_a_relationship_and_ends_every_involvement() {
    let app = spawn().await;
    let (mentor, worker) = (app.mentor(), app.family_worker());
    let bsn = made_up_bsn(30);
    let case = json!({ "bsn": bsn });
    assert_eq!(mentor.register_youth(&bsn, "2011-02-03", &[]).await.status, 201);
    assert_eq!(worker.register_youth(&bsn, "2011-02-03", &[]).await.status, 201);

    let stranger = app.client("obs-de-linde", "mentor@obs-de-linde").post("/cases/death", case.clone()).await;
    assert_eq!((stranger.status.as_u16(), stranger.error()), (403, "no_relationship"), "{}", stranger.body);
    let unknown = mentor.post("/cases/death", json!({ "bsn": made_up_bsn(31) })).await;
    assert_eq!((unknown.status.as_u16(), unknown.error()), (403, "no_relationship"), "an unknown youth is not told");
    let before = app.audit_entries().await.len();
    let recorded = mentor.post("/cases/death", case.clone()).await;
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    assert_eq!(recorded.body["status"], "death_recorded");

    // Audited, by whom and about whom; the refusals before it wrote no death.
    let youth = app.known_youth(&bsn).await.unwrap();
    let deaths: Vec<_> =
        app.audit_entries().await.into_iter().filter(|e| e.event == AuditEvent::DeathRecorded).collect();
    assert_eq!(deaths.len(), 1);
    assert_eq!(deaths[0].seq, before as u64 + 1);
    assert_eq!(deaths[0].actor.org.as_deref(), Some("lyceum-noord"));
    assert_eq!(deaths[0].youth.as_ref(), Some(&youth.pseudonym));
    // Every involvement ended: no case view, no exchange.
    let now = ketenpoort::clock::now();
    let facts = app.gateway().store().youth_facts(youth.id).await.unwrap();
    assert!(facts.died_at.is_some_and(|died| died <= now));
    assert!(facts.involvements.len() == 2 && facts.involvements.iter().all(|i| !i.is_active_at(now)));
    for client in [&mentor, &worker] {
        let view = client.post("/cases/view", case.clone()).await;
        assert_eq!((view.status.as_u16(), view.error()), (403, "no_relationship"), "{}", view.body);
    }
    let asked = mentor.send("feedback_request", "buurtteam-oost", json!({ "bsn": bsn })).await;
    assert_eq!(asked.body["decision"]["decision"], "deny", "{}", asked.body);

    // The worker, involved until the death, hears that it is recorded already.
    let twice = worker.post("/cases/death", case.clone()).await;
    assert_eq!(twice.status, 409, "{}", twice.body);

    // Nothing is archived at a death: the next run forgets the youth.
    let run = retention(&app, two_days_on(), false).await;
    assert_eq!((run.destroyed.involvements, run.destroyed.youths), (2, 1), "{run:?}");
    assert!(app.known_youth(&bsn).await.is_none());
}

#[tokio::test]
async fn a_registration_names_at_most_four_valid_parents_none_of_them_the_youth_or_twice() {
    let app = spawn().await;
    let mentor = app.mentor();
    let youth = made_up_bsn(40);
    let parents: Vec<String> = (41..46).map(made_up_bsn).collect();
    let p: Vec<&str> = parents.iter().map(String::as_str).collect();
    for (named, code) in [
        (vec![p[0], p[1], p[2], p[3], p[4]], "invalid_parents"),
        (vec![p[0], youth.as_str()], "invalid_parents"),
        (vec![p[0], p[1], p[0]], "invalid_parents"),
        (vec![p[0], "628194822"], "invalid_bsn"),
    ] {
        let refused = mentor.register_youth(&youth, "2012-01-01", &named).await;
        assert_eq!((refused.status.as_u16(), refused.error()), (422, code), "{named:?}: {}", refused.body);
        for parent in &named {
            assert!(!refused.body.to_string().contains(parent), "a BSN echoed: {}", refused.body);
        }
    }
    assert!(app.known_youth(&youth).await.is_none(), "a refused registration enrols no one");
    let four = mentor.register_youth(&youth, "2012-01-01", &p[..4]).await;
    assert_eq!(four.status, 201, "{}", four.body);
    let known = app.known_youth(&youth).await.unwrap();
    assert_eq!(app.gateway().store().youth_parents(known.id).await.unwrap().len(), 4);
}

#[tokio::test]
async fn parents_in_common_give_a_family_match_that_names_only_the_other_organisation() {
    let app = spawn().await;
    let (mentor, worker) = (app.mentor(), app.family_worker());
    let nurse = app.client("jgz-utrecht", "youth_nurse@jgz-utrecht");
    let (p1, p2, p3) = (made_up_bsn(50), made_up_bsn(51), made_up_bsn(52));
    let (a, a_born, b, b_born) = (made_up_bsn(53), "2013-04-04", made_up_bsn(54), "2015-09-09");

    let first = mentor.register_youth(&a, a_born, &[&p1, &p2]).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(org_ids(&first.body, "family_matches").is_empty(), "no sibling known yet");
    let second = worker.register_youth(&b, b_born, &[&p2, &p3]).await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(org_ids(&second.body, "family_matches"), ["lyceum-noord"]);
    assert!(org_ids(&second.body, "matches").is_empty() && org_ids(&second.body, "historic_matches").is_empty());

    // Each side hears of the other organisation about its own youth.
    let (youth_a, youth_b) = (app.known_youth(&a).await.unwrap(), app.known_youth(&b).await.unwrap());
    let seen = |notices: Vec<MatchNotice>| {
        notices.into_iter().map(|n| (n.youth, n.other_org.0)).collect::<Vec<(ketenpoort::store::YouthId, String)>>()
    };
    assert_eq!(
        seen(notices(&app, "lyceum-noord", NoticeKind::FamilyMatch).await),
        [(youth_a.id, "buurtteam-oost".into())]
    );
    assert_eq!(
        seen(notices(&app, "buurtteam-oost", NoticeKind::FamilyMatch).await),
        [(youth_b.id, "lyceum-noord".into())]
    );

    // A third organisation registering the first youth, without naming parents, hears of the
    // sibling's organisation, and that one of it.
    let third = nurse.register_youth(&a, a_born, &[]).await;
    assert_eq!(third.status, 201, "{}", third.body);
    assert_eq!(org_ids(&third.body, "matches"), ["lyceum-noord"]);
    assert_eq!(org_ids(&third.body, "family_matches"), ["buurtteam-oost"]);
    assert_eq!(
        seen(notices(&app, "buurtteam-oost", NoticeKind::FamilyMatch).await),
        [(youth_b.id, "lyceum-noord".into()), (youth_b.id, "jgz-utrecht".into())]
    );

    // Nothing about the other youth in what either side is told: no BSN, birth date, log
    // reference or case reference of the other youth, and no parent.
    let pseudonymiser = &app.app.state().pseudonymiser;
    let about = |bsn: &str, born: &str, youth: &ketenpoort::exchange::Youth| {
        let mut secrets = vec![bsn.to_owned(), born.to_owned(), youth.pseudonym.value.clone()];
        secrets.extend(app.pseudonyms(bsn).into_iter().map(|p| p.value));
        for org in ["lyceum-noord", "buurtteam-oost", "jgz-utrecht"] {
            secrets.push(pseudonymiser.case_ref(org, &youth.pseudonym));
        }
        secrets
    };
    let (of_a, of_b) = (about(&a, a_born, &youth_a), about(&b, b_born, &youth_b));
    let parents = [p1.clone(), p2.clone(), p3.clone()];
    for (told, other) in [
        (second.body.to_string(), &of_a),
        (worker.get("/inbox").await.body.to_string(), &of_a),
        (first.body.to_string(), &of_b),
        (third.body.to_string(), &of_b),
        (mentor.get("/inbox").await.body.to_string(), &of_b),
        (nurse.get("/inbox").await.body.to_string(), &of_b),
    ] {
        assert!(told.contains("family") || told.contains("match_notice"), "{told}");
        for secret in other.iter().chain(&parents) {
            assert!(!told.contains(secret.as_str()), "{secret} told: {told}");
        }
    }
}

#[tokio::test]
async fn no_family_match_is_sent_between_two_youths_of_the_same_organisation() {
    let app = spawn().await;
    let mentor = app.mentor();
    let parent = made_up_bsn(60);
    assert_eq!(mentor.register_youth(&made_up_bsn(61), "2012-02-02", &[&parent]).await.status, 201);
    let sibling = mentor.register_youth(&made_up_bsn(62), "2014-03-03", &[&parent]).await;
    assert_eq!(sibling.status, 201, "{}", sibling.body);
    assert!(org_ids(&sibling.body, "family_matches").is_empty(), "{}", sibling.body);
    assert!(notices(&app, "lyceum-noord", NoticeKind::FamilyMatch).await.is_empty());
    // The parent links them all the same: another organisation hears of the mentor once.
    let other = app.family_worker().register_youth(&made_up_bsn(63), "2016-04-04", &[&parent]).await;
    assert_eq!(org_ids(&other.body, "family_matches"), ["lyceum-noord"], "{}", other.body);
    assert_eq!(notices(&app, "lyceum-noord", NoticeKind::FamilyMatch).await.len(), 2, "one per sibling");
}

#[tokio::test]
async fn a_destroyed_youth_is_found_nowhere_and_the_log_still_verifies_against_its_anchors() {
    let app = spawn().await;
    let (mentor, worker) = (app.mentor(), app.family_worker());
    let (bsn, born) = (made_up_bsn(70), "2011-07-23");
    let parents = [made_up_bsn(71), made_up_bsn(72)];
    let (kept, kept_born, kept_parent) = (made_up_bsn(73), "2013-08-24", made_up_bsn(74));
    let youth = json!({ "bsn": bsn });

    // The whole story of one youth: two registrations (a match each way) naming the parents,
    // a request and its answer under consent, a case lead, a safety concern; then the consents
    // revoked and both involvements withdrawn as never justified.
    let registered = mentor.register_youth(&bsn, born, &[&parents[0], &parents[1]]).await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    let theirs = worker.register_youth(&bsn, born, &[&parents[1]]).await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    let asked = mentor.send("feedback_request", "buurtteam-oost", youth.clone()).await;
    assert_eq!(asked.status, 201, "{}", asked.body);
    let mut consents = Vec::new();
    for given_by in ["youth", "parent"] {
        let consent = worker
            .post(
                "/consents",
                json!({ "bsn": bsn, "given_by": given_by, "recipient_kinds": ["school"],
                    "signals": ["help_started"], "purposes": ["care_coordination"],
                    "valid_from": "2026-01-01T00:00:00Z" }),
            )
            .await;
        assert_eq!(consent.status, 201, "{}", consent.body);
        consents.push(consent.body["id"].as_str().unwrap().to_owned());
    }
    let answer = json!({ "bsn": bsn, "in_reply_to": asked.body["id"] });
    assert_eq!(worker.send("help_started", "lyceum-noord", answer).await.status, 201);
    let lead = mentor.post("/cases/lead", json!({ "bsn": bsn, "org": "lyceum-noord" })).await;
    assert_eq!(lead.status, 200, "{}", lead.body);
    let concern = json!({ "bsn": bsn, "purpose": "safety", "justification": "Zorgen over de thuissituatie" });
    assert_eq!(mentor.send("safety_concern", "veilig-thuis", concern).await.status, 201);
    for id in &consents {
        assert_eq!(worker.post(&format!("/consents/{id}/revoke"), json!({})).await.status, 200);
    }
    let ours = registered.body["id"].as_str().unwrap();
    assert_eq!(mentor.delete(&format!("/involvements/{ours}?reason=unjustified")).await.status, 200);
    let id = theirs.body["id"].as_str().unwrap();
    assert_eq!(worker.delete(&format!("/involvements/{id}?reason=objection")).await.status, 200);
    // A youth who stays, with a parent of their own.
    assert_eq!(mentor.register_youth(&kept, kept_born, &[&kept_parent]).await.status, 201);

    // Checkpoints exported before the run, as a third party keeps them.
    let store = SqlStore::open(&app.database_url).await.unwrap();
    app.gateway().audit().checkpoint(ketenpoort::clock::now()).await.unwrap();
    let anchors = store.checkpoints().await.unwrap();
    assert!(!anchors.is_empty());
    let reference = app.known_youth(&bsn).await.unwrap().pseudonym;
    assert!(reference.is_reference());

    // A dry run changes nothing and counts what the real run then destroys.
    let at = two_days_on();
    let (rows, head) = (database::row_counts(&app.database_url).await, store.chain_head().await.unwrap());
    let dry = retention(&app, at, true).await;
    assert_eq!(database::row_counts(&app.database_url).await, rows, "a dry run writes nothing");
    assert_eq!(store.chain_head().await.unwrap(), head);
    let expected = RetentionCounts {
        involvements: 2,
        youths: 1,
        consents: 2,
        measures: 0,
        signals: 3,
        notices: 2,
        reports: 1,
        parents: 2,
    };
    assert_eq!(dry.destroyed, expected, "{dry:?}");
    let run = retention(&app, at, false).await;
    assert_eq!((run.destroyed, run.kept_after_all, run.dry_run), (expected, 0, false), "{run:?}");

    // Unknown by BSN: a registration without a birth date is asked for one, as for a stranger.
    assert!(app.known_youth(&bsn).await.is_none());
    let stranger = mentor.post("/involvements", json!({ "bsn": bsn, "purpose": "care_coordination" })).await;
    assert_eq!(stranger.status, 422, "{}", stranger.body);
    assert!(app.known_youth(&kept).await.is_some(), "the other youth stays");

    // No row anywhere holds the youth's pseudonym under any key, birth date or parents; the
    // youth who stays is still found by the same search.
    let mut personal: Vec<String> = app.pseudonyms(&bsn).into_iter().map(|p| p.value).collect();
    personal.push(born.to_owned());
    for parent in &parents {
        personal.extend(app.pseudonyms(parent).into_iter().map(|p| p.value));
    }
    let needles: Vec<&str> = personal.iter().map(String::as_str).collect();
    assert_eq!(database::columns_holding_any(&app.database_url, &needles).await, [], "rows left of the youth");
    assert_eq!(database::columns_holding(&app.database_url, kept_born).await, [("youths".into(), "birth_date".into())]);
    let kept_parent = &app.pseudonyms(&kept_parent)[0].value;
    assert_eq!(
        database::columns_holding(&app.database_url, kept_parent).await,
        [("youth_parents".into(), "pseudonym".into())]
    );

    // The destruction is audited by the youth's random reference and nothing personal; the
    // chain, anchors included, is intact.
    let entries = app.audit_entries().await;
    let destroyed: Vec<_> = entries.iter().filter(|e| e.event == AuditEvent::YouthDestroyed).collect();
    assert_eq!(destroyed.len(), 1);
    assert_eq!(destroyed[0].youth.as_ref(), Some(&reference));
    assert_eq!((destroyed[0].actor.org.as_deref(), destroyed[0].actor.account.as_deref()), (None, None));
    let involvements: HashSet<&str> = entries
        .iter()
        .filter(|e| e.event == AuditEvent::InvolvementDestroyed)
        .filter_map(|e| e.subject.as_deref())
        .collect();
    assert_eq!(involvements, HashSet::from([ours, id]));
    let key = ketenpoort::keys::load_public(&app.keys).unwrap();
    let intact = ketenpoort::audit::verify_with(&store, &key, &anchors, &mut |_| {}).await.unwrap().unwrap();
    assert_eq!((intact.entries, intact.anchors), (entries.len() as u64, anchors.len() as u64));

    // Replay still runs over the log that is kept.
    let replayed = app.gateway().replay(&*app.gateway().policy(), OffsetDateTime::UNIX_EPOCH).await.unwrap();
    assert!(replayed.facts_destroyed > 0, "decisions about the destroyed youth are counted as such: {replayed:?}");
    assert!(replayed.replayed + replayed.facts_destroyed >= 6, "{replayed:?}");

    // Neither the disclosure report nor an auditor's search by the BSN finds the youth's
    // entries, and looking leaves no row holding their pseudonym either.
    let auditor = professional_auditor();
    let scope = ketenpoort::audit::AuditScope::Org(OrgId("lyceum-noord".into()));
    let looked_for = app.gateway().youth_for_audit(&app.pseudonyms(&bsn), born.parse().unwrap()).await.unwrap();
    let occasion = Occasion::at(ketenpoort::clock::now());
    let report = app.gateway().disclosure_report(&auditor, &scope, &looked_for, true, &occasion).await.unwrap();
    assert!(report.is_empty(), "{report:?}");
    let found = app.auditor().post("/audit/search", json!({ "bsn": bsn, "birth_date": born })).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.body["entries"], json!([]), "the auditor's search by the destroyed youth's BSN");
    assert_eq!(
        database::columns_holding_any(&app.database_url, &needles).await,
        [],
        "rows holding the youth's pseudonym after the auditor looked"
    );
}

/// The auditor of Lyceum Noord as the library takes them.
fn professional_auditor() -> ketenpoort::identity::Principal {
    ketenpoort::identity::Principal {
        account: Some("auditor@lyceum-noord".into()),
        role: Some(ketenpoort::framework::Role::Auditor),
        ..professional("lyceum-noord")
    }
}

/// What an exchange of the concurrency test records when acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Made {
    Involvement,
    Consent,
    Signal,
}

/// One exchange sent during the retention run, and what came of it.
#[derive(Debug)]
struct Sent {
    made: Made,
    bsn: String,
    request_id: String,
    status: u16,
    /// The id of the involvement, consent or signal it recorded (2xx only).
    id: Option<String>,
    /// The error code and message of a refusal.
    refused: Option<String>,
    answered_at: Instant,
}

async fn send(http: reqwest::Client, url: String, body: Value, made: Made, request_id: String) -> Sent {
    let bsn = body["bsn"].as_str().unwrap().to_owned();
    let response = http.post(url).header("x-request-id", &request_id).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let id = body["id"].as_str().map(str::to_owned).filter(|_| (200..300).contains(&status));
    let refused = body["error"].as_str().map(|code| format!("{code}: {}", body["message"]));
    Sent { made, bsn, request_id, status, id, refused, answered_at: Instant::now() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_during_exchanges_loses_nothing_acknowledged_and_keeps_a_youth_rescued_in_time() {
    let app = spawn_app_with(|config| ketenpoort::config::Config {
        daily_retention: false,
        limits: ketenpoort::config::LimitsConfig { per_org_per_second: 0, ..config.limits.clone() },
        ..config
    })
    .await;
    let (mentor, worker) = (app.mentor(), app.family_worker());
    const DOOMED: u64 = 40;
    // The first of the doomed are rescued by a registration, the next by a consent.
    const BY_REGISTRATION: u64 = 10;
    const BY_CONSENT: u64 = 5;
    let doomed: Vec<String> = (0..DOOMED).map(|n| made_up_bsn(100 + n)).collect();
    let live: Vec<String> = (0..6).map(|n| made_up_bsn(200 + n)).collect();
    // Doomed: registered three days ago and withdrawn as unjustified, nothing to keep now and
    // past the grace of a day for new enrolments, which today's youths are not.
    let (three_days_ago, now) = (ketenpoort::clock::now() - time::Duration::days(3), ketenpoort::clock::now());
    let lyceum = professional("lyceum-noord");
    let mut enrolled = HashMap::new();
    for bsn in &doomed {
        let id = register_at(&app, "lyceum-noord", bsn, "2012-10-10", three_days_ago).await;
        let youth = app.known_youth(bsn).await.unwrap();
        let withdrawn = Occasion::at(three_days_ago + time::Duration::hours(1));
        app.gateway()
            .withdraw_involvement(&lyceum, &youth, &id, WithdrawalReason::Unjustified, &withdrawn)
            .await
            .unwrap();
        enrolled.insert(bsn.clone(), youth.id);
    }
    for bsn in &live {
        assert_eq!(mentor.register_youth(bsn, "2011-11-11", &[]).await.status, 201);
        assert_eq!(worker.register_youth(bsn, "2011-11-11", &[]).await.status, 201);
    }

    // The run and the exchanges at once: registrations and consents that rescue doomed youths
    // (some at once, some a little later), registrations of new youths, signals and consents
    // for youths who stay.
    let url = |path: &str| app.url(&format!("/api/v1{path}"));
    let consent = |bsn: &str, born: &str| {
        json!({ "bsn": bsn, "birth_date": born, "given_by": "youth", "recipient_kinds": ["school"],
            "signals": ["help_started"], "purposes": ["care_coordination"], "valid_from": "2026-01-01T00:00:00Z" })
    };
    let mut planned: Vec<(reqwest::Client, String, Value, Made, String, u64)> = Vec::new();
    for (n, bsn) in doomed.iter().enumerate().take((BY_REGISTRATION + BY_CONSENT) as usize) {
        let n = n as u64;
        let delay = (n % 5) * 15;
        if n < BY_REGISTRATION {
            let body = json!({ "bsn": bsn, "birth_date": "2012-10-10", "purpose": "care_coordination" });
            planned.push((
                worker.http.clone(),
                url("/involvements"),
                body,
                Made::Involvement,
                format!("rescue-{n}"),
                delay,
            ));
        } else {
            let body = consent(bsn, "2012-10-10");
            planned.push((worker.http.clone(), url("/consents"), body, Made::Consent, format!("rescue-{n}"), delay));
        }
    }
    for (n, bsn) in live.iter().enumerate() {
        let ask =
            json!({ "bsn": bsn, "signal": "feedback_request", "to": "buurtteam-oost", "purpose": "care_coordination" });
        planned.push((mentor.http.clone(), url("/signals"), ask, Made::Signal, format!("signal-{n}"), 0));
        let body = consent(bsn, "2011-11-11");
        planned.push((worker.http.clone(), url("/consents"), body, Made::Consent, format!("consent-{n}"), 20));
    }
    for n in 0..10u64 {
        let body = json!({ "bsn": made_up_bsn(300 + n), "birth_date": "2014-01-01", "purpose": "care_coordination" });
        planned.push((mentor.http.clone(), url("/involvements"), body, Made::Involvement, format!("new-{n}"), n * 5));
    }

    let gateway = app.gateway().clone();
    let running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let started = Instant::now();
    let run = tokio::spawn({
        let running = running.clone();
        async move {
            let report = gateway.run_retention(now, false).await.unwrap();
            running.store(false, std::sync::atomic::Ordering::SeqCst);
            (report, Instant::now())
        }
    });
    // Beside the planned ones, signals for the youths who stay for as long as the run runs.
    let background = tokio::spawn({
        let (http, url, live, running) = (mentor.http.clone(), url("/signals"), live.clone(), running.clone());
        async move {
            let mut sent = Vec::new();
            for n in 0..500 {
                let ask = json!({ "bsn": live[n % live.len()], "signal": "feedback_request", "to": "buurtteam-oost",
                    "purpose": "care_coordination" });
                sent.push(send(http.clone(), url.clone(), ask, Made::Signal, format!("background-{n}")).await);
                if !running.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
            }
            sent
        }
    });
    let exchanges: Vec<_> = planned
        .into_iter()
        .map(|(http, url, body, made, request_id, delay)| {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                send(http, url, body, made, request_id).await
            })
        })
        .collect();
    let mut sent = Vec::new();
    for exchange in exchanges {
        sent.push(exchange.await.unwrap());
    }
    sent.extend(background.await.unwrap());
    let (report, finished) = run.await.unwrap();
    let during = sent.iter().filter(|s| s.answered_at < finished).count();
    let conflicts: Vec<&Sent> = sent.iter().filter(|s| s.status == 409).collect();
    println!(
        "retention took {:?}; {during} of {} exchanges answered while it ran; \
         refused as conflicts: {conflicts:?}; {report:?}",
        finished - started,
        sent.len()
    );
    assert!(during > 0, "the exchanges ran beside the retention run");

    // Every exchange about a youth who stays, and every new youth's, is acknowledged; a rescue
    // may be refused as a conflict (its youth destroyed between look-up and write, a refusal
    // the partner system can retry). Every acknowledged one has its audit entry and its effect.
    let store = app.gateway().store();
    let logged: HashSet<String> = app.audit_entries().await.into_iter().map(|e| e.request_id).collect();
    let mut rescued = HashMap::new();
    for s in &sent {
        let rescue = s.request_id.starts_with("rescue-");
        let conflict = s.status == 409 && s.refused.as_deref().is_some_and(|r| r.starts_with("conflict: "));
        assert!(s.id.is_some() || (rescue && conflict), "{s:?}");
        let Some(id) = &s.id else { continue };
        assert!(logged.contains(&s.request_id), "acknowledged {s:?} is in the log");
        let youth = app.known_youth(&s.bsn).await.unwrap_or_else(|| panic!("acknowledged {s:?}: youth gone"));
        let youth_of_effect = match s.made {
            Made::Signal => store.delivered_signal(id).await.unwrap().map(|d| d.youth),
            Made::Involvement => store.fact_owner(FactKind::Involvement, id).await.unwrap().map(|o| o.youth),
            Made::Consent => store.fact_owner(FactKind::Consent, id).await.unwrap().map(|o| o.youth),
        };
        assert_eq!(youth_of_effect, Some(youth.id), "{s:?}: its effect, with its youth");
        if rescue {
            rescued.insert(s.bsn.clone(), youth.id);
        }
    }
    // The doomed youths no exchange rescued are gone; every rescued one is known, as the youth
    // they were (rescued in time) or enrolled anew (rescued after the run destroyed them).
    let (mut gone, mut in_time) = (0, 0);
    for bsn in &doomed {
        match (app.known_youth(bsn).await, rescued.get(bsn)) {
            (None, None) => gone += 1,
            (Some(youth), Some(id)) => {
                assert_eq!(youth.id, *id);
                in_time += usize::from(youth.id == enrolled[bsn]);
            }
            (known, rescue) => panic!("{bsn}: known as {:?}, rescued as {rescue:?}", known.map(|y| y.id)),
        }
    }
    assert!(gone >= (DOOMED - BY_REGISTRATION - BY_CONSENT) as usize, "{gone}");
    assert_eq!(report.destroyed.youths, (doomed.len() - in_time) as u64, "{report:?}");
    assert_eq!(report.destroyed.involvements, DOOMED, "every withdrawn involvement, rescued youth or not");
    assert_eq!(app.verify().await.entries, app.audit_entries().await.len() as u64);
}
