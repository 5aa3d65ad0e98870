//! Storage tests. Each body runs on SQLite and on PostgreSQL (when
//! `MILEPOST_TEST_POSTGRES_URL` is set), each in its own fresh database or schema.

#![expect(
    clippy::disallowed_methods,
    reason = "the store's own tests write to it directly: no app, so no read model to tell"
)]
#![expect(clippy::unwrap_used, reason = "a test that cannot set up should fail loudly")]

use milepost_core::{Cadence, Commitment, CycleKind, CycleStatus, KeyResultKind, Visibility, WorkspaceId};
use milepost_sql::Store;
use milepost_sql::test_support::{postgres_store, postgres_url, sqlite_store};
use milepost_store::*;
use std::future::Future;

/// Runs `body` against a fresh SQLite store.
async fn on_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await.unwrap();
    body(store.clone()).await;
    store.close().await;
}

/// Runs `body` against a fresh PostgreSQL schema, or says why it cannot.
async fn on_postgres<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return;
    };
    let (store, _) = postgres_store(&url).await.unwrap();
    body(store.clone()).await;
    store.close().await;
}

/// Writes a storage test once and runs it on both databases.
macro_rules! db_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                on_sqlite($body).await;
            }
            #[tokio::test]
            async fn postgres() {
                on_postgres($body).await;
            }
        }
    };
}

const NOW: i64 = 1_790_000_000_000;

async fn workspace(store: &Store, slug: &str) -> WorkspaceId {
    let mut tx = store.write().await.unwrap();
    let row = tx.insert_workspace(slug, slug, NOW).await.unwrap();
    tx.commit().await.unwrap();
    WorkspaceId(row.id)
}

fn team(slug: &str) -> TeamFields {
    TeamFields { slug: slug.into(), name: slug.into(), parent_team_id: None }
}

async fn cycle_and_objective(tx: &mut Tx, ws: WorkspaceId, team_id: i64) -> (CycleRow, ObjectiveRow) {
    let cycle = tx
        .insert_cycle(
            ws,
            &CycleFields {
                slug: "2026-q4".into(),
                name: "2026 Q4".into(),
                start_date: jiff::civil::date(2026, 10, 1),
                end_date: jiff::civil::date(2026, 12, 31),
                status: CycleStatus::Active,
                kind: CycleKind::Quarter,
            },
            NOW,
        )
        .await
        .unwrap();
    let objective = tx
        .insert_objective(
            ws,
            &ObjectiveFields {
                cycle_id: cycle.id,
                title: "Delight customers".into(),
                description: String::new(),
                owner_person_id: None,
                owner_team_id: Some(team_id),
                commitment: Commitment::Committed,
                parent_objective_id: None,
                parent_key_result_id: None,
                visibility: Visibility::Workspace,
                rollup_children: false,
            },
            false,
            NOW,
        )
        .await
        .unwrap();
    (cycle, objective)
}

fn key_result(objective_id: i64) -> KeyResultFields {
    KeyResultFields {
        objective_id,
        title: "Increase NPS from 32 to 50".into(),
        kind: KeyResultKind::Increase,
        metric: Some("nps".into()),
        unit: None,
        start_value: Some(32.0),
        target_value: Some(50.0),
        range_low: None,
        range_high: None,
        comparator: None,
        relative_change: None,
        required_share: None,
        weight: 1.0,
        owner_person_id: None,
        cadence: Cadence::Weekly,
        kpi_id: None,
        target_schedule: None,
    }
}

db_test!(migrations_can_run_again, |store: Store| async move {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
});

db_test!(rows_of_one_workspace_are_invisible_from_another, |store: Store| async move {
    let a = workspace(&store, "a").await;
    let b = workspace(&store, "b").await;
    let mut tx = store.write().await.unwrap();
    let row = tx.insert_team(a, &team("support"), NOW).await.unwrap();
    assert!(tx.team(b, row.id).await.unwrap().is_none());
    assert!(tx.list_teams(b, &TeamFilter::default(), Page::ALL).await.unwrap().is_empty());
    let err = tx.update_team(b, row.id, row.version, &team("stolen"), false, NOW).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert!(!tx.exists("teams", b, row.id).await.unwrap());
    assert!(tx.exists("teams", a, row.id).await.unwrap());
    // The same slug is free in the other workspace.
    tx.insert_team(b, &team("support"), NOW).await.unwrap();
    tx.commit().await.unwrap();
});

db_test!(stale_version_is_a_conflict, |store: Store| async move {
    let ws = workspace(&store, "w").await;
    let mut tx = store.write().await.unwrap();
    let row = tx.insert_team(ws, &team("support"), NOW).await.unwrap();
    let updated = tx.update_team(ws, row.id, row.version, &team("support-2"), false, NOW + 1).await.unwrap();
    assert_eq!(updated.version, row.version + 1);
    assert_eq!(updated.slug, "support-2");
    let err = tx.update_team(ws, row.id, row.version, &team("support-3"), false, NOW + 2).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { current } if current == updated.version), "{err:?}");
    tx.commit().await.unwrap();
});

db_test!(duplicate_slugs_and_missing_references_are_refused, |store: Store| async move {
    let ws = workspace(&store, "w").await;
    let mut tx = store.write().await.unwrap();
    tx.insert_team(ws, &team("support"), NOW).await.unwrap();
    let err = tx.insert_team(ws, &team("support"), NOW).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
    drop(tx);
    let mut tx = store.write().await.unwrap();
    let orphan = TeamFields { parent_team_id: Some(999_999), ..team("orphan") };
    let err = tx.insert_team(ws, &orphan, NOW).await.unwrap_err();
    assert!(matches!(err, StoreError::MissingReference), "{err:?}");
});

db_test!(a_dropped_transaction_writes_nothing, |store: Store| async move {
    let ws = workspace(&store, "w").await;
    {
        let mut tx = store.write().await.unwrap();
        tx.insert_team(ws, &team("support"), NOW).await.unwrap();
    }
    let mut tx = store.read().await.unwrap();
    assert!(tx.list_teams(ws, &TeamFilter::default(), Page::ALL).await.unwrap().is_empty());
});

db_test!(lists_filter_and_paginate_by_id, |store: Store| async move {
    let ws = workspace(&store, "w").await;
    let mut tx = store.write().await.unwrap();
    let root = tx.insert_team(ws, &team("company"), NOW).await.unwrap();
    let mut children = Vec::new();
    for i in 0..5 {
        let fields = TeamFields { parent_team_id: Some(root.id), ..team(&format!("team-{i}")) };
        children.push(tx.insert_team(ws, &fields, NOW).await.unwrap());
    }
    let archived = &children[4];
    let same = TeamFields { parent_team_id: Some(root.id), ..team("team-4") };
    tx.update_team(ws, archived.id, archived.version, &same, true, NOW).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let filter = TeamFilter { parent_team_id: Some(root.id), include_archived: false };
    let first = tx.list_teams(ws, &filter, Page { after: None, limit: 2 }).await.unwrap();
    assert_eq!(first.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["team-0", "team-1"]);
    let rest = tx.list_teams(ws, &filter, Page { after: Some(first[1].id), limit: 10 }).await.unwrap();
    assert_eq!(rest.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["team-2", "team-3"]);
    let with_archived = TeamFilter { include_archived: true, ..filter };
    assert_eq!(tx.list_teams(ws, &with_archived, Page::ALL).await.unwrap().len(), 5);
});

db_test!(current_value_follows_the_latest_check_in, |store: Store| async move {
    let ws = workspace(&store, "w").await;
    let mut tx = store.write().await.unwrap();
    let owner = tx.insert_team(ws, &team("support"), NOW).await.unwrap();
    let (cycle, objective) = cycle_and_objective(&mut tx, ws, owner.id).await;
    let kr = tx.insert_key_result(ws, &key_result(objective.id), false, NOW).await.unwrap();
    assert_eq!(kr.current_value, None);
    let check_in = |value, at| NewCheckIn {
        key_result_id: kr.id,
        value,
        confidence: Some(7),
        note: "note".into(),
        blockers: String::new(),
        author_person_id: None,
        source: "manual".into(),
        checked_in_at: at,
    };
    for (value, at) in [(35.0, NOW + 10), (40.0, NOW + 30), (38.0, NOW + 20)] {
        tx.touch_key_result(ws, kr.id, NOW).await.unwrap();
        tx.insert_check_in(ws, &check_in(value, at), NOW).await.unwrap();
    }
    let refreshed = tx.refresh_current_value(ws, kr.id).await.unwrap();
    assert_eq!(refreshed.current_value, Some(40.0), "a back-dated check-in does not replace a later one");
    assert_eq!(refreshed.version, kr.version + 3);
    let history = tx.check_ins_of(ws, &[kr.id]).await.unwrap();
    assert_eq!(history.iter().map(|c| c.value).collect::<Vec<_>>(), [35.0, 38.0, 40.0]);
    let filtered = tx
        .list_key_results(ws, &KeyResultFilter { cycle_id: Some(cycle.id), ..Default::default() }, Page::ALL)
        .await
        .unwrap();
    assert_eq!(filtered.len(), 1);
    let other = tx
        .list_key_results(ws, &KeyResultFilter { cycle_id: Some(cycle.id + 1000), ..Default::default() }, Page::ALL)
        .await
        .unwrap();
    assert!(other.is_empty());
    tx.commit().await.unwrap();
});

db_test!(an_objective_has_exactly_one_owner, |store: Store| async move {
    let ws = workspace(&store, "w").await;
    let mut tx = store.write().await.unwrap();
    let owner = tx.insert_team(ws, &team("support"), NOW).await.unwrap();
    let (_, objective) = cycle_and_objective(&mut tx, ws, owner.id).await;
    let fields = ObjectiveFields {
        cycle_id: objective.cycle_id,
        title: objective.title.clone(),
        description: String::new(),
        owner_person_id: None,
        owner_team_id: None,
        commitment: Commitment::Committed,
        parent_objective_id: None,
        parent_key_result_id: None,
        visibility: Visibility::Workspace,
        rollup_children: false,
    };
    assert!(tx.insert_objective(ws, &fields, false, NOW).await.is_err());
});

db_test!(initiatives_link_to_key_results, |store: Store| async move {
    let ws = workspace(&store, "w").await;
    let mut tx = store.write().await.unwrap();
    let owner = tx.insert_team(ws, &team("support"), NOW).await.unwrap();
    let (_, objective) = cycle_and_objective(&mut tx, ws, owner.id).await;
    let kr = tx.insert_key_result(ws, &key_result(objective.id), false, NOW).await.unwrap();
    let fields = InitiativeFields {
        title: "New triage macro".into(),
        description: String::new(),
        owner_person_id: None,
        status: milepost_core::InitiativeStatus::Active,
        due_date: Some("2026-11-30".into()),
        link: None,
    };
    let initiative = tx.insert_initiative(ws, &fields, NOW).await.unwrap();
    tx.set_initiative_key_results(ws, initiative.id, &[kr.id]).await.unwrap();
    assert_eq!(tx.initiative_key_results(ws, initiative.id).await.unwrap(), [kr.id]);
    let by_kr = InitiativeFilter { key_result_id: Some(kr.id), ..Default::default() };
    assert_eq!(tx.list_initiatives(ws, &by_kr, Page::ALL).await.unwrap().len(), 1);
    let by_other = InitiativeFilter { key_result_id: Some(kr.id + 1), ..Default::default() };
    assert!(tx.list_initiatives(ws, &by_other, Page::ALL).await.unwrap().is_empty());
    tx.commit().await.unwrap();
});

db_test!(a_stored_value_that_cannot_be_read_names_its_table_row_and_column, |store: Store| async move {
    let ws = workspace(&store, "w").await;
    let mut tx = store.write().await.unwrap();
    let owner = tx.insert_team(ws, &team("support"), NOW).await.unwrap();
    let (_, objective) = cycle_and_objective(&mut tx, ws, owner.id).await;
    let kr = tx.insert_key_result(ws, &key_result(objective.id), false, NOW).await.unwrap();
    tx.commit().await.unwrap();
    let sql = format!("UPDATE key_results SET kind = 'sideways' WHERE id = {}", kr.id);
    milepost_sql::test_support::execute_unchecked(&store, &sql).await.unwrap();
    let mut tx = store.read().await.unwrap();
    match tx.key_result(ws, kr.id).await {
        Err(StoreError::Corrupt { column, reason }) => {
            assert_eq!(column, format!("key_results.kind of row {}", kr.id));
            assert!(reason.contains("\"sideways\"") && reason.contains("increase, decrease"), "{reason}");
        }
        other => panic!("expected a corrupt row, got {other:?}"),
    }
    let error = tx.key_result(ws, kr.id).await.unwrap_err();
    assert!(!error.is_unavailable(), "a corrupted row is a bug, not an outage");
});

mod bulk;

db_test!(lists_of_ids_of_any_length_read_exactly_their_rows, |store: Store| async move {
    // Longer than SQLite's 32,766 bound values and PostgreSQL's 65,535: the ids travel
    // as one value.
    let ws = workspace(&store, "w").await;
    let other = workspace(&store, "x").await;
    let mut tx = store.write().await.unwrap();
    let owner = tx.insert_team(ws, &team("support"), NOW).await.unwrap();
    let (_, objective) = cycle_and_objective(&mut tx, ws, owner.id).await;
    let first = tx.insert_key_result(ws, &key_result(objective.id), false, NOW).await.unwrap();
    let second = tx.insert_key_result(ws, &key_result(objective.id), false, NOW).await.unwrap();
    let check_in = |key_result_id, value| NewCheckIn {
        key_result_id,
        value,
        confidence: None,
        note: String::new(),
        blockers: String::new(),
        author_person_id: None,
        source: "manual".into(),
        checked_in_at: NOW,
    };
    tx.insert_check_in(ws, &check_in(first.id, 1.0), NOW).await.unwrap();
    tx.insert_check_in(ws, &check_in(second.id, 2.0), NOW).await.unwrap();
    let mut ids: Vec<i64> = (1_000_000..1_070_000).collect();
    ids.push(second.id);
    let found = tx.check_ins_of(ws, &ids).await.unwrap();
    assert_eq!(found.iter().map(|c| (c.key_result_id, c.value)).collect::<Vec<_>>(), [(second.id, 2.0)]);
    assert_eq!(tx.check_ins_of(other, &ids).await.unwrap().len(), 0, "another workspace's ids read nothing");
    let mut objectives: Vec<i64> = (1_000_000..1_070_000).collect();
    objectives.insert(0, objective.id);
    let key_results = tx.key_results_of_objectives(ws, &objectives).await.unwrap();
    assert_eq!(key_results.iter().map(|k| k.id).collect::<Vec<_>>(), [first.id, second.id]);
    assert!(tx.objectives_aligned_from_other_cycles(ws, 0, &objectives).await.unwrap().is_empty());
    assert!(tx.check_ins_of(ws, &[]).await.unwrap().is_empty());
});
