//! Teams: a tree of groups (company → department → team).

use crate::Caller;
use crate::access::record;
use crate::error::slug_or_from;
use crate::error::{AppError, Problems, duplicate_or, on_update};
use crate::page::{self, ListParams, Paged};
use crate::patch;
use crate::permission::{Action, require};
use crate::time::from_ms;
use jiff::Timestamp;
use milepost_core::TeamId;
use milepost_core::{Slug, Title};
use milepost_store::{TeamFields, TeamFilter, TeamRow, Tx};
use serde::{Deserialize, Serialize};

/// A team to create.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    /// Short name (`customer-support`); made from the name when left out.
    pub slug: Option<String>,
    /// Display name.
    pub name: String,
    /// The team this one belongs to.
    pub parent_team_id: Option<i64>,
}

/// Changes to a team; fields left out stay as they are.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamPatch {
    /// The version the change is based on.
    pub version: i64,
    /// New short name.
    pub slug: Option<String>,
    /// New display name.
    pub name: Option<String>,
    /// New parent team; `null` makes it a root.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<i64>)]
    pub parent_team_id: Option<Option<i64>>,
}

/// A team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: TeamId,
    /// Its short name.
    pub slug: String,
    /// Its display name.
    pub name: String,
    /// The team it belongs to.
    pub parent_team_id: Option<i64>,
    /// Whether it is archived.
    pub archived: bool,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Its version: send it back with a change.
    pub version: i64,
}

impl From<TeamRow> for TeamView {
    fn from(row: TeamRow) -> Self {
        TeamView {
            id: TeamId(row.id),
            slug: row.slug,
            name: row.name,
            parent_team_id: row.parent_team_id,
            archived: row.archived,
            created_at: from_ms(row.created_at),
            updated_at: from_ms(row.updated_at),
            version: row.version,
        }
    }
}

/// Filters of the team list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// Only direct children of this team.
    pub parent_team_id: Option<i64>,
    /// Include archived teams.
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub after: Option<String>,
}

/// Checks that `parent` exists and that making it the parent of `id` makes no loop.
async fn check_parent(
    tx: &mut Tx,
    caller: &Caller,
    problems: &mut Problems,
    id: Option<i64>,
    parent: Option<i64>,
) -> Result<(), AppError> {
    let Some(mut cursor) = parent else {
        return Ok(());
    };
    let mut steps = 0;
    loop {
        if Some(cursor) == id {
            problems.push("/parent_team_id", "a team cannot be inside itself or one of its own sub-teams");
            return Ok(());
        }
        let Some(row) = tx.team(caller.workspace, cursor).await? else {
            if steps == 0 {
                problems.push("/parent_team_id", format!("there is no team {cursor} in this workspace"));
            }
            return Ok(());
        };
        steps += 1;
        match row.parent_team_id {
            Some(next) if steps < 1000 => cursor = next,
            _ => return Ok(()),
        }
    }
}

/// Teams, in the workspace's tree. Reached through [`App::teams`](crate::App::teams).
#[derive(Debug, Clone, Copy)]
pub struct Teams<'a> {
    pub(crate) app: &'a crate::App,
}

impl Teams<'_> {
    /// Creates a team.
    pub async fn create(self, caller: &Caller, new: NewTeam) -> Result<TeamView, AppError> {
        require(caller, Action::Administer)?;
        let mut problems = Problems::new();
        let name = problems.check("/name", Title::parse(&new.name));
        let slug = slug_or_from(&mut problems, new.slug.as_deref(), &new.name);
        let mut tx = self.app.write(caller.workspace).await?;
        check_parent(&mut tx, caller, &mut problems, None, new.parent_team_id).await?;
        problems.finish()?;
        let (Some(name), Some(slug)) = (name, slug) else {
            return Err(AppError::invalid("/name", "missing"));
        };
        let fields = TeamFields { slug, name: name.into_string(), parent_team_id: new.parent_team_id };
        let row =
            tx.insert_team(caller.workspace, &fields, self.app.now_ms()).await.map_err(|e| duplicate_or(e, "team"))?;
        record(&mut tx, caller, "create", "team", row.id, None::<&()>, Some(&row), self.app.now_ms()).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// One team.
    pub async fn get(self, caller: &Caller, id: TeamId) -> Result<TeamView, AppError> {
        let id = id.get();
        let mut tx = self.app.store().read().await?;
        let row = tx.team(caller.workspace, id).await?;
        row.map(TeamView::from).ok_or_else(|| AppError::NotFound { what: "team", id: id.to_string() })
    }

    /// Changes a team.
    pub async fn update(self, caller: &Caller, id: TeamId, change: TeamPatch) -> Result<TeamView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx
            .team(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "team", id: id.to_string() })?;
        let mut problems = Problems::new();
        let name = match &change.name {
            Some(name) => problems.check("/name", Title::parse(name)).map(Title::into_string),
            None => Some(current.name.clone()),
        };
        let slug = match &change.slug {
            Some(slug) => problems.check("/slug", Slug::parse(slug)).map(|s| s.as_str().to_owned()),
            None => Some(current.slug.clone()),
        };
        let parent = patch::apply(current.parent_team_id, change.parent_team_id);
        if parent != current.parent_team_id {
            check_parent(&mut tx, caller, &mut problems, Some(id), parent).await?;
        }
        problems.finish()?;
        let (Some(name), Some(slug)) = (name, slug) else {
            return Err(AppError::invalid("/name", "missing"));
        };
        let fields = TeamFields { slug, name, parent_team_id: parent };
        let row = tx
            .update_team(caller.workspace, id, change.version, &fields, current.archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "team", id, change.version))?;
        record(&mut tx, caller, "update", "team", id, Some(&current), Some(&row), self.app.now_ms()).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Archives a team (or restores it with `archived = false`).
    pub async fn archive(
        self,
        caller: &Caller,
        id: TeamId,
        version: i64,
        archived: bool,
    ) -> Result<TeamView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx
            .team(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "team", id: id.to_string() })?;
        let fields = current.fields();
        let row = tx
            .update_team(caller.workspace, id, version, &fields, archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "team", id, version))?;
        record(
            &mut tx,
            caller,
            if archived { "archive" } else { "restore" },
            "team",
            id,
            Some(&current),
            Some(&row),
            self.app.now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Lists teams.
    pub async fn list(self, caller: &Caller, query: TeamQuery) -> Result<Paged<TeamView>, AppError> {
        let page = ListParams { limit: query.limit, after: query.after }.page()?;
        let filter = TeamFilter { parent_team_id: query.parent_team_id, include_archived: query.include_archived };
        let mut tx = self.app.store().read().await?;
        let rows = tx.list_teams(caller.workspace, &filter, page::probe(page)).await?;
        Ok(page::finish(rows, page, |r| r.id, TeamView::from))
    }
}
