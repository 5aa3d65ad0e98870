//! API tokens (stored as SHA-256 hashes, never in clear) and the append-only audit
//! trail of every change.

use crate::{Page, Result, Tx, run};
use milepost_core::WorkspaceId;

/// An API token as stored: its hash, never the token itself.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TokenRow {
    /// Its id.
    pub id: i64,
    /// The workspace it acts in.
    pub workspace_id: i64,
    /// What it is for, in the words of whoever made it.
    pub name: String,
    /// The role it acts with.
    pub role: String,
    /// The first characters of the token, to recognise it in a list.
    pub prefix: String,
    /// SHA-256 of the token, hex. Never serialized: it must not reach a log or an event.
    #[serde(skip)]
    pub secret_hash: String,
    /// When made (unix ms).
    pub created_at: i64,
    /// When it stops working (unix ms), if ever.
    pub expires_at: Option<i64>,
    /// When it was revoked (unix ms), if it was.
    pub revoked_at: Option<i64>,
    /// When it was last used (unix ms).
    pub last_used_at: Option<i64>,
}

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// What it is for.
    pub name: &'a str,
    /// Role name.
    pub role: &'a str,
    /// Its first characters.
    pub prefix: &'a str,
    /// SHA-256 of the token, hex.
    pub secret_hash: &'a str,
    /// When it stops working.
    pub expires_at: Option<i64>,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct EventRow {
    /// Its id: events are ordered by it.
    pub id: i64,
    /// The workspace it happened in.
    pub workspace_id: i64,
    /// The person who acted, if a person did.
    pub actor_person_id: Option<i64>,
    /// The token that acted, if a token did.
    pub actor_token_id: Option<i64>,
    /// `create`, `update`, `archive`, `restore`, `revoke`.
    pub action: String,
    /// `objective`, `key_result` …
    pub entity: String,
    /// The id of the thing changed.
    pub entity_id: i64,
    /// The thing before, as JSON.
    pub before_json: Option<String>,
    /// The thing after, as JSON.
    pub after_json: Option<String>,
    /// When (unix ms).
    pub at: i64,
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The person who acted.
    pub actor_person_id: Option<i64>,
    /// The token that acted.
    pub actor_token_id: Option<i64>,
    /// What was done.
    pub action: &'a str,
    /// To what kind of thing.
    pub entity: &'a str,
    /// To which one.
    pub entity_id: i64,
    /// Before, as JSON.
    pub before_json: Option<String>,
    /// After, as JSON.
    pub after_json: Option<String>,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only about this kind of thing.
    pub entity: Option<String>,
    /// Only about this one.
    pub entity_id: Option<i64>,
}

impl Tx {
    /// Stores a new token.
    pub async fn insert_token(&mut self, workspace: WorkspaceId, new: &NewToken<'_>, now: i64) -> Result<TokenRow> {
        Ok(run!(self, |conn| sqlx::query_as(
            "INSERT INTO api_tokens (workspace_id, name, role, prefix, secret_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *"
        )
        .bind(workspace.get())
        .bind(new.name)
        .bind(new.role)
        .bind(new.prefix)
        .bind(new.secret_hash)
        .bind(now)
        .bind(new.expires_at)
        .fetch_one(conn)
        .await?))
    }

    /// The token with that hash, in whichever workspace it belongs to: a token names
    /// its workspace by being presented.
    pub async fn token_by_hash(&mut self, secret_hash: &str) -> Result<Option<TokenRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM api_tokens WHERE secret_hash = $1")
            .bind(secret_hash)
            .fetch_optional(conn)
            .await?))
    }

    /// Notes that a token was used (at most one write a minute per token).
    pub async fn touch_token(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()> {
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

    /// The workspace's tokens, newest last.
    pub async fn list_tokens(&mut self, workspace: WorkspaceId) -> Result<Vec<TokenRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM api_tokens WHERE workspace_id = $1 ORDER BY id")
            .bind(workspace.get())
            .fetch_all(conn)
            .await?))
    }

    /// Revokes a token; revoking twice keeps the first time. `None` when there is no
    /// such token in the workspace.
    pub async fn revoke_token(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<Option<TokenRow>> {
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

    /// Appends an event to the audit trail.
    pub async fn insert_event(&mut self, workspace: WorkspaceId, new: &NewEvent<'_>, now: i64) -> Result<()> {
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

    /// The audit trail, oldest first, in pages by id.
    pub async fn list_events(
        &mut self,
        workspace: WorkspaceId,
        filter: &EventFilter,
        page: Page,
    ) -> Result<Vec<EventRow>> {
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

    /// Stores a new session for a person.
    pub async fn insert_session(
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

    /// The session with that hash, in whichever workspace it belongs to.
    pub async fn session_by_hash(&mut self, secret_hash: &str) -> Result<Option<SessionRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM sessions WHERE secret_hash = $1")
            .bind(secret_hash)
            .fetch_optional(conn)
            .await?))
    }

    /// Ends a session (logout).
    pub async fn revoke_session(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()> {
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

    /// Ends every session of a person but `keep` (after a password change).
    pub async fn revoke_sessions_of(
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

    /// Sets or clears a person's password hash.
    pub async fn set_password_hash(
        &mut self,
        workspace: WorkspaceId,
        person_id: i64,
        hash: Option<&str>,
    ) -> Result<()> {
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

    /// The person with that email, for logging in.
    pub async fn person_by_email(&mut self, workspace: WorkspaceId, email: &str) -> Result<Option<crate::PersonRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM people WHERE workspace_id = $1 AND email = $2")
            .bind(workspace.get())
            .bind(email)
            .fetch_optional(conn)
            .await?))
    }

    /// Notes a login attempt, counted as a failure until [`Tx::forget_login_attempt`]
    /// clears it; returns its id.
    pub async fn insert_login_failure(
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

    /// Clears an attempt that succeeded.
    pub async fn forget_login_attempt(&mut self, workspace: WorkspaceId, id: i64) -> Result<()> {
        run!(self, |conn| sqlx::query("DELETE FROM login_failures WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Failed logins after `since`: for this email, and from this address.
    pub async fn count_login_failures(
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

    /// Stores an invitation for a person.
    pub async fn insert_invitation(
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

    /// Marks the unused, unexpired invitation with that hash as accepted and returns
    /// it; `None` when there is no such invitation any more. One statement, so two
    /// people racing with the same link cannot both use it.
    pub async fn accept_invitation(&mut self, secret_hash: &str, now: i64) -> Result<Option<InvitationRow>> {
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

/// A browser session as stored: the hash of its cookie, never the cookie.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SessionRow {
    /// Its id.
    pub id: i64,
    /// The workspace.
    pub workspace_id: i64,
    /// The person logged in.
    pub person_id: i64,
    /// SHA-256 of the cookie, hex.
    #[serde(skip)]
    pub secret_hash: String,
    /// When it began (unix ms).
    pub created_at: i64,
    /// When it ends (unix ms).
    pub expires_at: i64,
    /// When it was ended early (logout, password change).
    pub revoked_at: Option<i64>,
}

/// An invitation as stored: the hash of its link's secret, never the secret.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct InvitationRow {
    /// Its id.
    pub id: i64,
    /// The workspace.
    pub workspace_id: i64,
    /// The person invited.
    pub person_id: i64,
    /// SHA-256 of the secret, hex.
    #[serde(skip)]
    pub secret_hash: String,
    /// When made (unix ms).
    pub created_at: i64,
    /// When it stops working (unix ms).
    pub expires_at: i64,
    /// When it was used (unix ms).
    pub accepted_at: Option<i64>,
}
