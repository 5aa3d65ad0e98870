//! Tests of the real `milepost` binary: it is started as a process, on a random port,
//! and spoken to over HTTP, as a person or a script would.

#![expect(clippy::unwrap_used, reason = "a test that cannot set up should fail loudly")]
#![expect(clippy::expect_used, reason = "a test helper that cannot go on should fail loudly, saying why")]

mod apply;
mod audit;
mod backup;
mod bench;
mod check_ins;
mod config;
mod cycle;
mod diff;
mod durability;
mod forecast;
mod help;
mod kpi;
mod kr;
mod lint;
mod metrics;
mod ops;
mod replica;
mod report;
mod scale_out;
mod seed;
mod serve;
mod slo;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A file of this repository, by its path from this crate's directory. The directory is
/// the one cargo names when it runs the test (`CARGO_MANIFEST_DIR` at run time), else
/// the one it was built in, so that the test binary run from another checkout reads that
/// checkout's files: `.ci/run` runs it from a lone clone to prove that the repository
/// holds everything the tests read.
pub fn repo_file(path: &str) -> std::path::PathBuf {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")), std::path::PathBuf::from);
    dir.join(path)
}

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
    /// The API token to call it with: the demo's, or one set by the test.
    pub token: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `milepost serve` with `args` on a random port and waits until it listens.
pub fn start(cwd: &Path, args: &[&str]) -> Server {
    start_with(cwd, args, &[], Stdio::inherit())
}

/// Starts `milepost serve` as [`start`] does, with `env` set and its standard error
/// going to `stderr`.
pub fn start_with(cwd: &Path, args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Server {
    let mut command = milepost(cwd);
    command.arg("serve").args(["--listen", "127.0.0.1:0"]).args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.stdout(Stdio::piped()).stderr(stderr).spawn().unwrap();
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
    let mut base = None;
    let demo = args.contains(&"--demo");
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix("Milepost is listening on ") {
                    base = rest.split(' ').next().map(str::to_owned);
                }
                output.push(line);
                // The demo prints its token and two logins after the address.
                let logins = output.iter().filter(|l| l.trim_start().starts_with("Log in:")).count();
                if let Some(address) = &base
                    && (!demo || logins == 2)
                {
                    let token = output
                        .iter()
                        .find_map(|l| l.trim_start().strip_prefix("Token:"))
                        .and_then(|t| t.split_whitespace().next())
                        .map(str::to_owned);
                    return Server { child, base: address.clone(), output, token };
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

/// Makes a token with `milepost token create` on a data directory, as an operator would.
pub fn create_token(cwd: &Path, data_dir: &str, workspace: &str, role: &str) -> String {
    let output = milepost(cwd)
        .args(["token", "create", "--workspace", workspace, "--role", role, "--data-dir", data_dir])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("mp_") && token.len() == 67, "one token on standard output: {token:?}");
    token
}

/// An HTTP client for tests.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

/// GETs a JSON document with the server's token.
pub async fn get_json(server: &Server, path: &str) -> serde_json::Value {
    let token = server.token.as_deref().expect("a token to call the API with");
    let response = client().get(format!("{}{path}", server.base)).bearer_auth(token).send().await.unwrap();
    assert!(response.status().is_success(), "GET {path}: {}", response.status());
    response.json().await.unwrap()
}
