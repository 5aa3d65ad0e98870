//! The canonical text of an OKR file: what `milepost export` writes.
//!
//! [`render`] lays a file out one way only (the layout of `docs/okr-files.md`), so that
//! exporting twice gives the same bytes and a diff shows only what changed. It escapes
//! what the parser would otherwise read as structure, so that for every file whose text
//! fields are single lines, trimmed and not empty, and whose descriptions are in the form
//! [`crate::normalize_description`] gives, `parse(&render(&file)).file == file`; and for
//! a canonical text, `render(&parse(text).file) == text`.

use crate::file::{KeyResult, Objective, OkrFile};
use crate::parse::{Place, opener_to_escape, plain};
use std::fmt::Write as _;

/// Writes a file in canonical form: the front matter (`cycle`, `owner`, `aligns`, in
/// that order), then each objective as a heading, a blank line, its description and a
/// blank line when it has one, and its key results one a line; objectives are
/// separated by one blank line and the text ends with one newline.
pub fn render(file: &OkrFile) -> String {
    let mut out = String::from("---\n");
    if let Some(cycle) = &file.cycle {
        let _ = writeln!(out, "cycle: {cycle}");
    }
    if let Some(owner) = &file.owner {
        let _ = writeln!(out, "owner: {owner}");
    }
    if let Some(aligns) = &file.aligns {
        let _ = writeln!(out, "aligns: {aligns}");
    }
    out.push_str("---\n");
    for objective in &file.objectives {
        out.push('\n');
        render_objective(objective, &mut out);
    }
    out
}

fn render_objective(objective: &Objective, out: &mut String) {
    out.push_str("# ");
    out.push_str(&inline(&objective.title, Place::Objective));
    let mut annotations = Vec::new();
    if let Some(commitment) = objective.commitment {
        annotations.push(milepost_core::Named::as_str(commitment).to_owned());
    }
    if let Some(aligns) = &objective.aligns {
        annotations.push(format!("aligns: {aligns}"));
    }
    if let Some(visibility) = objective.visibility {
        annotations.push(format!("visibility: {}", milepost_core::Named::as_str(visibility)));
    }
    if !annotations.is_empty() {
        let _ = write!(out, " ({})", annotations.join(", "));
    }
    if let Some(id) = objective.id {
        let _ = write!(out, " <!-- id: O-{id} -->");
    }
    out.push('\n');
    if !objective.description.is_empty() {
        out.push('\n');
        for line in objective.description.split('\n') {
            out.push_str(&description_line(line));
            out.push('\n');
        }
    }
    if !objective.key_results.is_empty() {
        out.push('\n');
        for key_result in &objective.key_results {
            render_key_result(key_result, out);
        }
    }
}

fn render_key_result(key_result: &KeyResult, out: &mut String) {
    out.push_str("- ");
    out.push_str(&inline(&key_result.text, Place::KeyResult));
    if let Some(owner) = &key_result.owner {
        let _ = write!(out, " @{owner}");
    }
    let mut annotations = Vec::new();
    if let Some(kpi) = &key_result.kpi {
        annotations.push(format!("kpi: {kpi}"));
    }
    if let Some(weight) = key_result.weight {
        annotations.push(format!("weight: {}", weight.get()));
    }
    if let Some(cadence) = key_result.cadence {
        annotations.push(format!("cadence: {}", milepost_core::Named::as_str(cadence)));
    }
    if let Some(share) = key_result.required_share {
        // Percent with up to 4 decimals, without trailing zeros: 95%, 91.6667%.
        let percent = format!("{:.4}", share * 100.0);
        let percent = percent.trim_end_matches('0').trim_end_matches('.');
        annotations.push(format!("share: {percent}%"));
    }
    if !annotations.is_empty() {
        let _ = write!(out, " ({})", annotations.join(", "));
    }
    if let Some(id) = key_result.id {
        let _ = write!(out, " <!-- id: KR-{id} -->");
    }
    out.push('\n');
}

/// Escapes a title or sentence: backslashes that would escape, and the construct at its
/// end that would be read as an annotation, an `@handle` or an id marker.
fn inline(text: &str, place: Place) -> String {
    let opener = opener_to_escape(place, &plain(text));
    escape(text, |k, _| Some(k) == opener)
}

/// Escapes a description line: backslashes, and a start that would read as a heading,
/// a bullet, a comment or a Markdown rule.
pub(crate) fn description_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let at = match chars.first() {
        Some('#' | '-' | '*' | '+' | '=' | '_' | '<') => Some(0),
        Some(_) if digits > 0 && matches!(chars.get(digits), Some('.' | ')')) => Some(digits),
        _ => None,
    };
    escape(line, |k, _| Some(k) == at)
}

/// Writes `text` with a backslash before each backslash that would escape the next
/// character, and before each character `mark` picks.
pub(crate) fn escape(text: &str, mark: impl Fn(usize, char) -> bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 2);
    for (k, &c) in chars.iter().enumerate() {
        let next_escapes = chars.get(k + 1).is_some_and(|n| n.is_ascii_punctuation());
        if mark(k, c) || (c == '\\' && next_escapes) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_in_text_is_escaped() {
        assert_eq!(inline("Ping @dana", Place::KeyResult), "Ping \\@dana");
        assert_eq!(inline("Be bold (aspirational)", Place::Objective), "Be bold \\(aspirational)");
        assert_eq!(inline("Reduce churn (excluding trials)", Place::KeyResult), "Reduce churn (excluding trials)");
        assert_eq!(inline("a\\(b", Place::KeyResult), "a\\\\(b");
        assert_eq!(description_line("- not a bullet"), "\\- not a bullet");
        assert_eq!(description_line("1. not a bullet"), "1\\. not a bullet");
        assert_eq!(description_line("# not a heading"), "\\# not a heading");
        assert_eq!(description_line("plain words"), "plain words");
    }
}
