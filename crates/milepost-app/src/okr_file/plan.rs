//! What `milepost apply` asks and answers: the files sent, and the plan of changes it
//! makes (or would make, in a dry run), each with the fields that differ.

use serde::{Deserialize, Serialize};

/// One OKR file: where it lives (a path relative to the folder of files) and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OkrFileText {
    /// The file's path, as it is shown in messages (`okrs/2026-Q4/support.md`).
    pub name: String,
    /// The file's Markdown.
    pub text: String,
}

/// Files to apply.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// The files, each one owner's objectives for one cycle.
    pub files: Vec<OkrFileText>,
    /// Only plan: change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Why a start or target moves, when one does after its cycle began (SPEC §4:
    /// moving the goalposts is allowed, never silently).
    pub reason: Option<String>,
    /// Archive the objectives and KPIs of the files' owners that no file mentions.
    /// Without it, an apply that would archive any is refused with the list (a dry run
    /// lists them in its plan), so that adding a file for an owner who already has
    /// objectives never archives them as a side effect.
    #[serde(default)]
    pub archive: bool,
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A new objective or key result.
    Create,
    /// Some of its fields change.
    Update,
    /// It is no longer in its file: archived, never deleted.
    Archive,
    /// It was archived and is back in a file.
    Restore,
}

impl Action {
    /// The word, as in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Archive => "archive",
            Action::Restore => "restore",
        }
    }
}

/// One field that a change sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    /// The field, as the API names it.
    pub field: String,
    /// Its value before (`null` for none).
    pub before: serde_json::Value,
    /// Its value after.
    pub after: serde_json::Value,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Change {
    /// create, update, archive or restore.
    pub action: Action,
    /// `kpi`, `objective` or `key_result`.
    pub what: String,
    /// Its id; for a create, the new id (absent in a dry run).
    pub id: Option<i64>,
    /// Its title or sentence.
    pub title: String,
    /// The file that asks for it (absent for archives, which no file asks for).
    pub file: Option<String>,
    /// The line of that file.
    pub line: Option<usize>,
    /// The fields it sets (updates), or that the new object has (creates).
    pub fields: Vec<FieldChange>,
}

/// The plan, and whether it was carried out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    /// Every change: KPIs first, then objectives before their key results, in file
    /// order, each with its archives last.
    pub changes: Vec<Change>,
    /// Whether the changes were made (false for a dry run, or when there is nothing to do).
    pub applied: bool,
    /// The files with the ids of what was created written into them: the ones that
    /// changed, for the caller to save. Empty for a dry run.
    pub files: Vec<OkrFileText>,
}

impl Plan {
    /// How many changes of this action the plan has.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// Rows that are only bookkeeping, never shown as a changed field.
const BOOKKEEPING: &[&str] = &[
    "id",
    "workspace_id",
    "created_at",
    "updated_at",
    "version",
    "archived",
    "added_after_start",
    "current_value",
    "position",
];

/// The fields that differ between two rows (or all set fields of a new one).
pub(super) fn fields_of<T: Serialize>(before: Option<&T>, after: Option<&T>) -> Vec<FieldChange> {
    let as_map = |row: Option<&T>| match row.map(serde_json::to_value) {
        Some(Ok(serde_json::Value::Object(map))) => map,
        _ => serde_json::Map::new(),
    };
    let (before, after) = (as_map(before), as_map(after));
    let mut out = Vec::new();
    for (field, value) in &after {
        // A new key result is shown under its objective: its objective_id says nothing.
        if BOOKKEEPING.contains(&field.as_str()) || (before.is_empty() && field == "objective_id") {
            continue;
        }
        let old = before.get(field).cloned().unwrap_or(serde_json::Value::Null);
        // A new thing shows what it has, not the blanks it was made with.
        let blank = matches!(value, serde_json::Value::Null | serde_json::Value::Bool(false))
            || value.as_str().is_some_and(str::is_empty);
        if &old != value && !(before.is_empty() && blank) {
            out.push(FieldChange { field: field.clone(), before: old, after: value.clone() });
        }
    }
    out
}
