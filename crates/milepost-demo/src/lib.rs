//! The demo workspace (slug `demo`): Acme Outfitters, an online outdoor-gear shop, with
//! its teams, people, two quarters of OKRs with weekly check-ins, initiatives and a year
//! of KPI history.
//!
//! The company is written in Milepost's own formats, in `data/` beside this crate and
//! embedded in the binary ([`files`]): OKR files per team, person and quarter, KPI files
//! per owner, and CSV histories of check-ins and measurements, the way a team would keep
//! them in git. [`load_demo`] loads them through the same use cases a user's
//! `milepost apply`, `milepost kpi import` and `milepost check-ins import` call
//! ([`load`]), on a clock that moves with the story, after moving the files' dates so
//! that the current quarter is the one around today ([`shift`]).
//!
//! The story a newcomer should see: three company objectives for the quarter, broken
//! down into team and personal OKRs. Most key results are on pace; a few are at risk;
//! member churn, wholesale accounts and referral sign-ups are off track and their owners
//! say why. The referral launch and Dana's macro library finished early, email revenue
//! has had no check-in for weeks (stale), and the deploy-frequency key result reports
//! high confidence while its value has not moved (diverging). Last quarter closed with
//! green, yellow and red scores. Among the KPIs, member churn and the returns rate are
//! lagging; churn already has an OKR working on it, returns do not.
//!
//! [`sources`] writes the demo's small SQLite metrics file and points three KPIs at
//! sources that run on a newcomer's machine.

pub mod files;
pub mod load;
pub mod shift;
pub mod sources;

pub use load::load_demo;
pub use sources::{
    DEMO_JSON_KPI, DEMO_JSON_PATH, DEMO_METRICS_FILE, DEMO_PROMETHEUS_KPI, DEMO_PROMQL, DemoOps,
    attach_demo_ops_sources, attach_demo_sources, read_demo_ops,
};

use milepost_app::person::Role;

/// The demo's people who can log in, with their known passwords: an admin and a member.
pub const DEMO_LOGINS: [(&str, &str); 2] = [("alex", "milepost-demo-admin"), ("dana", "milepost-demo-member")];

/// The demo workspace's slug.
pub const DEMO_WORKSPACE: &str = "demo";

/// A demo person who can log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// Their email.
    pub email: String,
    /// Their demo password.
    pub password: &'static str,
    /// Their role.
    pub role: Role,
}

/// What the demo loader did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// The workspace's slug.
    pub workspace: String,
    /// Whether it was loaded now (false: it was already there and was left alone).
    pub loaded: bool,
    /// Teams created.
    pub teams: usize,
    /// People created.
    pub people: usize,
    /// Objectives created.
    pub objectives: usize,
    /// Key results created.
    pub key_results: usize,
    /// Check-ins recorded.
    pub check_ins: usize,
    /// KPIs created.
    pub kpis: usize,
    /// KPI measurements recorded.
    pub measurements: usize,
    /// Initiatives created.
    pub initiatives: usize,
    /// Who can log in, and how.
    pub logins: Vec<DemoLogin>,
}
