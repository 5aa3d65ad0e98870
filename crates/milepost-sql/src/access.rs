//! API tokens (stored as SHA-256 hashes, never in clear) and the append-only audit
//! trail of every change.

use crate::{Tx, run};
use milepost_core::{Named, WorkspaceId};
use milepost_store::*;

#[async_trait::async_trait]
impl AccessStore for Tx {
    async fn insert_token(&mut self, workspace: WorkspaceId, new: &NewToken<'_>, now: i64) -> Result<TokenRow> {
        Ok(run!(self, |conn| sqlx::query_as(
            "INSERT INTO api_tokens (workspace_id, name, role, prefix, secret_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *"
        )
        .bind(workspace.get())
        .bind(new.name)
        .bind(new.role.as_str())
        .bind(new.prefix)
        .bind(new.secret_hash)
        .bind(now)
        .bind(new.expires_at)
        .fetch_one(conn)
        .await?))
    }

    async fn token_by_hash(&mut self, secret_hash: &str) -> Result<Option<TokenRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM api_tokens WHERE secret_hash = $1")
            .bind(secret_hash)
            .fetch_optional(conn)
            .await?))
    }

    async fn touch_token(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "UPDATE api_tokens SET last_used_at = $3
             WHERE workspace_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < $3 - 60000)"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn list_tokens(&mut self, workspace: WorkspaceId) -> Result<Vec<TokenRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM api_tokens WHERE workspace_id = $1 ORDER BY id")
            .bind(workspace.get())
            .fetch_all(conn)
            .await?))
    }

    async fn revoke_token(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<Option<TokenRow>> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE workspace_id = $1 AND id = $2 RETURNING *"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(now)
        .fetch_optional(conn)
        .await?
        }))
    }

    async fn insert_event(&mut self, workspace: WorkspaceId, new: &NewEvent<'_>, now: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "INSERT INTO events (workspace_id, actor_person_id, actor_token_id, action, entity, entity_id,
                 before_json, after_json, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(workspace.get())
        .bind(new.actor_person_id)
        .bind(new.actor_token_id)
        .bind(new.action)
        .bind(new.entity)
        .bind(new.entity_id)
        .bind(&new.before_json)
        .bind(&new.after_json)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn list_events(&mut self, workspace: WorkspaceId, filter: &EventFilter, page: Page) -> Result<Vec<EventRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM events WHERE workspace_id = $1
               AND (CAST($2 AS TEXT) IS NULL OR entity = $2)
               AND (CAST($3 AS BIGINT) IS NULL OR entity_id = $3)
               AND id > $4
             ORDER BY id LIMIT $5"
        )
        .bind(workspace.get())
        .bind(filter.entity.as_deref())
        .bind(filter.entity_id)
        .bind(page.after.unwrap_or(0))
        .bind(page.limit)
        .fetch_all(conn)
        .await?))
    }

    async fn events_since(&mut self, workspace: WorkspaceId, entity: &str, after: i64) -> Result<Vec<EventRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM events WHERE workspace_id = $1 AND entity = $2 AND at > $3 ORDER BY id"
        )
        .bind(workspace.get())
        .bind(entity)
        .bind(after)
        .fetch_all(conn)
        .await?))
    }

    async fn insert_session(
        &mut self,
        workspace: WorkspaceId,
        person_id: i64,
        secret_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<SessionRow> {
        Ok(run!(self, |conn| sqlx::query_as(
            "INSERT INTO sessions (workspace_id, person_id, secret_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING *"
        )
        .bind(workspace.get())
        .bind(person_id)
        .bind(secret_hash)
        .bind(now)
        .bind(expires_at)
        .fetch_one(conn)
        .await?))
    }

    async fn session_by_hash(&mut self, secret_hash: &str) -> Result<Option<SessionRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM sessions WHERE secret_hash = $1")
            .bind(secret_hash)
            .fetch_optional(conn)
            .await?))
    }

    async fn revoke_session(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "UPDATE sessions SET revoked_at = COALESCE(revoked_at, $3) WHERE workspace_id = $1 AND id = $2"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn revoke_sessions_of(
        &mut self,
        workspace: WorkspaceId,
        person_id: i64,
        keep: Option<i64>,
        now: i64,
    ) -> Result<()> {
        run!(self, |conn| {
            sqlx::query(
            "UPDATE sessions SET revoked_at = $4
             WHERE workspace_id = $1 AND person_id = $2 AND revoked_at IS NULL AND id <> COALESCE(CAST($3 AS BIGINT), 0)"
        )
        .bind(workspace.get())
        .bind(person_id)
        .bind(keep)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected()
        });
        Ok(())
    }

    async fn set_password_hash(&mut self, workspace: WorkspaceId, person_id: i64, hash: Option<&str>) -> Result<()> {
        let done =
            run!(self, |conn| sqlx::query("UPDATE people SET password_hash = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.get())
                .bind(person_id)
                .bind(hash)
                .execute(conn)
                .await?
                .rows_affected());
        if done == 0 { Err(crate::StoreError::NotFound) } else { Ok(()) }
    }

    async fn person_by_email(&mut self, workspace: WorkspaceId, email: &str) -> Result<Option<PersonRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM people WHERE workspace_id = $1 AND email = $2")
            .bind(workspace.get())
            .bind(email)
            .fetch_optional(conn)
            .await?))
    }

    async fn insert_login_failure(
        &mut self,
        workspace: WorkspaceId,
        email: &str,
        address: &str,
        now: i64,
    ) -> Result<i64> {
        Ok(run!(self, |conn| sqlx::query_scalar(
            "INSERT INTO login_failures (workspace_id, email, address, at) VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(workspace.get())
        .bind(email)
        .bind(address)
        .bind(now)
        .fetch_one(conn)
        .await?))
    }

    async fn forget_login_attempt(&mut self, workspace: WorkspaceId, id: i64) -> Result<()> {
        run!(self, |conn| sqlx::query("DELETE FROM login_failures WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn count_login_failures(
        &mut self,
        workspace: WorkspaceId,
        email: &str,
        address: &str,
        since: i64,
    ) -> Result<(i64, i64)> {
        let by_email: i64 = run!(self, |conn| sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE workspace_id = $1 AND email = $2 AND at > $3"
        )
        .bind(workspace.get())
        .bind(email)
        .bind(since)
        .fetch_one(conn)
        .await?);
        let by_address: i64 = run!(self, |conn| sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE workspace_id = $1 AND address = $2 AND at > $3"
        )
        .bind(workspace.get())
        .bind(address)
        .bind(since)
        .fetch_one(conn)
        .await?);
        Ok((by_email, by_address))
    }

    async fn insert_invitation(
        &mut self,
        workspace: WorkspaceId,
        person_id: i64,
        secret_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<InvitationRow> {
        Ok(run!(self, |conn| sqlx::query_as(
            "INSERT INTO invitations (workspace_id, person_id, secret_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING *"
        )
        .bind(workspace.get())
        .bind(person_id)
        .bind(secret_hash)
        .bind(now)
        .bind(expires_at)
        .fetch_one(conn)
        .await?))
    }

    async fn accept_invitation(&mut self, secret_hash: &str, now: i64) -> Result<Option<InvitationRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "UPDATE invitations SET accepted_at = $2
             WHERE secret_hash = $1 AND accepted_at IS NULL AND expires_at > $2 RETURNING *"
        )
        .bind(secret_hash)
        .bind(now)
        .fetch_optional(conn)
        .await?))
    }
}
