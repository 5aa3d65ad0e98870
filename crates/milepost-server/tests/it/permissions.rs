//! Who may call what. Every operation of the served OpenAPI document (read from the
//! document, so a new endpoint cannot be left out) is called by eight callers against
//! real things of workspace A and must answer with the status [`EXPECTED`] gives. A
//! refused write changes nothing: the thing it is about (or the list it would add to)
//! reads the same afterwards, and the audit trail has no new event. An allowed write
//! adds events that name the caller's token. Every mismatch is reported at once.

use crate::harness::{Api, BEARER_CHALLENGE, Org, Reply, id};
use crate::openapi::{BODILESS_POSTS, document, operations};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Who calls, in the order of the columns of [`EXPECTED`].
const CALLERS: [&str; 8] = ["admin", "editor", "member", "viewer", "none", "revoked", "expired", "other"];

/// How many of [`CALLERS`] are tokens of workspace A that work.
const ROLES_OF_A: usize = 4;

/// The rules, as data: operation id → the status each caller gets. The columns are
/// tokens of workspace A with the role admin, editor, member and viewer; no token at
/// all; a revoked admin token of A; an expired admin token of A; and an admin token of
/// another workspace, B.
///
/// API tokens act for no person, so a member token owns nothing and only reads. B's
/// admin gets 404 for A's things, exactly as for things that do not exist, 422 when a
/// body names A's things, and its own workspace when it lists or creates.
#[rustfmt::skip]
const EXPECTED: &[(&str, [u16; 8])] = &[
    //                       admin editor member viewer none revoked expired other
    // The probes need no token, and ignore a bad one.
    ("get_health",          [200,  200,   200,   200,   200, 200,   200,    200]),
    ("get_readiness",       [200,  200,   200,   200,   200, 200,   200,    200]),
    // Every role reads the workspace its token acts in.
    ("get_workspace",       [200,  200,   200,   200,   401, 401,   401,    200]),
    // Tokens and the audit trail: admins only.
    ("list_tokens",         [200,  403,   403,   403,   401, 401,   401,    200]),
    ("create_token",        [201,  403,   403,   403,   401, 401,   401,    201]),
    ("revoke_token",        [200,  403,   403,   403,   401, 401,   401,    404]),
    ("list_events",         [200,  403,   403,   403,   401, 401,   401,    200]),
    // Teams, people and cycles: everyone reads, admins change.
    ("list_teams",          [200,  200,   200,   200,   401, 401,   401,    200]),
    ("create_team",         [201,  403,   403,   403,   401, 401,   401,    422]),
    ("get_team",            [200,  200,   200,   200,   401, 401,   401,    404]),
    ("update_team",         [200,  403,   403,   403,   401, 401,   401,    404]),
    ("archive_team",        [200,  403,   403,   403,   401, 401,   401,    404]),
    ("restore_team",        [200,  403,   403,   403,   401, 401,   401,    404]),
    ("list_people",         [200,  200,   200,   200,   401, 401,   401,    200]),
    ("create_person",       [201,  403,   403,   403,   401, 401,   401,    422]),
    ("get_person",          [200,  200,   200,   200,   401, 401,   401,    404]),
    ("update_person",       [200,  403,   403,   403,   401, 401,   401,    404]),
    ("archive_person",      [200,  403,   403,   403,   401, 401,   401,    404]),
    ("restore_person",      [200,  403,   403,   403,   401, 401,   401,    404]),
    ("list_cycles",         [200,  200,   200,   200,   401, 401,   401,    200]),
    ("create_cycle",        [201,  403,   403,   403,   401, 401,   401,    201]),
    ("get_cycle",           [200,  200,   200,   200,   401, 401,   401,    404]),
    ("update_cycle",        [200,  403,   403,   403,   401, 401,   401,    404]),
    ("archive_cycle",       [200,  403,   403,   403,   401, 401,   401,    404]),
    ("restore_cycle",       [200,  403,   403,   403,   401, 401,   401,    404]),
    // OKRs: everyone reads; admins and editors change them and check in.
    ("list_objectives",     [200,  200,   200,   200,   401, 401,   401,    200]),
    ("create_objective",    [201,  201,   403,   403,   401, 401,   401,    422]),
    ("get_objective",       [200,  200,   200,   200,   401, 401,   401,    404]),
    ("update_objective",    [200,  200,   403,   403,   401, 401,   401,    404]),
    ("archive_objective",   [200,  200,   403,   403,   401, 401,   401,    404]),
    ("restore_objective",   [200,  200,   403,   403,   401, 401,   401,    404]),
    ("create_key_result",   [201,  201,   403,   403,   401, 401,   401,    404]),
    ("list_key_results",    [200,  200,   200,   200,   401, 401,   401,    200]),
    ("get_key_result",      [200,  200,   200,   200,   401, 401,   401,    404]),
    ("update_key_result",   [200,  200,   403,   403,   401, 401,   401,    404]),
    ("archive_key_result",  [200,  200,   403,   403,   401, 401,   401,    404]),
    ("restore_key_result",  [200,  200,   403,   403,   401, 401,   401,    404]),
    ("list_check_ins",      [200,  200,   200,   200,   401, 401,   401,    404]),
    ("create_check_in",     [201,  201,   403,   403,   401, 401,   401,    404]),
    ("get_check_in",        [200,  200,   200,   200,   401, 401,   401,    404]),
    ("list_initiatives",    [200,  200,   200,   200,   401, 401,   401,    200]),
    ("create_initiative",   [201,  201,   403,   403,   401, 401,   401,    422]),
    ("get_initiative",      [200,  200,   200,   200,   401, 401,   401,    404]),
    ("update_initiative",   [200,  200,   403,   403,   401, 401,   401,    404]),
    ("archive_initiative",  [200,  200,   403,   403,   401, 401,   401,    404]),
    ("restore_initiative",  [200,  200,   403,   403,   401, 401,   401,    404]),
];

/// Workspace A with one of each thing, every caller, and workspace B.
struct World {
    /// Workspace A, its admin and its furniture.
    a: Org,
    /// An objective of A owned by the person dana, with one key result.
    objective: i64,
    /// Its key result (owned by dana too).
    key_result: i64,
    /// A check-in on it.
    check_in: i64,
    /// An initiative of dana's that moves it.
    initiative: i64,
    /// A token of A that nobody uses, to revoke.
    spare_token: i64,
    /// The callers, in the order of [`CALLERS`].
    callers: Vec<Api>,
    /// The token ids of the first [`ROLES_OF_A`] callers.
    token_ids: Vec<i64>,
}

async fn world(api: &Api) -> World {
    let a = Org::new(api, "acme").await;
    let admin = a.api.clone();
    let objective = admin
        .objective(json!({"cycle_id": a.cycle, "title": "Delight our customers", "owner_person_id": a.dana,
                          "key_results": [Org::increase("Grow NPS from 30 to 50", 30.0, 50.0)]}))
        .await;
    let key_result = id(&objective["key_results"][0]);
    let check_in = id(&admin.check_in(key_result, json!({"value": 35})).await["check_in"]);
    let body = json!({"title": "Call detractors", "owner_person_id": a.dana, "key_result_ids": [key_result]});
    let initiative = id(&admin.post("/api/v1/initiatives", body).await.expect(201));
    let spare_token = id(&admin.create_token("viewer", None).await["details"]);

    // B has things of its own, so that its lists are not empty by accident.
    let b = Org::new(api, "globex").await;
    let theirs = b.team_objective("Grow", b.team, json!([Org::increase("Grow from 0 to 1", 0.0, 1.0)])).await;
    b.api.check_in(id(&theirs["key_results"][0]), json!({"value": 0.5})).await;
    b.api.post("/api/v1/initiatives", json!({"title": "Automate"})).await.expect(201);
    b.api.create_token("editor", None).await;

    let callers = vec![
        admin.clone(),
        admin.as_role("editor").await,
        admin.as_role("member").await,
        admin.as_role("viewer").await,
        api.without_token(),
        admin.revoked("admin").await.0,
        admin.expired("admin").await,
        b.api.clone(),
    ];
    let mut token_ids = Vec::new();
    for caller in &callers[..ROLES_OF_A] {
        token_ids.push(caller.token_id(&admin).await);
    }
    World { objective: id(&objective), key_result, check_in, initiative, spare_token, callers, token_ids, a }
}

impl World {
    /// The thing of A that operations under `/api/v1/<collection>/{id}` act on.
    fn target(&self, collection: &str) -> Option<i64> {
        match collection {
            "teams" => Some(self.a.team),
            "people" => Some(self.a.eli),
            "cycles" => Some(self.a.cycle),
            "objectives" => Some(self.objective),
            "key-results" => Some(self.key_result),
            "check-ins" => Some(self.check_in),
            "initiatives" => Some(self.initiative),
            "tokens" => Some(self.spare_token),
            _ => None,
        }
    }

    /// A valid body for operation `op` called by `caller`; creates get names of their
    /// own so that each caller's creation would succeed if it were allowed.
    fn body(&self, op: &str, caller: &str, version: Option<i64>) -> Option<Value> {
        let a = &self.a;
        let version = json!(version);
        let body = match op {
            "create_token" => json!({"name": format!("Token of {caller}"), "role": "viewer"}),
            "create_team" => json!({"name": format!("Team of {caller}"), "parent_team_id": a.company}),
            "create_person" => json!({"name": format!("Person of {caller}"), "email": format!("{caller}@example.com"),
                                      "team_id": a.team}),
            "create_cycle" => {
                json!({"name": format!("Cycle of {caller}"), "start_date": "2027-01-01", "end_date": "2027-03-31"})
            }
            "create_objective" => json!({"cycle_id": a.cycle, "title": format!("Objective of {caller}"),
                                         "owner_team_id": a.team, "key_results": [Org::increase("Grow", 0.0, 10.0)]}),
            "create_key_result" => json!({"title": format!("Ship it for {caller}"), "kind": "milestone"}),
            "create_check_in" => json!({"value": 40, "confidence": 7, "note": format!("From {caller}")}),
            "create_initiative" => {
                json!({"title": format!("Initiative of {caller}"), "key_result_ids": [self.key_result]})
            }
            "update_team" | "update_person" | "update_cycle" => {
                json!({"version": version, "name": format!("Renamed by {caller}")})
            }
            "update_objective" | "update_key_result" | "update_initiative" => {
                json!({"version": version, "title": format!("Retitled by {caller}")})
            }
            op if op.starts_with("archive_") || op.starts_with("restore_") => json!({"version": version}),
            _ => return None,
        };
        Some(body)
    }

    fn admin(&self) -> &Api {
        &self.a.api
    }
}

/// The collection an API path is under: `teams` for `/api/v1/teams/{id}/archive`.
fn collection(template: &str) -> &str {
    template.split('/').nth(3).unwrap_or_default()
}

/// The end of A's audit trail, read cheaply: a cursor near its end, from which the
/// few events after it (and any new one) are read in one small page.
struct Trail {
    cursor: Option<String>,
}

impl Trail {
    /// Every event after the cursor.
    async fn tail(&self, admin: &Api) -> Vec<Value> {
        let path = match &self.cursor {
            Some(cursor) => format!("/api/v1/events?limit=500&after={cursor}"),
            None => "/api/v1/events?limit=500".to_owned(),
        };
        let page = admin.get(&path).await.expect(200);
        assert!(page["next_cursor"].is_null(), "{path} has more than a page after the cursor");
        page["items"].as_array().unwrap().clone()
    }

    /// Moves the cursor to just before the last event once the tail grows long.
    async fn shorten(&mut self, admin: &Api, tail: usize) {
        if tail < 16 {
            return;
        }
        let path = match &self.cursor {
            Some(cursor) => format!("/api/v1/events?limit={}&after={cursor}", tail - 1),
            None => format!("/api/v1/events?limit={}", tail - 1),
        };
        let page = admin.get(&path).await.expect(200);
        self.cursor = Some(page["next_cursor"].as_str().unwrap().to_owned());
    }
}

/// What a refused write must leave as it was, as A's admin reads it.
#[derive(Debug, PartialEq)]
struct State {
    /// The end of A's audit trail: what is after the [`Trail`]'s cursor.
    events: Vec<Value>,
    /// The thing the operation is about, or the ids of the list it adds to.
    thing: Value,
}

async fn state(w: &World, trail: &Trail, template: &str, item: Option<&str>) -> State {
    let admin = w.admin();
    let events = trail.tail(admin).await;
    let collection = collection(template);
    let thing = match (collection, item) {
        ("tokens", _) => {
            let tokens = admin.get("/api/v1/tokens").await.expect(200);
            let tokens = tokens.as_array().unwrap();
            match item {
                // The spare token is never used, so all of it stays the same.
                Some(_) => tokens.iter().find(|t| id(t) == w.spare_token).cloned().unwrap(),
                // Tokens in use note when they were last used: compare the ids only.
                None => tokens.iter().map(id).collect(),
            }
        }
        (_, Some(item)) => {
            let mut thing = admin.get(item).await.expect(200);
            if template.ends_with("/check-ins") {
                thing["check_ins"] = admin.walk_ids(&format!("{item}/check-ins"), 500).await.into();
            }
            thing
        }
        (_, None) => admin.walk_ids(&format!("{template}?include_archived=true"), 500).await.into(),
    };
    State { events, thing }
}

/// Archives (or restores) `item` with A's admin unless it already is.
async fn set_archived(admin: &Api, item: &str, archived: bool) {
    let current = admin.get(item).await.expect(200);
    if current["archived"] != archived {
        let action = if archived { "archive" } else { "restore" };
        admin.post(&format!("{item}/{action}"), json!({"version": current["version"]})).await.expect(200);
    }
}

async fn call(api: &Api, method: &str, path: &str, body: Option<&Value>) -> Reply {
    let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut request = api.request(verb, path);
    if let Some(body) = body {
        request = request.json(body);
    }
    Api::send(format!("{method} {path}"), request).await
}

/// The ids an answer holds: of a list's items, of a plain array, or of the thing itself.
fn ids_of(body: &Value) -> BTreeSet<i64> {
    let items = match (body.as_array(), body["items"].as_array()) {
        (Some(array), _) | (None, Some(array)) => array.clone(),
        (None, None) => vec![body.clone()],
    };
    items.iter().filter_map(|item| item["id"].as_i64()).collect()
}

/// The problem code each refusal must carry.
fn check_problem(reply: &Reply, at: &str, mismatches: &mut Vec<String>) {
    let code = match reply.status {
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        422 => "invalid",
        _ => return,
    };
    if reply.body["code"] != code || reply.header("content-type") != Some("application/problem+json") {
        mismatches.push(format!("{at}: a {} should be a problem with code {code}: {}", reply.status, reply.text));
    }
    if reply.status == 401 && reply.header("www-authenticate") != Some(BEARER_CHALLENGE) {
        mismatches.push(format!("{at}: a 401 without the challenge: {:?}", reply.header("www-authenticate")));
    }
}

http_test!(every_operation_answers_each_caller_as_the_table_says, |api: Api| async move {
    let w = world(&api).await;
    let admin = w.admin().clone();
    let doc = document(&api).await;
    let table: BTreeMap<&str, [u16; 8]> = EXPECTED.iter().copied().collect();
    assert_eq!(table.len(), EXPECTED.len(), "an operation has two rows in EXPECTED");
    let mut mismatches = Vec::new();
    let mut documented = BTreeSet::new();
    let mut calls = 0;
    let mut trail = Trail { cursor: None };

    for (method, template, operation) in operations(&doc) {
        let op = operation["operationId"].as_str().unwrap_or_default().to_owned();
        documented.insert(op.clone());
        let Some(expected) = table.get(op.as_str()) else {
            mismatches.push(format!("{op} ({method} {template}) has no row in EXPECTED: who may call it?"));
            continue;
        };
        let collection = collection(&template);
        let path = match (template.contains("{id}"), w.target(collection)) {
            (false, _) => template.clone(),
            (true, Some(target)) => template.replace("{id}", &target.to_string()),
            (true, None) => {
                mismatches.push(format!("{op}: permissions.rs has no thing of A to call {template} on"));
                continue;
            }
        };
        // The thing itself, where it can be read alone.
        let item = match w.target(collection) {
            Some(target) if template.contains("{id}") && collection != "tokens" => {
                Some(format!("/api/v1/{collection}/{target}"))
            }
            _ => None,
        };
        let write = method != "get";
        let versioned = op.starts_with("update_") || op.starts_with("archive_") || op.starts_with("restore_");
        let mut admin_answer: Option<Value> = None;

        for (index, caller) in CALLERS.iter().enumerate() {
            let at = format!("{op} as {caller}");
            if let (true, Some(item)) = (op.starts_with("restore_"), &item) {
                set_archived(&admin, item, true).await;
            }
            let version = match (&item, versioned) {
                (Some(item), true) => admin.get(item).await.expect(200)["version"].as_i64(),
                _ => None,
            };
            let body = w.body(&op, caller, version);
            if write && body.is_none() && !BODILESS_POSTS.contains(&op.as_str()) {
                mismatches.push(format!("{op}: permissions.rs knows no valid body for it"));
                break;
            }
            let before = if write { Some(state(&w, &trail, &template, item.as_deref()).await) } else { None };
            let reply = call(&w.callers[index], &method, &path, body.as_ref()).await;
            calls += 1;
            if reply.status != expected[index] {
                mismatches.push(format!("{at}: expected {}, got {}: {}", expected[index], reply.status, reply.text));
            }
            check_problem(&reply, &at, &mut mismatches);

            if let Some(before) = before {
                let after = state(&w, &trail, &template, item.as_deref()).await;
                if index < ROLES_OF_A && reply.status < 300 {
                    // An allowed write leaves a trace that names the token.
                    let added = &after.events[before.events.len().min(after.events.len())..];
                    let actor = json!(w.token_ids[index]);
                    if added.is_empty() || added.iter().any(|e| e["actor_token_id"] != actor) {
                        mismatches.push(format!("{at}: the trail should name token {actor} for it: {added:?}"));
                    }
                } else if after != before {
                    let what = if after.events == before.events { "the thing" } else { "the audit trail" };
                    mismatches.push(format!(
                        "{at} answered {} and changed {what} in A: {:?} became {:?}",
                        reply.status, before.thing, after.thing
                    ));
                }
                trail.shorten(&admin, after.events.len()).await;
            }
            if let (true, Some(item)) = (op.starts_with("archive_") || op.starts_with("restore_"), &item) {
                set_archived(&admin, item, false).await;
            }

            // Reads: every role of A sees what the admin sees; B's admin sees none of it.
            if !write && reply.status == 200 {
                match (index, &admin_answer) {
                    (0, _) => admin_answer = Some(reply.body.clone()),
                    (1..ROLES_OF_A, Some(answer)) if *answer != reply.body => {
                        mismatches.push(format!("{at} reads other than the admin: {} vs {answer}", reply.text));
                    }
                    (7, Some(answer)) => {
                        let common: Vec<_> = ids_of(answer).intersection(&ids_of(&reply.body)).copied().collect();
                        if !common.is_empty() {
                            mismatches.push(format!("{at} sees A's {common:?}: {}", reply.text));
                        }
                        if op.starts_with("list_") && ids_of(answer).is_empty() {
                            mismatches.push(format!("{op}: A's list is empty, so B's proves nothing"));
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    for op in table.keys().filter(|op| !documented.contains(**op)) {
        mismatches.push(format!("{op} has a row in EXPECTED but is not in the document"));
    }
    assert!(
        mismatches.is_empty(),
        "{} of {calls} calls answered other than the table says:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(calls, documented.len() * CALLERS.len());
});
