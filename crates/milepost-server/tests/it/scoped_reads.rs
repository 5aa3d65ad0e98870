//! An objective read alone, or a page of them, is evaluated from only what its numbers
//! need (its key results, the children it rolls up and their check-ins); the alignment
//! tree evaluates the whole cycle. Both must give every objective the same numbers.

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
