//! Who may do what in a workspace: the roles of SPEC §3, and where an initiative stands.
//! Both are stored by name ([`crate::Named`]) and read back strictly.

use serde::{Deserialize, Serialize};

/// What a person (or an API token) may do in their workspace (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in the workspace.
    Admin,
    /// Create and edit OKRs and KPIs.
    Editor,
    /// Edit what they own, check in on their key results.
    Member,
    /// Read only.
    Viewer,
}

/// Where an initiative stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InitiativeStatus {
    /// Not begun.
    Planned,
    /// Under way.
    Active,
    /// Finished.
    Done,
    /// Given up.
    Dropped,
}
