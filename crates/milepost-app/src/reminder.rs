//! Reminders of the weekly check-in (issue 17, point 2), and each person's choice
//! about reminder emails.
//!
//! On each pass of the scheduler, [`Reminders::send_due`] looks at every workspace: when
//! its check-in reminder is due by its time zone, day, hour and quiet hours
//! ([`milepost_core::reminder`]), every person who owns key results due for a check-in
//! by their cadence, and did not opt out, gets one email naming those key results, with
//! a link to the check-in page built from the installation's public base URL.
//!
//! **Once, with several servers.** [`Reminders::claim`] is the one place where a
//! reminder is decided: in one transaction it writes the reminder's row (unique per
//! workspace, person and period) and takes its lease by compare-and-set; it commits
//! before the email is sent. Only the server holding the lease sends; it then marks the
//! row sent, or gives the lease up with the error, so the next pass sends again (SMTP
//! down: retried, not lost). A server that crashes between the claim and the mark
//! leaves the lease to run out ([`LEASE`]), after which the next pass sends again with
//! the same `Message-ID`: delivery is at least once, and a repeat is recognisable.
//! Webhooks that ask for reminders are to be told in that same transaction.

use crate::caller::Caller;
use crate::error::AppError;
use crate::key_result::KeyResultView;
use crate::mail::Email;
use jiff::SignedDuration;
use jiff::civil::Date;
use milepost_core::WorkspaceId;
use milepost_core::reminder::{CheckInSchedule, QuietHours, check_in_wanted};
use milepost_store::{Page, PersonFilter, PersonRow, ReminderRow, WorkspaceRow, WorkspaceSettingsRow};
use serde::{Deserialize, Serialize};

/// How long a server may take to send a reminder it claimed before another may.
pub const LEASE: SignedDuration = SignedDuration::from_mins(10);

/// A person's choices about reminders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderPreferences {
    /// Whether they get an email on the workspace's check-in day naming their key
    /// results due for a check-in.
    pub emails: bool,
}

/// What one pass of [`Reminders::send_due`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderPass {
    /// How many reminder emails it sent.
    pub sent: usize,
    /// Why each one it could not send failed.
    pub failed: Vec<String>,
}

/// Reminders, reached through [`App::reminders`](crate::App::reminders).
#[derive(Debug, Clone, Copy)]
pub struct Reminders<'a> {
    pub(crate) app: &'a crate::App,
}

/// The workspace's check-in schedule from its stored settings (a zone that no longer
/// reads falls back to UTC, an hour out of range to 9).
pub fn schedule_of(settings: &WorkspaceSettingsRow) -> CheckInSchedule {
    let zone = jiff::tz::TimeZone::get(&settings.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let quiet = match (settings.quiet_hours_start, settings.quiet_hours_end) {
        (Some(start), Some(end)) => QuietHours::try_new(start, end).ok(),
        _ => None,
    };
    CheckInSchedule {
        zone,
        weekday: i8::try_from(settings.check_in_weekday.clamp(1, 7)).unwrap_or(1),
        hour: i8::try_from(settings.check_in_hour.clamp(0, 23)).unwrap_or(9),
        quiet,
    }
}

impl Reminders<'_> {
    /// The caller's reminder choices (a person only).
    pub async fn preferences(self, caller: &Caller) -> Result<ReminderPreferences, AppError> {
        let person = person_of(caller)?;
        let mut tx = self.app.store().read().await?;
        Ok(ReminderPreferences { emails: !tx.reminder_opted_out(caller.workspace, person).await? })
    }

    /// Sets the caller's reminder choices (a person only, for themselves).
    pub async fn set_preferences(
        self,
        caller: &Caller,
        preferences: ReminderPreferences,
    ) -> Result<ReminderPreferences, AppError> {
        let person = person_of(caller)?;
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        let before = ReminderPreferences { emails: !tx.reminder_opted_out(caller.workspace, person).await? };
        tx.set_reminder_opt_out(caller.workspace, person, !preferences.emails, now).await?;
        crate::access::record(
            &mut tx,
            caller,
            "update",
            "reminder_preferences",
            person,
            Some(&before),
            Some(&preferences),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(preferences)
    }

    /// Sends the reminders due now in every workspace, as the scheduler's pass does:
    /// how many emails it sent, and why those it could not send failed (they are sent
    /// again on the next pass). Without a mailer it sends nothing and claims nothing.
    pub async fn send_due(self) -> Result<ReminderPass, AppError> {
        let Some(mailer) = self.app.mailer() else { return Ok(ReminderPass::default()) };
        let now = self.app.now();
        let workspaces = self.app.store().read().await?.list_workspaces().await?;
        let mut pass = ReminderPass::default();
        for workspace in workspaces.into_iter().filter(|w| !w.archived) {
            let id = WorkspaceId(workspace.id);
            let Some(settings) = self.app.store().read().await?.workspace_settings(id).await? else { continue };
            let Some(slot) = schedule_of(&settings).due(now) else { continue };
            for (person, key_results) in self.due_people(&workspace, now).await? {
                let Some(claim) = self.claim(id, &person, slot.period).await? else { continue };
                let email = self.email(&workspace, &person, slot.period, &claim, &key_results);
                let result = mailer.send(&email).await;
                let mut tx = self.app.write_outside_read_model().await?;
                match &result {
                    Ok(()) => tx.reminder_sent(id, claim.id, self.app.now_ms()).await?,
                    Err(error) => tx.reminder_failed(id, claim.id, error).await?,
                }
                tx.commit().await?;
                match result {
                    Ok(()) => pass.sent += 1,
                    Err(error) => pass.failed.push(error),
                }
            }
        }
        Ok(pass)
    }

    /// The people of `workspace` to remind now, each with the key results they own that
    /// are due for a check-in, as they may see them (the check-in form's rows).
    async fn due_people(
        self,
        workspace: &WorkspaceRow,
        now: jiff::Timestamp,
    ) -> Result<Vec<(PersonRow, Vec<KeyResultView>)>, AppError> {
        let id = WorkspaceId(workspace.id);
        let (people, opted_out) = {
            let mut tx = self.app.store().read().await?;
            (tx.list_people(id, &PersonFilter::default(), Page::ALL).await?, tx.reminder_opt_outs(id).await?)
        };
        let mut due = Vec::new();
        for person in people.into_iter().filter(|p| !p.archived && !opted_out.contains(&p.id)) {
            let caller = Caller {
                workspace: id,
                workspace_slug: workspace.slug.clone(),
                role: person.role,
                person: Some(person.id),
                team: person.team_id,
                token: None,
            };
            let form = self.app.check_ins().form(&caller).await?;
            let wanted: Vec<KeyResultView> = form
                .key_results
                .into_iter()
                .filter(|k| !k.archived && k.kpi_id.is_none() && check_in_wanted(k.last_check_in_at, k.cadence, now))
                .collect();
            if !wanted.is_empty() {
                due.push((person, wanted));
            }
        }
        Ok(due)
    }

    /// Decides a reminder: writes its row and takes its lease, in one transaction
    /// committed before anything is sent. `None` when it was sent already or another
    /// server holds it. The place where the webhooks that want reminders will be told.
    async fn claim(
        self,
        workspace: WorkspaceId,
        person: &PersonRow,
        period: Date,
    ) -> Result<Option<ReminderRow>, AppError> {
        let now = self.app.now();
        let lease_until = now.saturating_add(LEASE).map_or(i64::MAX, |t| t.as_millisecond());
        let message_id = format!("reminder.{}.{}.{period}@{}", workspace.get(), person.id, self.host());
        let mut tx = self.app.write_outside_read_model().await?;
        let claim = tx
            .claim_reminder(workspace, person.id, &period.to_string(), &message_id, now.as_millisecond(), lease_until)
            .await?;
        tx.commit().await?;
        Ok(claim)
    }

    /// The host of the public base URL, for Message-IDs.
    fn host(self) -> String {
        let url = self.app.public_url().unwrap_or("milepost");
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let host = after_scheme.split(['/', ':']).next().unwrap_or("milepost");
        if host.is_empty() { "milepost".to_owned() } else { host.to_owned() }
    }

    /// The reminder email.
    fn email(
        self,
        workspace: &WorkspaceRow,
        person: &PersonRow,
        period: Date,
        claim: &ReminderRow,
        key_results: &[KeyResultView],
    ) -> Email {
        let link = format!("{}/check-in", self.app.public_url().unwrap_or(""));
        let mut text = format!(
            "Hello {},\n\nit is check-in day in {} ({period}). These key results of yours are due for a check-in:\n\n",
            person.name, workspace.name
        );
        for key_result in key_results {
            let current = key_result.current.map_or_else(|| "no value yet".to_owned(), |v| format!("now {v}"));
            text.push_str(&format!("- {} ({current})\n", key_result.title));
        }
        text.push_str(&format!(
            "\nCheck in here: {link}\n\nYou get this email because you own these key results. You can turn \
             reminder emails off on your page in Milepost.\n"
        ));
        Email {
            to: person.email.clone(),
            to_name: person.name.clone(),
            subject: format!("Check-in day in {}: {} key result(s) to update", workspace.name, key_results.len()),
            text,
            message_id: claim.message_id.clone(),
        }
    }
}

/// The person acting, or why a caller who is no person has no reminders.
fn person_of(caller: &Caller) -> Result<i64, AppError> {
    caller.person.ok_or_else(|| AppError::Forbidden {
        detail: "reminders belong to a person: log in as one, an API token is no person".to_owned(),
    })
}
