//! A synthetic organisation of any size for Milepost, the same for the same seed:
//! teams in a tree about six levels deep, people with roles, the previous quarter
//! (closed) and the quarter around today (active) with objectives aligned up the team
//! tree, three to five key results each of every kind, a quarter of weekly check-ins
//! with confidence, initiatives, and KPIs with three years of daily measurements.
//!
//! [`Organisation::plan`] draws the whole organisation from a seed, a size and the time
//! now (no clock is read here); [`Organisation::batches`] then yields its rows, table by
//! table in an order the foreign keys accept, in batches for a bulk load
//! ([`milepost_store::BulkLoad`]); [`load`] writes one or several organisations through
//! it. The rows are those the use cases would have written: the same columns, a key
//! result's current value, version and time of change following its check-ins, a
//! cycle's version and transitions following its status changes. Only the audit trail
//! differs: the load records one `seed` event per workspace instead of one per row.
//!
//! At the reference size of 10,000 people: about 1,500 teams, 12,000 objectives,
//! 45,000 key results, 500,000–650,000 check-ins (depending on how far the quarter has
//! gone), 1,000 KPIs and 1,000,000 measurements. Everything scales linearly.

mod batches;
mod check_in;
mod key_result;
mod kpi;
mod load;
mod okr;
mod org;
mod random;
mod words;

pub use batches::Batches;
pub use load::{LoadError, Progress, SeedPlan, Seeded, load};

use jiff::Timestamp;
use milepost_core::Role;
use milepost_store::NextIds;
use serde::Serialize;

/// What to generate for one workspace.
#[derive(Debug, Clone)]
pub struct Params {
    /// How many people.
    pub people: usize,
    /// The seed: the same seed, size and day give the same organisation.
    pub seed: u64,
    /// The time now; the active quarter is the one around its day (UTC).
    pub now: Timestamp,
    /// The workspace's short name; emails are at `<slug>.example`.
    pub slug: String,
    /// The Argon2id hash (PHC string) given to the two logins, `admin@<slug>.example`
    /// and `member@<slug>.example`; `None`: nobody can log in until a password is set.
    pub password_hash: Option<String>,
}

/// How many rows of each table an organisation has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Workspaces (0 when seeding into an empty one that existed).
    pub workspaces: u64,
    /// Teams.
    pub teams: u64,
    /// People.
    pub people: u64,
    /// Cycles.
    pub cycles: u64,
    /// Changes of cycles' statuses.
    pub cycle_transitions: u64,
    /// KPIs.
    pub kpis: u64,
    /// Measurements.
    pub measurements: u64,
    /// Objectives.
    pub objectives: u64,
    /// Key results.
    pub key_results: u64,
    /// Check-ins.
    pub check_ins: u64,
    /// Initiatives.
    pub initiatives: u64,
    /// Links of initiatives to key results.
    pub initiative_key_results: u64,
    /// Audit events.
    pub events: u64,
}

impl Counts {
    /// Every row.
    pub fn total(&self) -> u64 {
        self.workspaces
            + self.teams
            + self.people
            + self.cycles
            + self.cycle_transitions
            + self.kpis
            + self.measurements
            + self.objectives
            + self.key_results
            + self.check_ins
            + self.initiatives
            + self.initiative_key_results
            + self.events
    }

    /// Adds `other`'s rows to these.
    pub fn add(&mut self, other: &Counts) {
        self.workspaces += other.workspaces;
        self.teams += other.teams;
        self.people += other.people;
        self.cycles += other.cycles;
        self.cycle_transitions += other.cycle_transitions;
        self.kpis += other.kpis;
        self.measurements += other.measurements;
        self.objectives += other.objectives;
        self.key_results += other.key_results;
        self.check_ins += other.check_ins;
        self.initiatives += other.initiatives;
        self.initiative_key_results += other.initiative_key_results;
        self.events += other.events;
    }
}

/// One workspace's organisation, planned: everything but the check-ins and
/// measurements, which [`Organisation::batches`] makes as it goes.
#[derive(Debug, Clone)]
pub struct Organisation {
    seed: u64,
    people_wanted: usize,
    now_ms: i64,
    workspace_id: i64,
    /// The workspace row to write, when the workspace is new.
    workspace: Option<(String, String)>,
    ids: NextIds,
    org: org::Org,
    kpis: Vec<kpi::Kpi>,
    okrs: okr::Okrs,
    /// When the organisation began: its teams and people were made then (unix ms).
    origin_ms: i64,
    admin: usize,
    member: Option<usize>,
}

impl Organisation {
    /// Plans the organisation of `params` in the workspace `workspace_id`, its rows'
    /// ids from `ids`. `new_workspace` names the workspace row to write too (its name);
    /// `None` when the workspace exists and is empty.
    pub fn plan(params: &Params, workspace_id: i64, new_workspace: Option<&str>, ids: &NextIds) -> Organisation {
        let seed = params.seed;
        let now_ms = params.now.as_millisecond();
        let today = params.now.to_zoned(jiff::tz::TimeZone::UTC).date();
        let today_day = now_ms.div_euclid(kpi::DAY);
        let domain = format!("{}.example", params.slug);
        let people = params.people.max(1);
        let mut org = org::plan(seed, people, &domain, ids.team, ids.person);
        let owners: Vec<usize> = (0..org.people.len()).filter(|p| org.people[*p].role != Role::Viewer).collect();
        let kpis = kpi::plan(seed, people, &owners, today_day, now_ms, ids.kpi, ids.measurement);
        let okrs = okr::plan(&okr::Inputs { seed, workspace_id, today, now_ms, ids, org: &org, kpis: &kpis });
        // The two logins: the chief executive (an admin) and a member with objectives
        // of their own in the active quarter.
        let admin = 0;
        org.people[admin].email = format!("admin@{domain}");
        org.people[admin].password_hash.clone_from(&params.password_hash);
        let member = okrs
            .objectives
            .iter()
            .filter(|o| o.cycle == 1)
            .filter_map(|o| o.owner_person)
            .find(|p| org.people[*p].role == Role::Member);
        if let Some(member) = member {
            org.people[member].email = format!("member@{domain}");
            org.people[member].password_hash.clone_from(&params.password_hash);
        }
        Organisation {
            seed,
            people_wanted: params.people,
            now_ms,
            workspace_id,
            workspace: new_workspace.map(|name| (params.slug.clone(), name.to_owned())),
            ids: *ids,
            org,
            kpis,
            okrs,
            origin_ms: (today_day - kpi::HISTORY_DAYS - 30) * kpi::DAY + 9 * 3_600_000,
            admin,
            member,
        }
    }

    /// How many rows of each table it has.
    pub fn counts(&self) -> Counts {
        Counts {
            workspaces: u64::from(self.workspace.is_some()),
            teams: self.org.teams.len() as u64,
            people: self.org.people.len() as u64,
            cycles: self.okrs.cycles.len() as u64,
            cycle_transitions: self.okrs.cycles.iter().map(|c| c.transitions.len() as u64).sum(),
            kpis: self.kpis.len() as u64,
            measurements: self.kpis.iter().map(|k| k.measurements() as u64).sum(),
            objectives: self.okrs.objectives.len() as u64,
            key_results: self.okrs.key_results.len() as u64,
            check_ins: self.okrs.key_results.iter().map(|k| k.check_ins as u64).sum(),
            initiatives: self.okrs.initiatives.len() as u64,
            initiative_key_results: self.okrs.initiatives.iter().map(|i| i.key_results.len() as u64).sum(),
            events: 1,
        }
    }

    /// Its rows, in batches of at most `rows` rows of one table.
    pub fn batches(&self, rows: usize) -> Batches<'_> {
        Batches::new(self, rows.max(1))
    }

    /// The workspace's id.
    pub fn workspace_id(&self) -> i64 {
        self.workspace_id
    }

    /// The admin's email.
    pub fn admin_email(&self) -> &str {
        &self.org.people[self.admin].email
    }

    /// The member's email, when the organisation has a member with objectives of
    /// their own in the active quarter.
    pub fn member_email(&self) -> Option<&str> {
        self.member.map(|m| self.org.people[m].email.as_str())
    }
}
