//! The KPIs that lagged during a cycle: those whose health was lagging (red now and in
//! each of their last N complete periods, `milepost_core::health::is_lagging`) at the end
//! of at least one of the cycle's days.

use super::LaggingKpi;
use crate::AppError;
use crate::kpi::{cadence_of, goal_of, lagging_after_of};
use crate::time::from_ms;
use jiff::{SignedDuration, Timestamp};
use milepost_core::health::{Point, latest_per_time};
use milepost_core::{CyclePeriod, WorkspaceId, is_lagging};
use milepost_store::Tx;

const DAY: SignedDuration = SignedDuration::from_hours(24);

/// The KPIs (not archived) that were lagging at the end of some day of `period`, by name.
/// One query per KPI reads its measurements from far enough before the cycle for the
/// first day's periods, to its end.
pub(super) async fn lagging_kpis(
    tx: &mut Tx,
    workspace: WorkspaceId,
    period: &CyclePeriod,
) -> Result<Vec<LaggingKpi>, AppError> {
    let mut out = Vec::new();
    for row in tx.list_kpis(workspace).await?.into_iter().filter(|k| !k.archived) {
        let Some(goal) = goal_of(&row) else { continue };
        let cadence = cadence_of(&row);
        let periods = lagging_after_of(&row);
        // The N complete periods before the first day, and the one that holds it.
        let reach = SignedDuration::from_secs(cadence.period().as_secs().saturating_mul(i64::from(periods) + 2));
        let from = period.starts_at().checked_sub(reach).unwrap_or(Timestamp::MIN);
        let rows = tx
            .measurement_values(workspace, row.id, from.as_millisecond(), period.ends_at().as_millisecond() - 1)
            .await?;
        let series: Vec<Point> = latest_per_time(rows).into_iter().map(|(at, v)| (from_ms(at), v)).collect();
        if series.is_empty() {
            continue;
        }
        let (mut first, mut days, mut last) = (None, 0u64, false);
        let mut day = period.start();
        loop {
            // The last instant of the day.
            let end_of_day = day
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .ok()
                .and_then(|t| t.checked_add(DAY).ok())
                .and_then(|t| t.checked_sub(SignedDuration::from_millis(1)).ok());
            let Some(at) = end_of_day else { break };
            last = is_lagging(&goal, cadence, &series, periods, at);
            if last {
                days += 1;
                first = first.or(Some(day));
            }
            if day >= period.end() {
                break;
            }
            let Ok(next) = day.tomorrow() else { break };
            day = next;
        }
        if let Some(first_lagging) = first {
            let value_at_end = series.iter().rev().find(|(at, _)| *at < period.ends_at()).map(|(_, v)| *v);
            out.push(LaggingKpi {
                kpi_id: row.id,
                name: row.name,
                unit: row.unit,
                first_lagging,
                days_lagging: days,
                lagging_at_end: last,
                value_at_end,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.kpi_id.cmp(&b.kpi_id)));
    Ok(out)
}
