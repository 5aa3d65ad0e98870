//! `duplicate-file-owner`: two OKR files checked together for the same owner and cycle.
//! An owner's objectives of a cycle live in one file, so that a file says everything the
//! owner plans (and apply can archive what it no longer says); apply refuses a second
//! one. The only rule that reads several files at once ([`super::check_files`]).

use super::Rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::file::Owner;
use crate::parse::ParsedFile;
use std::collections::HashMap;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "duplicate-file-owner",
    severity: Severity::Error,
    summary: "two files for the same owner and cycle, which apply refuses: one file holds an owner's objectives",
};

/// The diagnostics of `files` (each its index among the files checked, its path and
/// what it parsed to), each with the index of the later file and placed at its `owner:`. The cycle is compared as written, ignoring case: the
/// database knows which names and slugs are the same cycle, and apply checks that.
pub(super) fn check(files: &[(usize, &str, &ParsedFile)]) -> Vec<(usize, Diagnostic)> {
    let mut first: HashMap<(&Owner, String), &str> = HashMap::new();
    let mut out = Vec::new();
    for (index, path, parsed) in files {
        let (Some(owner), Some(cycle), Some(span)) = (&parsed.file.owner, &parsed.file.cycle, parsed.source_map.owner)
        else {
            continue;
        };
        let key = (owner, cycle.trim().to_lowercase());
        match first.get(&key) {
            Some(earlier) => out.push((
                *index,
                Diagnostic::new(
                    RULE.name,
                    RULE.severity,
                    span,
                    format!("{earlier} already holds the objectives of {owner} for cycle {}", cycle.trim()),
                )
                .suggest(format!("move these objectives into {earlier}: one file per owner and cycle"))
                .in_file(path),
            )),
            None => {
                first.insert(key, path);
            }
        }
    }
    out
}
