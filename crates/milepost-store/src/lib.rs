//! What Milepost's use cases need from storage, with no database code: the records as
//! stored, the operations a transaction offers ([`Transaction`], one trait per aggregate)
//! and what can go wrong ([`StoreError`]). The SQL implementation on SQLite or PostgreSQL
//! is the `milepost-sql` crate; the use cases see only this crate, so they compile and
//! read without a database library.
//!
//! Every operation takes the workspace id first and every implementation filters on it,
//! so no code path can read or write across tenants. Updates match the row's `version`
//! and report a stale one as [`StoreError::Conflict`]. All work happens inside a
//! transaction, so a use case either writes everything or nothing.

pub mod access;
pub mod bulk;
pub mod carry;
pub mod check_in;
pub mod comment;
pub mod cycle;
#[cfg(feature = "sqlx")]
mod decode;
mod error;
pub mod initiative;
pub mod key_result;
pub mod kpi;
pub mod objective;
pub mod person;
pub mod reminder;
pub mod review;
#[cfg(feature = "route")]
pub mod route;
pub mod search;
pub mod team;
pub mod webhook;
pub mod workspace;

pub use access::{AccessStore, EventFilter, EventRow, InvitationRow, NewEvent, NewToken, SessionRow, TokenRow};
pub use bulk::{Batch, BulkLoad, BulkStorage, InitiativeKeyResultRow, NextIds};
pub use carry::{CarryLink, CarryStore};
pub use check_in::{CheckInRow, CheckInStore, GoalChangeRow, NewCheckIn};
pub use comment::{CommentNotice, CommentRow, CommentStore, NewComment};
pub use cycle::{
    CycleClosingRow, CycleFields, CycleFilter, CycleRow, CycleStore, CycleTransitionRow, NewCycleClosing,
    NewCycleTransition,
};
pub use error::{Result, StoreError, Unique};
pub use initiative::{InitiativeFields, InitiativeFilter, InitiativeRow, InitiativeStore};
pub use key_result::{KeyResultFields, KeyResultFilter, KeyResultRow, KeyResultStore};
pub use kpi::{KpiFields, KpiFilter, KpiRow, KpiStore, MeasurementRow, NewMeasurement};
pub use objective::{ObjectiveFields, ObjectiveFilter, ObjectiveRow, ObjectiveStore};
pub use person::{PersonFields, PersonFilter, PersonRow, PersonStore};
pub use reminder::{CalendarFeedRow, ReminderRow, ReminderStore};
pub use review::{CarriedRow, RetrospectiveFields, RetrospectiveRow, ReviewStore};
pub use search::{SearchHitRow, SearchRequest, SearchStore};
pub use team::{TeamFields, TeamFilter, TeamRow, TeamStore};
pub use webhook::{AttemptOutcome, AttemptRow, DeliveryRow, NewDelivery, WebhookFields, WebhookRow, WebhookStore};
pub use workspace::{Change, ChangeRow, ScoringRow, WorkspaceRow, WorkspaceSettingsRow, WorkspaceStore};

use milepost_core::WorkspaceId;
use std::sync::Arc;

/// Keyset pagination: rows with an id above `after`, at most `limit` of them.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Only rows whose id is greater than this.
    pub after: Option<i64>,
    /// At most this many rows.
    pub limit: i64,
}

impl Page {
    /// Every row (for small, bounded lists such as a workspace's cycles).
    pub const ALL: Page = Page { after: None, limit: i64::MAX };
}

/// Which SQL dialect a database speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// One transaction: every operation of every aggregate, then [`Transaction::commit`].
/// Dropped without a commit, it rolls back. The use cases hold it as a [`Tx`].
#[async_trait::async_trait]
pub trait Transaction:
    AccessStore
    + CarryStore
    + CheckInStore
    + CommentStore
    + CycleStore
    + InitiativeStore
    + KeyResultStore
    + KpiStore
    + ObjectiveStore
    + PersonStore
    + ReminderStore
    + ReviewStore
    + SearchStore
    + TeamStore
    + WebhookStore
    + WorkspaceStore
{
    /// Makes the transaction's writes durable. Only after this returns may a caller
    /// tell anyone that the change happened.
    async fn commit(self: Box<Self>) -> Result<()>;

    /// Whether a row with that id exists in that workspace, archived or not.
    async fn exists(&mut self, table: &'static str, workspace: WorkspaceId, id: i64) -> Result<bool>;

    /// Records that this transaction changes `change` in `workspace`: at
    /// [`Transaction::commit`], just before the commit itself, the workspace's
    /// generation goes up by one and the change is written beside it, so that every
    /// server's read model sees it on its next read. Several calls add up.
    fn changes(&mut self, workspace: WorkspaceId, change: Change);
}

/// A transaction as the use cases hold it.
pub type Tx = Box<dyn Transaction>;

/// A database: where transactions begin. Cheap to clone as a [`Database`] handle.
#[async_trait::async_trait]
pub trait Storage: Send + Sync + std::fmt::Debug {
    /// Begins a transaction that will write. Writers may queue for their turn (SQLite
    /// has one writer at a time); hold it only for the writes and build answers after
    /// the commit, in a [`Storage::read`].
    async fn write(&self) -> Result<Tx>;

    /// Begins a transaction that only reads, so a page sees one consistent state.
    async fn read(&self) -> Result<Tx>;

    /// Checks that the database answers, for readiness probes.
    async fn ping(&self) -> Result<()>;

    /// Brings the schema up to date; safe at every start and from several servers.
    async fn migrate(&self) -> Result<()>;

    /// Closes every connection, waiting for work in flight.
    async fn close(&self);

    /// Which dialect the database speaks.
    fn dialect(&self) -> Dialect;

    /// Begins a read on the primary whatever the request's route ([`route`]): for
    /// what must never lag, such as who a token or a session cookie stands for (a token
    /// made a moment ago works at once; a revoked one stops at once).
    async fn read_primary(&self) -> Result<Tx> {
        self.read().await
    }

    /// The connection pools' numbers, for `/metrics`: the primary's, and the read
    /// replica's when there is one.
    fn pool_stats(&self) -> Vec<PoolStats> {
        Vec::new()
    }
}

/// One connection pool's numbers at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// `primary` or `replica`.
    pub pool: &'static str,
    /// Connections open now.
    pub size: u32,
    /// Of those, waiting for work.
    pub idle: u32,
    /// The most it opens.
    pub max: u32,
    /// Read transactions begun on it since the start.
    pub reads: u64,
    /// Reads routed to the replica that went to the primary instead: the replica had
    /// not yet replayed the reader's own write, or could not be reached (replica only).
    pub fallbacks: u64,
}

/// The shared handle on a [`Storage`].
pub type Database = Arc<dyn Storage>;
