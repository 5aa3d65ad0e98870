//! Keyset pagination shared by every list: `?limit=50&after=<cursor>`, answered with
//! the items and the cursor of the next page.

use crate::error::{AppError, FieldError};
use milepost_store::Page;
use serde::{Deserialize, Serialize};

/// The default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page size.
pub const MAX_LIMIT: u32 = 500;

/// Paging parameters of a list request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// How many items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
}

impl ListParams {
    /// Checks the parameters and makes a store page of them.
    pub fn page(&self) -> Result<Page, AppError> {
        let mut problems = Vec::new();
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            problems.push(FieldError::parameter("limit", format!("limit must be from 1 to {MAX_LIMIT} (got {limit})")));
        }
        let after = match self.after.as_deref() {
            None | Some("") => None,
            Some(text) => match text.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    problems.push(FieldError::parameter(
                        "after",
                        format!("{text:?} is not a cursor: pass the next_cursor of the previous page"),
                    ));
                    None
                }
            },
        };
        if problems.is_empty() { Ok(Page { after, limit: i64::from(limit) }) } else { Err(AppError::Invalid(problems)) }
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Paged<T> {
    /// The items of this page, in id order.
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    /// A page of `items`; `more` says whether another page follows `last_id`.
    pub fn new(items: Vec<T>, last_id: Option<i64>, more: bool) -> Paged<T> {
        Paged { items, next_cursor: if more { last_id.map(|id| id.to_string()) } else { None } }
    }
}

/// Fetches one more row than asked for, to learn whether another page follows.
pub(crate) fn probe(page: Page) -> Page {
    Page { after: page.after, limit: page.limit.saturating_add(1) }
}

/// Cuts the probe row off and builds the page.
pub(crate) fn finish<R, T>(mut rows: Vec<R>, page: Page, id: impl Fn(&R) -> i64, view: impl FnMut(R) -> T) -> Paged<T> {
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let last = rows.last().map(&id);
    Paged::new(rows.into_iter().map(view).collect(), last, more)
}

/// One batch of a filtered walk: the views computed from a page of rows, how many
/// rows there were and the id of the last.
pub(crate) struct Batch<V> {
    pub views: Vec<V>,
    pub rows: usize,
    pub last_id: Option<i64>,
}

/// A walk through rows in id order that keeps only the views a filter on computed
/// values (status) accepts, which SQL cannot apply, until a page is full. The caller
/// fetches [`FilteredWalk::next_page`] and hands each batch to [`FilteredWalk::take`];
/// the next page's cursor is the last item kept, so cursors still move in id order.
pub(crate) struct FilteredWalk<V> {
    page: Page,
    limit: usize,
    items: Vec<V>,
    cursor: Option<i64>,
}

impl<V> FilteredWalk<V> {
    pub fn new(page: Page) -> FilteredWalk<V> {
        FilteredWalk {
            page,
            limit: usize::try_from(page.limit).unwrap_or(usize::MAX),
            items: Vec::new(),
            cursor: page.after,
        }
    }

    /// The rows to fetch next (one more than a page, to see whether more follow).
    pub fn next_page(&self) -> Page {
        probe(Page { after: self.cursor, ..self.page })
    }

    /// Keeps what `keep` accepts; the finished page once it is full or the rows ran out.
    pub fn take(&mut self, batch: Batch<V>, keep: impl Fn(&V) -> bool, id_of: impl Fn(&V) -> i64) -> Option<Paged<V>> {
        let exhausted = batch.rows <= self.limit;
        for view in batch.views {
            if keep(&view) {
                if self.items.len() == self.limit {
                    let last_kept = self.items.last().map(&id_of);
                    return Some(Paged::new(std::mem::take(&mut self.items), last_kept, true));
                }
                self.items.push(view);
            }
        }
        if exhausted || batch.last_id.is_none() {
            return Some(Paged::new(std::mem::take(&mut self.items), None, false));
        }
        self.cursor = batch.last_id;
        None
    }
}
