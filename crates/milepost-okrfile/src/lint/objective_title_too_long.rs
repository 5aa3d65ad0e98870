//! `objective-title-too-long`: an objective whose title is longer than a title may be
//! ([`Title::MAX`] characters), which apply refuses. The title is the heading's text
//! without its annotations; whatever more there is to say goes in the description.

use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};
use milepost_core::Title;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "objective-title-too-long",
    severity: Severity::Error,
    summary: "an objective title longer than the 300 characters a title holds",
};

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for o in input.objectives() {
        let title = &o.objective.title;
        let chars = title.trim().chars().count();
        if chars <= Title::MAX {
            continue;
        }
        out.push(
            Diagnostic::new(
                RULE.name,
                RULE.severity,
                o.at.title,
                format!(
                    "the objective {} has a title of {chars} characters, more than the {} a title may have",
                    quote(title),
                    Title::MAX
                ),
            )
            .suggest("keep the title to one short line; move the rest into the description, the lines under it"),
        );
    }
}
