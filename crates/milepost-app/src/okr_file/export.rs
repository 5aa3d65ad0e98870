//! `milepost export`: the database as OKR files, one per owner and cycle, in the
//! canonical form of docs/okr-files.md. Only what the caller may see is written, and
//! only what the format holds: archived objectives and key results stay out (applying
//! the files again keeps them archived).

use super::OkrFileText;
use crate::okr_file::OkrFiles;
use crate::permission::hidden_objectives;
use crate::{AppError, Caller, FieldError};
use milepost_core::{Cadence, KeyResultId, ObjectiveId, Visibility, Weight};
use milepost_okrfile::{Alignment, KeyResult, Kpi, KpiFile, KpiOwner, Objective, OkrFile, Owner};
use milepost_store::{CycleRow, ObjectiveRow};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Which files to export.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Only this cycle, by name or slug (`2026-Q4`).
    pub cycle: Option<String>,
    /// Only this owner, written as in a file: `team/<slug>` or `@<handle>`.
    pub owner: Option<String>,
}

/// Reads an owner written as in a file's front matter.
fn owner_of(text: &str) -> Option<Owner> {
    let text = text.trim();
    if let Some(handle) = text.strip_prefix('@') {
        return (!handle.is_empty()).then(|| Owner::Person(handle.to_owned()));
    }
    text.strip_prefix("team/").filter(|s| !s.is_empty()).map(|slug| Owner::Team(slug.to_owned()))
}

/// The cycle as a file writes it: its name when that is the slug in other letters
/// (`2026-Q4`), otherwise the slug.
fn cycle_label(cycle: &CycleRow) -> String {
    if cycle.name.eq_ignore_ascii_case(&cycle.slug) { cycle.name.clone() } else { cycle.slug.clone() }
}

impl OkrFiles<'_> {
    /// The caller's OKRs and KPIs as files, sorted by path: `<cycle>/teams/<slug>.md`,
    /// `<cycle>/people/<handle>.md` and `kpis/<handle>.md` (`kpis/nobody.md` for KPIs
    /// without an owner; KPI files only when no cycle is asked for).
    pub async fn export(self, caller: &Caller, query: ExportQuery) -> Result<Vec<OkrFileText>, AppError> {
        let owner_filter = match query.owner.as_deref() {
            Some(text) => Some(owner_of(text).ok_or_else(|| {
                AppError::Invalid(vec![FieldError::parameter(
                    "owner",
                    format!("`{text}` is no owner: write `team/<slug>` or `@<handle>`"),
                )])
            })?),
            None => None,
        };
        let mut tx = self.app.store().read().await?;
        let resolver = super::Resolver::load(&mut tx, caller).await?;
        let filter = milepost_store::CycleFilter { include_archived: true, ..Default::default() };
        let mut cycles = tx.list_cycles(caller.workspace, &filter, milepost_store::Page::ALL).await?;
        if let Some(written) = query.cycle.as_deref() {
            let Some(cycle) = resolver.cycle(written).cloned() else {
                return Err(AppError::Invalid(vec![FieldError::parameter(
                    "cycle",
                    format!("there is no cycle `{written}` in this workspace"),
                )]));
            };
            cycles = vec![cycle];
        }
        let owner_ids = match &owner_filter {
            Some(owner) => Some(
                resolver
                    .owner(owner)
                    .map_err(|detail| AppError::Invalid(vec![FieldError::parameter("owner", detail)]))?,
            ),
            None => None,
        };
        let hidden = hidden_objectives(&mut tx, caller).await?;
        let (handles, team_slugs, kpis) = resolver.by_id();
        let mut out = Vec::new();
        for cycle in cycles {
            let filter = milepost_store::ObjectiveFilter {
                cycle_id: Some(cycle.id),
                owner_person_id: owner_ids.and_then(|o| o.0),
                owner_team_id: owner_ids.and_then(|o| o.1),
                parent_objective_id: None,
                include_archived: false,
            };
            let rows: Vec<ObjectiveRow> = tx
                .list_objectives(caller.workspace, &filter, milepost_store::Page::ALL)
                .await?
                .into_iter()
                .filter(|row| !hidden.contains(&row.id))
                .collect();
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let mut key_results: HashMap<i64, Vec<milepost_store::KeyResultRow>> = HashMap::new();
            for kr in tx.key_results_of_objectives(caller.workspace, &ids).await? {
                if !kr.archived {
                    key_results.entry(kr.objective_id).or_default().push(kr);
                }
            }
            // In the order of their files, as last applied; the never applied follow by id.
            for list in key_results.values_mut() {
                list.sort_by_key(|kr| (kr.position.unwrap_or(i64::MAX), kr.id));
            }
            let mut rows = rows;
            rows.sort_by_key(|row| (row.position.unwrap_or(i64::MAX), row.id));
            // One file per owner, in the order the owners' objectives were made.
            let mut files: BTreeMap<(String, String), (Owner, Vec<ObjectiveRow>)> = BTreeMap::new();
            for row in rows {
                let (folder, name, owner) = match (row.owner_person_id, row.owner_team_id) {
                    (Some(person), _) => {
                        let handle = handles.get(&person).cloned().unwrap_or_default();
                        ("people", handle.clone(), Owner::Person(handle))
                    }
                    (None, Some(team)) => {
                        let slug = team_slugs.get(&team).cloned().unwrap_or_default();
                        ("teams", slug.clone(), Owner::Team(slug))
                    }
                    (None, None) => continue,
                };
                files.entry((folder.to_owned(), name)).or_insert_with(|| (owner, Vec::new())).1.push(row);
            }
            for ((folder, name), (owner, rows)) in files {
                let objectives: Vec<Objective> = rows
                    .iter()
                    .map(|row| objective(row, key_results.remove(&row.id).unwrap_or_default(), &handles, &kpis))
                    .collect();
                let mut file =
                    OkrFile { cycle: Some(cycle_label(&cycle)), owner: Some(owner), aligns: None, objectives };
                hoist_alignment(&mut file);
                out.push(OkrFileText {
                    name: format!("{}/{folder}/{name}.md", cycle.slug),
                    text: milepost_okrfile::render(&file),
                });
            }
        }
        // KPIs belong to no cycle: their files come with a whole export, or one person's.
        let kpi_owner = match &owner_filter {
            None => Some(None),
            Some(Owner::Person(_)) => Some(owner_ids.and_then(|o| o.0)),
            Some(Owner::Team(_)) => None,
        };
        if query.cycle.is_none()
            && let Some(only) = kpi_owner
        {
            let mut rows: Vec<milepost_store::KpiRow> =
                tx.list_kpis(caller.workspace).await?.into_iter().filter(|row| !row.archived).collect();
            rows.sort_by_key(|row| (row.position.unwrap_or(i64::MAX), row.id));
            let mut files: BTreeMap<String, (KpiOwner, Vec<Kpi>)> = BTreeMap::new();
            for row in rows {
                if only.is_some() && row.owner_person_id != only {
                    continue;
                }
                let (name, owner) = match row.owner_person_id.and_then(|p| handles.get(&p)) {
                    Some(handle) => (handle.clone(), KpiOwner::Person(handle.clone())),
                    None => ("nobody".to_owned(), KpiOwner::Nobody),
                };
                files.entry(name).or_insert_with(|| (owner, Vec::new())).1.push(super::kpis::kpi_of(&row));
            }
            for (name, (owner, kpis)) in files {
                let file = KpiFile { owner: Some(owner), kpis };
                out.push(OkrFileText { name: format!("kpis/{name}.md"), text: milepost_okrfile::render_kpis(&file) });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

/// An objective as its file writes it: what equals the default is left out.
fn objective(
    row: &ObjectiveRow,
    key_results: Vec<milepost_store::KeyResultRow>,
    handles: &HashMap<i64, String>,
    kpis: &HashMap<i64, String>,
) -> Objective {
    let aligns = match (row.parent_key_result_id, row.parent_objective_id) {
        (Some(kr), _) => Some(Alignment::KeyResult { id: KeyResultId(kr) }),
        (None, Some(parent)) => Some(Alignment::Objective { id: ObjectiveId(parent) }),
        (None, None) => None,
    };
    let visibility = Some(row.visibility).filter(|v| *v != Visibility::Workspace);
    Objective {
        id: Some(ObjectiveId(row.id)),
        title: row.title.clone(),
        commitment: Some(row.commitment),
        aligns,
        visibility,
        description: milepost_okrfile::normalize_description(&row.description),
        key_results: key_results
            .into_iter()
            .map(|kr| KeyResult {
                id: Some(KeyResultId(kr.id)),
                owner: kr
                    .owner_person_id
                    .filter(|owner| Some(*owner) != row.owner_person_id)
                    .and_then(|owner| handles.get(&owner).cloned()),
                kpi: kr.kpi_id.and_then(|kpi| kpis.get(&kpi).cloned()),
                weight: Weight::try_new(kr.weight).ok().filter(|w| w.get() != 1.0),
                cadence: Some(kr.cadence).filter(|c| *c != Cadence::Weekly),
                // The share is written only when the sentence does not say it already.
                required_share: kr.required_share.filter(|share| {
                    let said = milepost_okrfile::parse_key_result(&kr.title).ok().and_then(|p| p.required_share);
                    said.is_none_or(|said| (said - share).abs() > 1e-9)
                }),
                text: kr.title,
            })
            .collect(),
    }
}

/// When every objective of a file aligns to the same thing, the file says it once, in
/// its front matter (docs/okr-files.md, canonical form).
fn hoist_alignment(file: &mut OkrFile) {
    let Some(first) = file.objectives.first().and_then(|o| o.aligns.clone()) else { return };
    if file.objectives.iter().all(|o| o.aligns.as_ref() == Some(&first)) {
        for objective in &mut file.objectives {
            objective.aligns = None;
        }
        file.aligns = Some(first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_read_as_a_file_writes_them() {
        assert_eq!(owner_of("team/support"), Some(Owner::Team("support".into())));
        assert_eq!(owner_of(" @dana "), Some(Owner::Person("dana".into())));
        assert_eq!(owner_of("dana"), None);
        assert_eq!(owner_of("team/"), None);
        assert_eq!(owner_of("@"), None);
    }
}
