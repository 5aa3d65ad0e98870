//! Closing a cycle: what it will freeze (each objective's and key result's score under
//! the workspace's thresholds, the committed and aspirational outcomes, what is still
//! open), the close itself (admins; before the end date only when confirmed), and the
//! record of each closing that a cycle's review shows.

use super::{Cycles, view};
use crate::Caller;
use crate::access::record;
use crate::error::AppError;
use crate::evaluation::{CycleData, Evaluation, ScoreView, evaluate, scores_to_freeze};
use crate::permission::{Action, require};
use crate::scoring::{FrozenScores, Scoring, ScoringView, read_closing, workspace_thresholds};
use crate::time::from_ms;
use jiff::Timestamp;
use milepost_core::status::check_in_due_by;
use milepost_core::{Commitment, CycleId, CycleStatus, InitiativeStatus, ScoreColour, WorkspaceId};
use milepost_store::{CycleClosingRow, CycleFields, CycleRow, NewCycleClosing, NewCycleTransition, StoreError, Tx};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Closing a cycle.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleClose {
    /// The version the close is based on.
    pub version: i64,
    /// Closing before the cycle's end date freezes its scores early: say so with `true`.
    #[serde(default)]
    pub confirm_early: bool,
}

/// One key result's grade as the close will freeze it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClosingKeyResult {
    /// Its id.
    pub id: i64,
    /// Its sentence.
    pub title: String,
    /// Its progress, 0–1.
    pub progress: f64,
    /// Its score.
    pub score: ScoreView,
    /// When it was last checked in; absent when never.
    pub last_check_in_at: Option<Timestamp>,
}

/// One objective's grade as the close will freeze it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClosingObjective {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Owning person.
    pub owner_person_id: Option<i64>,
    /// Owning team.
    pub owner_team_id: Option<i64>,
    /// committed or aspirational.
    pub commitment: Commitment,
    /// Its score, with whether it succeeded.
    pub score: ScoreView,
    /// Its key results' scores.
    pub key_results: Vec<ClosingKeyResult>,
}

/// How many objectives of one commitment succeeded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    /// How many met their success score.
    pub succeeded: u32,
    /// How many there are.
    pub total: u32,
}

/// How a set of objectives was graded: the outcomes by commitment and the colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GradeSummary {
    /// Committed objectives (succeed at the committed success score).
    pub committed: Outcome,
    /// Aspirational objectives (succeed at the aspirational success score).
    pub aspirational: Outcome,
    /// How many objectives scored red.
    pub red: u32,
    /// How many scored yellow.
    pub yellow: u32,
    /// How many scored green.
    pub green: u32,
    /// The mean of the objectives' scores, two decimals; absent without objectives.
    pub mean_score: Option<f64>,
}

impl GradeSummary {
    fn of<'a>(grades: impl Iterator<Item = (Commitment, &'a ScoreView)>) -> GradeSummary {
        let mut summary = GradeSummary::default();
        let (mut sum, mut count) = (0.0, 0u32);
        for (commitment, score) in grades {
            let outcome = match commitment {
                Commitment::Committed => &mut summary.committed,
                Commitment::Aspirational => &mut summary.aspirational,
            };
            outcome.total += 1;
            outcome.succeeded += u32::from(score.succeeded == Some(true));
            match score.colour {
                ScoreColour::Red => summary.red += 1,
                ScoreColour::Yellow => summary.yellow += 1,
                ScoreColour::Green => summary.green += 1,
            }
            sum += score.value;
            count += 1;
        }
        summary.mean_score = (count > 0).then(|| (sum / f64::from(count) * 100.0).round() / 100.0);
        summary
    }
}

/// What is still open in a cycle about to close.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct StillOpen {
    /// Key results never checked in (they close at their start value).
    pub never_checked_in: Vec<ClosingKeyResult>,
    /// Key results whose check-in is overdue by their cadence.
    pub check_in_overdue: Vec<ClosingKeyResult>,
    /// Initiatives of the cycle's key results that are planned or active.
    pub initiatives_not_done: u32,
}

/// What closing a cycle now would freeze, for an admin to look at before closing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClosePreview {
    /// The cycle.
    pub cycle: super::CycleView,
    /// Whether its end date is still ahead: closing needs `confirm_early`.
    pub early: bool,
    /// Days from today to its end date (0 once it has ended).
    pub days_left: i64,
    /// The thresholds the scores would be frozen under (the workspace's now).
    pub thresholds: ScoringView,
    /// The outcomes and colours the close would freeze.
    pub summary: GradeSummary,
    /// Every objective's score (not archived), in id order.
    pub objectives: Vec<ClosingObjective>,
    /// What is still open.
    pub still_open: StillOpen,
}

/// One closing of a cycle, for its review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CycleClosingView {
    /// Its id.
    pub id: i64,
    /// When the cycle was closed.
    pub closed_at: Timestamp,
    /// Whether before its end date.
    pub early: bool,
    /// The person who closed it, when a person did.
    pub actor_person_id: Option<i64>,
    /// The API token that closed it, when one did.
    pub actor_token_id: Option<i64>,
    /// The thresholds its scores were frozen under.
    pub thresholds: ScoringView,
    /// The frozen outcomes and colours of the objectives the reader may see.
    pub summary: GradeSummary,
    /// When it was reopened (its scores then no longer held), if it was.
    pub reopened_at: Option<Timestamp>,
    /// Who reopened it.
    pub reopened_by_person_id: Option<i64>,
    /// Why it was reopened.
    pub reopen_reason: Option<String>,
}

/// The cycle's numbers graded as if it closed now: under the workspace's thresholds,
/// nothing frozen.
async fn graded_now(
    tx: &mut Tx,
    workspace: WorkspaceId,
    cycle: &CycleRow,
    now: Timestamp,
) -> Result<(CycleData, Evaluation), AppError> {
    let closed = CycleRow { status: CycleStatus::Closed, ..cycle.clone() };
    let mut data = CycleData::load(tx, workspace, closed).await?;
    data.scoring = Scoring { thresholds: workspace_thresholds(tx, workspace).await?, frozen: None };
    let evaluation = evaluate(&data, now);
    Ok((data, evaluation))
}

/// Days from `now`'s day (UTC, as cycle periods are read) to the cycle's last day; 0
/// once it has passed.
fn days_left(cycle: &CycleRow, now: Timestamp) -> i64 {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    cycle.end_date.since(today).map_or(0, |span| i64::from(span.get_days()).max(0))
}

/// Freezes the cycle's scores as they stand at `now` inside `tx` and records the
/// closing; the caller moves the cycle to closed in the same transaction. Every way a
/// cycle closes goes through here, so a closed cycle always has its scores frozen.
pub(crate) async fn freeze(tx: &mut Tx, caller: &Caller, cycle: &CycleRow, now: Timestamp) -> Result<(), AppError> {
    let (data, evaluation) = graded_now(tx, caller.workspace, cycle, now).await?;
    let unwritable = |column: &str, e: serde_json::Error| {
        AppError::Store(StoreError::Corrupt { column: format!("cycle_closings.{column}"), reason: e.to_string() })
    };
    let scores = serde_json::to_string(&scores_to_freeze(&evaluation)).map_err(|e| unwritable("scores", e))?;
    let thresholds =
        serde_json::to_string(&ScoringView::of(&data.scoring.thresholds)).map_err(|e| unwritable("thresholds", e))?;
    let closing = NewCycleClosing {
        cycle_id: cycle.id,
        early: days_left(cycle, now) > 0,
        actor_person_id: caller.person,
        actor_token_id: caller.token,
        thresholds: &thresholds,
        scores: &scores,
    };
    tx.insert_cycle_closing(caller.workspace, &closing, now.as_millisecond()).await?;
    Ok(())
}

fn key_result_line(row: &milepost_store::KeyResultRow, evaluation: &Evaluation) -> Option<ClosingKeyResult> {
    let eval = evaluation.key_results.get(&row.id)?;
    Some(ClosingKeyResult {
        id: row.id,
        title: row.title.clone(),
        progress: eval.progress.raw(),
        score: eval.score?,
        last_check_in_at: eval.last_check_in_at,
    })
}

impl Cycles<'_> {
    /// What closing the cycle now would freeze (admins): every objective's and key
    /// result's score under the workspace's thresholds, the outcomes, whether it is
    /// early, and what is still open.
    pub async fn close_preview(self, caller: &Caller, id: CycleId) -> Result<ClosePreview, AppError> {
        require(caller, Action::Administer)?;
        let id = id.get();
        let now = self.app.now();
        let mut tx = self.app.store().read().await?;
        let cycle = tx
            .cycle(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "cycle", id: id.to_string() })?;
        refuse_closed(&cycle)?;
        let (data, evaluation) = graded_now(&mut tx, caller.workspace, &cycle, now).await?;
        let mut objectives = Vec::new();
        let mut still_open = StillOpen::default();
        let live: Vec<_> = data.objectives.iter().filter(|o| o.cycle_id == cycle.id && !o.archived).collect();
        let own: HashSet<i64> = live.iter().map(|o| o.id).collect();
        let mut key_result_ids = Vec::new();
        for objective in &live {
            let Some(score) = evaluation.objectives.get(&objective.id).and_then(|e| e.score) else { continue };
            let key_results: Vec<ClosingKeyResult> = data
                .key_results
                .iter()
                .filter(|k| k.objective_id == objective.id && !k.archived)
                .filter_map(|k| key_result_line(k, &evaluation))
                .collect();
            objectives.push(ClosingObjective {
                id: objective.id,
                title: objective.title.clone(),
                owner_person_id: objective.owner_person_id,
                owner_team_id: objective.owner_team_id,
                commitment: objective.commitment,
                score,
                key_results,
            });
        }
        for row in data.key_results.iter().filter(|k| own.contains(&k.objective_id) && !k.archived) {
            key_result_ids.push(row.id);
            let Some(line) = key_result_line(row, &evaluation) else { continue };
            match line.last_check_in_at {
                None => still_open.never_checked_in.push(line),
                Some(last) if check_in_due_by(last, row.cadence) < now => still_open.check_in_overdue.push(line),
                Some(_) => {}
            }
        }
        let initiatives = tx.initiatives_of_key_results(caller.workspace, &key_result_ids).await?;
        let mut seen = HashSet::new();
        still_open.initiatives_not_done = initiatives
            .iter()
            .filter(|i| matches!(i.status, InitiativeStatus::Planned | InitiativeStatus::Active) && seen.insert(i.id))
            .count()
            .try_into()
            .unwrap_or(u32::MAX);
        let summary = GradeSummary::of(objectives.iter().map(|o| (o.commitment, &o.score)));
        let left = days_left(&cycle, now);
        Ok(ClosePreview {
            early: left > 0,
            days_left: left,
            thresholds: ScoringView::of(&data.scoring.thresholds),
            summary,
            objectives,
            still_open,
            cycle: view(cycle, now),
        })
    }

    /// Closes a cycle (admins): freezes every objective's and key result's score under
    /// the workspace's thresholds, records the closing and the status change. Before its
    /// end date it closes only with `confirm_early` (a 409 `close_early_unconfirmed`
    /// says how many days are left); a closed cycle is a 409 `cycle_closed`.
    pub async fn close(self, caller: &Caller, id: CycleId, close: CycleClose) -> Result<super::CycleView, AppError> {
        require(caller, Action::Administer)?;
        let id = id.get();
        let now = self.app.now();
        let mut tx = self.app.write(caller.workspace).await?;
        let current = tx
            .cycle(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "cycle", id: id.to_string() })?;
        refuse_closed(&current)?;
        if current.version != close.version {
            return Err(crate::error::on_update(
                StoreError::Conflict { current: current.version },
                "cycle",
                id,
                close.version,
            ));
        }
        let left = days_left(&current, now);
        if left > 0 && !close.confirm_early {
            return Err(AppError::Conflict {
                code: "close_early_unconfirmed",
                detail: format!(
                    "cycle {} ends on {}, {left} day{} from now: closing it now freezes its scores early; \
                     send confirm_early: true to close it anyway",
                    current.slug,
                    current.end_date,
                    if left == 1 { "" } else { "s" }
                ),
                location: Some(crate::Location::Body("/confirm_early".into())),
            });
        }
        freeze(&mut tx, caller, &current, now).await?;
        let fields = CycleFields { status: CycleStatus::Closed, ..current.fields() };
        let now_ms = now.as_millisecond();
        let row = tx
            .update_cycle(caller.workspace, id, close.version, &fields, current.archived, now_ms)
            .await
            .map_err(|e| crate::error::on_update(e, "cycle", id, close.version))?;
        let reason = if left > 0 {
            format!("closed {left} day{} before its end date", if left == 1 { "" } else { "s" })
        } else {
            String::new()
        };
        record(&mut tx, caller, "close", "cycle", id, Some(&current), Some(&row), now_ms).await?;
        let transition = NewCycleTransition {
            cycle_id: id,
            from_status: current.status,
            to_status: CycleStatus::Closed,
            reason: &reason,
            actor_person_id: caller.person,
            actor_token_id: caller.token,
        };
        tx.insert_cycle_transition(caller.workspace, &transition, now_ms).await?;
        super::emit_transition(&mut tx, caller.workspace, id, (current.status, CycleStatus::Closed), now_ms).await?;
        tx.commit().await?;
        Ok(view(row, now))
    }

    /// A cycle's closings, oldest first: when, by whom, early or not, under which
    /// thresholds, the frozen outcomes of the objectives the caller may see, and each
    /// reopening with its reason.
    pub async fn closings(self, caller: &Caller, id: CycleId) -> Result<Vec<CycleClosingView>, AppError> {
        let visible = self.app.objectives().list_in_cycle_shared(caller, id).await?;
        let mut tx = self.app.store().read().await?;
        let rows = tx.list_cycle_closings(caller.workspace, id.get()).await?;
        rows.into_iter()
            .map(|row| {
                let (thresholds, scores) = read_closing(&row)?;
                Ok(closing_view(row, &ScoringView::of(&thresholds), &scores, &visible))
            })
            .collect()
    }
}

fn closing_view(
    row: CycleClosingRow,
    thresholds: &ScoringView,
    scores: &FrozenScores,
    visible: &[std::sync::Arc<crate::objective::ObjectiveView>],
) -> CycleClosingView {
    let graded: Vec<(Commitment, ScoreView)> = visible
        .iter()
        .filter(|o| !o.archived)
        .filter_map(|o| {
            let frozen = scores.objectives.get(&o.id.get())?;
            let score = ScoreView {
                value: frozen.value,
                colour: frozen.colour,
                succeeded: frozen.succeeded,
                frozen: true,
                late_value: None,
            };
            Some((o.commitment, score))
        })
        .collect();
    CycleClosingView {
        id: row.id,
        closed_at: from_ms(row.closed_at),
        early: row.early,
        actor_person_id: row.actor_person_id,
        actor_token_id: row.actor_token_id,
        thresholds: *thresholds,
        summary: GradeSummary::of(graded.iter().map(|(c, s)| (*c, s))),
        reopened_at: row.reopened_at.map(from_ms),
        reopened_by_person_id: row.reopened_by_person_id,
        reopen_reason: row.reopen_reason,
    }
}

/// A 409 `cycle_closed` for a cycle already closed.
fn refuse_closed(cycle: &CycleRow) -> Result<(), AppError> {
    if cycle.status == CycleStatus::Closed {
        return Err(AppError::Conflict {
            code: "cycle_closed",
            detail: format!("cycle {} is already closed and graded", cycle.slug),
            location: None,
        });
    }
    Ok(())
}
