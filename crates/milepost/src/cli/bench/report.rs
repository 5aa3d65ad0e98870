//! What `milepost bench` found: the figures as JSON (`--json FILE`), the table on
//! standard output, the goals of issue 14 as pass or fail, and the comparison of two
//! runs (`--compare A.json B.json`: PostgreSQL within 2× of SQLite).

use super::load::Figures;
use crate::cli::print_table;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Goal: every page's p99 at 32 clients, in milliseconds.
pub const PAGE_P99_GOAL_MS: f64 = 20.0;
/// Goal: check-in writes through the API at least this share of the raw insert rate.
pub const WRITE_RATIO_GOAL: f64 = 0.5;
/// Goal: the server's peak resident set, in bytes (200 MB).
pub const RSS_GOAL_BYTES: u64 = 200_000_000;
/// Goal: PostgreSQL within this factor of SQLite.
pub const POSTGRES_FACTOR_GOAL: f64 = 2.0;
/// The concurrency at which the page goal applies.
pub const GOAL_CLIENTS: usize = 32;

/// Everything one run of `milepost bench` measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Milepost's version.
    pub milepost_version: String,
    /// `release` or `debug`: the build of the binary that served.
    pub build: String,
    /// The machine.
    pub machine: Machine,
    /// The command line (passwords left out).
    pub command: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// The database, without its password.
    pub database_url: String,
    /// How long each measurement ran.
    pub seconds_per_measurement: f64,
    /// The seeding, when the bench ran it.
    pub seed: Option<Seed>,
    /// Who the reads and writes were made as.
    pub logged_in_as: String,
    /// The reads, each beside `/healthz` at the same concurrency.
    pub reads: Vec<Read>,
    /// The check-in writes beside raw inserts; absent with `--no-writes`.
    pub writes: Option<Writes>,
    /// The server's resident memory.
    pub memory: Memory,
    /// The goals, each passed or failed.
    pub goals: Vec<Goal>,
}

/// The machine the bench ran on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    /// Logical CPUs.
    pub cores: usize,
    /// Memory, in bytes.
    pub memory_bytes: Option<u64>,
    /// The one-minute load average when the bench began (other work on the machine).
    pub load_average: Option<f64>,
}

/// The time `milepost seed --synthetic` took.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Seed {
    /// People asked for.
    pub people: u64,
    /// The random seed.
    pub seed: u64,
    /// Wall time.
    pub seconds: f64,
}

/// One read measurement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Read {
    /// What was read.
    pub name: String,
    /// Its path.
    pub path: String,
    /// Concurrent clients.
    pub clients: usize,
    /// Its figures.
    pub figures: Figures,
    /// `/healthz` at the same concurrency, in the same run.
    pub baseline: Figures,
    /// p99 of the read over p99 of `/healthz`.
    pub p99_ratio: f64,
    /// Throughput of the read over that of `/healthz`.
    pub throughput_ratio: f64,
    /// At 32 clients: whether p99 is under 20 ms.
    pub pass: Option<bool>,
}

/// The write measurement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Writes {
    /// Concurrent clients.
    pub clients: usize,
    /// Key results written to.
    pub key_results: usize,
    /// Check-ins through `POST /api/v1/key-results/{id}/check-ins`.
    pub api: Figures,
    /// The same rows inserted by sqlx, each in its own commit.
    pub raw: Figures,
    /// API rate over raw rate.
    pub ratio: f64,
    /// Whether the ratio is at least 0.5.
    pub pass: bool,
}

/// The server's resident set (VmRSS).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Memory {
    /// After start and login, before any load.
    pub idle_bytes: Option<u64>,
    /// The highest sampled during the reads.
    pub peak_reads_bytes: Option<u64>,
    /// The highest sampled during the writes.
    pub peak_writes_bytes: Option<u64>,
    /// Whether the peak stayed under 200 MB.
    pub pass: Option<bool>,
}

/// A goal of issue 14.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Goal {
    /// The goal, in words.
    pub goal: String,
    /// What was measured.
    pub measured: String,
    /// Whether it was met.
    pub pass: bool,
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "-".to_owned(), |b| format!("{:.1} MB", b as f64 / 1e6))
}

fn verdict(pass: bool) -> &'static str {
    if pass { "pass" } else { "FAIL" }
}

/// `a / b`, 0 when `b` is 0.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl Report {
    /// Works out the goals from the figures.
    pub fn judge(&mut self) {
        let mut goals = Vec::new();
        for read in &mut self.reads {
            if read.clients == GOAL_CLIENTS {
                let pass = read.figures.p99_ms < PAGE_P99_GOAL_MS;
                read.pass = Some(pass);
                goals.push(Goal {
                    goal: format!("{} p99 under {PAGE_P99_GOAL_MS} ms at {GOAL_CLIENTS} clients", read.name),
                    measured: format!("{:.1} ms", read.figures.p99_ms),
                    pass,
                });
            }
        }
        if let Some(writes) = &mut self.writes {
            writes.pass = writes.ratio >= WRITE_RATIO_GOAL;
            goals.push(Goal {
                goal: format!("check-in writes at least {WRITE_RATIO_GOAL} × raw inserts"),
                measured: format!("{:.2} ×", writes.ratio),
                pass: writes.pass,
            });
        }
        let peak = [self.memory.idle_bytes, self.memory.peak_reads_bytes, self.memory.peak_writes_bytes]
            .into_iter()
            .flatten()
            .max();
        self.memory.pass = peak.map(|p| p < RSS_GOAL_BYTES);
        if let Some(pass) = self.memory.pass {
            goals.push(Goal { goal: "resident memory under 200 MB".to_owned(), measured: mb(peak), pass });
        }
        self.goals = goals;
    }

    /// Every measurement that got an answer it should not have: `(what, failures, first)`.
    pub fn failures(&self) -> Vec<String> {
        let mut failed = Vec::new();
        let mut check = |what: String, figures: &Figures| {
            if figures.failures > 0 {
                failed.push(format!(
                    "{what}: {} of {} failed ({})",
                    figures.failures,
                    figures.requests,
                    figures.first_failure.as_deref().unwrap_or("no detail")
                ));
            }
        };
        for read in &self.reads {
            check(format!("{} ({} at {} clients)", read.name, read.path, read.clients), &read.figures);
            check(format!("/healthz at {} clients", read.clients), &read.baseline);
        }
        if let Some(writes) = &self.writes {
            check(format!("check-ins through the API at {} clients", writes.clients), &writes.api);
            check(format!("raw inserts at {} clients", writes.clients), &writes.raw);
        }
        failed
    }

    /// Prints the table for people.
    pub fn print(&self) {
        let memory = self
            .machine
            .memory_bytes
            .map_or_else(String::new, |b| format!(", {:.1} GiB", b as f64 / (1u64 << 30) as f64));
        let load = self.machine.load_average.map_or_else(String::new, |l| format!(", load average {l:.2} at start"));
        println!(
            "milepost bench: {} ({}), {} build, {} cores{memory}{load}, {:.1} s a measurement, as {}",
            self.database,
            self.database_url,
            self.build,
            self.machine.cores,
            self.seconds_per_measurement,
            self.logged_in_as
        );
        if let Some(seed) = &self.seed {
            println!("seed: {} people (seed {}) in {:.2} s", seed.people, seed.seed, seed.seconds);
        }
        println!();
        let header = [
            "read",
            "path",
            "clients",
            "requests",
            "non-200",
            "p50 ms",
            "p99 ms",
            "mean ms",
            "req/s",
            "bytes",
            "healthz p99",
            "healthz req/s",
            "req/s ÷ healthz",
            "p99 < 20 ms",
        ];
        print_table(
            &header,
            self.reads.iter().map(|r| {
                vec![
                    r.name.clone(),
                    r.path.clone(),
                    r.clients.to_string(),
                    r.figures.requests.to_string(),
                    r.figures.failures.to_string(),
                    format!("{:.2}", r.figures.p50_ms),
                    format!("{:.2}", r.figures.p99_ms),
                    format!("{:.2}", r.figures.mean_ms),
                    format!("{:.0}", r.figures.throughput_per_s),
                    format!("{:.0}", r.figures.bytes_per_response),
                    format!("{:.2}", r.baseline.p99_ms),
                    format!("{:.0}", r.baseline.throughput_per_s),
                    format!("{:.3}", r.throughput_ratio),
                    r.pass.map_or_else(String::new, |p| verdict(p).to_owned()),
                ]
            }),
        );
        if let Some(w) = &self.writes {
            println!();
            let row = |what: &str, f: &Figures, extra: Vec<String>| {
                let mut row = vec![
                    what.to_owned(),
                    w.clients.to_string(),
                    f.requests.to_string(),
                    f.failures.to_string(),
                    format!("{:.2}", f.p50_ms),
                    format!("{:.2}", f.p99_ms),
                    format!("{:.0}", f.throughput_per_s),
                ];
                row.extend(extra);
                row
            };
            print_table(
                &["write", "clients", "writes", "failed", "p50 ms", "p99 ms", "per s", "÷ raw", "≥ 0.5"],
                [
                    row(
                        &format!("check-ins through the API ({} key results)", w.key_results),
                        &w.api,
                        vec![format!("{:.3}", w.ratio), verdict(w.pass).to_owned()],
                    ),
                    row("raw inserts, same rows (baseline)", &w.raw, vec!["1.000".to_owned(), String::new()]),
                ]
                .into_iter(),
            );
        }
        println!();
        println!(
            "memory (VmRSS): idle {}, peak under reads {}, peak under writes {}: {}",
            mb(self.memory.idle_bytes),
            mb(self.memory.peak_reads_bytes),
            mb(self.memory.peak_writes_bytes),
            self.memory.pass.map_or("not measured (no /proc)", |p| if p {
                "under 200 MB, pass"
            } else {
                "200 MB or more, FAIL"
            })
        );
        if !self.reads.iter().any(|r| r.clients == GOAL_CLIENTS) {
            println!("the pages' p99 goal holds at {GOAL_CLIENTS} clients, which this run did not measure");
        }
        let passed = self.goals.iter().filter(|g| g.pass).count();
        println!("goals: {passed} of {} met", self.goals.len());
        for goal in self.goals.iter().filter(|g| !g.pass) {
            println!("  FAIL {}: {}", goal.goal, goal.measured);
        }
    }

    /// Writes the report as JSON to `path`.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text + "\n").with_context(|| format!("could not write the figures to {}", path.display()))
    }

    /// Reads a report written by `--json`.
    pub fn read(path: &Path) -> anyhow::Result<Report> {
        let text = std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not the JSON of `milepost bench --json`", path.display()))
    }
}

/// Prints two runs side by side; with one SQLite and one PostgreSQL run, whether
/// PostgreSQL stays within 2× of SQLite on every measurement both made.
pub fn compare(a_path: &Path, b_path: &Path) -> anyhow::Result<()> {
    let a = Report::read(a_path)?;
    let b = Report::read(b_path)?;
    // The factor is PostgreSQL's over SQLite's, whichever file each came in.
    let postgres_second = match (a.database.as_str(), b.database.as_str()) {
        ("sqlite", "postgres") => Some(true),
        ("postgres", "sqlite") => Some(false),
        _ => None,
    };
    println!("A: {} — {} ({}), {} build", a_path.display(), a.database, a.database_url, a.build);
    println!("B: {} — {} ({}), {} build", b_path.display(), b.database, b.database_url, b.build);
    println!();
    let mut rows = Vec::new();
    let mut goals = Vec::new();
    let mut row = |what: String, clients: usize, fa: &Figures, fb: &Figures, latency: bool| {
        // How many times slower B was than A: by p99 for reads, by rate for writes.
        let b_over_a =
            if latency { ratio(fb.p99_ms, fa.p99_ms) } else { ratio(fa.throughput_per_s, fb.throughput_per_s) };
        // PostgreSQL's factor over SQLite, whichever file each came in.
        let factor = postgres_second.map(|second| if second { b_over_a } else { ratio(1.0, b_over_a) });
        let pass = factor.map(|f| f <= POSTGRES_FACTOR_GOAL);
        goals.extend(pass);
        rows.push(vec![
            what,
            clients.to_string(),
            format!("{:.2}", fa.p99_ms),
            format!("{:.2}", fb.p99_ms),
            format!("{:.0}", fa.throughput_per_s),
            format!("{:.0}", fb.throughput_per_s),
            factor.map_or_else(String::new, |f| format!("{f:.2}")),
            pass.map_or_else(String::new, |p| verdict(p).to_owned()),
        ]);
    };
    for ra in &a.reads {
        // Matched by name: the ids in the paths differ between databases.
        if let Some(rb) = b.reads.iter().find(|rb| rb.name == ra.name && rb.clients == ra.clients) {
            row(ra.name.clone(), ra.clients, &ra.figures, &rb.figures, true);
        }
    }
    if let (Some(wa), Some(wb)) = (&a.writes, &b.writes) {
        row("check-ins through the API (per s)".to_owned(), wa.clients, &wa.api, &wb.api, false);
    }
    print_table(
        &["measurement", "clients", "A p99 ms", "B p99 ms", "A per s", "B per s", "PostgreSQL ÷ SQLite", "≤ 2×"],
        rows.into_iter(),
    );
    println!();
    match postgres_second {
        Some(_) => {
            let met = goals.iter().filter(|p| **p).count();
            println!(
                "PostgreSQL within 2× of SQLite (p99 for reads, rate for writes): {met} of {} measurements",
                goals.len()
            );
        }
        None => println!("not one SQLite and one PostgreSQL run: no PostgreSQL goal to judge"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(p99_ms: f64, failures: u64) -> Figures {
        Figures {
            requests: 100,
            failures,
            statuses: [("200".to_owned(), 100 - failures), ("500".to_owned(), failures)].into_iter().collect(),
            first_failure: (failures > 0).then(|| "answered 500".to_owned()),
            p50_ms: p99_ms / 2.0,
            p99_ms,
            mean_ms: p99_ms / 2.0,
            max_ms: p99_ms,
            throughput_per_s: 1000.0,
            bytes_per_response: 10.0,
            seconds: 0.1,
        }
    }

    fn report(reads: Vec<Read>, writes: Option<Writes>, peak: u64) -> Report {
        Report {
            milepost_version: "0".to_owned(),
            build: "release".to_owned(),
            machine: Machine { cores: 2, memory_bytes: None, load_average: None },
            command: "milepost bench".to_owned(),
            database: "sqlite".to_owned(),
            database_url: "sqlite://x".to_owned(),
            seconds_per_measurement: 1.0,
            seed: None,
            logged_in_as: "dana".to_owned(),
            reads,
            writes,
            memory: Memory { idle_bytes: Some(1), peak_reads_bytes: Some(peak), peak_writes_bytes: None, pass: None },
            goals: Vec::new(),
        }
    }

    fn read(name: &str, clients: usize, p99_ms: f64, failures: u64) -> Read {
        Read {
            name: name.to_owned(),
            path: "/".to_owned(),
            clients,
            figures: figures(p99_ms, failures),
            baseline: figures(1.0, 0),
            p99_ratio: p99_ms,
            throughput_ratio: 1.0,
            pass: None,
        }
    }

    #[test]
    fn goals_judge_pages_at_32_clients_writes_and_memory() {
        let writes =
            Writes { clients: 32, key_results: 4, api: figures(5.0, 0), raw: figures(5.0, 0), ratio: 0.49, pass: true };
        let mut report = report(
            vec![read("dashboard", 1, 25.0, 0), read("dashboard", 32, 19.9, 0), read("objective page", 32, 20.0, 0)],
            Some(writes),
            RSS_GOAL_BYTES - 1,
        );
        report.judge();
        let verdicts: Vec<(&str, bool)> = report.goals.iter().map(|g| (g.goal.as_str(), g.pass)).collect();
        assert_eq!(
            verdicts,
            [
                ("dashboard p99 under 20 ms at 32 clients", true),
                ("objective page p99 under 20 ms at 32 clients", false),
                ("check-in writes at least 0.5 × raw inserts", false),
                ("resident memory under 200 MB", true),
            ]
        );
        assert_eq!(report.reads[0].pass, None, "no goal at 1 client");
        assert!(report.failures().is_empty());
    }

    #[test]
    fn a_read_with_errors_is_a_failure_naming_it() {
        let report = report(vec![read("dashboard", 32, 1.0, 3)], None, 1);
        assert_eq!(report.failures(), ["dashboard (/ at 32 clients): 3 of 100 failed (answered 500)"]);
    }
}
