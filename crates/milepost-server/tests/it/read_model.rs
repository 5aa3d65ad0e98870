//! The read model (issue 14): each server keeps the cycles it reads evaluated, and
//! checks them against the workspace's generation on every read. A write through one
//! server shows on the next read of every other server on the same database, and what a
//! warm model answers is exactly what a cold one computes from the database.

use crate::harness::Api;
use milepost_app::{App, Caller};
use milepost_core::{CycleId, CycleStatus, KeyResultId, ObjectiveId, PersonId, Role};
use milepost_store::{Change, Storage};
use serde_json::{Value, json};
use std::sync::Arc;

/// A second server on the same database, with its own read model and the same clock.
fn second_server(api: &Api) -> App {
    let clock = crate::harness::now();
    App::with_clock(api.store().clone().into_database(), Arc::new(move || clock))
}

/// What a server with an empty read model says: the numbers computed from the
/// database alone.
async fn cold(api: &Api, caller: &Caller, cycle: CycleId) -> Value {
    let app = second_server(api);
    serde_json::to_value(app.objectives().list_in_cycle(caller, cycle).await.unwrap()).unwrap()
}

async fn warm(app: &App, caller: &Caller, cycle: CycleId) -> Value {
    serde_json::to_value(app.objectives().list_in_cycle(caller, cycle).await.unwrap()).unwrap()
}

async fn active_cycle(app: &App, caller: &Caller) -> CycleId {
    let cycles = app.cycles().list(caller, Default::default()).await.unwrap().items;
    cycles.into_iter().find(|c| c.status == CycleStatus::Active).expect("the demo has an active cycle").id
}

/// The demo loaded through the harness's server (the writer), a second server on the
/// same database (the reader), the demo's operator and its active cycle.
async fn demo_with_a_second_server(api: &Api) -> (App, Caller, CycleId) {
    let today = crate::harness::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let summary = milepost_demo::load_demo(api.app(), today).await.unwrap();
    let admin = api.app().workspaces().caller(&summary.workspace).await.unwrap();
    let cycle = active_cycle(api.app(), &admin).await;
    (second_server(api), admin, cycle)
}

async fn generation(api: &Api, caller: &Caller) -> i64 {
    let mut tx = api.store().read().await.unwrap();
    tx.generation(caller.workspace).await.unwrap()
}

http_test!(a_write_on_one_server_shows_on_the_next_read_of_another, |api: Api| async move {
    let (reader, admin, cycle) = demo_with_a_second_server(&api).await;
    let writer = api.app();
    let before = warm(&reader, &admin, cycle).await;
    assert_eq!(before, cold(&api, &admin, cycle).await, "a model just loaded is the cold answer");

    // A check-in: the model refreshes that key result alone.
    let objectives = reader.objectives().list_in_cycle(&admin, cycle).await.unwrap();
    let key_result = objectives
        .iter()
        .flat_map(|o| &o.key_results)
        .find(|k| k.kpi_id.is_none() && k.current.is_some())
        .expect("a key result checked in by hand");
    let value = key_result.current.unwrap() + 7.5;
    let new = serde_json::from_value(json!({ "value": value, "confidence": 3, "note": "moved" })).unwrap();
    writer.check_ins().record(&admin, KeyResultId(key_result.id.get()), new, "api").await.unwrap();
    let after = warm(&reader, &admin, cycle).await;
    assert_ne!(after, before, "the other server sees the check-in at once");
    assert_eq!(after, cold(&api, &admin, cycle).await, "and its numbers are the cold ones");
    let seen = reader.key_results().get(&admin, KeyResultId(key_result.id.get())).await.unwrap();
    assert_eq!(seen.current, Some(value));

    // An objective's title: anything but a value reads the cycle again.
    let objective = &objectives[0];
    let patch = serde_json::from_value(json!({ "version": objective.version, "title": "Renamed on the other server" }))
        .unwrap();
    writer.objectives().update(&admin, ObjectiveId(objective.id.get()), patch).await.unwrap();
    let after = warm(&reader, &admin, cycle).await;
    assert!(after.to_string().contains("Renamed on the other server"));
    assert_eq!(after, cold(&api, &admin, cycle).await);
    let alone = reader.objectives().get(&admin, ObjectiveId(objective.id.get())).await.unwrap();
    assert_eq!(alone.title, "Renamed on the other server");

    // A measurement of a KPI that feeds a key result.
    let fed = objectives.iter().flat_map(|o| &o.key_results).find(|k| k.kpi_id.is_some());
    if let Some(fed) = fed {
        let kpi = fed.kpi_id.unwrap();
        let measured_at = crate::harness::now().checked_sub(jiff::SignedDuration::from_hours(1)).unwrap();
        let new = serde_json::from_value(json!({ "value": 4242.0, "measured_at": measured_at })).unwrap();
        writer
            .kpis()
            .record(&admin, milepost_core::KpiId(kpi), new, milepost_app::kpi::MeasurementSource::Api)
            .await
            .unwrap();
        let after = warm(&reader, &admin, cycle).await;
        assert_eq!(after, cold(&api, &admin, cycle).await, "a measurement reaches the key results it feeds");
    }

    // Time passes: the model computes its numbers again at the new time.
    let later = second_server_at(&api, jiff::SignedDuration::from_hours(24 * 9));
    let warm_later = warm(&later, &admin, cycle).await;
    let _ = warm(&later, &admin, cycle).await;
    assert_ne!(warm_later, warm(&reader, &admin, cycle).await, "nine days later the pace moved");
});

/// A server whose clock is `by` after the harness's.
fn second_server_at(api: &Api, by: jiff::SignedDuration) -> App {
    let clock = crate::harness::now().checked_add(by).unwrap();
    App::with_clock(api.store().clone().into_database(), Arc::new(move || clock))
}

http_test!(who_may_see_a_team_only_objective_follows_a_move_between_teams_at_once, |api: Api| async move {
    let (reader, admin, cycle) = demo_with_a_second_server(&api).await;
    let writer = api.app();
    let teams = writer.teams().list(&admin, Default::default()).await.unwrap().items;
    let people = writer.people().list(&admin, Default::default()).await.unwrap().items;
    let member = people.iter().find(|p| p.role == Role::Member && p.team_id.is_some()).expect("a member in a team");
    let other_team = teams.iter().find(|t| Some(t.id.get()) != member.team_id).expect("another team");
    let new = serde_json::from_value(json!({
        "cycle_id": cycle.get(),
        "title": "Only the platform team sees this",
        "owner_team_id": other_team.id.get(),
        "visibility": "team",
        "key_results": [{ "title": "Ship the private thing", "kind": "milestone" }],
    }))
    .unwrap();
    let secret = writer.objectives().create(&admin, new).await.unwrap();
    let as_member = |team: Option<i64>| Caller {
        workspace: admin.workspace,
        workspace_slug: admin.workspace_slug.clone(),
        role: Role::Member,
        person: Some(member.id.get()),
        team,
        token: None,
    };
    let sees =
        |objectives: Value| objectives.as_array().unwrap().iter().any(|o| o["id"].as_i64() == Some(secret.id.get()));
    let before = warm(&reader, &as_member(member.team_id), cycle).await;
    assert!(!sees(before.clone()), "outside the team, the objective is hidden");
    assert_eq!(before, cold(&api, &as_member(member.team_id), cycle).await);

    let patch = serde_json::from_value(json!({ "version": member.version, "team_id": other_team.id.get() })).unwrap();
    writer.people().update(&admin, PersonId(member.id.get()), patch).await.unwrap();
    let moved = as_member(Some(other_team.id.get()));
    let after = warm(&reader, &moved, cycle).await;
    assert!(sees(after.clone()), "moved into the team, the other server shows it at once");
    assert_eq!(after, cold(&api, &moved, cycle).await);
});

http_test!(each_write_names_what_it_changed_and_sessions_change_nothing, |api: Api| async move {
    let today = crate::harness::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let summary = milepost_demo::load_demo(api.app(), today).await.unwrap();
    let app = api.app();
    let admin = app.workspaces().caller(&summary.workspace).await.unwrap();
    let cycle = active_cycle(app, &admin).await;
    let objectives = app.objectives().list_in_cycle(&admin, cycle).await.unwrap();
    let key_result = objectives.iter().flat_map(|o| &o.key_results).find(|k| k.kpi_id.is_none()).unwrap();

    let start = generation(&api, &admin).await;
    let new = serde_json::from_value(json!({ "value": 1.0 })).unwrap();
    app.check_ins().record(&admin, KeyResultId(key_result.id.get()), new, "api").await.unwrap();
    assert_eq!(generation(&api, &admin).await, start + 1, "a check-in is one generation");
    let mut tx = api.store().read().await.unwrap();
    let changes = tx.changes_between(admin.workspace, start, start + 1).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].change, Change::KeyResults([key_result.id.get()].into_iter().collect()));
    drop(tx);

    // A refused write bumps nothing: it rolled back.
    let bad = serde_json::from_value(json!({ "value": 1.0, "confidence": 11 })).unwrap();
    assert!(app.check_ins().record(&admin, KeyResultId(key_result.id.get()), bad, "api").await.is_err());
    assert_eq!(generation(&api, &admin).await, start + 1, "a refused check-in is no generation");

    // Logging in writes a session, which no page's numbers read.
    let people = app.people().list(&admin, Default::default()).await.unwrap().items;
    let person = &people[0];
    app.access().set_password(&admin, PersonId(person.id.get()), "a long enough password").await.unwrap();
    assert_eq!(generation(&api, &admin).await, start + 1, "a password is no generation");
    let login = milepost_app::session::Login {
        workspace: summary.workspace.clone(),
        email: person.email.clone(),
        password: "a long enough password".to_owned(),
    };
    let session = app.access().login(login, "127.0.0.1").await.unwrap();
    app.access().logout(&session.secret).await.unwrap();
    assert_eq!(generation(&api, &admin).await, start + 1, "a login and a logout are no generation");

    // Anything else is a change of everything.
    let objective = &objectives[0];
    let patch = serde_json::from_value(json!({ "version": objective.version, "title": "A new title" })).unwrap();
    app.objectives().update(&admin, ObjectiveId(objective.id.get()), patch).await.unwrap();
    let now = generation(&api, &admin).await;
    let mut tx = api.store().read().await.unwrap();
    let last = tx.changes_between(admin.workspace, now - 1, now).await.unwrap();
    assert_eq!(last.iter().map(|c| c.change.clone()).collect::<Vec<_>>(), vec![Change::Everything]);
});

http_test!(a_model_whose_record_of_changes_was_pruned_reads_its_cycle_again, |api: Api| async move {
    let (reader, admin, cycle) = demo_with_a_second_server(&api).await;
    let writer = api.app();
    let before = warm(&reader, &admin, cycle).await;
    let objectives = reader.objectives().list_in_cycle(&admin, cycle).await.unwrap();
    for (step, key_result) in objectives.iter().flat_map(|o| &o.key_results).take(3).enumerate() {
        let new = serde_json::from_value(json!({ "value": 100.0 + step as f64 })).unwrap();
        writer.check_ins().record(&admin, KeyResultId(key_result.id.get()), new, "api").await.unwrap();
    }
    // The record of those generations is gone (as after more than the kept number of
    // writes): the model cannot tell what changed, so it reads everything again.
    milepost_sql::test_support::execute_unchecked(api.store(), "DELETE FROM changes").await.unwrap();
    let after = warm(&reader, &admin, cycle).await;
    assert_ne!(after, before);
    assert_eq!(after, cold(&api, &admin, cycle).await);
});
