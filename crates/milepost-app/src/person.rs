//! People of a workspace, with their role.

use crate::Caller;
use crate::access::record;
pub use crate::caller::Role;
use crate::error::{AppError, Problems, duplicate_or, on_update};
use crate::page::{self, ListParams, Paged};
use crate::patch;
use crate::permission::{Action, require};
use crate::time::from_ms;
use jiff::Timestamp;
use milepost_core::PersonId;
use milepost_core::{Slug, Title};
use milepost_store::{PersonFields, PersonFilter, PersonRow, Tx};
use serde::{Deserialize, Serialize};

/// A person to add.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    /// Handle for mentions and OKR files (`dana`); made from the email when left out.
    pub handle: Option<String>,
    /// Full name.
    pub name: String,
    /// Email address, unique in the workspace.
    pub email: String,
    /// Role (default `member`).
    pub role: Option<Role>,
    /// Their team.
    pub team_id: Option<i64>,
}

/// Changes to a person; fields left out stay as they are.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    /// The version the change is based on.
    pub version: i64,
    /// New handle.
    pub handle: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New email.
    pub email: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// New team; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<Option<i64>>,
}

/// The people and teams of a workspace, as pages show them (those not archived), by id.
/// Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// People by id.
    pub people: std::sync::Arc<std::collections::HashMap<i64, PersonView>>,
    /// Teams by id, in id order in `team_order`.
    pub teams: std::sync::Arc<std::collections::HashMap<i64, crate::team::TeamView>>,
    /// Team ids in id order.
    pub team_order: std::sync::Arc<Vec<i64>>,
}

/// A person.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    /// Their id.
    #[schema(value_type = i64)]
    pub id: PersonId,
    /// Their handle.
    pub handle: String,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Their role.
    pub role: Role,
    /// Their team.
    pub team_id: Option<i64>,
    /// Whether archived.
    pub archived: bool,
    /// When added.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
    /// Version: send it back with a change.
    pub version: i64,
}

impl From<PersonRow> for PersonView {
    fn from(row: PersonRow) -> Self {
        PersonView {
            id: PersonId(row.id),
            handle: row.handle,
            name: row.name,
            email: row.email,
            role: row.role,
            team_id: row.team_id,
            archived: row.archived,
            created_at: from_ms(row.created_at),
            updated_at: from_ms(row.updated_at),
            version: row.version,
        }
    }
}

/// How a new person will get in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NewAccess<'a> {
    /// Not yet.
    None,
    /// With this password.
    Password(&'a str),
    /// With an invitation whose secret has this hash, valid until `expires_at` (unix ms).
    Invitation { secret_hash: &'a str, expires_at: i64 },
}

/// Filters of the people list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// Only members of this team.
    pub team_id: Option<i64>,
    /// Only people with this role.
    pub role: Option<Role>,
    /// Include archived people.
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub after: Option<String>,
}

/// Checks an email address: something, an `@`, a domain with a dot; no spaces.
fn parse_email(text: &str) -> Result<String, String> {
    let text = text.trim();
    let ok = text.len() <= 254
        && !text.contains(char::is_whitespace)
        && text.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if ok { Ok(text.to_lowercase()) } else { Err(format!("{text:?} is not an email address")) }
}

async fn check_team(tx: &mut Tx, caller: &Caller, problems: &mut Problems, team: Option<i64>) -> Result<(), AppError> {
    if let Some(team) = team
        && !tx.exists("teams", caller.workspace, team).await?
    {
        problems.push("/team_id", format!("there is no team {team} in this workspace"));
    }
    Ok(())
}

/// Checks a new person's name, email and handle (made from the email when left out),
/// noting every problem: their fields as stored, or `None` when something is wrong.
/// The team is checked against the database by the caller.
pub(crate) fn check_new_person(problems: &mut Problems, new: &NewPerson) -> Option<PersonFields> {
    let name = problems.check("/name", Title::parse(&new.name));
    let email = problems.check("/email", parse_email(&new.email));
    let handle = match (&new.handle, &email) {
        (Some(handle), _) => problems.check("/handle", Slug::parse(handle)).map(|s| s.as_str().to_owned()),
        (None, Some(email)) => {
            Slug::from_title(email.split('@').next().unwrap_or_default()).map(|s| s.as_str().to_owned())
        }
        (None, None) => None,
    };
    if handle.is_none() && new.handle.is_none() && email.is_some() {
        problems.push("/handle", "no handle can be made from this email: give one");
    }
    Some(PersonFields {
        handle: handle?,
        name: name?.into_string(),
        email: email?,
        role: new.role.unwrap_or(Role::Member),
        team_id: new.team_id,
    })
}

/// People of a workspace. Reached through [`App::people`](crate::App::people).
#[derive(Debug, Clone, Copy)]
pub struct People<'a> {
    pub(crate) app: &'a crate::App,
}

impl People<'_> {
    /// Adds a person.
    pub async fn create(self, caller: &Caller, new: NewPerson) -> Result<PersonView, AppError> {
        self.create_with_password(caller, new, None).await
    }

    /// Adds a person who can log in with `password`: both or neither are written.
    pub async fn create_with_password(
        self,
        caller: &Caller,
        new: NewPerson,
        password: Option<&str>,
    ) -> Result<PersonView, AppError> {
        let access = password.map_or(NewAccess::None, NewAccess::Password);
        Ok(self.add(caller, new, access).await?.0.into())
    }

    /// Adds a person and, in the same transaction, their way in: a password, an
    /// invitation, or nothing yet.
    pub(crate) async fn add(
        self,
        caller: &Caller,
        new: NewPerson,
        access: NewAccess<'_>,
    ) -> Result<(PersonRow, Option<milepost_store::InvitationRow>), AppError> {
        require(caller, Action::Administer)?;
        let password = match access {
            NewAccess::Password(password) => Some(password),
            _ => None,
        };
        let mut problems = Problems::new();
        let fields = check_new_person(&mut problems, &new);
        if let Some(password) = password {
            crate::password::check_password(&mut problems, "/password", password);
        }
        let password_hash = match password {
            Some(password) if problems.is_empty() => Some(crate::password::hash_password(password.to_owned()).await?),
            _ => None,
        };
        let mut tx = self.app.write(caller.workspace).await?;
        check_team(&mut tx, caller, &mut problems, new.team_id).await?;
        problems.finish()?;
        let Some(fields) = fields else {
            return Err(AppError::invalid("/name", "missing"));
        };
        let added = self.insert_in(&mut tx, caller, &fields, password_hash.as_deref(), access).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Writes a checked new person inside `tx` (the caller commits), with their
    /// password hash or their invitation, and the events of both.
    pub(crate) async fn insert_in(
        self,
        tx: &mut Tx,
        caller: &Caller,
        fields: &PersonFields,
        password_hash: Option<&str>,
        access: NewAccess<'_>,
    ) -> Result<(PersonRow, Option<milepost_store::InvitationRow>), AppError> {
        let row = tx
            .insert_person(caller.workspace, fields, self.app.now_ms())
            .await
            .map_err(|e| duplicate_or(e, "person"))?;
        if let Some(hash) = password_hash {
            tx.set_password_hash(caller.workspace, row.id, Some(hash)).await?;
        }
        record(tx, caller, "create", "person", row.id, None::<&()>, Some(&row), self.app.now_ms()).await?;
        let invitation = match access {
            NewAccess::Invitation { secret_hash, expires_at } => {
                let invitation =
                    tx.insert_invitation(caller.workspace, row.id, secret_hash, expires_at, self.app.now_ms()).await?;
                record(
                    tx,
                    caller,
                    "create",
                    "invitation",
                    invitation.id,
                    None::<&()>,
                    Some(&invitation),
                    self.app.now_ms(),
                )
                .await?;
                Some(invitation)
            }
            _ => None,
        };
        Ok((row, invitation))
    }

    /// One person.
    pub async fn get(self, caller: &Caller, id: PersonId) -> Result<PersonView, AppError> {
        let id = id.get();
        let mut tx = self.app.store().read().await?;
        let row = tx.person(caller.workspace, id).await?;
        row.map(PersonView::from).ok_or_else(|| AppError::NotFound { what: "person", id: id.to_string() })
    }

    /// Changes a person.
    pub async fn update(self, caller: &Caller, id: PersonId, change: PersonPatch) -> Result<PersonView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx
            .person(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "person", id: id.to_string() })?;
        let mut problems = Problems::new();
        let name = match &change.name {
            Some(name) => problems.check("/name", Title::parse(name)).map(Title::into_string),
            None => Some(current.name.clone()),
        };
        let email = match &change.email {
            Some(email) => problems.check("/email", parse_email(email)),
            None => Some(current.email.clone()),
        };
        let handle = match &change.handle {
            Some(handle) => problems.check("/handle", Slug::parse(handle)).map(|s| s.as_str().to_owned()),
            None => Some(current.handle.clone()),
        };
        let team_id = patch::apply(current.team_id, change.team_id);
        check_team(&mut tx, caller, &mut problems, team_id).await?;
        problems.finish()?;
        let (Some(name), Some(email), Some(handle)) = (name, email, handle) else {
            return Err(AppError::invalid("/name", "missing"));
        };
        let role = change.role.unwrap_or(current.role);
        let fields = PersonFields { handle, name, email, role, team_id };
        let row = tx
            .update_person(caller.workspace, id, change.version, &fields, current.archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "person", id, change.version))?;
        record(&mut tx, caller, "update", "person", id, Some(&current), Some(&row), self.app.now_ms()).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Archives a person (or restores them).
    pub async fn archive(
        self,
        caller: &Caller,
        id: PersonId,
        version: i64,
        archived: bool,
    ) -> Result<PersonView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx
            .person(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "person", id: id.to_string() })?;
        let fields = current.fields();
        let row = tx
            .update_person(caller.workspace, id, version, &fields, archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "person", id, version))?;
        if archived {
            // Someone who left is logged out everywhere; restoring them does not log them back in.
            tx.revoke_sessions_of(caller.workspace, id, None, self.app.now_ms()).await?;
        }
        record(
            &mut tx,
            caller,
            if archived { "archive" } else { "restore" },
            "person",
            id,
            Some(&current),
            Some(&row),
            self.app.now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Every person and team of the caller's workspace that is not archived, by id, for
    /// pages that show names instead of ids: from the read model, so as cheap to ask on
    /// every page as a pointer copy while nothing changed.
    pub async fn directory(self, caller: &Caller) -> Result<Directory, AppError> {
        let mut tx = self.app.store().read().await?;
        let generation = tx.generation(caller.workspace).await?;
        Ok(self.app.read_model().workspace(&mut tx, caller.workspace, generation).await?.directory.clone())
    }

    /// The people not archived whose name or email contains `text` (any case), at most
    /// `limit`, those whose name or email starts with it first, then by name: the owner
    /// pickers' search. From the read model, so as cheap as a page's names; a blank
    /// `text` gives the first people by name.
    pub async fn find(self, caller: &Caller, text: &str, limit: usize) -> Result<Vec<PersonView>, AppError> {
        let directory = self.directory(caller).await?;
        let text = text.trim().to_lowercase();
        let mut found: Vec<(bool, &PersonView)> = directory
            .people
            .values()
            .filter(|p| !p.archived)
            .filter_map(|p| {
                let (name, email) = (p.name.to_lowercase(), p.email.to_lowercase());
                if text.is_empty() {
                    return Some((true, p));
                }
                let prefix = name.starts_with(&text)
                    || email.starts_with(&text)
                    || name.split_whitespace().any(|word| word.starts_with(&text));
                (prefix || name.contains(&text) || email.contains(&text)).then_some((prefix, p))
            })
            .collect();
        found.sort_by(|(a_prefix, a), (b_prefix, b)| {
            b_prefix.cmp(a_prefix).then_with(|| a.name.cmp(&b.name)).then_with(|| a.id.get().cmp(&b.id.get()))
        });
        Ok(found.into_iter().take(limit).map(|(_, p)| p.clone()).collect())
    }

    /// Lists people.
    pub async fn list(self, caller: &Caller, query: PersonQuery) -> Result<Paged<PersonView>, AppError> {
        let page = ListParams { limit: query.limit, after: query.after }.page()?;
        let filter =
            PersonFilter { team_id: query.team_id, role: query.role, include_archived: query.include_archived };
        let mut tx = self.app.store().read().await?;
        let rows = tx.list_people(caller.workspace, &filter, page::probe(page)).await?;
        Ok(page::finish(rows, page, |r| r.id, PersonView::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(parse_email(" Dana@Example.com ").unwrap(), "dana@example.com");
        for bad in
            ["dana", "@example.com", "dana@example", "dana@.com", "da na@example.com", "a@b@c.com", "dana@example."]
        {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
