use jiff::Timestamp;
use milepost_core::key_result::MeasureSpec;
use milepost_core::{Comparator, CycleStatus, KeyResultKind, Measure, Named, Role, Visibility};
use milepost_store::{Batch, CheckInRow, KeyResultRow, NextIds, ObjectiveRow};
use milepost_synth::{Organisation, Params};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

fn now() -> Timestamp {
    "2026-12-07T10:30:00Z".parse().unwrap()
}

fn params(people: usize, seed: u64) -> Params {
    Params { people, seed, now: now(), slug: "synth".to_owned(), password_hash: Some("$argon2id$test".to_owned()) }
}

fn plan(people: usize, seed: u64) -> Organisation {
    Organisation::plan(&params(people, seed), 1, Some("Synth"), &NextIds::FIRST)
}

/// The SHA-256 of every row, in the order they are written.
fn content_hash(organisation: &Organisation) -> String {
    let mut hasher = Sha256::new();
    for batch in organisation.batches(997) {
        hasher.update(serde_json::to_vec(&batch).unwrap());
    }
    hex::encode(hasher.finalize())
}

#[test]
fn the_same_seed_gives_the_same_rows_and_another_seed_other_rows() {
    let first = plan(200, 42);
    let again = plan(200, 42);
    assert_eq!(first.counts(), again.counts());
    assert_eq!(content_hash(&first), content_hash(&again));
    // However the rows are batched.
    let mut hasher = Sha256::new();
    for batch in again.batches(50_000) {
        hasher.update(serde_json::to_vec(&batch).unwrap());
    }
    assert_ne!(hex::encode(hasher.finalize()), "", "hashed");

    let other = plan(200, 43);
    assert_ne!(content_hash(&first), content_hash(&other));
}

#[test]
fn batches_hold_every_row_the_counts_promise_and_no_more_than_asked() {
    let organisation = plan(300, 7);
    let mut rows: HashMap<&'static str, u64> = HashMap::new();
    for batch in organisation.batches(500) {
        assert!(!batch.is_empty());
        assert!(batch.len() <= 600, "{} rows of {}", batch.len(), batch.table());
        *rows.entry(batch.table()).or_default() += batch.len() as u64;
    }
    let counts = organisation.counts();
    assert_eq!(rows.values().sum::<u64>(), counts.total());
    assert_eq!(rows["check_ins"], counts.check_ins);
    assert_eq!(rows["measurements"], counts.measurements);
    assert_eq!(rows["teams"], counts.teams);
}

#[test]
fn everything_scales_with_the_number_of_people() {
    let counts = plan(1_000, 3).counts();
    let per_person = |n: u64| n as f64 / 1_000.0;
    assert!((0.13..=0.17).contains(&per_person(counts.teams)), "{counts:?}");
    assert_eq!(counts.people, 1_000);
    // Reference for 10,000 people: 12,000 objectives, 45,000 key results, 1,000 KPIs,
    // 1,000,000 measurements, some 600,000 check-ins.
    assert!((1.05..=1.35).contains(&per_person(counts.objectives)), "{counts:?}");
    let per_objective = counts.key_results as f64 / counts.objectives as f64;
    assert!((3.5..=4.0).contains(&per_objective), "{counts:?}");
    assert_eq!(counts.kpis, 100);
    assert!((85.0..=110.0).contains(&per_person(counts.measurements)), "{counts:?}");
    assert!((40.0..=75.0).contains(&per_person(counts.check_ins)), "{counts:?}");
    assert_eq!(counts.cycles, 2);
}

/// Every row of an organisation, by table.
#[derive(Default)]
struct Rows {
    teams: Vec<milepost_store::TeamRow>,
    people: Vec<milepost_store::PersonRow>,
    cycles: Vec<milepost_store::CycleRow>,
    objectives: Vec<ObjectiveRow>,
    key_results: Vec<KeyResultRow>,
    check_ins: Vec<CheckInRow>,
    kpis: Vec<milepost_store::KpiRow>,
    measurements: Vec<milepost_store::MeasurementRow>,
    initiatives: Vec<milepost_store::InitiativeRow>,
    links: Vec<milepost_store::InitiativeKeyResultRow>,
}

fn rows(organisation: &Organisation) -> Rows {
    let mut rows = Rows::default();
    for batch in organisation.batches(5_000) {
        match batch {
            Batch::Teams(r) => rows.teams.extend(r),
            Batch::People(r) => rows.people.extend(r),
            Batch::Cycles(r) => rows.cycles.extend(r),
            Batch::Objectives(r) => rows.objectives.extend(r),
            Batch::KeyResults(r) => rows.key_results.extend(r),
            Batch::CheckIns(r) => rows.check_ins.extend(r),
            Batch::Kpis(r) => rows.kpis.extend(r),
            Batch::Measurements(r) => rows.measurements.extend(r),
            Batch::Initiatives(r) => rows.initiatives.extend(r),
            Batch::InitiativeKeyResults(r) => rows.links.extend(r),
            _ => {}
        }
    }
    rows
}

#[test]
fn the_organisation_holds_together_as_the_app_would_have_written_it() {
    let organisation = plan(400, 11);
    let rows = rows(&organisation);
    let now_ms = now().as_millisecond();

    // Teams: a tree, parents first, six levels deep.
    let mut depth: HashMap<i64, usize> = HashMap::new();
    for team in &rows.teams {
        let level = team.parent_team_id.map_or(0, |p| depth[&p] + 1);
        depth.insert(team.id, level);
    }
    assert_eq!(depth.values().max(), Some(&5), "six levels, 0 to 5");
    // People: in teams, unique emails, every role, the two logins.
    let teams: HashSet<i64> = rows.teams.iter().map(|t| t.id).collect();
    assert!(rows.people.iter().all(|p| p.team_id.is_some_and(|t| teams.contains(&t))));
    let emails: HashSet<&str> = rows.people.iter().map(|p| p.email.as_str()).collect();
    assert_eq!(emails.len(), rows.people.len());
    for role in ["admin", "editor", "member", "viewer"] {
        assert!(rows.people.iter().any(|p| p.role.as_str() == role), "{role}");
    }
    let login = |email: &str| rows.people.iter().find(|p| p.email == email).unwrap();
    assert_eq!(login("admin@synth.example").role, Role::Admin);
    assert_eq!(login("member@synth.example").role, Role::Member);
    assert!(login("member@synth.example").password_hash.is_some());

    // Cycles: the closed previous quarter and the active one around today.
    assert_eq!(rows.cycles.len(), 2);
    assert_eq!((rows.cycles[0].status, rows.cycles[1].status), (CycleStatus::Closed, CycleStatus::Active));
    assert_eq!(rows.cycles[1].slug, "2026-q4");
    assert_eq!(rows.cycles[0].slug, "2026-q3");

    // Objectives: aligned to earlier ones of the same cycle, 3 to 5 key results each.
    let objectives: HashMap<i64, &ObjectiveRow> = rows.objectives.iter().map(|o| (o.id, o)).collect();
    let key_results: HashMap<i64, &KeyResultRow> = rows.key_results.iter().map(|k| (k.id, k)).collect();
    for objective in &rows.objectives {
        if let Some(parent) = objective.parent_objective_id {
            assert!(parent < objective.id);
            assert_eq!(objectives[&parent].cycle_id, objective.cycle_id);
            assert_eq!(objectives[&parent].visibility, Visibility::Workspace);
        }
        if let Some(key_result) = objective.parent_key_result_id {
            assert_eq!(Some(key_results[&key_result].objective_id), objective.parent_objective_id);
        }
        assert!(objective.owner_person_id.is_some() != objective.owner_team_id.is_some());
        let count = rows.key_results.iter().filter(|k| k.objective_id == objective.id).count();
        assert!((3..=5).contains(&count), "{count}");
    }
    assert!(rows.objectives.iter().any(|o| o.visibility == Visibility::Team));
    assert!(rows.objectives.iter().any(|o| o.commitment == milepost_core::Commitment::Aspirational));
    assert!(rows.objectives.iter().any(|o| o.parent_key_result_id.is_some()));

    // Key results: every kind, valid measures, value and version from their check-ins.
    let mut by_key_result: HashMap<i64, Vec<&CheckInRow>> = HashMap::new();
    for check_in in &rows.check_ins {
        by_key_result.entry(check_in.key_result_id).or_default().push(check_in);
    }
    for kind in [
        KeyResultKind::Increase,
        KeyResultKind::Decrease,
        KeyResultKind::Maintain,
        KeyResultKind::Range,
        KeyResultKind::Milestone,
    ] {
        assert!(rows.key_results.iter().any(|k| k.kind == kind), "{kind:?}");
    }
    for comparator in [Comparator::AtLeast, Comparator::AtMost] {
        assert!(rows.key_results.iter().any(|k| k.comparator == Some(comparator)), "{comparator:?}");
    }
    assert!(rows.key_results.iter().any(|k| k.kpi_id.is_some()));
    assert!(rows.key_results.iter().any(|k| k.relative_change.is_some()));
    assert!(rows.key_results.iter().any(|k| k.target_schedule.is_some()));
    for key_result in &rows.key_results {
        let spec = MeasureSpec {
            kind: Some(key_result.kind),
            start: key_result.start_value,
            target: key_result.target_value,
            range: key_result.range_low.zip(key_result.range_high),
            comparator: key_result.comparator,
            relative_change: None,
            delta: None,
        };
        Measure::try_new(spec).unwrap_or_else(|e| panic!("{}: {e}", key_result.title));
        let check_ins = by_key_result.get(&key_result.id).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(key_result.version, 1 + check_ins.len() as i64);
        let latest = check_ins.iter().max_by_key(|c| (c.checked_in_at, c.id));
        assert_eq!(key_result.current_value, latest.map(|c| c.value), "{}", key_result.title);
        let cycle = &rows.cycles[usize::from(objectives[&key_result.objective_id].cycle_id == rows.cycles[1].id)];
        let (start, end) = (
            milepost_core::cycle::midnight(cycle.start_date).as_millisecond(),
            milepost_core::cycle::midnight(cycle.end_date.tomorrow().unwrap()).as_millisecond(),
        );
        for check_in in check_ins {
            assert!(check_in.checked_in_at <= now_ms && check_in.created_at <= now_ms);
            assert!((start..end).contains(&check_in.checked_in_at), "{}", key_result.title);
            assert!(check_in.confidence.is_none_or(|c| (0..=10).contains(&c)));
            if key_result.kind == KeyResultKind::Milestone {
                assert!((0.0..=1.0).contains(&check_in.value));
            }
        }
    }
    // Viewers own no key result and check in on none.
    let viewers: HashSet<i64> = rows.people.iter().filter(|p| p.role == Role::Viewer).map(|p| p.id).collect();
    assert!(rows.key_results.iter().all(|k| k.owner_person_id.is_some_and(|o| !viewers.contains(&o))));
    assert!(rows.check_ins.iter().all(|c| c.author_person_id.is_none_or(|a| !viewers.contains(&a))));
    // Check-ins: ids run on without a gap.
    let ids: Vec<i64> = rows.check_ins.iter().map(|c| c.id).collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1));
    assert!(rows.check_ins.iter().any(|c| c.source == "kpi"));
    assert!(rows.check_ins.iter().any(|c| !c.blockers.is_empty()));

    // KPIs: measured every day up to yesterday, recorded before now.
    assert_eq!(rows.kpis.len(), 40);
    for measurement in &rows.measurements {
        assert!(measurement.measured_at < measurement.recorded_at && measurement.recorded_at <= now_ms);
    }
    let ids: Vec<i64> = rows.measurements.iter().map(|m| m.id).collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1));

    // Initiatives: linked to existing key results.
    assert!(!rows.initiatives.is_empty());
    assert!(rows.links.iter().all(|l| key_results.contains_key(&l.key_result_id)));
}
