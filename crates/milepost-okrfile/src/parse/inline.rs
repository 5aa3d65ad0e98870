//! One line as characters that know where they came from and whether they were escaped.
//!
//! Markdown lets a writer say "this `#` is just a `#`" with a backslash. The parser
//! reads every line through [`decode`], which turns `\#` into one escaped `#` that
//! never counts as structure, and keeps each character's source column so that
//! diagnostics point at the text as written. [`peel`] finds the construct that ends a
//! heading or a bullet: an id marker, a parenthesised annotation or an `@handle`.
//! The canonical renderer uses the same scanner to know when it must escape.

use crate::diagnostic::Span;

/// A character of a line, after backslash escapes are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cell {
    /// The character as a reader sees it.
    pub c: char,
    /// Whether it was written with a backslash before it, and so is never structure.
    pub escaped: bool,
    /// The column of its first source character, from 1.
    pub column: usize,
    /// How many source characters it took: 2 when escaped, else 1.
    pub width: usize,
}

impl Cell {
    /// Whether this is the plain, unescaped character `c`.
    pub fn is(&self, c: char) -> bool {
        !self.escaped && self.c == c
    }

    /// Whether this is white space (an escape never is).
    pub fn is_space(&self) -> bool {
        !self.escaped && self.c.is_whitespace()
    }
}

/// Decodes a line: `\` before ASCII punctuation escapes it, as in CommonMark; any other
/// backslash is a plain character.
pub(crate) fn decode(line: &str) -> Vec<Cell> {
    let chars: Vec<char> = line.chars().collect();
    let mut cells = Vec::with_capacity(chars.len());
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        match chars.get(k + 1) {
            Some(&next) if c == '\\' && next.is_ascii_punctuation() => {
                cells.push(Cell { c: next, escaped: true, column: k + 1, width: 2 });
                k += 2;
            }
            _ => {
                cells.push(Cell { c, escaped: false, column: k + 1, width: 1 });
                k += 1;
            }
        }
    }
    cells
}

/// Cells for text that has no escapes yet, as the renderer holds it.
pub(crate) fn plain(text: &str) -> Vec<Cell> {
    text.chars().enumerate().map(|(k, c)| Cell { c, escaped: false, column: k + 1, width: 1 }).collect()
}

/// The text the cells spell.
pub(crate) fn text(cells: &[Cell]) -> String {
    cells.iter().map(|c| c.c).collect()
}

/// The cells without white space at either end.
pub(crate) fn trim(cells: &[Cell]) -> &[Cell] {
    let start = cells.iter().position(|c| !c.is_space()).unwrap_or(cells.len());
    let end = cells.iter().rposition(|c| !c.is_space()).map_or(start, |k| k + 1);
    &cells[start..end.max(start)]
}

/// The cells without white space at the end.
pub(crate) fn trim_end(cells: &[Cell]) -> &[Cell] {
    let end = cells.iter().rposition(|c| !c.is_space()).map_or(0, |k| k + 1);
    &cells[..end]
}

/// Where `cells` sit on `line`; an empty run sits at `fallback`.
pub(crate) fn span(line: usize, cells: &[Cell], fallback: usize) -> Span {
    match (cells.first(), cells.last()) {
        (Some(first), Some(last)) => Span::new(line, first.column, last.column + last.width),
        _ => Span::new(line, fallback, fallback),
    }
}

/// Splits cells at each plain `sep`.
pub(crate) fn split(cells: &[Cell], sep: char) -> Vec<&[Cell]> {
    cells.split(|c| c.is(sep)).collect()
}

/// Whether the plain characters of `text` start `cells` at `at`.
pub(crate) fn has_at(cells: &[Cell], at: usize, text: &str) -> bool {
    let mut k = at;
    for c in text.chars() {
        match cells.get(k) {
            Some(cell) if cell.is(c) => k += 1,
            _ => return false,
        }
    }
    true
}

/// A construct that ends a heading or a bullet line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trailing {
    /// An HTML comment, `<!-- … -->`: the inside, between the dashes.
    Comment,
    /// A parenthesised group, `( … )`: the inside, between the parentheses.
    Group,
    /// An `@handle`: the name after the `@`.
    Handle,
}

/// A construct found at the end of a run of cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Peeled {
    /// What it is.
    pub kind: Trailing,
    /// Where it starts: the index of its opening character.
    pub start: usize,
    /// Its inside: `inner_start..inner_end`.
    pub inner_start: usize,
    /// The end of its inside.
    pub inner_end: usize,
}

/// Finds the construct that ends `cells` (which must not end in white space), if any.
/// A group or handle must follow white space or open the run; a comment may follow
/// anything. Escaped characters never open or close a construct.
pub(crate) fn peel(cells: &[Cell]) -> Option<Peeled> {
    let n = cells.len();
    let after_space = |k: usize| k == 0 || cells[k - 1].is_space();
    if n >= 7 && has_at(cells, n - 3, "-->") {
        let close = n - 3;
        // The nearest opening before it, escaped or not, must be plain to open it.
        let spells = |k: usize| "<!--".chars().enumerate().all(|(j, c)| cells[k + j].c == c);
        let open = (0..=close - 4).rev().find(|&k| spells(k))?;
        return has_at(cells, open, "<!--").then_some(Peeled {
            kind: Trailing::Comment,
            start: open,
            inner_start: open + 4,
            inner_end: close,
        });
    }
    if cells.last().is_some_and(|c| c.is(')')) {
        // The nearest parenthesis before the closing one, escaped or not, must open it.
        let open = (0..n - 1).rev().find(|&k| cells[k].c == '(' || cells[k].c == ')')?;
        return (cells[open].is('(') && after_space(open)).then_some(Peeled {
            kind: Trailing::Group,
            start: open,
            inner_start: open + 1,
            inner_end: n - 1,
        });
    }
    let at = cells.iter().rposition(Cell::is_space).map_or(0, |k| k + 1);
    let handle_char = |c: &Cell| !c.escaped && (c.c.is_ascii_alphanumeric() || matches!(c.c, '.' | '_' | '-'));
    if n > at + 1 && cells[at].is('@') && cells[at + 1..].iter().all(handle_char) {
        return Some(Peeled { kind: Trailing::Handle, start: at, inner_start: at + 1, inner_end: n });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslashes_escape_punctuation_only() {
        let cells = decode(r"\# a\b \\");
        assert_eq!(text(&cells), r"# a\b \");
        assert!(cells[0].escaped && cells[0].width == 2);
        assert_eq!(cells[2].column, 4);
        assert!(!cells[3].escaped, "a backslash before a letter is a plain backslash");
    }

    #[test]
    fn spans_count_source_characters() {
        let cells = decode(r"ab\(cd");
        assert_eq!(span(3, &cells[1..3], 1), Span::new(3, 2, 5));
        assert_eq!(span(3, &[], 7), Span::new(3, 7, 7));
    }

    #[test]
    fn the_last_construct_is_found() {
        let kinds = |s: &str| peel(trim_end(&decode(s))).map(|p| p.kind);
        assert_eq!(kinds("Keep CSAT (kpi: csat) <!-- id: KR-4 -->"), Some(Trailing::Comment));
        assert_eq!(kinds("Keep CSAT (kpi: csat)"), Some(Trailing::Group));
        assert_eq!(kinds("Keep CSAT @dana"), Some(Trailing::Handle));
        assert_eq!(kinds("Keep CSAT \\(kpi: csat)"), None);
        assert_eq!(kinds("Keep CSAT \\@dana"), None);
        assert_eq!(kinds("Keep CSAT\\<!-- x -->"), None);
        assert_eq!(kinds("Email support@example.com"), None);
        assert_eq!(kinds("f(x)"), None);
        assert_eq!(kinds("(a) b)"), None);
        assert_eq!(kinds("<!-->"), None);
        assert_eq!(kinds("@"), None);
    }
}
