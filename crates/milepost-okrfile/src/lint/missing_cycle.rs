//! `missing-cycle`: the front matter names no cycle, so nothing says when the
//! objectives are due.

use super::{Input, Rule};
use crate::diagnostic::{Diagnostic, Severity};

/// The rule.
pub(super) const RULE: Rule =
    Rule { name: "missing-cycle", severity: Severity::Error, summary: "the front matter has no `cycle:` line" };

/// Only a file with front matter is checked: a file without any already has a syntax
/// error that says what the front matter must hold.
pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    if let (Some(fence), None) = (input.map.front_matter, input.map.cycle) {
        out.push(
            Diagnostic::new(RULE.name, RULE.severity, fence, "the front matter names no cycle")
                .suggest("add a line `cycle: 2026-Q4` naming the cycle these objectives belong to"),
        );
    }
}
