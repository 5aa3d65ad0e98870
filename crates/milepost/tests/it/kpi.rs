//! `milepost kpi` through the real binary on a data directory: define a KPI, record a
//! value, import a CSV file (twice: the second run changes nothing), refuse a file with
//! a bad row before writing anything, and read KPIs back as JSON.

use crate::{milepost, start};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;

fn kpi(cwd: &Path, args: &[&str]) -> Output {
    milepost(cwd).arg("kpi").args(args).args(["--data-dir", "d"]).output().unwrap()
}

#[track_caller]
fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

#[test]
fn kpis_are_defined_recorded_and_imported_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let none = kpi(cwd, &["list"]);
    assert!(!none.status.success() && String::from_utf8_lossy(&none.stderr).contains("milepost workspace create"));
    ok(&milepost(cwd).args(["workspace", "create", "Acme", "--data-dir", "d"]).output().unwrap());
    let created = ok(&kpi(
        cwd,
        &["create", "--name", "Website uptime", "--direction", "higher", "--target", "99.9", "--warning-band", "0.1"]
            .iter()
            .chain(&["--cadence", "daily", "--unit", "%", "--tag", "reliability"])
            .copied()
            .collect::<Vec<_>>(),
    ));
    assert!(created.contains("Created KPI Website uptime (website-uptime)"), "{created}");
    let bad = kpi(cwd, &["create", "--name", "Churn", "--direction", "range", "--cadence", "weekly"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("range"), "{}", String::from_utf8_lossy(&bad.stderr));

    let recorded = ok(&kpi(cwd, &["record", "website-uptime", "99.95", "--at", "2026-11-01T00:00:00Z"]));
    assert!(recorded.contains("Recorded 99.95 for website-uptime"), "{recorded}");
    let again = ok(&kpi(cwd, &["record", "website-uptime", "99.95", "--at", "2026-11-01"]));
    assert!(again.contains("nothing changed"), "{again}");

    // 2,500 hourly rows, imported in batches of 1,000; the second run writes nothing.
    let mut csv = String::from("measured_at,value\n");
    let start: jiff::Timestamp = "2026-08-01T00:00:00Z".parse().unwrap();
    for hour in 0..2500 {
        let at = start.saturating_add(jiff::SignedDuration::from_hours(hour)).unwrap();
        csv.push_str(&format!("{at},{}\n", 99.0 + (hour % 10) as f64 / 10.0));
    }
    std::fs::write(cwd.join("uptime.csv"), &csv).unwrap();
    let imported = ok(&kpi(cwd, &["import", "website-uptime", "uptime.csv", "--batch-size", "1000"]));
    assert!(imported.contains("2500 rows read, 2500 written (1 corrections), 0 unchanged"), "{imported}");
    let again = ok(&kpi(cwd, &["import", "website-uptime", "uptime.csv"]));
    assert!(again.contains("2500 rows read, 0 written (0 corrections), 2500 unchanged"), "{again}");

    // A bad row stops the import before anything is written, naming row and line.
    std::fs::write(cwd.join("bad.csv"), "measured_at,value\n2026-11-20,1\n2026-11-21,lots\n").unwrap();
    let refused = kpi(cwd, &["import", "website-uptime", "bad.csv"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("row 2 (line 3)") && stderr.contains("nothing was imported"), "{stderr}");

    let listed: Value = serde_json::from_str(&ok(&kpi(cwd, &["list", "--output", "json"]))).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["slug"], "website-uptime");
    let shown: Value = serde_json::from_str(&ok(&kpi(cwd, &["show", "website-uptime", "--output", "json"]))).unwrap();
    assert_eq!(shown["state"]["last_measured_at"], "2026-11-13T03:00:00Z", "the latest measurement: {shown}");
    assert!(!ok(&kpi(cwd, &["list"])).contains("lots"));

    // Drafting needs a lagging KPI; this one is silent now, so it is refused.
    let draft = kpi(cwd, &["draft", "website-uptime"]);
    assert!(!draft.status.success());
    assert!(
        String::from_utf8_lossy(&draft.stderr).contains("is not lagging"),
        "{}",
        String::from_utf8_lossy(&draft.stderr)
    );
}

/// `milepost kpi source ...` on the local data directory `d`, with `env` set.
fn source(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = milepost(cwd);
    command.env_remove("MILEPOST_SQL_SOURCES").env_remove("MILEPOST_HTTP_SOURCES");
    command.envs(env.iter().copied()).args(["kpi", "source"]).args(args).args(["--data-dir", "d"]);
    command.output().unwrap()
}

#[track_caller]
fn fails(output: &Output) -> String {
    assert!(!output.status.success(), "succeeded: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn kpi_sources_are_set_run_and_removed_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    ok(&milepost(cwd).args(["workspace", "create", "Acme", "--data-dir", "d"]).output().unwrap());
    ok(&kpi(cwd, &["create", "--name", "Uptime", "--direction", "higher", "--target", "99.9", "--cadence", "daily"]));
    let url = format!("sqlite://{}", cwd.join("metrics.db").display());
    std::fs::write(cwd.join("metrics.db"), b"").unwrap();
    let allowed = [("MILEPOST_SQL_SOURCES", url.as_str())];

    // The operator's allow-lists hold here as in the server.
    let sql = ["set", "uptime", "--sql", &url, "--query", "SELECT 99.5 AS value"];
    let refused = fails(&source(cwd, &sql, &[]));
    assert!(refused.contains("MILEPOST_SQL_SOURCES"), "{refused}");
    let http = ["set", "uptime", "--http", "http://169.254.169.254/latest/meta-data/", "--path", "a"];
    let refused = fails(&source(cwd, &http, &[]));
    assert!(refused.contains("none are allowed") && refused.contains("MILEPOST_HTTP_SOURCES"), "{refused}");
    let elsewhere = fails(&source(cwd, &http, &[("MILEPOST_HTTP_SOURCES", "http://prometheus:9090/")]));
    assert!(elsewhere.contains("http://prometheus:9090/"), "names the allowed prefixes: {elsewhere}");

    // Flags that do not make a source are refused with a sentence.
    let no_path = fails(&source(cwd, &["set", "uptime", "--http", "http://x.test/"], &[]));
    assert!(no_path.contains("--http needs --path"), "{no_path}");
    let no_query = fails(&source(cwd, &["set", "uptime", "--prometheus", "http://p:9090"], &[]));
    assert!(no_query.contains("--prometheus needs --query"), "{no_query}");
    fails(&source(cwd, &["set", "uptime", "--sql", &url, "--prometheus", "http://p:9090", "--query", "up"], &[]));

    let set = ok(&source(cwd, &sql, &allowed));
    assert!(set.contains("Set the sql source of uptime"), "{set}");
    let ran = ok(&source(cwd, &["run", "uptime"], &allowed));
    assert!(ran.contains("Ran the source of uptime: recorded 99.5"), "{ran}");

    // A failing run prints the failure, exits non-zero and is kept on the KPI.
    ok(&source(cwd, &["set", "uptime", "--sql", &url, "--query", "SELECT value FROM missing"], &allowed));
    let failed = fails(&source(cwd, &["run", "uptime"], &allowed));
    assert!(failed.contains("the source of uptime failed") && failed.contains("missing"), "{failed}");
    let shown: Value = serde_json::from_str(&ok(&kpi(cwd, &["show", "uptime", "--output", "json"]))).unwrap();
    assert!(shown["last_error"].as_str().unwrap_or_default().contains("missing"), "{shown}");
    // Withdrawn by the operator: the run fails.
    let withdrawn = fails(&source(cwd, &["run", "uptime"], &[]));
    assert!(withdrawn.contains("MILEPOST_SQL_SOURCES"), "{withdrawn}");

    let removed = ok(&source(cwd, &["remove", "uptime"], &[]));
    assert!(removed.contains("Removed the source of uptime"), "{removed}");
    let nothing = fails(&source(cwd, &["run", "uptime"], &[]));
    assert!(nothing.contains("no source to run"), "{nothing}");
}

#[test]
fn kpi_sources_are_managed_on_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let server = crate::start(cwd, &["--demo", "--data-dir", "data"]);
    let token = server.token.clone().unwrap();
    let remote = ["--server", server.base.as_str(), "--token", token.as_str()];
    let on_server = |args: &[&str]| milepost(cwd).args(["kpi", "source"]).args(args).args(remote).output().unwrap();

    let ran = ok(&on_server(&["run", "first-response-time"]));
    assert!(ran.contains("Ran the source of first-response-time: recorded"), "{ran}");
    let status = format!("{}/demo/ops/status.json", server.base);
    let set = ok(&on_server(&["set", "nps", "--http", &status, "--path", "checkout.latency_p95_ms"]));
    assert!(set.contains("Set the http source of nps"), "{set}");
    let ran = ok(&on_server(&["run", "nps"]));
    assert!(ran.contains("Ran the source of nps: recorded"), "{ran}");

    // The server's own allow-list holds.
    let refused = String::from_utf8_lossy(
        &on_server(&["set", "nps", "--http", "http://169.254.169.254/latest/meta-data/", "--path", "a"]).stderr,
    )
    .into_owned();
    assert!(refused.contains("MILEPOST_HTTP_SOURCES") && refused.contains("/demo/ops/"), "{refused}");
    // A failing run exits non-zero with the failure.
    ok(&on_server(&["set", "nps", "--http", &status, "--path", "checkout.nothing"]));
    let failed = on_server(&["run", "nps"]);
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("no number at checkout.nothing"));
    let removed = ok(&on_server(&["remove", "nps"]));
    assert!(removed.contains("Removed the source of nps"), "{removed}");
}

#[test]
fn a_metric_is_promoted_to_a_kpi_and_demoted_in_one_command() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    ok(&milepost(cwd).args(["workspace", "create", "Acme", "--data-dir", "d"]).output().unwrap());
    let args = ["create", "--name", "Signups", "--direction", "higher", "--target", "100", "--cadence", "weekly"];
    ok(&kpi(cwd, &args.iter().chain(&["--tier", "metric"]).copied().collect::<Vec<_>>()));
    let tier = |cwd: &Path| {
        let shown: Value = serde_json::from_str(&ok(&kpi(cwd, &["show", "signups", "--output", "json"]))).unwrap();
        (shown["tier"].as_str().unwrap().to_owned(), shown["version"].as_i64().unwrap())
    };
    assert_eq!(tier(cwd).0, "metric");
    let promoted = ok(&kpi(cwd, &["promote", "signups"]));
    assert!(promoted.contains("Promoted signups to a KPI: it is on the board"), "{promoted}");
    let (now, version) = tier(cwd);
    assert_eq!(now, "kpi");
    let again = ok(&kpi(cwd, &["promote", "signups"]));
    assert!(again.contains("signups is a KPI already; nothing changed."), "{again}");
    assert_eq!(tier(cwd).1, version, "promoting a KPI changes nothing");
    let demoted = ok(&kpi(cwd, &["demote", "signups"]));
    assert!(demoted.contains("Demoted signups to a plain metric"), "{demoted}");
    assert_eq!(tier(cwd).0, "metric");
    let missing = kpi(cwd, &["promote", "no-such-kpi"]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no-such-kpi"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}

#[test]
fn drafting_an_okr_for_a_lagging_kpi_twice_says_it_already_has_one() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    drop(start(cwd, &["--demo", "--data-dir", "d"]));
    // The demo's returns rate is lagging and nobody works on it yet.
    let before = ok(&kpi(cwd, &["show", "returns-rate", "--workspace", "demo"]));
    assert!(before.contains("lagging") && !before.contains("Recovering"), "{before}");
    let first = ok(&kpi(cwd, &["draft", "returns-rate", "--workspace", "demo"]));
    assert!(first.contains("Drafted objective") && first.contains("Bring Returns rate from"), "{first}");
    let id = first.split_whitespace().nth(2).unwrap().trim_end_matches(':').to_owned();
    // From then on `kpi show` says it is recovering, and by which objective.
    let shown = ok(&kpi(cwd, &["show", "returns-rate", "--workspace", "demo"]));
    assert!(shown.contains("lagging, recovering"), "{shown}");
    assert!(
        shown.contains(&format!("Recovering: objective {id} "))
            && shown.contains(&format!("(/objectives/{id}), its recovery OKR.")),
        "{shown}"
    );
    let second = ok(&kpi(cwd, &["draft", "returns-rate", "--workspace", "demo"]));
    assert!(
        second.contains(&format!("returns-rate already has an active recovery objective, {id}"))
            && second.contains("nothing new drafted"),
        "{second}"
    );
    let json: Value =
        serde_json::from_str(&ok(&kpi(cwd, &["draft", "returns-rate", "--workspace", "demo", "--output", "json"])))
            .unwrap();
    assert_eq!(json["id"].to_string(), id);
}

/// Issue 12: `serve --demo` with no setting allows its metrics file, and only that
/// file: neither Milepost's own database beside it (through `..` after the file's name,
/// or its `-wal`) nor a file whose name starts the same (`demo-metrics.dbx`).
#[tokio::test]
async fn the_demo_allows_its_metrics_file_and_nothing_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let server = crate::start(cwd, &["--demo", "--data-dir", "data"]);
    let token = server.token.clone().unwrap();
    let data = std::fs::canonicalize(cwd.join("data")).unwrap();
    assert!(data.join("milepost.db").exists());
    std::fs::copy(data.join("demo-metrics.db"), data.join("demo-metrics.dbx")).unwrap();
    let kpis = crate::get_json(&server, "/api/v1/kpis?limit=500").await;
    let kpi = kpis["items"].as_array().unwrap().iter().find(|k| k["slug"] == "first-response-time").unwrap().clone();
    let path = format!("{}/api/v1/kpis/{}", server.base, kpi["id"]);
    let d = data.display();
    for url in [
        format!("sqlite://{d}/demo-metrics.db/../milepost.db"),
        format!("sqlite://{d}/demo-metrics.db/%2e%2e/milepost.db"),
        format!("sqlite:{d}/demo-metrics.db/../milepost.db?mode=ro"),
        format!("sqlite://{d}/demo-metrics.db/../milepost.db-wal"),
        format!("sqlite://{d}/demo-metrics.dbx"),
        format!("sqlite://{d}/milepost.db"),
        format!("sqlite://file:{d}/demo-metrics.db/../milepost.db"),
    ] {
        let source = json!({"kind": "sql", "url": url, "query": "SELECT count(*) AS value FROM api_tokens"});
        let reply = crate::client()
            .patch(&path)
            .bearer_auth(&token)
            .json(&json!({"version": kpi["version"], "source": source}))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 422, "{url}");
        let body: Value = reply.json().await.unwrap();
        assert_eq!(body["errors"][0]["pointer"], "/source/url", "{url}: {body}");
    }
    // The demo's own source still runs.
    let ran = crate::client().post(format!("{path}/source/run")).bearer_auth(&token).json(&json!({})).send().await;
    let ran: Value = ran.unwrap().json().await.unwrap();
    assert_eq!(ran["last_error"], Value::Null, "{ran}");
    drop(server);

    // An entry that names no folder, file or server stops the command at once.
    for entry in ["sqlite:", "sqlite://relative/metrics/", "mysql://db/x"] {
        let refused = fails(&source(cwd, &["run", "first-response-time"], &[("MILEPOST_SQL_SOURCES", entry)]));
        assert!(refused.contains("MILEPOST_SQL_SOURCES"), "{entry}: {refused}");
    }
}

#[test]
fn formula_kpis_and_drivers_are_defined_changed_and_shown_as_a_tree_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    ok(&milepost(cwd).args(["workspace", "create", "Acme", "--data-dir", "d"]).output().unwrap());
    let weekly = ["--direction", "higher", "--cadence", "weekly"];
    let define = |name: &str, extra: &[&str]| {
        let args: Vec<&str> = ["create", "--name", name].iter().chain(&weekly).chain(extra).copied().collect();
        kpi(cwd, &args)
    };
    ok(&define("Orders", &["--target", "100"]));
    ok(&define("Order value", &["--target", "50", "--unit", "EUR"]));
    ok(&define("Visits", &["--target", "1000"]));
    ok(&kpi(cwd, &["record", "orders", "80", "--at", "2026-11-03"]));
    ok(&kpi(cwd, &["record", "order-value", "50", "--at", "2026-11-04"]));

    // A formula whose units do not mix is refused, saying where.
    let refused = define("Bad", &["--target", "1", "--formula", "orders + order-value"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("column 8") && stderr.contains("cannot add EUR"), "{stderr}");

    let created =
        ok(&define("Revenue", &["--target", "5000", "--formula", "orders * order_value", "--driver", "visits"]));
    assert!(created.contains("Created KPI Revenue (revenue)"), "{created}");
    let shown: Value = serde_json::from_str(&ok(&kpi(cwd, &["show", "revenue", "--output", "json"]))).unwrap();
    assert_eq!(shown["unit"], "EUR", "the formula's unit");
    assert_eq!(shown["state"]["last_value"], 4000.0, "computed from the week's orders and order value");
    assert_eq!(shown["drivers"], json!(["visits"]));
    let table = ok(&kpi(cwd, &["show", "revenue"]));
    assert!(table.contains("Driver tree:"), "{table}");
    assert!(table.contains("  orders (input): 80") && table.contains("  visits (driver)"), "{table}");
    let refused = kpi(cwd, &["record", "revenue", "1"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("computed from its formula"));

    // A cycle is refused, naming it; removing the drivers works.
    let cycle = kpi(cwd, &["update", "visits", "--driver", "revenue"]);
    assert!(!cycle.status.success());
    assert!(String::from_utf8_lossy(&cycle.stderr).contains("visits → revenue → visits"));
    let updated: Value =
        serde_json::from_str(&ok(&kpi(cwd, &["update", "revenue", "--no-drivers", "--output", "json"]))).unwrap();
    assert_eq!(updated["drivers"], json!([]));
    assert_eq!(updated["formula"], "orders * order_value", "left as it was");
}

#[test]
fn kpi_list_as_of_a_past_instant_shows_the_values_recorded_by_then() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    ok(&milepost(cwd).args(["workspace", "create", "Acme", "--data-dir", "d"]).output().unwrap());
    ok(&kpi(cwd, &["create", "--name", "Uptime", "--direction", "higher", "--target", "99", "--cadence", "daily"]));
    ok(&kpi(cwd, &["record", "uptime", "99.5", "--at", "2026-11-01T00:00:00Z"]));
    // Each command is a process of its own, so this instant falls between the two
    // recordings.
    #[expect(
        clippy::disallowed_methods,
        reason = "the binary runs on the real clock, so the instant between runs must too"
    )]
    let between = jiff::Timestamp::now().to_string();
    ok(&kpi(cwd, &["record", "uptime", "90", "--at", "2026-11-01T00:00:00Z"]));
    let then: Value = serde_json::from_str(&ok(&kpi(cwd, &["list", "--as-of", &between, "--output", "json"]))).unwrap();
    assert_eq!(then[0]["state"]["last_value"], 99.5, "the correction was recorded later: {then}");
    let now: Value = serde_json::from_str(&ok(&kpi(cwd, &["list", "--output", "json"]))).unwrap();
    assert_eq!(now[0]["state"]["last_value"], 90.0, "{now}");
    let table = ok(&kpi(cwd, &["list", "--as-of", &between]));
    assert!(table.contains("99.5"), "{table}");
    let future = kpi(cwd, &["list", "--as-of", "2999-01-01"]);
    assert!(!future.status.success());
    let stderr = String::from_utf8_lossy(&future.stderr);
    assert!(stderr.contains("as_of") && stderr.contains("in the future"), "{stderr}");
}
