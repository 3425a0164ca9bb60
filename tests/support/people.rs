//! The demo region's people as the library takes them, for tests that call the gateway
//! directly: shared by the API and the core suites.

use ketenpoort::framework::{Action, ExchangeRequest, OrgId, OrgKind, Purpose, Role, Signal};
use ketenpoort::identity::{Authentication, Principal};

/// A professional of a demo organisation: the organisation's first professional role, acting
/// through its partner system.
pub fn professional(org: &str) -> Principal {
    let (org_kind, role) = match org {
        "lyceum-noord" | "obs-de-linde" => (OrgKind::School, Role::Mentor),
        "buurtteam-oost" => (OrgKind::NeighbourhoodTeam, Role::FamilyWorker),
        "jgz-utrecht" => (OrgKind::YouthHealth, Role::YouthNurse),
        "zorg-de-brug" => (OrgKind::CareProvider, Role::CareProfessional),
        "gi-midden" => (OrgKind::CertifiedInstitution, Role::YouthProtector),
        other => panic!("no professional of `{other}` in the tests"),
    };
    Principal {
        account: Some(format!("{}@{org}", role.as_str())),
        org: OrgId(org.to_owned()),
        org_kind,
        role: Some(role),
        authenticated_by: Authentication::CommandLine,
    }
}

/// `who` registering their involvement for care coordination.
pub fn registration(who: &Principal) -> ExchangeRequest {
    let role = who.role.expect("a professional has a role");
    ExchangeRequest::new(
        who.party(),
        role,
        Action::Register,
        Signal::Involvement,
        None,
        Purpose::CareCoordination,
        None,
    )
    .expect("a registration is a valid request")
}
