//! The authorization matrix: every route of the API and of the pages, called by every kind of
//! caller, with the outcome each must get written down in a table below, read top to bottom.
//!
//! The routes are read from the source (`.route("…", get(…).post(…))` in `src/`), so a route
//! added without a row fails this test: deny by default starts with knowing every door. Every
//! cell is checked against one demo app; all failing cells are named together.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use ketenpoort::audit::AuditActor;
use ketenpoort::exchange::Occasion;
use ketenpoort::framework::{OrgId, OrgKind, Role};
use ketenpoort::store::Account;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Certificate, Identity, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{BIRTH_DATE, BSN, TestApp, certs_dev, demo_app};

// Legend of the cells.
//   API (JSON error code after the status):
//     200 201   done                       401c  401 certificate_required
//     401a  401 actor_required             403u  403 unknown_actor (an account of another org)
//     403f  403 forbidden (not this role)  403n  403 not_an_auditor
//     403d  403 denied (the rule table refused, audited as a decision)
//     403r  403 no_relationship            404   404 not_found (also: another org's, unnamed)
//     409l  409 case_lead
//   Pages:
//     200   the page, and the change done (its confirmation shown) where the row changes something
//     200x  the page, showing why nothing was changed
//     303s  to /signin   303a  to /app   303y  to /app/youth?
//     308   to the favicon's fingerprinted address
//     403 404 409   the error page with that status
//
// A `target` names whose resource the id in the path is: see `fixtures`. Another
// organisation's resource answers 404, never 403: its existence is not disclosed.

/// Callers of the API: no certificate (actor header sent); Lyceum Noord's certificate without
/// an actor; Lyceum Noord's certificate naming Buurtteam Oost's family worker; then with their
/// own organisation's certificate: P mentor@lyceum-noord (school professional), G
/// youth_protector@gi-midden (certified institution), O privacy_officer@, A auditor@, D admin@
/// of Lyceum Noord, R auditor@jgz-utrecht (the operator's auditor: the whole log); S the
/// mentor's page session cookie and no certificate.
const API_COLUMNS: [&str; 10] = ["-", "C", "X", "P", "G", "O", "A", "R", "D", "S"];

const API_MATRIX: &str = "
# method path                          target             -    C    X    P    G    O    A    R    D    S
#
# The published description of the API: anyone.
GET    /api/v1/openapi.json            -                  200  200  200  200  200  200  200  200  200  200
#
# Everything else needs a registered certificate and an account of its organisation (a page
# session is no certificate). Exchanges are a professional's: an administrative role is refused
# before the rule table or any fact about the youth is consulted (as on the pages).
POST   /api/v1/involvements            -                  401c 401a 403u 201  201  403f 403f 403f 403f 401c
POST   /api/v1/signals                 -                  401c 401a 403u 201  201  403f 403f 403f 403f 401c
POST   /api/v1/decisions               -                  401c 401a 403u 200  200  403f 403f 403f 403f 401c
#
# Facts about a youth and the inbox: professionals only, of the organisation that holds them.
DELETE /api/v1/involvements/{id}       involvement.own    401c 401a 403u 200  404  403f 403f 403f 403f 401c
GET    /api/v1/inbox                   -                  401c 401a 403u 200  200  403f 403f 403f 403f 401c
POST   /api/v1/consents                -                  401c 401a 403u 201  201  403f 403f 403f 403f 401c
POST   /api/v1/consents/{id}/revoke    consent.api        401c 401a 403u 200  404  403f 403f 403f 403f 401c
POST   /api/v1/consents/{id}/revoke    consent.other      401c 401a 403u 404  404  403f 403f 403f 403f 401c
#
# Measures: professionals of a certified institution only, each its own measures.
POST   /api/v1/measures                -                  401c 401a 403u 403f 201  403f 403f 403f 403f 401c
POST   /api/v1/measures/{id}/end       measure.own        401c 401a 403u 403f 200  403f 403f 403f 403f 401c
POST   /api/v1/measures/{id}/end       measure.other      401c 401a 403u 403f 404  403f 403f 403f 403f 401c
#
# The case: professionals of an involved organisation; only the lead (the school, since the
# setup) names the lead, so the institution may not take it.
POST   /api/v1/cases/view              -                  401c 401a 403u 200  200  403f 403f 403f 403f 401c
POST   /api/v1/cases/view              youth.unrelated    401c 401a 403u 403r 403r 403f 403f 403f 403f 401c
POST   /api/v1/cases/lead              -                  401c 401a 403u 200  409l 403f 403f 403f 403f 401c
# The youth's death: a professional of an organisation with a relationship (the school; the
# institution has none with this youth).
POST   /api/v1/cases/death             -                  401c 401a 403u 200  403r 403f 403f 403f 403f 401c
#
# The audit log: auditors only, within their organisation's part (the operator's: all of it).
GET    /api/v1/audit                   -                  401c 401a 403u 403n 403n 403n 200  200  403n 401c
POST   /api/v1/audit/search            -                  401c 401a 403u 403n 403n 403n 200  200  403n 401c
GET    /api/v1/audit/{seq}             entry.own          401c 401a 403u 403n 403n 403n 200  200  403n 401c
GET    /api/v1/audit/{seq}             entry.other        401c 401a 403u 403n 403n 403n 404  200  403n 401c
";

/// Callers of the pages: no session; T the mentor's client certificate and actor header but no
/// session; signed in with the demo sign-in: P mentor@lyceum-noord, G youth_protector@gi-midden,
/// O privacy_officer@, A auditor@, D admin@ of Lyceum Noord; R auditor@ and M admin@ of
/// jgz-utrecht, the organisation that runs the gateway. Every form carries the caller's own
/// session token, so a refusal below is the role's, not the CSRF check's.
const PAGE_COLUMNS: [&str; 9] = ["-", "T", "P", "G", "O", "A", "R", "D", "M"];

const PAGE_MATRIX: &str = "
# method path                          target             -    T    P    G    O    A    R    D    M
#
# Public: health for the load balancer, the style sheet, the way in. The redirects lead to
# pages that check the session themselves.
GET    /healthz                        -                  200  200  200  200  200  200  200  200  200
GET    /readyz                         -                  200  200  200  200  200  200  200  200  200
GET    /metrics                        -                  200  200  200  200  200  200  200  200  200
GET    /static/{name}                  asset.stylesheet   200  200  200  200  200  200  200  200  200
GET    /static/{name}                  asset.unknown      404  404  404  404  404  404  404  404  404
GET    /favicon.ico                    -                  308  308  308  308  308  308  308  308  308
GET    /                               -                  303a 303a 303a 303a 303a 303a 303a 303a 303a
GET    /signin                         -                  200  200  200  200  200  200  200  200  200
# The demo sign-in (only `ketenpoort demo` has it) signs anyone in as the mentor here; without
# a provider configured, the OpenID Connect steps refuse.
POST   /signin/demo                    -                  303a 303a 303a 303a 303a 303a 303a 303a 303a
GET    /signin/oidc/{provider}         provider.none      403  403  403  403  403  403  403  403  403
GET    /signin/oidc/callback           -                  403  403  403  403  403  403  403  403  403
# Signing out needs a session (each cell signs out a session of its own).
POST   /signout                        -                  303s 303s 303s 303s 303s 303s 303s 303s 303s
#
# The professionals' pages: professionals only; a request is answered only by the
# organisation it was addressed to, a consent revoked only by the organisation holding it.
GET    /app                            -                  303s 303s 200  200  403  403  403  403  403
GET    /app/youth                      -                  303s 303s 200  200  403  403  403  403  403
POST   /app/youth                      -                  303s 303s 200  200  403  403  403  403  403
GET    /app/register                   -                  303y 303y 303y 303y 303y 303y 303y 303y 303y
POST   /app/register                   -                  303s 303s 200  200  403  403  403  403  403
GET    /app/ask                        -                  303y 303y 303y 303y 303y 303y 303y 303y 303y
POST   /app/ask                        -                  303s 303s 200  200  403  403  403  403  403
GET    /app/answer/{id}                request.own        303s 303s 200  404  403  403  403  403  403
GET    /app/answer/{id}                request.other      303s 303s 404  404  403  403  403  403  403
POST   /app/answer/{id}                request.own        303s 303s 200  404  403  403  403  403  403
POST   /app/answer/{id}                request.other      303s 303s 404  404  403  403  403  403  403
GET    /app/consent                    -                  303s 303s 200  200  403  403  403  403  403
POST   /app/consent                    -                  303s 303s 200  200  403  403  403  403  403
POST   /app/consent/form               -                  303s 303s 200  200  403  403  403  403  403
POST   /app/consent/{id}/revoke        consent.page       303s 303s 200  404  403  403  403  403  403
POST   /app/consent/{id}/revoke        consent.other      303s 303s 404  404  403  403  403  403  403
# The life of a registration (§8): an involvement is ended only by its own organisation (another's
# is as good as none); the death is recorded only by an organisation with a relationship (the
# school; the institution has none with this youth).
GET    /app/involvement/{id}/withdraw  involvement.page   303y 303y 303y 303y 303y 303y 303y 303y 303y
POST   /app/involvement/{id}/withdraw  involvement.page   303s 303s 200  404  403  403  403  403  403
POST   /app/involvement/{id}/withdraw  involvement.other  303s 303s 404  404  403  403  403  403  403
GET    /app/death                      -                  303y 303y 303y 303y 303y 303y 303y 303y 303y
POST   /app/death                      -                  303s 303s 200  403  403  403  403  403  403
GET    /app/report                     -                  303y 303y 303y 303y 303y 303y 303y 303y 303y
POST   /app/report                     -                  303s 303s 200  200  403  403  403  403  403
#
# The privacy officers' pages: privacy officers only. The rule table is the region's, one
# for all: any privacy officer approves a colleague's draft, also one of another organisation
# (four eyes, never the author's own). The review queue is the officer's own organisation's.
GET    /policy                         -                  303s 303s 403  403  200  403  403  403  403
POST   /policy/{id}/approve            policy.draft       303s 303s 403  403  200  403  403  403  403
POST   /policy/{id}/activate           policy.approved    303s 303s 403  403  200  403  403  403  403
POST   /policy/{id}/test               policy.active      303s 303s 403  403  200  403  403  403  403
GET    /policy/{id}/replay             policy.active      303s 303s 403  403  200  403  403  403  403
POST   /policy/remove                  -                  303s 303s 403  403  200  403  403  403  403
POST   /policy/rule                    -                  303s 303s 403  403  200  403  403  403  403
GET    /review                         -                  303s 303s 403  403  200  403  403  403  403
POST   /review/{seq}                   review.own         303s 303s 403  403  200  403  403  403  403
POST   /review/{seq}                   review.other       303s 303s 403  403  404  403  403  403  403
#
# The auditors' pages: auditors only, within their organisation's part of the log.
GET    /audit                          -                  303s 303s 403  403  403  200  200  403  403
POST   /audit                          -                  303s 303s 403  403  403  200  200  403  403
GET    /audit/entry/{seq}              entry.own          303s 303s 403  403  403  200  200  403  403
GET    /audit/entry/{seq}              entry.other        303s 303s 403  403  403  404  200  403  403
POST   /audit/report                   -                  303s 303s 403  403  403  200  200  403  403
POST   /audit/export                   -                  303s 303s 403  403  403  200  200  403  403
POST   /audit/verify                   -                  303s 303s 403  403  403  200  200  403  403
#
# Administration: administrators, each of their own organisation; an account or certificate
# of another organisation is not theirs to change (another's account is as good as none). The
# organisations of the region: the operator's administrators only. Disabling (confirmed) is
# refused for one's own account and for the operator's organisation.
GET    /admin                          -                  303s 303s 403  403  403  403  403  200  200
POST   /admin/accounts                 account.new        303s 303s 403  403  403  403  403  200  200
POST   /admin/accounts                 account.other      303s 303s 403  403  403  403  403  409  409
POST   /admin/accounts/disable         account.spare      303s 303s 403  403  403  403  403  200  200
POST   /admin/accounts/disable         account.other      303s 303s 403  403  403  403  403  404  404
POST   /admin/accounts/disable         account.own        303s 303s 403  403  403  403  403  403  403
POST   /admin/certificates             cert.new           303s 303s 403  403  403  403  403  200  200
POST   /admin/certificates             cert.other         303s 303s 403  403  403  403  403  409  409
POST   /admin/certificates/disable     cert.spare         303s 303s 403  403  403  403  403  200  200
POST   /admin/certificates/disable     cert.other         303s 303s 403  403  403  403  403  404  404
POST   /admin/orgs                     -                  303s 303s 403  403  403  403  403  403  200
POST   /admin/orgs/disable             -                  303s 303s 403  403  403  403  403  403  200
POST   /admin/orgs/disable             org.operator       303s 303s 403  403  403  403  403  403  403
# Each professional chooses how they hear of notices by e-mail, and each privacy officer of the
# exchanges waiting for their review; auditors and administrators are told of nothing.
GET    /settings                       -                  303s 303s 200  200  200  403  403  403  403
POST   /settings                       -                  303s 303s 200  200  200  403  403  403  403
# An administrator sets their own organisation's webhook, or removes the one it has.
POST   /admin/webhook                  -                  303s 303s 403  403  403  403  403  200  200
POST   /admin/webhook/remove           -                  303s 303s 403  403  403  403  403  200  200
";

/// Each caller's organisation and account (None: no certificate, or no session).
fn api_caller(column: &str) -> (Option<&'static str>, Option<&'static str>) {
    match column {
        "-" => (None, Some("mentor@lyceum-noord")),
        "C" => (Some("lyceum-noord"), None),
        "X" => (Some("lyceum-noord"), Some("family_worker@buurtteam-oost")),
        "P" => (Some("lyceum-noord"), Some("mentor@lyceum-noord")),
        "G" => (Some("gi-midden"), Some("youth_protector@gi-midden")),
        "O" => (Some("lyceum-noord"), Some("privacy_officer@lyceum-noord")),
        "A" => (Some("lyceum-noord"), Some("auditor@lyceum-noord")),
        "R" => (Some("jgz-utrecht"), Some("auditor@jgz-utrecht")),
        "D" => (Some("lyceum-noord"), Some("admin@lyceum-noord")),
        _ => (None, None), // S: a session cookie only
    }
}

fn page_account(column: &str) -> Option<&'static str> {
    match column {
        "P" => Some("mentor@lyceum-noord"),
        "G" => Some("youth_protector@gi-midden"),
        "O" => Some("privacy_officer@lyceum-noord"),
        "A" => Some("auditor@lyceum-noord"),
        "R" => Some("auditor@jgz-utrecht"),
        "D" => Some("admin@lyceum-noord"),
        "M" => Some("admin@jgz-utrecht"),
        _ => None,
    }
}

/// The JSON body of an API row ($NAME: a fixture; $ORG: the caller's organisation).
fn api_body(method: &str, path: &str, target: &str) -> Option<&'static str> {
    Some(match (method, path, target) {
        ("POST", "/api/v1/involvements", _) => r#"{"bsn": "$Y4", "birth_date": "$BD", "purpose": "care_coordination"}"#,
        ("POST", "/api/v1/signals" | "/api/v1/decisions", _) => {
            r#"{"bsn": "$Y0", "signal": "feedback_request", "to": "buurtteam-oost", "purpose": "care_coordination"}"#
        }
        ("POST", "/api/v1/consents", _) => {
            r#"{"bsn": "$Y0", "given_by": "parent", "recipient_kinds": ["neighbourhood_team"],
                "signals": ["help_started"], "purposes": ["care_coordination"], "valid_from": "2026-01-01T00:00:00Z"}"#
        }
        ("POST", "/api/v1/measures", _) => r#"{"bsn": "$Y0", "from": "2026-01-01T00:00:00Z"}"#,
        ("POST", "/api/v1/cases/view", "youth.unrelated") => r#"{"bsn": "$Y5"}"#,
        ("POST", "/api/v1/cases/view", _) => r#"{"bsn": "$Y0"}"#,
        ("POST", "/api/v1/cases/lead", _) => r#"{"bsn": "$Y6", "org": "$ORG"}"#,
        ("POST", "/api/v1/cases/death", _) => r#"{"bsn": "$Y8"}"#,
        ("POST", "/api/v1/audit/search", _) => r#"{"limit": 5}"#,
        ("POST", _, _) => "{}",
        _ => return None,
    })
}

/// The form of a page row (urlencoded, `$` as in `api_body`; the session token is added) and
/// the words the page shows when the change was done.
fn page_form(path: &str, target: &str) -> (&'static str, Option<&'static str>) {
    match (path, target) {
        ("/signout" | "/signin/demo", _) => ("", None),
        ("/app/youth" | "/app/register", _) => ("bsn=$Y3&birth_date=$BD", None),
        ("/app/ask", _) => ("bsn=$Y0&birth_date=&to=buurtteam-oost", None),
        ("/app/answer/{id}", _) => ("signal=help_started", None),
        ("/app/consent", _) => (
            "bsn=$Y0&birth_date=&given_by=youth&recipient_kind=school&signal=help_started&purpose=care_coordination\
             &valid_from=2026-01-01",
            Some("Toestemming vastgelegd."),
        ),
        ("/app/consent/form", _) => ("bsn=$Y0&birth_date=&given_by=parent&signal=help_started", Some("checked")),
        ("/app/consent/{id}/revoke", _) => ("confirm=yes", Some("Toestemming ingetrokken.")),
        ("/app/involvement/{id}/withdraw", _) => ("reason=objection&confirm=yes", Some("Betrokkenheid beëindigd")),
        ("/app/death", _) => ("bsn=$Y7&birth_date=&confirm=yes", Some("Overlijden vastgelegd")),
        ("/app/report", _) => ("bsn=$Y0&birth_date=&to=veilig-thuis&justification=zorgen", None),
        ("/policy/{id}/approve", _) => ("", Some("Versie $TARGET goedgekeurd.")),
        ("/policy/{id}/activate", _) => ("confirm=yes", Some("Versie $TARGET is nu actief")),
        ("/policy/{id}/test", _) => ("", Some(" geslaagd, ")),
        ("/policy/remove", _) => ("id=R9&confirm=yes", Some("opgeslagen: R9 verwijderd.")),
        ("/policy/rule", _) => (
            "id=R10&role=mentor&org_kind=school&action=send&signal=feedback_request&recipient_kind=youth_work\
             &purpose=care_coordination&basis=reference_index&note=matrix&confirm=yes",
            Some("opgeslagen: R10 toegevoegd."),
        ),
        ("/review/{seq}", _) => ("note=gezien", Some(" beoordeeld; uw notitie staat in het logboek.")),
        ("/audit", _) => ("order=newest", None),
        ("/audit/report", _) => ("bsn=$Y0&birth_date=$BD&format=", None),
        ("/audit/export", _) => ("format=csv", None),
        ("/admin/accounts", "account.other") => ("id=family_worker@buurtteam-oost&role=auditor&name=x", None),
        ("/admin/accounts", _) => {
            ("id=matrix@$ORG&role=auditor&name=Matrix", Some("Account Matrix (auditor) is opgeslagen."))
        }
        ("/admin/accounts/disable", "account.other") => ("id=family_worker@buurtteam-oost&confirm=yes", None),
        ("/admin/accounts/disable", "account.own") => ("id=admin@$ORG&confirm=yes", None),
        ("/admin/accounts/disable", _) => ("id=spare@$ORG&confirm=yes", Some("Account Spare is uitgeschakeld.")),
        ("/admin/certificates", _) => ("fingerprint=$TARGET_$ORG", Some("is geregistreerd voor")),
        ("/admin/certificates/disable", "cert.other") => ("id=$TARGET_$ORG&confirm=yes", None),
        ("/admin/certificates/disable", _) => ("id=$TARGET_$ORG&confirm=yes", Some("is uitgeschakeld; de API weigert")),
        ("/admin/orgs", _) => {
            ("id=matrix-new&kind=school&name=Matrix", Some("Organisatie Matrix (school) is opgeslagen."))
        }
        ("/admin/orgs/disable", "org.operator") => ("id=jgz-utrecht&confirm=yes", None),
        ("/admin/orgs/disable", _) => ("id=matrix-spare&confirm=yes", Some("Organisatie Spare is uitgeschakeld.")),
        ("/settings", _) => ("notify=daily_digest&lang=nl", Some("Uw keuze is opgeslagen.")),
        ("/admin/webhook", _) => ("url=https://partner.example/hook", Some("De webhook is ingesteld op")),
        ("/admin/webhook/remove", _) => ("", Some("De webhook is verwijderd")),
        _ => ("", None),
    }
}

/// One row of a table.
#[derive(Clone)]
struct Row {
    method: String,
    path: String,
    target: String,
    cells: Vec<String>,
}

fn parse(table: &str, columns: usize) -> Vec<Row> {
    table
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words.len(), 3 + columns, "a row of the matrix has one cell per caller: {line}");
            Row {
                method: words[0].into(),
                path: words[1].into(),
                target: words[2].into(),
                cells: words[3..].iter().map(|w| (*w).to_owned()).collect(),
            }
        })
        .collect()
}

/// Every (method, path) registered with `.route(…)` under `src/`; `src/api/` is nested under
/// `/api/v1`.
fn registered_routes() -> BTreeSet<(String, String)> {
    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut routes = BTreeSet::new();
    for file in all {
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests (at the end of a file) build routers of their own: not the service's.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let prefix = if file.starts_with(src.join("api")) { "/api/v1" } else { "" };
        for (method, path) in routes_in(text, &file) {
            routes.insert((method, format!("{prefix}{path}")));
        }
    }
    routes
}

/// The routes of one file: the path literal of each `.route(` and the methods of its method
/// router (`get(…).post(…)`), read at the router's own nesting level.
fn routes_in(text: &str, file: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let open = rest.find('"').unwrap();
        let close = open + 1 + rest[open + 1..].find('"').unwrap();
        let path = rest[open + 1..close].to_owned();
        let (mut depth, mut word, mut methods) = (0usize, String::new(), Vec::new());
        let (mut in_string, mut escaped) = (false, false);
        for c in rest[close + 1..].chars() {
            if in_string {
                match (escaped, c) {
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => escaped = false,
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '(' | '{' | '[' => {
                    if depth == 0 && !word.is_empty() {
                        methods.push(word.clone());
                    }
                    depth += 1;
                    word.clear();
                }
                ')' | '}' | ']' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                    word.clear();
                }
                c if c.is_alphanumeric() || c == '_' => word.push(c),
                _ => word.clear(),
            }
        }
        for method in &methods {
            assert!(
                ["get", "post", "put", "delete", "patch"].contains(&method.as_str()),
                "{}: route {path} uses `{method}(…)`, which this test cannot read: name each method",
                file.display()
            );
        }
        assert!(!methods.is_empty(), "{}: route {path} has no method this test can read", file.display());
        found.extend(methods.into_iter().map(|m| (m.to_uppercase(), path.clone())));
    }
    found
}

/// A client with redirects not followed, a cookie jar, and optionally a certificate and actor.
fn client(org: Option<&str>, actor: Option<&str>, jar: Arc<Jar>) -> reqwest::Client {
    let certs = certs_dev();
    let ca = Certificate::from_pem(&std::fs::read(certs.join("ca.crt")).unwrap()).unwrap();
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar);
    if let Some(org) = org {
        let mut pem = std::fs::read(certs.join(format!("{org}.key"))).unwrap();
        pem.extend(std::fs::read(certs.join(format!("{org}.crt"))).unwrap());
        builder = builder.identity(Identity::from_pem(&pem).unwrap());
    }
    if let Some(actor) = actor {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("ketenpoort-actor", actor.parse().unwrap());
        builder = builder.default_headers(headers);
    }
    builder.build().unwrap()
}

/// The form token of a page.
fn token(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    page[start..].split('"').next().unwrap().to_owned()
}

/// A signed-in person on the pages: the client (with its cookies) and the session's token.
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    jar: Arc<Jar>,
    csrf: String,
}

async fn sign_in(base: &str, account: &str) -> Session {
    let jar = Arc::new(Jar::default());
    let http = client(None, None, jar.clone());
    let page = http.get(format!("{base}/signin")).send().await.unwrap().text().await.unwrap();
    let signed_in = http
        .post(format!("{base}/signin/demo"))
        .form(&[("csrf", token(&page).as_str()), ("account", account)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{account} signs in");
    let home = signed_in.headers()["location"].to_str().unwrap().to_owned();
    let landing = http.get(format!("{base}{home}")).send().await.unwrap();
    assert_eq!(landing.status(), StatusCode::OK, "{account} lands on {home}");
    Session { http, jar, csrf: token(&landing.text().await.unwrap()) }
}

/// What a cell got.
struct Got {
    status: u16,
    error: String,
    location: String,
    body: String,
}

impl std::fmt::Display for Got {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.status)?;
        if !self.error.is_empty() {
            write!(f, " {}", self.error)?;
        }
        if !self.location.is_empty() {
            write!(f, " to {}", self.location)?;
        }
        Ok(())
    }
}

async fn got(response: reqwest::Response) -> Got {
    let status = response.status().as_u16();
    let location =
        response.headers().get("location").map(|v| v.to_str().unwrap_or_default().to_owned()).unwrap_or_default();
    let body = response.text().await.unwrap_or_default();
    let error = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_default();
    Got { status, error, location, body }
}

/// Whether an API cell got what its token says.
fn api_meets(token: &str, got: &Got) -> bool {
    let (status, code) = match token {
        "401c" => (401, "certificate_required"),
        "401a" => (401, "actor_required"),
        "403u" => (403, "unknown_actor"),
        "403f" => (403, "forbidden"),
        "403n" => (403, "not_an_auditor"),
        "403d" => (403, "denied"),
        "403r" => (403, "no_relationship"),
        "404" => (404, "not_found"),
        "409l" => (409, "case_lead"),
        "200" | "201" => return got.status.to_string() == token,
        other => panic!("unknown API cell `{other}`: see the legend"),
    };
    got.status == status && got.error == code
}

/// Whether a page cell got what its token says; `done`: the words of a change done, if any.
fn page_meets(token: &str, got: &Got, done: Option<&str>) -> bool {
    let shows_done = done.is_none_or(|words| got.body.contains(words));
    match token {
        "200" => got.status == 200 && shows_done,
        "200x" => got.status == 200 && done.is_some_and(|words| !got.body.contains(words)),
        "303s" => got.status == 303 && got.location == "/signin",
        "303a" => got.status == 303 && got.location == "/app",
        "303y" => got.status == 303 && got.location == "/app/youth?",
        "308" => got.status == 308 && got.location.starts_with("/static/favicon-"),
        "403" | "404" | "409" => got.status.to_string() == token,
        other => panic!("unknown page cell `{other}`: see the legend"),
    }
}

/// The names the rows use for resources, and what they stand for.
struct World {
    base: String,
    fixtures: HashMap<String, String>,
    /// The signed-in page callers, by column.
    sessions: HashMap<&'static str, Session>,
}

impl World {
    fn fill(&self, text: &str, org: &str) -> String {
        let mut text = text.replace("$ORG", org);
        // Longest names first: `$Y0` must not eat `$Y05`.
        let mut names: Vec<&String> = self.fixtures.keys().collect();
        names.sort_by_key(|name| std::cmp::Reverse(name.len()));
        for name in names {
            text = text.replace(&format!("${name}"), &self.fixtures[name]);
        }
        text
    }

    fn path(&self, row: &Row) -> String {
        let value = self.fixtures.get(&row.target).cloned().unwrap_or_default();
        let mut path = row.path.clone();
        for param in ["{id}", "{seq}", "{provider}", "{name}"] {
            path = path.replace(param, &value);
        }
        path
    }
}

/// A valid BSN (nine digits passing the elfproef), different for each `n`.
fn bsn(n: u32) -> String {
    (0..)
        .map(|i| format!("{:08}", 31_000_000 + n * 1_000 + i))
        .find_map(|first| {
            let sum: u32 = first.bytes().zip([9, 8, 7, 6, 5, 4, 3, 2]).map(|(d, w)| u32::from(d - b'0') * w).sum();
            let last = sum % 11;
            (last < 10).then(|| format!("{first}{last}"))
        })
        .unwrap()
}

/// A JSON call through the API, as `org`'s system for `account`: the body it answered.
async fn call(app: &TestApp, org: &str, account: &str, path: &str, body: Value) -> Value {
    let http = client(Some(org), Some(account), Arc::new(Jar::default()));
    let response = http.post(app.url(&format!("/api/v1{path}"))).json(&body).send().await.unwrap();
    let got = got(response).await;
    assert!(got.status < 300, "setup {path} as {account}: {got} {}", got.body);
    serde_json::from_str(&got.body).unwrap()
}

fn actor(account: &str, org: &str, kind: OrgKind, role: Role) -> AuditActor {
    AuditActor {
        account: Some(account.into()),
        org: Some(org.into()),
        org_kind: Some(kind),
        role: Some(role),
        authenticated_by: "cli".into(),
    }
}

/// The resources the rows name, made through the API as the partners would (the policy
/// drafts, the spare accounts and organisation through the gateway, as the command line does).
async fn fixtures(app: &TestApp) -> HashMap<String, String> {
    let mut fx: HashMap<String, String> = HashMap::new();
    fx.insert("BD".into(), BIRTH_DATE.into());
    fx.insert("Y0".into(), BSN.into());
    for n in 1..=9 {
        fx.insert(format!("Y{n}"), bsn(n));
    }
    let youth = |n: u32| json!({ "bsn": bsn(n), "birth_date": BIRTH_DATE, "purpose": "care_coordination" });
    let register = json!({ "bsn": BSN, "birth_date": BIRTH_DATE, "purpose": "care_coordination" });
    let (lyceum, buurt, gi, west) = (
        ("lyceum-noord", "mentor@lyceum-noord"),
        ("buurtteam-oost", "family_worker@buurtteam-oost"),
        ("gi-midden", "youth_protector@gi-midden"),
        ("gi-west", "youth_protector@gi-west"),
    );
    // The demo youth Y0: the school, the neighbourhood team and the institution are involved.
    for (org, account) in [lyceum, buurt, gi] {
        let involvement = call(app, org, account, "/involvements", register.clone()).await;
        if org == buurt.0 {
            fx.insert("involvement.other".into(), involvement["id"].as_str().unwrap().to_owned());
        }
    }
    let measure = json!({ "bsn": BSN, "from": "2026-01-01T00:00:00Z" });
    let id = |v: Value| v["id"].as_str().unwrap().to_owned();
    fx.insert("measure.own".into(), id(call(app, gi.0, gi.1, "/measures", measure.clone()).await));
    fx.insert("measure.other".into(), id(call(app, west.0, west.1, "/measures", measure).await));
    let consent = json!({
        "bsn": BSN, "given_by": "youth", "recipient_kinds": ["school"], "signals": ["help_started"],
        "purposes": ["care_coordination"], "valid_from": "2026-01-01T00:00:00Z"
    });
    fx.insert("consent.api".into(), id(call(app, lyceum.0, lyceum.1, "/consents", consent.clone()).await));
    fx.insert("consent.page".into(), id(call(app, lyceum.0, lyceum.1, "/consents", consent.clone()).await));
    fx.insert("consent.other".into(), id(call(app, buurt.0, buurt.1, "/consents", consent).await));
    let ask = |to: &str| json!({ "bsn": BSN, "signal": "feedback_request", "to": to, "purpose": "care_coordination" });
    fx.insert("request.own".into(), id(call(app, buurt.0, buurt.1, "/signals", ask("lyceum-noord")).await));
    fx.insert("request.other".into(), id(call(app, lyceum.0, lyceum.1, "/signals", ask("buurtteam-oost")).await));
    // Y1: an involvement to withdraw; Y5: a youth only another school knows; Y6: a case to lead.
    fx.insert("involvement.own".into(), id(call(app, lyceum.0, lyceum.1, "/involvements", youth(1)).await));
    call(app, "obs-de-linde", "mentor@obs-de-linde", "/involvements", youth(5)).await;
    for (org, account) in [lyceum, gi] {
        call(app, org, account, "/involvements", youth(6)).await;
    }
    call(app, lyceum.0, lyceum.1, "/cases/lead", json!({ "bsn": bsn(6), "org": "lyceum-noord" })).await;
    fx.insert("youth.unrelated".into(), bsn(5));
    // Y7 and Y8: youths only the school knows, whose death it records on the page and through
    // the API; Y9: an involvement the school ends on the page.
    for n in [7, 8] {
        call(app, lyceum.0, lyceum.1, "/involvements", youth(n)).await;
    }
    fx.insert("involvement.page".into(), id(call(app, lyceum.0, lyceum.1, "/involvements", youth(9)).await));
    // Safety concerns awaiting the privacy review of the school and of the institution.
    let concern = json!({
        "bsn": BSN, "signal": "safety_concern", "to": "veilig-thuis", "purpose": "safety", "justification": "zorgen"
    });
    call(app, lyceum.0, lyceum.1, "/signals", concern.clone()).await;
    call(app, gi.0, gi.1, "/signals", concern).await;
    let store = app.app.state().gateway.store();
    for (name, org) in [("review.own", "lyceum-noord"), ("review.other", "gi-midden")] {
        let queue = store.review_queue(&OrgId(org.into())).await.unwrap();
        fx.insert(name.into(), queue.first().expect("a concern awaiting review").seq.to_string());
    }
    // Audit entries: one of the school's, one only another school's part of the log holds.
    let entries = app.audit_entries().await;
    let seq_of = |org: &str| {
        entries
            .iter()
            .find(|e| e.actor.org.as_deref() == Some(org) && e.recipient_org.as_deref() != Some("lyceum-noord"))
            .unwrap_or_else(|| panic!("an entry of {org}"))
            .seq
            .to_string()
    };
    fx.insert("entry.own".into(), seq_of("lyceum-noord"));
    fx.insert("entry.other".into(), seq_of("obs-de-linde"));
    // Policy versions: the same rules with a note added (so activating one changes no decision),
    // drafted by another organisation's privacy officer, one of them approved by a third's.
    let gateway = &app.app.state().gateway;
    let active = store.active_policy().await.unwrap().expect("an active policy");
    fx.insert("policy.active".into(), active.version.clone());
    let gi_officer =
        || actor("privacy_officer@gi-midden", "gi-midden", OrgKind::CertifiedInstitution, Role::PrivacyOfficer);
    let now = || Occasion::at(ketenpoort::clock::now());
    let draft = |note: &'static str| {
        let rules = format!("{}\n# {note}\n", active.rules);
        let model = active.model.clone();
        async move { gateway.draft_policy(gi_officer(), &model, &rules, note, &now()).await.unwrap() }
    };
    fx.insert("policy.draft".into(), draft("matrix: to approve").await);
    let approved = draft("matrix: to activate").await;
    let buurt_officer =
        actor("privacy_officer@buurtteam-oost", "buurtteam-oost", OrgKind::NeighbourhoodTeam, Role::PrivacyOfficer);
    gateway.approve_policy(buurt_officer, &approved, &now()).await.unwrap();
    fx.insert("policy.approved".into(), approved);
    // Administration: an account to disable at the school and at the operator, an organisation
    // to disable, another organisation's certificate.
    let operator = ketenpoort::identity::operator();
    for org in ["lyceum-noord", "jgz-utrecht"] {
        let account = Account {
            id: format!("spare@{org}"),
            org: OrgId(org.into()),
            role: Role::Auditor,
            display_name: "Spare".into(),
            contact: None,
            oidc: None,
            email: None,
        };
        gateway.add_account(operator.clone(), account, &now()).await.unwrap();
        // A fingerprint no one holds yet, one per organisation.
        fx.insert(format!("cert.new_{org}"), format!("{:0>64}", hex::encode(format!("matrix {org}"))));
        // A spare certificate of the organisation, to be disabled.
        let spare = format!("{:0>64}", hex::encode(format!("spare {org}")));
        gateway.add_certificate(operator.clone(), &OrgId(org.into()), &spare, &now()).await.unwrap();
        fx.insert(format!("cert.spare_{org}"), spare);
        // A webhook to remove, whether or not the row that sets one ran first.
        let notices = ketenpoort::notices::NoticesConfig::default();
        let hook = "https://partner.example/hook";
        gateway.set_webhook(operator.clone(), &OrgId(org.into()), hook, &notices, &now()).await.unwrap();
    }
    let spare = ketenpoort::store::Organisation {
        id: OrgId("matrix-spare".into()),
        kind: OrgKind::School,
        name: "Spare".into(),
        contact: None,
    };
    gateway.add_org(operator, spare, &now()).await.unwrap();
    let pem = std::fs::read(certs_dev().join("buurtteam-oost.crt")).unwrap();
    let theirs = ketenpoort::identity::mtls::fingerprint_of_pem(&pem).unwrap();
    for org in ["lyceum-noord", "jgz-utrecht"] {
        fx.insert(format!("cert.other_{org}"), theirs.clone());
    }
    fx.insert("provider.none".into(), "7".into());
    let stylesheet = ketenpoort::web::ASSETS.stylesheet.trim_start_matches("/static/");
    fx.insert("asset.stylesheet".into(), stylesheet.into());
    fx.insert("asset.unknown".into(), "app.css".into());
    fx
}

/// The order of a row's cells: its refusals first, so that each is tried against the resource
/// intact (not one an allowed cell withdrew or revoked already), then the allowed ones.
fn refusals_first<'a>(columns: &'a [&'static str], row: &'a Row) -> Vec<(&'a &'static str, &'a String)> {
    let mut cells: Vec<_> = columns.iter().zip(&row.cells).collect();
    cells.sort_by_key(|(_, expected)| matches!(expected.as_str(), "200" | "201"));
    cells
}

/// What a page says in its alert or status line, to name in a failure.
fn said(body: &str) -> String {
    let Some(at) = body.find("role=\"alert\">").or_else(|| body.find("role=\"status\"")) else { return String::new() };
    let text = body[at..].split_once('>').map_or("", |(_, rest)| rest.split('<').next().unwrap_or_default());
    format!(" saying {:?}", text.trim())
}

/// Runs one API row, a caller at a time. Returns the failures.
async fn api_row(world: Arc<World>, row: Row) -> Vec<String> {
    let mut failures = Vec::new();
    for (column, expected) in refusals_first(&API_COLUMNS, &row) {
        let (org, actor) = api_caller(column);
        let jar = Arc::new(Jar::default());
        let mut http_actor = actor;
        if *column == "S" {
            // The mentor's page session, sent to the API without a certificate.
            let session = &world.sessions["P"];
            let url: reqwest::Url = world.base.parse().unwrap();
            let cookies = session.jar.cookies(&url).expect("a session cookie");
            jar.set_cookies(&mut std::iter::once(&cookies), &url);
            http_actor = Some("mentor@lyceum-noord");
        }
        let http = client(org, http_actor, jar);
        let url = format!("{}{}", world.base, world.path(&row));
        let mut request = http.request(row.method.parse().unwrap(), &url);
        if let Some(body) = api_body(&row.method, &row.path, &row.target) {
            let body: Value = serde_json::from_str(&world.fill(body, org.unwrap_or_default())).unwrap();
            request = request.json(&body);
        }
        let got = got(request.send().await.unwrap()).await;
        if !api_meets(expected, &got) {
            failures.push(format!(
                "API  {} {} [{}] as {column} ({}): expected {expected}, got {got}",
                row.method,
                row.path,
                row.target,
                actor.unwrap_or("-")
            ));
        }
    }
    failures
}

/// Runs one page row, like `api_row`.
async fn page_row(world: Arc<World>, row: Row) -> Vec<String> {
    let mut failures = Vec::new();
    for (column, expected) in refusals_first(&PAGE_COLUMNS, &row) {
        let account = page_account(column);
        let org = account.and_then(|a| a.split('@').nth(1)).unwrap_or_default();
        let cert = (*column == "T").then_some(("lyceum-noord", "mentor@lyceum-noord"));
        let fresh = || client(cert.map(|c| c.0), cert.map(|c| c.1), Arc::new(Jar::default()));
        // Signing out ends a session: those cells sign in one of their own.
        let session = match (account, row.path.as_str()) {
            (Some(account), "/signout") => Some(sign_in(&world.base, account).await),
            (Some(_), _) => Some(world.sessions[column].clone()),
            (None, _) => None,
        };
        let http = session.as_ref().map_or_else(fresh, |s| s.http.clone());
        let url = format!("{}{}", world.base, world.path(&row));
        let (form, done) = if row.method == "POST" { page_form(&row.path, &row.target) } else { ("", None) };
        let target = world.fixtures.get(&row.target).cloned().unwrap_or_default();
        let form = world.fill(&form.replace("$TARGET", &format!("${}", row.target)), org);
        let done = done.map(|words| world.fill(&words.replace("$TARGET", &target), org));
        let csrf = session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default();
        let mut pairs: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
        pairs.extend(form.split('&').filter(|p| !p.is_empty()).map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k.to_owned(), v.to_owned())
        }));
        let response = match (row.method.as_str(), row.path.as_str()) {
            ("GET", _) => http.get(&url).send().await.unwrap(),
            ("POST", "/signin/demo") => {
                // Anyone may use the demo's sign-in form: its token comes with the form.
                let http = fresh();
                let page = http.get(format!("{}/signin", world.base)).send().await.unwrap().text().await.unwrap();
                let form = [("csrf", token(&page)), ("account", "mentor@lyceum-noord".into())];
                http.post(&url).form(&form).send().await.unwrap()
            }
            ("POST", "/policy/{id}/test") => {
                let multipart = reqwest::multipart::Form::new().text("csrf", csrf);
                http.post(&url).multipart(multipart).send().await.unwrap()
            }
            ("POST", _) => http.post(&url).form(&pairs).send().await.unwrap(),
            (method, _) => panic!("no page takes {method}"),
        };
        let got = got(response).await;
        if !page_meets(expected, &got, done.as_deref()) {
            let shown = said(&got.body);
            if std::env::var("AUTHZ_DUMP").is_ok() {
                let name = format!("/tmp/authz-{}-{column}.html", row.path.replace('/', "_"));
                std::fs::write(name, &got.body).unwrap();
            }
            failures.push(format!(
                "PAGE {} {} [{}] as {column} ({}): expected {expected}, got {got}{shown}",
                row.method,
                row.path,
                row.target,
                account.unwrap_or(if *column == "T" { "certificate, no session" } else { "no session" })
            ));
        }
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_matrix_says() {
    let started = Instant::now();
    let api = parse(API_MATRIX, API_COLUMNS.len());
    let pages = parse(PAGE_MATRIX, PAGE_COLUMNS.len());

    // Every route has a row, every row a route.
    let registered = registered_routes();
    let covered: BTreeSet<(String, String)> =
        api.iter().chain(&pages).map(|row| (row.method.clone(), row.path.clone())).collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&registered).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes without a row in the authorization matrix (add one; deny by default): {missing:?}\n\
         rows whose route is gone: {stale:?}"
    );
    assert!(registered.len() >= 50, "the source was read: {registered:?}");

    let app = demo_app().await;
    let fixtures = fixtures(&app).await;
    let base = app.url("");
    let mut sessions = HashMap::new();
    for column in PAGE_COLUMNS {
        if let Some(account) = page_account(column) {
            sessions.insert(column, sign_in(&base, account).await);
        }
    }
    let world = Arc::new(World { base, fixtures, sessions });
    let setup = started.elapsed();

    // Rows run side by side (each row's changes are its own); a row's cells one after another.
    let mut tasks = tokio::task::JoinSet::new();
    for (n, row) in api.iter().cloned().enumerate() {
        let world = world.clone();
        tasks.spawn(async move { (n, api_row(world, row).await) });
    }
    let offset = api.len();
    for (n, row) in pages.iter().cloned().enumerate() {
        let world = world.clone();
        tasks.spawn(async move { (offset + n, page_row(world, row).await) });
    }
    let mut failures = BTreeMap::new();
    while let Some(done) = tasks.join_next().await {
        let (n, row_failures) = done.unwrap();
        failures.insert(n, row_failures);
    }
    let failures: Vec<String> = failures.into_values().flatten().collect();
    let cells = api.len() * API_COLUMNS.len() + pages.len() * PAGE_COLUMNS.len();
    eprintln!(
        "authorization matrix: {} routes, {} rows × callers = {cells} cells ({} API rows × {}, {} page rows × {}); \
         setup {:.1} s, all {:.1} s",
        registered.len(),
        api.len() + pages.len(),
        api.len(),
        API_COLUMNS.len(),
        pages.len(),
        PAGE_COLUMNS.len(),
        setup.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ from the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The role classes of the matrix's columns (P and G professionals, O, A and D), for every role
/// of every kind of organisation: what each may open, on the pages and through the API.
const ROLE_CLASSES: &str = "
# class            /app  /policy /review /audit /admin  api:/inbox api:/audit
professional       200   403     403     403    403     200        403n
privacy_officer    403   200     200     403    403     403f       403n
auditor            403   403     403     200    403     403f       200
admin              403   403     403     403    200     403f       403n
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_of_every_kind_of_organisation_opens_only_its_own_pages() {
    let classes: HashMap<&str, Vec<&str>> = ROLE_CLASSES
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            (words[0], words[1..].to_vec())
        })
        .collect();
    let app = demo_app().await;
    let base = app.url("");
    let region = ketenpoort::demo::region().unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    let mut accounts = 0;
    for org in &region.orgs {
        let roles = org.kind.professional_roles().iter().chain(&[Role::PrivacyOfficer, Role::Auditor, Role::Admin]);
        for role in roles {
            accounts += 1;
            let class = if role.is_professional() { "professional" } else { role.as_str() };
            let expected: Vec<String> = classes[class].iter().map(|c| (*c).to_owned()).collect();
            let (org, account, base) = (org.id.clone(), format!("{}@{}", role.as_str(), org.id), base.clone());
            tasks.spawn(async move {
                let mut failures = Vec::new();
                let session = sign_in(&base, &account).await;
                for (page, expected) in ["/app", "/policy", "/review", "/audit", "/admin"].iter().zip(&expected) {
                    let got = got(session.http.get(format!("{base}{page}")).send().await.unwrap()).await;
                    if !page_meets(expected, &got, None) {
                        failures.push(format!("PAGE GET {page} as {account}: expected {expected}, got {got}"));
                    }
                }
                let http = client(Some(&org), Some(&account), Arc::new(Jar::default()));
                for (path, expected) in ["/inbox", "/audit"].iter().zip(&expected[5..]) {
                    let got = got(http.get(format!("{base}/api/v1{path}")).send().await.unwrap()).await;
                    if !api_meets(expected, &got) {
                        failures.push(format!("API  GET /api/v1{path} as {account}: expected {expected}, got {got}"));
                    }
                }
                failures
            });
        }
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        failures.extend(done.unwrap());
    }
    failures.sort();
    eprintln!("role classes: {accounts} accounts of {} organisations × 7 routes", region.orgs.len());
    assert!(failures.is_empty(), "{} cells differ from the role classes:\n{}", failures.len(), failures.join("\n"));
}
