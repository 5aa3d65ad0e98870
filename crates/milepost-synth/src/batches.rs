//! An organisation's rows, table by table in an order the foreign keys accept, in
//! batches of a bounded size; check-ins and measurements are made as they are asked
//! for, so a large organisation never sits in memory whole.

use crate::Organisation;
use crate::check_in::{Context, check_ins};
use crate::kpi::{DAY, recorded_at};
use milepost_core::{CycleStatus, KeyResultKind};
use milepost_store::{
    Batch, CheckInRow, CycleRow, CycleTransitionRow, EventRow, InitiativeKeyResultRow, InitiativeRow, KeyResultRow,
    KpiRow, MeasurementRow, ObjectiveRow, PersonRow, TeamRow, WorkspaceRow,
};

/// The tables, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Workspace,
    Teams,
    People,
    Cycles,
    CycleTransitions,
    Kpis,
    Objectives,
    KeyResults,
    Initiatives,
    InitiativeKeyResults,
    CheckIns,
    Measurements,
    Events,
    Done,
}

impl Stage {
    fn next(self) -> Stage {
        match self {
            Stage::Workspace => Stage::Teams,
            Stage::Teams => Stage::People,
            Stage::People => Stage::Cycles,
            Stage::Cycles => Stage::CycleTransitions,
            Stage::CycleTransitions => Stage::Kpis,
            Stage::Kpis => Stage::Objectives,
            Stage::Objectives => Stage::KeyResults,
            Stage::KeyResults => Stage::Initiatives,
            Stage::Initiatives => Stage::InitiativeKeyResults,
            Stage::InitiativeKeyResults => Stage::CheckIns,
            Stage::CheckIns => Stage::Measurements,
            Stage::Measurements => Stage::Events,
            Stage::Events | Stage::Done => Stage::Done,
        }
    }
}

/// The rows of an [`Organisation`], in batches; see [`Organisation::batches`].
pub struct Batches<'a> {
    organisation: &'a Organisation,
    context: Context<'a>,
    size: usize,
    stage: Stage,
    /// The next item of the stage (team, person, key result, KPI …).
    cursor: usize,
    /// The next day of the KPI at `cursor`, for measurements.
    day: Option<i64>,
}

impl<'a> Batches<'a> {
    pub(crate) fn new(organisation: &'a Organisation, size: usize) -> Batches<'a> {
        let context = Context {
            seed: organisation.seed,
            workspace_id: organisation.workspace_id,
            now_ms: organisation.now_ms,
            cycles: &organisation.okrs.cycles,
            kpis: &organisation.kpis,
            people: &organisation.org.people,
        };
        Batches { organisation, context, size, stage: Stage::Workspace, cursor: 0, day: None }
    }

    /// The next `size` items of `items` from the cursor, each made into a row.
    fn chunk<T, R>(&mut self, items: &'a [T], row: impl Fn(usize, &'a T) -> R) -> Vec<R> {
        let end = (self.cursor + self.size).min(items.len());
        let rows = (self.cursor..end).map(|index| row(index, &items[index])).collect();
        self.cursor = end;
        rows
    }

    fn person_id(&self, index: usize) -> i64 {
        self.organisation.org.people[index].id
    }

    fn next_rows(&mut self) -> Option<Batch> {
        let o = self.organisation;
        let ws = o.workspace_id;
        match self.stage {
            Stage::Workspace => {
                self.cursor = usize::MAX;
                o.workspace.as_ref().map(|(slug, name)| {
                    Batch::Workspaces(vec![WorkspaceRow {
                        id: ws,
                        slug: slug.clone(),
                        name: name.clone(),
                        archived: false,
                        created_at: o.origin_ms,
                        updated_at: o.origin_ms,
                        version: 1,
                    }])
                })
            }
            Stage::Teams => {
                let teams = &o.org.teams;
                let origin = o.origin_ms;
                Some(Batch::Teams(self.chunk(teams, |i, t| TeamRow {
                    id: t.id,
                    workspace_id: ws,
                    slug: t.slug.clone(),
                    name: t.name.clone(),
                    parent_team_id: t.parent.map(|p| teams[p].id),
                    archived: false,
                    created_at: origin + i as i64 * 1_000,
                    updated_at: origin + i as i64 * 1_000,
                    version: 1,
                })))
            }
            Stage::People => {
                let teams = &o.org.teams;
                let joined = o.origin_ms + DAY;
                Some(Batch::People(self.chunk(&o.org.people, |i, p| PersonRow {
                    id: p.id,
                    workspace_id: ws,
                    handle: p.handle.clone(),
                    name: p.name.clone(),
                    email: p.email.clone(),
                    role: p.role,
                    team_id: Some(teams[p.team].id),
                    archived: false,
                    password_hash: p.password_hash.clone(),
                    created_at: joined + i as i64 * 1_000,
                    updated_at: joined + i as i64 * 1_000,
                    version: 1,
                })))
            }
            Stage::Cycles => Some(Batch::Cycles(self.chunk(&o.okrs.cycles, |_, c| CycleRow {
                id: c.id,
                workspace_id: ws,
                slug: c.slug.clone(),
                name: c.name.clone(),
                start_date: c.period.start(),
                end_date: c.period.end(),
                status: c.status,
                kind: milepost_core::CycleKind::Quarter,
                archived: false,
                created_at: c.created_at,
                updated_at: c.updated_at,
                version: c.version,
            }))),
            Stage::CycleTransitions => {
                self.cursor = usize::MAX;
                let admin = self.person_id(o.admin);
                let mut id = o.ids.cycle_transition;
                let mut rows = Vec::new();
                for cycle in &o.okrs.cycles {
                    for (from, to, at) in &cycle.transitions {
                        rows.push(CycleTransitionRow {
                            id,
                            workspace_id: ws,
                            cycle_id: cycle.id,
                            from_status: *from,
                            to_status: *to,
                            reason: String::new(),
                            actor_person_id: Some(admin),
                            actor_token_id: None,
                            at: *at,
                        });
                        id += 1;
                    }
                }
                Some(Batch::CycleTransitions(rows))
            }
            Stage::Kpis => {
                let people = &o.org.people;
                Some(Batch::Kpis(self.chunk(&o.kpis, |_, k| KpiRow {
                    id: k.id,
                    workspace_id: ws,
                    slug: k.slug.clone(),
                    name: k.name.clone(),
                    description: k.description.clone(),
                    owner_person_id: Some(people[k.owner].id),
                    unit: k.unit.map(str::to_owned),
                    direction: k.direction,
                    target: k.target,
                    range_low: k.range.map(|r| r.0),
                    range_high: k.range.map(|r| r.1),
                    warning_band: k.band,
                    cadence: k.cadence,
                    tier: k.tier,
                    tags: k.tags.clone(),
                    lagging_after: k.lagging_after,
                    archived: false,
                    created_at: k.created_at(),
                    updated_at: k.created_at(),
                    version: 1,
                    source: None,
                    last_run_at: None,
                    last_error: None,
                    last_error_at: None,
                    next_run_at: None,
                    position: None,
                    formula: None,
                    drivers: "[]".to_owned(),
                })))
            }
            Stage::Objectives => {
                let (people, teams) = (&o.org.people, &o.org.teams);
                let cycles = &o.okrs.cycles;
                Some(Batch::Objectives(self.chunk(&o.okrs.objectives, |_, b| ObjectiveRow {
                    id: b.id,
                    workspace_id: ws,
                    cycle_id: cycles[b.cycle].id,
                    title: b.title.clone(),
                    description: b.description.clone(),
                    owner_person_id: b.owner_person.map(|p| people[p].id),
                    owner_team_id: b.owner_team.map(|t| teams[t].id),
                    commitment: b.commitment,
                    parent_objective_id: b.parent_objective_id,
                    parent_key_result_id: b.parent_key_result_id,
                    visibility: b.visibility,
                    rollup_children: b.rollup_children,
                    added_after_start: b.added_after_start,
                    archived: false,
                    created_at: b.created_at,
                    updated_at: b.created_at,
                    version: 1,
                    position: None,
                })))
            }
            Stage::KeyResults => {
                let (people, kpis) = (&o.org.people, &o.kpis);
                Some(Batch::KeyResults(self.chunk(&o.okrs.key_results, |_, k| KeyResultRow {
                    id: k.id,
                    workspace_id: ws,
                    objective_id: k.objective_id,
                    title: k.title.clone(),
                    kind: k.kind,
                    metric: k.metric.clone(),
                    unit: k.unit.map(str::to_owned),
                    start_value: k.start_value(),
                    target_value: if k.kind == KeyResultKind::Range { None } else { k.target_value },
                    range_low: k.range().map(|r| r.0),
                    range_high: k.range().map(|r| r.1),
                    comparator: k.comparator,
                    relative_change: k.relative_change,
                    required_share: None,
                    current_value: k.current_value,
                    weight: k.weight,
                    owner_person_id: Some(people[k.owner].id),
                    cadence: k.cadence,
                    kpi_id: k.kpi.map(|i| kpis[i].id),
                    target_schedule: k.target_schedule.clone(),
                    added_after_start: k.added_after_start,
                    archived: false,
                    created_at: k.created_at,
                    updated_at: k.updated_at,
                    // Each check-in bumps the version (it takes the row's lock).
                    version: 1 + k.check_ins,
                    position: None,
                })))
            }
            Stage::Initiatives => {
                let people = &o.org.people;
                Some(Batch::Initiatives(self.chunk(&o.okrs.initiatives, |_, i| InitiativeRow {
                    id: i.id,
                    workspace_id: ws,
                    title: i.title.clone(),
                    description: String::new(),
                    owner_person_id: Some(people[i.owner].id),
                    status: i.status,
                    due_date: Some(i.due_date.clone()),
                    link: i.link.clone(),
                    archived: false,
                    created_at: i.created_at,
                    updated_at: i.updated_at,
                    version: i.version,
                })))
            }
            Stage::InitiativeKeyResults => {
                let initiatives = &o.okrs.initiatives;
                let mut rows = Vec::new();
                while self.cursor < initiatives.len() && rows.len() < self.size {
                    let initiative = &initiatives[self.cursor];
                    rows.extend(initiative.key_results.iter().map(|k| InitiativeKeyResultRow {
                        workspace_id: ws,
                        initiative_id: initiative.id,
                        key_result_id: *k,
                    }));
                    self.cursor += 1;
                }
                Some(Batch::InitiativeKeyResults(rows))
            }
            Stage::CheckIns => {
                let key_results = &o.okrs.key_results;
                let mut rows: Vec<CheckInRow> = Vec::with_capacity(self.size + 100);
                while self.cursor < key_results.len() && rows.len() < self.size {
                    rows.extend(check_ins(&self.context, &key_results[self.cursor]));
                    self.cursor += 1;
                }
                Some(Batch::CheckIns(rows))
            }
            Stage::Measurements => Some(Batch::Measurements(self.measurements())),
            Stage::Events => {
                self.cursor = usize::MAX;
                let counts = o.counts();
                let after = serde_json::json!({
                    "generator": "milepost seed --synthetic",
                    "seed": o.seed,
                    "people": o.people_wanted,
                    "rows": counts,
                    "active_cycle": o.okrs.cycles.iter().find(|c| c.status == CycleStatus::Active).map(|c| &c.slug),
                });
                Some(Batch::Events(vec![EventRow {
                    id: o.ids.event,
                    workspace_id: ws,
                    actor_person_id: None,
                    actor_token_id: None,
                    action: "seed".to_owned(),
                    entity: "workspace".to_owned(),
                    entity_id: ws,
                    before_json: None,
                    after_json: Some(after.to_string()),
                    at: o.now_ms,
                }]))
            }
            Stage::Done => None,
        }
    }

    fn measurements(&mut self) -> Vec<MeasurementRow> {
        let o = self.organisation;
        let mut rows = Vec::with_capacity(self.size);
        while self.cursor < o.kpis.len() && rows.len() < self.size {
            let kpi = &o.kpis[self.cursor];
            let mut day = self.day.unwrap_or(kpi.first_day);
            while day <= kpi.last_day && rows.len() < self.size {
                rows.push(MeasurementRow {
                    id: kpi.first_measurement_id + (day - kpi.first_day),
                    workspace_id: o.workspace_id,
                    kpi_id: kpi.id,
                    value: kpi.value(o.seed, day),
                    measured_at: day * DAY,
                    recorded_at: recorded_at(o.seed, kpi.index, day),
                    source: "api".to_owned(),
                });
                day += 1;
            }
            if day > kpi.last_day {
                self.cursor += 1;
                self.day = None;
            } else {
                self.day = Some(day);
            }
        }
        rows
    }

    /// Whether the current stage has given all its rows.
    fn stage_done(&self) -> bool {
        let o = self.organisation;
        let items = match self.stage {
            Stage::Teams => o.org.teams.len(),
            Stage::People => o.org.people.len(),
            Stage::Cycles => o.okrs.cycles.len(),
            Stage::Kpis | Stage::Measurements => o.kpis.len(),
            Stage::Objectives => o.okrs.objectives.len(),
            Stage::KeyResults | Stage::CheckIns => o.okrs.key_results.len(),
            Stage::Initiatives | Stage::InitiativeKeyResults => o.okrs.initiatives.len(),
            // Written in one go: done once visited.
            Stage::Workspace | Stage::CycleTransitions | Stage::Events => return self.cursor == usize::MAX,
            Stage::Done => return true,
        };
        self.cursor >= items
    }
}

impl Iterator for Batches<'_> {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        loop {
            if self.stage == Stage::Done {
                return None;
            }
            if self.stage_done() {
                self.stage = self.stage.next();
                self.cursor = 0;
                self.day = None;
                continue;
            }
            match self.next_rows() {
                Some(batch) if !batch.is_empty() => return Some(batch),
                _ => continue,
            }
        }
    }
}
