//! OKR files in and out of the database (SPEC §5, docs/okr-files.md): `milepost apply`
//! turns files into a plan of creates, updates and archives and carries it out in one
//! transaction; `milepost export` writes the database back as files in canonical form.
//!
//! Apply goes through the same use cases as the JSON API (`create_objective_in`,
//! `update_key_result_in`, …) inside one transaction, so every permission, check and
//! audit event is the same as for a person clicking through, and a dry run is the real
//! run rolled back: what it plans is exactly what a real run would do.
//!
//! The rules that make apply idempotent and export → apply a no-op:
//! - an object with an id marker is updated only in the fields that differ;
//! - a key result's numbers are read again from its sentence only when the sentence
//!   changed, so numbers set through the API survive an export → apply round trip;
//! - what a file leaves out takes its default (committed, workspace visibility, weight
//!   1, weekly cadence, the objective's owner), and export leaves out exactly those.

mod export;
mod key_results;
mod kpis;
mod layout;
mod lint;
mod plan;
mod resolve;

use crate::error::{FieldError, Location, Path, Segment};
use crate::objective::{NewObjective, ObjectivePatch};
use crate::{App, AppError, Caller};
use milepost_core::{Commitment, Visibility};
use milepost_okrfile::{NewIds, Severity};
use milepost_store::{KeyResultRow, ObjectiveRow, Tx};
pub(crate) use resolve::Resolver;
use resolve::{Owners, Target};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

pub use export::ExportQuery;
pub use lint::{FileLint, LintDiagnostic, LintReport, LintRequest};
use plan::fields_of;
pub use plan::{Action, ApplyRequest, Change, FieldChange, OkrFileText, Plan};

/// The most files one request may carry.
const MAX_FILES: usize = 500;

/// A file read and checked, ready to plan.
struct Checked {
    index: usize,
    name: String,
    text: String,
    parsed: milepost_okrfile::ParsedFile,
}

/// OKR files: apply a set of files, export the workspace as files. Reached through [`App::okr_files`](crate::App::okr_files).
#[derive(Debug, Clone, Copy)]
pub struct OkrFiles<'a> {
    pub(crate) app: &'a crate::App,
}

impl OkrFiles<'_> {
    /// Plans OKR files against the caller's workspace and, unless `dry_run`, applies the
    /// plan in one transaction: all of it or, on any problem, none of it.
    pub async fn apply(self, caller: &Caller, request: ApplyRequest) -> Result<Plan, AppError> {
        self.carry_out(caller, request, false).await
    }

    /// Defines KPIs from one KPI file without touching the owner's other KPIs: each KPI
    /// is created, or the one with its slug updated, as `apply` would; nothing the file
    /// leaves out is archived and no KPI moves on the board. This is how `milepost kpi
    /// import-slo` brings KPIs read from OpenSLO in. Unless `dry_run`, in one
    /// transaction.
    pub async fn import_kpis(self, caller: &Caller, file: OkrFileText, dry_run: bool) -> Result<Plan, AppError> {
        if !milepost_okrfile::is_kpi_file(&file.text) {
            return Err(AppError::invalid(
                "/files/0/text",
                "a KPI import takes a KPI file (front matter `kpis: @handle`)",
            ));
        }
        let request = ApplyRequest { files: vec![file], dry_run, reason: None, archive: false };
        self.carry_out(caller, request, true).await
    }

    async fn carry_out(self, caller: &Caller, request: ApplyRequest, only_named_kpis: bool) -> Result<Plan, AppError> {
        if caller.role == crate::caller::Role::Viewer {
            crate::permission::require(caller, crate::permission::Action::EditOkr { owner: None })?;
        }
        // The names are read once, in the transaction the plan is made in, for both the
        // linter's unknown-name rules and the plan.
        let mut tx = self.app.write(caller.workspace).await?;
        let resolver = Resolver::load(&mut tx, caller).await?;
        let (checked, kpi_files) = check_files(&request.files, &resolver.names())?;
        let mut run = Run::new(self.app, caller, &request, resolver);
        run.only_named_kpis = only_named_kpis;
        // KPIs first, so that a key result may link to a KPI this apply creates.
        let kpi_ids = run.apply_kpis(&mut tx, &kpi_files).await?;
        let ids = if checked.is_empty() { Vec::new() } else { run.apply(&mut tx, &checked).await? };
        // Archiving what the files do not mention takes a word of its own.
        if !request.dry_run && !request.archive {
            let archived: Vec<String> = run
                .changes
                .iter()
                .filter(|c| c.action == Action::Archive && (c.what == "objective" || c.what == "kpi"))
                .map(|c| {
                    let prefix = if c.what == "kpi" { "KPI" } else { "O" };
                    format!("{prefix}-{} \"{}\"", c.id.unwrap_or_default(), c.title)
                })
                .collect();
            if !archived.is_empty() {
                return Err(AppError::Conflict {
                    code: "would_archive",
                    detail: format!(
                        "this apply would archive {} that no file mentions: {}; nothing was applied. Add them to \
                         the files to keep them, or apply again with archive (`milepost apply --archive`) to archive them",
                        if archived.len() == 1 {
                            "1 objective or KPI".to_owned()
                        } else {
                            format!("{} objectives and KPIs", archived.len())
                        },
                        archived.join(", ")
                    ),
                    location: Some(Location::Body(Path::root().field("archive"))),
                });
            }
        }
        let applied = !request.dry_run && (!run.changes.is_empty() || run.layout_changed);
        let files = if applied {
            let okr = checked.iter().zip(ids).map(|(file, ids)| {
                (file.index, &file.name, &file.text, milepost_okrfile::insert_ids(&file.text, &file.parsed, &ids))
            });
            let kpi = kpi_files.iter().zip(kpi_ids).map(|(file, ids)| {
                (file.index, &file.name, &file.text, milepost_okrfile::insert_kpi_ids(&file.text, &file.parsed, &ids))
            });
            let mut written: Vec<_> = okr.chain(kpi).filter(|(_, _, before, after)| before != &after).collect();
            written.sort_by_key(|(index, ..)| *index);
            written.into_iter().map(|(_, name, _, text)| OkrFileText { name: name.clone(), text }).collect()
        } else {
            Vec::new()
        };
        let mut changes = run.changes;
        if applied {
            tx.commit().await?;
        } else {
            drop(tx);
            for change in &mut changes {
                if change.action == Action::Create {
                    change.id = None;
                }
            }
        }
        Ok(Plan { changes, applied, files })
    }
}

/// Lints every file; any error stops the apply, reported at its file, line and column.
/// The OKR files and the KPI files, each in request order.
fn check_files(
    files: &[OkrFileText],
    names: &crate::WorkspaceNames,
) -> Result<(Vec<Checked>, Vec<kpis::CheckedKpis>), AppError> {
    if files.is_empty() {
        return Err(AppError::invalid("/files", "give at least one file"));
    }
    if files.len() > MAX_FILES {
        return Err(AppError::invalid("/files", format!("at most {MAX_FILES} files at once, got {}", files.len())));
    }
    let context = lint_context(names);
    let named: Vec<String> = files
        .iter()
        .enumerate()
        .map(
            |(index, file)| if file.name.trim().is_empty() { format!("file {}", index + 1) } else { file.name.clone() },
        )
        .collect();
    let mut kpi_files = Vec::new();
    let mut out = Vec::new();
    for (index, (file, name)) in files.iter().zip(&named).enumerate() {
        if milepost_okrfile::is_kpi_file(&file.text) {
            let parsed = milepost_okrfile::parse_kpis(&file.text);
            kpi_files.push(kpis::CheckedKpis { index, name: name.clone(), text: file.text.clone(), parsed });
        } else {
            let parsed = milepost_okrfile::parse(&file.text);
            out.push(Checked { index, name: name.clone(), text: file.text.clone(), parsed });
        }
    }
    // The same checks as `milepost lint` of these files: one function for both.
    let texts: Vec<(&str, &str)> =
        named.iter().zip(files).map(|(name, file)| (name.as_str(), file.text.as_str())).collect();
    let mut problems = Vec::new();
    for (index, found) in milepost_okrfile::check_files(&texts, Some(&context)).into_iter().enumerate() {
        for d in found.into_iter().filter(|d| d.severity == Severity::Error) {
            problems.push(FieldError::body(
                Path::root().field("files").index(index).field("text"),
                format!("{}:{}:{}: {} [{}]", d.file, d.line, d.column, d.message, d.rule),
            ));
        }
    }
    if problems.is_empty() { Ok((out, kpi_files)) } else { Err(AppError::Invalid(problems)) }
}

/// At least one file, and at most [`MAX_FILES`].
fn check_count(files: &[OkrFileText]) -> Result<(), AppError> {
    if files.is_empty() {
        return Err(AppError::invalid("/files", "give at least one file"));
    }
    if files.len() > MAX_FILES {
        return Err(AppError::invalid("/files", format!("at most {MAX_FILES} files at once, got {}", files.len())));
    }
    Ok(())
}

/// Each file's name as messages show it: `file 2` for one sent without a name.
fn names_of(files: &[OkrFileText]) -> Vec<String> {
    files
        .iter()
        .enumerate()
        .map(
            |(index, file)| if file.name.trim().is_empty() { format!("file {}", index + 1) } else { file.name.clone() },
        )
        .collect()
}

/// The names a workspace knows, as the linter takes them.
pub(crate) fn lint_context(names: &crate::WorkspaceNames) -> milepost_okrfile::LintContext {
    milepost_okrfile::LintContext {
        people: names.people.iter().cloned().collect(),
        teams: names.teams.iter().cloned().collect(),
        cycles: names.cycles.iter().cloned().collect(),
        kpis: names.kpis.iter().cloned().collect(),
        unmeasured_kpis: names.unmeasured_kpis.iter().cloned().collect(),
    }
}

/// The state of one apply as it goes.
struct Run<'a> {
    app: &'a App,
    caller: &'a Caller,
    reason: Option<String>,
    resolver: Resolver,
    changes: Vec<Change>,
    problems: Vec<FieldError>,
    /// Ids named by a marker anywhere in the request.
    named_objectives: HashSet<i64>,
    named_key_results: HashSet<i64>,
    /// Whether an objective's or key result's place in its file was written.
    layout_changed: bool,
    /// An import of some KPIs: the KPIs the files leave out are neither archived nor
    /// moved on the board.
    only_named_kpis: bool,
}

/// Where in the request something is written.
#[derive(Clone)]
struct Place {
    index: usize,
    file: String,
    line: usize,
}

impl Place {
    fn problem(&self, detail: impl std::fmt::Display) -> FieldError {
        let path = Path::root().field("files").index(self.index).field("text");
        FieldError::body(path, format!("{}:{}: {detail}", self.file, self.line))
    }
}

impl<'a> Run<'a> {
    fn new(app: &'a App, caller: &'a Caller, request: &ApplyRequest, resolver: Resolver) -> Run<'a> {
        Run {
            app,
            caller,
            reason: request.reason.clone(),
            resolver,
            changes: Vec::new(),
            problems: Vec::new(),
            named_objectives: HashSet::new(),
            named_key_results: HashSet::new(),
            layout_changed: false,
            only_named_kpis: false,
        }
    }

    fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    fn resolver_mut(&mut self) -> &mut Resolver {
        &mut self.resolver
    }

    /// Carries out every file; returns the ids each file's new lines got.
    async fn apply(&mut self, tx: &mut Tx, files: &[Checked]) -> Result<Vec<NewIds>, AppError> {
        let owners = self.owners(files);
        self.finish_problems()?;
        let owners: Vec<Owners> = owners.into_iter().flatten().collect();
        for file in files {
            for objective in &file.parsed.file.objectives {
                if let Some(id) = objective.id {
                    self.named_objectives.insert(id.0);
                }
                self.named_key_results.extend(objective.key_results.iter().filter_map(|kr| kr.id).map(|id| id.0));
            }
        }
        // Objectives first, in file order; an alignment by path to an objective that a
        // later file creates is set once every objective exists.
        let mut created: Vec<NewIds> = Vec::new();
        let mut deferred = Vec::new();
        let mut objective_ids: Vec<Vec<i64>> = Vec::new();
        for (file, owner) in files.iter().zip(&owners) {
            let mut ids = NewIds::default();
            let mut row_ids = Vec::new();
            for (position, objective) in file.parsed.file.objectives.iter().enumerate() {
                let place = Place {
                    index: file.index,
                    file: file.name.clone(),
                    line: file.parsed.source_map.objectives[position].heading.line,
                };
                let aligns = objective.aligns.as_ref().or(file.parsed.file.aligns.as_ref());
                let target = match aligns {
                    Some(alignment) => {
                        match self.resolver().alignment(tx, self.caller, &owner.cycle, alignment).await? {
                            Ok(target) => target,
                            Err(detail) => {
                                self.problems.push(place.problem(detail));
                                Target::None
                            }
                        }
                    }
                    None => Target::None,
                };
                let (id, new) = self.objective(tx, &place, owner, objective, target).await?;
                if let (Target::Later, Some(alignment)) = (target, aligns) {
                    deferred.push((place.clone(), id, owner.cycle.clone(), alignment.clone()));
                }
                ids.objectives.push(new.then_some(milepost_core::ObjectiveId(id)));
                row_ids.push(id);
            }
            objective_ids.push(row_ids);
            created.push(ids);
        }
        self.finish_problems()?;
        for (place, id, cycle, alignment) in deferred {
            match self.resolver().alignment(tx, self.caller, &cycle, &alignment).await? {
                Ok(Target::Objective(parent)) => self.set_parent(tx, &place, id, parent).await?,
                _ => self.problems.push(place.problem(format!(
                    "`aligns: {alignment}` names no objective of cycle {}: check the owner and the title's slug",
                    cycle.slug
                ))),
            }
        }
        self.finish_problems()?;
        // Then key results, which may move between the objectives just settled.
        for (((file, owner), row_ids), ids) in files.iter().zip(&owners).zip(&objective_ids).zip(created.iter_mut()) {
            for (position, objective) in file.parsed.file.objectives.iter().enumerate() {
                let spans = &file.parsed.source_map.objectives[position];
                let mut kr_ids = Vec::new();
                for (n, kr) in objective.key_results.iter().enumerate() {
                    let place =
                        Place { index: file.index, file: file.name.clone(), line: spans.key_results[n].line.line };
                    let new = self.key_result(tx, &place, owner, row_ids[position], kr).await?;
                    kr_ids.push(new.map(milepost_core::KeyResultId));
                }
                ids.key_results.push(kr_ids);
            }
        }
        self.finish_problems()?;
        self.layout(tx, files, &objective_ids).await?;
        self.archive_missing(tx, &owners, &objective_ids).await?;
        Ok(created)
    }

    fn finish_problems(&mut self) -> Result<(), AppError> {
        if self.problems.is_empty() { Ok(()) } else { Err(AppError::Invalid(std::mem::take(&mut self.problems))) }
    }

    /// Each file's cycle and owner; one file per owner and cycle.
    fn owners(&mut self, files: &[Checked]) -> Vec<Option<Owners>> {
        let mut seen: HashMap<(i64, Option<i64>, Option<i64>), String> = HashMap::new();
        let mut out = Vec::new();
        for file in files {
            let place = Place { index: file.index, file: file.name.clone(), line: 1 };
            match self.resolver().file_owner(&file.parsed.file) {
                Ok(owners) => {
                    let key = (owners.cycle.id, owners.person, owners.team);
                    if let Some(other) = seen.insert(key, file.name.clone()) {
                        self.problems.push(place.problem(format!(
                            "{other} already holds this owner's objectives for cycle {}: one file per owner and cycle",
                            owners.cycle.slug
                        )));
                    }
                    out.push(Some(owners));
                }
                Err(detail) => {
                    self.problems.push(place.problem(detail));
                    out.push(None);
                }
            }
        }
        out
    }

    /// Creates, restores or updates one objective; returns its id and whether it is new.
    async fn objective(
        &mut self,
        tx: &mut Tx,
        place: &Place,
        owner: &Owners,
        objective: &milepost_okrfile::Objective,
        target: Target,
    ) -> Result<(i64, bool), AppError> {
        let (parent_objective_id, parent_key_result_id) = target.ids();
        let commitment = objective.commitment.unwrap_or(Commitment::Committed);
        let visibility = objective.visibility.unwrap_or(Visibility::Workspace);
        let description = milepost_okrfile::normalize_description(&objective.description);
        let Some(id) = objective.id.map(|id| id.0) else {
            let new = NewObjective {
                cycle_id: owner.cycle.id,
                title: objective.title.clone(),
                description: Some(description),
                owner_person_id: owner.person,
                owner_team_id: owner.team,
                commitment: Some(commitment),
                parent_objective_id,
                parent_key_result_id,
                visibility: Some(visibility),
                rollup_children: None,
                key_results: Vec::new(),
            };
            let row = self.app.objectives().create_in(tx, self.caller, new).await.map_err(|e| at(place, e))?.row;
            self.push(place, Action::Create, "objective", row.id, &objective.title, None, Some(&row));
            return Ok((row.id, true));
        };
        let Some(mut current) = self.visible_objective(tx, id).await? else {
            self.problems.push(place.problem(format!("O-{id} is no objective of this workspace")));
            return Ok((id, false));
        };
        if current.cycle_id != owner.cycle.id {
            self.problems.push(place.problem(format!(
                "O-{id} belongs to another cycle; a file holds one cycle: write it in that cycle's file"
            )));
            return Ok((id, false));
        }
        if current.archived {
            self.app
                .objectives()
                .archive_in(tx, self.caller, id, current.version, false)
                .await
                .map_err(|e| at(place, e))?;
            let row = self.row_objective(tx, id).await?;
            self.push(place, Action::Restore, "objective", id, &objective.title, None, None::<&()>);
            current = row;
        }
        let keep_parent = target == Target::Later;
        let change = ObjectivePatch {
            version: current.version,
            title: (current.title != objective.title).then(|| objective.title.clone()),
            description: (current.description != description).then_some(description),
            owner_person_id: (owner.person.is_some() && current.owner_person_id != owner.person)
                .then_some(owner.person)
                .flatten(),
            owner_team_id: (owner.team.is_some() && current.owner_team_id != owner.team)
                .then_some(owner.team)
                .flatten(),
            commitment: (current.commitment != commitment).then_some(commitment),
            parent_objective_id: (!keep_parent
                && parent_key_result_id.is_none()
                && current.parent_objective_id != parent_objective_id)
                .then_some(parent_objective_id),
            parent_key_result_id: (!keep_parent && current.parent_key_result_id != parent_key_result_id)
                .then_some(parent_key_result_id),
            visibility: (current.visibility != visibility).then_some(visibility),
            rollup_children: None,
        };
        if objective_patch_is_empty(&change) {
            return Ok((id, false));
        }
        self.app.objectives().update_in(tx, self.caller, id, change).await.map_err(|e| at(place, e))?;
        let after = self.row_objective(tx, id).await?;
        self.push(place, Action::Update, "objective", id, &objective.title, Some(&current), Some(&after));
        Ok((id, false))
    }

    async fn set_parent(&mut self, tx: &mut Tx, place: &Place, id: i64, parent: i64) -> Result<(), AppError> {
        let current = self.row_objective(tx, id).await?;
        if current.parent_objective_id == Some(parent) && current.parent_key_result_id.is_none() {
            return Ok(());
        }
        let change = ObjectivePatch {
            version: current.version,
            title: None,
            description: None,
            owner_person_id: None,
            owner_team_id: None,
            commitment: None,
            parent_objective_id: Some(Some(parent)),
            parent_key_result_id: Some(None),
            visibility: None,
            rollup_children: None,
        };
        self.app.objectives().update_in(tx, self.caller, id, change).await.map_err(|e| at(place, e))?;
        let after = self.row_objective(tx, id).await?;
        // A new objective shows its parent in its create; an existing one gets an update.
        match self.changes.iter_mut().find(|c| c.what == "objective" && c.id == Some(id) && c.action == Action::Create)
        {
            Some(create) => create.fields = fields_of(None, Some(&after)),
            None => {
                let title = after.title.clone();
                self.push(place, Action::Update, "objective", id, &title, Some(&current), Some(&after));
            }
        }
        Ok(())
    }

    /// Archives what the files no longer hold: objectives of each file's owner and cycle
    /// without a marker in any file, and key results of the files' objectives likewise.
    async fn archive_missing(
        &mut self,
        tx: &mut Tx,
        owners: &[Owners],
        objective_ids: &[Vec<i64>],
    ) -> Result<(), AppError> {
        let hidden = crate::permission::hidden_objectives(tx, self.caller).await?;
        let kept: Vec<i64> = objective_ids.iter().flatten().copied().collect();
        for owner in owners {
            let filter = milepost_store::ObjectiveFilter {
                cycle_id: Some(owner.cycle.id),
                owner_person_id: owner.person,
                owner_team_id: owner.team,
                parent_objective_id: None,
                include_archived: false,
            };
            let rows = tx.list_objectives(self.caller.workspace, &filter, milepost_store::Page::ALL).await?;
            for row in rows {
                if hidden.contains(&row.id) || kept.contains(&row.id) || self.named_objectives.contains(&row.id) {
                    continue;
                }
                // Only this owner's own objectives: the filter is by person or by team.
                if row.owner_person_id != owner.person || row.owner_team_id != owner.team {
                    continue;
                }
                self.app.objectives().archive_in(tx, self.caller, row.id, row.version, true).await?;
                self.push_unplaced(Action::Archive, "objective", row.id, &row.title);
            }
        }
        let rows = tx.key_results_of_objectives(self.caller.workspace, &kept).await?;
        for row in rows {
            if row.archived || self.named_key_results.contains(&row.id) {
                continue;
            }
            self.app.key_results().archive_in(tx, self.caller, row.id, row.version, true).await?;
            self.push_unplaced(Action::Archive, "key_result", row.id, &row.title);
        }
        Ok(())
    }

    async fn visible_objective(&mut self, tx: &mut Tx, id: i64) -> Result<Option<ObjectiveRow>, AppError> {
        let Some(row) = tx.objective(self.caller.workspace, id).await? else { return Ok(None) };
        match crate::permission::require_visible(tx, self.caller, &row).await {
            Ok(()) => Ok(Some(row)),
            Err(AppError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    async fn visible_key_result(&mut self, tx: &mut Tx, id: i64) -> Result<Option<KeyResultRow>, AppError> {
        let Some(row) = tx.key_result(self.caller.workspace, id).await? else { return Ok(None) };
        Ok(self.visible_objective(tx, row.objective_id).await?.map(|_| row))
    }

    async fn row_objective(&mut self, tx: &mut Tx, id: i64) -> Result<ObjectiveRow, AppError> {
        tx.objective(self.caller.workspace, id)
            .await?
            .ok_or(AppError::NotFound { what: "objective", id: id.to_string() })
    }

    async fn row_key_result(&mut self, tx: &mut Tx, id: i64) -> Result<KeyResultRow, AppError> {
        tx.key_result(self.caller.workspace, id)
            .await?
            .ok_or(AppError::NotFound { what: "key result", id: id.to_string() })
    }

    #[expect(clippy::too_many_arguments, reason = "one change's parts, named at the call")]
    fn push<T: Serialize>(
        &mut self,
        place: &Place,
        action: Action,
        what: &str,
        id: i64,
        title: &str,
        before: Option<&T>,
        after: Option<&T>,
    ) {
        self.changes.push(Change {
            action,
            what: what.to_owned(),
            id: Some(id),
            title: title.to_owned(),
            file: Some(place.file.clone()),
            line: Some(place.line),
            fields: fields_of(before, after),
        });
    }

    fn push_unplaced(&mut self, action: Action, what: &str, id: i64, title: &str) {
        self.changes.push(Change {
            action,
            what: what.to_owned(),
            id: Some(id),
            title: title.to_owned(),
            file: None,
            line: None,
            fields: Vec::new(),
        });
    }
}

fn objective_patch_is_empty(change: &ObjectivePatch) -> bool {
    change.title.is_none()
        && change.description.is_none()
        && change.owner_person_id.is_none()
        && change.owner_team_id.is_none()
        && change.commitment.is_none()
        && change.parent_objective_id.is_none()
        && change.parent_key_result_id.is_none()
        && change.visibility.is_none()
}

/// An error of a use case, placed at the line of the file that asked for it.
fn at(place: &Place, error: AppError) -> AppError {
    match error {
        AppError::Invalid(problems) => AppError::Invalid(
            problems
                .into_iter()
                .map(|p| {
                    if p.location == Location::Body(Path::root().field("reason")) {
                        return place.problem(
                            "the cycle has begun: say why the start, target or range moves, with `--reason` \
                             (`reason` in the API)",
                        );
                    }
                    let field = match &p.location {
                        Location::Body(path) if !path.is_root() => {
                            let steps: Vec<String> = path
                                .segments()
                                .iter()
                                .map(|s| match s {
                                    Segment::Field(name) => name.clone(),
                                    Segment::Index(index) => index.to_string(),
                                })
                                .collect();
                            format!(" (`{}`)", steps.join("/"))
                        }
                        _ => String::new(),
                    };
                    place.problem(format!("{}{field}", p.detail))
                })
                .collect(),
        ),
        AppError::Conflict { detail, .. } => AppError::Invalid(vec![place.problem(detail)]),
        AppError::NotFound { what, id } => {
            AppError::Invalid(vec![place.problem(format!("{what} {id} does not exist"))])
        }
        AppError::Forbidden { detail } => {
            AppError::Forbidden { detail: format!("{}:{}: {detail}", place.file, place.line) }
        }
        other => other,
    }
}
