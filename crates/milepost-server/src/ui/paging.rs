//! Pages of a long list: which slice of it a `?page=N` shows, and the links to the
//! previous and next pages, with the total. The list itself comes whole from the app;
//! only what one page shows is rendered.

use std::ops::Range;

/// How many objectives or key results a page of a list shows.
pub const PER_PAGE: usize = 50;

/// One page of a list of `total` items.
#[derive(Debug, Clone)]
pub struct Pager {
    /// The page shown, from 1.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
    /// How many items there are.
    pub total: usize,
    /// The items shown: their positions in the list, from 0.
    range: Range<usize>,
    /// The link to the previous page, if any.
    pub previous: Option<String>,
    /// The link to the next page, if any.
    pub next: Option<String>,
}

impl Pager {
    /// Page `requested` (1 when none; the last when past it) of `total` items,
    /// `per_page` a page; `link(n)` is the address of page `n`.
    pub fn new(total: usize, requested: Option<u32>, per_page: usize, link: impl Fn(usize) -> String) -> Pager {
        let per_page = per_page.max(1);
        let pages = total.div_ceil(per_page).max(1);
        let page = requested.map_or(1, |p| usize::try_from(p).unwrap_or(usize::MAX)).clamp(1, pages);
        let start = (page - 1) * per_page;
        let range = start.min(total)..(start + per_page).min(total);
        Pager {
            page,
            pages,
            total,
            range,
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    /// The positions of the items this page shows.
    pub fn range(&self) -> Range<usize> {
        self.range.clone()
    }

    /// The position of the first item shown, from 1 (0 for an empty list).
    pub fn first(&self) -> usize {
        if self.total == 0 { 0 } else { self.range.start + 1 }
    }

    /// The position of the last item shown, from 1.
    pub fn last(&self) -> usize {
        self.range.end
    }

    /// Whether the list has more than one page.
    pub fn several(&self) -> bool {
        self.pages > 1
    }
}

/// A query string of the pairs whose value is not empty: `?cycle_id=3&page=2`, or ``.
pub fn query(pairs: &[(&str, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        serializer.append_pair(name, value);
    }
    let text = serializer.finish();
    if text.is_empty() { text } else { format!("?{text}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list_without_overlap() {
        let link = |n: usize| format!("?page={n}");
        let first = Pager::new(120, None, 50, link);
        assert_eq!(
            (first.range(), first.pages, first.previous.clone(), first.next.clone()),
            (0..50, 3, None, Some("?page=2".to_owned()))
        );
        let last = Pager::new(120, Some(3), 50, link);
        assert_eq!((last.range(), last.first(), last.last(), last.next.clone()), (100..120, 101, 120, None));
        let past = Pager::new(120, Some(9), 50, link);
        assert_eq!(past.page, 3, "a page past the end shows the last");
        let empty = Pager::new(0, Some(2), 50, link);
        assert_eq!((empty.range(), empty.pages, empty.first(), empty.several()), (0..0, 1, 0, false));
    }

    #[test]
    fn a_query_leaves_out_empty_values() {
        assert_eq!(
            query(&[("cycle_id", "3".to_owned()), ("team_id", String::new()), ("page", "2".to_owned())]),
            "?cycle_id=3&page=2"
        );
        assert_eq!(query(&[("team_id", String::new())]), "");
    }
}
