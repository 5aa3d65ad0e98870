//! The front matter: `cycle:`, `owner:` and `aligns:` between two `---` lines.
//!
//! It looks like YAML so that Markdown tools show it as metadata, but it is read by
//! this small scanner, one `key: value` a line, and nothing else of YAML applies.

use super::annotation::SYNTAX;
use super::value::{Problem, parse_alignment, parse_owner};
use super::{LineKind, ParsedFile, classify, decode};
use crate::diagnostic::{Diagnostic, Span};
use crate::suggest::closest;

/// The keys the front matter may hold, in the order the canonical form writes them.
pub(crate) const KEYS: [&str; 3] = ["cycle", "owner", "aligns"];

/// Reads the front matter into `parsed` and returns the index of the first line of the
/// body.
pub(super) fn read(lines: &[&str], parsed: &mut ParsedFile) -> usize {
    let Some(start) = lines.iter().position(|l| !l.trim().is_empty()) else {
        parsed.diagnostics.push(missing(Span::new(1, 1, 1)));
        return lines.len();
    };
    if lines[start].trim_end() != "---" {
        let width = lines[start].chars().count();
        parsed.diagnostics.push(missing(Span::new(start + 1, 1, width + 1)));
        return start;
    }
    let fence = Span::new(start + 1, 1, 4);
    parsed.source_map.front_matter = Some(fence);
    let mut seen: Vec<&str> = Vec::new();
    for (index, line) in lines.iter().enumerate().skip(start + 1) {
        let number = index + 1;
        if line.trim_end() == "---" {
            return index + 1;
        }
        if line.trim().is_empty() {
            continue;
        }
        if matches!(classify(&decode(line)), LineKind::Heading { level: 1, .. } | LineKind::Bullet { indent: 0, .. }) {
            parsed.diagnostics.push(
                Diagnostic::error(
                    SYNTAX,
                    fence,
                    format!("the front matter is not closed: expected `---` before line {number}"),
                )
                .suggest("add a line `---` after the last `key: value` line"),
            );
            return index;
        }
        entry(number, line, &mut seen, parsed);
    }
    parsed.diagnostics.push(
        Diagnostic::error(SYNTAX, fence, "the front matter is not closed: expected a closing `---`")
            .suggest("add a line `---` after the last `key: value` line"),
    );
    lines.len()
}

fn missing(span: Span) -> Diagnostic {
    Diagnostic::error(
        SYNTAX,
        span,
        "expected front matter: a `---` line, `cycle:` and `owner:` lines, and a `---` line",
    )
    .suggest("start the file with `---`, `cycle: 2026-Q4`, `owner: team/<slug>` and `---`, one a line")
}

/// Reads one `key: value` line.
fn entry(number: usize, line: &str, seen: &mut Vec<&'static str>, parsed: &mut ParsedFile) {
    let chars: Vec<char> = line.chars().collect();
    let lead = chars.iter().take_while(|c| c.is_whitespace()).count();
    let width = chars.len();
    let whole = Span::new(number, lead + 1, chars.iter().rposition(|c| !c.is_whitespace()).map_or(lead + 1, |k| k + 2));
    let Some(colon) = chars.iter().position(|&c| c == ':') else {
        parsed.diagnostics.push(
            Diagnostic::error(SYNTAX, whole, "expected `key: value` in the front matter")
                .suggest("the front matter holds `cycle:`, `owner:` and `aligns:` lines"),
        );
        return;
    };
    let key: String = chars[..colon].iter().collect::<String>().trim().to_lowercase();
    let key_span = Span::new(number, lead + 1, colon + 1);
    let Some(&known) = KEYS.iter().find(|k| **k == key) else {
        let message = if key == "kpis" {
            "`kpis:` is reserved for KPI files, which hold KPIs and no `cycle:`, `owner:` or objectives".to_owned()
        } else {
            format!("`{key}` is not a front matter key: expected `cycle`, `owner` or `aligns`")
        };
        let suggestion = match closest(&key, KEYS) {
            Some(near) => format!("did you mean `{near}`?"),
            None => "remove the line: the front matter holds only `cycle:`, `owner:` and `aligns:`".to_owned(),
        };
        parsed.diagnostics.push(Diagnostic::error(SYNTAX, key_span, message).suggest(suggestion));
        return;
    };
    if seen.contains(&known) {
        parsed
            .diagnostics
            .push(Diagnostic::error(SYNTAX, key_span, format!("`{known}` is given twice")).suggest("keep one of them"));
        return;
    }
    seen.push(known);
    let after = colon + 1;
    let value_lead = chars[after..].iter().take_while(|c| c.is_whitespace()).count();
    let value_start = after + value_lead;
    let value_end = chars.iter().rposition(|c| !c.is_whitespace()).map_or(value_start, |k| (k + 1).max(value_start));
    let raw: String = chars[value_start..value_end].iter().collect();
    let value = unquote(&raw);
    let value_span = Span::new(number, value_start + 1, value_end + 1);
    // The place is kept even when the value is wrong, so that one mistake is reported
    // once (as a syntax error) and not a second time as a missing key.
    let place = if value.is_empty() { Span::new(number, width + 1, width + 1) } else { value_span };
    match known {
        "cycle" => parsed.source_map.cycle = Some(place),
        "owner" => parsed.source_map.owner = Some(place),
        _ => parsed.source_map.aligns = Some(place),
    }
    if value.is_empty() {
        parsed.diagnostics.push(
            Diagnostic::error(
                SYNTAX,
                Span::new(number, width + 1, width + 1),
                format!("expected a value after `{known}:`"),
            )
            .suggest(match known {
                "cycle" => "name the cycle, as in `cycle: 2026-Q4`",
                "owner" => "name a team or a person, as in `owner: team/customer-support` or `owner: @dana`",
                _ => "name a parent objective or key result, as in `aligns: O-12`",
            }),
        );
        return;
    }
    let problem = |problem: Problem| {
        let d = Diagnostic::error(SYNTAX, value_span, problem.message);
        match problem.suggestion {
            Some(s) => d.suggest(s),
            None => d,
        }
    };
    match known {
        "cycle" => parsed.file.cycle = Some(value.to_owned()),
        "owner" => match parse_owner(value) {
            Ok(owner) => parsed.file.owner = Some(owner),
            Err(p) => parsed.diagnostics.push(problem(p)),
        },
        _ => match parse_alignment(value) {
            Ok(aligns) => parsed.file.aligns = Some(aligns),
            Err(p) => parsed.diagnostics.push(problem(p)),
        },
    }
}

/// A value without the quotes YAML would allow around it.
pub(super) fn unquote(raw: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = raw.strip_prefix(quote).and_then(|r| r.strip_suffix(quote)) {
            return inner.trim();
        }
    }
    raw
}

#[cfg(test)]
mod tests {
    use crate::file::Owner;
    use crate::parse;

    #[test]
    fn the_front_matter_is_read_line_by_line() {
        let parsed = parse("---\ncycle: \"2026-Q4\"\nowner:   team/support  \n\naligns: O-3\n---\n");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.file.cycle.as_deref(), Some("2026-Q4"));
        assert_eq!(parsed.file.owner, Some(Owner::Team("support".into())));
        let owner = parsed.source_map.owner.unwrap();
        assert_eq!((owner.line, owner.column, owner.end_column), (3, 10, 22));
    }

    #[test]
    fn wrong_keys_and_values_say_what_was_expected() {
        let parsed = parse("---\ncycel: 2026-Q4\nowner: support\nowner: @dana\naligns:\nkpis: x\njust words\n---\n");
        let messages: Vec<&str> = parsed.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 6, "{messages:?}");
        assert_eq!(parsed.diagnostics[0].suggestion.as_deref(), Some("did you mean `cycle`?"));
        assert!(messages[1].contains("expected `team/<slug>` or `@<handle>`"));
        assert!(messages[2].contains("given twice"));
        assert!(messages[3].contains("expected a value after `aligns:`"));
        assert!(messages[4].contains("reserved"));
        assert!(messages[5].contains("expected `key: value`"));
    }

    #[test]
    fn a_wrong_owner_is_one_syntax_error_not_also_a_missing_one() {
        let text = "---\ncycle:\nowner: Customer Support\n---\n\n# Ship\n\n- Cut build time from 20 min to 5 min\n";
        let found = crate::check("x.md", text, None);
        let rules: Vec<&str> = found.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["syntax", "syntax"], "{found:#?}");
    }

    #[test]
    fn an_unclosed_front_matter_ends_at_the_first_heading() {
        let parsed = parse("---\ncycle: 2026-Q4\nowner: @dana\n# Ship\n- Ship it\n");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert!(parsed.diagnostics[0].message.contains("before line 4"));
        assert_eq!(parsed.file.objectives.len(), 1);
        assert_eq!(parsed.file.cycle.as_deref(), Some("2026-Q4"));
    }

    #[test]
    fn a_file_without_front_matter_says_so_once() {
        let parsed = parse("# Ship\n- Ship it\n");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.file.objectives.len(), 1);
        assert_eq!(parse("").diagnostics.len(), 1);
    }
}
