//! Comments on objectives, key results and check-ins, the people they mention, and the
//! inbox items people dismissed.

use crate::{Page, Result};
use milepost_core::WorkspaceId;

/// A comment as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct CommentRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// What it is on: `objective`, `key_result` or `check_in`.
    pub subject: String,
    /// The id of the thing it is on.
    pub subject_id: i64,
    /// The objective the thing belongs to (whose visibility the comment has).
    pub objective_id: i64,
    /// The comment it answers, for a reply.
    pub parent_comment_id: Option<i64>,
    /// Who wrote it, when a person did.
    pub author_person_id: Option<i64>,
    /// Its Markdown text; empty once deleted.
    pub body: String,
    /// Whether it was deleted.
    pub deleted: bool,
    /// When written (unix ms).
    pub created_at: i64,
    /// When last changed (unix ms).
    pub updated_at: i64,
    /// Its version.
    pub version: i64,
}

/// A new comment.
#[derive(Debug, Clone)]
pub struct NewComment {
    /// What it is on: `objective`, `key_result` or `check_in`.
    pub subject: &'static str,
    /// The id of the thing it is on.
    pub subject_id: i64,
    /// The objective the thing belongs to.
    pub objective_id: i64,
    /// The comment it answers.
    pub parent_comment_id: Option<i64>,
    /// Who writes it.
    pub author_person_id: Option<i64>,
    /// Its Markdown text.
    pub body: String,
}

/// A comment that mentions a person or answers one of theirs, for that person's inbox.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct CommentNotice {
    /// `mention` or `reply`.
    pub kind: String,
    /// The comment.
    #[cfg_attr(feature = "sqlx", sqlx(flatten))]
    pub comment: CommentRow,
}

/// What a transaction can do with comments; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait CommentStore: Send {
    /// Writes a comment and the people it mentions.
    async fn insert_comment(
        &mut self,
        workspace: WorkspaceId,
        comment: &NewComment,
        mentions: &[i64],
        now: i64,
    ) -> Result<CommentRow>;

    /// A comment, deleted or not.
    async fn comment(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<CommentRow>>;

    /// The comments on one thing (deleted ones too), oldest first, a page at a time.
    async fn list_comments(
        &mut self,
        workspace: WorkspaceId,
        subject: &str,
        subject_id: i64,
        page: Page,
    ) -> Result<Vec<CommentRow>>;

    /// Changes a comment's text and mentions at `version` (a `Conflict` when it moved on).
    async fn update_comment(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        body: &str,
        mentions: &[i64],
        now: i64,
    ) -> Result<CommentRow>;

    /// Marks a comment deleted at `version`: its text and mentions are removed.
    async fn delete_comment(&mut self, workspace: WorkspaceId, id: i64, version: i64, now: i64) -> Result<CommentRow>;

    /// The comments (deleted ones too) on an objective and on its key results and their
    /// check-ins, oldest first, at most `limit`.
    async fn comments_of_objective(
        &mut self,
        workspace: WorkspaceId,
        objective_id: i64,
        limit: i64,
    ) -> Result<Vec<CommentRow>>;

    /// The people a comment mentions.
    async fn comment_mentions(&mut self, workspace: WorkspaceId, comment_id: i64) -> Result<Vec<i64>>;

    /// The latest `limit` comments (not deleted, not by the person) that mention
    /// `person` or answer a comment of theirs, newest first.
    async fn comment_notices(&mut self, workspace: WorkspaceId, person: i64, limit: i64) -> Result<Vec<CommentNotice>>;

    /// The keys of the inbox items `person` dismissed.
    async fn inbox_dismissals(&mut self, workspace: WorkspaceId, person: i64) -> Result<Vec<String>>;

    /// Records that `person` dismissed the inbox item `key` (again is no change).
    async fn dismiss_inbox_item(&mut self, workspace: WorkspaceId, person: i64, key: &str, now: i64) -> Result<()>;
}
