//! `milepost serve --demo`: the first thing a newcomer runs.

use super::*;
use milepost_core::WorkspaceId;
use milepost_sql::{Storage, Store};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

fn items(value: &Value) -> &Vec<Value> {
    value["items"].as_array().unwrap()
}

#[tokio::test]
async fn serve_demo_tells_a_believable_story_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    assert!(server.output[0].starts_with("Loaded the demo workspace `demo`"), "{:?}", server.output);
    // The demo's admin and member can log in with the passwords it prints.
    let logins: Vec<(String, String)> = server
        .output
        .iter()
        .filter_map(|l| l.trim_start().strip_prefix("Log in:"))
        .filter_map(|l| {
            l.split_once(" / ").map(|(e, p)| (e.trim().to_owned(), p.split_whitespace().next().unwrap().to_owned()))
        })
        .collect();
    assert_eq!(logins.len(), 2, "{:?}", server.output);
    for ((email, password), role) in logins.iter().zip(["admin", "member"]) {
        let response = client()
            .post(format!("{}/api/v1/session", server.base))
            .json(&serde_json::json!({"workspace": "demo", "email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{email} logs in");
        let session: Value = response.json().await.unwrap();
        assert_eq!(session["person"]["role"], role);
    }

    let health = client().get(format!("{}/healthz", server.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = client().get(format!("{}/readyz", server.base)).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    let teams = get_json(&server, "/api/v1/teams?limit=500").await;
    let teams = items(&teams);
    assert!(teams.len() >= 4, "at least 4 teams");
    let parents: HashMap<i64, Option<i64>> =
        teams.iter().map(|t| (t["id"].as_i64().unwrap(), t["parent_team_id"].as_i64())).collect();
    let depth = |mut id: i64| {
        let mut depth = 0;
        while let Some(Some(parent)) = parents.get(&id) {
            id = *parent;
            depth += 1;
        }
        depth
    };
    assert!(teams.iter().any(|t| depth(t["id"].as_i64().unwrap()) >= 2), "the teams form a tree at least three deep");

    let cycles = get_json(&server, "/api/v1/cycles").await;
    let statuses: Vec<&str> = items(&cycles).iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["closed", "active"], "the previous quarter closed and the current one active");

    let objectives = get_json(&server, "/api/v1/objectives?limit=500").await;
    let objectives = items(&objectives);
    assert!(objectives.len() >= 12, "at least 12 objectives, got {}", objectives.len());
    let by_id: HashMap<i64, &Value> = objectives.iter().map(|o| (o["id"].as_i64().unwrap(), o)).collect();
    let aligned_person_objective = objectives.iter().any(|o| {
        let Some(parent) = o["parent_objective_id"].as_i64() else { return false };
        let parent = by_id[&parent];
        o["owner_person_id"].is_i64()
            && parent["owner_team_id"].is_i64()
            && parent["parent_objective_id"].as_i64().is_some_and(|g| by_id[&g]["owner_team_id"].is_i64())
    });
    assert!(aligned_person_objective, "a person's objective aligns to a team's, which aligns to the company's");

    let key_results = get_json(&server, "/api/v1/key-results?limit=500").await;
    let key_results = items(&key_results);
    assert!(key_results.len() >= 40, "at least 40 key results, got {}", key_results.len());
    let kinds: HashSet<&str> = key_results.iter().map(|k| k["kind"].as_str().unwrap()).collect();
    for kind in ["increase", "decrease", "maintain", "range", "milestone"] {
        assert!(kinds.contains(kind), "a {kind} key result");
    }
    let active = items(&cycles)[1]["id"].as_i64().unwrap();
    let active_objectives: HashSet<i64> =
        objectives.iter().filter(|o| o["cycle_id"] == active).map(|o| o["id"].as_i64().unwrap()).collect();
    let statuses: HashSet<&str> = key_results
        .iter()
        .filter(|k| active_objectives.contains(&k["objective_id"].as_i64().unwrap()))
        .map(|k| k["status"].as_str().unwrap())
        .collect();
    for status in ["on_track", "at_risk", "off_track", "stale"] {
        assert!(statuses.contains(status), "some key result of the active cycle is {status}: {statuses:?}");
    }
    let closed_scores: HashSet<&str> =
        objectives.iter().filter(|o| o["cycle_id"] != active).map(|o| o["score"]["colour"].as_str().unwrap()).collect();
    assert!(closed_scores.len() >= 2, "the closed quarter's grades are not all one colour: {closed_scores:?}");

    // Twelve weeks of check-ins with confidence and notes.
    let busiest = key_results.iter().map(|k| k["version"].as_i64().unwrap()).max().unwrap();
    assert!(busiest >= 12, "some key result has a dozen check-ins");
    let first = key_results[0]["id"].as_i64().unwrap();
    let check_ins = get_json(&server, &format!("/api/v1/key-results/{first}/check-ins?limit=500")).await;
    let check_in = &items(&check_ins)[0];
    assert!(check_in["confidence"].is_i64() && !check_in["note"].as_str().unwrap().is_empty());

    let initiatives = get_json(&server, "/api/v1/initiatives").await;
    assert!(!items(&initiatives).is_empty(), "initiatives");

    // One KPI is fed by a SQL source on a SQLite file in the data directory.
    let kpi = get_json(&server, "/api/v1/kpis?limit=500").await;
    let sourced: Vec<&Value> = items(&kpi).iter().filter(|k| k["source"]["kind"] == "sql").collect();
    assert_eq!(sourced.len(), 1, "one KPI with a SQL source");
    assert_eq!(sourced[0]["slug"], "first-response-time");
    assert!(dir.path().join("data/demo-metrics.db").exists());

    // KPIs have no API yet; they are in the database with a year of measurements.
    drop(server);
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("data/milepost.db").display())).await.unwrap();
    let mut tx = store.read().await.unwrap();
    let workspace = tx.workspace_by_slug("demo").await.unwrap().unwrap();
    let kpis = tx.list_kpis(WorkspaceId(workspace.id)).await.unwrap();
    assert!(kpis.len() >= 8, "at least 8 KPIs");
    for kpi in kpis.iter().take(8) {
        let series = tx.list_measurements(WorkspaceId(workspace.id), kpi.id).await.unwrap();
        let span_days = (series.last().unwrap().measured_at - series[0].measured_at) / 86_400_000;
        assert!(span_days >= 360, "{} has a year of measurements ({span_days} days)", kpi.slug);
    }
}

#[tokio::test]
async fn a_second_demo_start_keeps_the_data_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let before = get_json(&first, "/api/v1/objectives?limit=500").await;
    drop(first);
    let second = start(dir.path(), &["--demo", "--data-dir", "data"]);
    assert!(second.output[0].contains("already"), "{:?}", second.output);
    let after = get_json(&second, "/api/v1/objectives?limit=500").await;
    assert_eq!(items(&before).len(), items(&after).len());
}

#[tokio::test]
async fn tokens_made_on_the_command_line_work_and_can_be_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let viewer = create_token(dir.path(), "data", "demo", "viewer");
    let as_viewer = |path: &str| client().get(format!("{}{path}", server.base)).bearer_auth(&viewer).send();
    assert_eq!(as_viewer("/api/v1/objectives").await.unwrap().status(), 200);

    let listed = milepost(dir.path())
        .args(["token", "list", "--workspace", "demo", "--data-dir", "data", "--output", "json"])
        .output()
        .unwrap();
    let tokens: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(!text.contains(&viewer), "a list never shows a token's secret");
    let id = tokens.as_array().unwrap().iter().find(|t| t["role"] == "viewer").unwrap()["id"].as_i64().unwrap();
    assert!(tokens.as_array().unwrap().iter().any(|t| t["last_used_at"].is_string()), "use is recorded");

    let revoked = milepost(dir.path())
        .args(["token", "revoke", "--workspace", "demo", "--data-dir", "data", &id.to_string()])
        .output()
        .unwrap();
    assert!(revoked.status.success());
    let response = as_viewer("/api/v1/objectives").await.unwrap();
    assert_eq!(response.status(), 401, "a revoked token stops working at once");
    assert!(response.headers().contains_key("www-authenticate"));

    // Unknown workspace and role are refused with a clear message.
    let bad = milepost(dir.path())
        .args(["token", "create", "--workspace", "nope", "--role", "admin", "--data-dir", "data"])
        .output()
        .unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("workspace nope does not exist"));
    server.token = None;
}

#[test]
fn workspaces_are_created_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let created =
        milepost(dir.path()).args(["workspace", "create", "Globex Corporation", "--data-dir", "d"]).output().unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert!(String::from_utf8_lossy(&created.stdout).contains("`globex-corporation`"));
    let again =
        milepost(dir.path()).args(["workspace", "create", "Globex Corporation", "--data-dir", "d"]).output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already has this slug"));
    let listed = milepost(dir.path()).args(["workspace", "list", "--data-dir", "d"]).output().unwrap();
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.starts_with("SLUG") && text.contains("globex-corporation"), "{text}");
    let token = create_token(dir.path(), "d", "globex-corporation", "admin");
    assert!(token.starts_with("mp_"));
}

#[tokio::test]
async fn the_first_admin_is_made_on_the_command_line_and_can_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut command = milepost(dir.path());
        command
            .args(args)
            .args(["--data-dir", "d"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        if let Some(text) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    };
    assert!(run(&["workspace", "create", "Acme"], None).status.success());
    let made = run(
        &["user", "create", "--workspace", "acme", "--email", "Ana@Example.com", "--name", "Ana Lima", "--admin"],
        None,
    );
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let text = String::from_utf8(made.stdout).unwrap();
    let password = text.lines().find_map(|l| l.strip_prefix("Password (shown once): ")).unwrap().to_owned();
    assert_eq!(password.len(), 20);

    // A password that is too short writes nobody.
    let short = run(
        &["user", "create", "--workspace", "acme", "--email", "b@example.com", "--name", "B", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!short.status.success() && String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));
    let chosen = run(
        &["user", "create", "--workspace", "acme", "--email", "b@example.com", "--name", "B", "--password-stdin"],
        Some("a long enough password\n"),
    );
    assert!(chosen.status.success(), "the refused attempt left no half-made person behind");

    let mut server = start(dir.path(), &["--data-dir", "d"]);
    let login = |email: &str, password: &str| {
        client()
            .post(format!("{}/api/v1/session", server.base))
            .json(&serde_json::json!({"workspace": "acme", "email": email, "password": password}))
            .send()
    };
    let response = login("ana@example.com", &password).await.unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me: Value = client()
        .get(format!("{}/api/v1/session", server.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["person"]["role"], "admin");
    assert_eq!(login("b@example.com", "a long enough password").await.unwrap().status(), 200);
    server.token = None;
}

#[tokio::test]
async fn the_demo_feeds_kpis_from_every_kind_of_source_that_runs_locally() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let token = server.token.clone().unwrap();
    let kpis = get_json(&server, "/api/v1/kpis?limit=500").await;
    let sourced: HashMap<&str, &Value> =
        items(&kpis).iter().filter(|k| k["source"].is_object()).map(|k| (k["slug"].as_str().unwrap(), k)).collect();
    let kinds: HashMap<&str, &str> = sourced.iter().map(|(s, k)| (*s, k["source"]["kind"].as_str().unwrap())).collect();
    let expected =
        [("first-response-time", "sql"), ("website-uptime", "prometheus"), ("checkout-latency-p95", "http_json")];
    assert_eq!(kinds, HashMap::from(expected), "one demo KPI per kind of source");
    // The HTTP ones point at this server's stand-in, labelled as one.
    for slug in ["website-uptime", "checkout-latency-p95"] {
        let url = sourced[slug]["source"]["url"].as_str().unwrap();
        assert!(url.starts_with(&format!("{}/demo/ops", server.base)), "{slug}: {url}");
        assert!(sourced[slug]["description"].as_str().unwrap().contains("stand-in for your"), "{slug}");
    }

    // Run now, each fills its KPI from its source, with no failure.
    for (slug, kpi) in &sourced {
        let id = kpi["id"].as_i64().unwrap();
        let response = client()
            .post(format!("{}/api/v1/kpis/{id}/source/run", server.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{slug}");
        let ran: Value = response.json().await.unwrap();
        assert_eq!(ran["last_error"], Value::Null, "{slug}: {ran}");
        assert!(ran["last_run_at"].is_string(), "{slug}: {ran}");
        assert!(ran["state"]["last_value"].is_f64(), "{slug}: {ran}");
    }
    let uptime = get_json(&server, "/api/v1/kpis?limit=500").await;
    let uptime = items(&uptime).iter().find(|k| k["slug"] == "website-uptime").unwrap().clone();
    let value = uptime["state"]["last_value"].as_f64().unwrap();
    assert!((99.0..=100.0).contains(&value), "an uptime in percent: {value}");

    // The stand-in answers Prometheus' instant-query shape for its one query, and
    // refuses another as Prometheus refuses a bad one.
    let query = milepost_demo::DEMO_PROMQL;
    let mut url = reqwest::Url::parse(&format!("{}/demo/ops/api/v1/query", server.base)).unwrap();
    url.query_pairs_mut().append_pair("query", query);
    let answer = client().get(url);
    let answer: Value = answer.send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["status"], "success", "{answer}");
    assert_eq!(answer["data"]["resultType"], "vector");
    assert!(answer["data"]["result"][0]["value"][1].as_str().unwrap().parse::<f64>().is_ok(), "{answer}");
    let other = client().get(format!("{}/demo/ops/api/v1/query?query=up", server.base)).send().await.unwrap();
    assert_eq!(other.status(), 400);
    let status: Value =
        client().get(format!("{}/demo/ops/status.json", server.base)).send().await.unwrap().json().await.unwrap();
    assert!(status["checkout"]["latency_p95_ms"].is_f64(), "{status}");

    // Started again (on another port), the HTTP sources follow the server.
    drop(server);
    let again = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let kpis = get_json(&again, "/api/v1/kpis?limit=500").await;
    let uptime = items(&kpis).iter().find(|k| k["slug"] == "website-uptime").unwrap();
    assert!(uptime["source"]["url"].as_str().unwrap().starts_with(&format!("{}/demo/ops", again.base)), "{uptime}");
    drop(again);
    // Without --demo the stand-in is not served.
    let plain = start(dir.path(), &["--data-dir", "data"]);
    let gone = client().get(format!("{}/demo/ops/status.json", plain.base)).send().await.unwrap();
    assert_eq!(gone.status(), 404);
}

/// `milepost serve` on an empty data directory prints a set-up code and where to give
/// it, and command-line hints that name that very directory: run from anywhere else, the
/// printed `workspace create` makes the workspace the running server then sees.
#[tokio::test]
async fn serve_on_an_empty_directory_prints_a_set_up_code_and_hints_that_reach_its_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = milepost(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", "relative-data"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let deadline = Instant::now() + START_DEADLINE;
    let mut output = Vec::new();
    while !output.iter().any(|l: &String| l.contains("milepost user create")) {
        match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => output.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("serve did not print its set-up hints: {output:?}");
            }
        }
    }
    let base = output.iter().find_map(|l| l.strip_prefix("Milepost is listening on ")).unwrap();
    let base = base.split(' ').next().unwrap().to_owned();
    assert!(output.iter().any(|l| l.trim() == format!("Open:     {base}/setup")), "{output:?}");
    let code = output.iter().find_map(|l| l.trim().strip_prefix("Code:")).unwrap().split_whitespace().next().unwrap();
    assert_eq!(code.len(), 14, "{code}");
    let data_dir = dir.path().join("relative-data");
    let create = output.iter().find(|l| l.contains("milepost workspace create")).unwrap().trim().to_owned();
    assert!(create.ends_with(&format!("--data-dir {}", data_dir.display())), "{create}");
    let page = client().get(format!("{base}/login")).send().await.unwrap();
    assert!(page.url().path().ends_with("/setup"), "before: the set-up, {}", page.url());

    // The hint as printed, run from another directory.
    let elsewhere = tempfile::tempdir().unwrap();
    let command = create.replacen("milepost", &shell_quote(env!("CARGO_BIN_EXE_milepost")), 1);
    let run = std::process::Command::new("sh").arg("-c").arg(&command).current_dir(elsewhere.path()).output().unwrap();
    assert!(run.status.success(), "{command}: {}", String::from_utf8_lossy(&run.stderr));
    let page = client().get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(page.url().path(), "/login", "after: the login, on the same database");
    assert_eq!(page.status(), 200);
    let _ = child.kill();
    let _ = child.wait();
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
