//! Bulk loading: whole rows, ids included, many at a time, for `milepost seed
//! --synthetic` and anything else that must write a large organisation in minutes
//! rather than hours. The rows are written exactly as given, with no check: whoever
//! builds them (the synthetic generator) makes them valid, the same rows the use cases
//! would have written.
//!
//! A bulk load is one [`BulkLoad`] transaction: it first reserves the id ranges it will
//! write ([`BulkLoad::next_ids`]: on PostgreSQL it locks the tables against other
//! writers until it ends, on SQLite the write lock already does), then writes
//! [`Batch`]es in an order that respects the foreign keys (workspaces, teams from the
//! root down, people, cycles, KPIs, objectives from the parents down, key results, …),
//! then commits. All or nothing: a failed load leaves no row behind.

use crate::{
    CheckInRow, CycleRow, CycleTransitionRow, EventRow, InitiativeRow, KeyResultRow, KpiRow, MeasurementRow,
    ObjectiveRow, PersonRow, Result, TeamRow, Transaction, WorkspaceRow,
};
use milepost_core::WorkspaceId;

/// An initiative's link to a key result it rolls up to, as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InitiativeKeyResultRow {
    /// The workspace both belong to.
    pub workspace_id: i64,
    /// The initiative.
    pub initiative_id: i64,
    /// The key result.
    pub key_result_id: i64,
}

/// Rows of one table, written together.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "table", content = "rows", rename_all = "snake_case")]
pub enum Batch {
    /// Workspaces.
    Workspaces(Vec<WorkspaceRow>),
    /// Teams, each after its parent.
    Teams(Vec<TeamRow>),
    /// People.
    People(Vec<PersonRow>),
    /// Cycles.
    Cycles(Vec<CycleRow>),
    /// Changes of cycles' statuses.
    CycleTransitions(Vec<CycleTransitionRow>),
    /// KPIs.
    Kpis(Vec<KpiRow>),
    /// KPI measurements.
    Measurements(Vec<MeasurementRow>),
    /// Objectives, each after the objective it aligns to.
    Objectives(Vec<ObjectiveRow>),
    /// Key results.
    KeyResults(Vec<KeyResultRow>),
    /// Check-ins.
    CheckIns(Vec<CheckInRow>),
    /// Initiatives.
    Initiatives(Vec<InitiativeRow>),
    /// Initiatives' links to key results.
    InitiativeKeyResults(Vec<InitiativeKeyResultRow>),
    /// Audit trail entries.
    Events(Vec<EventRow>),
}

impl Batch {
    /// How many rows it holds.
    pub fn len(&self) -> usize {
        match self {
            Batch::Workspaces(rows) => rows.len(),
            Batch::Teams(rows) => rows.len(),
            Batch::People(rows) => rows.len(),
            Batch::Cycles(rows) => rows.len(),
            Batch::CycleTransitions(rows) => rows.len(),
            Batch::Kpis(rows) => rows.len(),
            Batch::Measurements(rows) => rows.len(),
            Batch::Objectives(rows) => rows.len(),
            Batch::KeyResults(rows) => rows.len(),
            Batch::CheckIns(rows) => rows.len(),
            Batch::Initiatives(rows) => rows.len(),
            Batch::InitiativeKeyResults(rows) => rows.len(),
            Batch::Events(rows) => rows.len(),
        }
    }

    /// Whether it holds no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The table its rows go to.
    pub fn table(&self) -> &'static str {
        match self {
            Batch::Workspaces(_) => "workspaces",
            Batch::Teams(_) => "teams",
            Batch::People(_) => "people",
            Batch::Cycles(_) => "cycles",
            Batch::CycleTransitions(_) => "cycle_transitions",
            Batch::Kpis(_) => "kpis",
            Batch::Measurements(_) => "measurements",
            Batch::Objectives(_) => "objectives",
            Batch::KeyResults(_) => "key_results",
            Batch::CheckIns(_) => "check_ins",
            Batch::Initiatives(_) => "initiatives",
            Batch::InitiativeKeyResults(_) => "initiative_key_results",
            Batch::Events(_) => "events",
        }
    }
}

/// The first free id of each table with an id, as a bulk load found them: its rows
/// take ids from there up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextIds {
    /// Of `workspaces`.
    pub workspace: i64,
    /// Of `teams`.
    pub team: i64,
    /// Of `people`.
    pub person: i64,
    /// Of `cycles`.
    pub cycle: i64,
    /// Of `cycle_transitions`.
    pub cycle_transition: i64,
    /// Of `kpis`.
    pub kpi: i64,
    /// Of `measurements`.
    pub measurement: i64,
    /// Of `objectives`.
    pub objective: i64,
    /// Of `key_results`.
    pub key_result: i64,
    /// Of `check_ins`.
    pub check_in: i64,
    /// Of `initiatives`.
    pub initiative: i64,
    /// Of `events`.
    pub event: i64,
}

impl NextIds {
    /// Every table empty: ids from 1.
    pub const FIRST: NextIds = NextIds {
        workspace: 1,
        team: 1,
        person: 1,
        cycle: 1,
        cycle_transition: 1,
        kpi: 1,
        measurement: 1,
        objective: 1,
        key_result: 1,
        check_in: 1,
        initiative: 1,
        event: 1,
    };
}

/// A transaction that also writes whole rows in bulk; see the module documentation.
/// Its ordinary operations ([`Transaction`]) are there to look a workspace up first.
#[async_trait::async_trait]
pub trait BulkLoad: Transaction {
    /// Keeps other writers out of the tables until this transaction ends (on SQLite the
    /// write lock does; on PostgreSQL a table lock that readers pass), and answers the
    /// first free id of each table. Call it before the first [`BulkLoad::insert_batch`].
    async fn next_ids(&mut self) -> Result<NextIds>;

    /// How many people, teams, cycles, KPIs and objectives a workspace holds: zero for
    /// one that may be seeded.
    async fn workspace_rows(&mut self, workspace: WorkspaceId) -> Result<i64>;

    /// Writes every row of `batch` as it is, ids included, in as few statements as the
    /// database allows; answers how many rows were written. Ids handed out later by the
    /// database itself continue after the highest one written.
    async fn insert_batch(&mut self, batch: &Batch) -> Result<u64>;
}

/// A database that can begin a [`BulkLoad`].
#[async_trait::async_trait]
pub trait BulkStorage: Send + Sync {
    /// Begins a bulk load. On SQLite it takes the write lock at once, like every write.
    async fn bulk(&self) -> Result<Box<dyn BulkLoad>>;
}
