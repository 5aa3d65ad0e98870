//! Carry-over links: an objective (and each of its key results) copied into a later
//! cycle points at its origin (`objectives.carried_from_objective_id`,
//! `key_results.carried_from_key_result_id`). An origin is carried into a cycle at most
//! once, so carrying again finds the existing copy.

use crate::Result;
use milepost_core::WorkspaceId;

/// An objective that is a copy of another, with the cycle it lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarryLink {
    /// The copy.
    pub objective_id: i64,
    /// The copy's cycle.
    pub cycle_id: i64,
    /// The objective it was carried from.
    pub carried_from_objective_id: i64,
}

/// What a transaction can do with carry-over links; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait CarryStore: Send {
    /// The copy of objective `origin` in cycle `cycle_id`, if it was carried there.
    async fn carried_copy(&mut self, workspace: WorkspaceId, origin: i64, cycle_id: i64) -> Result<Option<i64>>;

    /// Marks objective `id` as carried from `origin`.
    async fn set_objective_carried_from(&mut self, workspace: WorkspaceId, id: i64, origin: i64) -> Result<()>;

    /// Marks key result `id` as carried from `origin`.
    async fn set_key_result_carried_from(&mut self, workspace: WorkspaceId, id: i64, origin: i64) -> Result<()>;

    /// The carry links that touch cycle `cycle_id`: its objectives that are copies, and
    /// the copies (in any cycle) of its objectives, in id order. Found through the
    /// `objectives_carried_once` index, never by a scan of other cycles.
    async fn carry_links_of_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<CarryLink>>;

    /// The key results of cycle `cycle_id`'s objectives that are copies: (copy, origin),
    /// in id order.
    async fn key_result_links_of_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<(i64, i64)>>;

    /// Of these key results, those that are copies: (copy, origin), in id order.
    async fn key_result_origins(&mut self, workspace: WorkspaceId, key_result_ids: &[i64]) -> Result<Vec<(i64, i64)>>;
}
