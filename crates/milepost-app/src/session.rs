//! People log in with their email and password; browsers then carry a session cookie.
//!
//! Passwords are kept only as Argon2id hashes (about 30 ms to compute, on a blocking
//! thread so the server keeps answering). A session cookie is `ms_` and 32 random bytes
//! in hex; only its SHA-256 is stored, in the database, so every app server on the same
//! database knows every session. Failed logins are recorded too, and a burst of them
//! (5 for one account or 20 from one address in 15 minutes) is refused with 429 before
//! any password is checked, on every server alike.

use crate::access::Access;
use crate::access::{hash_secret, new_secret, record};
use crate::caller::Caller;
use crate::error::{AppError, Problems};
pub use crate::password::{MAX_PASSWORD, MIN_PASSWORD};
use crate::password::{check_password, hash_password, verify_password};
use crate::permission::{Action, require};
use crate::person::{NewAccess, PersonView, Role};
use crate::time::from_ms;
use jiff::{SignedDuration, Timestamp};
use milepost_core::PersonId;
use milepost_core::WorkspaceId;
use milepost_store::Tx;
use serde::{Deserialize, Serialize};

/// What every session cookie starts with.
pub const SESSION_PREFIX: &str = "ms_";
/// How long a session lasts.
pub const SESSION_LENGTH: SignedDuration = SignedDuration::from_hours(24 * 14);
/// The window in which failed logins are counted.
pub const FAILURE_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Failed logins for one account within the window before logins are refused.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed logins from one address within the window before logins are refused.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// A login request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// The workspace's slug.
    pub workspace: String,
    /// The person's email.
    pub email: String,
    /// Their password.
    pub password: String,
}

/// A password change by the person logged in.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password now.
    pub current_password: String,
    /// The new one, at least 10 characters.
    pub new_password: String,
}

/// A session just begun: the cookie to set, and who it is.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie's value; shown once, stored only as a hash.
    pub secret: String,
    /// When it ends.
    pub expires_at: Timestamp,
    /// Who logged in.
    pub person: PersonView,
    /// The workspace's slug, as stored.
    pub workspace: String,
}

/// The session of the caller, as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    /// The workspace's slug.
    pub workspace: String,
    /// Who is logged in.
    pub person: PersonView,
    /// When the session ends.
    pub expires_at: Timestamp,
}

/// Starts a session for a person inside `tx`: the cookie to set and when it ends.
pub(crate) async fn start_session(
    tx: &mut Tx,
    workspace: WorkspaceId,
    person_id: i64,
    now: Timestamp,
) -> Result<(String, Timestamp), AppError> {
    let secret = new_secret(SESSION_PREFIX);
    let expires_at = now.checked_add(SESSION_LENGTH).unwrap_or(now);
    tx.insert_session(workspace, person_id, &hash_secret(&secret), expires_at.as_millisecond(), now.as_millisecond())
        .await?;
    Ok((secret, expires_at))
}

fn wrong() -> AppError {
    AppError::Unauthenticated { detail: "the email or the password is wrong".to_owned() }
}

impl Access<'_> {
    /// Sets a person's password (admins only: a person changes their own with
    /// `app.access().change_password`, which asks for the current one, so a stolen session
    /// cannot take the account over).
    pub async fn set_password(self, caller: &Caller, person_id: PersonId, password: &str) -> Result<(), AppError> {
        let person_id = person_id.get();
        require(caller, Action::Administer)?;
        let mut problems = Problems::new();
        check_password(&mut problems, "/password", password);
        problems.finish()?;
        let hash = hash_password(password.to_owned()).await?;
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        let person = tx
            .person(caller.workspace, person_id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "person", id: person_id.to_string() })?;
        tx.set_password_hash(caller.workspace, person_id, Some(&hash)).await?;
        tx.revoke_sessions_of(caller.workspace, person_id, None, now).await?;
        record(&mut tx, caller, "set_password", "person", person_id, None::<&()>, Some(&person), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Logs a person in from `address`; the answer holds the session cookie to set.
    pub async fn login(self, login: Login, address: &str) -> Result<NewSession, AppError> {
        let now = self.app.now();
        let email = login.email.trim().to_lowercase();
        let mut tx = self.app.store().read().await?;
        let Some(workspace) = tx.workspace_by_slug(login.workspace.trim()).await? else {
            drop(tx);
            // Take as long as a real check, so timing does not tell which workspaces exist.
            verify_password(login.password, None).await;
            return Err(wrong());
        };
        let workspace_id = WorkspaceId(workspace.id);
        drop(tx);
        // The attempt is written, and counted, before the password is checked: parallel
        // guesses each see the others, so a burst cannot slip past the limit. A
        // successful attempt is forgotten again.
        let mut tx = self.app.write_outside_read_model().await?;
        let attempt = tx.insert_login_failure(workspace_id, &email, address, now.as_millisecond()).await?;
        tx.commit().await?;
        let since = now.checked_sub(FAILURE_WINDOW).unwrap_or(now).as_millisecond();
        let mut tx = self.app.store().read().await?;
        let (by_email, by_address) = tx.count_login_failures(workspace_id, &email, address, since).await?;
        if by_email > MAX_FAILURES_PER_ACCOUNT || by_address > MAX_FAILURES_PER_ADDRESS {
            // Refused before any password was checked: not a guess, so not counted.
            drop(tx);
            let mut tx = self.app.write_outside_read_model().await?;
            tx.forget_login_attempt(workspace_id, attempt).await?;
            tx.commit().await?;
            return Err(AppError::TooManyRequests {
                retry_after_secs: FAILURE_WINDOW.as_secs().unsigned_abs(),
                detail: "too many failed logins: wait 15 minutes before trying again".to_owned(),
            });
        }
        let person = tx.person_by_email(workspace_id, &email).await?.filter(|p| !p.archived);
        drop(tx);
        let ok = verify_password(login.password, person.as_ref().and_then(|p| p.password_hash.clone())).await;
        let (Some(person), true) = (person, ok) else { return Err(wrong()) };
        let mut tx = self.app.write_outside_read_model().await?;
        tx.forget_login_attempt(workspace_id, attempt).await?;
        let (secret, expires_at) = start_session(&mut tx, workspace_id, person.id, now).await?;
        tx.commit().await?;
        Ok(NewSession { secret, expires_at, person: person.into(), workspace: workspace.slug })
    }

    /// The caller a session cookie stands for: the person, their team and their role.
    pub async fn authenticate_session(self, secret: &str) -> Result<(Caller, SessionView), AppError> {
        let refused = || AppError::Unauthenticated { detail: "the session has ended: log in again".to_owned() };
        if !secret.starts_with(SESSION_PREFIX) {
            return Err(refused());
        }
        let now = self.app.now().as_millisecond();
        // Never from a lagging replica: a session begun a moment ago works at once.
        let mut tx = self.app.store().read_primary().await?;
        let session = tx.session_by_hash(&hash_secret(secret)).await?.ok_or_else(refused)?;
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Err(refused());
        }
        let workspace = WorkspaceId(session.workspace_id);
        let person = tx.person(workspace, session.person_id).await?.filter(|p| !p.archived).ok_or_else(refused)?;
        let slug = tx.workspace(workspace).await?.map(|w| w.slug).ok_or_else(refused)?;
        let caller = Caller {
            workspace,
            workspace_slug: slug.clone(),
            role: person.role,
            person: Some(person.id),
            team: person.team_id,
            token: None,
        };
        let view = SessionView { workspace: slug, person: person.into(), expires_at: from_ms(session.expires_at) };
        Ok((caller, view))
    }

    /// Ends the session with that cookie (logging out twice is harmless).
    pub async fn logout(self, secret: &str) -> Result<(), AppError> {
        let mut tx = self.app.write_outside_read_model().await?;
        if let Some(session) = tx.session_by_hash(&hash_secret(secret)).await? {
            tx.revoke_session(WorkspaceId(session.workspace_id), session.id, self.app.now_ms()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Changes the logged-in person's password; every other session of theirs ends.
    pub async fn change_password(self, caller: &Caller, secret: &str, change: PasswordChange) -> Result<(), AppError> {
        let person_id = caller.person.ok_or_else(|| AppError::Forbidden {
            detail: "only a person logged in can change their password; tokens have none".to_owned(),
        })?;
        let mut problems = Problems::new();
        check_password(&mut problems, "/new_password", &change.new_password);
        problems.finish()?;
        let mut tx = self.app.store().read().await?;
        let person = tx
            .person(caller.workspace, person_id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "person", id: person_id.to_string() })?;
        let session = tx.session_by_hash(&hash_secret(secret)).await?;
        drop(tx);
        if !verify_password(change.current_password, person.password_hash.clone()).await {
            return Err(AppError::invalid("/current_password", "this is not your current password"));
        }
        let hash = hash_password(change.new_password).await?;
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        tx.set_password_hash(caller.workspace, person_id, Some(&hash)).await?;
        tx.revoke_sessions_of(caller.workspace, person_id, session.map(|s| s.id), now).await?;
        record(&mut tx, caller, "change_password", "person", person_id, None::<&()>, Some(&person), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What every invitation secret starts with.
pub const INVITATION_PREFIX: &str = "mi_";
/// How long an invitation link works.
pub const INVITATION_LENGTH: SignedDuration = SignedDuration::from_hours(24 * 7);

/// A person to invite.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    /// Their email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Their role (default member).
    pub role: Option<Role>,
    /// Their team.
    pub team_id: Option<i64>,
}

/// An invitation just made: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedInvitation {
    /// The secret to send the person; they accept with it at /api/v1/invitations/accept.
    pub token: String,
    /// The path of the invitation page, to put after the server's address.
    pub link: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// The person invited (they cannot log in until they accept).
    pub person: PersonView,
}

/// Accepting an invitation: its secret and the password chosen.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The secret from the invitation.
    pub token: String,
    /// The password they choose, at least 10 characters.
    pub password: String,
}

impl Access<'_> {
    /// Invites a person (admins only): adds them without a password and makes a link,
    /// valid a week and once, with which they choose one.
    pub async fn invite(self, caller: &Caller, new: NewInvitation) -> Result<CreatedInvitation, AppError> {
        require(caller, Action::Administer)?;
        let person = crate::person::NewPerson {
            handle: None,
            name: new.name,
            email: new.email,
            role: new.role,
            team_id: new.team_id,
        };
        let secret = new_secret(INVITATION_PREFIX);
        let now = self.app.now();
        let expires_at = now.checked_add(INVITATION_LENGTH).unwrap_or(now);
        let secret_hash = hash_secret(&secret);
        let access = NewAccess::Invitation { secret_hash: &secret_hash, expires_at: expires_at.as_millisecond() };
        let (person, _) = self.app.people().add(caller, person, access).await?;
        let person = person.into();
        Ok(CreatedInvitation { link: format!("/invitations/{secret}"), token: secret, expires_at, person })
    }

    /// Accepts an invitation: sets the chosen password and logs the person in. An
    /// unknown, used or expired invitation gets one answer, so it tells nothing.
    pub async fn accept_invitation(self, accept: AcceptInvitation) -> Result<NewSession, AppError> {
        let refused = || AppError::Unauthenticated {
            detail: "the invitation is not valid: it may be mistyped, used already or older than a week".to_owned(),
        };
        if !accept.token.starts_with(INVITATION_PREFIX) {
            return Err(refused());
        }
        let mut problems = Problems::new();
        check_password(&mut problems, "/password", &accept.password);
        problems.finish()?;
        let hash = hash_password(accept.password).await?;
        let now = self.app.now();
        let mut tx = self.app.write_outside_read_model().await?;
        let invitation =
            tx.accept_invitation(&hash_secret(&accept.token), now.as_millisecond()).await?.ok_or_else(refused)?;
        let workspace = WorkspaceId(invitation.workspace_id);
        let person = tx.person(workspace, invitation.person_id).await?.filter(|p| !p.archived).ok_or_else(refused)?;
        let slug = tx.workspace(workspace).await?.map(|w| w.slug).ok_or_else(refused)?;
        tx.set_password_hash(workspace, person.id, Some(&hash)).await?;
        let (secret, expires_at) = start_session(&mut tx, workspace, person.id, now).await?;
        let actor = Caller {
            workspace,
            workspace_slug: slug.clone(),
            role: person.role,
            person: Some(person.id),
            team: person.team_id,
            token: None,
        };
        record(
            &mut tx,
            &actor,
            "accept",
            "invitation",
            invitation.id,
            None::<&()>,
            Some(&invitation),
            now.as_millisecond(),
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession { secret, expires_at, person: person.into(), workspace: slug })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_are_argon2id_and_verify() {
        let hash = hash_password("correct horse battery".to_owned()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery".to_owned(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse battery".to_owned(), Some(hash)).await);
        assert!(!verify_password("anything".to_owned(), None).await, "no hash never verifies");
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        let mut problems = Problems::new();
        check_password(&mut problems, "/p", "short");
        check_password(&mut problems, "/p", &"x".repeat(300));
        check_password(&mut problems, "/p", "long enough pass");
        assert!(problems.finish().is_err());
    }
}
