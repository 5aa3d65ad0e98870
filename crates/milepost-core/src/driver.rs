//! Driver trees (issue 20): a KPI may name the KPIs that drive it, and a formula KPI is
//! driven by its inputs. This module holds the two rules over that graph: no cycles
//! ([`find_cycle`]), and which driver explains most of a lagging KPI's change over its
//! last two periods ([`most_change_from_formula`], [`most_change_from_drivers`]).

use crate::formula::Formula;
use crate::health::KpiGoal;
use std::collections::BTreeMap;

/// A cycle that `slug` would close if it were driven by `drivers`, given every other
/// KPI's drivers in `graph` (slug → its drivers and formula inputs): the path from
/// `slug` back to itself, `["revenue", "orders", "revenue"]`.
pub fn find_cycle(graph: &BTreeMap<String, Vec<String>>, slug: &str, drivers: &[String]) -> Option<Vec<String>> {
    // Depth-first from each driver, looking for `slug`; `seen` keeps it linear.
    let mut seen = std::collections::BTreeSet::new();
    let mut stack: Vec<(String, usize)> = Vec::new();
    for driver in drivers {
        let mut path = vec![slug.to_owned()];
        stack.clear();
        stack.push((driver.clone(), 0));
        while let Some((node, depth)) = stack.pop() {
            path.truncate(depth + 1);
            path.push(node.clone());
            if node == slug {
                return Some(path);
            }
            if !seen.insert(node.clone()) {
                continue;
            }
            for next in graph.get(&node).into_iter().flatten() {
                stack.push((next.clone(), depth + 1));
            }
        }
    }
    None
}

/// Writes a cycle as people read it: `revenue → orders → revenue`.
pub fn describe_cycle(cycle: &[String]) -> String {
    cycle.join(" → ")
}

/// Through a formula: the input whose own change, with every other input held at its
/// earlier value, moves the formula most in the direction it moved. `None` when the
/// formula did not move or no input explains any of it.
pub fn most_change_from_formula(
    formula: &Formula,
    before: &dyn Fn(&str) -> Option<f64>,
    after: &dyn Fn(&str) -> Option<f64>,
) -> Option<(String, f64)> {
    let total = formula.evaluate(after).ok()? - formula.evaluate(before).ok()?;
    if total == 0.0 {
        return None;
    }
    formula
        .effects(before, after)
        .into_iter()
        .filter(|(_, effect)| effect.signum() == total.signum() && *effect != 0.0)
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
}

/// How far a driver moved in its own bad direction from `before` to `after`, relative
/// to where it was: its miss of its goal grew by this share of `|before|` (of 1 when
/// `before` is 0). Positive is worse.
pub fn worsening(goal: &KpiGoal, before: f64, after: f64) -> f64 {
    let scale = if before == 0.0 { 1.0 } else { before.abs() };
    (goal.miss(after) - goal.miss(before)) / scale
}

/// Without a formula: the driver that worsened most relative to itself ([`worsening`]),
/// from `(slug, goal, before, after)`; `None` when none worsened.
pub fn most_change_from_drivers(drivers: &[(String, KpiGoal, f64, f64)]) -> Option<(String, f64)> {
    drivers
        .iter()
        .map(|(slug, goal, before, after)| (slug.clone(), worsening(goal, *before, *after)))
        .filter(|(_, worse)| worse.is_finite() && *worse > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::KpiDirection;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        edges.iter().map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_cycle_is_found_and_named() {
        let g = graph(&[("orders", &["visits"]), ("visits", &["revenue"]), ("aov", &[])]);
        let cycle = find_cycle(&g, "revenue", &strings(&["aov", "orders"])).unwrap();
        assert_eq!(describe_cycle(&cycle), "revenue → orders → visits → revenue");
        assert_eq!(find_cycle(&g, "revenue", &strings(&["revenue"])).unwrap(), strings(&["revenue", "revenue"]));
        assert_eq!(find_cycle(&g, "margin", &strings(&["orders", "aov"])), None);
        let diamond = graph(&[("a", &["c"]), ("b", &["c"]), ("c", &[])]);
        assert_eq!(find_cycle(&diamond, "top", &strings(&["a", "b"])), None, "shared drivers are no cycle");
    }

    #[test]
    fn most_of_a_formulas_change_comes_from_the_input_that_moved_it() {
        let formula = Formula::parse("orders * aov").unwrap();
        let before = |s: &str| Some(if s == "orders" { 100.0 } else { 50.0 });
        let after = |s: &str| Some(if s == "orders" { 80.0 } else { 51.0 });
        assert_eq!(most_change_from_formula(&formula, &before, &after), Some(("orders".into(), -1000.0)));
        assert_eq!(most_change_from_formula(&formula, &before, &before), None);
    }

    #[test]
    fn without_a_formula_the_driver_that_worsened_most_relative_to_itself_explains() {
        let up = KpiGoal::try_new(KpiDirection::HigherIsBetter, Some(100.0), None, 0.0).unwrap();
        let down = KpiGoal::try_new(KpiDirection::LowerIsBetter, Some(200.0), None, 0.0).unwrap();
        let drivers = vec![
            ("visits".to_owned(), up, 90.0, 80.0),      // miss 10 → 20: +10/90
            ("latency".to_owned(), down, 250.0, 400.0), // miss 50 → 200: +150/250
            ("nps".to_owned(), up, 50.0, 60.0),         // better
        ];
        assert_eq!(most_change_from_drivers(&drivers).map(|d| d.0), Some("latency".to_owned()));
        assert_eq!(most_change_from_drivers(&drivers[2..]), None);
    }
}
