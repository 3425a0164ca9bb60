//! Decision latency: Ketenpoort's `decide` (compiled rule index + facts in memory) beside
//! cedar-policy deciding the same request under the same rules written in Cedar, for the
//! default table (R1–R9) and a regional table of 10,000 rule lines. Criterion measures the
//! means; a second pass times single calls for the p50 and p99 that BENCHMARKS.md reports, as
//! `FIGURE name value` lines that scripts/bench collects.

use std::hint::black_box;
use std::str::FromStr;
use std::time::Instant;

use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicySet, Request, RestrictedExpression};
use criterion::{Criterion, criterion_group};
use ketenpoort::framework::vocabulary::{Action, OrgKind, Purpose, REFERENCE_INDEX, Role, Signal};
use ketenpoort::framework::{
    Consent, Consenter, ExchangeRequest, Involvement, OrgId, Party, RuleBook, YouthFacts, decide, default_expiry,
};
use ketenpoort::policy::{DEFAULT_MODEL, DEFAULT_RULES, Policy, parse_table};
use time::macros::datetime;

/// The family worker of a neighbourhood team tells the school that help started, on the
/// youth's and the parent's consent: allowed by R3.
fn request() -> ExchangeRequest {
    ExchangeRequest::new(
        Party { org: "buurtteam-oost".into(), kind: OrgKind::NeighbourhoodTeam },
        Role::FamilyWorker,
        Action::Send,
        Signal::HelpStarted,
        Some(Party { org: "lyceum-noord".into(), kind: OrgKind::School }),
        Purpose::CareCoordination,
        None,
    )
    .expect("a valid request")
}

fn facts() -> YouthFacts {
    let registered = datetime!(2026-01-05 9:00 UTC);
    let involvement = |org: &str| Involvement {
        id: format!("i-{org}"),
        org: org.into(),
        registered_at: registered,
        expires_at: default_expiry(registered),
        withdrawn_at: None,
        withdrawal: None,
        historic_match_sent: false,
    };
    let consent = |given_by| Consent {
        id: format!("c-{given_by:?}"),
        given_by,
        holder: OrgId::from("buurtteam-oost"),
        recipient_orgs: vec![],
        recipient_kinds: vec![OrgKind::School],
        signals: vec![Signal::HelpStarted, Signal::HelpOngoing, Signal::HelpEnded],
        purposes: vec![Purpose::CareCoordination],
        valid_from: registered,
        valid_until: None,
        revoked_at: None,
    };
    YouthFacts {
        birth_date: "2012-03-15".parse().expect("a date"),
        involvements: vec![involvement("lyceum-noord"), involvement("buurtteam-oost")],
        measures: vec![],
        consents: vec![consent(Consenter::Youth), consent(Consenter::Parent)],
        reports: vec![],
        died_at: None,
    }
}

/// A regional table of `n` rule lines: R1–R9, then regional agreements as privacy officers
/// write them — each for a few roles, org kinds, signals and recipient kinds and one purpose
/// (some with `* except`) — the same on every run.
fn regional_rules(n: usize) -> String {
    let mut state = 0x6b65_7465_6e70_6f6fu64;
    let mut next = |below: usize| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % below
    };
    let mut column = |words: &[&str], most: usize| {
        let list = (0..1 + next(most)).map(|_| words[next(words.len())]).collect::<Vec<_>>().join(" ");
        if next(10) == 0 { format!("* except {list}") } else { list }
    };
    let professional: Vec<&str> = Role::ALL.iter().filter(|r| r.is_professional()).map(|r| r.as_str()).collect();
    let recipients: Vec<&str> = OrgKind::WORDS.iter().copied().chain([REFERENCE_INDEX]).collect();
    let mut text = DEFAULT_RULES.to_owned();
    for rule in 9..n {
        text.push_str(&format!(
            "p, X{rule}, {}, {}, send, {}, {}, {}, consent\n",
            column(&professional, 2),
            column(OrgKind::WORDS, 2),
            column(Signal::WORDS, 2),
            column(&recipients, 3),
            column(Purpose::WORDS, 1),
        ));
    }
    text
}

/// The same table in Cedar: one `permit` per rule line, its id as `@id`, each column a
/// condition on the request's context.
fn cedar_policies(rules: &str) -> PolicySet {
    let condition = |attribute: &str, column: &str| -> Option<String> {
        let list = |words: &str| {
            format!("[{}]", words.split_whitespace().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", "))
        };
        match column.strip_prefix('*') {
            Some(rest) => rest
                .trim()
                .strip_prefix("except")
                .map(|words| format!("!{}.contains(context.{attribute})", list(words))),
            None => Some(format!("{}.contains(context.{attribute})", list(column))),
        }
    };
    let mut text = String::new();
    for rule in parse_table(rules).expect("a valid table") {
        let c = &rule.columns;
        let mut conditions = vec![format!("context.action == \"{}\"", c[3])];
        for (attribute, column) in
            [("role", &c[1]), ("org_kind", &c[2]), ("signal", &c[4]), ("recipient_kind", &c[5]), ("purpose", &c[6])]
        {
            conditions.extend(condition(attribute, column));
        }
        text.push_str(&format!(
            "@id(\"{}\")\npermit(principal, action, resource) when {{ {} }};\n",
            c[0],
            conditions.join(" && ")
        ));
    }
    PolicySet::from_str(&text).expect("the Cedar translation parses")
}

fn cedar_request(request: &ExchangeRequest) -> Request {
    let text = |value: &str| RestrictedExpression::new_string(value.to_owned());
    let context = Context::from_pairs([
        ("role".to_owned(), text(request.role.as_str())),
        ("org_kind".to_owned(), text(request.actor.kind.as_str())),
        ("action".to_owned(), text(request.action.as_str())),
        ("signal".to_owned(), text(request.signal.as_str())),
        ("recipient_kind".to_owned(), text(request.recipient_kind())),
        ("purpose".to_owned(), text(request.purpose.as_str())),
    ])
    .expect("a context");
    let uid = |text: &str| EntityUid::from_str(text).expect("an entity uid");
    Request::new(uid("Org::\"buurtteam-oost\""), uid("Action::\"exchange\""), uid("Youth::\"y\""), context, None)
        .expect("a request")
}

struct Case {
    name: &'static str,
    policy: Policy,
    cedar: PolicySet,
}

fn cases() -> Vec<Case> {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let regional = regional_rules(10_000);
    vec![
        Case {
            name: "default",
            policy: runtime.block_on(Policy::load(DEFAULT_MODEL, DEFAULT_RULES)).expect("the default policy"),
            cedar: cedar_policies(DEFAULT_RULES),
        },
        Case {
            name: "10000_lines",
            policy: runtime.block_on(Policy::load(DEFAULT_MODEL, &regional)).expect("the regional policy"),
            cedar: cedar_policies(&regional),
        },
    ]
}

fn bench(c: &mut Criterion) {
    let (request, facts, now) = (request(), facts(), datetime!(2026-11-23 10:00 UTC));
    let cedar_request = cedar_request(&request);
    let (authorizer, entities) = (Authorizer::new(), Entities::empty());
    let mut group = c.benchmark_group("decision");
    for case in cases() {
        let ours = decide(&request, &facts, &case.policy, now).expect("a decision");
        let theirs = authorizer.is_authorized(&cedar_request, &case.cedar, &entities);
        // The same rules match in both: the comparison is fair.
        // PolicySet::from_str names policies policy0, policy1, …; the rule id is the @id.
        let mut cedar_ids: Vec<String> = theirs
            .diagnostics()
            .reason()
            .filter_map(|id| case.cedar.policy(id).and_then(|p| p.annotation("id")).map(str::to_owned))
            .collect();
        cedar_ids.sort();
        let mut our_ids = ours.matched_rules.clone();
        our_ids.sort();
        assert_eq!(our_ids, cedar_ids, "{}: the same rules match", case.name);
        println!("FIGURE decision_{}_matched_rules {}", case.name, our_ids.len());
        group.bench_function(format!("ketenpoort/{}", case.name), |b| {
            b.iter(|| decide(black_box(&request), black_box(&facts), &case.policy, now))
        });
        group.bench_function(format!("cedar/{}", case.name), |b| {
            b.iter(|| authorizer.is_authorized(black_box(&cedar_request), &case.cedar, &entities))
        });
        percentiles(case.name, &case.policy, &case.cedar, &request, &facts, &cedar_request);
        assert!(case.policy.version().len() == 16);
    }
    group.finish();
}

/// Single calls timed one by one: p50 and p99 in nanoseconds, for BENCHMARKS.md.
fn percentiles(
    name: &str,
    policy: &Policy,
    cedar: &PolicySet,
    request: &ExchangeRequest,
    facts: &YouthFacts,
    cedar_request: &Request,
) {
    // Up to 200,000 calls, or as many as fit in three seconds (at least 1,000).
    const MOST: usize = 200_000;
    let now = datetime!(2026-11-23 10:00 UTC);
    let (authorizer, entities) = (Authorizer::new(), Entities::empty());
    let time = |run: &mut dyn FnMut()| {
        let budget = Instant::now();
        let mut samples: Vec<u128> = Vec::with_capacity(MOST);
        while samples.len() < MOST && (samples.len() < 1_000 || budget.elapsed().as_secs() < 3) {
            let start = Instant::now();
            run();
            samples.push(start.elapsed().as_nanos());
        }
        samples.sort_unstable();
        (samples[samples.len() / 2], samples[samples.len() * 99 / 100])
    };
    let ours = time(&mut || {
        black_box(decide(black_box(request), black_box(facts), policy, now).ok());
    });
    let theirs = time(&mut || {
        black_box(authorizer.is_authorized(black_box(cedar_request), cedar, &entities));
    });
    let query = ketenpoort::framework::RuleQuery {
        role: request.role,
        org_kind: request.actor.kind,
        action: request.action,
        signal: request.signal,
        recipient_kind: request.recipient_kind(),
        purpose: request.purpose,
    };
    let lookup = time(&mut || {
        black_box(policy.matching(black_box(&query)).ok());
    });
    println!("FIGURE rule_lookup_{name}_p99_ns {}", lookup.1);
    println!("FIGURE decision_{name}_ketenpoort_p50_ns {}", ours.0);
    println!("FIGURE decision_{name}_ketenpoort_p99_ns {}", ours.1);
    println!("FIGURE decision_{name}_cedar_p50_ns {}", theirs.0);
    println!("FIGURE decision_{name}_cedar_p99_ns {}", theirs.1);
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
