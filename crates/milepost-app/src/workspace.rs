//! Workspaces: create and list the tenants of an installation, and their settings
//! (name, time zone, the weekly check-in's day and hour).

use crate::Caller;
use crate::error::{AppError, Problems, duplicate_or, slug_or_from};
use crate::time::from_ms;
use jiff::Timestamp;
use milepost_core::{Title, WorkspaceId};
use milepost_store::{WorkspaceRow, WorkspaceSettingsRow};
use serde::{Deserialize, Serialize};

/// A workspace to create.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkspace {
    /// Short name for URLs and files (`acme`); made from the name when left out.
    pub slug: Option<String>,
    /// Display name (`Acme Outfitters`).
    pub name: String,
}

/// A day of the week, for the weekly check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckInDay {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl CheckInDay {
    /// Every day, Monday first.
    pub const ALL: [CheckInDay; 7] = [
        CheckInDay::Monday,
        CheckInDay::Tuesday,
        CheckInDay::Wednesday,
        CheckInDay::Thursday,
        CheckInDay::Friday,
        CheckInDay::Saturday,
        CheckInDay::Sunday,
    ];

    /// Its ISO 8601 number: 1 = Monday … 7 = Sunday, as stored.
    pub fn number(self) -> i64 {
        match self {
            CheckInDay::Monday => 1,
            CheckInDay::Tuesday => 2,
            CheckInDay::Wednesday => 3,
            CheckInDay::Thursday => 4,
            CheckInDay::Friday => 5,
            CheckInDay::Saturday => 6,
            CheckInDay::Sunday => 7,
        }
    }

    /// The day with that ISO 8601 number (Monday for a stored number out of range).
    pub fn from_number(number: i64) -> CheckInDay {
        CheckInDay::ALL.into_iter().find(|d| d.number() == number).unwrap_or(CheckInDay::Monday)
    }

    /// Its name as the API writes it (`monday`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckInDay::Monday => "monday",
            CheckInDay::Tuesday => "tuesday",
            CheckInDay::Wednesday => "wednesday",
            CheckInDay::Thursday => "thursday",
            CheckInDay::Friday => "friday",
            CheckInDay::Saturday => "saturday",
            CheckInDay::Sunday => "sunday",
        }
    }

    /// The day named so (`monday`, any case), if any.
    pub fn parse(text: &str) -> Option<CheckInDay> {
        let text = text.trim().to_ascii_lowercase();
        CheckInDay::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// A workspace.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkspaceView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: WorkspaceId,
    /// Its short name.
    pub slug: String,
    /// Its display name.
    pub name: String,
    /// Its time zone, an IANA name (`Europe/Paris`): the weekly check-in's day and hour
    /// are in it.
    pub time_zone: String,
    /// The day of the weekly check-in.
    pub check_in_day: CheckInDay,
    /// The hour of the weekly check-in, 0–23, in the time zone.
    pub check_in_hour: u8,
    /// Its quiet hours in the time zone, when no reminder is sent (`null`: none).
    pub quiet_hours: Option<QuietHoursView>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Its version.
    pub version: i64,
}

/// The settings a new workspace starts with: UTC, check-ins on Monday at 9.
fn default_settings() -> WorkspaceSettingsRow {
    WorkspaceSettingsRow {
        time_zone: "UTC".to_owned(),
        check_in_weekday: 1,
        check_in_hour: 9,
        quiet_hours_start: None,
        quiet_hours_end: None,
    }
}

impl WorkspaceView {
    /// The view of a stored workspace with its settings.
    pub(crate) fn of(row: WorkspaceRow, settings: Option<WorkspaceSettingsRow>) -> WorkspaceView {
        let settings = settings.unwrap_or_else(default_settings);
        WorkspaceView {
            id: WorkspaceId(row.id),
            slug: row.slug,
            name: row.name,
            time_zone: settings.time_zone,
            check_in_day: CheckInDay::from_number(settings.check_in_weekday),
            check_in_hour: u8::try_from(settings.check_in_hour.clamp(0, 23)).unwrap_or(9),
            quiet_hours: match (settings.quiet_hours_start, settings.quiet_hours_end) {
                (Some(start), Some(end)) => Some(QuietHoursView { start, end }),
                _ => None,
            },
            created_at: from_ms(row.created_at),
            version: row.version,
        }
    }
}

/// Changes to the caller's workspace (admins); fields left out stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspacePatch {
    /// The version the change is based on.
    pub version: i64,
    /// New display name.
    pub name: Option<String>,
    /// New time zone, an IANA name (`America/New_York`, `UTC`).
    pub time_zone: Option<String>,
    /// New day of the weekly check-in.
    pub check_in_day: Option<CheckInDay>,
    /// New hour of the weekly check-in, 0–23.
    #[schema(minimum = 0, maximum = 23)]
    pub check_in_hour: Option<i64>,
    /// New quiet hours, when no reminder is sent (`null` for none).
    #[serde(default, deserialize_with = "crate::patch::nullable")]
    #[schema(nullable)]
    pub quiet_hours: Option<Option<QuietHoursView>>,
}

/// Quiet hours in the workspace's time zone: no reminder is sent from `start` up to
/// (not including) `end`; `{"start": 20, "end": 8}` is 20:00–08:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursView {
    /// The first quiet hour, 0–23.
    #[schema(minimum = 0, maximum = 23)]
    pub start: i64,
    /// The first hour after them, 0–23, not `start`.
    #[schema(minimum = 0, maximum = 23)]
    pub end: i64,
}

/// Checks an IANA time zone name against the time zone database: the name as the
/// database spells it, or a sentence saying what is wrong.
pub fn parse_time_zone(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("give a time zone, such as Europe/Paris or UTC".to_owned());
    }
    match jiff::tz::TimeZone::get(text) {
        Ok(zone) => Ok(zone.iana_name().unwrap_or(text).to_owned()),
        Err(_) => Err(format!("{text:?} is not a time zone of the IANA database: write it like Europe/Paris or UTC")),
    }
}

/// Checks the hour of the weekly check-in.
pub fn check_hour(hour: i64) -> Result<i64, String> {
    if (0..=23).contains(&hour) { Ok(hour) } else { Err(format!("{hour} is not an hour: give 0 to 23")) }
}

/// The names a workspace knows, for checking OKR files against it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceNames {
    /// People's handles.
    pub people: Vec<String>,
    /// Teams' slugs.
    pub teams: Vec<String>,
    /// Cycles' slugs and names.
    pub cycles: Vec<String>,
    /// KPIs' slugs.
    pub kpis: Vec<String>,
    /// The slugs of the KPIs with no measurement yet (nothing for a key result to start
    /// from).
    pub unmeasured_kpis: Vec<String>,
}

/// Workspaces, and the caller acting in one. Reached through [`App::workspaces`](crate::App::workspaces).
#[derive(Debug, Clone, Copy)]
pub struct Workspaces<'a> {
    pub(crate) app: &'a crate::App,
}

impl Workspaces<'_> {
    /// The handles, slugs and names the caller's workspace knows (archived ones too:
    /// a file may still name them, and the linter should not call them unknown).
    pub async fn names(self, caller: &crate::Caller) -> Result<WorkspaceNames, AppError> {
        let mut tx = self.app.store().read().await?;
        Ok(crate::okr_file::Resolver::load(&mut tx, caller).await?.names())
    }

    /// Creates a workspace.
    pub async fn create(self, new: NewWorkspace) -> Result<WorkspaceView, AppError> {
        let mut problems = Problems::new();
        let name = problems.check("/name", Title::parse(&new.name));
        let slug = slug_or_from(&mut problems, new.slug.as_deref(), &new.name);
        problems.finish()?;
        let (Some(name), Some(slug)) = (name, slug) else {
            return Err(AppError::invalid("/name", "missing"));
        };
        let mut tx = self.app.write_outside_read_model().await?;
        let row = tx
            .insert_workspace(&slug, name.as_str(), self.app.now_ms())
            .await
            .map_err(|e| duplicate_or(e, "workspace"))?;
        tx.commit().await?;
        Ok(WorkspaceView::of(row, None))
    }

    /// The workspace with that slug.
    pub async fn get(self, slug: &str) -> Result<WorkspaceView, AppError> {
        let mut tx = self.app.store().read().await?;
        let row = tx
            .workspace_by_slug(slug)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "workspace", id: slug.to_owned() })?;
        let settings = tx.workspace_settings(WorkspaceId(row.id)).await?;
        Ok(WorkspaceView::of(row, settings))
    }

    /// Every workspace of the installation.
    pub async fn list(self) -> Result<Vec<WorkspaceView>, AppError> {
        let mut tx = self.app.store().read().await?;
        let rows = tx.list_workspaces().await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let settings = tx.workspace_settings(WorkspaceId(row.id)).await?;
            views.push(WorkspaceView::of(row, settings));
        }
        Ok(views)
    }

    /// Renames the caller's workspace and changes its settings (admins): every field is
    /// checked and every problem reported at once, then all are written together.
    pub async fn update(self, caller: &Caller, change: WorkspacePatch) -> Result<WorkspaceView, AppError> {
        crate::permission::require(caller, crate::permission::Action::Administer)?;
        let mut problems = Problems::new();
        let name = change.name.as_deref().and_then(|name| problems.check("/name", Title::parse(name)));
        let time_zone =
            change.time_zone.as_deref().and_then(|zone| problems.check("/time_zone", parse_time_zone(zone)));
        let hour = change.check_in_hour.and_then(|hour| problems.check("/check_in_hour", check_hour(hour)));
        let quiet = match change.quiet_hours {
            Some(Some(quiet)) => problems
                .check("/quiet_hours", milepost_core::reminder::QuietHours::try_new(quiet.start, quiet.end))
                .map(|q| Some((i64::from(q.start()), i64::from(q.end())))),
            Some(None) => Some(None),
            None => None,
        };
        problems.finish()?;
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        let current = tx
            .workspace(caller.workspace)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "workspace", id: caller.workspace_slug.clone() })?;
        let before_settings = tx.workspace_settings(caller.workspace).await?.unwrap_or_else(default_settings);
        let settings = WorkspaceSettingsRow {
            time_zone: time_zone.unwrap_or_else(|| before_settings.time_zone.clone()),
            check_in_weekday: change.check_in_day.map_or(before_settings.check_in_weekday, CheckInDay::number),
            check_in_hour: hour.unwrap_or(before_settings.check_in_hour),
            quiet_hours_start: quiet.map_or(before_settings.quiet_hours_start, |q| q.map(|q| q.0)),
            quiet_hours_end: quiet.map_or(before_settings.quiet_hours_end, |q| q.map(|q| q.1)),
        };
        let name = name.map_or_else(|| current.name.clone(), Title::into_string);
        let before = WorkspaceView::of(current, Some(before_settings));
        let row = tx
            .update_workspace(caller.workspace, change.version, &name, &settings, now)
            .await
            .map_err(|e| crate::error::on_update(e, "workspace", caller.workspace.get(), change.version))?;
        let after = WorkspaceView::of(row, Some(settings));
        crate::access::record(
            &mut tx,
            caller,
            "update",
            "workspace",
            caller.workspace.get(),
            Some(&before),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

impl Workspaces<'_> {
    /// Checks a read's `as_of` (and `known`) for the caller's workspace: `None` for a
    /// live read, else the past instant (a date is the end of that day in the
    /// workspace's time zone). A future instant, or one before the workspace existed,
    /// is refused at `/as_of`.
    pub async fn as_of(
        self,
        caller: &Caller,
        query: &crate::as_of::AsOfQuery,
    ) -> Result<Option<crate::as_of::AsOf>, AppError> {
        let mut tx = self.app.store().read().await?;
        crate::as_of::check(&mut tx, caller.workspace, query, self.app.now()).await
    }
}

impl Workspaces<'_> {
    /// The operator of the workspace with that slug; an unknown slug is not found.
    pub async fn caller(self, slug: &str) -> Result<Caller, AppError> {
        let mut tx = self.app.store().read().await?;
        let row = tx
            .workspace_by_slug(slug)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "workspace", id: slug.to_owned() })?;
        Ok(Caller::operator(WorkspaceId(row.id), row.slug))
    }

    /// The operator of a workspace just created or listed.
    pub fn caller_for(self, workspace: &WorkspaceView) -> Caller {
        Caller::operator(workspace.id, workspace.slug.clone())
    }
}

impl Workspaces<'_> {
    /// The caller's workspace's scoring thresholds.
    pub async fn scoring(self, caller: &crate::Caller) -> Result<crate::scoring::ScoringView, AppError> {
        let mut tx = self.app.store().read().await?;
        Ok(crate::scoring::ScoringView::of(&crate::scoring::workspace_thresholds(&mut tx, caller.workspace).await?))
    }

    /// Sets the workspace's scoring thresholds (admins). Open cycles are graded by
    /// them from now on; a closed cycle keeps the scores and thresholds it froze.
    pub async fn set_scoring(
        self,
        caller: &crate::Caller,
        scoring: crate::scoring::ScoringView,
    ) -> Result<crate::scoring::ScoringView, AppError> {
        crate::permission::require(caller, crate::permission::Action::Administer)?;
        let thresholds = scoring.check()?;
        let now = self.app.now_ms();
        let mut tx = self.app.write(caller.workspace).await?;
        let before = crate::scoring::workspace_thresholds(&mut tx, caller.workspace).await?;
        tx.set_scoring(caller.workspace, &crate::scoring::row_of(&thresholds), now).await?;
        let (before, after) = (crate::scoring::ScoringView::of(&before), crate::scoring::ScoringView::of(&thresholds));
        crate::access::record(
            &mut tx,
            caller,
            "update",
            "scoring",
            caller.workspace.get(),
            Some(&before),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
