//! Who is asking. Every use case takes a [`Caller`] first: the workspace it acts in,
//! the role it acts with and, when a person acts, which person and team. The server
//! builds callers from API tokens; local tools that hold the database itself (the CLI
//! on its data directory, the demo loader) act as the workspace's operator, an admin.

use milepost_core::WorkspaceId;
use serde::{Deserialize, Serialize};

/// The workspace a request acts in, and with what rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The workspace.
    pub workspace: WorkspaceId,
    /// Its slug, for messages.
    pub workspace_slug: String,
    /// The role the caller acts with.
    pub role: Role,
    /// The person acting, when a person acts (not a machine token or the operator).
    pub person: Option<i64>,
    /// That person's team.
    pub team: Option<i64>,
    /// The API token presented, when one was.
    pub token: Option<i64>,
}

impl Caller {
    /// The operator of a workspace: a local tool with the database in hand, an admin.
    pub fn operator(workspace: WorkspaceId, workspace_slug: impl Into<String>) -> Caller {
        Caller {
            workspace,
            workspace_slug: workspace_slug.into(),
            role: Role::Admin,
            person: None,
            team: None,
            token: None,
        }
    }
}

/// What a person may do in their workspace (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// Reads a stored name; an unknown one reads as the least privileged role.
    pub fn from_stored(text: &str) -> Role {
        match text {
            "admin" => Role::Admin,
            "editor" => Role::Editor,
            "member" => Role::Member,
            _ => Role::Viewer,
        }
    }
}
