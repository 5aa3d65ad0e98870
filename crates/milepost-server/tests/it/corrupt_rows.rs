//! A row that storage cannot read back (a value edited by hand, a failing disk) is a
//! bug to see, never a number to show: the answer is a 500 whose error id is logged
//! beside the details, and no page shows a made-up progress of 0.

use crate::harness::{Api, Org, id};
use milepost_sql::test_support::execute_unchecked;
use serde_json::{Value, json};

/// Runs `sql` as an edit by hand, then tells every server's read model that the
/// workspaces changed, as README says an operator who edits the database must.
async fn edit_by_hand(api: &Api, sql: &str) -> u64 {
    let changed = execute_unchecked(api.store(), sql).await.unwrap();
    execute_unchecked(api.store(), "UPDATE workspaces SET generation = generation + 1").await.unwrap();
    changed
}

/// Asserts that `reply` is a 500 that gives an error id (16 hex digits) and nothing of
/// the stored value.
#[track_caller]
fn is_internal_error_with_id(reply: &crate::harness::Reply, stored: &str) {
    let problem: &Value = reply.problem(500, "internal");
    let detail = problem["detail"].as_str().unwrap();
    let id = detail.rsplit("error id ").next().unwrap();
    assert!(id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()), "{}: {detail}", reply.request);
    assert!(!reply.text.contains(stored), "{}: the answer never shows internals: {}", reply.request, reply.text);
}

http_test!(a_key_result_whose_stored_kind_is_corrupted_answers_500_with_an_error_id, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let objective = org
        .team_objective("Delight customers", org.team, json!([Org::increase("Raise NPS from 30 to 50", 30.0, 50.0)]))
        .await;
    let objective_id = id(&objective);
    let key_result = objective["key_results"][0]["id"].as_i64().unwrap();
    let key_result_path = format!("/api/v1/key-results/{key_result}");
    let objective_path = format!("/api/v1/objectives/{objective_id}");
    org.api.get(&key_result_path).await.expect(200);
    org.api.get(&objective_path).await.expect(200);

    let changed =
        edit_by_hand(&api, &format!("UPDATE key_results SET kind = 'sideways' WHERE id = {key_result}")).await;
    assert_eq!(changed, 1);

    for path in [&key_result_path, &objective_path, &format!("/api/v1/objectives?cycle_id={}", org.cycle)] {
        is_internal_error_with_id(&org.api.get(path).await, "sideways");
    }
    // The web page of the objective says the same, as a page.
    let (_, browser) = org.person_with_session("ada", Some(org.company), "viewer").await;
    let page = browser.get(&format!("/objectives/{objective_id}")).await;
    assert_eq!(page.status, 500, "{}", page.text);
    assert!(page.text.contains("error id"), "{}", page.text);
    assert!(!page.text.contains("sideways"), "{}", page.text);

    // Mended by hand, it reads again, unchanged.
    edit_by_hand(&api, &format!("UPDATE key_results SET kind = 'increase' WHERE id = {key_result}")).await;
    let body = org.api.get(&key_result_path).await.expect(200);
    assert_eq!(body["kind"], "increase");
});

http_test!(a_person_whose_stored_role_is_corrupted_is_an_error_not_a_viewer, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (person, browser) = org.person_with_session("ada", Some(org.company), "editor").await;
    let person_path = format!("/api/v1/people/{person}");
    org.api.get(&person_path).await.expect(200);
    browser.get("/api/v1/session").await.expect(200);

    let changed = execute_unchecked(api.store(), &format!("UPDATE people SET role = 'superuser' WHERE id = {person}"))
        .await
        .unwrap();
    assert_eq!(changed, 1);
    // Read as the least role before; now the row is a bug to see, wherever it is read.
    is_internal_error_with_id(&org.api.get(&person_path).await, "superuser");
    is_internal_error_with_id(&org.api.get("/api/v1/people?limit=100").await, "superuser");
    is_internal_error_with_id(&browser.get("/api/v1/session").await, "superuser");

    execute_unchecked(api.store(), &format!("UPDATE people SET role = 'editor' WHERE id = {person}")).await.unwrap();
    assert_eq!(org.api.get(&person_path).await.expect(200)["role"], "editor");
});

http_test!(an_initiative_whose_stored_status_is_corrupted_answers_500_with_an_error_id, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let objective = org
        .team_objective("Delight customers", org.team, json!([Org::increase("Raise NPS from 30 to 50", 30.0, 50.0)]))
        .await;
    let key_result = objective["key_results"][0]["id"].as_i64().unwrap();
    let initiative = org
        .api
        .post("/api/v1/initiatives", json!({"title": "New survey", "key_result_ids": [key_result]}))
        .await
        .expect(201);
    let path = format!("/api/v1/initiatives/{}", id(&initiative));
    execute_unchecked(api.store(), &format!("UPDATE initiatives SET status = 'paused' WHERE id = {}", id(&initiative)))
        .await
        .unwrap();
    is_internal_error_with_id(&org.api.get(&path).await, "paused");
    execute_unchecked(api.store(), &format!("UPDATE initiatives SET status = 'done' WHERE id = {}", id(&initiative)))
        .await
        .unwrap();
    assert_eq!(org.api.get(&path).await.expect(200)["status"], "done");
});
