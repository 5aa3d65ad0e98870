//! Versions: every change carries the version it is based on, a stale one gets 409
//! `stale_version` and changes nothing; archive and restore are versioned changes too,
//! and archived things leave lists unless `include_archived=true` asks for them.

use crate::harness::{Api, Org, id};
use serde_json::{Value, json};

/// One of each versioned resource in `org`: (collection path, id, a change, the field it sets, the value).
async fn one_of_each(org: &Org) -> Vec<(&'static str, i64, Value, &'static str, Value)> {
    let objective = org.team_objective("Ship faster", org.team, json!([Org::increase("Deploy more", 1.0, 10.0)])).await;
    let key_result = id(&objective["key_results"][0]);
    let initiative = org
        .api
        .post("/api/v1/initiatives", json!({"title": "Automate releases", "key_result_ids": [key_result]}))
        .await
        .expect(201);
    vec![
        ("/api/v1/teams", org.team, json!({"name": "Platform Team"}), "name", json!("Platform Team")),
        ("/api/v1/people", org.eli, json!({"role": "admin"}), "role", json!("admin")),
        ("/api/v1/cycles", org.cycle, json!({"name": "Q4 of 2026"}), "name", json!("Q4 of 2026")),
        (
            "/api/v1/objectives",
            id(&objective),
            json!({"title": "Ship much faster"}),
            "title",
            json!("Ship much faster"),
        ),
        ("/api/v1/key-results", key_result, json!({"title": "Deploy daily"}), "title", json!("Deploy daily")),
        ("/api/v1/initiatives", id(&initiative), json!({"status": "active"}), "status", json!("active")),
    ]
}

/// `change` with `"version": version` added.
fn versioned(change: &Value, version: i64) -> Value {
    let mut body = change.clone();
    body["version"] = json!(version);
    body
}

http_test!(a_change_on_the_current_version_bumps_it_and_a_stale_one_gets_409, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    for (collection, id, change, field, value) in one_of_each(&org).await {
        let path = format!("{collection}/{id}");
        let before = api.get(&path).await.expect(200);
        let version = before["version"].as_i64().unwrap();
        assert_ne!(before[field], value, "{path}");

        let after = api.patch(&path, versioned(&change, version)).await.expect(200);
        assert_eq!(after[field], value, "{path}");
        assert_eq!(after["version"], version + 1, "{path}");
        assert_eq!(after["id"], id);

        // The same change again, on the version it was first based on.
        let stale = api.patch(&path, versioned(&change, version)).await;
        stale.problem(409, "stale_version");
        let detail = stale.detail();
        assert!(
            detail.contains(&format!("version {}", version + 1)) && detail.contains(&format!("version {version}")),
            "{path}: the detail should say both versions: {detail}"
        );
        // A version from the future is just as wrong.
        api.patch(&path, versioned(&change, version + 5)).await.problem(409, "stale_version");
        let now = api.get(&path).await.expect(200);
        assert_eq!(now, after, "{path}: a refused change changes nothing");

        // A change must say which version it is based on.
        api.patch(&path, change.clone()).await.invalid_at(&[""]);
    }
});

http_test!(archive_and_restore_are_versioned_and_archived_things_leave_lists, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    for (collection, id, _, _, _) in one_of_each(&org).await {
        let path = format!("{collection}/{id}");
        let listed = |include_archived: bool| {
            let api = api.clone();
            let list = format!("{collection}?include_archived={include_archived}");
            async move { api.walk_ids(&list, 500).await.contains(&id) }
        };
        assert!(listed(false).await, "{path}");
        let version = api.get(&path).await.expect(200)["version"].as_i64().unwrap();

        api.post(&format!("{path}/archive"), json!({"version": version - 1})).await.problem(409, "stale_version");
        assert!(listed(false).await, "{path}: a refused archive leaves it listed");
        let archived = api.post(&format!("{path}/archive"), json!({"version": version})).await.expect(200);
        assert_eq!(archived["archived"], true, "{path}");
        assert_eq!(archived["version"], version + 1, "{path}");
        assert!(!listed(false).await, "{path}: archived things leave the list");
        assert!(listed(true).await, "{path}: include_archived=true shows them");
        let read = api.get(&path).await.expect(200);
        assert_eq!(read["archived"], true, "{path}: an archived thing can still be read");

        api.post(&format!("{path}/restore"), json!({"version": version})).await.problem(409, "stale_version");
        assert!(!listed(false).await, "{path}: a refused restore leaves it archived");
        let restored = api.post(&format!("{path}/restore"), json!({"version": version + 1})).await.expect(200);
        assert_eq!(restored["archived"], false, "{path}");
        assert_eq!(restored["version"], version + 2, "{path}");
        assert!(listed(false).await, "{path}: restored things are back in the list");

        api.post(&format!("{path}/archive"), json!({})).await.invalid_at(&[""]);
        api.post(&format!("{path}/archive"), json!({"version": version + 2, "why": "x"})).await.invalid_at(&["/why"]);
    }
});

http_test!(a_change_touches_only_the_fields_it_names_and_null_clears, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let path = format!("/api/v1/teams/{}", org.team);
    let team = api.get(&path).await.expect(200);
    assert_eq!(team["parent_team_id"], org.department);
    let renamed = api.patch(&path, json!({"version": team["version"], "name": "Platform"})).await.expect(200);
    assert_eq!(renamed["parent_team_id"], org.department, "left out, so kept");
    assert_eq!(renamed["slug"], team["slug"]);
    let root = api.patch(&path, json!({"version": renamed["version"], "parent_team_id": null})).await.expect(200);
    assert_eq!(root["parent_team_id"], Value::Null, "null clears it");
    assert_eq!(root["name"], "Platform");

    // A team cannot move under its own sub-team.
    let company = api.get(&format!("/api/v1/teams/{}", org.company)).await.expect(200);
    let loop_reply = api
        .patch(
            &format!("/api/v1/teams/{}", org.company),
            json!({"version": company["version"], "parent_team_id": org.department}),
        )
        .await;
    loop_reply.invalid_at(&["/parent_team_id"]);

    let person_path = format!("/api/v1/people/{}", org.dana);
    let dana = api.get(&person_path).await.expect(200);
    let moved = api.patch(&person_path, json!({"version": dana["version"], "team_id": null})).await.expect(200);
    assert_eq!(moved["team_id"], Value::Null);
    assert_eq!(moved["email"], "dana@example.com");
    assert_eq!(moved["role"], "editor");
});
