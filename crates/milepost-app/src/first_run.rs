//! The first run of an installation: while no workspace exists, `milepost serve` prints
//! a one-time set-up code, and the set-up page trades it for the workspace, its first
//! admin (logged in at once), its settings and, when asked, its first cycle, all in one
//! transaction.
//!
//! A code is 12 characters from an alphabet without look-alikes (about 60 bits), valid
//! for a day, stored only as a SHA-256. The first set-up that uses a right code uses
//! every code (a second server's too), and a set-up is refused once any workspace
//! exists: a code opens at most one set-up, and none after the installation has a
//! workspace.

use crate::access::{hash_secret, record};
use crate::caller::Caller;
use crate::error::{AppError, Problems, duplicate_or, slug_or_from};
use crate::person::{NewAccess, NewPerson, Role};
use crate::session::NewSession;
use crate::workspace::{CheckInDay, WorkspaceView, check_hour, parse_time_zone};
use jiff::SignedDuration;
use milepost_core::{CycleStatus, Title, WorkspaceId};
use milepost_store::WorkspaceSettingsRow;
use rand::Rng;
use serde::Deserialize;

/// How long a set-up code works.
pub const SETUP_CODE_LENGTH: SignedDuration = SignedDuration::from_hours(24);

/// The characters of a set-up code: no 0/O, 1/I/L look-alikes.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A set-up: the code `serve` printed, the company, its first admin, its settings and
/// an optional first cycle.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetUp {
    /// The one-time code `milepost serve` printed (dashes and case do not matter).
    pub code: String,
    /// The company's name (`Acme Outfitters`).
    pub name: String,
    /// The workspace's short name; made from the name when left out.
    pub slug: Option<String>,
    /// The first admin's name.
    pub admin_name: String,
    /// The first admin's email.
    pub admin_email: String,
    /// The first admin's password, at least 10 characters.
    pub password: String,
    /// The workspace's time zone, an IANA name.
    pub time_zone: String,
    /// The day of the weekly check-in.
    pub check_in_day: Option<CheckInDay>,
    /// The hour of the weekly check-in, 0–23.
    pub check_in_hour: Option<i64>,
    /// The first cycle, when one is to be made: it is active at once when today is in
    /// it, else in planning.
    pub first_cycle: Option<crate::cycle::NewCycle>,
}

/// A set-up done: the admin's session, the workspace and the first cycle's id.
#[derive(Debug, Clone)]
pub struct SetUpDone {
    /// The session of the first admin, logged in.
    pub session: NewSession,
    /// The workspace made.
    pub workspace: WorkspaceView,
    /// The first cycle's id, when one was made.
    pub cycle_id: Option<i64>,
}

/// Makes a new set-up code: `XXXX-XXXX-XXXX`.
fn new_code() -> String {
    let mut rng = rand::rng();
    // Each character from a random byte, bytes past the last whole multiple of the
    // alphabet's length thrown away so that every character is as likely.
    let limit = u8::try_from(256 / CODE_ALPHABET.len() * CODE_ALPHABET.len()).unwrap_or(u8::MAX);
    let mut chars = Vec::with_capacity(12);
    while chars.len() < 12 {
        let mut byte = [0u8; 1];
        rng.fill_bytes(&mut byte);
        if byte[0] < limit {
            chars.push(char::from(CODE_ALPHABET[usize::from(byte[0]) % CODE_ALPHABET.len()]));
        }
    }
    chars.chunks(4).map(|chunk| chunk.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A code as typed, made canonical: upper case, without spaces or dashes.
fn canonical(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// The installation's first run. Reached through [`App::first_run`](crate::App::first_run).
#[derive(Debug, Clone, Copy)]
pub struct FirstRun<'a> {
    pub(crate) app: &'a crate::App,
}

impl FirstRun<'_> {
    /// Whether the installation still needs its set-up: it has no workspace.
    pub async fn needed(self) -> Result<bool, AppError> {
        let mut tx = self.app.store().read().await?;
        Ok(tx.list_workspaces().await?.is_empty())
    }

    /// A new set-up code, valid for [`SETUP_CODE_LENGTH`], while the installation has no
    /// workspace (`None` once it has one). Codes printed before stay valid too, so each
    /// of several servers on one database can print its own.
    pub async fn issue_code(self) -> Result<Option<String>, AppError> {
        let now = self.app.now();
        let mut tx = self.app.write_outside_read_model().await?;
        if !tx.list_workspaces().await?.is_empty() {
            return Ok(None);
        }
        let code = new_code();
        let expires_at = now.checked_add(SETUP_CODE_LENGTH).unwrap_or(now);
        tx.insert_setup_code(&hash_secret(&canonical(&code)), now.as_millisecond(), expires_at.as_millisecond())
            .await?;
        tx.commit().await?;
        Ok(Some(code))
    }

    /// Sets the installation up: checks every field (every problem at once), then, in
    /// one transaction, uses the code, makes the workspace with its settings, its first
    /// admin with their password and, when asked, its first cycle, and logs the admin in.
    /// A wrong, used or expired code is refused at `/code`; once a workspace exists,
    /// every set-up is refused with a conflict. Nothing is written when anything fails.
    pub async fn set_up(self, set_up: SetUp) -> Result<SetUpDone, AppError> {
        let mut problems = Problems::new();
        if canonical(&set_up.code).is_empty() {
            problems.push("/code", "give the set-up code that `milepost serve` printed");
        }
        let name = problems.check("/name", Title::parse(&set_up.name));
        let slug = slug_or_from(&mut problems, set_up.slug.as_deref(), &set_up.name);
        let mut admin_problems = Problems::new();
        let admin = NewPerson {
            handle: None,
            name: set_up.admin_name.clone(),
            email: set_up.admin_email.clone(),
            role: Some(Role::Admin),
            team_id: None,
        };
        let admin = crate::person::check_new_person(&mut admin_problems, &admin);
        problems.absorb(admin_problems, "admin_");
        crate::password::check_password(&mut problems, "/password", &set_up.password);
        let time_zone = problems.check("/time_zone", parse_time_zone(&set_up.time_zone));
        let hour = match set_up.check_in_hour {
            Some(hour) => problems.check("/check_in_hour", check_hour(hour)),
            None => Some(9),
        };
        let cycle = match &set_up.first_cycle {
            Some(new) => {
                let mut cycle_problems = Problems::new();
                let fields = crate::cycle::check_new_cycle(&mut cycle_problems, new);
                problems.absorb(cycle_problems, "cycle_");
                fields.map(Some)
            }
            None => Some(None),
        };
        problems.finish()?;
        let (Some(name), Some(slug), Some(admin), Some(time_zone), Some(hour), Some(cycle)) =
            (name, slug, admin, time_zone, hour, cycle)
        else {
            return Err(AppError::invalid("/name", "missing"));
        };
        let hash = crate::password::hash_password(set_up.password).await?;
        let now = self.app.now();
        let now_ms = now.as_millisecond();
        let mut tx = self.app.write_outside_read_model().await?;
        if !tx.list_workspaces().await?.is_empty() {
            return Err(AppError::Conflict {
                code: "already_set_up",
                detail: "this installation is set up already: log in instead".to_owned(),
                location: None,
            });
        }
        if !tx.use_setup_codes(&hash_secret(&canonical(&set_up.code)), now_ms).await? {
            return Err(AppError::invalid(
                "/code",
                "this set-up code is wrong, used already or older than a day: use the code the server printed last \
                 (restart `milepost serve` for a new one)",
            ));
        }
        let row = tx.insert_workspace(&slug, name.as_str(), now_ms).await.map_err(|e| duplicate_or(e, "workspace"))?;
        let workspace = WorkspaceId(row.id);
        let settings = WorkspaceSettingsRow {
            time_zone,
            check_in_weekday: set_up.check_in_day.unwrap_or(CheckInDay::Monday).number(),
            check_in_hour: hour,
            quiet_hours_start: None,
            quiet_hours_end: None,
        };
        let row = tx.update_workspace(workspace, row.version, &row.name, &settings, now_ms).await?;
        let operator = Caller::operator(workspace, row.slug.clone());
        let (person, _) = self.app.people().insert_in(&mut tx, &operator, &admin, Some(&hash), NewAccess::None).await?;
        let admin_caller = Caller { person: Some(person.id), ..operator };
        let view = WorkspaceView::of(row, Some(settings));
        record(&mut tx, &admin_caller, "create", "workspace", workspace.get(), None::<&()>, Some(&view), now_ms)
            .await?;
        let cycle_id = match cycle {
            Some(mut fields) => {
                let today =
                    now.to_zoned(jiff::tz::TimeZone::get(&view.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)).date();
                if fields.status == CycleStatus::Planning && fields.start_date <= today && today <= fields.end_date {
                    fields.status = CycleStatus::Active;
                }
                Some(self.app.cycles().insert_in(&mut tx, &admin_caller, &fields).await?.id)
            }
            None => None,
        };
        let (secret, expires_at) = crate::session::start_session(&mut tx, workspace, person.id, now).await?;
        tx.commit().await?;
        let session = NewSession { secret, expires_at, person: person.into(), workspace: view.slug.clone() };
        Ok(SetUpDone { session, workspace: view, cycle_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_the_same_however_they_are_typed() {
        let code = new_code();
        assert_eq!(code.len(), 14, "{code}");
        assert_eq!(code.matches('-').count(), 2, "{code}");
        assert_eq!(canonical(&code), canonical(&code.to_lowercase().replace('-', " ")));
        assert_ne!(new_code(), new_code());
        assert!(code.chars().all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8))), "{code}");
    }
}
