//! The closed vocabulary of ACTION-FRAMEWORK.md §1–§2 and §4–§6 as Rust enums.
//!
//! Every word here is written exactly as in the framework (`neighbourhood_team`,
//! `consent_missing_parent`, …). The vocabulary is closed: a value outside it is bad input, a
//! [`VocabularyError`] naming the value and the allowed ones, never a silent deny.

/// A word outside the closed vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`; allowed: {}", allowed.join(", "))]
pub struct VocabularyError {
    /// Which list the value was looked up in (`signal`, `org kind`, …).
    pub what: &'static str,
    pub value: String,
    pub allowed: &'static [&'static str],
}

/// Declares a closed enum whose serde names, `Display` and `FromStr` are the framework's words.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in the order the framework lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The framework's words for [`Self::ALL`].
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The framework's word for this value.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::framework::vocabulary::VocabularyError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::framework::vocabulary::VocabularyError {
                        what: $what,
                        value: value.to_owned(),
                        allowed: Self::WORDS,
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let word = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                word.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// §1: the kinds of organisation that take part.
    OrgKind, "org kind" {
        School = "school",
        GpPractice = "gp_practice",
        NeighbourhoodTeam = "neighbourhood_team",
        YouthHealth = "youth_health",
        YouthWork = "youth_work",
        CareProvider = "care_provider",
        CertifiedInstitution = "certified_institution",
        SafeHome = "safe_home",
        CompulsoryEducation = "compulsory_education",
    }
}

vocabulary! {
    /// §1: professional roles per org kind, and the three roles every org kind may have.
    Role, "role" {
        Mentor = "mentor",
        CareCoordinator = "care_coordinator",
        Gp = "gp",
        PracticeNurseYouth = "practice_nurse_youth",
        FamilyWorker = "family_worker",
        TeamLead = "team_lead",
        YouthDoctor = "youth_doctor",
        YouthNurse = "youth_nurse",
        YouthWorker = "youth_worker",
        CareProfessional = "care_professional",
        YouthProtector = "youth_protector",
        SafeHomeWorker = "safe_home_worker",
        AttendanceOfficer = "attendance_officer",
        PrivacyOfficer = "privacy_officer",
        Auditor = "auditor",
        Admin = "admin",
    }
}

vocabulary! {
    /// §2: the typed signals; they carry no free text about the youth.
    Signal, "signal" {
        Involvement = "involvement",
        FeedbackRequest = "feedback_request",
        ContactRequest = "contact_request",
        HelpStarted = "help_started",
        HelpOngoing = "help_ongoing",
        HelpEnded = "help_ended",
        SchoolAbsence = "school_absence",
        SafetyConcern = "safety_concern",
        ReportReceived = "report_received",
        InvestigationStarted = "investigation_started",
        ReportClosed = "report_closed",
    }
}

vocabulary! {
    /// §2: what a professional does with a signal.
    Action, "action" {
        /// Register an `involvement` with the reference index.
        Register = "register",
        /// Send any other signal to one recipient organisation.
        Send = "send",
    }
}

vocabulary! {
    /// §2: administrative actions, plain role checks outside the rule table.
    AdminAction, "administrative action" {
        EditPolicy = "edit_policy",
        ApprovePolicy = "approve_policy",
        ReadAudit = "read_audit",
        VerifyAudit = "verify_audit",
        ExportAudit = "export_audit",
        ManageOrgs = "manage_orgs",
    }
}

vocabulary! {
    /// §2: why an exchange happens; every request names one.
    Purpose, "purpose" {
        CareCoordination = "care_coordination",
        ChildProtection = "child_protection",
        SchoolAttendance = "school_attendance",
        Safety = "safety",
    }
}

vocabulary! {
    /// §4: legal bases, declared in order of precedence (statutory bases before consent).
    Basis, "basis" {
        SchoolAttendanceDuty = "school_attendance_duty",
        ReportingCode = "reporting_code",
        ReporterFeedback = "reporter_feedback",
        ChildProtectionMeasure = "child_protection_measure",
        ReferenceIndex = "reference_index",
        Consent = "consent",
    }
}

vocabulary! {
    /// §6: why a request was denied.
    DenyReason, "deny reason" {
        NoRule = "no_rule",
        NoRelationship = "no_relationship",
        RecipientNoRelationship = "recipient_no_relationship",
        ConsentMissing = "consent_missing",
        ConsentMissingYouth = "consent_missing_youth",
        ConsentMissingParent = "consent_missing_parent",
        ConsentRevoked = "consent_revoked",
        ConsentExpired = "consent_expired",
        ConsentOutOfScope = "consent_out_of_scope",
        NoActiveMeasure = "no_active_measure",
        NotReporter = "not_reporter",
        JustificationRequired = "justification_required",
        /// §8: the reference index reaches to 23; `register` is refused from the 23rd birthday.
        YouthTooOld = "youth_too_old",
    }
}

vocabulary! {
    /// §8: why an organisation withdrew its involvement; it decides whether it is archived.
    WithdrawalReason, "withdrawal reason" {
        /// The worry is gone (the default): archived for the historic match.
        RiskGone = "risk_gone",
        /// It should never have been made: not archived.
        Unjustified = "unjustified",
        /// The youth or a parent objected and the objection was granted: not archived.
        Objection = "objection",
    }
}

vocabulary! {
    /// §8: what a notice of the reference index tells its recipient.
    NoticeKind, "notice kind" {
        /// §7: another organisation is involved with this youth too.
        Match = "match",
        /// §8: another organisation was involved with this youth before (its archive).
        HistoricMatch = "historic_match",
        /// §8: another youth of this family is known to another organisation.
        FamilyMatch = "family_match",
    }
}

vocabulary! {
    /// §6: what the professional must do after an allow.
    Obligation, "obligation" {
        InformSubject = "inform_subject",
        JustificationRequired = "justification_required",
        PrivacyReview = "privacy_review",
    }
}

vocabulary! {
    /// §3: who gave a consent; `parent` stands for whoever has parental authority.
    Consenter, "consenter" {
        Youth = "youth",
        Parent = "parent",
    }
}

vocabulary! {
    /// §6: the outcome of a decision.
    Outcome, "decision" {
        Allow = "allow",
        Deny = "deny",
    }
}

/// The recipient kind of `register`: the reference index itself, not an organisation.
pub const REFERENCE_INDEX: &str = "reference_index";

impl OrgKind {
    /// §1: the professional roles of this org kind.
    pub const fn professional_roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            OrgKind::School => &[Mentor, CareCoordinator],
            OrgKind::GpPractice => &[Gp, PracticeNurseYouth],
            OrgKind::NeighbourhoodTeam => &[FamilyWorker, TeamLead],
            OrgKind::YouthHealth => &[YouthDoctor, YouthNurse],
            OrgKind::YouthWork => &[YouthWorker],
            OrgKind::CareProvider => &[CareProfessional],
            OrgKind::CertifiedInstitution => &[YouthProtector],
            OrgKind::SafeHome => &[SafeHomeWorker],
            OrgKind::CompulsoryEducation => &[AttendanceOfficer],
        }
    }

    /// §1: whether `role` exists in an organisation of this kind.
    pub fn has_role(self, role: Role) -> bool {
        !role.is_professional() || self.professional_roles().contains(&role)
    }
}

impl Role {
    /// §1: `privacy_officer`, `auditor` and `admin` never send or receive signals.
    pub const fn is_professional(self) -> bool {
        !matches!(self, Role::PrivacyOfficer | Role::Auditor | Role::Admin)
    }

    /// §2: administrative actions are plain role checks.
    pub const fn may(self, action: AdminAction) -> bool {
        match action {
            AdminAction::EditPolicy | AdminAction::ApprovePolicy => {
                matches!(self, Role::PrivacyOfficer)
            }
            AdminAction::ReadAudit | AdminAction::VerifyAudit | AdminAction::ExportAudit => {
                matches!(self, Role::Auditor)
            }
            AdminAction::ManageOrgs => matches!(self, Role::Admin),
        }
    }
}

impl Signal {
    /// §2: the signals Veilig Thuis sends back to a reporter.
    pub const fn is_reporter_feedback(self) -> bool {
        matches!(self, Signal::ReportReceived | Signal::InvestigationStarted | Signal::ReportClosed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_through_serde_exactly_as_written_in_the_framework() {
        let json = serde_json::to_string(&OrgKind::NeighbourhoodTeam).unwrap();
        assert_eq!(json, "\"neighbourhood_team\"");
        let reason: DenyReason = serde_json::from_str("\"consent_missing_parent\"").unwrap();
        assert_eq!(reason, DenyReason::ConsentMissingParent);
        for kind in OrgKind::ALL {
            assert_eq!(kind.as_str().parse::<OrgKind>().unwrap(), *kind);
        }
    }

    #[test]
    fn an_unknown_word_names_the_value_and_the_allowed_ones() {
        let err = "gossip".parse::<Signal>().unwrap_err();
        assert_eq!(err.what, "signal");
        assert_eq!(err.value, "gossip");
        let message = err.to_string();
        assert!(message.contains("`gossip`"), "{message}");
        assert!(message.contains("feedback_request"), "{message}");
        let err = serde_json::from_str::<Purpose>("\"fun\"").unwrap_err();
        assert!(err.to_string().contains("care_coordination"));
    }

    #[test]
    fn roles_belong_to_their_org_kind_and_the_three_administrative_roles_to_every_kind() {
        assert!(OrgKind::School.has_role(Role::Mentor));
        assert!(!OrgKind::School.has_role(Role::Gp));
        for kind in OrgKind::ALL {
            assert!(kind.has_role(Role::PrivacyOfficer));
            assert!(kind.has_role(Role::Auditor));
            assert!(kind.has_role(Role::Admin));
        }
        assert!(!Role::Auditor.is_professional());
        assert!(Role::Auditor.may(AdminAction::VerifyAudit));
        assert!(!Role::Mentor.may(AdminAction::ReadAudit));
    }

    #[test]
    fn bases_are_declared_in_order_of_precedence() {
        assert_eq!(Basis::ALL.first(), Some(&Basis::SchoolAttendanceDuty));
        assert_eq!(Basis::ALL.last(), Some(&Basis::Consent));
        assert!(Basis::ReferenceIndex < Basis::Consent);
    }
}
