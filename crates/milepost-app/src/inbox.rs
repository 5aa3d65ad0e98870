//! A person's inbox: what they owe and what is waiting for them, in one list.
//!
//! | kind | when | its key (one per period) |
//! |---|---|---|
//! | `check_in_due` | a key result they own, in an active cycle, is due for a check-in by its cadence | the due time |
//! | `mention` | a comment mentions them | the comment |
//! | `reply` | a comment answers one of theirs | the comment |
//! | `at_risk`, `off_track`, `stale` | a key result they own has that status | the status and the ISO week |
//! | `kpi_lagging` | a KPI they own is lagging | the ISO week |
//! | `cycle_to_close` | (admins) an active cycle whose end date has passed | the cycle |
//!
//! An item marked done or dismissed ([`Inboxes::dismiss`]) stays away: its key is kept.
//! A computed item's key names its period (the due time of a check-in, the week of a
//! status), so the same trouble comes back in a later period while it is still true.
//!
//! Items are only ever about what the person may see: key results come from the read
//! model's evaluation of the cycles as the person may see them, comments on objectives
//! they may not see (any more) are left out. The whole inbox is a few reads whatever
//! the workspace's size: the read model's active cycles, one query for the comments, one
//! for the dismissed keys, and the KPI board.

use crate::Caller;
use crate::caller::Role;
use crate::error::{AppError, FieldError};
use crate::page::ListParams;
use crate::permission::hidden_objectives_in;
use crate::time::from_ms;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use milepost_core::{CycleId, CycleStatus, Status};
use milepost_store::{CycleFilter, Page};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How many of the latest mentions and replies the inbox looks at.
const NOTICES_READ: i64 = 500;

/// The longest item key accepted.
const MAX_KEY_CHARS: usize = 120;

/// What an inbox item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    /// A key result of theirs is due for a check-in.
    CheckInDue,
    /// A comment mentions them.
    Mention,
    /// A comment answers one of theirs.
    Reply,
    /// A key result of theirs is at risk.
    AtRisk,
    /// A key result of theirs is off track.
    OffTrack,
    /// A key result of theirs is stale (a check-in was missed).
    Stale,
    /// A KPI of theirs is lagging.
    KpiLagging,
    /// A cycle past its end waits to be closed (admins).
    CycleToClose,
}

/// One thing in a person's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InboxItem {
    /// Its key: pass it to dismiss the item.
    pub key: String,
    /// What it is about.
    pub kind: InboxKind,
    /// One line saying what it is.
    pub title: String,
    /// A short excerpt (a comment's text), or empty.
    pub detail: String,
    /// The web page it is about (`/key-results/7`).
    pub link: String,
    /// When it happened or is due.
    pub at: Option<Timestamp>,
    /// The objective it is about, when it is.
    pub objective_id: Option<i64>,
    /// The key result it is about, when it is.
    pub key_result_id: Option<i64>,
    /// The comment it is about, when it is.
    pub comment_id: Option<i64>,
    /// The KPI it is about, when it is.
    pub kpi_id: Option<i64>,
    /// The cycle it is about, when it is.
    pub cycle_id: Option<i64>,
}

/// A page of a person's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Inbox {
    /// This page's items: check-ins due first, then mentions and replies (newest first),
    /// key results in trouble, lagging KPIs and cycles to close.
    pub items: Vec<InboxItem>,
    /// How many items the whole inbox holds.
    pub total: usize,
    /// Pass as `after` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The inbox area: `app.inbox()`.
#[derive(Clone, Copy)]
pub struct Inboxes<'a> {
    pub(crate) app: &'a crate::App,
}

fn item(key: String, kind: InboxKind, title: String, link: String) -> InboxItem {
    InboxItem {
        key,
        kind,
        title,
        detail: String::new(),
        link,
        at: None,
        objective_id: None,
        key_result_id: None,
        comment_id: None,
        kpi_id: None,
        cycle_id: None,
    }
}

/// A comment's first words, as plain text.
fn excerpt(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 140 { flat } else { format!("{}…", flat.chars().take(140).collect::<String>()) }
}

impl Inboxes<'_> {
    /// Every item of the caller's inbox, not dismissed, in order. Empty for a caller
    /// that is not a person (a machine token).
    pub async fn items(self, caller: &Caller) -> Result<Vec<InboxItem>, AppError> {
        let Some(person) = caller.person else { return Ok(Vec::new()) };
        let now = self.app.now();
        let today = now.to_zoned(TimeZone::UTC).date();
        let week = {
            let iso = today.iso_week_date();
            format!("{}-W{:02}", iso.year(), iso.week())
        };
        let mut tx = self.app.store().read().await?;
        let dismissed: HashSet<String> = tx.inbox_dismissals(caller.workspace, person).await?.into_iter().collect();
        let generation = tx.generation(caller.workspace).await?;
        let hidden = hidden_objectives_in(self.app, &mut tx, caller, generation).await?;
        let active = CycleFilter { status: Some(CycleStatus::Active), include_archived: false };
        let cycles = tx.list_cycles(caller.workspace, &active, Page::ALL).await?;
        let notices = tx.comment_notices(caller.workspace, person, NOTICES_READ).await?;
        drop(tx);

        let mut due = Vec::new();
        let mut trouble = Vec::new();
        for cycle in &cycles {
            let objectives = self.app.objectives().list_in_cycle_shared(caller, CycleId(cycle.id)).await?;
            for objective in objectives.iter() {
                for key_result in objective.key_results.iter().filter(|k| k.owner_person_id == Some(person)) {
                    let id = key_result.id.get();
                    let link = format!("/objectives/{}#key-result-{id}", objective.id);
                    // The view's due time is when a check-in is overdue (a period and a
                    // half after the last); the inbox asks a period after it.
                    let half_period = SignedDuration::from_secs(key_result.cadence.period().as_secs() / 2);
                    let due_at = key_result.check_in_due_at.and_then(|at| at.checked_sub(half_period).ok());
                    if let Some(at) = due_at.filter(|at| *at <= now) {
                        let mut it = item(
                            format!("check_in_due:{id}:{}", at.as_millisecond()),
                            InboxKind::CheckInDue,
                            format!("Check in on “{}”", key_result.title),
                            link.clone(),
                        );
                        it.at = Some(at);
                        it.objective_id = Some(objective.id.get());
                        it.key_result_id = Some(id);
                        due.push(it);
                    }
                    let (kind, words, name) = match key_result.status {
                        Status::AtRisk => (InboxKind::AtRisk, "is at risk", "at_risk"),
                        Status::OffTrack => (InboxKind::OffTrack, "is off track", "off_track"),
                        Status::Stale => (InboxKind::Stale, "is stale: a check-in was missed", "stale"),
                        _ => continue,
                    };
                    let mut it =
                        item(format!("{name}:{id}:{week}"), kind, format!("“{}” {words}", key_result.title), link);
                    it.objective_id = Some(objective.id.get());
                    it.key_result_id = Some(id);
                    trouble.push(it);
                }
            }
        }

        let mut talk = Vec::new();
        for notice in notices.into_iter().filter(|n| !hidden.contains(&n.comment.objective_id)) {
            let comment = notice.comment;
            let (kind, title) = if notice.kind == "mention" {
                (InboxKind::Mention, "You were mentioned in a comment")
            } else {
                (InboxKind::Reply, "A reply to your comment")
            };
            // Every comment shows on its objective's page.
            let link = format!("/objectives/{}#comment-{}", comment.objective_id, comment.id);
            let mut it = item(format!("{}:{}", notice.kind, comment.id), kind, title.to_owned(), link);
            it.detail = excerpt(&comment.body);
            it.at = Some(from_ms(comment.created_at));
            it.objective_id = Some(comment.objective_id);
            it.comment_id = Some(comment.id);
            talk.push(it);
        }
        let mut kpis = Vec::new();
        let board = self.app.kpis().board_shared(caller).await?;
        for entry in board.items.iter().filter(|e| e.kpi.owner_person_id == Some(person)) {
            let id = entry.kpi.id.get();
            if board.lagging.contains(&id) {
                let mut it = item(
                    format!("kpi_lagging:{id}:{week}"),
                    InboxKind::KpiLagging,
                    format!("{} is lagging", entry.kpi.name),
                    format!("/kpis/{id}"),
                );
                it.kpi_id = Some(id);
                kpis.push(it);
            }
        }

        let mut closing = Vec::new();
        if caller.role == Role::Admin {
            for cycle in cycles.iter().filter(|c| c.end_date < today) {
                let mut it = item(
                    format!("cycle_to_close:{}", cycle.id),
                    InboxKind::CycleToClose,
                    format!("{} ended on {}: review and close it", cycle.name, cycle.end_date),
                    format!("/cycles/{}", cycle.id),
                );
                it.cycle_id = Some(cycle.id);
                closing.push(it);
            }
        }

        due.sort_by_key(|i| i.at);
        Ok([due, talk, trouble, kpis, closing].into_iter().flatten().filter(|i| !dismissed.contains(&i.key)).collect())
    }

    /// A page of the caller's inbox: `after` is the number of items already read.
    pub async fn page(self, caller: &Caller, params: ListParams) -> Result<Inbox, AppError> {
        let page = params.page()?;
        let items = self.items(caller).await?;
        let total = items.len();
        let skip = usize::try_from(page.after.unwrap_or(0)).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let end = skip.saturating_add(limit);
        let next_cursor = (end < total).then(|| end.to_string());
        Ok(Inbox { items: items.into_iter().skip(skip).take(limit).collect(), total, next_cursor })
    }

    /// How many items the caller's inbox holds.
    pub async fn count(self, caller: &Caller) -> Result<usize, AppError> {
        Ok(self.items(caller).await?.len())
    }

    /// Marks an inbox item done or dismissed: it leaves the inbox for good (a computed
    /// item comes back in a later period, under a new key). The key is one an inbox gave.
    pub async fn dismiss(self, caller: &Caller, key: &str) -> Result<(), AppError> {
        let Some(person) = caller.person else {
            return Err(AppError::Forbidden { detail: "only a person has an inbox".to_owned() });
        };
        let well_formed = !key.is_empty()
            && key.chars().count() <= MAX_KEY_CHARS
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | ':' | '-' | 'W'))
            && key.split(':').count() >= 2;
        if !well_formed {
            return Err(AppError::Invalid(vec![FieldError::body(
                "/key",
                format!("{key:?} is not an inbox item's key: pass the `key` of an item of GET /api/v1/me/inbox"),
            )]));
        }
        let mut tx = self.app.write_outside_read_model().await?;
        tx.dismiss_inbox_item(caller.workspace, person, key, self.app.now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }
}
