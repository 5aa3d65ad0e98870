//! The driver tree on a KPI's page (issue 20): the KPI, the KPIs that drive it and
//! theirs, each with its value, goal and health badge, and for a lagging or red KPI the
//! driver that explains most of its change. It reads `app.kpis().tree`, the function
//! behind `/api/v1/kpis/{id}/tree`, and is drawn by `templates/kpi_tree.html`.

use super::kpi::health_badge;
use super::view::{Badge, value};
use milepost_app::kpi::{KpiTree, KpiTreeRelation};
use milepost_core::KpiDirection;

/// One line of the tree as the page draws it.
pub struct TreeLine {
    pub id: i64,
    pub name: String,
    /// 0 for the KPI itself; the CSS class `tree-depth-N` indents it.
    pub depth: u32,
    /// "input", "driver" or empty for the root.
    pub relation: &'static str,
    pub value: String,
    pub goal: String,
    pub badge: Badge,
    pub lagging: bool,
    pub formula: Option<String>,
    pub repeated: bool,
    /// The name and id of the driver that explains most of its change.
    pub explained_by: Option<(String, i64)>,
}

/// The tree, or `None` when the KPI has no drivers.
pub fn lines(tree: &KpiTree) -> Option<Vec<TreeLine>> {
    if tree.nodes.len() < 2 {
        return None;
    }
    let named = |slug: &str| tree.nodes.iter().find(|n| n.slug == slug).map(|n| (n.name.clone(), n.id));
    Some(
        tree.nodes
            .iter()
            .map(|node| {
                let unit = node.unit.as_deref();
                let goal = match (node.direction, node.target, node.range) {
                    (KpiDirection::WithinRange, _, Some([low, high])) => {
                        format!("{} – {}", value(Some(low), unit), value(Some(high), unit))
                    }
                    (KpiDirection::LowerIsBetter, target, _) => format!("≤ {}", value(target, unit)),
                    (_, target, _) => format!("≥ {}", value(target, unit)),
                };
                TreeLine {
                    id: node.id,
                    name: node.name.clone(),
                    depth: node.depth.min(6),
                    relation: match node.relation {
                        KpiTreeRelation::Root => "",
                        KpiTreeRelation::Input => "input",
                        KpiTreeRelation::Driver => "driver",
                    },
                    value: value(node.state.last_value, unit),
                    goal,
                    badge: health_badge(node.state.health),
                    lagging: node.state.lagging,
                    formula: node.formula.clone(),
                    repeated: node.repeated,
                    explained_by: node.explained_by.as_deref().and_then(named),
                }
            })
            .collect(),
    )
}
