//! The bulk load (`milepost seed`): rows written as given, ids included, in statements
//! of many rows; the ids the database hands out afterwards follow the loaded ones.

use super::*;
use milepost_sql::BulkStorage;

/// More rows than one SQLite statement takes (10,000 parameters, nine a team).
const TEAMS: i64 = 2_500;

db_test!(a_bulk_load_writes_rows_as_given_and_later_ids_follow_them, |store: Store| async move {
    let ws = workspace(&store, "acme").await;
    let mut tx = store.write().await.unwrap();
    let first = tx.insert_team(ws, &team("first"), NOW).await.unwrap();
    tx.commit().await.unwrap();

    let mut bulk = store.bulk().await.unwrap();
    let ids = bulk.next_ids().await.unwrap();
    assert_eq!((ids.workspace, ids.team, ids.person), (ws.get() + 1, first.id + 1, 1));
    assert_eq!(bulk.workspace_rows(ws).await.unwrap(), 1, "the one team");
    let rows: Vec<TeamRow> = (0..TEAMS)
        .map(|i| TeamRow {
            id: ids.team + i,
            workspace_id: ws.get(),
            slug: format!("team-{i}"),
            name: format!("Team {i} — “quoted”, O'Brien's"),
            // A chain: each team inside the one before, the first inside the team made before.
            parent_team_id: Some(if i == 0 { first.id } else { ids.team + i - 1 }),
            archived: i % 7 == 0,
            created_at: NOW + i,
            updated_at: NOW + 2 * i,
            version: 1 + i % 3,
        })
        .collect();
    assert_eq!(bulk.insert_batch(&Batch::Teams(rows)).await.unwrap(), TEAMS as u64);
    bulk.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let last = tx.team(ws, ids.team + TEAMS - 1).await.unwrap().unwrap();
    assert_eq!(last.slug, format!("team-{}", TEAMS - 1));
    assert_eq!(last.name, format!("Team {} — “quoted”, O'Brien's", TEAMS - 1));
    assert_eq!(last.parent_team_id, Some(ids.team + TEAMS - 2));
    assert_eq!(
        (last.archived, last.updated_at, last.version),
        ((TEAMS - 1) % 7 == 0, NOW + 2 * (TEAMS - 1), 1 + (TEAMS - 1) % 3)
    );
    let all = TeamFilter { include_archived: true, ..TeamFilter::default() };
    assert_eq!(tx.list_teams(ws, &all, Page::ALL).await.unwrap().len() as i64, TEAMS + 1);
    drop(tx);

    // The database's own ids continue after the loaded ones (PostgreSQL's identity
    // sequence was moved past them).
    let mut tx = store.write().await.unwrap();
    let next = tx.insert_team(ws, &team("after"), NOW).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(next.id, ids.team + TEAMS);
});

db_test!(a_failed_bulk_load_writes_nothing, |store: Store| async move {
    let ws = workspace(&store, "acme").await;
    let mut bulk = store.bulk().await.unwrap();
    let ids = bulk.next_ids().await.unwrap();
    let row = |id: i64, slug: &str| TeamRow {
        id,
        workspace_id: ws.get(),
        slug: slug.to_owned(),
        name: slug.to_owned(),
        parent_team_id: None,
        archived: false,
        created_at: NOW,
        updated_at: NOW,
        version: 1,
    };
    bulk.insert_batch(&Batch::Teams(vec![row(ids.team, "a")])).await.unwrap();
    // The same slug twice in a workspace is refused, and the load with it.
    let refused = bulk.insert_batch(&Batch::Teams(vec![row(ids.team + 1, "a")])).await;
    assert!(refused.is_err());
    drop(bulk);
    let mut tx = store.read().await.unwrap();
    assert!(tx.team(ws, ids.team).await.unwrap().is_none());
});
