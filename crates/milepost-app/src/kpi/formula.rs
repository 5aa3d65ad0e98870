//! Formula KPIs and driver trees (issue 20; docs/kpis.md).
//!
//! A formula KPI (`revenue = orders * average-order-value`) takes no measurements of its
//! own and no source: for each period of its own cadence, each input's last value in
//! that period goes through the formula ([`milepost_core::formula::period`]) and the
//! result is stored as its measurement (source `formula`), stamped at the period's
//! start. When an input's measurements are recorded or corrected, the formula KPIs that
//! read it (and those that read them) compute the touched periods again, in the same
//! transaction; a changed value is written as a correction, a new row, never over the
//! old one. A period in which an input has no value, or the formula divides by zero,
//! gets no new value.
//!
//! A KPI may also name the KPIs that drive it; a formula's inputs drive it without
//! being named. Cycles among drivers and formulas are refused, naming the cycle.

use super::feed;
use crate::Caller;
use crate::access::record;
use crate::error::{AppError, Path, Problems};
use jiff::Timestamp;
use milepost_core::driver::{describe_cycle, find_cycle};
use milepost_core::formula::period::{next_period_start, periods_of, value_in_period};
use milepost_core::formula::{Formula, Unit};
use milepost_core::health::{Point, latest_per_time};
use milepost_core::{Slug, WorkspaceId};
use milepost_store::{KpiRow, NewMeasurement, Tx};
use std::collections::BTreeMap;

/// The most drivers a KPI may name.
pub const DRIVERS_MAX: usize = 20;
/// The stored source of a formula KPI's values.
pub const FORMULA_SOURCE: &str = "formula";
/// How many formula KPIs deep a recomputation follows (cycles are refused; this only
/// bounds the work).
const DEPTH_MAX: usize = 16;

/// A stored KPI's formula, if it has one that reads.
pub(crate) fn formula_of(row: &KpiRow) -> Option<Formula> {
    row.formula.as_deref().and_then(|text| Formula::parse(text).ok())
}

/// A stored KPI's named drivers.
pub(crate) fn drivers_of(row: &KpiRow) -> Vec<String> {
    serde_json::from_str(&row.drivers).unwrap_or_default()
}

/// What drives a stored KPI: its formula's inputs, then its named drivers, each once.
pub(crate) fn children_of(row: &KpiRow) -> Vec<String> {
    let mut out: Vec<String> =
        formula_of(row).map(|f| f.inputs().into_iter().map(str::to_owned).collect()).unwrap_or_default();
    for driver in drivers_of(row) {
        if !out.contains(&driver) {
            out.push(driver);
        }
    }
    out
}

/// A formula and drivers as a request gives them.
pub(crate) struct Links<'a> {
    /// The KPI's slug after the change.
    pub slug: &'a str,
    /// The KPI's id, for a change (`None` when creating).
    pub id: Option<i64>,
    /// The slug before the change, for a change.
    pub old_slug: Option<&'a str>,
    /// The formula, if any.
    pub formula: Option<&'a str>,
    /// The named drivers.
    pub drivers: &'a [String],
    /// Whether it has a pull source.
    pub has_source: bool,
}

/// The checked formula (trimmed) and the drivers as stored JSON.
pub(crate) struct CheckedLinks {
    pub formula: Option<String>,
    pub drivers: String,
    /// The unit the formula gives, for a KPI whose unit was left out.
    pub unit: Option<String>,
}

/// Checks a formula and drivers against the workspace's KPIs: the formula reads, its
/// names are KPIs, its units mix and fit the KPI's `unit`, the drivers exist, and no
/// cycle forms. Every problem is noted.
pub(crate) async fn check_links(
    tx: &mut Tx,
    workspace: WorkspaceId,
    problems: &mut Problems,
    links: Links<'_>,
    unit: Option<&str>,
) -> Result<CheckedLinks, AppError> {
    let others: Vec<KpiRow> =
        tx.list_kpis(workspace).await?.into_iter().filter(|row| Some(row.id) != links.id).collect();
    let by_slug: BTreeMap<&str, &KpiRow> = others.iter().map(|row| (row.slug.as_str(), row)).collect();
    let mut checked = CheckedLinks { formula: None, drivers: "[]".to_owned(), unit: None };
    let mut children: Vec<String> = Vec::new();
    // Parsed as written, so that columns count from what the person typed.
    let formula = links.formula.filter(|text| !text.trim().is_empty());
    if let Some(text) = formula {
        match Formula::parse(text) {
            Err(error) => problems.push("/formula", error),
            Ok(formula) => {
                let mut known = true;
                for input in formula.inputs() {
                    if input == links.slug {
                        continue; // a cycle, said below
                    }
                    if !by_slug.contains_key(input) {
                        known = false;
                        problems.push(
                            "/formula",
                            format!("column {}: there is no KPI {input:?} in this workspace", formula.column_of(input)),
                        );
                    }
                }
                if known {
                    let unit_of = |slug: &str| Unit::of(by_slug.get(slug).and_then(|row| row.unit.as_deref()));
                    match formula.unit(&unit_of) {
                        Err(error) => problems.push("/formula", error),
                        Ok(result) => match unit {
                            None if !result.is_plain() => checked.unit = Some(result.to_string()),
                            None => {}
                            Some(declared) if !result.fits(&Unit::of(Some(declared))) => problems.push(
                                "/unit",
                                format!(
                                    "the formula gives {result}, not {declared}: set the unit to {} or change the formula",
                                    if result.is_plain() { "none".to_owned() } else { result.to_string() }
                                ),
                            ),
                            Some(_) => {}
                        },
                    }
                }
                if links.has_source {
                    problems.push("/source", "a formula KPI is computed from its inputs: it takes no source");
                }
                children.extend(formula.inputs().into_iter().map(str::to_owned));
                checked.formula = Some(formula.as_str().to_owned());
            }
        }
    }
    if links.drivers.len() > DRIVERS_MAX {
        problems.push("/drivers", format!("at most {DRIVERS_MAX} drivers"));
    }
    let mut drivers: Vec<String> = Vec::new();
    for (index, driver) in links.drivers.iter().enumerate() {
        let at = Path::root().field("drivers").index(index);
        let Ok(slug) = Slug::parse(driver) else {
            problems.push(at, format!("{driver:?} is not a KPI's slug"));
            continue;
        };
        let slug = slug.as_str().to_owned();
        if drivers.contains(&slug) {
            problems.push(at, format!("{slug} is listed twice"));
        } else if slug != links.slug && !by_slug.contains_key(slug.as_str()) {
            problems.push(at, format!("there is no KPI {slug:?} in this workspace"));
        } else {
            if !children.contains(&slug) {
                children.push(slug.clone());
            }
            drivers.push(slug);
        }
    }
    checked.drivers = serde_json::to_string(&drivers).unwrap_or_else(|_| "[]".to_owned());
    // Every other KPI's children, with this one's old slug read as its new one.
    let rename = |slug: String| if Some(slug.as_str()) == links.old_slug { links.slug.to_owned() } else { slug };
    let graph: BTreeMap<String, Vec<String>> =
        others.iter().map(|row| (row.slug.clone(), children_of(row).into_iter().map(rename).collect())).collect();
    if let Some(cycle) = find_cycle(&graph, links.slug, &children) {
        let at = if formula.is_some()
            && checked
                .formula
                .as_deref()
                .is_some_and(|f| Formula::parse(f).is_ok_and(|f| f.inputs().contains(&cycle[1].as_str())))
        {
            "/formula"
        } else {
            "/drivers"
        };
        problems.push(at, format!("{}: a KPI cannot drive itself, even through others", describe_cycle(&cycle)));
    }
    // A renamed KPI would leave the formulas and drivers that name it behind.
    if let Some(old) = links.old_slug.filter(|old| *old != links.slug) {
        let users: Vec<&str> = others
            .iter()
            .filter(|row| children_of(row).iter().any(|child| child == old))
            .map(|row| row.slug.as_str())
            .collect();
        if !users.is_empty() {
            problems.push(
                "/slug",
                format!("{old} is named by {}: change their formula or drivers first", users.join(", ")),
            );
        }
    }
    Ok(checked)
}

/// Each input's values over `[from, to)`, one per time.
async fn input_series(
    tx: &mut Tx,
    workspace: WorkspaceId,
    by_slug: &BTreeMap<String, KpiRow>,
    formula: &Formula,
    from: i64,
    to: i64,
) -> Result<BTreeMap<String, Vec<Point>>, AppError> {
    let mut series = BTreeMap::new();
    for input in formula.inputs() {
        let Some(row) = by_slug.get(input) else { continue };
        let values = latest_per_time(tx.measurement_values(workspace, row.id, from, to.saturating_sub(1)).await?);
        series.insert(input.to_owned(), values.into_iter().map(|(at, v)| (crate::time::from_ms(at), v)).collect());
    }
    Ok(series)
}

/// Computes `kpi`'s values again in the periods that hold `times` (all its history when
/// `times` is `None`), writes those that changed as new rows, feeds its key results, and
/// follows on to the formula KPIs that read it. Returns how many rows it wrote.
pub(crate) async fn recompute(
    tx: &mut Tx,
    caller: &Caller,
    kpi: &KpiRow,
    times: Option<&[Timestamp]>,
    now: Timestamp,
) -> Result<u64, AppError> {
    let rows = tx.list_kpis(caller.workspace).await?;
    let by_slug: BTreeMap<String, KpiRow> = rows.into_iter().map(|row| (row.slug.clone(), row)).collect();
    let mut written = 0;
    // (formula KPI, the times to compute again, depth).
    let mut queue: Vec<(KpiRow, Option<Vec<Timestamp>>, usize)> = Vec::new();
    if formula_of(kpi).is_some() {
        queue.push((kpi.clone(), times.map(<[Timestamp]>::to_vec), 0));
    } else if let Some(times) = times {
        queue.extend(readers(&by_slug, &kpi.slug).map(|row| (row.clone(), Some(times.to_vec()), 1)));
    }
    while let Some((target, times, depth)) = queue.pop() {
        if depth > DEPTH_MAX || target.archived {
            continue;
        }
        let Some(formula) = formula_of(&target) else { continue };
        let starts = match times {
            Some(times) => periods_of(target.cadence, times),
            None => {
                // Every period in which an input has a value.
                let mut all = Vec::new();
                for input in formula.inputs() {
                    let Some(row) = by_slug.get(input) else { continue };
                    let values =
                        tx.measurement_values(caller.workspace, row.id, i64::MIN, now.as_millisecond()).await?;
                    all.extend(values.into_iter().map(|(at, _)| crate::time::from_ms(at)));
                }
                periods_of(target.cadence, all)
            }
        };
        let (Some(first), Some(last)) = (starts.first(), starts.last()) else { continue };
        let end = next_period_start(target.cadence, *last).as_millisecond();
        let inputs = input_series(tx, caller.workspace, &by_slug, &formula, first.as_millisecond(), end).await?;
        let existing: BTreeMap<i64, f64> = latest_per_time(
            tx.measurement_values(caller.workspace, target.id, first.as_millisecond(), end.saturating_sub(1)).await?,
        )
        .into_iter()
        .collect();
        let fresh: Vec<(Timestamp, f64)> = starts
            .iter()
            .filter(|start| **start <= now)
            .filter_map(|start| {
                let value = value_in_period(&formula, target.cadence, *start, &inputs).ok()?;
                (existing.get(&start.as_millisecond()) != Some(&value)).then_some((*start, value))
            })
            .collect();
        if fresh.is_empty() {
            continue;
        }
        let rows: Vec<NewMeasurement<'_>> = fresh
            .iter()
            .map(|(at, value)| NewMeasurement {
                value: *value,
                measured_at: at.as_millisecond(),
                source: FORMULA_SOURCE,
            })
            .collect();
        tx.insert_measurements(caller.workspace, target.id, &rows, now.as_millisecond()).await?;
        written += rows.len() as u64;
        let summary = serde_json::json!({
            "source": FORMULA_SOURCE,
            "formula": formula.as_str(),
            "written": rows.len(),
            "first_measured_at": fresh.first().map(|p| p.0),
            "last_measured_at": fresh.last().map(|p| p.0),
        });
        record(tx, caller, "recompute_formula", "kpi", target.id, None::<&()>, Some(&summary), now.as_millisecond())
            .await?;
        feed::feed_key_results(tx, caller, &target, &fresh, now).await?;
        let times: Vec<Timestamp> = fresh.iter().map(|p| p.0).collect();
        queue.extend(readers(&by_slug, &target.slug).map(|row| (row.clone(), Some(times.clone()), depth + 1)));
    }
    Ok(written)
}

/// The formula KPIs whose formula reads `slug`.
fn readers<'a>(by_slug: &'a BTreeMap<String, KpiRow>, slug: &'a str) -> impl Iterator<Item = &'a KpiRow> + 'a {
    by_slug.values().filter(move |row| formula_of(row).is_some_and(|f| f.inputs().contains(&slug)))
}
