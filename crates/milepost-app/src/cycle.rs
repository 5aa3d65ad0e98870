//! Cycles: named periods (`2026-Q4`) in planning, active or closed.

use crate::Caller;
use crate::access::record;
use crate::error::slug_or_from;
use crate::error::{AppError, Problems, duplicate_or, on_update};
use crate::page::{self, ListParams, Paged};
use crate::permission::{Action, require};
pub(crate) use crate::time::period_of;
use crate::time::{from_ms, parse_day};
use jiff::Timestamp;
use jiff::civil::Date;
use milepost_core::CycleId;
use milepost_core::{CycleKind, CycleKindError, CyclePeriod, CycleStatus, Named, Slug, Title, WorkspaceId};
use milepost_store::{CycleFields, CycleFilter, CycleRow, CycleTransitionRow, NewCycleTransition, Tx};
use serde::{Deserialize, Serialize};

mod close;
pub use close::{
    ClosePreview, ClosingKeyResult, ClosingObjective, CycleClose, CycleClosingView, GradeSummary, Outcome, StillOpen,
};

/// A cycle to create.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCycle {
    /// Short name (`2026-q4`); made from the name when left out.
    pub slug: Option<String>,
    /// Display name (`2026 Q4`).
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub start_date: String,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub end_date: String,
    /// planning (default), active or closed; anything but planning is an admin's decision.
    pub status: Option<CycleStatus>,
    /// quarter, half, year (whole months, checked against the dates) or custom; when
    /// left out, the kind whose shape the dates have.
    pub kind: Option<CycleKind>,
}

/// Changes to a cycle; fields left out stay as they are.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CyclePatch {
    /// The version the change is based on.
    pub version: i64,
    /// New short name.
    pub slug: Option<String>,
    /// New display name.
    pub name: Option<String>,
    /// New first day.
    pub start_date: Option<String>,
    /// New last day.
    pub end_date: Option<String>,
    /// New status (an admin's decision; a closed cycle reopens only through reopen).
    pub status: Option<CycleStatus>,
    /// New kind, checked against the dates.
    pub kind: Option<CycleKind>,
}

/// Reopening a closed cycle: an admin's decision, with a reason that the cycle's review
/// shows.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleReopen {
    /// The version the change is based on.
    pub version: i64,
    /// Why the graded cycle is opened again (required; shown on its review).
    pub reason: String,
    /// The status it reopens to: active (default) or planning.
    pub status: Option<CycleStatus>,
}

/// A change of a cycle's status: who, when, from what to what, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CycleTransitionView {
    /// Its id.
    pub id: i64,
    /// The status before.
    pub from_status: CycleStatus,
    /// The status after.
    pub to_status: CycleStatus,
    /// Why (always given when a closed cycle was reopened).
    pub reason: String,
    /// The person who changed it, when a person did.
    pub actor_person_id: Option<i64>,
    /// The API token that changed it, when one did.
    pub actor_token_id: Option<i64>,
    /// When.
    pub at: Timestamp,
}

impl From<CycleTransitionRow> for CycleTransitionView {
    fn from(row: CycleTransitionRow) -> Self {
        CycleTransitionView {
            id: row.id,
            from_status: row.from_status,
            to_status: row.to_status,
            reason: row.reason,
            actor_person_id: row.actor_person_id,
            actor_token_id: row.actor_token_id,
            at: from_ms(row.at),
        }
    }
}

/// The longest reason for reopening a cycle, in characters.
const REASON_MAX: usize = 2_000;

/// Records that `caller` moved a cycle from one status to another, inside `tx`.
async fn record_transition(
    tx: &mut Tx,
    caller: &Caller,
    cycle_id: i64,
    (from, to): (CycleStatus, CycleStatus),
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    let transition = NewCycleTransition {
        cycle_id,
        from_status: from,
        to_status: to,
        reason,
        actor_person_id: caller.person,
        actor_token_id: caller.token,
    };
    tx.insert_cycle_transition(caller.workspace, &transition, now).await?;
    emit_transition(tx, caller.workspace, cycle_id, (from, to), now).await
}

/// Queues the webhook event of a cycle's change of status, if it has one: started
/// (from planning), closed.
pub(crate) async fn emit_transition(
    tx: &mut Tx,
    workspace: milepost_core::WorkspaceId,
    cycle_id: i64,
    (from, to): (CycleStatus, CycleStatus),
    now: i64,
) -> Result<(), AppError> {
    use crate::outbox::{Event, emit};
    let started = match (from, to) {
        (CycleStatus::Planning, CycleStatus::Active) => true,
        (from, CycleStatus::Closed) if from != CycleStatus::Closed => false,
        _ => return Ok(()),
    };
    let Some(row) = tx.cycle(workspace, cycle_id).await? else { return Ok(()) };
    let cycle = (row.id, row.slug, row.name);
    let event = if started { Event::CycleStarted { cycle } } else { Event::CycleClosed { cycle } };
    emit(tx, workspace, &event, crate::time::from_ms(now)).await?;
    Ok(())
}

/// A cycle.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CycleView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: CycleId,
    /// Its short name.
    pub slug: String,
    /// Its display name.
    pub name: String,
    /// First day.
    pub start_date: Date,
    /// Last day, inclusive.
    pub end_date: Date,
    /// planning, active or closed.
    pub status: CycleStatus,
    /// quarter, half, year or custom.
    pub kind: CycleKind,
    /// Share of the cycle's time elapsed now, 0–1.
    pub elapsed: f64,
    /// Whether archived.
    pub archived: bool,
    /// When created.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
    /// Version: send it back with a change.
    pub version: i64,
}

/// Filters of the cycle list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CycleQuery {
    /// Only cycles in this status.
    pub status: Option<CycleStatus>,
    /// Include archived cycles.
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub after: Option<String>,
}

/// The cycle `id`, which must be closed because what is asked of it (`why`) compares
/// with its outcomes: a 404 when it is missing (or another workspace's), a 409
/// `cycle_not_closed` while it is open.
pub(crate) async fn closed_cycle(tx: &mut Tx, caller: &Caller, id: i64, why: &str) -> Result<CycleRow, AppError> {
    let cycle = tx
        .cycle(caller.workspace, id)
        .await?
        .ok_or_else(|| AppError::NotFound { what: "cycle", id: id.to_string() })?;
    if cycle.status != CycleStatus::Closed {
        return Err(AppError::Conflict {
            code: "cycle_not_closed",
            detail: format!("cycle {id} is not closed: {why}, which are known once it closes"),
            location: None,
        });
    }
    Ok(cycle)
}

pub(crate) fn view(row: CycleRow, now: Timestamp) -> CycleView {
    let period = period_of(&row);
    CycleView {
        id: CycleId(row.id),
        status: row.status,
        kind: row.kind,
        slug: row.slug,
        name: row.name,
        start_date: period.start(),
        end_date: period.end(),
        elapsed: period.elapsed_share(now),
        archived: row.archived,
        created_at: from_ms(row.created_at),
        updated_at: from_ms(row.updated_at),
        version: row.version,
    }
}

/// Checks a new cycle (name, slug, dates and kind), noting every problem: its fields
/// as stored, or `None` when something is wrong. Who may create it is the caller's check.
pub(crate) fn check_new_cycle(problems: &mut Problems, new: &NewCycle) -> Option<CycleFields> {
    let name = problems.check("/name", Title::parse(&new.name));
    let slug = slug_or_from(problems, new.slug.as_deref(), &new.name);
    let period = check_period(problems, &new.start_date, &new.end_date);
    let kind = period.map_or(CycleKind::Custom, |period| {
        let kind = new.kind.unwrap_or(CycleKind::of(period));
        check_kind(problems, kind, period);
        kind
    });
    Some(CycleFields {
        slug: slug?,
        name: name?.into_string(),
        start_date: period?.start(),
        end_date: period?.end(),
        status: new.status.unwrap_or(CycleStatus::Planning),
        kind,
    })
}

fn check_period(problems: &mut Problems, start: &str, end: &str) -> Option<CyclePeriod> {
    let start = problems.check("/start_date", parse_day(start));
    let end = problems.check("/end_date", parse_day(end));
    let (start, end) = (start?, end?);
    problems.check("/end_date", CyclePeriod::try_new(start, end))
}

/// Checks that `period` has the shape of `kind`, the problem at the date that is off.
fn check_kind(problems: &mut Problems, kind: CycleKind, period: CyclePeriod) {
    match kind.check(period) {
        Ok(()) => {}
        Err(error @ CycleKindError::Start { .. }) => problems.push("/start_date", error.to_string()),
        Err(error @ CycleKindError::End { .. }) => problems.push("/end_date", error.to_string()),
    }
}

/// How many due cycles one pass of the scheduler starts at most; the next pass takes the rest.
const DUE_MAX: i64 = 500;

/// Cycles and their review: create, start, close, reopen; calibration and forecast evaluation. Reached through [`App::cycles`](crate::App::cycles).
#[derive(Debug, Clone, Copy)]
pub struct Cycles<'a> {
    pub(crate) app: &'a crate::App,
}

impl Cycles<'_> {
    /// Creates a cycle.
    pub async fn create(self, caller: &Caller, new: NewCycle) -> Result<CycleView, AppError> {
        require(caller, Action::PlanCycles)?;
        if new.status.is_some_and(|s| s != CycleStatus::Planning) {
            require(caller, Action::Administer)?;
        }
        let mut problems = Problems::new();
        let fields = check_new_cycle(&mut problems, &new);
        problems.finish()?;
        let Some(fields) = fields else {
            return Err(AppError::invalid("/name", "missing"));
        };
        let mut tx = self.app.write(caller.workspace).await?;
        let row = self.insert_in(&mut tx, caller, &fields).await?;
        tx.commit().await?;
        Ok(view(row, self.app.now()))
    }

    /// Writes a checked new cycle inside `tx` (the caller commits), with its event.
    pub(crate) async fn insert_in(
        self,
        tx: &mut Tx,
        caller: &Caller,
        fields: &CycleFields,
    ) -> Result<CycleRow, AppError> {
        let row =
            tx.insert_cycle(caller.workspace, fields, self.app.now_ms()).await.map_err(|e| duplicate_or(e, "cycle"))?;
        record(tx, caller, "create", "cycle", row.id, None::<&()>, Some(&row), self.app.now_ms()).await?;
        Ok(row)
    }

    /// One cycle.
    pub async fn get(self, caller: &Caller, id: CycleId) -> Result<CycleView, AppError> {
        let id = id.get();
        let mut tx = self.app.store().read().await?;
        let row = tx.cycle(caller.workspace, id).await?;
        row.map(|r| view(r, self.app.now())).ok_or_else(|| AppError::NotFound { what: "cycle", id: id.to_string() })
    }

    /// Changes a cycle.
    pub async fn update(self, caller: &Caller, id: CycleId, change: CyclePatch) -> Result<CycleView, AppError> {
        let id = id.get();
        require(caller, Action::PlanCycles)?;
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx
            .cycle(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "cycle", id: id.to_string() })?;
        if change.status.is_some_and(|s| s != current.status) {
            require(caller, Action::Administer)?;
        }
        let mut problems = Problems::new();
        let name = match &change.name {
            Some(name) => problems.check("/name", Title::parse(name)).map(Title::into_string),
            None => Some(current.name.clone()),
        };
        let slug = match &change.slug {
            Some(slug) => problems.check("/slug", Slug::parse(slug)).map(|s| s.as_str().to_owned()),
            None => Some(current.slug.clone()),
        };
        if current.status == CycleStatus::Closed && change.status.is_some_and(|s| s != CycleStatus::Closed) {
            return Err(AppError::Conflict {
                code: "cycle_closed",
                detail: format!(
                    "cycle {} is closed and graded: reopening it is an admin's decision with a reason \
                     (POST /api/v1/cycles/{id}/reopen with its version and a reason)",
                    current.slug
                ),
                location: Some(crate::Location::Body("/status".into())),
            });
        }
        let (current_start, current_end) = (current.start_date.to_string(), current.end_date.to_string());
        let start = change.start_date.as_deref().unwrap_or(&current_start);
        let end = change.end_date.as_deref().unwrap_or(&current_end);
        let period = check_period(&mut problems, start, end);
        let kind = change.kind.unwrap_or(current.kind);
        let reshaped = change.kind.is_some() || change.start_date.is_some() || change.end_date.is_some();
        if let (Some(period), true) = (period, reshaped) {
            check_kind(&mut problems, kind, period);
        }
        problems.finish()?;
        let (Some(name), Some(slug), Some(period)) = (name, slug, period) else {
            return Err(AppError::invalid("/name", "missing"));
        };
        let fields = CycleFields {
            slug,
            name,
            start_date: period.start(),
            end_date: period.end(),
            status: change.status.map_or(current.status, |s| s),
            kind,
        };
        if fields.status == CycleStatus::Closed && current.status != CycleStatus::Closed {
            // Closed through a change of status: its scores freeze like through close.
            close::freeze(&mut tx, caller, &current, self.app.now()).await?;
        }
        let row = tx
            .update_cycle(caller.workspace, id, change.version, &fields, current.archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "cycle", id, change.version))?;
        record(&mut tx, caller, "update", "cycle", id, Some(&current), Some(&row), self.app.now_ms()).await?;
        if row.status != current.status {
            record_transition(&mut tx, caller, id, (current.status, row.status), "", self.app.now_ms()).await?;
        }
        tx.commit().await?;
        Ok(view(row, self.app.now()))
    }

    /// Reopens a closed cycle (admins only, with a reason): it takes check-ins again
    /// until it is closed anew. The audit trail and the cycle's review record who
    /// reopened it, when and why.
    pub async fn reopen(self, caller: &Caller, id: CycleId, reopen: CycleReopen) -> Result<CycleView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let mut problems = Problems::new();
        let reason = reopen.reason.trim();
        if reason.is_empty() {
            problems.push("/reason", "say why the graded cycle is reopened: the review will show it");
        } else if reason.chars().count() > REASON_MAX {
            problems.push("/reason", format!("must be at most {REASON_MAX} characters"));
        }
        let status = reopen.status.unwrap_or(CycleStatus::Active);
        if status == CycleStatus::Closed {
            problems.push("/status", "a cycle reopens to active or planning");
        }
        problems.finish()?;
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx
            .cycle(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "cycle", id: id.to_string() })?;
        if current.status != CycleStatus::Closed {
            return Err(AppError::Conflict {
                code: "cycle_not_closed",
                detail: format!(
                    "cycle {} is {}, not closed: there is nothing to reopen",
                    current.slug,
                    current.status.as_str()
                ),
                location: None,
            });
        }
        let fields = CycleFields { status, ..current.fields() };
        let now = self.app.now_ms();
        let row = tx
            .update_cycle(caller.workspace, id, reopen.version, &fields, current.archived, now)
            .await
            .map_err(|e| on_update(e, "cycle", id, reopen.version))?;
        // Its frozen scores no longer hold; the next close freezes them again.
        tx.reopen_cycle_closing(caller.workspace, id, caller.person, reason, now).await?;
        let after = serde_json::json!({ "cycle": &row, "reason": reason });
        record(&mut tx, caller, "reopen", "cycle", id, Some(&current), Some(&after), now).await?;
        record_transition(&mut tx, caller, id, (current.status, row.status), reason, now).await?;
        tx.commit().await?;
        Ok(view(row, self.app.now()))
    }

    /// A cycle's status changes, oldest first: when it started, closed and was
    /// reopened, by whom and why.
    pub async fn transitions(self, caller: &Caller, id: CycleId) -> Result<Vec<CycleTransitionView>, AppError> {
        let id = id.get();
        let mut tx = self.app.store().read().await?;
        tx.cycle(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "cycle", id: id.to_string() })?;
        let rows = tx.list_cycle_transitions(caller.workspace, id).await?;
        Ok(rows.into_iter().map(CycleTransitionView::from).collect())
    }

    /// Archives a cycle (or restores it).
    pub async fn archive(
        self,
        caller: &Caller,
        id: CycleId,
        version: i64,
        archived: bool,
    ) -> Result<CycleView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx
            .cycle(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "cycle", id: id.to_string() })?;
        let fields = current.fields();
        let row = tx
            .update_cycle(caller.workspace, id, version, &fields, archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "cycle", id, version))?;
        record(
            &mut tx,
            caller,
            if archived { "archive" } else { "restore" },
            "cycle",
            id,
            Some(&current),
            Some(&row),
            self.app.now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(view(row, self.app.now()))
    }

    /// Starts every planning cycle of every workspace whose first day has come (in UTC,
    /// as cycle periods are read), by the app's clock: each moves to active with a
    /// status change and an audit event by no person (the scheduler). Each start is a
    /// compare-and-set on the row (it must still be planning and due), so when several
    /// servers on one database run this at the same moment exactly one starts a cycle
    /// and records it; the others find nothing to do. How many this call started.
    pub async fn start_due(self) -> Result<usize, AppError> {
        let now = self.app.now();
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
        let due = {
            let mut tx = self.app.store().read().await?;
            tx.due_cycles(&today, DUE_MAX).await?
        };
        let mut started = 0;
        for row in due {
            let workspace = WorkspaceId(row.workspace_id);
            let now_ms = now.as_millisecond();
            let mut tx = self.app.write(workspace).await?;
            let Some(after) = tx.start_due_cycle(workspace, row.id, &today, now_ms).await? else {
                // Another server started it first, or someone changed it since.
                continue;
            };
            let slug = tx.workspace(workspace).await?.map(|w| w.slug).unwrap_or_default();
            let caller = Caller::operator(workspace, slug);
            let reason = format!("its start date, {}, came", after.start_date);
            let before = CycleRow {
                status: CycleStatus::Planning,
                version: after.version - 1,
                updated_at: row.updated_at,
                ..after.clone()
            };
            record(&mut tx, &caller, "start", "cycle", row.id, Some(&before), Some(&after), now_ms).await?;
            record_transition(&mut tx, &caller, row.id, (before.status, after.status), &reason, now_ms).await?;
            tx.commit().await?;
            started += 1;
        }
        Ok(started)
    }

    /// Lists cycles.
    pub async fn list(self, caller: &Caller, query: CycleQuery) -> Result<Paged<CycleView>, AppError> {
        let page = ListParams { limit: query.limit, after: query.after }.page()?;
        let filter = CycleFilter { status: query.status, include_archived: query.include_archived };
        let mut tx = self.app.store().read().await?;
        let rows = tx.list_cycles(caller.workspace, &filter, page::probe(page)).await?;
        let now = self.app.now();
        Ok(page::finish(rows, page, |r| r.id, |r| view(r, now)))
    }
}
