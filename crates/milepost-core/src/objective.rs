//! Objectives: committed or aspirational, visible to the workspace or to a team.

use serde::{Deserialize, Serialize};

/// How an objective is graded at close (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Commitment {
    /// Must be achieved: success is a score of 1.0.
    Committed,
    /// A stretch: a score of 0.7 or more is success.
    Aspirational,
}

impl Commitment {
    /// The score at or above which the objective counts as a success.
    pub fn success_threshold(self) -> f64 {
        match self {
            Commitment::Committed => 1.0,
            Commitment::Aspirational => 0.7,
        }
    }
}

/// Who may see an objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone in the workspace.
    Workspace,
    /// Only the owning team (and admins).
    Team,
}
