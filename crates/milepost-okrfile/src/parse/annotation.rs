//! What follows the words of a heading or a key result: `(committed)`, `@dana`,
//! `(kpi: csat, weight: 2)` and the id marker `<!-- id: KR-40 -->`.
//!
//! Annotations are read from the end of the line backwards, one construct at a time,
//! until something is not an annotation; what is left is the title or the sentence.
//! A parenthesis counts as an annotation only when everything in it is one, so that
//! "Reduce churn (excluding trials)" keeps its parenthesis. A near miss such as
//! `(kpj: csat)` or `(commited)` is an error rather than silently becoming text.

use super::inline::{Cell, Peeled, Trailing, peel, span, split, text, trim, trim_end};
use super::value::{Id, Problem, parse_alignment, parse_id, parse_slug};
use crate::diagnostic::{Diagnostic, Span};
use crate::file::Alignment;
use crate::suggest::{closest, distance};
use milepost_core::{Cadence, Commitment, Named, Visibility, Weight};

/// The rule name of every syntax diagnostic.
pub(crate) const SYNTAX: &str = "syntax";

/// Where a line's annotations stand: on an objective's heading or on a key result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `# Title (committed, aligns: O-3)`.
    Objective,
    /// `- Sentence @dana (kpi: csat, weight: 2, cadence: weekly)`.
    KeyResult,
}

impl Place {
    fn name(self) -> &'static str {
        match self {
            Place::Objective => "an objective's heading",
            Place::KeyResult => "a key result",
        }
    }
}

/// The keys an annotation may have, with the place each belongs to.
const KEYS: &[(&str, Place)] = &[
    ("aligns", Place::Objective),
    ("visibility", Place::Objective),
    ("kpi", Place::KeyResult),
    ("weight", Place::KeyResult),
    ("cadence", Place::KeyResult),
    ("share", Place::KeyResult),
    ("owner", Place::KeyResult),
];

/// The words that are annotations on their own.
const WORDS: &[(&str, Place)] = &[("committed", Place::Objective), ("aspirational", Place::Objective)];

/// One annotation read from a line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Annotation {
    /// `(committed)`, `(aspirational)`.
    Commitment(Commitment),
    /// `(aligns: O-3)`.
    Aligns(Alignment),
    /// `(visibility: team)`.
    Visibility(Visibility),
    /// `(kpi: csat)`.
    Kpi(String),
    /// `(weight: 2)`.
    Weight(Weight),
    /// `(cadence: weekly)`.
    Cadence(Cadence),
    /// `(share: 95%)`: the share of slices a maintain or range key result must meet.
    Share(f64),
    /// `@dana` or `(owner: dana)`.
    Owner(String),
}

impl Annotation {
    /// The name used to say that an annotation was given twice.
    fn key(&self) -> &'static str {
        match self {
            Annotation::Commitment(_) => "committed or aspirational",
            Annotation::Aligns(_) => "aligns",
            Annotation::Visibility(_) => "visibility",
            Annotation::Kpi(_) => "kpi",
            Annotation::Weight(_) => "weight",
            Annotation::Cadence(_) => "cadence",
            Annotation::Share(_) => "share",
            Annotation::Owner(_) => "owner",
        }
    }
}

/// An annotation and where its value is written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    /// The annotation.
    pub annotation: Annotation,
    /// Where its value (or its word) is.
    pub span: Span,
}

/// The end of a line, taken apart.
#[derive(Debug, Default)]
pub(crate) struct Trail {
    /// Where the words end: the cells before this index are the title or sentence.
    pub text_end: usize,
    /// The annotations, in the order written, each once.
    pub found: Vec<Found>,
    /// The id marker and where its id is.
    pub id: Option<(Id, Span)>,
    /// What was wrong.
    pub diagnostics: Vec<Diagnostic>,
}

/// How one item of a parenthesis reads.
enum Item {
    /// An annotation for this place; its value may still be wrong.
    Known(Result<Found, Diagnostic>),
    /// An annotation, but one that belongs elsewhere.
    Misplaced(Diagnostic),
    /// Almost an annotation: likely a typo.
    NearMiss(Diagnostic),
    /// Plain text.
    Text,
}

/// Takes the annotations and the id marker off the end of a heading's or bullet's cells.
pub(crate) fn read_trailing(place: Place, line: usize, cells: &[Cell]) -> Trail {
    let mut trail = Trail::default();
    let mut end = trim_end(cells).len();
    while let Some(p) = peel(&cells[..end]) {
        let whole = span(line, &cells[p.start..end], 1);
        match p.kind {
            Trailing::Comment => read_id(place, line, &cells[p.inner_start..p.inner_end], whole, &mut trail),
            Trailing::Handle if place == Place::KeyResult => {
                // The span takes in the `@`, as people read the handle.
                let name = text(&cells[p.inner_start..p.inner_end]);
                match parse_slug(&name, "a person's handle") {
                    Ok(handle) => add(&mut trail, Found { annotation: Annotation::Owner(handle), span: whole }),
                    Err(problem) => {
                        trail.diagnostics.push(syntax(whole, problem));
                        // Kept as written, so that the owner is still read and linted.
                        add(&mut trail, Found { annotation: Annotation::Owner(name), span: whole });
                    }
                }
            }
            Trailing::Handle => break,
            Trailing::Group => match read_group(place, line, cells, p) {
                Ok(items) => {
                    for item in items.into_iter().rev() {
                        match item {
                            Ok(found) => add(&mut trail, found),
                            Err(d) => trail.diagnostics.push(d),
                        }
                    }
                }
                Err(diagnostics) => {
                    trail.diagnostics.extend(diagnostics);
                    break;
                }
            },
        }
        end = trim_end(&cells[..p.start]).len();
    }
    trail.text_end = end;
    trail.found.reverse();
    trail
}

/// Whether the renderer must escape the construct that ends `cells` (plain text, as a
/// model holds it) so that it reads back as text: the index of its opening character.
pub(crate) fn opener_to_escape(place: Place, cells: &[Cell]) -> Option<usize> {
    let p = peel(trim_end(cells))?;
    match p.kind {
        Trailing::Comment => Some(p.start),
        Trailing::Handle => (place == Place::KeyResult).then_some(p.start),
        Trailing::Group => {
            let any_annotation = match read_group(place, 1, cells, p) {
                Ok(_) => true,
                Err(diagnostics) => !diagnostics.is_empty(),
            };
            any_annotation.then_some(p.start)
        }
    }
}

/// Adds an annotation unless the same one was already read, which is an error. The
/// line is read backwards, so the one kept is the one written last.
fn add(trail: &mut Trail, found: Found) {
    let key = found.annotation.key();
    if trail.found.iter().any(|f| f.annotation.key() == key) {
        trail.diagnostics.push(
            Diagnostic::error(SYNTAX, found.span, format!("`{key}` is given twice on this line"))
                .suggest("keep one of them"),
        );
    } else {
        trail.found.push(found);
    }
}

fn syntax(span: Span, problem: Problem) -> Diagnostic {
    let d = Diagnostic::error(SYNTAX, span, problem.message);
    match problem.suggestion {
        Some(s) => d.suggest(s),
        None => d,
    }
}

/// Reads an id marker, `<!-- id: O-12 -->`; any other comment at the end of a line is
/// an error, because `milepost export` would not write it back.
fn read_id(place: Place, line: usize, inner: &[Cell], whole: Span, trail: &mut Trail) {
    let example = match place {
        Place::Objective => "<!-- id: O-12 -->",
        Place::KeyResult => "<!-- id: KR-40 -->",
    };
    let inner = trim(inner);
    let parts = split(inner, ':');
    let key = parts.first().map(|k| text(trim(k)).to_ascii_lowercase());
    if parts.len() != 2 || key.as_deref() != Some("id") {
        trail.diagnostics.push(
            Diagnostic::error(
                SYNTAX,
                whole,
                format!("expected an id marker such as `{example}` at the end of the line"),
            )
            .suggest("only id markers may end a line; move other notes into the objective's description"),
        );
        return;
    }
    let value = trim(parts[1]);
    let value_span = span(line, value, whole.column);
    let wanted = |id: Id| match (place, id) {
        (Place::Objective, Id::Objective(_)) | (Place::KeyResult, Id::KeyResult(_)) => Ok(id),
        (Place::Objective, Id::KeyResult(_)) => Err(Problem {
            message: "a heading needs an objective's id, `O-…`".into(),
            suggestion: Some(COPIED.into()),
        }),
        (Place::KeyResult, Id::Objective(_)) => Err(Problem {
            message: "a key result needs a key result's id, `KR-…`".into(),
            suggestion: Some(COPIED.into()),
        }),
    };
    match parse_id(&text(value)).and_then(wanted) {
        Ok(id) if trail.id.is_some() => trail.diagnostics.push(
            Diagnostic::error(SYNTAX, whole, format!("a second id marker, {}", id_text(id)))
                .suggest("keep one id marker per line"),
        ),
        Ok(id) => trail.id = Some((id, value_span)),
        Err(problem) => trail.diagnostics.push(syntax(value_span, problem)),
    }
}

/// The advice for an id marker in the wrong place: ids are written by export, not by hand.
const COPIED: &str = "ids are written by `milepost export`; remove the marker if it was copied here";

fn id_text(id: Id) -> String {
    match id {
        Id::Objective(id) => format!("O-{id}"),
        Id::KeyResult(id) => format!("KR-{id}"),
    }
}

/// Reads a parenthesis. `Ok` when it is all annotations (each possibly with a wrong
/// value), `Err` with the near misses when it is text, which is none for plain text.
fn read_group(
    place: Place,
    line: usize,
    cells: &[Cell],
    p: Peeled,
) -> Result<Vec<Result<Found, Diagnostic>>, Vec<Diagnostic>> {
    let inner = &cells[p.inner_start..p.inner_end];
    let items: Vec<Item> = split(inner, ',').into_iter().map(|item| read_item(place, line, trim(item))).collect();
    let texts = items.iter().filter(|i| matches!(i, Item::Text)).count();
    if texts == items.len() {
        return Err(Vec::new());
    }
    let near_misses = items.iter().any(|i| matches!(i, Item::NearMiss(_)));
    if texts > 0 {
        let whole = span(line, &cells[p.start..p.inner_end + 1], 1);
        let d = Diagnostic::error(SYNTAX, whole, "this parenthesis mixes annotations with other text")
            .suggest("put annotations in a parenthesis of their own, after the text: `(kpi: csat, weight: 2)`");
        return Err(vec![d]);
    }
    let mut out = Vec::new();
    let mut misses = Vec::new();
    for item in items {
        match item {
            Item::Known(found) => out.push(found),
            Item::Misplaced(d) => out.push(Err(d)),
            Item::NearMiss(d) => misses.push(d),
            Item::Text => {}
        }
    }
    if near_misses { Err(misses) } else { Ok(out) }
}

fn read_item(place: Place, line: usize, item: &[Cell]) -> Item {
    let item_span = span(line, item, 1);
    let parts = split(item, ':');
    let (word, value) = match parts.as_slice() {
        [word] => (trim(word), None),
        [word, value] => (trim(word), Some(trim(value))),
        _ => return Item::Text,
    };
    let word_text = text(word).to_lowercase();
    if word_text.is_empty() || !word.iter().all(|c| !c.escaped && c.c.is_ascii_alphabetic()) {
        return Item::Text;
    }
    let table = if value.is_some() { KEYS } else { WORDS };
    if let Some(&(key, wanted)) = table.iter().find(|(k, _)| *k == word_text) {
        if wanted != place {
            let what = if value.is_some() { format!("`{key}:`") } else { format!("`{key}`") };
            let d = Diagnostic::error(
                SYNTAX,
                item_span,
                format!("{what} belongs on {}, not on {}", wanted.name(), place.name()),
            );
            return Item::Misplaced(d);
        }
        let value_cells = value.unwrap_or(word);
        let value_span = span(line, value_cells, item_span.end_column);
        return Item::Known(
            read_value(key, &text(value_cells))
                .map(|annotation| Found { annotation, span: value_span })
                .map_err(|problem| syntax(value_span, problem)),
        );
    }
    // A word that is an annotation in the other form: `(kpi)`, `(committed: yes)`.
    let other = if value.is_some() { WORDS } else { KEYS };
    if let Some(&(key, _)) = other.iter().find(|(k, _)| *k == word_text) {
        let expected = if value.is_some() { format!("`{key}` on its own") } else { format!("`{key}: …`") };
        return Item::NearMiss(Diagnostic::error(SYNTAX, item_span, format!("expected {expected}")));
    }
    let names = table.iter().map(|(k, _)| *k);
    match closest(&word_text, names).filter(|k| word_text.len() >= 3 && distance(&word_text, k) <= 2) {
        Some(key) => {
            let d = Diagnostic::error(
                SYNTAX,
                span(line, word, item_span.column),
                format!("`{word_text}` is not an annotation"),
            )
            .suggest(format!("did you mean `{key}`?"));
            Item::NearMiss(d)
        }
        None => Item::Text,
    }
}

fn read_value(key: &str, value: &str) -> Result<Annotation, Problem> {
    let lower = value.to_lowercase();
    let one_of = |names: String| Problem {
        message: format!("expected {key} to be one of {names}, found `{value}`"),
        suggestion: None,
    };
    match key {
        "committed" => Ok(Annotation::Commitment(Commitment::Committed)),
        "aspirational" => Ok(Annotation::Commitment(Commitment::Aspirational)),
        "aligns" => parse_alignment(value).map(Annotation::Aligns),
        "visibility" => {
            Visibility::parse(&lower).map(Annotation::Visibility).ok_or_else(|| one_of(Visibility::names()))
        }
        "cadence" => Cadence::parse(&lower).map(Annotation::Cadence).ok_or_else(|| one_of(Cadence::names())),
        "kpi" => parse_slug(value, "a KPI's slug").map(Annotation::Kpi),
        "owner" => parse_slug(value.strip_prefix('@').unwrap_or(value), "a person's handle").map(Annotation::Owner),
        "share" => parse_share(value).map(Annotation::Share).ok_or_else(|| Problem {
            message: format!("expected a share of slices above 0% and at most 100%, found `{value}`"),
            suggestion: Some("write `(share: 95%)` for a goal met in 95% of its weeks".into()),
        }),
        _ => {
            let weight = value.parse::<f64>().ok().and_then(|w| Weight::try_new(w).ok());
            weight.map(Annotation::Weight).ok_or_else(|| Problem {
                message: format!("expected a weight: a number above 0 and at most 1000, found `{value}`"),
                suggestion: Some("write `(weight: 2)` for twice the usual weight".into()),
            })
        }
    }
}

/// A share written `95%` or `0.95`, above 0 and at most 1.
fn parse_share(value: &str) -> Option<f64> {
    let share = match value.trim().strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().ok()? / 100.0,
        None => value.trim().parse::<f64>().ok()?,
    };
    milepost_core::RequiredShare::try_new(share).ok().map(milepost_core::RequiredShare::get)
}

#[cfg(test)]
mod tests {
    use super::super::inline::decode;
    use super::*;

    fn read(place: Place, line: &str) -> (String, Trail) {
        let cells = decode(line);
        let trail = read_trailing(place, 1, &cells);
        (text(&cells[..trail.text_end]), trail)
    }

    #[test]
    fn annotations_come_off_the_end_in_any_order() {
        let (words, trail) = read(Place::KeyResult, "Keep CSAT at 92% @dana (kpi: csat, weight: 2) <!-- id: KR-4 -->");
        assert_eq!(words, "Keep CSAT at 92%");
        assert!(trail.diagnostics.is_empty(), "{:?}", trail.diagnostics);
        let got: Vec<_> = trail.found.iter().map(|f| f.annotation.clone()).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], Annotation::Owner("dana".into()));
        assert_eq!(got[1], Annotation::Kpi("csat".into()));
        assert!(matches!(trail.id, Some((Id::KeyResult(_), _))));
    }

    #[test]
    fn parentheses_of_plain_text_stay_in_the_sentence() {
        let (words, trail) = read(Place::KeyResult, "Reduce churn (excluding trials)");
        assert_eq!(words, "Reduce churn (excluding trials)");
        assert!(trail.diagnostics.is_empty() && trail.found.is_empty());
        let (words, _) = read(Place::KeyResult, "Cut cost (source: finance)");
        assert_eq!(words, "Cut cost (source: finance)");
    }

    #[test]
    fn near_misses_are_errors_and_stay_text() {
        let (words, trail) = read(Place::KeyResult, "Keep CSAT at 92% (kpj: csat)");
        assert_eq!(words, "Keep CSAT at 92% (kpj: csat)");
        assert_eq!(trail.diagnostics.len(), 1);
        assert_eq!(trail.diagnostics[0].suggestion.as_deref(), Some("did you mean `kpi`?"));
        let (_, trail) = read(Place::Objective, "Delight customers (commited)");
        assert_eq!(trail.diagnostics[0].suggestion.as_deref(), Some("did you mean `committed`?"));
    }

    #[test]
    fn misplaced_and_wrong_values_are_named() {
        let (words, trail) = read(Place::Objective, "Delight customers (kpi: csat)");
        assert_eq!(words, "Delight customers");
        assert!(trail.diagnostics[0].message.contains("belongs on a key result"));
        let (_, trail) = read(Place::KeyResult, "Ship it (weight: heavy, cadence: fortnightly)");
        assert_eq!(trail.diagnostics.len(), 2);
        let (_, trail) = read(Place::KeyResult, "Ship it <!-- id: O-3 -->");
        assert!(trail.diagnostics[0].message.contains("`KR-…`"));
        let (_, trail) = read(Place::KeyResult, "Ship it @dana @lee");
        assert!(trail.diagnostics[0].message.contains("twice"));
    }

    #[test]
    fn the_renderer_escapes_what_would_be_read() {
        let at = |place, s: &str| opener_to_escape(place, &super::super::inline::plain(s));
        assert_eq!(at(Place::KeyResult, "Ping @dana"), Some(5));
        assert_eq!(at(Place::Objective, "Ping @dana"), None);
        assert_eq!(at(Place::Objective, "Be bold (aspirational)"), Some(8));
        assert_eq!(at(Place::Objective, "Be bold (really)"), None);
        assert_eq!(at(Place::KeyResult, "Keep (kpj: x)"), Some(5));
    }

    #[test]
    fn a_share_of_slices_is_read_in_percent_or_as_a_fraction() {
        assert_eq!(read_value("share", "95%").ok(), Some(Annotation::Share(0.95)));
        assert_eq!(read_value("share", "0.9").ok(), Some(Annotation::Share(0.9)));
        for bad in ["0%", "120%", "most", "-5%"] {
            let problem = read_value("share", bad).unwrap_err();
            assert!(problem.message.contains("share of slices"), "{bad}: {}", problem.message);
        }
    }
}
