//! An objective read alone, in a page of the list, or with the whole cycle (as the
//! alignment tree reads it) must have the same numbers, all from the read model; and
//! what an objective's page reads at once must be what the per-key-result reads give.

use crate::harness::Api;
use milepost_app::objective::ObjectiveQuery;
use milepost_core::ObjectiveId;

http_test!(an_objective_read_alone_has_the_numbers_the_whole_cycle_gives_it, |api: Api| async move {
    let today = crate::harness::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let summary = milepost_demo::load_demo(api.app(), today).await.unwrap();
    let app = api.app();
    let caller = app.workspaces().caller(&summary.workspace).await.unwrap();
    let cycles = app.cycles().list(&caller, Default::default()).await.unwrap().items;
    assert!(cycles.len() >= 2, "the demo has a closed quarter and an active one");
    let mut compared = 0;
    let mut rolled_up = 0;
    for cycle in cycles {
        let whole = app.objectives().list_in_cycle(&caller, cycle.id).await.unwrap();
        let query = ObjectiveQuery { cycle_id: Some(cycle.id.get()), limit: Some(5), ..Default::default() };
        let first_page = app.objectives().list(&caller, query).await.unwrap().items;
        for objective in &whole {
            let alone = app.objectives().get(&caller, ObjectiveId(objective.id.get())).await.unwrap();
            let (whole_json, alone_json) =
                (serde_json::to_value(objective).unwrap(), serde_json::to_value(&alone).unwrap());
            assert_eq!(alone_json, whole_json, "objective {} read alone", objective.id);
            if let Some(paged) = first_page.iter().find(|o| o.id == objective.id) {
                assert_eq!(serde_json::to_value(paged).unwrap(), whole_json, "objective {} in a page", objective.id);
            }
            compared += 1;
            rolled_up += usize::from(
                objective.rollup_children && whole.iter().any(|o| o.parent_objective_id == Some(objective.id.get())),
            );
        }
    }
    assert!(compared >= 18, "every objective of the demo compared ({compared})");
    assert!(rolled_up >= 1, "some objective rolls up children ({rolled_up})");
});

http_test!(
    an_objectives_check_ins_and_initiatives_read_at_once_are_those_read_key_result_by_key_result,
    |api: Api| async move {
        let today = crate::harness::now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let summary = milepost_demo::load_demo(api.app(), today).await.unwrap();
        let app = api.app();
        let caller = app.workspaces().caller(&summary.workspace).await.unwrap();
        let (mut check_ins_seen, mut initiatives_seen) = (0, 0);
        for cycle in app.cycles().list(&caller, Default::default()).await.unwrap().items {
            for objective in app.objectives().list_in_cycle(&caller, cycle.id).await.unwrap() {
                let id = ObjectiveId(objective.id.get());
                let mut at_once = app.check_ins().of_objective(&caller, id).await.unwrap();
                let mut one_by_one = std::collections::BTreeMap::new();
                for key_result in &objective.key_results {
                    let params = milepost_app::ListParams { limit: Some(500), after: None };
                    let listed = app.check_ins().list(&caller, key_result.id, params).await.unwrap().items;
                    let read = at_once.remove(&key_result.id.get()).unwrap_or_default();
                    assert_eq!(serde_json::to_value(&read).unwrap(), serde_json::to_value(&listed).unwrap());
                    check_ins_seen += listed.len();
                    let query = milepost_app::initiative::InitiativeQuery {
                        key_result_id: Some(key_result.id.get()),
                        limit: Some(500),
                        ..Default::default()
                    };
                    for initiative in app.initiatives().list(&caller, query).await.unwrap().items {
                        one_by_one.insert(initiative.id, serde_json::to_value(&initiative).unwrap());
                    }
                }
                let together: Vec<_> = app
                    .initiatives()
                    .of_objective(&caller, id)
                    .await
                    .unwrap()
                    .iter()
                    .map(|i| serde_json::to_value(i).unwrap())
                    .collect();
                initiatives_seen += together.len();
                assert_eq!(together, one_by_one.into_values().collect::<Vec<_>>(), "objective {id}");
            }
        }
        assert!(
            check_ins_seen > 100 && initiatives_seen > 0,
            "{check_ins_seen} check-ins, {initiatives_seen} initiatives"
        );
    }
);
