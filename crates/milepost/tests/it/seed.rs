//! `milepost seed --synthetic`: the organisation it writes in bulk reads back through
//! the real server, page and API, as if it had been made through the use cases, on
//! SQLite and on PostgreSQL; its logins work; a second seed into the same slug is
//! refused.

use super::*;
use milepost_sql::test_support::{postgres_store, postgres_url};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

const PASSWORD: &str = "a long enough password";

/// Text as the templates escape it.
fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;")
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path.display().to_string());
        }
    }
    files
}

/// Runs `milepost seed --synthetic` with the database arguments `database` and `args`.
fn seed(cwd: &Path, database: &[&str], args: &[&str]) -> std::process::Output {
    milepost(cwd).args(["seed", "--synthetic", "--password", PASSWORD]).args(database).args(args).output().unwrap()
}

/// The counts the summary printed, by label (`objectives`, `key results` …).
fn summary(stdout: &str) -> HashMap<String, u64> {
    stdout
        .lines()
        .filter_map(|line| {
            let (label, count) = line.trim().rsplit_once(' ')?;
            Some((label.trim().to_owned(), count.parse().ok()?))
        })
        .collect()
}

/// Logs in to `synth` and answers the session cookie and the person's id.
async fn log_in(server: &Server, email: &str) -> (String, i64) {
    let response = client()
        .post(format!("{}/api/v1/session", server.base))
        .json(&serde_json::json!({"workspace": "synth", "email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{email} logs in");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let session: Value = response.json().await.unwrap();
    (cookie, session["person"]["id"].as_i64().unwrap())
}

/// GETs `path` with the session cookie: the status and the body.
async fn get(server: &Server, cookie: &str, path: &str) -> (u16, String) {
    let response = client().get(format!("{}{path}", server.base)).header("cookie", cookie).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Every item of a paged API list, following its cursor.
async fn all(server: &Server, cookie: &str, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let cursor = after.as_ref().map(|a| format!("&after={a}")).unwrap_or_default();
        let (status, body) = get(server, cookie, &format!("{path}{separator}limit=500{cursor}")).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return items,
        }
    }
}

/// The ids of every objective `GET /api/v1/search` finds for `q`, page after page.
async fn search_ids(server: &Server, cookie: &str, q: &str) -> HashSet<i64> {
    let mut ids = HashSet::new();
    for page in 0..20 {
        let offset = (page * 50).to_string();
        let params = [("q", q), ("kind", "objective"), ("limit", "50"), ("offset", offset.as_str())];
        let url = reqwest::Url::parse_with_params(&format!("{}/api/v1/search", server.base), params).unwrap();
        let response = client().get(url).header("cookie", cookie).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let found: Value = response.json().await.unwrap();
        let group = &found["groups"][0];
        ids.extend(group["hits"].as_array().unwrap().iter().map(|h| h["id"].as_i64().unwrap()));
        if group["more"] != true {
            return ids;
        }
    }
    panic!("more than 1,000 objectives match {q:?}");
}

async fn a_seeded_organisation_reads_through_the_real_server(database: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let output = seed(dir.path(), database, &["--people", "200", "--seed", "5"]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let counts = summary(&stdout);
    assert_eq!(counts["people"], 200, "{stdout}");
    assert!(counts["teams"] >= 25 && counts["objectives"] >= 200 && counts["check-ins"] > 5_000, "{stdout}");
    assert!(stdout.contains("rows/s"), "{stdout}");
    assert!(stdout.contains("Log in:   admin@synth.example /") && stdout.contains("member@synth.example"));

    let server = start(dir.path(), database);
    let (admin, _) = log_in(&server, "admin@synth.example").await;
    let (member, member_id) = log_in(&server, "member@synth.example").await;

    // The API lists every row the seed counted.
    let objectives = all(&server, &admin, "/api/v1/objectives").await;
    assert_eq!(objectives.len() as u64, counts["objectives"]);
    assert_eq!(all(&server, &admin, "/api/v1/key-results").await.len() as u64, counts["key results"]);
    assert_eq!(all(&server, &admin, "/api/v1/teams").await.len() as u64, counts["teams"]);
    assert_eq!(all(&server, &admin, "/api/v1/people").await.len() as u64, counts["people"]);
    assert_eq!(all(&server, &admin, "/api/v1/kpis").await.len() as u64, counts["KPIs"]);
    let cycles = all(&server, &admin, "/api/v1/cycles").await;
    let status: Vec<&str> = cycles.iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["closed", "active"]);
    let active = cycles[1]["id"].as_i64().unwrap();
    // A member does not see the other teams' team-only objectives.
    let seen = all(&server, &member, "/api/v1/objectives").await;
    assert!(!seen.is_empty() && seen.len() < objectives.len(), "{} of {}", seen.len(), objectives.len());

    // The pages answer, for the admin and for the member.
    let mine =
        all(&server, &member, &format!("/api/v1/key-results?cycle_id={active}&owner_person_id={member_id}")).await;
    assert!(!mine.is_empty(), "the member owns key results in the active quarter");
    let objective = mine[0]["objective_id"].as_i64().unwrap();
    let kpi = all(&server, &admin, "/api/v1/kpis").await[0]["id"].as_i64().unwrap();
    for cookie in [&admin, &member] {
        for path in [
            "/".to_owned(),
            "/alignment".to_owned(),
            "/check-in".to_owned(),
            "/kpis".to_owned(),
            format!("/kpis/{kpi}"),
            format!("/cycles/{active}"),
            format!("/objectives/{objective}"),
        ] {
            let (status, body) = get(&server, cookie, &path).await;
            assert_eq!(status, 200, "GET {path}: {body}");
        }
    }
    // They show the seeded key results: on the objective's page and on the member's
    // dashboard and weekly check-in.
    let title = html(mine[0]["title"].as_str().unwrap());
    for path in [format!("/objectives/{objective}"), "/".to_owned(), "/check-in".to_owned()] {
        let (_, page) = get(&server, &member, &path).await;
        assert!(page.contains(&title), "GET {path} shows {title}");
    }

    // A check-in after the seed: new ids follow the seeded ones, versions match.
    let key_result = &mine[0];
    let value = key_result["current"].as_f64().or(key_result["start"].as_f64()).unwrap_or(0.0);
    let response = client()
        .post(format!("{}/api/v1/key-results/{}/check-ins", server.base, key_result["id"]))
        .header("cookie", &member)
        .header("sec-fetch-site", "same-origin")
        .json(&serde_json::json!({"value": value, "confidence": 6, "note": "after the seed"}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(status.is_success(), "{status}: {}", response.text().await.unwrap());

    // The active quarter as OKR files, applied again: nothing to change, so every row
    // reads back as the files' objectives and key results exactly.
    let slug = cycles[1]["slug"].as_str().unwrap();
    let export = milepost(dir.path()).args(["export", "okrs", "--cycle", slug]).args(database).output().unwrap();
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let files: Vec<String> = walk(&dir.path().join("okrs"));
    assert!(files.len() > 20, "one file per owner: {files:?}");
    let apply = milepost(dir.path()).args(["apply", "--dry-run"]).args(database).args(&files).output().unwrap();
    let plan = String::from_utf8_lossy(&apply.stdout);
    assert!(apply.status.success() && plan.contains("No changes"), "{plan}{}", String::from_utf8_lossy(&apply.stderr));

    // Search finds what the seed wrote in bulk, as each may see it: an objective the
    // member may not see is found by the admin and never by the member (every page of
    // the member's results checked), and by the CLI on the same database.
    let seen_ids: HashSet<i64> = seen.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    let hidden = objectives.iter().find(|o| !seen_ids.contains(&o["id"].as_i64().unwrap())).unwrap();
    let hidden_id = hidden["id"].as_i64().unwrap();
    let words: Vec<&str> = hidden["title"].as_str().unwrap().split_whitespace().take(6).collect();
    assert!(search_ids(&server, &admin, &words.join(" ")).await.contains(&hidden_id), "{hidden}");
    assert!(!search_ids(&server, &member, &words.join(" ")).await.contains(&hidden_id), "{hidden}");
    let cli = milepost(dir.path())
        .args(["search", "--kind", "objective", "--limit", "50", "--output", "json"])
        .args(database)
        .args(&words)
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let found: Value = serde_json::from_slice(&cli.stdout).unwrap();
    let titles: Vec<&str> =
        found["groups"][0]["hits"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&hidden["title"].as_str().unwrap()), "{titles:?}");

    // Seeding the same slug again is refused, and nothing is written.
    let again = seed(dir.path(), database, &["--people", "50"]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success());
    assert!(stderr.contains("`synth` already exists and holds data"), "{stderr}");
    assert_eq!(all(&server, &admin, "/api/v1/people").await.len() as u64, counts["people"]);
}

#[tokio::test]
async fn a_seeded_organisation_reads_back_on_sqlite() {
    a_seeded_organisation_reads_through_the_real_server(&["--data-dir", "data"]).await;
}

#[tokio::test]
async fn a_seeded_organisation_reads_back_on_postgresql() {
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return;
    };
    let (store, schema_url) = postgres_store(&url).await.unwrap();
    store.close().await;
    a_seeded_organisation_reads_through_the_real_server(&["--database-url", &schema_url]).await;
}

#[test]
fn several_workspaces_are_seeded_side_by_side_and_bad_sizes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = seed(dir.path(), &["--data-dir", "data"], &["--people", "20", "--workspaces", "3", "--slug", "acme"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("Seeded 3 workspaces (acme-1, acme-2, acme-3)"), "{stdout}");
    assert_eq!(summary(&stdout)["people"], 60);
    let listed = milepost(dir.path()).args(["workspace", "list", "--data-dir", "data"]).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(["acme-1", "acme-2", "acme-3"].iter().all(|slug| listed.contains(slug)), "{listed}");

    let small = seed(dir.path(), &["--data-dir", "data"], &["--people", "3"]);
    assert!(!small.status.success());
    assert!(String::from_utf8_lossy(&small.stderr).contains("--people 3: give from 10 to 1000000 people"));
}
