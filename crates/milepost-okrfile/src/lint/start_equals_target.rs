//! `start-equals-target`: a key result whose target is where it starts ("from 5% to
//! 5%", "by 0%", "between 3% and 3%"). Its progress would divide by zero (SPEC §4), so
//! it cannot be applied.

use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "start-equals-target",
    severity: Severity::Error,
    summary: "a key result whose target equals its start, a change of zero, or a band of one value",
};

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for k in input.key_results() {
        let s = k.sentence;
        let unit = s.unit.as_deref().map_or(String::new(), |u| if u == "%" { u.to_owned() } else { format!(" {u}") });
        let text = quote(&k.key_result.text);
        let no_change = changes_by_nothing(s);
        let problem = match (s.start, s.target, s.range) {
            (Some(start), Some(target), _) if start == target => {
                Some(format!("the key result {text} starts and ends at {start}{unit}: there is nowhere to go"))
            }
            (_, _, Some([low, high])) if low == high => Some(format!(
                "the key result {text} keeps a band from {low}{unit} to {high}{unit}, which is a single value"
            )),
            _ if no_change => Some(format!("the key result {text} changes by nothing, so its target is its start")),
            _ => None,
        };
        if let Some(message) = problem {
            out.push(
                Diagnostic::new(RULE.name, RULE.severity, k.at.text, message)
                    .suggest("state a target different from the start, as in `from 5% to 3%`"),
            );
        }
    }
}

/// Whether a sentence states a change of zero ("by 0%", "by 0").
fn changes_by_nothing(s: &crate::sentence::ParsedKeyResult) -> bool {
    // `Some(-0.0) == Some(0.0)`: "by 0%" on a decrease is also no change.
    s.relative_change == Some(0.0) || s.delta == Some(0.0)
}

/// Whether this rule reports the sentence: its target is its start, it changes by
/// nothing, or its band is one value.
pub(super) fn says_no_change(s: &crate::sentence::ParsedKeyResult) -> bool {
    changes_by_nothing(s)
        || matches!((s.start, s.target), (Some(start), Some(target)) if start == target)
        || matches!(s.range, Some([low, high]) if low == high)
}
