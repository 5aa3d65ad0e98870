//! KPIs and their measurements. A measurement is never rewritten: a correction of the
//! value at a time is a new row, and the latest recorded row for a time wins.

use crate::{Page, Result};
use milepost_core::{Cadence, KpiDirection, KpiTier, WorkspaceId};

/// A KPI as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KpiRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// Short name, unique in the workspace.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What it measures and why it matters.
    pub description: String,
    /// Owning person.
    pub owner_person_id: Option<i64>,
    /// Unit of the values.
    pub unit: Option<String>,
    /// higher_is_better, lower_is_better or within_range.
    pub direction: KpiDirection,
    /// Target value.
    pub target: Option<f64>,
    /// Low end of the good band.
    pub range_low: Option<f64>,
    /// High end of the good band.
    pub range_high: Option<f64>,
    /// Distance from the target that is still amber.
    pub warning_band: f64,
    /// daily, weekly, monthly or quarterly.
    pub cadence: Cadence,
    /// kpi or metric.
    pub tier: KpiTier,
    /// Tags as a JSON array of strings.
    pub tags: String,
    /// Red periods in a row after which the KPI is lagging.
    pub lagging_after: i64,
    /// Whether archived.
    pub archived: bool,
    /// When created (unix ms).
    pub created_at: i64,
    /// When last changed (unix ms).
    pub updated_at: i64,
    /// Version.
    pub version: i64,
    /// Where the server pulls its values from, as JSON; `None` when fed from outside.
    pub source: Option<String>,
    /// When its source last ran (unix ms).
    pub last_run_at: Option<i64>,
    /// Why its source's last run failed; `None` after a run that worked.
    pub last_error: Option<String>,
    /// When that failure was (unix ms).
    pub last_error_at: Option<i64>,
    /// When the scheduler runs its source next (unix ms).
    pub next_run_at: Option<i64>,
    /// Its place among its owner's KPIs in their KPI file; `None` if never applied.
    pub position: Option<i64>,
    /// The formula it is computed from, as written; `None` for a KPI measured itself.
    pub formula: Option<String>,
    /// The slugs of the KPIs named as driving it, as a JSON array.
    pub drivers: String,
}

/// The fields set on a KPI.
#[derive(Debug, Clone)]
pub struct KpiFields {
    /// Short name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Owner.
    pub owner_person_id: Option<i64>,
    /// Unit.
    pub unit: Option<String>,
    /// Direction name.
    pub direction: KpiDirection,
    /// Target.
    pub target: Option<f64>,
    /// Band low.
    pub range_low: Option<f64>,
    /// Band high.
    pub range_high: Option<f64>,
    /// Warning band.
    pub warning_band: f64,
    /// Cadence name.
    pub cadence: Cadence,
    /// Tier name.
    pub tier: KpiTier,
    /// Tags JSON.
    pub tags: String,
    /// Red periods in a row after which the KPI is lagging.
    pub lagging_after: i64,
    /// Its pull source as JSON, if any.
    pub source: Option<String>,
    /// Its formula, if any.
    pub formula: Option<String>,
    /// Its named drivers' slugs, as a JSON array.
    pub drivers: String,
}

/// Which KPIs to list.
#[derive(Debug, Clone, Default)]
pub struct KpiFilter {
    /// Only of this tier.
    pub tier: Option<KpiTier>,
    /// Only owned by this person.
    pub owner_person_id: Option<i64>,
    /// Include archived KPIs.
    pub include_archived: bool,
}

impl KpiRow {
    /// The fields a person sets, as they stand: the starting point of a change.
    pub fn fields(&self) -> KpiFields {
        KpiFields {
            slug: self.slug.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            owner_person_id: self.owner_person_id,
            unit: self.unit.clone(),
            direction: self.direction,
            target: self.target,
            range_low: self.range_low,
            range_high: self.range_high,
            warning_band: self.warning_band,
            cadence: self.cadence,
            tier: self.tier,
            tags: self.tags.clone(),
            lagging_after: self.lagging_after,
            source: self.source.clone(),
            formula: self.formula.clone(),
            drivers: self.drivers.clone(),
        }
    }
}

/// A measurement as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct MeasurementRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// The KPI measured.
    pub kpi_id: i64,
    /// The value.
    pub value: f64,
    /// The time it measures (unix ms).
    pub measured_at: i64,
    /// When it was recorded (unix ms).
    pub recorded_at: i64,
    /// Where it came from.
    pub source: String,
}

/// A measurement to record.
#[derive(Debug, Clone, Copy)]
pub struct NewMeasurement<'a> {
    /// The value.
    pub value: f64,
    /// The time it measures (unix ms).
    pub measured_at: i64,
    /// Where it came from.
    pub source: &'a str,
}

#[cfg(feature = "sqlx")]
crate::decode::from_row!(KpiRow in "kpis" { id, workspace_id, slug, name, description, owner_person_id, unit, direction: named, target, range_low, range_high, warning_band, cadence: named, tier: named, tags, lagging_after, archived, created_at, updated_at, version, source, last_run_at, last_error, last_error_at, next_run_at, position, formula, drivers });

/// What a transaction can do with kpi data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait KpiStore: Send {
    /// Creates a KPI.
    async fn insert_kpi(&mut self, workspace: WorkspaceId, fields: &KpiFields, now: i64) -> Result<KpiRow>;

    /// The KPI with that id.
    async fn kpi(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<KpiRow>>;

    /// The KPI with that slug.
    async fn kpi_by_slug(&mut self, workspace: WorkspaceId, slug: &str) -> Result<Option<KpiRow>>;

    /// Every KPI of the workspace, in id order.
    async fn list_kpis(&mut self, workspace: WorkspaceId) -> Result<Vec<KpiRow>>;

    /// Sets where a KPI stands in its KPI file (no version bump: layout, not content).
    async fn set_kpi_position(&mut self, workspace: WorkspaceId, id: i64, position: i64) -> Result<()>;

    /// Lists KPIs in id order, filtered and paged.
    async fn filter_kpis(&mut self, workspace: WorkspaceId, filter: &KpiFilter, page: Page) -> Result<Vec<KpiRow>>;

    /// Replaces a KPI's fields if it is still at `version`.
    async fn update_kpi(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &KpiFields,
        archived: bool,
        now: i64,
    ) -> Result<KpiRow>;

    /// Records measurements of one KPI, many rows per statement.
    async fn insert_measurements(
        &mut self,
        workspace: WorkspaceId,
        kpi_id: i64,
        measurements: &[NewMeasurement<'_>],
        now: i64,
    ) -> Result<()>;

    /// A KPI's measurements in time order.
    async fn list_measurements(&mut self, workspace: WorkspaceId, kpi_id: i64) -> Result<Vec<MeasurementRow>>;

    /// A KPI's measurements with `from <= measured_at <= to` (unix ms), as (measured_at,
    /// value) in time order and, for one time, in the order they were recorded: the
    /// last of a time is its latest correction.
    async fn measurement_values(
        &mut self,
        workspace: WorkspaceId,
        kpi_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, f64)>>;

    /// The latest measurement of a KPI at or before `at` (unix ms): the last measured
    /// time, and for it the last recorded row.
    async fn latest_measurement(
        &mut self,
        workspace: WorkspaceId,
        kpi_id: i64,
        at: i64,
    ) -> Result<Option<MeasurementRow>>;

    /// The ids of the workspace's KPIs that have no measurement at all (archived ones
    /// too): a key result that would start from one has nothing to start from.
    async fn unmeasured_kpis(&mut self, workspace: WorkspaceId) -> Result<Vec<i64>>;

    /// The newest measurement row recorded for a KPI at exactly `measured_at`.
    async fn measurement_at(
        &mut self,
        workspace: WorkspaceId,
        kpi_id: i64,
        measured_at: i64,
    ) -> Result<Option<MeasurementRow>>;

    /// Takes a KPI's row lock without changing it, so that concurrent writers of its
    /// measurements queue and each sees the rows of the one before (on SQLite the
    /// write transaction already holds the database's lock).
    async fn lock_kpi(&mut self, workspace: WorkspaceId, id: i64) -> Result<()>;

    /// Whether an active objective works on the KPI: a key result linked to it, neither
    /// archived, in an active cycle that contains `day` (`YYYY-MM-DD`).
    async fn kpi_is_worked_on(&mut self, workspace: WorkspaceId, kpi_id: i64, day: &str) -> Result<bool>;

    /// Sets when the scheduler runs a KPI's source next (`None`: never). Run state, not
    /// definition: the version stays.
    async fn schedule_kpi_source(&mut self, workspace: WorkspaceId, id: i64, next_run_at: Option<i64>) -> Result<()>;

    /// Notes a run of a KPI's source at `at`: with the failure's sentence, or `None`
    /// when it worked (which clears the last failure). The version stays.
    async fn record_kpi_source_run(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        at: i64,
        error: Option<&str>,
    ) -> Result<()>;

    /// The KPIs, of every workspace, whose source is due at `now` (unix ms), soonest
    /// first. The one query not scoped to a workspace: the scheduler serves them all,
    /// and runs each as its own workspace's operator.
    async fn due_kpi_sources(&mut self, now: i64, limit: i64) -> Result<Vec<KpiRow>>;

    /// Claims a due source run: moves `next_run_at` from `seen` to `next` only if no one
    /// moved it first (compare and set), so that servers sharing a database run each
    /// source once. Whether this caller won.
    async fn claim_kpi_source(&mut self, workspace: WorkspaceId, id: i64, seen: i64, next: i64) -> Result<bool>;
}
