//! `/search?q=`: the results of the search box every page's navigation holds, grouped
//! by kind, each a link to its page with the matched words marked. A plain `GET` form,
//! so it works without JavaScript; the results come from `app.search()`, as the API's.
//! All kinds show their best 20 with a link to more of that kind; one kind shows 50 a
//! page.

use super::form::empty_as_none;
use super::{Layout, PageError, PageResult, Viewer, page};
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::search::{DEFAULT_LIMIT, MAX_LIMIT, SearchGroup, SearchHit, SearchParams};
use milepost_app::{App, AppError, Location};
use milepost_core::search::Fragment;
use milepost_core::{Named, SearchKind};

/// The search page's query string.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SearchPageQuery {
    /// What to look for.
    #[serde(default)]
    pub q: Option<String>,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// The page of one kind's results, from 1.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub page: Option<u32>,
    /// `true` to find archived things too.
    #[serde(default)]
    pub include_archived: Option<String>,
}

/// A kind's name in the plural, for headings.
fn plural(kind: SearchKind) -> &'static str {
    match kind {
        SearchKind::Objective => "Objectives",
        SearchKind::KeyResult => "Key results",
        SearchKind::Kpi => "KPIs",
        SearchKind::Person => "People",
        SearchKind::Team => "Teams",
    }
}

/// What a hit's context is, in words.
fn context_label(kind: SearchKind) -> &'static str {
    match kind {
        SearchKind::Objective => "Cycle:",
        SearchKind::KeyResult => "Objective:",
        SearchKind::Kpi => "",
        SearchKind::Person => "Team:",
        SearchKind::Team => "Part of:",
    }
}

/// One kind's results, as the page shows them.
struct GroupLine {
    /// `objective`, for ids.
    key: &'static str,
    /// `Objectives`.
    label: &'static str,
    hits: Vec<HitLine>,
    /// `20 shown`, `3 found`, `none found`.
    count: String,
    /// The link to more of this kind (all kinds shown), or the next page (one kind).
    more: Option<String>,
    /// The previous page (one kind).
    previous: Option<String>,
}

struct HitLine {
    url: String,
    title: Vec<Fragment>,
    context_label: &'static str,
    context: Option<String>,
    archived: bool,
    snippet: Vec<Fragment>,
}

impl From<SearchHit> for HitLine {
    fn from(hit: SearchHit) -> HitLine {
        HitLine {
            context_label: context_label(hit.kind),
            url: hit.url,
            title: hit.title_highlight,
            context: hit.context,
            archived: hit.archived,
            snippet: hit.snippet,
        }
    }
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    /// The kind asked for, `""` for all.
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    include_archived: bool,
    /// What is wrong with the search, by parameter (`q`, `kind`), shown at its field.
    problem_q: Option<String>,
    problem_other: Option<String>,
    /// Whether a search ran.
    searched: bool,
    groups: Vec<GroupLine>,
    /// One sentence for screen readers and everyone: how much was found.
    summary: String,
}

/// The address of this search with other `kind` and `page`.
fn link(q: &str, kind: Option<SearchKind>, page: Option<u32>, include_archived: bool) -> String {
    format!(
        "/search{}",
        super::paging::query(&[
            ("q", q.to_owned()),
            ("kind", kind.map(|k| k.as_str().to_owned()).unwrap_or_default()),
            ("include_archived", if include_archived { "true".to_owned() } else { String::new() }),
            ("page", page.map(|p| p.to_string()).unwrap_or_default()),
        ])
    )
}

fn group_line(group: SearchGroup, q: &str, one_kind: bool, page: u32, include_archived: bool) -> GroupLine {
    let kind = group.kind;
    let shown = group.hits.len();
    let count = match (shown, group.more) {
        (0, _) => "none found".to_owned(),
        (n, true) if one_kind => {
            format!("{}–{} shown, more on the next page", (page - 1) * MAX_LIMIT + 1, (page - 1) * MAX_LIMIT + n as u32)
        }
        (n, true) => format!("the best {n} shown"),
        (n, false) if one_kind && page > 1 => {
            format!("{}–{} shown", (page - 1) * MAX_LIMIT + 1, (page - 1) * MAX_LIMIT + n as u32)
        }
        (1, false) => "1 found".to_owned(),
        (n, false) => format!("{n} found"),
    };
    let more = group.more.then(|| {
        if one_kind {
            link(q, Some(kind), Some(page + 1), include_archived)
        } else {
            link(q, Some(kind), None, include_archived)
        }
    });
    let previous = (one_kind && page > 1).then(|| link(q, Some(kind), Some(page - 1), include_archived));
    GroupLine {
        key: kind.as_str(),
        label: plural(kind),
        hits: group.hits.into_iter().map(HitLine::from).collect(),
        count,
        more,
        previous,
    }
}

/// `GET /search?q=`: the search page, with the results when there is a query.
pub async fn show_search(State(app): State<App>, viewer: Viewer, Query(query): Query<SearchPageQuery>) -> PageResult {
    let q = query.q.clone().unwrap_or_default();
    let kind = query.kind.clone().unwrap_or_default();
    let include_archived = query.include_archived.as_deref().is_some_and(|v| v == "true" || v == "on");
    let mut template = SearchPage {
        layout: Layout::new(
            &viewer,
            "search",
            if q.trim().is_empty() { "Search".to_owned() } else { format!("Search: {}", q.trim()) },
        ),
        q: q.clone(),
        kind: kind.clone(),
        kinds: SearchKind::ALL.iter().map(|k| (k.as_str(), plural(*k))).collect(),
        include_archived,
        problem_q: None,
        problem_other: None,
        searched: false,
        groups: Vec::new(),
        summary: String::new(),
    };
    if q.trim().is_empty() && query.kind.is_none() {
        // The page opened from the navigation with nothing typed yet.
        return Ok(page(StatusCode::OK, &template));
    }
    let one_kind = !kind.trim().is_empty();
    let page_number = query.page.unwrap_or(1).max(1);
    let limit = if one_kind { MAX_LIMIT } else { DEFAULT_LIMIT };
    let params = SearchParams {
        q: Some(q.clone()),
        kind: one_kind.then(|| kind.clone()),
        limit: Some(limit),
        offset: Some((page_number - 1).saturating_mul(limit)),
        include_archived,
    };
    match app.search().search(&viewer.caller, &params).await {
        Ok(results) => {
            let found: usize = results.groups.iter().map(|g| g.hits.len()).sum();
            let more = results.groups.iter().any(|g| g.more);
            template.summary = match (found, more) {
                (0, _) => format!("Nothing matches “{}”.", results.query),
                (1, false) => format!("1 match for “{}”.", results.query),
                (n, false) => format!("{n} matches for “{}”.", results.query),
                (n, true) => format!("{n} matches shown for “{}”, and more.", results.query),
            };
            template.searched = true;
            template.groups = results
                .groups
                .into_iter()
                .filter(|g| one_kind || !g.hits.is_empty())
                .map(|g| group_line(g, &results.query, one_kind, page_number, include_archived))
                .collect();
            Ok(page(StatusCode::OK, &template))
        }
        Err(AppError::Invalid(problems)) => {
            for problem in problems {
                match &problem.location {
                    Location::Parameter(name) if name == "q" => template.problem_q = Some(problem.detail),
                    _ => template.problem_other = Some(problem.detail),
                }
            }
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &template))
        }
        Err(error) => Err(PageError::from(error)),
    }
}
