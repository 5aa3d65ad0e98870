//! Names in a file turned into ids: the file's cycle and owner, `@handles`, KPI slugs,
//! alignments. (A key result's sentence is read by the key results' use cases.)

use crate::{AppError, Caller};
use milepost_core::Slug;
use milepost_okrfile::{Alignment, OkrFile, Owner};
use milepost_store::{CycleRow, Tx};
use std::collections::{HashMap, HashSet};

/// Whose objectives a file holds, in which cycle.
#[derive(Debug, Clone)]
pub(crate) struct Owners {
    /// The cycle.
    pub cycle: CycleRow,
    /// The owning person, for a person's file.
    pub person: Option<i64>,
    /// The owning team, for a team's file.
    pub team: Option<i64>,
}

/// What an objective aligns to, as ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Nothing.
    None,
    /// A parent objective.
    Objective(i64),
    /// A parent key result.
    KeyResult(i64),
    /// A path to an objective that does not exist yet: it may be created later in the
    /// same apply.
    Later,
}

impl Target {
    /// `(parent_objective_id, parent_key_result_id)` as a new objective takes them.
    pub fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            Target::Objective(id) => (Some(id), None),
            Target::KeyResult(id) => (None, Some(id)),
            Target::None | Target::Later => (None, None),
        }
    }
}

/// The workspace's names, loaded once for an apply.
pub(crate) struct Resolver {
    people: HashMap<String, i64>,
    teams: HashMap<String, i64>,
    kpis: HashMap<String, i64>,
    cycles: Vec<CycleRow>,
    /// The KPIs with no measurement yet.
    unmeasured_kpis: HashSet<i64>,
}

impl Resolver {
    pub async fn load(tx: &mut Tx, caller: &Caller) -> Result<Resolver, AppError> {
        let everything = milepost_store::Page::ALL;
        let people = tx
            .list_people(
                caller.workspace,
                &milepost_store::PersonFilter { include_archived: true, ..Default::default() },
                everything,
            )
            .await?;
        let teams = tx
            .list_teams(
                caller.workspace,
                &milepost_store::TeamFilter { include_archived: true, ..Default::default() },
                everything,
            )
            .await?;
        let cycles = tx
            .list_cycles(
                caller.workspace,
                &milepost_store::CycleFilter { include_archived: true, ..Default::default() },
                everything,
            )
            .await?;
        let kpis = tx.list_kpis(caller.workspace).await?;
        let unmeasured_kpis = tx.unmeasured_kpis(caller.workspace).await?.into_iter().collect();
        Ok(Resolver {
            people: people.into_iter().map(|p| (p.handle, p.id)).collect(),
            teams: teams.into_iter().map(|t| (t.slug, t.id)).collect(),
            kpis: kpis.into_iter().map(|k| (k.slug, k.id)).collect(),
            cycles,
            unmeasured_kpis,
        })
    }

    /// The names as the linter's unknown-name rules and `milepost lint` take them.
    pub fn names(&self) -> crate::WorkspaceNames {
        crate::WorkspaceNames {
            people: self.people.keys().cloned().collect(),
            teams: self.teams.keys().cloned().collect(),
            cycles: self.cycles.iter().flat_map(|c| [c.slug.clone(), c.name.clone()]).collect(),
            kpis: self.kpis.keys().cloned().collect(),
            unmeasured_kpis: self
                .kpis
                .iter()
                .filter(|(_, id)| self.unmeasured_kpis.contains(id))
                .map(|(slug, _)| slug.clone())
                .collect(),
        }
    }

    /// Id → handle of every person, id → slug of every team and of every KPI: the
    /// names an export writes.
    pub fn by_id(&self) -> (HashMap<i64, String>, HashMap<i64, String>, HashMap<i64, String>) {
        let flip = |map: &HashMap<String, i64>| map.iter().map(|(name, id)| (*id, name.clone())).collect();
        (flip(&self.people), flip(&self.teams), flip(&self.kpis))
    }

    /// A person by handle.
    pub fn person(&self, handle: &str) -> Option<i64> {
        self.people.get(handle).copied()
    }

    /// Learns a KPI that the apply has just made, for the key results that link to it.
    pub fn learn_kpi(&mut self, slug: &str, id: i64) {
        self.kpis.insert(slug.to_owned(), id);
    }

    /// A KPI by slug.
    pub fn kpi(&self, slug: &str) -> Option<i64> {
        self.kpis.get(slug).copied()
    }

    /// A cycle by its name or slug, in any case.
    pub fn cycle(&self, written: &str) -> Option<&CycleRow> {
        let written = written.trim();
        self.cycles.iter().find(|c| c.slug.eq_ignore_ascii_case(written) || c.name.eq_ignore_ascii_case(written))
    }

    /// `(person, team)` of an owner as written.
    pub fn owner(&self, owner: &Owner) -> Result<(Option<i64>, Option<i64>), String> {
        match owner {
            Owner::Person(handle) => {
                self.person(handle).map(|id| (Some(id), None)).ok_or_else(|| format!("@{handle} is nobody here"))
            }
            Owner::Team(slug) => {
                self.teams.get(slug).map(|id| (None, Some(*id))).ok_or_else(|| format!("there is no team `{slug}`"))
            }
        }
    }

    /// The cycle and owner of a file, or what is wrong with them.
    pub fn file_owner(&self, file: &OkrFile) -> Result<Owners, String> {
        let written = file.cycle.as_deref().unwrap_or_default();
        let cycle = self.cycle(written).ok_or_else(|| format!("there is no cycle `{written}` in this workspace"))?;
        let owner = file.owner.as_ref().ok_or("the file names no owner")?;
        let (person, team) = self.owner(owner)?;
        Ok(Owners { cycle: cycle.clone(), person, team })
    }

    /// What an alignment names. A path is looked up among the non-archived objectives of
    /// the cycle, as they stand in this transaction (so objectives created earlier in the
    /// same apply count).
    pub async fn alignment(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        cycle: &CycleRow,
        alignment: &Alignment,
    ) -> Result<Result<Target, String>, AppError> {
        let (owner, slug) = match alignment {
            Alignment::Objective { id } => return Ok(Ok(Target::Objective(id.0))),
            Alignment::KeyResult { id } => return Ok(Ok(Target::KeyResult(id.0))),
            Alignment::Path { owner, objective } => (owner, objective),
        };
        let (person, team) = match self.owner(owner) {
            Ok(ids) => ids,
            Err(detail) => return Ok(Err(format!("`aligns: {alignment}`: {detail}"))),
        };
        let filter = milepost_store::ObjectiveFilter {
            cycle_id: Some(cycle.id),
            owner_person_id: person,
            owner_team_id: team,
            parent_objective_id: None,
            include_archived: false,
        };
        let rows = tx.list_objectives(caller.workspace, &filter, milepost_store::Page::ALL).await?;
        let hidden = crate::permission::hidden_objectives(tx, caller).await?;
        let found = rows.into_iter().find(|row| {
            !hidden.contains(&row.id) && Slug::from_title(&row.title).is_some_and(|s| s.as_str() == slug.as_str())
        });
        Ok(Ok(found.map_or(Target::Later, |row| Target::Objective(row.id))))
    }
}
