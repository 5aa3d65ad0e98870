//! Full-text search over a workspace's objectives, key results, KPIs, people and teams.
//! The storage keeps an index of their words as they are written, by every path (SQLite:
//! FTS5 tables kept in step by triggers; PostgreSQL: GIN indexes over `tsvector`
//! expressions), and answers one kind at a time, best match first.

use crate::Result;
use milepost_core::{SearchKind, WorkspaceId};

/// One search of one kind of thing.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    /// What to look for.
    pub kind: SearchKind,
    /// The query's words: letters and digits only, lower case (`SearchQuery::words`).
    /// A thing matches when each begins one of its words.
    pub words: &'a [String],
    /// Objectives the caller may not see: they, and their key results, are left out.
    pub hidden_objectives: &'a [i64],
    /// Whether archived things (and objectives and key results of archived cycles or
    /// objectives) are found too; they come after the others.
    pub include_archived: bool,
    /// How many of the best matches to skip.
    pub offset: i64,
    /// At most this many.
    pub limit: i64,
}

/// A thing found, as the storage reads it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct SearchHitRow {
    /// Its id.
    pub id: i64,
    /// Its title or name.
    pub title: String,
    /// Its other searched text: an objective's or KPI's description, a key result's
    /// metric, a person's handle and email, a team's slug.
    pub body: String,
    /// Whether it is archived, or belongs to something archived.
    pub archived: bool,
    /// What it belongs to: an objective's cycle, a key result's objective, a person's
    /// team, a team's parent team (none for a KPI).
    pub parent_id: Option<i64>,
    /// That thing's name.
    pub context: Option<String>,
    /// How well it matches: higher is better, comparable only within one search.
    pub score: f64,
}

/// What a transaction can search; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait SearchStore: Send {
    /// The things of `request.kind` in `workspace` that match every word, best first
    /// (archived ones last, then by score, then the newest first).
    async fn search(&mut self, workspace: WorkspaceId, request: &SearchRequest<'_>) -> Result<Vec<SearchHitRow>>;
}
