//! The OKR file as data: what a file says, without where it says it.
//!
//! One file describes one owner's objectives for one cycle (SPEC §5). [`OkrFile`] is
//! what `milepost apply` turns into a plan and what `milepost export` fills from the
//! database; [`crate::render`] writes it back as canonical text. Positions live apart
//! from it, in [`crate::SourceMap`], so that two files that say the same thing are equal
//! however they are laid out, and `parse(render(file)).file == file`.
//!
//! Text fields hold the text as a reader sees it: Markdown backslash escapes are
//! decoded (`\#` is `#`), everything else is kept as written.

use milepost_core::{Cadence, Commitment, KeyResultId, ObjectiveId, Visibility, Weight};
use serde::Serialize;

/// One owner's OKRs for one cycle.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct OkrFile {
    /// The cycle, as written after `cycle:` (`2026-Q4`); `None` when missing, which is
    /// an error.
    pub cycle: Option<String>,
    /// Whose objectives these are; `None` when missing, which is an error.
    pub owner: Option<Owner>,
    /// What every objective of the file aligns to unless its heading says otherwise.
    pub aligns: Option<Alignment>,
    /// The objectives, in file order.
    pub objectives: Vec<Objective>,
}

/// Who owns the objectives of a file, or a key result.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum Owner {
    /// A team, by its slug: written `team/customer-support`.
    Team(String),
    /// A person, by their handle: written `@dana`.
    Person(String),
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::Team(slug) => write!(f, "team/{slug}"),
            Owner::Person(handle) => write!(f, "@{handle}"),
        }
    }
}

/// What an objective aligns to (SPEC §3): a parent objective or a parent key result.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Alignment {
    /// A parent objective by its id: written `O-12`.
    Objective {
        /// The parent's id.
        id: ObjectiveId,
    },
    /// A parent key result by its id: written `KR-40`.
    KeyResult {
        /// The parent's id.
        id: KeyResultId,
    },
    /// A parent objective by its owner and the slug of its title, for files written
    /// before the parent had an id: written `company/delight-customers` (a team) or
    /// `@dana/ship-faster` (a person). `milepost apply` resolves it in the same cycle.
    Path {
        /// The parent objective's owner.
        owner: Owner,
        /// The slug of the parent objective's title.
        objective: String,
    },
}

impl std::fmt::Display for Alignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Alignment::Objective { id } => write!(f, "O-{id}"),
            Alignment::KeyResult { id } => write!(f, "KR-{id}"),
            Alignment::Path { owner: Owner::Team(team), objective } => write!(f, "{team}/{objective}"),
            Alignment::Path { owner: Owner::Person(handle), objective } => write!(f, "@{handle}/{objective}"),
        }
    }
}

/// An objective: a heading, an optional description and its key results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    /// The id given by `milepost apply`, kept in the file as `<!-- id: O-12 -->`; `None`
    /// for an objective that is new in the file.
    pub id: Option<ObjectiveId>,
    /// The title, one line.
    pub title: String,
    /// Committed or aspirational, when the heading says.
    pub commitment: Option<Commitment>,
    /// What this objective aligns to, when its heading says (it overrides the file's).
    pub aligns: Option<Alignment>,
    /// Who may see it, when the heading says.
    pub visibility: Option<Visibility>,
    /// The description: paragraphs separated by one blank line (`"\n\n"`), lines by
    /// `"\n"`, each line trimmed; empty when there is none.
    pub description: String,
    /// The key results, in file order.
    pub key_results: Vec<KeyResult>,
}

impl Objective {
    /// A new objective with a title and nothing else.
    pub fn new(title: impl Into<String>) -> Objective {
        Objective {
            id: None,
            title: title.into(),
            commitment: None,
            aligns: None,
            visibility: None,
            description: String::new(),
            key_results: Vec::new(),
        }
    }
}

/// A key result: a sentence and what is said about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyResult {
    /// The id given by `milepost apply`, kept in the file as `<!-- id: KR-40 -->`.
    pub id: Option<KeyResultId>,
    /// The sentence as written ("Cut first response time from 8h to 2h"), one line.
    /// Its kind, metric and numbers are read from it by [`crate::parse_key_result`].
    pub text: String,
    /// The owner's handle, written `@dana`.
    pub owner: Option<String>,
    /// The slug of the KPI that feeds it, written `(kpi: csat)`.
    pub kpi: Option<String>,
    /// Its weight in the objective's progress, written `(weight: 2)`; 1 when absent.
    pub weight: Option<Weight>,
    /// How often its owner checks in, written `(cadence: weekly)`.
    pub cadence: Option<Cadence>,
    /// Maintain and range: the share of slices that must meet the goal, 0–1, written
    /// `(share: 95%)` when the sentence does not say it ("in 95% of weeks"); it wins over
    /// the sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_share: Option<f64>,
}

impl KeyResult {
    /// A new key result with a sentence and nothing else.
    pub fn new(text: impl Into<String>) -> KeyResult {
        KeyResult {
            id: None,
            text: text.into(),
            owner: None,
            kpi: None,
            weight: None,
            cadence: None,
            required_share: None,
        }
    }
}

/// Brings a description to the form the file keeps: each line trimmed, no blank lines
/// at either end, and runs of blank lines between paragraphs made one. `milepost export`
/// passes a stored description through this so that the file round-trips.
pub fn normalize_description(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_trimmed_and_paragraphs_kept() {
        assert_eq!(normalize_description("\n\n  One\n two  \n\n\n\nThree\n\n"), "One\ntwo\n\nThree");
        assert_eq!(normalize_description("   \n "), "");
    }

    #[test]
    fn owners_and_alignments_print_as_written_in_a_file() {
        assert_eq!(Owner::Team("support".into()).to_string(), "team/support");
        assert_eq!(Owner::Person("dana".into()).to_string(), "@dana");
        assert_eq!(Alignment::Objective { id: ObjectiveId(3) }.to_string(), "O-3");
        assert_eq!(Alignment::KeyResult { id: KeyResultId(40) }.to_string(), "KR-40");
        let path = Alignment::Path { owner: Owner::Team("company".into()), objective: "delight".into() };
        assert_eq!(path.to_string(), "company/delight");
    }
}
