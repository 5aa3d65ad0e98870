//! Where an objective or key result was carried from, and where to: the carry-over
//! links of one cycle as the read model keeps them (loaded with the cycle, in two
//! indexed queries), so that a view shows its origin and its copies without a scan of
//! other cycles.

use milepost_core::WorkspaceId;
use milepost_store::{StoreError, Tx};
use serde::Serialize;
use std::collections::HashMap;

/// A copy of an objective, in a later cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CarriedTo {
    /// The copy.
    pub objective_id: i64,
    /// The copy's cycle.
    pub cycle_id: i64,
}

/// The carry-over links that touch one cycle.
#[derive(Debug, Clone, Default)]
pub(crate) struct CarryLinks {
    /// Each objective of the cycle that is a copy: its origin.
    pub objective_from: HashMap<i64, i64>,
    /// Each objective of the cycle that was carried: its copies, in id order.
    pub objective_to: HashMap<i64, Vec<CarriedTo>>,
    /// Each key result of the cycle that is a copy: its origin.
    pub key_result_from: HashMap<i64, i64>,
}

impl CarryLinks {
    /// Reads the links of cycle `cycle_id`.
    pub async fn load(tx: &mut Tx, workspace: WorkspaceId, cycle_id: i64) -> Result<CarryLinks, StoreError> {
        let mut links = CarryLinks::default();
        for link in tx.carry_links_of_cycle(workspace, cycle_id).await? {
            // An objective is never carried into its own cycle: a link in this cycle is
            // a copy that lives here, any other the copy of one of its objectives.
            if link.cycle_id == cycle_id {
                links.objective_from.insert(link.objective_id, link.carried_from_objective_id);
            } else {
                links
                    .objective_to
                    .entry(link.carried_from_objective_id)
                    .or_default()
                    .push(CarriedTo { objective_id: link.objective_id, cycle_id: link.cycle_id });
            }
        }
        links.key_result_from = tx.key_result_links_of_cycle(workspace, cycle_id).await?.into_iter().collect();
        Ok(links)
    }

    /// The copies of objective `id`.
    pub fn copies_of(&self, id: i64) -> Vec<CarriedTo> {
        self.objective_to.get(&id).cloned().unwrap_or_default()
    }
}
