//! Comments, their mentions and the inbox's dismissed items.

use crate::{Tx, run};
use milepost_core::WorkspaceId;
use milepost_store::*;

impl Tx {
    /// Replaces the people a comment mentions.
    async fn put_mentions(&mut self, workspace: WorkspaceId, comment_id: i64, mentions: &[i64]) -> Result<()> {
        run!(self, |conn| sqlx::query("DELETE FROM comment_mentions WHERE workspace_id = $1 AND comment_id = $2")
            .bind(workspace.get())
            .bind(comment_id)
            .execute(conn)
            .await?
            .rows_affected());
        for person in mentions {
            run!(self, |conn| sqlx::query(
                "INSERT INTO comment_mentions (workspace_id, comment_id, person_id) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING"
            )
            .bind(workspace.get())
            .bind(comment_id)
            .bind(person)
            .execute(conn)
            .await?
            .rows_affected());
        }
        Ok(())
    }

    /// A `Conflict` with the current version of a comment that moved on, or `NotFound`.
    async fn comment_conflict(&mut self, workspace: WorkspaceId, id: i64) -> StoreError {
        match self.comment(workspace, id).await {
            Ok(Some(row)) => StoreError::Conflict { current: row.version },
            Ok(None) => StoreError::NotFound,
            Err(e) => e,
        }
    }
}

#[async_trait::async_trait]
impl CommentStore for Tx {
    async fn insert_comment(
        &mut self,
        workspace: WorkspaceId,
        comment: &NewComment,
        mentions: &[i64],
        now: i64,
    ) -> Result<CommentRow> {
        let row: CommentRow = run!(self, |conn| sqlx::query_as(
            "INSERT INTO comments (workspace_id, subject, subject_id, objective_id, parent_comment_id,
                                   author_person_id, body, deleted, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8, $8, 1) RETURNING *"
        )
        .bind(workspace.get())
        .bind(comment.subject)
        .bind(comment.subject_id)
        .bind(comment.objective_id)
        .bind(comment.parent_comment_id)
        .bind(comment.author_person_id)
        .bind(&comment.body)
        .bind(now)
        .fetch_one(conn)
        .await?);
        self.put_mentions(workspace, row.id, mentions).await?;
        Ok(row)
    }

    async fn comment(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<CommentRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM comments WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn list_comments(
        &mut self,
        workspace: WorkspaceId,
        subject: &str,
        subject_id: i64,
        page: Page,
    ) -> Result<Vec<CommentRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM comments WHERE workspace_id = $1 AND subject = $2 AND subject_id = $3 AND id > $4
             ORDER BY id LIMIT $5"
        )
        .bind(workspace.get())
        .bind(subject)
        .bind(subject_id)
        .bind(page.after.unwrap_or(0))
        .bind(page.limit)
        .fetch_all(conn)
        .await?))
    }

    async fn update_comment(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        body: &str,
        mentions: &[i64],
        now: i64,
    ) -> Result<CommentRow> {
        let row: Option<CommentRow> = run!(self, |conn| sqlx::query_as(
            "UPDATE comments SET body = $4, updated_at = $5, version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND version = $3 AND NOT deleted RETURNING *"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(version)
        .bind(body)
        .bind(now)
        .fetch_optional(conn)
        .await?);
        let Some(row) = row else { return Err(self.comment_conflict(workspace, id).await) };
        self.put_mentions(workspace, id, mentions).await?;
        Ok(row)
    }

    async fn delete_comment(&mut self, workspace: WorkspaceId, id: i64, version: i64, now: i64) -> Result<CommentRow> {
        let row: Option<CommentRow> = run!(self, |conn| sqlx::query_as(
            "UPDATE comments SET body = '', deleted = TRUE, updated_at = $4, version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND version = $3 AND NOT deleted RETURNING *"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(version)
        .bind(now)
        .fetch_optional(conn)
        .await?);
        let Some(row) = row else { return Err(self.comment_conflict(workspace, id).await) };
        self.put_mentions(workspace, id, &[]).await?;
        Ok(row)
    }

    async fn comments_of_objective(
        &mut self,
        workspace: WorkspaceId,
        objective_id: i64,
        limit: i64,
    ) -> Result<Vec<CommentRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM comments WHERE workspace_id = $1 AND objective_id = $2 ORDER BY id LIMIT $3"
        )
        .bind(workspace.get())
        .bind(objective_id)
        .bind(limit)
        .fetch_all(conn)
        .await?))
    }

    async fn comment_mentions(&mut self, workspace: WorkspaceId, comment_id: i64) -> Result<Vec<i64>> {
        Ok(run!(self, |conn| sqlx::query_scalar(
            "SELECT person_id FROM comment_mentions WHERE workspace_id = $1 AND comment_id = $2 ORDER BY person_id"
        )
        .bind(workspace.get())
        .bind(comment_id)
        .fetch_all(conn)
        .await?))
    }

    async fn comment_notices(&mut self, workspace: WorkspaceId, person: i64, limit: i64) -> Result<Vec<CommentNotice>> {
        // A comment that both mentions the person and answers them is one notice: the
        // mention.
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT n.kind, c.* FROM (
                 SELECT 'mention' AS kind, m.comment_id AS comment_id FROM comment_mentions m
                  WHERE m.workspace_id = $1 AND m.person_id = $2
                 UNION ALL
                 SELECT 'reply' AS kind, r.id AS comment_id FROM comments r
                   JOIN comments p ON p.workspace_id = r.workspace_id AND p.id = r.parent_comment_id
                  WHERE r.workspace_id = $1 AND p.author_person_id = $2
                    AND NOT EXISTS (SELECT 1 FROM comment_mentions m2
                                     WHERE m2.workspace_id = r.workspace_id AND m2.comment_id = r.id
                                       AND m2.person_id = $2)
             ) n
             JOIN comments c ON c.workspace_id = $1 AND c.id = n.comment_id
             WHERE NOT c.deleted AND (c.author_person_id IS NULL OR c.author_person_id <> $2)
             ORDER BY c.id DESC LIMIT $3"
        )
        .bind(workspace.get())
        .bind(person)
        .bind(limit)
        .fetch_all(conn)
        .await?))
    }

    async fn inbox_dismissals(&mut self, workspace: WorkspaceId, person: i64) -> Result<Vec<String>> {
        Ok(run!(self, |conn| sqlx::query_scalar(
            "SELECT item_key FROM inbox_dismissals WHERE workspace_id = $1 AND person_id = $2"
        )
        .bind(workspace.get())
        .bind(person)
        .fetch_all(conn)
        .await?))
    }

    async fn dismiss_inbox_item(&mut self, workspace: WorkspaceId, person: i64, key: &str, now: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "INSERT INTO inbox_dismissals (workspace_id, person_id, item_key, dismissed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING"
        )
        .bind(workspace.get())
        .bind(person)
        .bind(key)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }
}
