//! How a workspace grades (its colour bands and success scores, a setting admins
//! change) and the scores a cycle's closing freezes: once a cycle is closed, its
//! scores are those computed at the close under the thresholds of that moment, so a
//! later change of settings or a late measurement does not move them; late data is
//! kept and shown as late beside the frozen score.

use crate::error::AppError;
use milepost_core::{CycleStatus, ScoreColour, Thresholds, ThresholdsError, WorkspaceId};
use milepost_store::{CycleClosingRow, CycleRow, ScoringRow, StoreError, Tx};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A workspace's scoring thresholds, as scores from 0.1 to 1.0 in steps of 0.1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoringView {
    /// A score from this one up is yellow (below it, red). Default 0.4.
    pub yellow_from: f64,
    /// A score from this one up is green. Default 0.7.
    pub green_from: f64,
    /// The score a committed OKR needs to succeed. Default 1.0.
    pub committed_success: f64,
    /// The score an aspirational OKR needs to succeed. Default 0.7.
    pub aspirational_success: f64,
}

impl ScoringView {
    /// The view of `thresholds`.
    pub fn of(thresholds: &Thresholds) -> ScoringView {
        ScoringView {
            yellow_from: thresholds.yellow_from(),
            green_from: thresholds.green_from(),
            committed_success: thresholds.committed_success(),
            aspirational_success: thresholds.aspirational_success(),
        }
    }

    /// The thresholds these numbers give, or a problem at the number at fault.
    pub fn check(&self) -> Result<Thresholds, AppError> {
        Thresholds::try_new(self.yellow_from, self.green_from, self.committed_success, self.aspirational_success)
            .map_err(|error: ThresholdsError| AppError::invalid(format!("/{}", error.field()).as_str(), error))
    }
}

/// Stored thresholds read back.
pub(crate) fn thresholds_of(row: ScoringRow) -> Result<Thresholds, StoreError> {
    Thresholds::from_tenths(
        row.score_yellow_from,
        row.score_green_from,
        row.committed_success,
        row.aspirational_success,
    )
    .ok_or_else(|| StoreError::Corrupt {
        column: "workspaces.score_yellow_from".into(),
        reason: format!("{row:?} are not scoring thresholds (tenths 1–10, yellow below green)"),
    })
}

/// The stored form of thresholds.
pub(crate) fn row_of(thresholds: &Thresholds) -> ScoringRow {
    let [score_yellow_from, score_green_from, committed_success, aspirational_success] = thresholds.tenths();
    ScoringRow { score_yellow_from, score_green_from, committed_success, aspirational_success }
}

/// A workspace's thresholds, SPEC §4's for an unknown workspace.
pub(crate) async fn workspace_thresholds(tx: &mut Tx, workspace: WorkspaceId) -> Result<Thresholds, StoreError> {
    tx.scoring(workspace).await?.map_or(Ok(Thresholds::default()), thresholds_of)
}

/// One grade a closing froze.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct FrozenScore {
    /// The progress it was graded from, 0–1 (unclamped), when there was any.
    pub progress: Option<f64>,
    /// The score, 0.0–1.0 in tenths.
    pub value: f64,
    /// Its colour under the closing's thresholds.
    pub colour: ScoreColour,
    /// For objectives: whether it met its commitment's success score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeeded: Option<bool>,
}

/// Every grade a closing froze, by objective and key result id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct FrozenScores {
    pub objectives: BTreeMap<i64, FrozenScore>,
    pub key_results: BTreeMap<i64, FrozenScore>,
}

/// How a cycle's numbers are graded: under which thresholds, and, for a closed cycle,
/// the scores its standing closing froze.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scoring {
    pub thresholds: Thresholds,
    pub frozen: Option<Arc<FrozenScores>>,
}

impl Scoring {
    /// How `cycle` is graded: a closed cycle by its standing closing (its thresholds
    /// and scores), any other (or one closed before closings froze scores) by the
    /// workspace's thresholds.
    pub async fn load(tx: &mut Tx, workspace: WorkspaceId, cycle: &CycleRow) -> Result<Scoring, StoreError> {
        if cycle.status == CycleStatus::Closed
            && let Some(closing) = tx.standing_cycle_closing(workspace, cycle.id).await?
        {
            let (thresholds, frozen) = read_closing(&closing)?;
            return Ok(Scoring { thresholds, frozen: Some(Arc::new(frozen)) });
        }
        Ok(Scoring { thresholds: workspace_thresholds(tx, workspace).await?, frozen: None })
    }
}

/// A stored closing's thresholds and scores read back.
pub(crate) fn read_closing(closing: &CycleClosingRow) -> Result<(Thresholds, FrozenScores), StoreError> {
    let corrupt = |column: &str, reason: String| StoreError::Corrupt {
        column: format!("cycle_closings.{column} (id {})", closing.id),
        reason,
    };
    let view: ScoringView =
        serde_json::from_str(&closing.thresholds).map_err(|e| corrupt("thresholds", e.to_string()))?;
    let thresholds = view.check().map_err(|e| corrupt("thresholds", e.to_string()))?;
    let scores: FrozenScores = serde_json::from_str(&closing.scores).map_err(|e| corrupt("scores", e.to_string()))?;
    Ok((thresholds, scores))
}
