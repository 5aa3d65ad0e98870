//! `milepost bench`: measures the release server against its own baselines in one run
//! (issue 14): reads as a logged-in member beside `/healthz` at 1 and 32 clients,
//! check-in writes beside raw inserts of the same rows, the server's resident memory,
//! and, with `--seed-people`, the time to seed. See docs/benchmarks.md.

mod load;
mod raw;
mod report;
mod server;

use super::DataArgs;
use anyhow::{Context, bail};
use clap::Args;
use load::Answer;
use report::{Memory, Read, Report, Writes};
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use server::{PeakSampler, Server};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `milepost bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Seconds each measurement runs
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    duration: f64,
    /// A quick run for tests: 0.3 s a measurement (figures too noisy to quote)
    #[arg(long)]
    quick: bool,
    /// Concurrent clients of the reads, comma-separated; the writes use the largest
    #[arg(long, value_name = "N,…", value_delimiter = ',', default_value = "1,32")]
    clients: Vec<usize>,
    /// Load the demo workspace first if it is not there (`serve --demo`), and log in as its member
    #[arg(long)]
    demo: bool,
    /// Seed first with `milepost seed --synthetic --people N` and time it
    #[arg(long, value_name = "N")]
    seed_people: Option<u64>,
    /// The random seed of --seed-people
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// The workspace to log in to
    #[arg(long, value_name = "SLUG", default_value = milepost_demo::DEMO_WORKSPACE)]
    workspace: String,
    /// Log in as this person (a member who owns key results in the active cycle)
    /// [default: the demo member]
    #[arg(long, value_name = "EMAIL")]
    email: Option<String>,
    /// Their password [env: MILEPOST_BENCH_PASSWORD] [default: the demo member's]
    #[arg(long, value_name = "PASSWORD")]
    password: Option<String>,
    /// Measure no writes (the API writes leave check-ins behind: see docs/benchmarks.md)
    #[arg(long)]
    no_writes: bool,
    /// Also write the figures as JSON to FILE
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Compare two JSON files of earlier runs (PostgreSQL within 2× of SQLite) and exit
    #[arg(long, num_args = 2, value_names = ["A.json", "B.json"])]
    compare: Option<Vec<PathBuf>>,
    #[command(flatten)]
    data: DataArgs,
}

/// The demo member, whom the bench logs in as unless told otherwise.
const DEMO_MEMBER: &str = "dana.whitfield@example.com";

/// A logged-in member and what the bench reads and writes as them.
struct Session {
    base: String,
    client: reqwest::Client,
    cookie: String,
    who: String,
    person_id: i64,
}

impl Session {
    async fn log_in(base: &str, workspace: &str, email: &str, password: &str) -> anyhow::Result<Session> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(1024)
            .timeout(Duration::from_secs(60))
            .build()?;
        let response = client
            .post(format!("{base}/api/v1/session"))
            .json(&json!({ "workspace": workspace, "email": email, "password": password }))
            .send()
            .await
            .context("could not reach the server to log in")?;
        let status = response.status();
        let cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.split(';').next().filter(|c| c.starts_with("milepost_session=")).map(str::to_owned));
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let (200, Some(cookie)) = (status.as_u16(), cookie) else {
            bail!(
                "could not log in to `{workspace}` as {email}: {status} {body}; give --workspace, --email and --password"
            );
        };
        let person_id = body["person"]["id"].as_i64().context("the login answer names no person id")?;
        Ok(Session { base: base.to_owned(), client, cookie, who: format!("{email} in `{workspace}`"), person_id })
    }

    async fn get_json(&self, path: &str) -> anyhow::Result<Value> {
        let response = self.client.get(format!("{}{path}", self.base)).header(COOKIE, &self.cookie).send().await?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "GET {path} answered {status}");
        Ok(response.json().await?)
    }

    /// Measures `GET path` with `clients` clients.
    async fn read(&self, path: &str, clients: usize, duration: Duration) -> load::Figures {
        let (client, url, cookie) = (self.client.clone(), format!("{}{path}", self.base), self.cookie.clone());
        load::run(clients, duration, 200, move |_, _| {
            let request = client.get(&url).header(COOKIE, &cookie);
            answer(request)
        })
        .await
        .figures()
    }
}

/// What the reads are about: the active cycle, one objective, the member's key results.
struct Subject {
    cycle_id: i64,
    objective_id: i64,
    /// `(key result id, the value to check in)`: the member's own, not fed by a KPI.
    key_results: Vec<(i64, f64)>,
}

async fn find_subject(session: &Session) -> anyhow::Result<Subject> {
    let cycles = session.get_json("/api/v1/cycles?limit=500").await?;
    let cycle_id = cycles["items"]
        .as_array()
        .and_then(|items| items.iter().find(|c| c["status"] == "active"))
        .and_then(|c| c["id"].as_i64())
        .context("the workspace has no active cycle to read")?;
    let objectives = session.get_json(&format!("/api/v1/objectives?cycle_id={cycle_id}")).await?;
    let objective_id = objectives["items"][0]["id"]
        .as_i64()
        .with_context(|| format!("the active cycle {cycle_id} has no objective {} may see", session.who))?;
    // Asked for by owner: in a large cycle the first page of every key result would
    // hold none of theirs.
    let mine = format!("/api/v1/key-results?cycle_id={cycle_id}&owner_person_id={}&limit=500", session.person_id);
    let key_results = session.get_json(&mine).await?;
    let key_results = key_results["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|k| k["owner_person_id"].as_i64() == Some(session.person_id) && k["kpi_id"].is_null())
                .filter_map(|k| {
                    let value = k["current"].as_f64().or_else(|| k["start"].as_f64()).unwrap_or(0.0);
                    Some((k["id"].as_i64()?, value))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Subject { cycle_id, objective_id, key_results })
}

/// The command line as run, without the password.
/// Sends `request` and reads its whole answer: its status and how many bytes it had.
async fn answer(request: reqwest::RequestBuilder) -> Result<Answer, String> {
    let response = request.send().await.map_err(|e| format!("no answer: {e}"))?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| format!("the body broke off: {e}"))?;
    Ok(Answer { status, bytes: body.len() as u64 })
}

fn command_line() -> String {
    let mut hide = false;
    std::env::args()
        .map(|arg| {
            let shown = if hide {
                "***".to_owned()
            } else if arg.starts_with("--password=") {
                "--password=***".to_owned()
            } else {
                arg.clone()
            };
            hide = arg == "--password";
            shown
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn machine() -> report::Machine {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_bytes = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kib| kib * 1024);
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().and_then(|v| v.parse().ok()));
    report::Machine { cores: std::thread::available_parallelism().map_or(1, |n| n.get()), memory_bytes, load_average }
}

/// The database flags given, passed on to `seed` and `serve` as they were.
fn data_flags(data: &DataArgs) -> Vec<String> {
    let mut flags = Vec::new();
    if let Some(dir) = &data.data_dir {
        flags.extend(["--data-dir".to_owned(), dir.display().to_string()]);
    }
    if let Some(url) = &data.database_url {
        flags.extend(["--database-url".to_owned(), url.clone()]);
    }
    if let Some(file) = &data.config {
        flags.extend(["--config".to_owned(), file.display().to_string()]);
    }
    flags
}

/// Runs `milepost seed --synthetic --people N --seed S` on the same database and times
/// it; the logins it printed, if any, in the demo's `Log in:` lines.
async fn seed(people: u64, seed: u64, flags: &[String]) -> anyhow::Result<(report::Seed, Vec<server::Login>)> {
    let exe = std::env::current_exe().context("could not find this executable to seed")?;
    let mut command = std::process::Command::new(exe);
    command.args(["seed", "--synthetic", "--people", &people.to_string(), "--seed", &seed.to_string()]).args(flags);
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || command.output()).await?.context("could not run milepost seed")?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!(
            "milepost seed --synthetic --people {people} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok((report::Seed { people, seed, seconds }, server::logins_in(&String::from_utf8_lossy(&output.stdout))))
}

/// Runs `milepost bench`.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if let Some(files) = &args.compare
        && let [a, b] = files.as_slice()
    {
        return report::compare(a, b);
    }
    let config = args.data.load(None)?;
    let url = config.database_url();
    let duration =
        if args.quick { Duration::from_millis(300) } else { Duration::from_secs_f64(args.duration.max(0.05)) };
    anyhow::ensure!(
        !args.clients.is_empty() && args.clients.iter().all(|&c| (1..=1024).contains(&c)),
        "--clients takes numbers from 1 to 1024"
    );
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; build with `cargo build --release` for figures worth quoting");
    }
    let flags = data_flags(&args.data);
    let (seeded, seed_logins) = match args.seed_people {
        Some(people) => {
            let (seeded, logins) = seed(people, args.seed, &flags).await?;
            (Some(seeded), logins)
        }
        None => (None, Vec::new()),
    };
    let mut serve_flags = flags.clone();
    if args.demo {
        serve_flags.push("--demo".to_owned());
    }
    let mut server = Server::start(&serve_flags)?;
    server.logins.extend(seed_logins);
    let measured = measure(&args, &server, duration, &url).await;
    server.stop().await?;
    let (reads, writes, memory, who) = measured?;
    let mut report = Report {
        milepost_version: env!("CARGO_PKG_VERSION").to_owned(),
        build: if cfg!(debug_assertions) { "debug" } else { "release" }.to_owned(),
        machine: machine(),
        command: command_line(),
        database: if url.starts_with("sqlite:") { "sqlite" } else { "postgres" }.to_owned(),
        database_url: super::redact(&url),
        seconds_per_measurement: duration.as_secs_f64(),
        seed: seeded,
        logged_in_as: who,
        reads,
        writes,
        memory,
        goals: Vec::new(),
    };
    report.judge();
    report.print();
    if let Some(path) = &args.json {
        report.write(path)?;
    }
    let failures = report.failures();
    if !failures.is_empty() {
        bail!("some answers were not what a working server gives:\n  {}", failures.join("\n  "));
    }
    Ok(())
}

type Measured = (Vec<Read>, Option<Writes>, Memory, String);

async fn measure(args: &BenchArgs, server: &Server, duration: Duration, url: &str) -> anyhow::Result<Measured> {
    let member = server.logins.iter().find(|(_, _, role)| role == "member");
    let email = args.email.clone().or_else(|| member.map(|m| m.0.clone())).unwrap_or_else(|| DEMO_MEMBER.to_owned());
    let password = args
        .password
        .clone()
        .or_else(|| std::env::var("MILEPOST_BENCH_PASSWORD").ok())
        .or_else(|| server.logins.iter().find(|l| l.0 == email).map(|l| l.1.clone()))
        .unwrap_or_else(|| milepost_demo::DEMO_LOGINS[1].1.to_owned());
    let session = Session::log_in(&server.base, &args.workspace, &email, &password).await?;
    let subject = find_subject(&session).await?;
    let idle = server::resident_bytes(server.pid());
    let pages = [
        ("dashboard", "/".to_owned()),
        ("alignment tree", "/alignment".to_owned()),
        ("cycle page (objectives)", format!("/cycles/{}", subject.cycle_id)),
        ("objectives API", format!("/api/v1/objectives?cycle_id={}", subject.cycle_id)),
        ("objective page", format!("/objectives/{}", subject.objective_id)),
    ];
    let sampler = PeakSampler::start(server.pid());
    let mut reads = Vec::new();
    for &clients in &args.clients {
        let baseline = session.read("/healthz", clients, duration).await;
        for (name, path) in &pages {
            let figures = session.read(path, clients, duration).await;
            reads.push(Read {
                name: (*name).to_owned(),
                path: path.clone(),
                clients,
                p99_ratio: report::ratio(figures.p99_ms, baseline.p99_ms),
                throughput_ratio: report::ratio(figures.throughput_per_s, baseline.throughput_per_s),
                figures,
                baseline: baseline.clone(),
                pass: None,
            });
        }
    }
    let peak_reads = sampler.stop();
    let mut peak_writes = None;
    let writes = if args.no_writes {
        None
    } else {
        let clients = args.clients.iter().copied().max().unwrap_or(1);
        let sampler = PeakSampler::start(server.pid());
        let writes = write(&session, &subject, clients, duration, url).await;
        peak_writes = sampler.stop();
        Some(writes?)
    };
    let memory = Memory { idle_bytes: idle, peak_reads_bytes: peak_reads, peak_writes_bytes: peak_writes, pass: None };
    Ok((reads, writes, memory, session.who))
}

/// Check-ins through the API with `clients` clients, then the same rows inserted raw.
async fn write(
    session: &Session,
    subject: &Subject,
    clients: usize,
    duration: Duration,
    url: &str,
) -> anyhow::Result<Writes> {
    anyhow::ensure!(
        !subject.key_results.is_empty(),
        "{} owns no key result in the active cycle to check in on: log in as someone who does (--email), or pass --no-writes",
        session.who
    );
    let raw = raw::Raw::connect(url)
        .await
        .with_context(|| format!("could not open {} for the raw inserts", super::redact(url)))?;
    let before = raw.last_check_in().await?;
    let key_results = subject.key_results.clone();
    let (client, base, cookie) = (session.client.clone(), session.base.clone(), session.cookie.clone());
    let api = load::run(clients, duration, 201, move |task, n| {
        let (id, value) = key_results[(n as usize).wrapping_mul(clients).wrapping_add(task) % key_results.len()];
        let request = client
            .post(format!("{base}/api/v1/key-results/{id}/check-ins"))
            .header(COOKIE, &cookie)
            .json(&json!({ "value": value, "confidence": 7, "note": raw::NOTE }));
        answer(request)
    })
    .await
    .figures();
    let raw_figures = raw.insert_copies(before, clients, duration).await;
    raw.close().await;
    let raw_figures = raw_figures?;
    Ok(Writes {
        clients,
        key_results: subject.key_results.len(),
        ratio: report::ratio(api.throughput_per_s, raw_figures.throughput_per_s),
        api,
        raw: raw_figures,
        pass: false,
    })
}
