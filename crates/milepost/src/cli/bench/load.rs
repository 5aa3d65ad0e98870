//! The load generator of `milepost bench`: a number of clients, each a tokio task that
//! sends one request after another for a fixed time, and what came back: every
//! latency, every status, the bytes of every body.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one client saw.
#[derive(Debug, Default)]
struct ClientLog {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    failures: u64,
    bytes: u64,
    first_failure: Option<String>,
}

/// The answer to one request, as a measured operation reports it.
pub struct Answer {
    /// The HTTP status, or 0 for an operation that is not HTTP (a raw insert).
    pub status: u16,
    /// The bytes of the body read.
    pub bytes: u64,
}

/// Everything a run saw, merged over its clients.
#[derive(Debug)]
pub struct Run {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    failures: u64,
    bytes: u64,
    elapsed: Duration,
    first_failure: Option<String>,
}

/// The figures of one measurement, as printed and written to the JSON file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figures {
    /// Operations completed (answered, whatever the answer).
    pub requests: u64,
    /// Answers other than the one expected, and requests that got no answer.
    pub failures: u64,
    /// How many of each status came back (`"0"` for operations that are not HTTP).
    pub statuses: BTreeMap<String, u64>,
    /// The first failure, in words.
    pub first_failure: Option<String>,
    /// Median latency.
    pub p50_ms: f64,
    /// 99th percentile latency.
    pub p99_ms: f64,
    /// Mean latency.
    pub mean_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Completed operations a second.
    pub throughput_per_s: f64,
    /// Mean bytes of a response body.
    pub bytes_per_response: f64,
    /// How long the run took.
    pub seconds: f64,
}

/// Runs `clients` clients for `duration`: each calls `operation(client, n)` again and
/// again and reports its answer; an answer with another status than `expected` counts
/// as a failure, and so does an error. Before the clock starts, every client makes one
/// call that is not counted, so connections are open and caches warm.
pub async fn run<F, Fut>(clients: usize, duration: Duration, expected: u16, operation: F) -> Run
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Answer, String>> + Send + 'static,
{
    let operation = Arc::new(operation);
    let warm: Vec<_> = (0..clients)
        .map(|client| {
            let operation = Arc::clone(&operation);
            tokio::spawn(async move {
                let _ = operation(client, u64::MAX).await;
            })
        })
        .collect();
    for task in warm {
        let _ = task.await;
    }
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let operation = Arc::clone(&operation);
            tokio::spawn(async move {
                let mut log = ClientLog::default();
                let mut n = 0;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let answer = operation(client, n).await;
                    log.latencies_us.push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
                    n += 1;
                    match answer {
                        Ok(answer) => {
                            *log.statuses.entry(answer.status).or_default() += 1;
                            log.bytes += answer.bytes;
                            if answer.status != expected {
                                log.failures += 1;
                                log.first_failure.get_or_insert_with(|| format!("answered {}", answer.status));
                            }
                        }
                        Err(error) => {
                            log.failures += 1;
                            log.first_failure.get_or_insert(error);
                        }
                    }
                }
                log
            })
        })
        .collect();
    let mut merged = Run {
        latencies_us: Vec::new(),
        statuses: BTreeMap::new(),
        failures: 0,
        bytes: 0,
        elapsed: Duration::ZERO,
        first_failure: None,
    };
    for task in tasks {
        match task.await {
            Ok(log) => {
                merged.latencies_us.extend(log.latencies_us);
                for (status, count) in log.statuses {
                    *merged.statuses.entry(status).or_default() += count;
                }
                merged.failures += log.failures;
                merged.bytes += log.bytes;
                if merged.first_failure.is_none() {
                    merged.first_failure = log.first_failure;
                }
            }
            Err(error) => {
                merged.failures += 1;
                merged.first_failure.get_or_insert_with(|| format!("a client stopped: {error}"));
            }
        }
    }
    merged.elapsed = started.elapsed();
    merged
}

impl Run {
    /// The figures of this run: percentiles by nearest rank.
    pub fn figures(mut self) -> Figures {
        self.latencies_us.sort_unstable();
        let count = self.latencies_us.len();
        let ms = |us: u64| us as f64 / 1000.0;
        let rank = |q: f64| -> f64 {
            if count == 0 {
                return 0.0;
            }
            // Nearest rank: the smallest value with at least q of the values at or below it.
            let index = ((q * count as f64).ceil() as usize).clamp(1, count) - 1;
            ms(self.latencies_us[index])
        };
        let total: u64 = self.latencies_us.iter().sum();
        let seconds = self.elapsed.as_secs_f64();
        Figures {
            requests: count as u64,
            failures: self.failures,
            statuses: self.statuses.iter().map(|(status, n)| (status.to_string(), *n)).collect(),
            first_failure: self.first_failure,
            p50_ms: rank(0.50),
            p99_ms: rank(0.99),
            mean_ms: if count == 0 { 0.0 } else { ms(total) / count as f64 },
            max_ms: self.latencies_us.last().copied().map_or(0.0, ms),
            throughput_per_s: if seconds > 0.0 { count as f64 / seconds } else { 0.0 },
            bytes_per_response: if count == 0 { 0.0 } else { self.bytes as f64 / count as f64 },
            seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_of(latencies_us: Vec<u64>) -> Run {
        Run {
            latencies_us,
            statuses: BTreeMap::new(),
            failures: 0,
            bytes: 0,
            elapsed: Duration::from_secs(1),
            first_failure: None,
        }
    }

    #[test]
    fn percentiles_are_nearest_ranks() {
        let figures = run_of((1..=100).map(|ms| ms * 1000).collect()).figures();
        assert_eq!(figures.p50_ms, 50.0);
        assert_eq!(figures.p99_ms, 99.0);
        assert_eq!(figures.max_ms, 100.0);
        assert_eq!(figures.requests, 100);
        assert!((figures.mean_ms - 50.5).abs() < 1e-9);
        assert!((figures.throughput_per_s - 100.0).abs() < 1e-9);
    }

    #[test]
    fn an_empty_run_has_zero_figures_not_a_panic() {
        let figures = run_of(Vec::new()).figures();
        assert_eq!((figures.requests, figures.p50_ms, figures.p99_ms, figures.mean_ms), (0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn one_latency_is_every_percentile() {
        let figures = run_of(vec![2500]).figures();
        assert_eq!((figures.p50_ms, figures.p99_ms), (2.5, 2.5));
    }

    #[tokio::test]
    async fn every_unexpected_answer_and_error_is_counted() {
        // Every third call answers 500, every fifth gets no answer, the rest 200.
        let run = run(4, Duration::from_millis(50), 200, |_, n| async move {
            tokio::task::yield_now().await;
            match n % 15 {
                0 => Err("no answer: connection refused".to_owned()),
                k if k % 5 == 0 => Err("no answer: reset".to_owned()),
                k if k % 3 == 0 => Ok(Answer { status: 500, bytes: 10 }),
                _ => Ok(Answer { status: 200, bytes: 100 }),
            }
        })
        .await;
        let figures = run.figures();
        let answered: u64 = figures.statuses.values().sum();
        assert!(figures.requests > 15, "{figures:?}");
        let server_errors = figures.statuses.get("500").copied().unwrap_or(0);
        assert!(server_errors > 0, "{figures:?}");
        assert_eq!(figures.failures, server_errors + (figures.requests - answered), "{figures:?}");
        assert!(figures.first_failure.is_some());
    }
}
