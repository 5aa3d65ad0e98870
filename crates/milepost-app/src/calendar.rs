//! Each person's private calendar feed (issue 17, point 6): an ICS document at an
//! unguessable URL, with the workspace's weekly check-in (a weekly RRULE in its time
//! zone), the starts and ends of its cycles, and the due dates of the initiatives the
//! person may see. Its token is stored as a SHA-256 only, like API tokens; making a new
//! one revokes the old; a revoked or unknown token is not found.

mod ics;

use crate::access::{hash_secret, new_secret};
use crate::caller::Caller;
use crate::error::AppError;
use crate::permission::sees_key_result;
use crate::time::{from_ms, parse_day};
use ics::Ics;
use jiff::{SignedDuration, Timestamp};
use milepost_core::WorkspaceId;
use milepost_store::{CycleFilter, InitiativeFilter, Page};
use serde::Serialize;

/// The prefix of calendar feed tokens.
const PREFIX: &str = "mpc_";

/// A person's calendar feed, as they see it: whether they have one. Its URL is shown
/// only when it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CalendarFeedView {
    /// Whether they have a feed.
    pub active: bool,
    /// When it was made.
    pub created_at: Option<Timestamp>,
}

/// A calendar feed just made: its private URL, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NewCalendarFeed {
    /// The URL to subscribe to, built from the installation's public base URL (a path
    /// alone when it is not set). Whoever has it reads the calendar: keep it private.
    pub url: String,
    /// When it was made.
    pub created_at: Timestamp,
}

/// Calendar feeds, reached through [`App::calendar_feeds`](crate::App::calendar_feeds).
#[derive(Debug, Clone, Copy)]
pub struct CalendarFeeds<'a> {
    pub(crate) app: &'a crate::App,
}

fn person_of(caller: &Caller) -> Result<i64, AppError> {
    caller.person.ok_or_else(|| AppError::Forbidden {
        detail: "a calendar feed belongs to a person: log in as one, an API token is no person".to_owned(),
    })
}

fn not_found() -> AppError {
    AppError::NotFound { what: "calendar feed", id: "(token)".to_owned() }
}

impl CalendarFeeds<'_> {
    /// Whether the caller has a feed.
    pub async fn get(self, caller: &Caller) -> Result<CalendarFeedView, AppError> {
        let person = person_of(caller)?;
        let feed = self.app.store().read().await?.calendar_feed(caller.workspace, person).await?;
        Ok(CalendarFeedView { active: feed.is_some(), created_at: feed.map(|f| from_ms(f.created_at)) })
    }

    /// Makes the caller a new feed, revoking the one they had.
    pub async fn create(self, caller: &Caller) -> Result<NewCalendarFeed, AppError> {
        let person = person_of(caller)?;
        let token = new_secret(PREFIX);
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        let row = tx.replace_calendar_feed(caller.workspace, person, &hash_secret(&token), now).await?;
        let view = CalendarFeedView { active: true, created_at: Some(from_ms(row.created_at)) };
        crate::access::record(&mut tx, caller, "create", "calendar_feed", person, None::<&()>, Some(&view), now)
            .await?;
        tx.commit().await?;
        let base = self.app.public_url().unwrap_or("");
        Ok(NewCalendarFeed { url: format!("{base}/calendar/{token}.ics"), created_at: from_ms(row.created_at) })
    }

    /// Revokes the caller's feed; its URL is then not found.
    pub async fn revoke(self, caller: &Caller) -> Result<(), AppError> {
        let person = person_of(caller)?;
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        let had = tx.delete_calendar_feed(caller.workspace, person).await?;
        let before = CalendarFeedView { active: had, created_at: None };
        crate::access::record(&mut tx, caller, "delete", "calendar_feed", person, Some(&before), None::<&()>, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The ICS document of the feed with this token, as its person may see it.
    pub async fn render(self, token: &str) -> Result<String, AppError> {
        if !token.starts_with(PREFIX) || token.len() > 100 {
            return Err(not_found());
        }
        let mut tx = self.app.store().read().await?;
        let feed = tx.calendar_feed_by_hash(&hash_secret(token)).await?.ok_or_else(not_found)?;
        let workspace_id = WorkspaceId(feed.workspace_id);
        let workspace = tx.workspace(workspace_id).await?.ok_or_else(not_found)?;
        let person = tx.person(workspace_id, feed.person_id).await?.filter(|p| !p.archived).ok_or_else(not_found)?;
        if workspace.archived {
            return Err(not_found());
        }
        let caller = Caller {
            workspace: workspace_id,
            workspace_slug: workspace.slug.clone(),
            role: person.role,
            person: Some(person.id),
            team: person.team_id,
            token: None,
        };
        let settings = tx.workspace_settings(workspace_id).await?.ok_or_else(not_found)?;
        let schedule = crate::reminder::schedule_of(&settings);
        let cycles =
            tx.list_cycles(workspace_id, &CycleFilter { status: None, include_archived: false }, Page::ALL).await?;
        let initiatives = tx.list_initiatives(workspace_id, &InitiativeFilter::default(), Page::ALL).await?;
        let mut visible = Vec::new();
        for initiative in initiatives.into_iter().filter(|i| !i.archived && i.due_date.is_some()) {
            let links = tx.initiative_key_results(workspace_id, initiative.id).await?;
            let mut sees = links.is_empty();
            for link in links {
                if sees {
                    break;
                }
                sees = sees_key_result(&mut tx, &caller, link).await?;
            }
            if sees {
                visible.push(initiative);
            }
        }
        let now = self.app.now();
        let host = self.host();
        let stamp = format!("DTSTAMP:{}", ics::utc(now));
        let mut out = Ics::default();
        out.line("BEGIN:VCALENDAR");
        out.line("VERSION:2.0");
        out.line("PRODID:-//Milepost//Milepost calendar feed//EN");
        out.line("CALSCALE:GREGORIAN");
        out.text("X-WR-CALNAME", &format!("Milepost: {}", workspace.name));
        // The weekly check-in, from its first day on or after the workspace began.
        let created = from_ms(workspace.created_at);
        let zone_name = settings.time_zone.clone();
        let utc = zone_name == "UTC";
        if !utc {
            let year = SignedDuration::from_hours(24 * 366);
            out.time_zone(
                &schedule.zone,
                &zone_name,
                created.saturating_sub(year).unwrap_or(created),
                now.saturating_add(year.saturating_mul(2)).unwrap_or(now),
            );
        }
        let first_day = {
            let day = created.to_zoned(schedule.zone.clone()).date();
            let ahead = i64::from((schedule.weekday - day.weekday().to_monday_one_offset()).rem_euclid(7));
            day.checked_add(jiff::Span::new().days(ahead)).unwrap_or(day)
        };
        let weekday =
            ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][usize::try_from(schedule.weekday - 1).unwrap_or(0).min(6)];
        out.line("BEGIN:VEVENT");
        out.line(&format!("UID:check-in-{}@{host}", workspace.id));
        out.line(&stamp);
        let local = format!("{}T{:02}0000", ics::date(first_day), schedule.hour);
        if utc {
            out.line(&format!("DTSTART:{local}Z"));
        } else {
            out.line(&format!("DTSTART;TZID={}:{local}", ics::escape(&zone_name)));
        }
        out.line("DURATION:PT30M");
        out.line(&format!("RRULE:FREQ=WEEKLY;BYDAY={weekday}"));
        out.text("SUMMARY", &format!("Weekly check-in ({})", workspace.name));
        out.text("DESCRIPTION", &format!("Update your key results: {}/check-in", self.app.public_url().unwrap_or("")));
        out.line("END:VEVENT");
        for cycle in cycles {
            for (what, day) in [("starts", cycle.start_date), ("ends", cycle.end_date)] {
                out.line("BEGIN:VEVENT");
                out.line(&format!("UID:cycle-{}-{what}@{host}", cycle.id));
                out.line(&stamp);
                out.line(&format!("DTSTART;VALUE=DATE:{}", ics::date(day)));
                out.line(&format!("DTEND;VALUE=DATE:{}", ics::date(day.tomorrow().unwrap_or(day))));
                out.text("SUMMARY", &format!("{} {what}", cycle.name));
                out.line("TRANSP:TRANSPARENT");
                out.line("END:VEVENT");
            }
        }
        for initiative in visible {
            let Some(day) = initiative.due_date.as_deref().and_then(|d| parse_day(d).ok()) else { continue };
            out.line("BEGIN:VEVENT");
            out.line(&format!("UID:initiative-{}@{host}", initiative.id));
            out.line(&stamp);
            out.line(&format!("DTSTART;VALUE=DATE:{}", ics::date(day)));
            out.line(&format!("DTEND;VALUE=DATE:{}", ics::date(day.tomorrow().unwrap_or(day))));
            out.text("SUMMARY", &format!("Due: {}", initiative.title));
            if !initiative.description.is_empty() {
                out.text("DESCRIPTION", &initiative.description);
            }
            out.line("TRANSP:TRANSPARENT");
            out.line("END:VEVENT");
        }
        out.line("END:VCALENDAR");
        Ok(out.finish())
    }

    /// The host of the public base URL, for UIDs.
    fn host(self) -> String {
        let url = self.app.public_url().unwrap_or("milepost");
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let host = after_scheme.split(['/', ':']).next().unwrap_or("milepost");
        if host.is_empty() { "milepost".to_owned() } else { host.to_owned() }
    }
}
