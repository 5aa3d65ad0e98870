//! Tests of the real `milepost` binary: it is started as a process, on a random port,
//! and spoken to over HTTP, as a person or a script would.

#![expect(clippy::unwrap_used, reason = "a test that cannot set up should fail loudly")]

mod config;
mod durability;
mod serve;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a server may take to start before a test gives up.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// The `milepost` command, with no settings leaking in from the environment.
pub fn milepost(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_milepost"));
    command.current_dir(cwd);
    for var in ["MILEPOST_LISTEN", "MILEPOST_DATA_DIR", "MILEPOST_DATABASE_URL", "MILEPOST_LOG_FORMAT"] {
        command.env_remove(var);
    }
    command.env("MILEPOST_LOG", "warn");
    command
}

/// A running server process, killed when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// Its address, `http://127.0.0.1:PORT`.
    pub base: String,
    /// What it printed before it listened.
    pub output: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `milepost serve` with `args` on a random port and waits until it listens.
pub fn start(cwd: &Path, args: &[&str]) -> Server {
    let mut child = milepost(cwd)
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        // Keep draining after the test stops listening, so the server never writes
        // into a closed pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let deadline = Instant::now() + START_DEADLINE;
    let mut output = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(left) {
            Ok(line) => {
                let address = line
                    .strip_prefix("Milepost is listening on ")
                    .map(|rest| rest.split(' ').next().unwrap().to_owned());
                output.push(line);
                if let Some(base) = address {
                    return Server { child, base, output };
                }
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not start in time; it printed: {output:?}");
            }
        }
    }
}

/// A blocking HTTP client for tests.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

/// GETs a JSON document from the demo workspace.
pub async fn get_json(server: &Server, path: &str) -> serde_json::Value {
    let response =
        client().get(format!("{}{path}", server.base)).header("X-Milepost-Workspace", "demo").send().await.unwrap();
    assert!(response.status().is_success(), "GET {path}: {}", response.status());
    response.json().await.unwrap()
}
