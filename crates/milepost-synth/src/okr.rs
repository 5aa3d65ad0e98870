//! Cycles and OKRs: the previous quarter (closed) and the quarter around today
//! (active), each with company objectives owned by the leadership team, two to four
//! objectives per team aligned up the team tree (to a parent team's objective or one of
//! its key results), and personal objectives for about one person in seven; some
//! visible to their team only, some aspirational, a few added after the quarter began.
//! Each objective has three to five key results, and about a third of key results an
//! initiative.

use crate::check_in::{Context, check_ins};
use crate::key_result::{self, KeyResult, Slot};
use crate::kpi::{DAY, Kpi};
use crate::org::Org;
use crate::random::{part, pick, stream, weighted};
use crate::words::{COMPANY_THEMES, DELIVERABLES, INITIATIVE_VERBS, OBJECTIVE_THEMES};
use jiff::civil::Date;
use milepost_core::InitiativeStatus::{self, Active, Done, Dropped, Planned};
use milepost_core::{Commitment, CyclePeriod, CycleStatus, Role, Slug, Visibility, next_quarter};
use milepost_store::NextIds;
use rand::RngExt;
use std::collections::HashSet;

/// How many personal objectives per person and quarter.
const PERSONAL_PER_PERSON: f64 = 0.15;

/// A cycle to write.
#[derive(Debug, Clone)]
pub(crate) struct Cycle {
    pub(crate) id: i64,
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) period: CyclePeriod,
    pub(crate) status: CycleStatus,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) version: i64,
    /// Status changes: from, to, when (unix ms).
    pub(crate) transitions: Vec<(CycleStatus, CycleStatus, i64)>,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) start_day: i64,
    pub(crate) end_day: i64,
    /// When it was closed (unix ms); `i64::MAX` while it is not.
    pub(crate) closed_at: i64,
}

/// An objective to write.
#[derive(Debug, Clone)]
pub(crate) struct Objective {
    pub(crate) id: i64,
    pub(crate) cycle: usize,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) owner_person: Option<usize>,
    pub(crate) owner_team: Option<usize>,
    pub(crate) commitment: Commitment,
    pub(crate) parent_objective_id: Option<i64>,
    pub(crate) parent_key_result_id: Option<i64>,
    pub(crate) visibility: Visibility,
    pub(crate) rollup_children: bool,
    pub(crate) added_after_start: bool,
    pub(crate) created_at: i64,
    /// Its key results, as indices into [`Okrs::key_results`].
    pub(crate) key_results: std::ops::Range<usize>,
}

/// An initiative to write.
#[derive(Debug, Clone)]
pub(crate) struct Initiative {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) owner: usize,
    pub(crate) status: InitiativeStatus,
    pub(crate) due_date: String,
    pub(crate) link: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) version: i64,
    pub(crate) key_results: Vec<i64>,
}

/// Cycles, objectives, key results and initiatives.
#[derive(Debug, Clone)]
pub(crate) struct Okrs {
    pub(crate) cycles: Vec<Cycle>,
    pub(crate) objectives: Vec<Objective>,
    pub(crate) key_results: Vec<KeyResult>,
    pub(crate) initiatives: Vec<Initiative>,
}

fn day_of(date: Date) -> i64 {
    milepost_core::cycle::midnight(date).as_millisecond().div_euclid(DAY)
}

fn cycle(id: i64, name: String, period: CyclePeriod, status: CycleStatus, now_ms: i64) -> Cycle {
    let start_ms = period.starts_at().as_millisecond();
    let end_ms = period.ends_at().as_millisecond();
    let created_at = start_ms - 14 * DAY + 10 * 3_600_000;
    let started = (start_ms + 9 * 3_600_000).min(now_ms);
    let mut transitions = vec![(CycleStatus::Planning, CycleStatus::Active, started)];
    let mut closed_at = i64::MAX;
    if status == CycleStatus::Closed {
        closed_at = (end_ms + 3 * DAY + 10 * 3_600_000).min(now_ms).max(end_ms);
        transitions.push((CycleStatus::Active, CycleStatus::Closed, closed_at));
    }
    let updated_at = transitions.last().map_or(created_at, |t| t.2);
    Cycle {
        id,
        slug: Slug::from_title(&name).map_or_else(|| format!("cycle-{id}"), |s| s.as_str().to_owned()),
        name,
        period,
        status,
        created_at,
        updated_at,
        version: 1 + transitions.len() as i64,
        transitions,
        start_ms,
        end_ms,
        start_day: day_of(period.start()),
        end_day: day_of(period.end()),
        closed_at,
    }
}

/// The closed previous quarter and the active quarter around `today`.
fn plan_cycles(today: Date, now_ms: i64, first_id: i64) -> Vec<Cycle> {
    let (active_name, active) = next_quarter(None, today);
    let before = active.start().yesterday().unwrap_or(active.start());
    let (previous_name, previous) = next_quarter(None, before);
    vec![
        cycle(first_id, previous_name, previous, CycleStatus::Closed, now_ms),
        cycle(first_id + 1, active_name, active, CycleStatus::Active, now_ms),
    ]
}

/// Everything [`plan`] needs from the rest of the organisation.
pub(crate) struct Inputs<'a> {
    pub(crate) seed: u64,
    pub(crate) workspace_id: i64,
    pub(crate) today: Date,
    pub(crate) now_ms: i64,
    pub(crate) ids: &'a NextIds,
    pub(crate) org: &'a Org,
    pub(crate) kpis: &'a [Kpi],
}

/// Plans the cycles, objectives, key results and initiatives, and plays out every key
/// result's check-ins to know its current value.
pub(crate) fn plan(inputs: &Inputs<'_>) -> Okrs {
    let cycles = plan_cycles(inputs.today, inputs.now_ms, inputs.ids.cycle);
    let mut okrs =
        Okrs { cycles: Vec::new(), objectives: Vec::new(), key_results: Vec::new(), initiatives: Vec::new() };
    for (index, cycle) in cycles.iter().enumerate() {
        plan_cycle(inputs, &mut okrs, index, cycle);
    }
    okrs.cycles = cycles;
    plan_initiatives(inputs, &mut okrs);
    let context = Context {
        seed: inputs.seed,
        workspace_id: inputs.workspace_id,
        now_ms: inputs.now_ms,
        cycles: &okrs.cycles,
        kpis: inputs.kpis,
        people: &inputs.org.people,
    };
    let mut next_check_in = inputs.ids.check_in;
    for key_result in &mut okrs.key_results {
        key_result.first_check_in_id = next_check_in;
        let rows = check_ins(&context, key_result);
        key_result.check_ins = rows.len() as i64;
        if let Some(last) = rows.last() {
            key_result.current_value = Some(last.value);
            key_result.updated_at = last.created_at;
        }
        next_check_in += key_result.check_ins;
    }
    okrs
}

/// One objective's owner, alignment and wording, before its key results.
struct Draft {
    title: String,
    owner_person: Option<usize>,
    owner_team: Option<usize>,
    area: String,
    parent: Option<usize>,
    to_key_result: bool,
    team_only: bool,
    aspirational: bool,
    rollup_children: bool,
}

fn plan_cycle(inputs: &Inputs<'_>, okrs: &mut Okrs, index: usize, cycle: &Cycle) {
    let org = inputs.org;
    let mut rng = stream(inputs.seed, part::OBJECTIVES, index as u64);
    let linkable: Vec<usize> = inputs
        .kpis
        .iter()
        .enumerate()
        .filter(|(_, k)| k.covers(cycle.start_day, cycle.start_day + 30))
        .map(|(i, _)| i)
        .collect();
    // For each team, its objectives others may align to (those the workspace sees).
    let mut alignable: Vec<Vec<usize>> = vec![Vec::new(); org.teams.len()];
    let company = rng.random_range(3..=5_usize);
    for k in 0..company {
        let draft = Draft {
            title: COMPANY_THEMES[k % COMPANY_THEMES.len()].to_owned(),
            owner_person: None,
            owner_team: Some(0),
            area: "the company".to_owned(),
            parent: None,
            to_key_result: false,
            team_only: false,
            aspirational: k == company - 1,
            rollup_children: rng.random_bool(0.5),
        };
        let objective = add(inputs, okrs, &mut rng, index, cycle, &linkable, draft);
        alignable[0].push(objective);
    }
    for (t, team) in org.teams.iter().enumerate().skip(1) {
        let count = 2 + weighted(&mut rng, &[0.3, 0.45, 0.25]);
        for _ in 0..count {
            let parents = team.parent.map(|p| alignable[p].as_slice()).unwrap_or_default();
            let parent = (!parents.is_empty() && rng.random_bool(0.85)).then(|| *pick(&mut rng, parents));
            let team_only = rng.random_bool(0.1);
            let draft = Draft {
                title: pick(&mut rng, OBJECTIVE_THEMES).replace("{}", &team.area),
                owner_person: None,
                owner_team: Some(t),
                area: team.area.clone(),
                parent,
                to_key_result: rng.random_bool(0.25),
                team_only,
                aspirational: rng.random_bool(0.3),
                rollup_children: rng.random_bool(0.15),
            };
            let objective = add(inputs, okrs, &mut rng, index, cycle, &linkable, draft);
            if !team_only {
                alignable[t].push(objective);
            }
        }
    }
    let wanted = (org.people.len() as f64 * PERSONAL_PER_PERSON).round() as usize;
    let mut chosen = HashSet::new();
    let mut attempts = 0;
    while chosen.len() < wanted && attempts < wanted * 4 {
        attempts += 1;
        let person = rng.random_range(0..org.people.len());
        if org.people[person].role == Role::Viewer || !chosen.insert(person) {
            continue;
        }
        let team = org.people[person].team;
        let parents = alignable[team].as_slice();
        let parent = (!parents.is_empty() && rng.random_bool(0.7)).then(|| *pick(&mut rng, parents));
        let area = org.teams[team].area.clone();
        let draft = Draft {
            title: pick(&mut rng, OBJECTIVE_THEMES).replace("{}", &area),
            owner_person: Some(person),
            owner_team: None,
            area,
            parent,
            to_key_result: rng.random_bool(0.3),
            team_only: rng.random_bool(0.2),
            aspirational: rng.random_bool(0.4),
            rollup_children: false,
        };
        add(inputs, okrs, &mut rng, index, cycle, &linkable, draft);
    }
}

/// Adds an objective and its key results; answers the objective's index.
fn add(
    inputs: &Inputs<'_>,
    okrs: &mut Okrs,
    rng: &mut rand::rngs::StdRng,
    cycle_index: usize,
    cycle: &Cycle,
    linkable: &[usize],
    draft: Draft,
) -> usize {
    let org = inputs.org;
    let index = okrs.objectives.len();
    let id = inputs.ids.objective + index as i64;
    let (parent_objective_id, parent_key_result_id) = match draft.parent {
        None => (None, None),
        Some(parent) => {
            let parent_id = okrs.objectives[parent].id;
            let parent_key_results: Vec<i64> =
                okrs.key_results[okrs.objectives[parent].key_results.clone()].iter().map(|k| k.id).collect();
            if draft.to_key_result && !parent_key_results.is_empty() {
                (Some(parent_id), Some(*pick(rng, &parent_key_results)))
            } else {
                (Some(parent_id), None)
            }
        }
    };
    let late = cycle.status == CycleStatus::Active
        && draft.owner_team != Some(0)
        && rng.random_bool(0.04)
        && cycle.start_ms + 40 * DAY < inputs.now_ms - DAY;
    let created_at = if late {
        cycle.start_ms + rng.random_range(14..=40) * DAY + rng.random_range(9..=17) * 3_600_000
    } else {
        cycle.start_ms - rng.random_range(1..=10) * DAY + rng.random_range(9..=17) * 3_600_000
    };
    let commitment = if draft.aspirational { Commitment::Aspirational } else { Commitment::Committed };
    let description = format!(
        "Why it matters: {} depends on it this quarter. {} objective.",
        draft.area,
        if draft.aspirational { "A stretch" } else { "A committed" }
    );
    okrs.objectives.push(Objective {
        id,
        cycle: cycle_index,
        title: draft.title,
        description,
        owner_person: draft.owner_person,
        owner_team: draft.owner_team,
        commitment,
        parent_objective_id,
        parent_key_result_id,
        visibility: if draft.team_only { Visibility::Team } else { Visibility::Workspace },
        rollup_children: draft.rollup_children,
        added_after_start: late,
        created_at,
        key_results: 0..0,
    });
    let first_key_result = okrs.key_results.len();
    let owners: Vec<usize> = match (draft.owner_person, draft.owner_team) {
        (Some(person), _) => vec![person],
        // Viewers read only: they own no key result (they could not check in on it).
        (None, Some(team)) => {
            org.teams[team].members.iter().copied().filter(|p| org.people[*p].role != Role::Viewer).collect()
        }
        (None, None) => vec![0],
    };
    let count = 3 + weighted(rng, &[0.4, 0.45, 0.15]);
    let mut taken: Vec<String> = Vec::with_capacity(count);
    for _ in 0..count {
        let key_result_index = okrs.key_results.len() as u64;
        let slot = Slot {
            seed: inputs.seed,
            id: inputs.ids.key_result + key_result_index as i64,
            index: key_result_index,
            objective_id: id,
            cycle: cycle_index,
            cycle_start_day: cycle.start_day,
            cycle_days: cycle.end_day - cycle.start_day + 1,
            cycle_active: cycle.status == CycleStatus::Active,
            now_ms: inputs.now_ms,
            owner: *pick(rng, &owners),
            area: &draft.area,
            aspirational: draft.aspirational,
            added_after_start: late,
            created_at: created_at + key_result_index as i64 % 1000,
            taken: &taken,
            kpis: inputs.kpis,
            linkable,
        };
        let key_result = key_result::make(&slot);
        taken.extend(key_result.subject());
        okrs.key_results.push(key_result);
    }
    okrs.objectives[index].key_results = first_key_result..okrs.key_results.len();
    index
}

fn plan_initiatives(inputs: &Inputs<'_>, okrs: &mut Okrs) {
    let mut rng = stream(inputs.seed, part::INITIATIVES, 0);
    let mut initiatives = Vec::new();
    for (k, key_result) in okrs.key_results.iter().enumerate() {
        if !rng.random_bool(0.33) {
            continue;
        }
        let cycle = &okrs.cycles[key_result.cycle];
        let mut key_results = vec![key_result.id];
        if let Some(next) = okrs.key_results.get(k + 1)
            && next.objective_id == key_result.objective_id
            && rng.random_bool(0.2)
        {
            key_results.push(next.id);
        }
        let status = if cycle.status == CycleStatus::Closed {
            *pick(&mut rng, &[Done, Done, Done, Done, Dropped, Active])
        } else {
            *pick(&mut rng, &[Planned, Active, Active, Done, Dropped, Active, Planned, Done])
        };
        let created_at = (key_result.created_at + rng.random_range(1..=10) * DAY).min(inputs.now_ms - 3_600_000);
        let finished = matches!(status, Done | Dropped);
        let updated_at = if finished {
            (created_at + rng.random_range(10..=60) * DAY).min(inputs.now_ms - 60_000).max(created_at)
        } else {
            created_at
        };
        let due_day = cycle.start_day + rng.random_range(20..=88);
        let due_date = jiff::Timestamp::from_millisecond(due_day * DAY)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            .unwrap_or_default();
        let id = inputs.ids.initiative + initiatives.len() as i64;
        let deliverable = *pick(&mut rng, DELIVERABLES);
        initiatives.push(Initiative {
            id,
            title: format!("{} {deliverable}", pick(&mut rng, INITIATIVE_VERBS)),
            owner: key_result.owner,
            status,
            due_date,
            link: rng.random_bool(0.4).then(|| format!("https://tracker.example/issues/{}", 1000 + id)),
            created_at,
            updated_at,
            version: if finished { 2 } else { 1 },
            key_results,
        });
    }
    okrs.initiatives = initiatives;
}
