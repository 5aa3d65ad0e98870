//! API tokens and the audit trail.
//!
//! A token is `mp_` and 64 hex digits (32 random bytes); it is shown once, when made,
//! and only its SHA-256 is stored, so a stolen database yields no usable token. A
//! token acts in one workspace with one role until it expires or is revoked.
//!
//! Every change made through the use cases appends an event (who, what, when, before
//! and after) in the same transaction as the change itself, so the trail can neither
//! miss a change nor record one that did not happen.

use crate::caller::Caller;
use crate::caller::Role;
use crate::error::{AppError, Problems};
use crate::page::{self, ListParams, Paged};
use crate::permission::{Action, require};
use crate::time::from_ms;
use jiff::{SignedDuration, Timestamp};
use milepost_core::TokenId;
use milepost_core::{Title, WorkspaceId};
use milepost_store::{EventFilter, EventRow, NewEvent, NewToken, TokenRow, Tx};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What every token starts with, so scanners and people can tell one when they see it.
pub const TOKEN_PREFIX: &str = "mp_";
/// The longest a token may live, in days.
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// A token to make.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    /// What it is for ("CI import of the sales numbers").
    pub name: Option<String>,
    /// The role it acts with.
    pub role: Role,
    /// Days until it stops working (default: never), 1–3650.
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

/// Whether a token works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    /// It works.
    Active,
    /// Its time ran out.
    Expired,
    /// Someone revoked it.
    Revoked,
}

/// A token as listed: never the secret itself.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// Its id (for revoking it).
    #[schema(value_type = i64)]
    pub id: TokenId,
    /// What it is for.
    pub name: String,
    /// The role it acts with.
    pub role: Role,
    /// Its first characters, to recognise it.
    pub prefix: String,
    /// Whether it works.
    pub state: TokenState,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<Timestamp>,
}

/// A token just made: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The token: send it as `Authorization: Bearer <token>`. It is not stored and
    /// cannot be shown again.
    pub token: String,
    /// The token as it will be listed.
    pub details: TokenView,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventView {
    /// Its id: the trail is ordered by it.
    pub id: i64,
    /// The person who acted.
    pub actor_person_id: Option<i64>,
    /// The token that acted.
    pub actor_token_id: Option<i64>,
    /// What was done: create, update, archive, restore, revoke. A check-in is a
    /// `create` of a `check_in`: the key result's history of values.
    pub action: String,
    /// To what kind of thing: team, person, cycle, objective, key_result, initiative, check_in, token.
    pub entity: String,
    /// To which one.
    pub entity_id: i64,
    /// The thing before the change.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The thing after the change.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// When.
    pub at: Timestamp,
}

/// Filters of the audit trail.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Only about this kind of thing (`objective`).
    pub entity: Option<String>,
    /// Only about the thing with this id.
    pub entity_id: Option<i64>,
    /// Page size, 1–500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub after: Option<String>,
}

/// A new secret: `prefix` and 32 random bytes in hex. Tokens, session cookies and
/// invitation links are all made this way.
pub(crate) fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// How a secret is stored: its SHA-256 in hex, so a stolen database yields no secret.
pub(crate) fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn state_of(row: &TokenRow, now: Timestamp) -> TokenState {
    if row.revoked_at.is_some() {
        TokenState::Revoked
    } else if row.expires_at.is_some_and(|at| at <= now.as_millisecond()) {
        TokenState::Expired
    } else {
        TokenState::Active
    }
}

fn token_view(row: TokenRow, now: Timestamp) -> TokenView {
    TokenView {
        id: TokenId(row.id),
        state: state_of(&row, now),
        name: row.name,
        role: row.role,
        prefix: row.prefix,
        created_at: from_ms(row.created_at),
        expires_at: row.expires_at.map(from_ms),
        revoked_at: row.revoked_at.map(from_ms),
        last_used_at: row.last_used_at.map(from_ms),
    }
}

/// Appends an event about a change to the audit trail, inside the change's transaction.
#[expect(clippy::too_many_arguments, reason = "each is one column of the event; call sites read as sentences")]
pub(crate) async fn record<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    entity: &str,
    entity_id: i64,
    before: Option<&B>,
    after: Option<&A>,
    now: i64,
) -> Result<(), AppError> {
    let event = NewEvent {
        actor_person_id: caller.person,
        actor_token_id: caller.token,
        action,
        entity,
        entity_id,
        before_json: before.and_then(|b| serde_json::to_string(b).ok()),
        after_json: after.and_then(|a| serde_json::to_string(a).ok()),
    };
    tx.insert_event(caller.workspace, &event, now).await?;
    Ok(())
}

fn event_view(row: EventRow) -> EventView {
    let parse = |json: Option<String>| json.and_then(|j| serde_json::from_str(&j).ok());
    EventView {
        id: row.id,
        actor_person_id: row.actor_person_id,
        actor_token_id: row.actor_token_id,
        action: row.action,
        entity: row.entity,
        entity_id: row.entity_id,
        before: parse(row.before_json),
        after: parse(row.after_json),
        at: from_ms(row.at),
    }
}

/// Access: passwords and sessions, API tokens, invitations and the audit log. Reached through [`App::access`](crate::App::access).
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub(crate) app: &'a crate::App,
}

impl Access<'_> {
    /// Makes a token for the caller's workspace (admins only). The answer holds the
    /// secret, which is shown this once.
    pub async fn create_token(self, caller: &Caller, new: NewApiToken) -> Result<CreatedToken, AppError> {
        require(caller, Action::Administer)?;
        let mut problems = Problems::new();
        let name = match new.name.as_deref() {
            Some(name) => problems.check("/name", Title::parse(name)).map(Title::into_string),
            None => Some(format!("{} token", milepost_core::Named::as_str(new.role))),
        };
        if let Some(days) = new.expires_in_days
            && !(1..=MAX_TOKEN_DAYS).contains(&days)
        {
            problems.push("/expires_in_days", format!("must be from 1 to {MAX_TOKEN_DAYS} days (got {days})"));
        }
        problems.finish()?;
        let now = self.app.now();
        let secret = new_secret(TOKEN_PREFIX);
        let expires_at = new
            .expires_in_days
            .and_then(|days| now.checked_add(SignedDuration::from_hours(24 * i64::from(days))).ok())
            .map(|at| at.as_millisecond());
        let name = name.unwrap_or_default();
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 8).collect();
        let stored =
            NewToken { name: &name, role: new.role, prefix: &prefix, secret_hash: &hash_secret(&secret), expires_at };
        let mut tx = self.app.write_outside_read_model().await?;
        let row = tx.insert_token(caller.workspace, &stored, now.as_millisecond()).await?;
        record(
            &mut tx,
            caller,
            "create",
            "token",
            row.id,
            None::<&()>,
            Some(&token_view(row.clone(), now)),
            now.as_millisecond(),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedToken { token: secret, details: token_view(row, now) })
    }

    /// The workspace's tokens (admins only), without their secrets.
    pub async fn list_tokens(self, caller: &Caller) -> Result<Vec<TokenView>, AppError> {
        require(caller, Action::Administer)?;
        let now = self.app.now();
        let mut tx = self.app.store().read().await?;
        Ok(tx.list_tokens(caller.workspace).await?.into_iter().map(|row| token_view(row, now)).collect())
    }

    /// Revokes a token (admins only): it stops working at once.
    pub async fn revoke_token(self, caller: &Caller, id: TokenId) -> Result<TokenView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let now = self.app.now();
        let mut tx = self.app.write_outside_read_model().await?;
        let row = tx
            .revoke_token(caller.workspace, id, now.as_millisecond())
            .await?
            .ok_or_else(|| AppError::NotFound { what: "token", id: id.to_string() })?;
        let newly = row.revoked_at == Some(now.as_millisecond());
        let view = token_view(row, now);
        if newly {
            record(&mut tx, caller, "revoke", "token", id, None::<&()>, Some(&view), now.as_millisecond()).await?;
        }
        tx.commit().await?;
        Ok(view)
    }

    /// The caller a bearer token stands for; an unknown, expired or revoked token gets
    /// the same answer, so the answer says nothing about which tokens exist.
    pub async fn authenticate_token(self, secret: &str) -> Result<Caller, AppError> {
        let refused = || AppError::Unauthenticated {
            detail: "the token is not valid: it may be mistyped, expired or revoked".to_owned(),
        };
        if !secret.starts_with(TOKEN_PREFIX) {
            return Err(refused());
        }
        let now = self.app.now();
        // Never from a lagging replica: a token made a moment ago works at once, and a
        // revoked one stops at once.
        let mut tx = self.app.store().read_primary().await?;
        let Some(row) = tx.token_by_hash(&hash_secret(secret)).await? else { return Err(refused()) };
        if state_of(&row, now) != TokenState::Active {
            return Err(refused());
        }
        let workspace = WorkspaceId(row.workspace_id);
        let slug = tx.workspace(workspace).await?.map(|w| w.slug).ok_or_else(refused)?;
        drop(tx);
        if row.last_used_at.is_none_or(|at| at < now.as_millisecond() - 60_000) {
            let mut tx = self.app.write_outside_read_model().await?;
            tx.touch_token(workspace, row.id, now.as_millisecond()).await?;
            tx.commit().await?;
        }
        Ok(Caller { workspace, workspace_slug: slug, role: row.role, person: None, team: None, token: Some(row.id) })
    }

    /// The audit trail (admins only), oldest first.
    pub async fn events(self, caller: &Caller, query: EventQuery) -> Result<Paged<EventView>, AppError> {
        require(caller, Action::Administer)?;
        let page = ListParams { limit: query.limit, after: query.after }.page()?;
        let filter = EventFilter { entity: query.entity, entity_id: query.entity_id };
        let mut tx = self.app.store().read().await?;
        let rows = tx.list_events(caller.workspace, &filter, page::probe(page)).await?;
        Ok(page::finish(rows, page, |r| r.id, event_view))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_as_hashes_only() {
        let secret = "mp_0123";
        assert_eq!(hash_secret(secret).len(), 64);
        assert_ne!(hash_secret(secret), secret);
        assert_eq!(hash_secret(secret), hash_secret(secret));
    }
}
