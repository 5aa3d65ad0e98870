//! API tokens (stored as SHA-256 hashes, never in clear) and the append-only audit
//! trail of every change.

use crate::{Page, Result};
use milepost_core::{Role, WorkspaceId};

/// An API token as stored: its hash, never the token itself.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenRow {
    /// Its id.
    pub id: i64,
    /// The workspace it acts in.
    pub workspace_id: i64,
    /// What it is for, in the words of whoever made it.
    pub name: String,
    /// The role it acts with.
    pub role: Role,
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

#[cfg(feature = "sqlx")]
crate::decode::from_row!(TokenRow in "api_tokens" { id, workspace_id, name, role: named, prefix, secret_hash, created_at, expires_at, revoked_at, last_used_at });

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// What it is for.
    pub name: &'a str,
    /// Role name.
    pub role: Role,
    /// Its first characters.
    pub prefix: &'a str,
    /// SHA-256 of the token, hex.
    pub secret_hash: &'a str,
    /// When it stops working.
    pub expires_at: Option<i64>,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
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

/// A browser session as stored: the hash of its cookie, never the cookie.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
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
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
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

/// What a transaction can do with access data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait AccessStore: Send {
    /// Stores a new token.
    async fn insert_token(&mut self, workspace: WorkspaceId, new: &NewToken<'_>, now: i64) -> Result<TokenRow>;

    /// The token with that hash, in whichever workspace it belongs to: a token names
    /// its workspace by being presented.
    async fn token_by_hash(&mut self, secret_hash: &str) -> Result<Option<TokenRow>>;

    /// Notes that a token was used (at most one write a minute per token).
    async fn touch_token(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()>;

    /// The workspace's tokens, newest last.
    async fn list_tokens(&mut self, workspace: WorkspaceId) -> Result<Vec<TokenRow>>;

    /// Revokes a token; revoking twice keeps the first time. `None` when there is no
    /// such token in the workspace.
    async fn revoke_token(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<Option<TokenRow>>;

    /// Appends an event to the audit trail.
    async fn insert_event(&mut self, workspace: WorkspaceId, new: &NewEvent<'_>, now: i64) -> Result<()>;

    /// The audit trail, oldest first, in pages by id.
    async fn list_events(&mut self, workspace: WorkspaceId, filter: &EventFilter, page: Page) -> Result<Vec<EventRow>>;

    /// The events about one kind of thing (`objective`, `key_result`) recorded after
    /// `after` (unix ms), oldest first: what changed since an instant, for reading the
    /// past (`as_of`).
    async fn events_since(&mut self, workspace: WorkspaceId, entity: &str, after: i64) -> Result<Vec<EventRow>>;

    /// Stores a new session for a person.
    async fn insert_session(
        &mut self,
        workspace: WorkspaceId,
        person_id: i64,
        secret_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<SessionRow>;

    /// The session with that hash, in whichever workspace it belongs to.
    async fn session_by_hash(&mut self, secret_hash: &str) -> Result<Option<SessionRow>>;

    /// Ends a session (logout).
    async fn revoke_session(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()>;

    /// Ends every session of a person but `keep` (after a password change).
    async fn revoke_sessions_of(
        &mut self,
        workspace: WorkspaceId,
        person_id: i64,
        keep: Option<i64>,
        now: i64,
    ) -> Result<()>;

    /// Sets or clears a person's password hash.
    async fn set_password_hash(&mut self, workspace: WorkspaceId, person_id: i64, hash: Option<&str>) -> Result<()>;

    /// The person with that email, for logging in.
    async fn person_by_email(&mut self, workspace: WorkspaceId, email: &str) -> Result<Option<crate::PersonRow>>;

    /// Notes a login attempt, counted as a failure until [`Tx::forget_login_attempt`]
    /// clears it; returns its id.
    async fn insert_login_failure(
        &mut self,
        workspace: WorkspaceId,
        email: &str,
        address: &str,
        now: i64,
    ) -> Result<i64>;

    /// Clears an attempt that succeeded.
    async fn forget_login_attempt(&mut self, workspace: WorkspaceId, id: i64) -> Result<()>;

    /// Failed logins after `since`: for this email, and from this address.
    async fn count_login_failures(
        &mut self,
        workspace: WorkspaceId,
        email: &str,
        address: &str,
        since: i64,
    ) -> Result<(i64, i64)>;

    /// Stores an invitation for a person.
    async fn insert_invitation(
        &mut self,
        workspace: WorkspaceId,
        person_id: i64,
        secret_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<InvitationRow>;

    /// Marks the unused, unexpired invitation with that hash as accepted and returns
    /// it; `None` when there is no such invitation any more. One statement, so two
    /// people racing with the same link cannot both use it.
    async fn accept_invitation(&mut self, secret_hash: &str, now: i64) -> Result<Option<InvitationRow>>;
}
