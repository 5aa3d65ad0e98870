//! Key results. Their current value changes only through check-ins.

use crate::{Page, Result};
use milepost_core::{Cadence, Comparator, KeyResultKind, WorkspaceId};

/// A key result as stored.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KeyResultRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// Its objective.
    pub objective_id: i64,
    /// The sentence as written.
    pub title: String,
    /// increase, decrease, maintain, range or milestone.
    pub kind: KeyResultKind,
    /// What is measured.
    pub metric: Option<String>,
    /// Unit of the values.
    pub unit: Option<String>,
    /// Baseline.
    pub start_value: Option<f64>,
    /// Target, or maintain threshold.
    pub target_value: Option<f64>,
    /// Low end of a range.
    pub range_low: Option<f64>,
    /// High end of a range.
    pub range_high: Option<f64>,
    /// `>=` or `<=` for maintain.
    pub comparator: Option<Comparator>,
    /// The relative change the target was stated as, if it was.
    pub relative_change: Option<f64>,
    /// For maintain and range: the share of slices that must meet the goal (0–1,
    /// checked when written); `None` is every slice.
    pub required_share: Option<f64>,
    /// Latest checked-in value.
    pub current_value: Option<f64>,
    /// Weight in the objective's rollup.
    pub weight: f64,
    /// Owning person.
    pub owner_person_id: Option<i64>,
    /// Check-in cadence name.
    pub cadence: Cadence,
    /// Linked KPI.
    pub kpi_id: Option<i64>,
    /// Target schedule as JSON.
    pub target_schedule: Option<String>,
    /// Whether it was added after its cycle started.
    pub added_after_start: bool,
    /// Whether archived.
    pub archived: bool,
    /// When created (unix ms).
    pub created_at: i64,
    /// When last changed (unix ms).
    pub updated_at: i64,
    /// Version.
    pub version: i64,
    /// Its place in its OKR file, as last applied; `None` when never applied from one.
    pub position: Option<i64>,
}

/// The fields set on a key result (its value is set by check-ins, not here).
#[derive(Debug, Clone)]
pub struct KeyResultFields {
    /// Objective.
    pub objective_id: i64,
    /// Title.
    pub title: String,
    /// Kind name.
    pub kind: KeyResultKind,
    /// Metric.
    pub metric: Option<String>,
    /// Unit.
    pub unit: Option<String>,
    /// Start.
    pub start_value: Option<f64>,
    /// Target.
    pub target_value: Option<f64>,
    /// Range low.
    pub range_low: Option<f64>,
    /// Range high.
    pub range_high: Option<f64>,
    /// Comparator.
    pub comparator: Option<Comparator>,
    /// Relative change.
    pub relative_change: Option<f64>,
    /// Required share of slices (maintain and range).
    pub required_share: Option<f64>,
    /// Weight.
    pub weight: f64,
    /// Owner.
    pub owner_person_id: Option<i64>,
    /// Cadence name.
    pub cadence: Cadence,
    /// KPI.
    pub kpi_id: Option<i64>,
    /// Schedule JSON.
    pub target_schedule: Option<String>,
}

/// Which key results to list.
#[derive(Debug, Clone, Default)]
pub struct KeyResultFilter {
    /// Only of this objective.
    pub objective_id: Option<i64>,
    /// Only of objectives in this cycle.
    pub cycle_id: Option<i64>,
    /// Only owned by this person.
    pub owner_person_id: Option<i64>,
    /// Only of objectives owned by this team.
    pub team_id: Option<i64>,
    /// Include archived key results, and those of archived objectives.
    pub include_archived: bool,
}

impl KeyResultRow {
    /// The fields a person sets, as they stand: the starting point of a change.
    pub fn fields(&self) -> KeyResultFields {
        KeyResultFields {
            objective_id: self.objective_id,
            title: self.title.clone(),
            kind: self.kind,
            metric: self.metric.clone(),
            unit: self.unit.clone(),
            start_value: self.start_value,
            target_value: self.target_value,
            range_low: self.range_low,
            range_high: self.range_high,
            comparator: self.comparator,
            relative_change: self.relative_change,
            required_share: self.required_share,
            weight: self.weight,
            owner_person_id: self.owner_person_id,
            cadence: self.cadence,
            kpi_id: self.kpi_id,
            target_schedule: self.target_schedule.clone(),
        }
    }
}

#[cfg(feature = "sqlx")]
crate::decode::from_row!(KeyResultRow in "key_results" { id, workspace_id, objective_id, title, kind: named, metric, unit, start_value, target_value, range_low, range_high, comparator: named_or_none, relative_change, required_share, current_value, weight, owner_person_id, cadence: named, kpi_id, target_schedule, added_after_start, archived, created_at, updated_at, version, position });

/// What a transaction can do with key result data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait KeyResultStore: Send {
    /// Creates a key result.
    async fn insert_key_result(
        &mut self,
        workspace: WorkspaceId,
        fields: &KeyResultFields,
        added_after_start: bool,
        now: i64,
    ) -> Result<KeyResultRow>;

    /// The key result with that id.
    async fn key_result(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<KeyResultRow>>;

    /// Replaces a key result's fields if it is still at `version`.
    async fn update_key_result(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &KeyResultFields,
        archived: bool,
        now: i64,
    ) -> Result<KeyResultRow>;

    /// Lists key results in id order.
    async fn list_key_results(
        &mut self,
        workspace: WorkspaceId,
        filter: &KeyResultFilter,
        page: Page,
    ) -> Result<Vec<KeyResultRow>>;

    /// Takes the key result's row lock and bumps its version, before a check-in is
    /// added, so concurrent check-ins on one key result queue behind each other and the
    /// current value is always recomputed from every committed check-in.
    async fn touch_key_result(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()>;

    /// Sets the key result's current value to its latest check-in's and returns it.
    async fn refresh_current_value(&mut self, workspace: WorkspaceId, id: i64) -> Result<KeyResultRow>;

    /// Every key result of the given objectives, archived or not, in id order.
    async fn key_results_of_objectives(
        &mut self,
        workspace: WorkspaceId,
        objective_ids: &[i64],
    ) -> Result<Vec<KeyResultRow>>;

    /// The key results a KPI feeds whose key result and objective are not archived,
    /// in id order.
    async fn key_results_of_kpi(&mut self, workspace: WorkspaceId, kpi_id: i64) -> Result<Vec<KeyResultRow>>;

    /// Sets where a key result among its objective's stands (see migration 0005). Not a change of the
    /// thing itself: no version, no timestamp.
    async fn set_key_result_position(&mut self, workspace: WorkspaceId, id: i64, position: i64) -> Result<()>;
}
