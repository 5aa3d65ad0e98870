//! Workspaces: create and list the tenants of an installation.

use crate::Caller;
use crate::error::{AppError, Problems, duplicate_or, slug_or_from};
use crate::time::from_ms;
use jiff::Timestamp;
use milepost_core::{Title, WorkspaceId};
use milepost_store::WorkspaceRow;
use serde::{Deserialize, Serialize};

/// A workspace to create.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkspace {
    /// Short name for URLs and files (`acme`); made from the name when left out.
    pub slug: Option<String>,
    /// Display name (`Acme Outfitters`).
    pub name: String,
}

/// A workspace.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkspaceView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: WorkspaceId,
    /// Its short name.
    pub slug: String,
    /// Its display name.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// Its version.
    pub version: i64,
}

impl From<WorkspaceRow> for WorkspaceView {
    fn from(row: WorkspaceRow) -> Self {
        WorkspaceView {
            id: WorkspaceId(row.id),
            slug: row.slug,
            name: row.name,
            created_at: from_ms(row.created_at),
            version: row.version,
        }
    }
}

/// The names a workspace knows, for checking OKR files against it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceNames {
    /// People's handles.
    pub people: Vec<String>,
    /// Teams' slugs.
    pub teams: Vec<String>,
    /// Cycles' slugs and names.
    pub cycles: Vec<String>,
    /// KPIs' slugs.
    pub kpis: Vec<String>,
}

/// Workspaces, and the caller acting in one. Reached through [`App::workspaces`](crate::App::workspaces).
#[derive(Debug, Clone, Copy)]
pub struct Workspaces<'a> {
    pub(crate) app: &'a crate::App,
}

impl Workspaces<'_> {
    /// The handles, slugs and names the caller's workspace knows (archived ones too:
    /// a file may still name them, and the linter should not call them unknown).
    pub async fn names(self, caller: &crate::Caller) -> Result<WorkspaceNames, AppError> {
        let mut tx = self.app.store().read().await?;
        Ok(crate::okr_file::Resolver::load(&mut tx, caller).await?.names())
    }

    /// Creates a workspace.
    pub async fn create(self, new: NewWorkspace) -> Result<WorkspaceView, AppError> {
        let mut problems = Problems::new();
        let name = problems.check("/name", Title::parse(&new.name));
        let slug = slug_or_from(&mut problems, new.slug.as_deref(), &new.name);
        problems.finish()?;
        let (Some(name), Some(slug)) = (name, slug) else {
            return Err(AppError::invalid("/name", "missing"));
        };
        let mut tx = self.app.write_outside_read_model().await?;
        let row = tx
            .insert_workspace(&slug, name.as_str(), self.app.now_ms())
            .await
            .map_err(|e| duplicate_or(e, "workspace"))?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// The workspace with that slug.
    pub async fn get(self, slug: &str) -> Result<WorkspaceView, AppError> {
        let mut tx = self.app.store().read().await?;
        let row = tx.workspace_by_slug(slug).await?;
        row.map(WorkspaceView::from).ok_or_else(|| AppError::NotFound { what: "workspace", id: slug.to_owned() })
    }

    /// Every workspace of the installation.
    pub async fn list(self) -> Result<Vec<WorkspaceView>, AppError> {
        let mut tx = self.app.store().read().await?;
        Ok(tx.list_workspaces().await?.into_iter().map(WorkspaceView::from).collect())
    }
}

impl Workspaces<'_> {
    /// The operator of the workspace with that slug; an unknown slug is not found.
    pub async fn caller(self, slug: &str) -> Result<Caller, AppError> {
        let mut tx = self.app.store().read().await?;
        let row = tx
            .workspace_by_slug(slug)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "workspace", id: slug.to_owned() })?;
        Ok(Caller::operator(WorkspaceId(row.id), row.slug))
    }

    /// The operator of a workspace just created or listed.
    pub fn caller_for(self, workspace: &WorkspaceView) -> Caller {
        Caller::operator(workspace.id, workspace.slug.clone())
    }
}

impl Workspaces<'_> {
    /// The caller's workspace's scoring thresholds.
    pub async fn scoring(self, caller: &crate::Caller) -> Result<crate::scoring::ScoringView, AppError> {
        let mut tx = self.app.store().read().await?;
        Ok(crate::scoring::ScoringView::of(&crate::scoring::workspace_thresholds(&mut tx, caller.workspace).await?))
    }

    /// Sets the workspace's scoring thresholds (admins). Open cycles are graded by
    /// them from now on; a closed cycle keeps the scores and thresholds it froze.
    pub async fn set_scoring(
        self,
        caller: &crate::Caller,
        scoring: crate::scoring::ScoringView,
    ) -> Result<crate::scoring::ScoringView, AppError> {
        crate::permission::require(caller, crate::permission::Action::Administer)?;
        let thresholds = scoring.check()?;
        let now = self.app.now_ms();
        let mut tx = self.app.write(caller.workspace).await?;
        let before = crate::scoring::workspace_thresholds(&mut tx, caller.workspace).await?;
        tx.set_scoring(caller.workspace, &crate::scoring::row_of(&thresholds), now).await?;
        let (before, after) = (crate::scoring::ScoringView::of(&before), crate::scoring::ScoringView::of(&thresholds));
        crate::access::record(
            &mut tx,
            caller,
            "update",
            "scoring",
            caller.workspace.get(),
            Some(&before),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
