//! Who is asking. Every use case takes a [`Caller`] first and reads and writes only in
//! the caller's workspace. Authentication (tokens, sessions, roles) will build callers;
//! until then the server names the workspace explicitly.

use crate::error::AppError;
use crate::{App, workspace::WorkspaceView};
use milepost_core::WorkspaceId;

/// The workspace a request acts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The workspace.
    pub workspace: WorkspaceId,
    /// Its slug, for messages.
    pub workspace_slug: String,
}

impl App {
    /// The caller acting in the workspace with that slug; an unknown slug is not found.
    pub async fn caller_for_workspace(&self, slug: &str) -> Result<Caller, AppError> {
        let mut tx = self.store().read().await?;
        let row = tx
            .workspace_by_slug(slug)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "workspace", id: slug.to_owned() })?;
        Ok(Caller { workspace: WorkspaceId(row.id), workspace_slug: row.slug })
    }

    /// The caller acting in a workspace just created or listed.
    pub fn caller_for(&self, workspace: &WorkspaceView) -> Caller {
        Caller { workspace: WorkspaceId(workspace.id), workspace_slug: workspace.slug.clone() }
    }
}
