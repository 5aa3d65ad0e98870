//! Three `milepost serve` processes on one PostgreSQL behind a real nginx: the same
//! answers through any of them, a write through one read through another, and each
//! scheduled job done once (a cycle starts once on a clock all three read).

use super::ops::{fetch_json, free_port, program, scrape, series, wait_for};
use super::*;
use milepost_sql::test_support::{postgres_store, postgres_url};

/// nginx on its own prefix and a random port, balancing over `upstreams` in turn.
fn start_nginx(nginx: &Path, dir: &Path, upstreams: &[&str]) -> (Nginx, String) {
    let port = free_port();
    let prefix = dir.join("nginx");
    std::fs::create_dir_all(prefix.join("logs")).unwrap();
    let servers: String =
        upstreams.iter().map(|u| format!("    server {};\n", u.trim_start_matches("http://"))).collect();
    // Run by root, nginx's workers would switch to `nobody`; they stay the test's user.
    let user = if super::ops::is_root() { "user root;\n" } else { "" };
    let temp = prefix.join("temp");
    let config = format!(
        "{user}worker_processes 1;\ndaemon off;\npid {pid};\nerror_log {errors} warn;\nevents {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n  \
         fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n  \
         upstream milepost {{\n{servers}  }}\n  server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      \
         proxy_pass http://milepost;\n      proxy_set_header Host $host;\n      proxy_set_header X-Forwarded-For $remote_addr;\n    }}\n  }}\n}}\n",
        pid = prefix.join("nginx.pid").display(),
        errors = prefix.join("logs/error.log").display(),
        temp = temp.display(),
    );
    std::fs::create_dir_all(&temp).unwrap();
    let file = prefix.join("nginx.conf");
    std::fs::write(&file, config).unwrap();
    let child = std::process::Command::new(nginx)
        .arg("-p")
        .arg(&prefix)
        .arg("-e")
        .arg(prefix.join("logs/error.log"))
        .arg("-c")
        .arg(&file)
        .spawn()
        .unwrap();
    (Nginx(child), format!("http://127.0.0.1:{port}"))
}

/// nginx, told to stop when dropped (SIGTERM: the master stops its workers too, which
/// a SIGKILL would leave running).
struct Nginx(std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// Tomorrow, in UTC, as `YYYY-MM-DD`.
#[expect(clippy::disallowed_methods, reason = "the test plans a cycle for the servers' tomorrow")]
fn tomorrow() -> String {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    today.tomorrow().unwrap().to_string()
}

#[tokio::test]
async fn three_servers_behind_nginx_answer_alike_share_writes_and_start_a_cycle_once() {
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return;
    };
    let Some(nginx) = program("nginx", &["/usr/sbin"]) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (store, schema_url) = postgres_store(&url).await.unwrap();
    store.close().await;
    // All three read the time from one file: while it is missing, the system's.
    let clock = dir.path().join("clock");
    let clock_text = clock.display().to_string();
    let env = [("MILEPOST_TEST_CLOCK_FILE", clock_text.as_str())];
    let first = start_with(dir.path(), &["--demo", "--database-url", &schema_url], &env, Stdio::inherit());
    let token = first.token.clone().unwrap();
    let second = start_with(dir.path(), &["--database-url", &schema_url], &env, Stdio::inherit());
    let third = start_with(dir.path(), &["--database-url", &schema_url], &env, Stdio::inherit());
    let servers = [&first, &second, &third];
    let (_nginx, balancer) = start_nginx(&nginx, dir.path(), &[&first.base, &second.base, &third.base]);
    wait_for("nginx to listen", Duration::from_secs(10), || async {
        client().get(format!("{balancer}/healthz")).send().await.ok().filter(|r| r.status() == 200)
    })
    .await;

    let get = |base: String, path: &'static str| {
        let token = token.clone();
        async move {
            let response = client().get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
            assert_eq!(response.status(), 200, "GET {path} on {base}");
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    // The same answers through nginx, whichever server it picks, and from each server.
    // Compared on what the data says; numbers that move with the clock (expected
    // progress, the forecast) are computed by each server at its own moment.
    let stored = |list: &serde_json::Value| -> Vec<serde_json::Value> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                let keep =
                    ["id", "title", "kind", "start", "target", "current", "progress", "version", "last_check_in_at"];
                keep.iter().map(|field| k[*field].clone()).collect()
            })
            .collect()
    };
    let path = "/api/v1/key-results?cycle_id=2&limit=500";
    let expected = get(first.base.clone(), path).await;
    assert!(stored(&expected).len() >= 40);
    for _ in 0..6 {
        assert_eq!(stored(&get(balancer.clone(), path).await), stored(&expected));
    }
    for server in servers {
        assert_eq!(stored(&get(server.base.clone(), path).await), stored(&expected));
    }
    // nginx spread the six requests over all three.
    for server in servers {
        let page = scrape(&server.base, None).await;
        let count = series(
            &page,
            r#"milepost_http_request_duration_seconds_count{method="GET",route="/api/v1/key-results",status="200"}"#,
        );
        assert!(count >= 2.0, "{} answered {count} of the list requests", server.base);
    }

    // A check-in through one server is read through the others at once.
    let target = expected["items"].as_array().unwrap().iter().find(|k| k["kind"] == "increase").unwrap();
    let (id, start) = (target["id"].as_i64().unwrap(), target["start"].as_f64().unwrap());
    let response = client()
        .post(format!("{}/api/v1/key-results/{id}/check-ins", second.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "value": start + 0.5, "confidence": 7, "note": "through the second" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    for base in [&third.base, &first.base, &balancer] {
        let key_result = client()
            .get(format!("{base}/api/v1/key-results/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(key_result["current"], start + 0.5, "read through {base}");
    }

    // A cycle planned for tomorrow starts once when that day comes, though all
    // three servers' schedulers look for it every second.
    let day = tomorrow();
    let response = client()
        .post(format!("{balancer}/api/v1/cycles"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "name": "Scale-out sprint", "start_date": day, "end_date": day }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let cycle: serde_json::Value = response.json().await.unwrap();
    let cycle_id = cycle["id"].as_i64().unwrap();
    assert_eq!(cycle["status"], "planning");
    std::fs::write(&clock, format!("{day}T00:30:00Z")).unwrap();
    let events_path = format!("/api/v1/events?entity=cycle&entity_id={cycle_id}");
    wait_for("the cycle to start", Duration::from_secs(20), || async {
        let cycle = fetch_json(&balancer, &token, &format!("/api/v1/cycles/{cycle_id}")).await;
        (cycle["status"] == "active").then_some(())
    })
    .await;
    // Three more passes of every scheduler: none starts it again.
    let passes = |page: &str| series(page, r#"milepost_scheduler_runs_total{job="start_cycles",outcome="ok"}"#);
    let mut seen = Vec::new();
    for server in servers {
        seen.push(passes(&scrape(&server.base, None).await));
    }
    for (server, before) in servers.iter().zip(&seen) {
        wait_for("three more scheduler passes", Duration::from_secs(20), || async {
            (passes(&scrape(&server.base, None).await) >= before + 3.0).then_some(())
        })
        .await;
    }
    let events = fetch_json(&balancer, &token, &events_path).await;
    let starts = events["items"].as_array().unwrap().iter().filter(|e| e["action"] == "start").count();
    assert_eq!(starts, 1, "one start recorded: {events}");
    let mut claims = 0.0;
    for server in servers {
        claims += series(&scrape(&server.base, None).await, r#"milepost_scheduler_claims_total{job="start_cycles"}"#);
    }
    assert!(claims >= 1.0, "some server started it");
    let all_starts = fetch_json(&balancer, &token, "/api/v1/events?entity=cycle&limit=500").await;
    let all_starts = all_starts["items"].as_array().unwrap().iter().filter(|e| e["action"] == "start").count();
    assert_eq!(claims, all_starts as f64, "each cycle start was claimed by exactly one server");
}
