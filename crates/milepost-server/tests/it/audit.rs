//! The audit trail at `/api/v1/events`: every change through the API appends one event
//! (who, what, to which thing, the thing before and after) in order; a refused request
//! appends none; one workspace never sees another's events.

use crate::harness::{Api, GHOST, NOW, Org, id};
use serde_json::{Value, json};

/// Every event of the caller's workspace, oldest first.
async fn trail(admin: &Api) -> Vec<Value> {
    admin.walk("/api/v1/events", 500).await
}

/// The events after the first `skip`, as (action, entity, entity_id).
fn summary(events: &[Value], skip: usize) -> Vec<(String, String, i64)> {
    events[skip..]
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["entity"].as_str().unwrap().to_owned(),
                e["entity_id"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn event(action: &str, entity: &str, entity_id: i64) -> (String, String, i64) {
    (action.to_owned(), entity.to_owned(), entity_id)
}

http_test!(each_change_is_in_the_trail_in_order_with_before_and_after, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let editor = admin.as_role("editor").await;
    let (admin_token, editor_token) = (admin.token_id(&admin).await, editor.token_id(&admin).await);
    let start = trail(&admin).await.len();

    // The editor's OKR work: an objective with a key result, changed, archived, restored, checked in on.
    let body = json!({"cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.team,
                      "key_results": [Org::increase("Grow revenue from 0 to 10", 0.0, 10.0)]});
    let objective = editor.objective(body).await;
    let (objective_id, key_result) = (id(&objective), id(&objective["key_results"][0]));
    let path = format!("/api/v1/objectives/{objective_id}");
    editor.patch(&path, json!({"version": 1, "title": "Grow faster"})).await.expect(200);
    editor.post(&format!("{path}/archive"), json!({"version": 2})).await.expect(200);
    editor.post(&format!("{path}/restore"), json!({"version": 3})).await.expect(200);
    let check_in = id(&editor.check_in(key_result, json!({"value": 4, "confidence": 6})).await["check_in"]);
    let kr_path = format!("/api/v1/key-results/{key_result}");
    let kr_version = editor.get(&kr_path).await.expect(200)["version"].clone();
    editor.patch(&kr_path, json!({"version": kr_version, "title": "Grow revenue"})).await.expect(200);
    // The admin's: a team, and a token made and revoked.
    let team = id(&admin.team("sales", Some(org.company)).await);
    admin.patch(&format!("/api/v1/teams/{team}"), json!({"version": 1, "name": "Sales EMEA"})).await.expect(200);
    let token = id(&admin.create_token("viewer", None).await["details"]);
    admin.post(&format!("/api/v1/tokens/{token}/revoke"), json!({})).await.expect(200);

    let events = trail(&admin).await;
    assert_eq!(
        summary(&events, start),
        [
            event("create", "objective", objective_id),
            event("create", "key_result", key_result),
            event("update", "objective", objective_id),
            event("archive", "objective", objective_id),
            event("restore", "objective", objective_id),
            event("create", "check_in", check_in),
            event("update", "key_result", key_result),
            event("create", "team", team),
            event("update", "team", team),
            event("create", "token", token),
            event("revoke", "token", token),
        ]
    );
    let ids: Vec<i64> = events.iter().map(id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "the trail is in id order: {ids:?}");
    for (index, e) in events[start..].iter().enumerate() {
        let actor = if index < 7 { editor_token } else { admin_token };
        assert_eq!(e["actor_token_id"], actor, "{e}");
        assert_eq!(e["actor_person_id"], Value::Null, "a token acts for no person: {e}");
        assert_eq!(e["at"], NOW, "{e}");
        let (before, after) = (&e["before"], &e["after"]);
        assert!(after.is_object(), "every event shows the thing after: {e}");
        assert_eq!(after["id"], e["entity_id"], "{e}");
        match e["action"].as_str().unwrap() {
            "create" => assert_eq!(before, &Value::Null, "nothing before a create: {e}"),
            "revoke" => assert_eq!(after["state"], "revoked", "{e}"),
            _ => {
                assert_eq!(before["id"], e["entity_id"], "{e}");
                let version = before["version"].as_i64().unwrap_or_else(|| panic!("no version before: {e}"));
                assert_eq!(after["version"], version + 1, "a change moves the version by one: {e}");
            }
        }
    }
    let [create, _, update, archive, restore, check, ..] = &events[start..] else { panic!("too few events") };
    assert_eq!(create["after"]["title"], "Grow");
    assert_eq!(create["after"]["version"], 1);
    assert_eq!((&update["before"]["title"], &update["after"]["title"]), (&json!("Grow"), &json!("Grow faster")));
    assert_eq!((&archive["before"]["archived"], &archive["after"]["archived"]), (&json!(false), &json!(true)));
    assert_eq!((&restore["before"]["archived"], &restore["after"]["archived"]), (&json!(true), &json!(false)));
    assert_eq!(check["after"]["value"], 4.0);
    assert_eq!(check["after"]["key_result_id"], key_result);

    // Filters, and pages of any size, give the same events in the same order.
    let only = |events: &[Value], entity: &str, entity_id: Option<i64>| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["entity"] == entity && entity_id.is_none_or(|i| e["entity_id"] == i))
            .cloned()
            .collect()
    };
    assert_eq!(admin.walk("/api/v1/events?entity=objective", 2).await, only(&events, "objective", None));
    let path = format!("/api/v1/events?entity=key_result&entity_id={key_result}");
    let key_result_events = admin.walk(&path, 1).await;
    assert_eq!(key_result_events, only(&events, "key_result", Some(key_result)));
    assert_eq!(key_result_events.len(), 2);
    let by_id = admin.walk(&format!("/api/v1/events?entity_id={team}"), 3).await;
    assert!(by_id.iter().all(|e| e["entity_id"] == team) && by_id.len() >= 2, "{by_id:?}");
    assert_eq!(admin.walk("/api/v1/events?entity=nothing", 5).await, Vec::<Value>::new());
    for limit in [1, 3, 7] {
        assert_eq!(admin.walk("/api/v1/events", limit).await, events, "walked {limit} at a time");
    }
    for (query, parameter) in
        [("limit=0", "limit"), ("after=abc", "after"), ("entity_id=x", "entity_id"), ("who=me", "who")]
    {
        admin.get(&format!("/api/v1/events?{query}")).await.bad_parameter(parameter);
    }
});

http_test!(a_refused_request_adds_no_event, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let viewer = admin.as_role("viewer").await;
    let objective =
        org.team_objective("Grow", org.team, json!([Org::increase("Grow revenue from 0 to 10", 0.0, 10.0)])).await;
    let path = format!("/api/v1/objectives/{}", id(&objective));
    let key_result = id(&objective["key_results"][0]);
    let before = trail(&admin).await;

    let valid = json!({"cycle_id": org.cycle, "title": "Grow more", "owner_team_id": org.team});
    let refusals = [
        (admin.post("/api/v1/objectives", json!({"cycle_id": org.cycle, "title": ""})).await, 422),
        (
            admin
                .post(
                    "/api/v1/objectives",
                    json!({"cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.team,
                           "key_results": [Org::increase("Flat", 1.0, 1.0)]}),
                )
                .await,
            422,
        ),
        (
            admin
                .post(&format!("/api/v1/key-results/{key_result}/check-ins"), json!({"value": 1, "confidence": 11}))
                .await,
            422,
        ),
        (viewer.post("/api/v1/objectives", valid.clone()).await, 403),
        (viewer.patch(&path, json!({"version": 1, "title": "Mine"})).await, 403),
        (viewer.post(&format!("/api/v1/key-results/{key_result}/check-ins"), json!({"value": 1})).await, 403),
        (viewer.post("/api/v1/tokens", json!({"role": "admin"})).await, 403),
        (admin.patch(&path, json!({"version": 7, "title": "Stale"})).await, 409),
        (admin.post(&format!("{path}/archive"), json!({"version": 0})).await, 409),
        (admin.post("/api/v1/teams", json!({"slug": "platform", "name": "Platform again"})).await, 409),
        (admin.patch(&format!("/api/v1/objectives/{GHOST}"), json!({"version": 1, "title": "Ghost"})).await, 404),
        (admin.without_token().post("/api/v1/objectives", valid.clone()).await, 401),
        (admin.post("/api/v1/tokens", json!({"role": "viewer", "expires_in_days": 0})).await, 422),
    ];
    for (reply, status) in &refusals {
        assert_eq!(reply.status, *status, "{}: {}", reply.request, reply.text);
    }
    assert_eq!(trail(&admin).await, before, "no refused request left an event");
    assert_eq!(admin.get(&path).await.expect(200)["version"], 1);
});

http_test!(a_workspace_never_sees_the_events_of_another, |api: Api| async move {
    let a = Org::new(&api, "acme").await;
    let b = Org::new(&api, "globex").await;
    let theirs = b.team_objective("Grow", b.team, json!([Org::increase("Grow from 0 to 10", 0.0, 10.0)])).await;
    b.api.check_in(id(&theirs["key_results"][0]), json!({"value": 5})).await;
    let ours = a.team_objective("Grow", a.team, json!([Org::increase("Grow from 0 to 10", 0.0, 10.0)])).await;

    let (a_events, b_events) = (trail(&a.api).await, trail(&b.api).await);
    let (a_token, b_token) = (a.api.token_id(&a.api).await, b.api.token_id(&b.api).await);
    assert!(!a_events.is_empty() && !b_events.is_empty());
    for (events, token) in [(&a_events, a_token), (&b_events, b_token)] {
        // The operator made the first admin token in process, as no token; it did the rest.
        assert_eq!(summary(events, 0)[0], event("create", "token", token));
        assert_eq!(events[0]["actor_token_id"], Value::Null, "{}", events[0]);
        assert!(events[1..].iter().all(|e| e["actor_token_id"] == token), "only the workspace's token acted in it");
    }
    let a_ids: Vec<i64> = a_events.iter().map(id).collect();
    assert!(b_events.iter().all(|e| !a_ids.contains(&id(e))), "no event is in both trails");
    // Asked by what B's things are, A's trail has nothing of them.
    let path = format!("/api/v1/events?entity=objective&entity_id={}", id(&theirs));
    assert_eq!(a.api.get(&path).await.expect(200)["items"], json!([]));
    assert_eq!(b.api.get(&path).await.expect(200)["items"].as_array().map(Vec::len), Some(1));
    let path = format!("/api/v1/events?entity=objective&entity_id={}", id(&ours));
    assert_eq!(b.api.get(&path).await.expect(200)["items"], json!([]));
    assert_eq!(summary(&b_events, b_events.len() - 1)[0].1, "check_in");
});
