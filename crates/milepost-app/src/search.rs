//! Search over a workspace's objectives, key results, KPIs, people and teams, for the
//! search box of every page, `GET /api/v1/search` and `milepost search`.
//!
//! The query is read into plain words first (`milepost_core::search`: no engine syntax
//! reaches the database); the storage's full-text index then finds, for each kind, the
//! things of the caller's workspace whose words begin with every word of the query, best
//! first. Who may see what is decided as everywhere else: the objectives the caller may
//! not see (`permission::hidden_objectives_in`, the one rule) are passed to the storage,
//! which leaves them and their key results out before it counts and pages, so a page is
//! never short and nothing hidden shows, by title or by a key result's sentence.

use crate::Caller;
use crate::error::{AppError, FieldError};
use crate::permission::hidden_objectives_in;
use milepost_core::search::{Fragment, excerpt, highlight};
use milepost_core::{Named, SearchKind, SearchQuery};
use milepost_store::{SearchHitRow, SearchRequest};
use serde::{Deserialize, Serialize};

/// How many things of each kind a search returns unless asked otherwise.
pub const DEFAULT_LIMIT: u32 = 20;
/// The most things of each kind one search returns.
pub const MAX_LIMIT: u32 = 50;
/// The furthest a search pages: the best 1,000 of a kind (a query that matches more
/// is better made narrower).
pub const MAX_OFFSET: u32 = 1_000;
/// How long a snippet is, in characters, about.
const SNIPPET_CHARS: usize = 160;

/// A search, as the query string asks for it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for: 1 to 200 characters, read as words (letters and digits); each
    /// word must begin a word of what is found (`reten` finds "retention").
    pub q: Option<String>,
    /// Only this kind of thing: `objective`, `key_result`, `kpi`, `person` or `team`.
    /// Every kind when left out.
    pub kind: Option<String>,
    /// At most this many of each kind, 1–50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u32>,
    /// Skip this many of the best of each kind, 0–1000 (default 0): the next page.
    #[param(minimum = 0, maximum = 1000)]
    pub offset: Option<u32>,
    /// Find archived things too (and objectives and key results of archived cycles or
    /// objectives), marked `archived` and listed after the others.
    #[serde(default)]
    pub include_archived: bool,
}

/// A search checked: the query, the kinds, the page.
#[derive(Debug, Clone)]
pub struct Search {
    /// The query, in words.
    pub query: SearchQuery,
    /// The kinds asked for, in the order results show them.
    pub kinds: Vec<SearchKind>,
    /// At most this many of each kind.
    pub limit: u32,
    /// Skipping this many of each kind.
    pub offset: u32,
    /// Archived things too.
    pub include_archived: bool,
}

impl SearchParams {
    /// Checks every parameter, reporting every problem at once.
    pub fn check(&self) -> Result<Search, AppError> {
        let mut problems = Vec::new();
        let query = match SearchQuery::parse(self.q.as_deref().unwrap_or_default()) {
            Ok(query) => Some(query),
            Err(error) => {
                problems.push(FieldError::parameter("q", error));
                None
            }
        };
        let kinds = match self.kind.as_deref().map(str::trim) {
            None | Some("") => SearchKind::ALL.to_vec(),
            Some(text) => match SearchKind::parse(text) {
                Some(kind) => vec![kind],
                None => {
                    let shown: String = text.chars().take(40).collect();
                    problems.push(FieldError::parameter(
                        "kind",
                        format!("{shown:?} is not a kind of thing to search: use one of {}", SearchKind::names()),
                    ));
                    Vec::new()
                }
            },
        };
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            problems.push(FieldError::parameter("limit", format!("limit must be from 1 to {MAX_LIMIT} (got {limit})")));
        }
        let offset = self.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            problems.push(FieldError::parameter(
                "offset",
                format!("offset must be from 0 to {MAX_OFFSET} (got {offset}): make the search narrower instead"),
            ));
        }
        match query {
            Some(query) if problems.is_empty() => {
                Ok(Search { query, kinds, limit, offset, include_archived: self.include_archived })
            }
            _ => Err(AppError::Invalid(problems)),
        }
    }
}

/// What a search found, by kind.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// The query as typed (trimmed).
    pub query: String,
    /// The words it was read as: lower case, letters and digits.
    pub words: Vec<String>,
    /// One group for each kind asked for, in a fixed order: objectives, key results,
    /// KPIs, people, teams.
    pub groups: Vec<SearchGroup>,
}

/// The things of one kind a search found.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchGroup {
    /// The kind.
    pub kind: SearchKind,
    /// The best matches, best first (archived ones last).
    pub hits: Vec<SearchHit>,
    /// Whether more matched than these: ask again with `kind` and `offset`.
    pub more: bool,
}

/// One thing found.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// Its kind.
    pub kind: SearchKind,
    /// Its id (an objective's, a key result's, … as the kind says).
    pub id: i64,
    /// Its title or name.
    pub title: String,
    /// The page that shows it, on this server.
    pub url: String,
    /// What it belongs to, for telling like things apart: an objective's cycle, a key
    /// result's objective, a person's team, a team's parent team.
    pub context: Option<String>,
    /// Whether it is archived (or belongs to an archived objective or cycle).
    pub archived: bool,
    /// The title cut into pieces, the words the query matched marked.
    pub title_highlight: Vec<Fragment>,
    /// A short piece of its other text around the first matched word (an objective's
    /// description, a key result's metric, a person's handle and email, a team's
    /// slug); empty when only the title matched.
    pub snippet: Vec<Fragment>,
}

/// Search: see the module's documentation.
#[derive(Clone, Copy)]
pub struct Searches<'a> {
    pub(crate) app: &'a crate::App,
}

impl Searches<'_> {
    /// Searches the caller's workspace: every kind asked for, each paged on its own.
    pub async fn search(self, caller: &Caller, params: &SearchParams) -> Result<SearchResults, AppError> {
        let search = params.check()?;
        self.run(caller, &search).await
    }

    /// [`Searches::search`] of a checked search.
    pub async fn run(self, caller: &Caller, search: &Search) -> Result<SearchResults, AppError> {
        let mut tx = self.app.store().read().await?;
        let generation = tx.generation(caller.workspace).await?;
        let mut hidden: Vec<i64> =
            hidden_objectives_in(self.app, &mut tx, caller, generation).await?.into_iter().collect();
        hidden.sort_unstable();
        let mut groups = Vec::with_capacity(search.kinds.len());
        for kind in &search.kinds {
            let request = SearchRequest {
                kind: *kind,
                words: search.query.words(),
                hidden_objectives: &hidden,
                include_archived: search.include_archived,
                offset: i64::from(search.offset),
                // One more than asked, to learn whether more follow.
                limit: i64::from(search.limit) + 1,
            };
            let mut rows = tx.search(caller.workspace, &request).await?;
            let more = rows.len() > search.limit as usize;
            rows.truncate(search.limit as usize);
            let hits = rows.into_iter().map(|row| hit(*kind, row, &search.query)).collect();
            groups.push(SearchGroup { kind: *kind, hits, more });
        }
        Ok(SearchResults { query: search.query.text().to_owned(), words: search.query.words().to_vec(), groups })
    }
}

/// The page of a thing found.
fn url(kind: SearchKind, row: &SearchHitRow) -> String {
    match kind {
        SearchKind::Objective => format!("/objectives/{}", row.id),
        SearchKind::KeyResult => match row.parent_id {
            Some(objective) => format!("/objectives/{objective}#key-result-{}", row.id),
            None => "/".to_owned(),
        },
        SearchKind::Kpi => format!("/kpis/{}", row.id),
        // The alignment tree lists people under their teams.
        SearchKind::Person => match row.parent_id {
            Some(team) => format!("/alignment?team_id={team}"),
            None => "/alignment".to_owned(),
        },
        SearchKind::Team => format!("/objectives?team_id={}", row.id),
    }
}

fn hit(kind: SearchKind, row: SearchHitRow, query: &SearchQuery) -> SearchHit {
    let url = url(kind, &row);
    let snippet = excerpt(&row.body, query, SNIPPET_CHARS).unwrap_or_default();
    SearchHit {
        kind,
        id: row.id,
        title_highlight: highlight(&row.title, query),
        title: row.title,
        url,
        context: row.context,
        archived: row.archived,
        snippet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> SearchParams {
        SearchParams { q: Some(q.to_owned()), ..SearchParams::default() }
    }

    #[test]
    fn every_bad_parameter_is_reported_at_once() {
        let bad = SearchParams {
            q: Some("\"*".into()),
            kind: Some("robots".into()),
            limit: Some(0),
            offset: Some(5_000),
            include_archived: false,
        };
        let Err(AppError::Invalid(problems)) = bad.check() else { panic!("accepted") };
        let names: Vec<String> = problems
            .iter()
            .map(|p| match &p.location {
                crate::Location::Parameter(name) => name.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["q", "kind", "limit", "offset"]);
    }

    #[test]
    fn a_search_asks_every_kind_unless_one_is_named() {
        assert_eq!(params("x").check().unwrap().kinds, SearchKind::ALL);
        let one = SearchParams { kind: Some("key_result".into()), ..params("x") };
        assert_eq!(one.check().unwrap().kinds, [SearchKind::KeyResult]);
        assert!(SearchParams::default().check().is_err(), "no query");
    }
}
