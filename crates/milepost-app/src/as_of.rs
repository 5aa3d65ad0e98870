//! Reading the workspace as it stood at a past instant (`as_of`, issue 18): the numbers
//! from the history recorded by then, evaluated with the clock at that instant.
//!
//! What is historical, and from where:
//!
//! - **Check-ins** and **KPI measurements** count when they were *recorded* by the
//!   instant (`check_ins.created_at`, `measurements.recorded_at`), whatever day they
//!   describe; "as known now" ([`Known::Now`]) also counts those recorded later about
//!   days up to the instant.
//! - **Objectives and key results** exist from their `created_at`; every other field
//!   (titles, owners, targets, starts, ranges, weights, schedules, archived or not) is
//!   as the audit trail says: the state before the first change recorded after the
//!   instant (each event keeps the row before and after), else the row as it is now.
//!   Every write through the use cases has recorded its row since the audit trail
//!   began (the first release); rows written by `milepost seed` have no events and
//!   read as they are now. Each row's cycle, objective and id are those of today, and
//!   so are its `version` and `updated_at` (a write names today's version).
//! - **A cycle's state** (planning, active, closed) comes from `cycle_transitions`, its
//!   frozen scores from the closing that stood at the instant (`cycle_closings`).
//!   Its dates, name, and the workspace's scoring thresholds of an open cycle, are
//!   today's.
//! - **Who may see what** is decided exactly as for live reads, on today's rows and
//!   teams: history never shows what the caller may not see now.
//!
//! Cost: the live reads go through the read model; an as-of read evaluates the cycles
//! it touches from their rows (the same three queries as loading the read model, the
//! events about objectives and key results recorded since the instant, found by
//! `events_by_entity_time`, the cycle's transitions and closings, and each linked
//! KPI's measurements), once per cycle and request, and pages as the live read does.

use crate::AppError;
use crate::scoring::{Scoring, read_closing, workspace_thresholds};
use crate::time::{from_ms, period_of};
use jiff::Timestamp;
use milepost_core::{CycleStatus, WorkspaceId};
use milepost_store::{CheckInRow, CycleRow, KeyResultRow, MeasurementRow, ObjectiveRow, StoreError, Tx};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Which data about the time before an `as_of` instant count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Known {
    /// As recorded then: only what had been recorded by the instant (the default).
    #[default]
    Then,
    /// As known now: also check-ins and measurements recorded later about days up to
    /// the instant (late data).
    Now,
}

/// The query parameters of a read as of a past instant.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Read as of this past instant: an RFC 3339 instant (`2026-02-10T12:00:00Z`) or a
    /// date (`2026-02-10`, the end of that day in the workspace's time zone; today
    /// means now). Not in the future, not before the workspace existed.
    pub as_of: Option<String>,
    /// With `as_of`: `then` (default) counts only what was recorded by the instant,
    /// `now` also the check-ins and measurements recorded since about days up to it.
    pub known: Option<Known>,
}

/// A checked instant in the past to read as of, and which data count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    at: Timestamp,
    known: Known,
}

impl AsOf {
    /// The instant.
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// Which data count.
    pub fn known(&self) -> Known {
        self.known
    }

    /// Whether a check-in or measurement recorded at `recorded` about the time `about`
    /// counts as of this instant: recorded by then or, as known now, about a time up to
    /// it.
    pub fn counts(&self, recorded: Timestamp, about: Timestamp) -> bool {
        recorded <= self.at || (self.known == Known::Now && about <= self.at)
    }
}

/// Reads `text` as an instant for `as_of`: an RFC 3339 instant, or a date meaning the
/// end of that day in `time_zone` (today, or a later day that has begun somewhere,
/// meaning `now`). Refused, at `/as_of`, when it cannot be read, is in the future or is
/// before `created` (the workspace's creation).
pub fn parse_as_of(text: &str, time_zone: &str, created: Timestamp, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let at = if let Ok(at) = text.parse::<Timestamp>() {
        at
    } else if let Ok(day) = text.parse::<jiff::civil::Date>() {
        let today = now.to_zoned(zone.clone()).date();
        if day == today {
            now
        } else {
            let next = day.tomorrow().map_err(|_| format!("{text:?} is too far in the future"))?;
            let end = next.to_zoned(zone).map_err(|e| e.to_string())?.timestamp();
            end.checked_sub(jiff::SignedDuration::from_millis(1)).map_err(|e| e.to_string())?
        }
    } else {
        return Err(format!("{text:?} is neither an instant nor a date: write 2026-02-10 or 2026-02-10T12:00:00Z"));
    };
    if at > now {
        return Err(format!("{text:?} is in the future: as_of reads the past, give an instant before now ({now})"));
    }
    if at < created {
        return Err(format!("{text:?} is before the workspace existed (it was created at {created})"));
    }
    Ok(at)
}

/// Checks `query` for the caller's workspace at `now`: `None` for a live read.
pub(crate) async fn check(
    tx: &mut Tx,
    workspace: WorkspaceId,
    query: &AsOfQuery,
    now: Timestamp,
) -> Result<Option<AsOf>, AppError> {
    let Some(text) = query.as_of.as_deref() else {
        if query.known.is_some() {
            return Err(AppError::invalid("/known", "known is read only with as_of"));
        }
        return Ok(None);
    };
    let row = tx
        .workspace(workspace)
        .await?
        .ok_or_else(|| AppError::NotFound { what: "workspace", id: workspace.get().to_string() })?;
    let settings = tx.workspace_settings(workspace).await?;
    let zone = settings.map_or_else(|| "UTC".to_owned(), |s| s.time_zone);
    let at = parse_as_of(text, &zone, from_ms(row.created_at), now).map_err(|e| AppError::invalid("/as_of", e))?;
    Ok(Some(AsOf { at, known: query.known.unwrap_or_default() }))
}

/// What changed since an instant, to read rows back as they were then.
pub(crate) struct Past {
    as_of: AsOf,
    /// Each objective's row (as JSON) before its first change after the instant.
    objectives: HashMap<i64, serde_json::Value>,
    /// Each key result's row (as JSON) before its first change after the instant.
    key_results: HashMap<i64, serde_json::Value>,
}

/// The fields an event's row never changes the view of: what the thing is and where
/// it lives, the value the check-ins decide, and the version and time of the last
/// change, which stay today's (check-ins move a key result's without an event of it,
/// and a write must name the version of today anyway).
const KEPT: [&str; 7] = ["id", "workspace_id", "created_at", "cycle_id", "current_value", "version", "updated_at"];

/// `row` with the fields of `before` (a row as an event recorded it) laid over it: the
/// row as it was before that event. Fields an older event lacks keep today's value; an
/// event that cannot be read leaves the row as it is.
fn overlay<T: Serialize + serde::de::DeserializeOwned>(row: T, before: Option<&serde_json::Value>) -> T {
    let Some(serde_json::Value::Object(before)) = before else {
        return row;
    };
    let Ok(serde_json::Value::Object(mut now)) = serde_json::to_value(&row) else {
        return row;
    };
    for (key, value) in before {
        if now.contains_key(key) && !KEPT.contains(&key.as_str()) && key != "objective_id" {
            now.insert(key.clone(), value.clone());
        }
    }
    serde_json::from_value(serde_json::Value::Object(now)).unwrap_or(row)
}

/// The first recorded "before" of each entity in `events` (oldest first).
fn first_before(events: Vec<milepost_store::EventRow>) -> HashMap<i64, serde_json::Value> {
    let mut out = HashMap::new();
    for event in events {
        if out.contains_key(&event.entity_id) {
            continue;
        }
        if let Some(before) = event.before_json.as_deref().and_then(|j| serde_json::from_str(j).ok()) {
            out.insert(event.entity_id, before);
        }
    }
    out
}

impl Past {
    /// Reads what changed after `as_of`.
    pub async fn load(tx: &mut Tx, workspace: WorkspaceId, as_of: AsOf) -> Result<Past, StoreError> {
        let after = as_of.at.as_millisecond();
        let objectives = first_before(tx.events_since(workspace, "objective", after).await?);
        let key_results = first_before(tx.events_since(workspace, "key_result", after).await?);
        Ok(Past { as_of, objectives, key_results })
    }

    /// The instant, in unix milliseconds.
    fn at_ms(&self) -> i64 {
        self.as_of.at.as_millisecond()
    }

    /// The instant.
    pub fn at(&self) -> Timestamp {
        self.as_of.at
    }

    /// Whether a check-in counts: recorded by the instant or, as known now, about a
    /// time up to it.
    pub fn keeps_check_in(&self, row: &CheckInRow) -> bool {
        row.created_at <= self.at_ms() || (self.as_of.known == Known::Now && row.checked_in_at <= self.at_ms())
    }

    /// Whether a measurement counts, by the same rule.
    fn keeps_measurement(&self, row: &MeasurementRow) -> bool {
        row.recorded_at <= self.at_ms() || (self.as_of.known == Known::Now && row.measured_at <= self.at_ms())
    }

    /// The objective as it was then; `None` when it did not exist yet.
    pub fn objective(&self, row: ObjectiveRow) -> Option<ObjectiveRow> {
        if row.created_at > self.at_ms() {
            return None;
        }
        let before = self.objectives.get(&row.id);
        Some(overlay(row, before))
    }

    /// The key result as it was then; `None` when it did not exist yet. Its current
    /// value is set from the check-ins kept, when the cycle's data is loaded.
    pub fn key_result(&self, row: KeyResultRow) -> Option<KeyResultRow> {
        if row.created_at > self.at_ms() {
            return None;
        }
        let before = self.key_results.get(&row.id);
        Some(overlay(row, before))
    }

    /// The cycle with the state it was in then (its transitions say).
    pub async fn cycle(&self, tx: &mut Tx, workspace: WorkspaceId, mut row: CycleRow) -> Result<CycleRow, StoreError> {
        let transitions = tx.list_cycle_transitions(workspace, row.id).await?;
        let at = self.at_ms();
        if let Some(last) = transitions.iter().rfind(|t| t.at <= at) {
            row.status = last.to_status;
        } else if let Some(first) = transitions.first() {
            row.status = first.from_status;
        }
        Ok(row)
    }

    /// How the cycle (as it was then) was graded then: by the closing that stood at the
    /// instant, else under the workspace's thresholds.
    pub async fn scoring(&self, tx: &mut Tx, workspace: WorkspaceId, cycle: &CycleRow) -> Result<Scoring, StoreError> {
        let at = self.at_ms();
        if cycle.status == CycleStatus::Closed {
            let closings = tx.list_cycle_closings(workspace, cycle.id).await?;
            let standing = closings.iter().rfind(|c| c.closed_at <= at && c.reopened_at.is_none_or(|r| r > at));
            if let Some(closing) = standing {
                let (thresholds, frozen) = read_closing(closing)?;
                return Ok(Scoring { thresholds, frozen: Some(Arc::new(frozen)) });
            }
        }
        Ok(Scoring { thresholds: workspace_thresholds(tx, workspace).await?, frozen: None })
    }

    /// A KPI's values in a cycle as they were known then (one per time, the latest
    /// correction recorded by then), in time order.
    pub async fn kpi_values_in(
        &self,
        tx: &mut Tx,
        workspace: WorkspaceId,
        kpi_id: i64,
        cycle: &CycleRow,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        let period = period_of(cycle);
        let (from, to) = (period.starts_at().as_millisecond(), period.ends_at().as_millisecond() - 1);
        let mut rows: Vec<MeasurementRow> = tx
            .list_measurements(workspace, kpi_id)
            .await?
            .into_iter()
            .filter(|m| (from..=to).contains(&m.measured_at) && self.keeps_measurement(m))
            .collect();
        rows.sort_by_key(|m| (m.measured_at, m.id));
        Ok(milepost_core::health::latest_per_time(rows.into_iter().map(|m| (m.measured_at, m.value)).collect()))
    }
}

impl Past {
    /// The carry-over links of a cycle that existed then: copies made later are left out.
    pub async fn carry_links(
        &self,
        tx: &mut Tx,
        workspace: WorkspaceId,
        cycle_id: i64,
    ) -> Result<crate::carry_link::CarryLinks, StoreError> {
        let mut links = crate::carry_link::CarryLinks::load(tx, workspace, cycle_id).await?;
        for copies in links.objective_to.values_mut() {
            let mut kept = Vec::with_capacity(copies.len());
            for copy in copies.iter() {
                let existed =
                    tx.objective(workspace, copy.objective_id).await?.is_some_and(|o| o.created_at <= self.at_ms());
                if existed {
                    kept.push(*copy);
                }
            }
            *copies = kept;
        }
        links.objective_to.retain(|_, copies| !copies.is_empty());
        Ok(links)
    }
}
