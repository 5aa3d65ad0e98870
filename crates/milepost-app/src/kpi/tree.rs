//! A KPI's driver tree (issue 20): the KPI, the KPIs that drive it (its formula's
//! inputs, then its named drivers), theirs, and so on, each with its health now; and for
//! a lagging or red KPI, the driver that explains most of its change over its last two
//! periods (docs/kpis.md):
//!
//! - through a formula: each input's change alone (the others held at their earlier
//!   values) is put through the formula; the input whose effect moves the KPI most in
//!   the direction it moved explains it;
//! - with named drivers only: the driver whose own value moved furthest in its own bad
//!   direction, relative to where it was, explains it.
//!
//! The last two periods are the period of the KPI's latest value and the one before,
//! in the KPI's own cadence; each KPI's value in a period is its last one there.

use super::formula::{children_of, formula_of};
use super::{KpiState, Kpis, board, goal_of, not_found};
use crate::Caller;
use crate::error::AppError;
use jiff::{SignedDuration, Timestamp};
use milepost_core::driver::{most_change_from_drivers, most_change_from_formula};
use milepost_core::formula::period::{last_in_period, next_period_start};
use milepost_core::health::{Point, latest_per_time, period_start};
use milepost_core::{KpiDirection, KpiHealth, KpiId, WorkspaceId};
use milepost_store::{KpiRow, Tx};
use serde::Serialize;
use std::collections::BTreeMap;

/// How deep a tree is drawn.
pub const TREE_DEPTH_MAX: u32 = 6;
/// The most nodes a tree shows.
pub const TREE_NODES_MAX: usize = 200;

/// How a node hangs from its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KpiTreeRelation {
    /// The KPI the tree is of.
    Root,
    /// An input of its parent's formula.
    Input,
    /// Named as a driver of its parent.
    Driver,
}

/// One KPI in a driver tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiTreeNode {
    /// The KPI's id.
    pub id: i64,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: Option<String>,
    /// Which way it is good.
    pub direction: KpiDirection,
    /// Its target.
    pub target: Option<f64>,
    /// Its good band `[low, high]`.
    pub range: Option<[f64; 2]>,
    /// Its formula, if it is a formula KPI.
    pub formula: Option<String>,
    /// 0 for the root, 1 for its drivers, and so on.
    pub depth: u32,
    /// How it hangs from the node above it.
    pub relation: KpiTreeRelation,
    /// The id of the node above it (`null` for the root).
    pub parent_id: Option<i64>,
    /// Health, trend, lagging and latest value now.
    pub state: KpiState,
    /// Already drawn higher in the tree: its own drivers are not repeated here.
    pub repeated: bool,
    /// For a lagging or red KPI: the slug of the driver that explains most of its
    /// change over its last two periods.
    pub explained_by: Option<String>,
}

/// A KPI's driver tree, depth first: each node is followed by the nodes under it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiTree {
    /// The KPI the tree is of.
    pub kpi_id: i64,
    /// The time the tree was computed for.
    pub as_of: Timestamp,
    /// The nodes, the root first.
    pub nodes: Vec<KpiTreeNode>,
    /// Whether nodes were left out (deeper than 6 levels or more than 200 nodes).
    pub truncated: bool,
}

/// A KPI's values from the start of the period before its latest value's to now.
async fn last_two_periods(
    tx: &mut Tx,
    row: &KpiRow,
    now: Timestamp,
) -> Result<Option<(Timestamp, Timestamp)>, AppError> {
    let Some(latest) = tx.latest_measurement(WorkspaceId(row.workspace_id), row.id, now.as_millisecond()).await? else {
        return Ok(None);
    };
    let current = period_start(row.cadence, crate::time::from_ms(latest.measured_at));
    let previous = period_start(row.cadence, current.checked_sub(SignedDuration::from_millis(1)).unwrap_or(current));
    Ok(Some((previous, current)))
}

async fn series(tx: &mut Tx, row: &KpiRow, from: Timestamp, to: Timestamp) -> Result<Vec<Point>, AppError> {
    let values = tx
        .measurement_values(WorkspaceId(row.workspace_id), row.id, from.as_millisecond(), to.as_millisecond() - 1)
        .await?;
    Ok(latest_per_time(values).into_iter().map(|(at, v)| (crate::time::from_ms(at), v)).collect())
}

/// The slug of the child that explains most of `row`'s change over its last two periods.
async fn explain(tx: &mut Tx, row: &KpiRow, children: &[&KpiRow], now: Timestamp) -> Result<Option<String>, AppError> {
    let Some((previous, current)) = last_two_periods(tx, row, now).await? else { return Ok(None) };
    let end = next_period_start(row.cadence, current);
    let mut values: BTreeMap<String, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for child in children {
        let points = series(tx, child, previous, end).await?;
        let before = last_in_period(&points, row.cadence, previous);
        let after = last_in_period(&points, row.cadence, current);
        values.insert(child.slug.clone(), (before, after));
    }
    if let Some(formula) = formula_of(row) {
        let before = |slug: &str| values.get(slug).and_then(|v| v.0);
        let after = |slug: &str| values.get(slug).and_then(|v| v.1);
        return Ok(most_change_from_formula(&formula, &before, &after).map(|found| found.0));
    }
    let drivers: Vec<_> = children
        .iter()
        .filter_map(|child| {
            let (before, after) = values.get(&child.slug)?;
            Some((child.slug.clone(), goal_of(child)?, (*before)?, (*after)?))
        })
        .collect();
    Ok(most_change_from_drivers(&drivers).map(|found| found.0))
}

impl Kpis<'_> {
    /// A KPI's driver tree with each node's health now (see the module's rules).
    pub async fn tree(self, caller: &Caller, id: KpiId) -> Result<KpiTree, AppError> {
        let id = id.get();
        let now = self.app.now();
        let mut tx = self.app.store().read().await?;
        let rows = tx.list_kpis(caller.workspace).await?;
        let root = rows.iter().find(|row| row.id == id).cloned().ok_or_else(|| not_found(id))?;
        let by_slug: BTreeMap<String, KpiRow> = rows.into_iter().map(|row| (row.slug.clone(), row)).collect();
        let mut nodes = Vec::new();
        let mut truncated = false;
        let mut drawn = std::collections::BTreeSet::new();
        // Depth first: (row, depth, relation, parent).
        let mut stack = vec![(root, 0u32, KpiTreeRelation::Root, None)];
        while let Some((row, depth, relation, parent_id)) = stack.pop() {
            if nodes.len() >= TREE_NODES_MAX {
                truncated = true;
                break;
            }
            let repeated = !drawn.insert(row.id);
            let state = board::state(&mut tx, &row, now).await?;
            let children: Vec<&KpiRow> =
                if repeated { Vec::new() } else { children_of(&row).iter().filter_map(|s| by_slug.get(s)).collect() };
            let explained_by = if !children.is_empty() && (state.lagging || state.health == KpiHealth::Red) {
                explain(&mut tx, &row, &children, now).await?
            } else {
                None
            };
            if depth >= TREE_DEPTH_MAX && !children.is_empty() {
                truncated = true;
            } else {
                let inputs = formula_of(&row).map(|f| f.inputs().into_iter().map(str::to_owned).collect::<Vec<_>>());
                for child in children.iter().rev() {
                    let is_input = inputs.as_ref().is_some_and(|i| i.contains(&child.slug));
                    let relation = if is_input { KpiTreeRelation::Input } else { KpiTreeRelation::Driver };
                    stack.push(((*child).clone(), depth + 1, relation, Some(row.id)));
                }
            }
            nodes.push(KpiTreeNode {
                id: row.id,
                range: row.range_low.zip(row.range_high).map(|(low, high)| [low, high]),
                slug: row.slug,
                name: row.name,
                unit: row.unit,
                direction: row.direction,
                target: row.target,
                formula: row.formula,
                depth,
                relation,
                parent_id,
                state,
                repeated,
                explained_by,
            });
        }
        Ok(KpiTree { kpi_id: id, as_of: now, nodes, truncated })
    }
}
