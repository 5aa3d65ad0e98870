//! Initiatives: the projects and tasks that move key results.

use crate::Caller;
use crate::access::record;
use crate::error::{AppError, Path, Problems, on_update};
use crate::page::{self, ListParams, Paged};
use crate::patch;
use crate::permission::{Action, require, sees_key_result};
use crate::time::{from_ms, parse_day};
use jiff::Timestamp;
use jiff::civil::Date;
use milepost_core::Title;
use milepost_core::{InitiativeId, ObjectiveId};
use milepost_store::{InitiativeFields, InitiativeFilter, InitiativeRow, Tx};
use serde::{Deserialize, Serialize};

/// The longest link accepted.
const LINK_MAX: usize = 2_000;

/// Where an initiative stands (defined in the core, with its stored names).
pub use milepost_core::InitiativeStatus;

/// An initiative to create.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInitiative {
    /// What will be done.
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// Who drives it.
    pub owner_person_id: Option<i64>,
    /// planned (default), active, done or dropped.
    pub status: Option<InitiativeStatus>,
    /// When it is due, `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// A link to the work (issue, document).
    pub link: Option<String>,
    /// The key results it moves.
    #[serde(default)]
    pub key_result_ids: Vec<i64>,
}

/// Changes to an initiative; fields left out stay as they are.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InitiativePatch {
    /// The version the change is based on.
    pub version: i64,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New owner; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<i64>)]
    pub owner_person_id: Option<Option<i64>>,
    /// New status.
    pub status: Option<InitiativeStatus>,
    /// New due day; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<String>)]
    pub due_date: Option<Option<String>>,
    /// New link; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<String>)]
    pub link: Option<Option<String>>,
    /// The new set of key results it moves.
    pub key_result_ids: Option<Vec<i64>>,
}

/// An initiative.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InitiativeView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: InitiativeId,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// Who drives it.
    pub owner_person_id: Option<i64>,
    /// Where it stands.
    pub status: InitiativeStatus,
    /// When it is due.
    pub due_date: Option<Date>,
    /// A link to the work.
    pub link: Option<String>,
    /// The key results it moves.
    pub key_result_ids: Vec<i64>,
    /// Whether archived.
    pub archived: bool,
    /// When created.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
    /// Version: send it back with a change.
    pub version: i64,
}

/// Filters of the initiative list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InitiativeQuery {
    /// Only those moving this key result.
    pub key_result_id: Option<i64>,
    /// Only owned by this person.
    pub owner_person_id: Option<i64>,
    /// Only in this status.
    pub status: Option<InitiativeStatus>,
    /// Include archived initiatives.
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub after: Option<String>,
}

fn view(row: InitiativeRow, key_result_ids: Vec<i64>) -> InitiativeView {
    InitiativeView {
        id: InitiativeId(row.id),
        title: row.title,
        description: row.description,
        owner_person_id: row.owner_person_id,
        status: row.status,
        due_date: row.due_date.as_deref().and_then(|d| parse_day(d).ok()),
        link: row.link,
        key_result_ids,
        archived: row.archived,
        created_at: from_ms(row.created_at),
        updated_at: from_ms(row.updated_at),
        version: row.version,
    }
}

/// The key results an initiative moves that the caller may see.
async fn visible_links(tx: &mut Tx, caller: &Caller, initiative: i64) -> Result<Vec<i64>, AppError> {
    let links = tx.initiative_key_results(caller.workspace, initiative).await?;
    if caller.role == crate::caller::Role::Admin {
        return Ok(links);
    }
    let mut visible = Vec::with_capacity(links.len());
    for id in links {
        if sees_key_result(tx, caller, id).await? {
            visible.push(id);
        }
    }
    Ok(visible)
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound { what: "initiative", id: id.to_string() }
}

/// Checks the parts every initiative write has in common.
async fn check_common(
    tx: &mut Tx,
    caller: &Caller,
    problems: &mut Problems,
    owner: Option<i64>,
    due_date: Option<&str>,
    link: Option<&str>,
    key_result_ids: &[i64],
) -> Result<Option<String>, AppError> {
    if let Some(owner) = owner
        && !tx.exists("people", caller.workspace, owner).await?
    {
        problems.push("/owner_person_id", format!("there is no person {owner} in this workspace"));
    }
    if let Some(link) = link
        && (link.chars().count() > LINK_MAX || !(link.starts_with("https://") || link.starts_with("http://")))
    {
        problems.push("/link", "must be an http:// or https:// address of at most 2000 characters");
    }
    for (index, id) in key_result_ids.iter().enumerate() {
        if key_result_ids[..index].contains(id) {
            problems
                .push(Path::root().field("key_result_ids").index(index), format!("key result {id} is listed twice"));
        } else if !sees_key_result(tx, caller, *id).await? {
            problems.push(
                Path::root().field("key_result_ids").index(index),
                format!("there is no key result {id} in this workspace"),
            );
        }
    }
    Ok(due_date.and_then(|d| problems.check("/due_date", parse_day(d))).map(|d| d.to_string()))
}

/// Initiatives: the projects and tasks under objectives and key results. Reached through [`App::initiatives`](crate::App::initiatives).
#[derive(Debug, Clone, Copy)]
pub struct Initiatives<'a> {
    pub(crate) app: &'a crate::App,
}

impl Initiatives<'_> {
    /// Creates an initiative.
    pub async fn create(self, caller: &Caller, new: NewInitiative) -> Result<InitiativeView, AppError> {
        require(caller, Action::EditOkr { owner: new.owner_person_id })?;
        let mut tx = self.app.write(caller.workspace).await?;
        let mut problems = Problems::new();
        let title = problems.check("/title", Title::parse(&new.title));
        let due = check_common(
            &mut tx,
            caller,
            &mut problems,
            new.owner_person_id,
            new.due_date.as_deref(),
            new.link.as_deref(),
            &new.key_result_ids,
        )
        .await?;
        problems.finish()?;
        let Some(title) = title else {
            return Err(AppError::invalid("/title", "missing"));
        };
        let fields = InitiativeFields {
            title: title.into_string(),
            description: new.description.unwrap_or_default().trim().to_owned(),
            owner_person_id: new.owner_person_id,
            status: new.status.unwrap_or(InitiativeStatus::Planned),
            due_date: due,
            link: new.link,
        };
        let row = tx.insert_initiative(caller.workspace, &fields, self.app.now_ms()).await?;
        tx.set_initiative_key_results(caller.workspace, row.id, &new.key_result_ids).await?;
        let links = visible_links(&mut tx, caller, row.id).await?;
        record(&mut tx, caller, "create", "initiative", row.id, None::<&()>, Some(&row), self.app.now_ms()).await?;
        tx.commit().await?;
        Ok(view(row, links))
    }

    /// One initiative.
    pub async fn get(self, caller: &Caller, id: InitiativeId) -> Result<InitiativeView, AppError> {
        let id = id.get();
        let mut tx = self.app.store().read().await?;
        let row = tx.initiative(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let links = visible_links(&mut tx, caller, id).await?;
        Ok(view(row, links))
    }

    /// Changes an initiative.
    pub async fn update(
        self,
        caller: &Caller,
        id: InitiativeId,
        change: InitiativePatch,
    ) -> Result<InitiativeView, AppError> {
        let id = id.get();
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx.initiative(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        require(caller, Action::EditOkr { owner: current.owner_person_id })?;
        let mut problems = Problems::new();
        let title = match &change.title {
            Some(title) => problems.check("/title", Title::parse(title)).map(Title::into_string),
            None => Some(current.title.clone()),
        };
        let owner = patch::apply(current.owner_person_id, change.owner_person_id);
        // Giving an initiative away needs the right to own it as the new owner too.
        require(caller, Action::EditOkr { owner })?;
        let due_text = patch::apply(current.due_date.clone(), change.due_date.clone());
        let link = patch::apply(current.link.clone(), change.link.clone());
        let key_result_ids = match &change.key_result_ids {
            Some(ids) => ids.clone(),
            None => Vec::new(),
        };
        let due =
            check_common(&mut tx, caller, &mut problems, owner, due_text.as_deref(), link.as_deref(), &key_result_ids)
                .await?;
        problems.finish()?;
        let Some(title) = title else {
            return Err(AppError::invalid("/title", "missing"));
        };
        let fields = InitiativeFields {
            title,
            description: change.description.map_or(current.description.clone(), |d| d.trim().to_owned()),
            owner_person_id: owner,
            status: change.status.unwrap_or(current.status),
            due_date: due,
            link,
        };
        let row = tx
            .update_initiative(caller.workspace, id, change.version, &fields, current.archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "initiative", id, change.version))?;
        if change.key_result_ids.is_some() {
            tx.set_initiative_key_results(caller.workspace, id, &key_result_ids).await?;
        }
        let links = visible_links(&mut tx, caller, id).await?;
        record(&mut tx, caller, "update", "initiative", id, Some(&current), Some(&row), self.app.now_ms()).await?;
        tx.commit().await?;
        Ok(view(row, links))
    }

    /// Archives an initiative (or restores it).
    pub async fn archive(
        self,
        caller: &Caller,
        id: InitiativeId,
        version: i64,
        archived: bool,
    ) -> Result<InitiativeView, AppError> {
        let id = id.get();
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx.initiative(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        require(caller, Action::EditOkr { owner: current.owner_person_id })?;
        let fields = current.fields();
        let row = tx
            .update_initiative(caller.workspace, id, version, &fields, archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "initiative", id, version))?;
        let links = visible_links(&mut tx, caller, id).await?;
        record(
            &mut tx,
            caller,
            if archived { "archive" } else { "restore" },
            "initiative",
            id,
            Some(&current),
            Some(&row),
            self.app.now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(view(row, links))
    }

    /// The initiatives (not archived) that roll up to any key result of an objective the
    /// caller may see, in id order, in one read: what the objective's page lists.
    pub async fn of_objective(self, caller: &Caller, objective: ObjectiveId) -> Result<Vec<InitiativeView>, AppError> {
        let mut tx = self.app.store().read().await?;
        let key_results = crate::permission::key_results_of_visible_objective(&mut tx, caller, objective).await?;
        let mut out = Vec::new();
        for initiative in tx.initiatives_of_key_results(caller.workspace, &key_results).await? {
            if initiative.archived {
                continue;
            }
            let links = visible_links(&mut tx, caller, initiative.id).await?;
            out.push(view(initiative, links));
        }
        Ok(out)
    }

    /// Lists initiatives.
    pub async fn list(self, caller: &Caller, query: InitiativeQuery) -> Result<Paged<InitiativeView>, AppError> {
        let page = ListParams { limit: query.limit, after: query.after }.page()?;
        let filter = InitiativeFilter {
            key_result_id: query.key_result_id,
            owner_person_id: query.owner_person_id,
            status: query.status,
            include_archived: query.include_archived,
        };
        let mut tx = self.app.store().read().await?;
        if let Some(key_result) = query.key_result_id
            && !sees_key_result(&mut tx, caller, key_result).await?
        {
            return Ok(Paged::new(Vec::new(), None, false));
        }
        let rows = tx.list_initiatives(caller.workspace, &filter, page::probe(page)).await?;
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        let mut items = Vec::with_capacity(rows.len().min(limit));
        for row in rows.into_iter().take(limit) {
            let links = visible_links(&mut tx, caller, row.id).await?;
            items.push(view(row, links));
        }
        let last = items.last().map(|v: &InitiativeView| v.id);
        Ok(Paged::new(items, last.map(InitiativeId::get), more))
    }
}
