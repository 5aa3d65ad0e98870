//! Comments on objectives, key results and check-ins, with `@handle` mentions and
//! one level of replies.
//!
//! A comment is visible exactly where the objective it belongs to is (a team-only
//! objective's comments are a 404 outside its team, like the objective). Its text is
//! Markdown, rendered on the server with no HTML of the commenter's own
//! ([`markdown::render`]). Mentioning a handle that is unknown, archived, or of a
//! person who may not see the objective is refused with a 422 at `/body` naming the
//! handle, so a mention never tells anyone about something they may not see.
//!
//! Its author may change it for [`EDIT_WINDOW_MINUTES`] minutes after writing it (by
//! the app's clock); its author or an admin may delete it. A deleted comment stays in
//! its thread as "deleted" with no text; the text is kept only in the audit trail.
//! Viewers read comments but do not write them.
//!
//! [`announce`] is the one place where "a comment was written" and "a person was
//! mentioned" happen, inside the writing transaction: outward notices (webhooks) hook
//! in there.

pub mod markdown;

use crate::Caller;
use crate::access::record;
use crate::caller::Role;
use crate::error::{AppError, Problems};
use crate::page::{self, ListParams, Paged};
use crate::permission::{Action, require, require_visible};
use crate::time::from_ms;
use jiff::Timestamp;
use milepost_core::{CommentId, ObjectiveId};
use milepost_store::{CommentRow, NewComment, ObjectiveRow, PersonRow, StoreError, Tx};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How long after writing it a comment's author may still change it, in minutes.
pub const EDIT_WINDOW_MINUTES: i64 = 15;

/// The most comments an objective's page shows.
pub const THREAD_MAX: i64 = 2_000;

/// The most characters a comment holds.
pub const COMMENT_MAX_CHARS: usize = 10_000;

/// What a comment is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentSubject {
    /// An objective.
    Objective,
    /// A key result.
    KeyResult,
    /// A check-in.
    CheckIn,
}

impl CommentSubject {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentSubject::Objective => "objective",
            CommentSubject::KeyResult => "key_result",
            CommentSubject::CheckIn => "check_in",
        }
    }

    /// The words for it in messages.
    fn what(self) -> &'static str {
        match self {
            CommentSubject::Objective => "objective",
            CommentSubject::KeyResult => "key result",
            CommentSubject::CheckIn => "check-in",
        }
    }

    fn parse(name: &str) -> CommentSubject {
        match name {
            "key_result" => CommentSubject::KeyResult,
            "check_in" => CommentSubject::CheckIn,
            _ => CommentSubject::Objective,
        }
    }
}

/// A comment as people read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommentView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: CommentId,
    /// What it is on.
    pub subject: CommentSubject,
    /// The id of the thing it is on.
    pub subject_id: i64,
    /// The objective that thing belongs to.
    pub objective_id: i64,
    /// The comment it answers, for a reply.
    pub reply_to: Option<i64>,
    /// Who wrote it, when a person did.
    pub author_person_id: Option<i64>,
    /// The author's handle, when a person wrote it.
    pub author_handle: Option<String>,
    /// The author's name, when a person wrote it.
    pub author_name: Option<String>,
    /// Its Markdown text; empty once deleted.
    pub body: String,
    /// Its text rendered as safe HTML (no HTML of the author's own, only http, https and
    /// mailto links); empty once deleted.
    pub html: String,
    /// The handles it mentions.
    pub mentions: Vec<String>,
    /// Whether it was deleted.
    pub deleted: bool,
    /// When written.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
    /// Until when its author may change it.
    pub editable_until: Timestamp,
    /// Its version: send it back with a change or a deletion.
    pub version: i64,
}

/// A new comment.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommentInput {
    /// Markdown, 1–10,000 characters; `@handle` mentions notify those people.
    pub body: String,
    /// The id of the comment this answers (on the same thing, itself no reply).
    pub reply_to: Option<i64>,
}

/// A change of a comment's text (its author, within the edit window).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentChange {
    /// The version the change is based on.
    pub version: i64,
    /// The new Markdown text.
    pub body: String,
}

/// The comment area: `app.comments()`.
#[derive(Clone, Copy)]
pub struct Comments<'a> {
    pub(crate) app: &'a crate::App,
}

fn view(row: CommentRow, authors: &HashMap<i64, PersonRow>) -> CommentView {
    let author = row.author_person_id.and_then(|id| authors.get(&id));
    let (html, mentions) = if row.deleted {
        (String::new(), Vec::new())
    } else {
        (markdown::render(&row.body), markdown::mentions(&row.body))
    };
    CommentView {
        id: CommentId(row.id),
        subject: CommentSubject::parse(&row.subject),
        subject_id: row.subject_id,
        objective_id: row.objective_id,
        reply_to: row.parent_comment_id,
        author_person_id: row.author_person_id,
        author_handle: author.map(|p| p.handle.clone()),
        author_name: author.map(|p| p.name.clone()),
        body: row.body,
        html,
        mentions,
        deleted: row.deleted,
        created_at: from_ms(row.created_at),
        updated_at: from_ms(row.updated_at),
        editable_until: from_ms(row.created_at.saturating_add(EDIT_WINDOW_MINUTES * 60_000)),
        version: row.version,
    }
}

/// The authors of some comments, each read once.
async fn authors(tx: &mut Tx, caller: &Caller, rows: &[CommentRow]) -> Result<HashMap<i64, PersonRow>, AppError> {
    let mut found = HashMap::new();
    for id in rows.iter().filter_map(|r| r.author_person_id) {
        if !found.contains_key(&id)
            && let Some(person) = tx.person(caller.workspace, id).await?
        {
            found.insert(id, person);
        }
    }
    Ok(found)
}

/// The objective a thing belongs to, when the caller may see it; else the 404 of the thing.
async fn visible_objective(
    tx: &mut Tx,
    caller: &Caller,
    subject: CommentSubject,
    id: i64,
) -> Result<ObjectiveRow, AppError> {
    let not_found = || AppError::NotFound { what: subject.what(), id: id.to_string() };
    let objective_id = match subject {
        CommentSubject::Objective => id,
        CommentSubject::KeyResult => tx.key_result(caller.workspace, id).await?.ok_or_else(not_found)?.objective_id,
        CommentSubject::CheckIn => {
            let check_in = tx.check_in(caller.workspace, id).await?.ok_or_else(not_found)?;
            tx.key_result(caller.workspace, check_in.key_result_id).await?.ok_or_else(not_found)?.objective_id
        }
    };
    let objective = tx.objective(caller.workspace, objective_id).await?.ok_or_else(not_found)?;
    require_visible(tx, caller, &objective).await.map_err(|_| not_found())?;
    Ok(objective)
}

/// A comment the caller may see, or a 404.
async fn visible_comment(tx: &mut Tx, caller: &Caller, id: i64) -> Result<(CommentRow, ObjectiveRow), AppError> {
    let not_found = || AppError::NotFound { what: "comment", id: id.to_string() };
    let row = tx.comment(caller.workspace, id).await?.ok_or_else(not_found)?;
    let objective = tx.objective(caller.workspace, row.objective_id).await?.ok_or_else(not_found)?;
    require_visible(tx, caller, &objective).await.map_err(|_| not_found())?;
    Ok((row, objective))
}

/// Checks a comment's text: trimmed, 1–[`COMMENT_MAX_CHARS`] characters.
fn checked_body(problems: &mut Problems, body: &str) -> String {
    let body = body.trim();
    let chars = body.chars().count();
    if chars == 0 {
        problems.push("/body", "a comment needs some text");
    } else if chars > COMMENT_MAX_CHARS {
        problems.push("/body", format!("is {chars} characters long; a comment holds at most {COMMENT_MAX_CHARS}"));
    }
    body.to_owned()
}

/// The people a text mentions, each checked: known, not archived, and able to see
/// `objective`. Every refused handle is one problem at `/body`.
async fn mentioned(
    tx: &mut Tx,
    caller: &Caller,
    problems: &mut Problems,
    body: &str,
    objective: &ObjectiveRow,
) -> Result<Vec<PersonRow>, AppError> {
    let mut people = Vec::new();
    for handle in markdown::mentions(body) {
        let Some(person) = tx.person_by_handle(caller.workspace, &handle).await?.filter(|p| !p.archived) else {
            problems.push("/body", format!("@{handle} is not anyone in this workspace: check the handle"));
            continue;
        };
        let as_them = Caller {
            workspace: caller.workspace,
            workspace_slug: caller.workspace_slug.clone(),
            role: person.role,
            person: Some(person.id),
            team: person.team_id,
            token: None,
        };
        if require_visible(tx, &as_them, objective).await.is_err() {
            problems.push(
                "/body",
                format!(
                    "@{handle} cannot see this objective (it is visible to its team only), so cannot be mentioned here"
                ),
            );
            continue;
        }
        people.push(person);
    }
    Ok(people)
}

/// The one place where a comment is announced, inside the transaction that wrote it:
/// the audit trail's record of it, and of each person it newly mentions. Outward
/// notices (webhook events "comment created", "person mentioned") belong here.
async fn announce(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    before: Option<&CommentRow>,
    after: &CommentRow,
    newly_mentioned: &[PersonRow],
    now: i64,
) -> Result<(), AppError> {
    record(tx, caller, action, "comment", after.id, before, Some(after), now).await?;
    for person in newly_mentioned {
        let mention = serde_json::json!({ "comment_id": after.id, "person_id": person.id, "handle": person.handle });
        record(tx, caller, "mention", "comment", after.id, None::<&()>, Some(&mention), now).await?;
    }
    Ok(())
}

impl Comments<'_> {
    /// The comments on a thing the caller may see, oldest first (deleted ones as such).
    pub async fn list(
        self,
        caller: &Caller,
        subject: CommentSubject,
        id: i64,
        params: ListParams,
    ) -> Result<Paged<CommentView>, AppError> {
        let page = params.page()?;
        let mut tx = self.app.store().read().await?;
        visible_objective(&mut tx, caller, subject, id).await?;
        let rows = tx.list_comments(caller.workspace, subject.as_str(), id, page::probe(page)).await?;
        let authors = authors(&mut tx, caller, &rows).await?;
        Ok(page::finish(rows, page, |r| r.id, |r| view(r, &authors)))
    }

    /// Every comment on an objective the caller may see, on its key results and on their
    /// check-ins, oldest first (at most [`THREAD_MAX`]), for the objective's page.
    pub async fn of_objective(self, caller: &Caller, id: ObjectiveId) -> Result<Vec<CommentView>, AppError> {
        let mut tx = self.app.store().read().await?;
        visible_objective(&mut tx, caller, CommentSubject::Objective, id.get()).await?;
        let rows = tx.comments_of_objective(caller.workspace, id.get(), THREAD_MAX).await?;
        let authors = authors(&mut tx, caller, &rows).await?;
        Ok(rows.into_iter().map(|r| view(r, &authors)).collect())
    }

    /// One comment the caller may see.
    pub async fn get(self, caller: &Caller, id: CommentId) -> Result<CommentView, AppError> {
        let mut tx = self.app.store().read().await?;
        let (row, _) = visible_comment(&mut tx, caller, id.get()).await?;
        let authors = authors(&mut tx, caller, std::slice::from_ref(&row)).await?;
        Ok(view(row, &authors))
    }

    /// Writes a comment on a thing the caller may see, or a reply to a comment there.
    pub async fn create(
        self,
        caller: &Caller,
        subject: CommentSubject,
        id: i64,
        input: NewCommentInput,
    ) -> Result<CommentView, AppError> {
        let mut problems = Problems::new();
        let body = checked_body(&mut problems, &input.body);
        let mut tx = self.app.write_outside_read_model().await?;
        let objective = visible_objective(&mut tx, caller, subject, id).await?;
        require(caller, Action::Comment)?;
        if let Some(parent) = input.reply_to {
            match tx.comment(caller.workspace, parent).await? {
                Some(p) if p.subject == subject.as_str() && p.subject_id == id && !p.deleted => {
                    if p.parent_comment_id.is_some() {
                        problems
                            .push("/reply_to", format!("comment {parent} is a reply: answer the comment it answers"));
                    }
                }
                Some(p) if p.deleted && p.subject == subject.as_str() && p.subject_id == id => {
                    problems.push("/reply_to", format!("comment {parent} was deleted"));
                }
                _ => {
                    problems.push("/reply_to", format!("comment {parent} is not a comment on this {}", subject.what()))
                }
            }
        }
        let people = mentioned(&mut tx, caller, &mut problems, &body, &objective).await?;
        problems.finish()?;
        let now = self.app.now_ms();
        let new = NewComment {
            subject: subject.as_str(),
            subject_id: id,
            objective_id: objective.id,
            parent_comment_id: input.reply_to,
            author_person_id: caller.person,
            body,
        };
        let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
        let row = tx.insert_comment(caller.workspace, &new, &ids, now).await?;
        announce(&mut tx, caller, "create", None, &row, &people, now).await?;
        let authors = authors(&mut tx, caller, std::slice::from_ref(&row)).await?;
        tx.commit().await?;
        Ok(view(row, &authors))
    }

    /// Changes a comment's text: its author only, within [`EDIT_WINDOW_MINUTES`] of
    /// writing it.
    pub async fn update(self, caller: &Caller, id: CommentId, change: CommentChange) -> Result<CommentView, AppError> {
        let id = id.get();
        let mut problems = Problems::new();
        let body = checked_body(&mut problems, &change.body);
        let mut tx = self.app.write_outside_read_model().await?;
        let (before, objective) = visible_comment(&mut tx, caller, id).await?;
        require(caller, Action::Comment)?;
        if before.author_person_id.is_none() || before.author_person_id != caller.person {
            return Err(AppError::Forbidden { detail: "only its author can change a comment".to_owned() });
        }
        if before.deleted {
            return Err(AppError::Conflict {
                code: "deleted",
                detail: format!("comment {id} was deleted"),
                location: None,
            });
        }
        let now = self.app.now_ms();
        if now > before.created_at.saturating_add(EDIT_WINDOW_MINUTES * 60_000) {
            return Err(AppError::Conflict {
                code: "edit_window_closed",
                detail: format!(
                    "a comment can be changed for {EDIT_WINDOW_MINUTES} minutes after it is written; write a new one instead"
                ),
                location: None,
            });
        }
        let people = mentioned(&mut tx, caller, &mut problems, &body, &objective).await?;
        problems.finish()?;
        let already = tx.comment_mentions(caller.workspace, id).await?;
        let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
        let row = tx
            .update_comment(caller.workspace, id, change.version, &body, &ids, now)
            .await
            .map_err(|e| stale(e, id, change.version))?;
        let newly: Vec<PersonRow> = people.into_iter().filter(|p| !already.contains(&p.id)).collect();
        announce(&mut tx, caller, "update", Some(&before), &row, &newly, now).await?;
        let authors = authors(&mut tx, caller, std::slice::from_ref(&row)).await?;
        tx.commit().await?;
        Ok(view(row, &authors))
    }

    /// Deletes a comment (its author or an admin): it stays in its thread as deleted,
    /// with no text; the audit trail keeps what it said.
    pub async fn delete(self, caller: &Caller, id: CommentId, version: i64) -> Result<CommentView, AppError> {
        let id = id.get();
        let mut tx = self.app.write_outside_read_model().await?;
        let (before, _) = visible_comment(&mut tx, caller, id).await?;
        let own = before.author_person_id.is_some() && before.author_person_id == caller.person;
        if !(own && caller.role != Role::Viewer) && caller.role != Role::Admin {
            return Err(AppError::Forbidden { detail: "only its author or an admin can delete a comment".to_owned() });
        }
        if before.deleted {
            return Err(AppError::Conflict {
                code: "deleted",
                detail: format!("comment {id} was deleted already"),
                location: None,
            });
        }
        let now = self.app.now_ms();
        let row = tx.delete_comment(caller.workspace, id, version, now).await.map_err(|e| stale(e, id, version))?;
        record(&mut tx, caller, "delete", "comment", id, Some(&before), Some(&row), now).await?;
        let authors = authors(&mut tx, caller, std::slice::from_ref(&row)).await?;
        tx.commit().await?;
        Ok(view(row, &authors))
    }
}

fn stale(error: StoreError, id: i64, given: i64) -> AppError {
    match error {
        StoreError::Conflict { current } => AppError::StaleVersion { what: "comment", id, current, given },
        StoreError::NotFound => AppError::NotFound { what: "comment", id: id.to_string() },
        other => other.into(),
    }
}
