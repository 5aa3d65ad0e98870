//! Objectives, aligned to a parent objective or key result.

use crate::{Page, Result};
use milepost_core::{Commitment, Visibility, WorkspaceId};

/// An objective as stored.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ObjectiveRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// Its cycle.
    pub cycle_id: i64,
    /// Title as written.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// Owning person, when a person owns it.
    pub owner_person_id: Option<i64>,
    /// Owning team, when a team owns it.
    pub owner_team_id: Option<i64>,
    /// committed or aspirational.
    pub commitment: Commitment,
    /// The objective it aligns to.
    pub parent_objective_id: Option<i64>,
    /// The key result it contributes to.
    pub parent_key_result_id: Option<i64>,
    /// workspace or team.
    pub visibility: Visibility,
    /// Whether aligned child objectives count in its progress.
    pub rollup_children: bool,
    /// Whether it was added after its cycle started (SPEC §4: moving goalposts).
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

/// The fields set on an objective.
#[derive(Debug, Clone)]
pub struct ObjectiveFields {
    /// Cycle.
    pub cycle_id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Owning person.
    pub owner_person_id: Option<i64>,
    /// Owning team.
    pub owner_team_id: Option<i64>,
    /// Commitment name.
    pub commitment: Commitment,
    /// Parent objective.
    pub parent_objective_id: Option<i64>,
    /// Parent key result.
    pub parent_key_result_id: Option<i64>,
    /// Visibility name.
    pub visibility: Visibility,
    /// Roll up children.
    pub rollup_children: bool,
}

/// Which objectives to list.
#[derive(Debug, Clone, Default)]
pub struct ObjectiveFilter {
    /// Only in this cycle.
    pub cycle_id: Option<i64>,
    /// Only owned by this person.
    pub owner_person_id: Option<i64>,
    /// Only owned by this team.
    pub owner_team_id: Option<i64>,
    /// Only aligned to this objective.
    pub parent_objective_id: Option<i64>,
    /// Include archived objectives.
    pub include_archived: bool,
}

impl ObjectiveRow {
    /// The fields a person sets, as they stand: the starting point of a change.
    pub fn fields(&self) -> ObjectiveFields {
        ObjectiveFields {
            cycle_id: self.cycle_id,
            title: self.title.clone(),
            description: self.description.clone(),
            owner_person_id: self.owner_person_id,
            owner_team_id: self.owner_team_id,
            commitment: self.commitment,
            parent_objective_id: self.parent_objective_id,
            parent_key_result_id: self.parent_key_result_id,
            visibility: self.visibility,
            rollup_children: self.rollup_children,
        }
    }
}

#[cfg(feature = "sqlx")]
crate::decode::from_row!(ObjectiveRow in "objectives" { id, workspace_id, cycle_id, title, description, owner_person_id, owner_team_id, commitment: named, parent_objective_id, parent_key_result_id, visibility: named, rollup_children, added_after_start, archived, created_at, updated_at, version, position });

/// What a transaction can do with objective data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait ObjectiveStore: Send {
    /// Creates an objective.
    async fn insert_objective(
        &mut self,
        workspace: WorkspaceId,
        fields: &ObjectiveFields,
        added_after_start: bool,
        now: i64,
    ) -> Result<ObjectiveRow>;

    /// The objective with that id.
    async fn objective(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<ObjectiveRow>>;

    /// Replaces an objective's fields if it is still at `version`.
    async fn update_objective(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &ObjectiveFields,
        archived: bool,
        now: i64,
    ) -> Result<ObjectiveRow>;

    /// Lists objectives in id order.
    async fn list_objectives(
        &mut self,
        workspace: WorkspaceId,
        filter: &ObjectiveFilter,
        page: Page,
    ) -> Result<Vec<ObjectiveRow>>;

    /// Objectives of other cycles than `cycle_id` aligned to any of `parents`: the
    /// quarterly children of a yearly objective that rolls them up.
    async fn objectives_aligned_from_other_cycles(
        &mut self,
        workspace: WorkspaceId,
        cycle_id: i64,
        parents: &[i64],
    ) -> Result<Vec<ObjectiveRow>>;

    /// The objectives visible to their team only.
    async fn team_only_objectives(&mut self, workspace: WorkspaceId) -> Result<Vec<ObjectiveRow>>;

    /// Sets where an objective among its owner's stands (see migration 0005). Not a change of the
    /// thing itself: no version, no timestamp.
    async fn set_objective_position(&mut self, workspace: WorkspaceId, id: i64, position: i64) -> Result<()>;

    /// Marks an objective as the recovery of a lagging KPI (see migration 0008). Not a
    /// change a person makes: no version, no timestamp.
    async fn set_objective_recovers_kpi(&mut self, workspace: WorkspaceId, id: i64, kpi_id: i64) -> Result<()>;

    /// The active recovery objective of a KPI, if it has one: drafted for it, not
    /// archived, in a cycle that is not closed (the oldest, should there be several).
    async fn active_recovery_objective(&mut self, workspace: WorkspaceId, kpi_id: i64) -> Result<Option<i64>>;
}
