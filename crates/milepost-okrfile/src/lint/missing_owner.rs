//! `missing-owner`: the front matter names no owner, so nobody owns the objectives.

use super::{Input, Rule};
use crate::diagnostic::{Diagnostic, Severity};

/// The rule.
pub(super) const RULE: Rule =
    Rule { name: "missing-owner", severity: Severity::Error, summary: "the front matter has no `owner:` line" };

/// Only a file with front matter is checked, as for `missing-cycle`.
pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    if let (Some(fence), None) = (input.map.front_matter, input.map.owner) {
        out.push(
            Diagnostic::new(RULE.name, RULE.severity, fence, "the front matter names no owner")
                .suggest("add a line `owner: team/<slug>` for a team or `owner: @<handle>` for a person"),
        );
    }
}
