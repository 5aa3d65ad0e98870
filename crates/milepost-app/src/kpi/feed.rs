//! KPI → key result (SPEC §2): a key result linked to a KPI takes its value from the
//! KPI's measurements, so it updates itself.
//!
//! When measurements are written, each key result the KPI feeds (not archived, its
//! objective not archived, its cycle not closed) gets one check-in with source `kpi`:
//! the latest of the new measurements that falls inside its cycle (a batch of a year
//! of data makes one check-in per key result, not thousands). The check-in goes through
//! the one check-in write path, in the same transaction as the measurements, and names
//! the same actor in the audit trail, who is also the check-in's author. The right to
//! record the KPI's measurements is what allows it ([`Action::FeedFromKpi`]): whoever
//! set up the link was allowed to, and the measurement's recorder need not own the key
//! result, nor may they check in on it themselves for that.
//!
//! [`Action::FeedFromKpi`]: crate::permission::Action::FeedFromKpi

use crate::Caller;
use crate::check_in::{Authority, NewCheckIn, write_check_in};
use crate::error::AppError;
use crate::time::period_of;
use jiff::Timestamp;
use milepost_core::CycleStatus;
use milepost_store::{KpiRow, Tx};

/// Writes the check-ins that `fresh` measurements (time, value) of `kpi` make on the
/// key results it feeds; returns how many.
pub(crate) async fn feed_key_results(
    tx: &mut Tx,
    caller: &Caller,
    kpi: &KpiRow,
    fresh: &[(Timestamp, f64)],
    now: Timestamp,
) -> Result<u64, AppError> {
    let key_results = tx.key_results_of_kpi(caller.workspace, kpi.id).await?;
    // Their check-ins, and the measurements they read, change.
    tx.changes(caller.workspace, milepost_store::Change::KeyResults(key_results.iter().map(|k| k.id).collect()));
    if key_results.is_empty() {
        return Ok(0);
    }
    let authority = Authority::FedByKpi { kpi_owner: kpi.owner_person_id };
    let mut written = 0;
    for key_result in key_results {
        let Some(objective) = tx.objective(caller.workspace, key_result.objective_id).await? else { continue };
        let Some(cycle) = tx.cycle(caller.workspace, objective.cycle_id).await? else { continue };
        if cycle.status == CycleStatus::Closed {
            continue;
        }
        let period = period_of(&cycle);
        let latest = fresh.iter().filter(|(at, _)| period.contains(*at) && *at <= now).max_by_key(|(at, _)| *at);
        let Some((at, value)) = latest else { continue };
        let note = format!("From KPI {} ({})", kpi.name, kpi.slug);
        let new = NewCheckIn {
            value: *value,
            confidence: None,
            note: Some(note),
            blockers: None,
            checked_in_at: Some(*at),
            author_person_id: None,
        };
        write_check_in(tx, caller, key_result.id, new, "kpi", authority, now).await?;
        tx.refresh_current_value(caller.workspace, key_result.id).await?;
        written += 1;
    }
    Ok(written)
}
