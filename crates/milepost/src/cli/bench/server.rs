//! The server under test: this very executable started as `milepost serve` on a free
//! port of the loopback, its resident memory read from `/proc`, stopped at the end.

use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the server may take to start (the demo loads in under a second; a large
/// database migrates first).
const START_DEADLINE: Duration = Duration::from_secs(120);
/// How long the server may take to finish after SIGTERM before it is killed.
const STOP_DEADLINE: Duration = Duration::from_secs(10);
/// How often the resident memory is sampled under load.
const RSS_INTERVAL: Duration = Duration::from_millis(20);

/// A running `milepost serve`; killed if dropped without [`Server::stop`].
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The logins the demo printed.
    pub logins: Vec<Login>,
}

impl Server {
    /// Starts `EXE serve --listen 127.0.0.1:0 ARGS…` and waits until it prints where it
    /// listens (after the demo's logins, with `--demo`).
    pub fn start(args: &[String]) -> anyhow::Result<Server> {
        let exe = std::env::current_exe().context("could not find this executable to start the server")?;
        let mut command = Command::new(&exe);
        command.arg("serve").args(["--listen", "127.0.0.1:0"]).args(args);
        command.env_remove("MILEPOST_LISTEN").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
        if std::env::var_os("MILEPOST_LOG").is_none() {
            command.env("MILEPOST_LOG", "warn");
        }
        let mut child = command.spawn().with_context(|| format!("could not start {} serve", exe.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            bail!("the server's standard output could not be read");
        };
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            // Drains to the end, so the server never writes into a closed pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let demo = args.iter().any(|a| a == "--demo");
        let deadline = Instant::now() + START_DEADLINE;
        let mut printed = Vec::new();
        let mut base = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match receiver.recv_timeout(left) {
                Ok(line) => line,
                Err(waited) => {
                    let _ = child.kill();
                    let status = child.wait().map_or_else(|_| "unknown".to_owned(), |s| s.to_string());
                    let what = match waited {
                        mpsc::RecvTimeoutError::Timeout => {
                            format!("did not start within {} s", START_DEADLINE.as_secs())
                        }
                        mpsc::RecvTimeoutError::Disconnected => format!("stopped before it listened ({status})"),
                    };
                    bail!("the server {what}; its errors are above, and it printed:\n{}", printed.join("\n"));
                }
            };
            if let Some(rest) = line.strip_prefix("Milepost is listening on ") {
                base = rest.split(' ').next().map(str::to_owned);
            }
            printed.push(line);
            let logins = logins(&printed);
            if let Some(address) = &base
                && (!demo || logins.len() >= 2)
            {
                return Ok(Server { child, base: address.clone(), logins });
            }
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server with SIGTERM (it finishes the requests in flight), killing it
    /// if it has not ended in time.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        let asked = Command::new("kill").args(["-TERM", &pid]).status().map(|s| s.success()).unwrap_or(false);
        let deadline = Instant::now() + STOP_DEADLINE;
        while asked && Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.child.kill().context("could not stop the server")?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A login printed by `serve --demo` (or `seed`): `(email, password, role)`.
pub type Login = (String, String, String);

/// The logins in what a command printed.
pub fn logins_in(printed: &str) -> Vec<Login> {
    logins(&printed.lines().map(str::to_owned).collect::<Vec<_>>())
}

/// The `Log in:   EMAIL / PASSWORD  (ROLE)` lines of the demo.
fn logins(printed: &[String]) -> Vec<Login> {
    printed
        .iter()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("Log in:")?.trim();
            let (email, rest) = rest.split_once(" / ")?;
            let (password, role) = rest.split_once("  ")?;
            let role = role.trim().trim_start_matches('(').trim_end_matches(')');
            Some((email.trim().to_owned(), password.trim().to_owned(), role.to_owned()))
        })
        .collect()
}

/// The resident set of a process in bytes (`VmRSS` of `/proc/PID/status`), or `None`
/// where there is no `/proc`.
pub fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.trim_start_matches("VmRSS:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// Samples a process's resident memory in the background and keeps the highest.
pub struct PeakSampler {
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl PeakSampler {
    /// Starts sampling `pid` every few milliseconds.
    pub fn start(pid: u32) -> PeakSampler {
        let peak = Arc::new(AtomicU64::new(resident_bytes(pid).unwrap_or(0)));
        let shared = Arc::clone(&peak);
        let task = tokio::spawn(async move {
            loop {
                if let Some(bytes) = resident_bytes(pid) {
                    shared.fetch_max(bytes, Ordering::Relaxed);
                }
                tokio::time::sleep(RSS_INTERVAL).await;
            }
        });
        PeakSampler { peak, task }
    }

    /// Stops sampling: the highest resident set seen, `None` if none could be read.
    pub fn stop(self) -> Option<u64> {
        self.task.abort();
        Some(self.peak.load(Ordering::Relaxed)).filter(|&bytes| bytes > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_logins_are_read_from_what_serve_prints() {
        let printed = vec![
            "Milepost is listening on http://127.0.0.1:1234 (ready in 5 ms)".to_owned(),
            "  Log in:   dana.whitfield@example.com / milepost-demo-member  (member)".to_owned(),
            "  Log in:   admin@example.com / secret words  (admin)".to_owned(),
        ];
        assert_eq!(
            logins(&printed),
            vec![
                ("dana.whitfield@example.com".into(), "milepost-demo-member".into(), "member".into()),
                ("admin@example.com".into(), "secret words".into(), "admin".into()),
            ]
        );
    }

    #[test]
    fn this_process_has_a_resident_set() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(resident_bytes(std::process::id()).is_some_and(|bytes| bytes > 0));
        }
    }
}
