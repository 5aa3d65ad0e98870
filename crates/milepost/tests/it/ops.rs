//! Helpers for the operations tests (metrics, backups, several servers, a replica): the
//! outside programs they drive (Prometheus, nginx, PostgreSQL's own tools) and small
//! pieces they share.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A port that was free a moment ago, for a program that must be told its port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The program `name` on `PATH` or in `extra` folders, or `None` with a printed reason:
/// the test that needs it then checks nothing here (`.ci/run` installs it, so CI never
/// skips).
pub fn program(name: &str, extra: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "`{name}` is not installed: `.ci/run` installs it before the tests");
        eprintln!("SKIPPED: `{name}` is not installed here (`.ci/run` installs it); this test checks nothing");
    }
    found
}

/// Polls `check` every 100 ms until it answers `Some`, or fails after `limit` saying
/// what it waited for.
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what} after {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The value of the one series `name{labels}` in a Prometheus text page, 0 when absent.
pub fn series(page: &str, name_and_labels: &str) -> f64 {
    page.lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// GETs a JSON document from `base` with `token`.
pub async fn fetch_json(base: &str, token: &str, path: &str) -> serde_json::Value {
    let response = super::client().get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
    assert!(response.status().is_success(), "GET {path} on {base}: {}", response.status());
    response.json().await.unwrap()
}

/// `/metrics` of a server.
pub async fn scrape(base: &str, token: Option<&str>) -> String {
    let mut request = super::client().get(format!("{base}/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "GET /metrics");
    response.text().await.unwrap()
}

/// A child process killed (and waited for) when dropped.
pub struct Guard(pub std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Makes `dir` and everything in it belong to the `postgres` user when this runs as
/// root (PostgreSQL's server refuses to run as root), so its tools can run as that user.
pub fn hand_to_postgres(dir: &Path) {
    if is_root() {
        let status = std::process::Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir).status().unwrap();
        assert!(status.success(), "chown {}", dir.display());
    }
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    std::process::Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
