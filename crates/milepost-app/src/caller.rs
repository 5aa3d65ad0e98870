//! Who is asking. Every use case takes a [`Caller`] first: the workspace it acts in,
//! the role it acts with and, when a person acts, which person and team. The server
//! builds callers from API tokens; local tools that hold the database itself (the CLI
//! on its data directory, the demo loader) act as the workspace's operator, an admin.

use milepost_core::WorkspaceId;

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

/// What a person may do in their workspace (SPEC §3): defined in the core, with its
/// stored names; the caller acts with one.
pub use milepost_core::Role;
