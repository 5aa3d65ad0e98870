//! What a change to OKR and KPI files would do, for review (`milepost diff OLD NEW`):
//! two sets of files compared by meaning, not by line, and written as Markdown fit for
//! a pull request comment.
//!
//! Objectives are matched by their id marker, else by cycle, owner and title; key
//! results within their objective by id marker, else by sentence; KPIs by id marker,
//! else by slug. A match whose fields differ is a change, listed field by field; a key
//! result whose sentence changed says how the new one reads (kind, start, target,
//! unit), since that is what the numbers will become. An objective (or KPI) that the old
//! files hold and the new do not is one `milepost apply` archives, when the new files
//! still hold its owner's file for that cycle; otherwise its file was removed, and apply
//! leaves it alone (apply only archives for the owners its files name). The new files'
//! errors, which would stop the apply, are listed first.
//!
//! Pure: the caller reads the folders or the git trees and hands over names and texts.

use crate::file::{KeyResult, Objective, OkrFile, Owner};
use crate::kpi_file::{Kpi, KpiOwner};
use crate::{Diagnostic, Severity};
use milepost_core::{Comparator, Named};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// One file: its name (a path) and its text.
#[derive(Debug, Clone, Copy)]
pub struct FileText<'a> {
    /// The path, as the comment shows it.
    pub name: &'a str,
    /// The text.
    pub text: &'a str,
}

/// What changes between two sets of files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FilesDiff {
    /// Errors in the new files: the apply would be refused until they are fixed.
    pub errors: Vec<Diagnostic>,
    /// Changes to objectives and their key results, in the new files' order, removals
    /// last.
    pub objectives: Vec<ObjectiveDiff>,
    /// Changes to KPIs.
    pub kpis: Vec<KpiDiff>,
}

impl FilesDiff {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.objectives.is_empty() && self.kpis.is_empty()
    }
}

/// What happens to a thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// New in the new files.
    Added,
    /// In both, with fields that differ.
    Changed,
    /// Gone from a file the new set still has: apply archives it.
    Archived,
    /// Its whole file is gone: apply does not touch it.
    Unmanaged,
}

/// A field that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDiff {
    /// The field's name as the file format says it.
    pub field: String,
    /// Before, as text (`none` when unset).
    pub before: String,
    /// After.
    pub after: String,
}

/// An objective that changes, with its key results that do.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveDiff {
    /// What happens to it.
    pub change: Change,
    /// Its cycle.
    pub cycle: String,
    /// Its owner (`team/support`, `@dana`).
    pub owner: String,
    /// The file it is in (the old file for a removal).
    pub file: String,
    /// Its id marker, `O-12`, if it has one.
    pub id: Option<String>,
    /// Its title (the new one when it changed).
    pub title: String,
    /// Its own fields that differ (for a change).
    pub fields: Vec<FieldDiff>,
    /// Its key results that change.
    pub key_results: Vec<KeyResultDiff>,
}

/// A key result that changes.
#[derive(Debug, Clone, Serialize)]
pub struct KeyResultDiff {
    /// What happens to it.
    pub change: Change,
    /// Its id marker, `KR-7`, if it has one.
    pub id: Option<String>,
    /// Its sentence (the new one when it changed).
    pub text: String,
    /// How the (new) sentence reads, for an added key result or a changed sentence.
    pub reads: Option<String>,
    /// The fields that differ (for a change).
    pub fields: Vec<FieldDiff>,
}

/// A KPI that changes.
#[derive(Debug, Clone, Serialize)]
pub struct KpiDiff {
    /// What happens to it.
    pub change: Change,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The file it is in.
    pub file: String,
    /// The fields that differ (for a change).
    pub fields: Vec<FieldDiff>,
}

struct Placed<'a, T> {
    file: &'a str,
    cycle: String,
    owner: String,
    item: T,
}

/// Compares two sets of files.
pub fn diff_files(old: &[FileText<'_>], new: &[FileText<'_>]) -> FilesDiff {
    let mut out = FilesDiff::default();
    for file in new {
        out.errors
            .extend(crate::check(file.name, file.text, None).into_iter().filter(|d| d.severity == Severity::Error));
    }
    let (old_objectives, old_kpis, _) = read(old);
    let (new_objectives, new_kpis, new_scopes) = read(new);
    out.objectives = diff_objectives(&old_objectives, &new_objectives, &new_scopes);
    out.kpis = diff_kpis(&old_kpis, &new_kpis, &new_scopes);
    out
}

/// What a file set holds: objectives and KPIs with where they are, and the (cycle,
/// owner) pairs and KPI owners it has files for.
type Read<'a> = (Vec<Placed<'a, Objective>>, Vec<Placed<'a, Kpi>>, HashSet<(String, String)>);

fn read<'a>(files: &[FileText<'a>]) -> Read<'a> {
    let mut objectives = Vec::new();
    let mut kpis = Vec::new();
    let mut scopes = HashSet::new();
    for file in files {
        if crate::is_kpi_file(file.text) {
            let parsed = crate::parse_kpis(file.text);
            let owner = parsed.file.owner.as_ref().map_or_else(|| KpiOwner::Nobody.to_string(), ToString::to_string);
            scopes.insert(("kpis".to_owned(), owner.clone()));
            for kpi in parsed.file.kpis {
                kpis.push(Placed { file: file.name, cycle: String::new(), owner: owner.clone(), item: kpi });
            }
            continue;
        }
        let OkrFile { cycle, owner, objectives: list, .. } = crate::parse(file.text).file;
        let cycle = cycle.unwrap_or_default();
        let owner = owner.as_ref().map(Owner::to_string).unwrap_or_default();
        scopes.insert((cycle.clone(), owner.clone()));
        for objective in list {
            objectives.push(Placed { file: file.name, cycle: cycle.clone(), owner: owner.clone(), item: objective });
        }
    }
    (objectives, kpis, scopes)
}

fn diff_objectives(
    old: &[Placed<'_, Objective>],
    new: &[Placed<'_, Objective>],
    new_scopes: &HashSet<(String, String)>,
) -> Vec<ObjectiveDiff> {
    let mut out = Vec::new();
    let mut matched = HashSet::new();
    for placed in new {
        let objective = &placed.item;
        let found = old.iter().enumerate().find(|(i, o)| {
            !matched.contains(i)
                && match (objective.id, o.item.id) {
                    (Some(a), Some(b)) => a == b,
                    _ => o.cycle == placed.cycle && o.owner == placed.owner && o.item.title == objective.title,
                }
        });
        let id = objective.id.map(|id| format!("O-{id}"));
        match found {
            None => out.push(ObjectiveDiff {
                change: Change::Added,
                cycle: placed.cycle.clone(),
                owner: placed.owner.clone(),
                file: placed.file.to_owned(),
                id,
                title: objective.title.clone(),
                fields: Vec::new(),
                key_results: objective.key_results.iter().map(added_key_result).collect(),
            }),
            Some((index, before)) => {
                matched.insert(index);
                let mut fields = fields_of(&before.item, objective, &["id", "key_results"]);
                if before.cycle != placed.cycle {
                    fields.insert(
                        0,
                        FieldDiff { field: "cycle".into(), before: before.cycle.clone(), after: placed.cycle.clone() },
                    );
                }
                if before.owner != placed.owner {
                    fields.insert(
                        0,
                        FieldDiff { field: "owner".into(), before: before.owner.clone(), after: placed.owner.clone() },
                    );
                }
                let key_results = diff_key_results(&before.item.key_results, &objective.key_results);
                if !fields.is_empty() || !key_results.is_empty() {
                    out.push(ObjectiveDiff {
                        change: Change::Changed,
                        cycle: placed.cycle.clone(),
                        owner: placed.owner.clone(),
                        file: placed.file.to_owned(),
                        id,
                        title: objective.title.clone(),
                        fields,
                        key_results,
                    });
                }
            }
        }
    }
    for (_, gone) in old.iter().enumerate().filter(|(i, _)| !matched.contains(i)) {
        let managed = new_scopes.contains(&(gone.cycle.clone(), gone.owner.clone()));
        out.push(ObjectiveDiff {
            change: if managed { Change::Archived } else { Change::Unmanaged },
            cycle: gone.cycle.clone(),
            owner: gone.owner.clone(),
            file: gone.file.to_owned(),
            id: gone.item.id.map(|id| format!("O-{id}")),
            title: gone.item.title.clone(),
            fields: Vec::new(),
            key_results: Vec::new(),
        });
    }
    out
}

fn added_key_result(key_result: &KeyResult) -> KeyResultDiff {
    KeyResultDiff {
        change: Change::Added,
        id: key_result.id.map(|id| format!("KR-{id}")),
        text: key_result.text.clone(),
        reads: Some(reads(&key_result.text)),
        fields: Vec::new(),
    }
}

fn diff_key_results(old: &[KeyResult], new: &[KeyResult]) -> Vec<KeyResultDiff> {
    let mut out = Vec::new();
    // First by id marker or the same sentence; then a line without a marker whose
    // sentence changed is the one at its place, if that one is left over too.
    let mut pairs: Vec<Option<usize>> = vec![None; new.len()];
    let mut taken = HashSet::new();
    for (n, key_result) in new.iter().enumerate() {
        pairs[n] = old.iter().enumerate().position(|(i, k)| {
            !taken.contains(&i)
                && match (key_result.id, k.id) {
                    (Some(a), Some(b)) => a == b,
                    _ => k.text == key_result.text,
                }
        });
        if let Some(i) = pairs[n] {
            taken.insert(i);
        }
    }
    for (n, key_result) in new.iter().enumerate() {
        if pairs[n].is_none() && key_result.id.is_none() && n < old.len() && old[n].id.is_none() && !taken.contains(&n)
        {
            pairs[n] = Some(n);
            taken.insert(n);
        }
    }
    let mut matched = HashSet::new();
    for (n, key_result) in new.iter().enumerate() {
        let found = pairs[n].map(|i| (i, &old[i]));
        match found {
            None => out.push(added_key_result(key_result)),
            Some((index, before)) => {
                matched.insert(index);
                let fields = fields_of(before, key_result, &["id"]);
                if !fields.is_empty() {
                    let sentence_changed = before.text != key_result.text;
                    out.push(KeyResultDiff {
                        change: Change::Changed,
                        id: key_result.id.map(|id| format!("KR-{id}")),
                        text: key_result.text.clone(),
                        reads: sentence_changed.then(|| reads(&key_result.text)),
                        fields,
                    });
                }
            }
        }
    }
    for (index, gone) in old.iter().enumerate() {
        if !matched.contains(&index) {
            out.push(KeyResultDiff {
                change: Change::Archived,
                id: gone.id.map(|id| format!("KR-{id}")),
                text: gone.text.clone(),
                reads: None,
                fields: Vec::new(),
            });
        }
    }
    out
}

fn diff_kpis(old: &[Placed<'_, Kpi>], new: &[Placed<'_, Kpi>], new_scopes: &HashSet<(String, String)>) -> Vec<KpiDiff> {
    let mut out = Vec::new();
    let mut matched = HashSet::new();
    for placed in new {
        let kpi = &placed.item;
        let slug = kpi.effective_slug().unwrap_or_default();
        let found = old.iter().enumerate().find(|(i, o)| {
            !matched.contains(i)
                && match (kpi.id, o.item.id) {
                    (Some(a), Some(b)) => a == b,
                    _ => o.item.effective_slug().unwrap_or_default() == slug,
                }
        });
        match found {
            None => out.push(KpiDiff {
                change: Change::Added,
                slug,
                name: kpi.name.clone(),
                file: placed.file.to_owned(),
                fields: Vec::new(),
            }),
            Some((index, before)) => {
                matched.insert(index);
                let mut fields = fields_of(&before.item, kpi, &["id"]);
                if before.owner != placed.owner {
                    fields.insert(
                        0,
                        FieldDiff { field: "owner".into(), before: before.owner.clone(), after: placed.owner.clone() },
                    );
                }
                if !fields.is_empty() {
                    out.push(KpiDiff {
                        change: Change::Changed,
                        slug,
                        name: kpi.name.clone(),
                        file: placed.file.to_owned(),
                        fields,
                    });
                }
            }
        }
    }
    for (index, gone) in old.iter().enumerate() {
        if !matched.contains(&index) {
            let managed = new_scopes.contains(&("kpis".to_owned(), gone.owner.clone()));
            out.push(KpiDiff {
                change: if managed { Change::Archived } else { Change::Unmanaged },
                slug: gone.item.effective_slug().unwrap_or_default(),
                name: gone.item.name.clone(),
                file: gone.file.to_owned(),
                fields: Vec::new(),
            });
        }
    }
    out
}

/// The fields of two values of one type that differ, by their serialized form, leaving
/// out `skip`.
fn fields_of<T: Serialize>(before: &T, after: &T, skip: &[&str]) -> Vec<FieldDiff> {
    let (Ok(Value::Object(before)), Ok(Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    let keys: BTreeMap<&String, ()> = before.keys().chain(after.keys()).map(|k| (k, ())).collect();
    let mut out = Vec::new();
    for key in keys.into_keys().filter(|k| !skip.contains(&k.as_str())) {
        let (a, b) = (before.get(key).unwrap_or(&Value::Null), after.get(key).unwrap_or(&Value::Null));
        if a != b {
            out.push(FieldDiff { field: key.replace('_', " "), before: shown(a), after: shown(b) });
        }
    }
    // The sentence first: it is what a reviewer reads.
    out.sort_by_key(|f| f.field != "text" && f.field != "title");
    out
}

fn shown(value: &Value) -> String {
    match value {
        Value::Null => "none".to_owned(),
        Value::String(s) if s.is_empty() => "none".to_owned(),
        Value::String(s) => s.clone(),
        Value::Object(map) if map.contains_key("type") => {
            // Tagged values (owners, alignments): their parts, without the tag's name.
            map.iter().filter(|(k, _)| *k != "type").map(|(_, v)| shown(v)).collect::<Vec<_>>().join(" ")
        }
        other => other.to_string(),
    }
}

/// How a key result sentence reads, in words: "decrease from 8 h to 2 h".
pub fn reads(text: &str) -> String {
    let Ok(parsed) = crate::parse_key_result(text) else { return "too long to read".to_owned() };
    let Some(kind) = parsed.kind else { return "not measurable: no number or milestone can be read".to_owned() };
    let unit =
        parsed.unit.as_deref().map(|u| if u == "%" { u.to_owned() } else { format!(" {u}") }).unwrap_or_default();
    let number = |v: f64| format!("{v}{unit}");
    let mut words = kind.as_str().to_owned();
    if let Some(metric) = &parsed.metric {
        let _ = write!(words, " “{metric}”");
    }
    if let Some([low, high]) = parsed.range {
        let _ = write!(words, " between {} and {}", number(low), number(high));
    }
    if let Some(start) = parsed.start {
        let _ = write!(words, " from {}", number(start));
    }
    if let Some(comparator) = parsed.comparator {
        let _ = write!(words, " {}", if comparator == Comparator::AtLeast { "at or above" } else { "at or below" });
    }
    if let Some(target) = parsed.target {
        let to = if parsed.comparator.is_some() { "" } else { " to" };
        let _ = write!(words, "{to} {}", number(target));
    }
    if let Some(change) = parsed.relative_change {
        let _ = write!(words, " by {}%", (change * 1000.0).round() / 10.0);
    }
    if let Some(delta) = parsed.delta {
        let _ = write!(words, " by {}", number(delta));
    }
    words
}

/// The diff as Markdown, for a pull request comment.
pub fn render_diff_markdown(diff: &FilesDiff) -> String {
    let mut out = String::from("### Milepost: what these OKR changes do\n\n");
    if diff.is_empty() {
        out.push_str("No change to objectives, key results or KPIs.\n");
        return out;
    }
    if !diff.errors.is_empty() {
        let _ = writeln!(
            out,
            "**{} error(s): `milepost apply` would refuse these files until they are fixed.**\n",
            diff.errors.len()
        );
        for error in &diff.errors {
            let _ = writeln!(
                out,
                "- `{}:{}:{}` {} [{}]",
                error.file,
                error.line,
                error.column,
                cell(&error.message),
                error.rule
            );
        }
        out.push('\n');
    }
    let mut groups: Vec<(String, Vec<&ObjectiveDiff>)> = Vec::new();
    for objective in &diff.objectives {
        let key = format!("{} · {}", objective.cycle, objective.owner);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(objective),
            None => groups.push((key, vec![objective])),
        }
    }
    for (group, objectives) in groups {
        let _ = writeln!(out, "#### {group}\n");
        for objective in objectives {
            let id = objective.id.as_deref().map(|id| format!(" ({id})")).unwrap_or_default();
            let what = match objective.change {
                Change::Added => "➕ new objective",
                Change::Changed => "✏️ objective",
                Change::Archived => "➖ objective archived by `milepost apply`",
                Change::Unmanaged => "⚪ objective whose file is gone (apply leaves it as it is)",
            };
            let _ = writeln!(out, "- {what} **{}**{id} — `{}`", cell(&objective.title), objective.file);
            for field in &objective.fields {
                let _ = writeln!(out, "  - {}: {} → {}", field.field, quoted(&field.before), quoted(&field.after));
            }
            for key_result in &objective.key_results {
                let id = key_result.id.as_deref().map(|id| format!(" {id}")).unwrap_or_default();
                let what = match key_result.change {
                    Change::Added => "➕ key result",
                    Change::Changed => "✏️ key result",
                    _ => "➖ key result archived",
                };
                let _ = write!(out, "  - {what}{id}: {}", quoted(&key_result.text));
                if let Some(reads) = &key_result.reads {
                    let _ = write!(out, " — reads as: {}", cell(reads));
                }
                out.push('\n');
                for field in key_result.fields.iter().filter(|f| f.field != "text") {
                    let _ =
                        writeln!(out, "    - {}: {} → {}", field.field, quoted(&field.before), quoted(&field.after));
                }
                if let Some(text) = key_result.fields.iter().find(|f| f.field == "text") {
                    let _ = writeln!(out, "    - was: {}", quoted(&text.before));
                }
            }
        }
        out.push('\n');
    }
    if !diff.kpis.is_empty() {
        out.push_str("#### KPIs\n\n");
        for kpi in &diff.kpis {
            let what = match kpi.change {
                Change::Added => "➕ new KPI",
                Change::Changed => "✏️ KPI",
                Change::Archived => "➖ KPI archived by `milepost apply`",
                Change::Unmanaged => "⚪ KPI whose file is gone (apply leaves it as it is)",
            };
            let _ = writeln!(out, "- {what} **{}** (`{}`) — `{}`", cell(&kpi.name), kpi.slug, kpi.file);
            for field in &kpi.fields {
                let _ = writeln!(out, "  - {}: {} → {}", field.field, quoted(&field.before), quoted(&field.after));
            }
        }
        out.push('\n');
    }
    let count = |change: Change| diff.objectives.iter().filter(|o| o.change == change).count();
    let key_results =
        |change: Change| diff.objectives.iter().flat_map(|o| &o.key_results).filter(|k| k.change == change).count();
    let _ = writeln!(
        out,
        "Objectives: {} new, {} changed, {} archived. Key results: {} new, {} changed, {} archived. KPIs: {} changed or new.",
        count(Change::Added),
        count(Change::Changed),
        count(Change::Archived),
        key_results(Change::Added),
        key_results(Change::Changed),
        key_results(Change::Archived),
        diff.kpis.len()
    );
    out
}

/// Text safe inside a Markdown list item: no line breaks, no HTML.
fn cell(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('<', "&lt;").replace('>', "&gt;")
}

/// A value in backticks, its own backticks fenced with more.
fn quoted(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}
