//! The scheduler: a tokio task that, every [`INTERVAL`], starts the planning cycles
//! whose start date has come (`app.cycles().start_due`), runs the KPI pull sources
//! that are due (`app.kpis().run_due_sources`) and sends the check-in reminders that are
//! due (`app.reminders().send_due`), until it is told to stop. Several servers on one
//! PostgreSQL may all run it: each start, each due run and each reminder is claimed by
//! compare-and-set first, so a cycle starts once, a source runs once per period and a
//! reminder is sent once.
//!
//! Beside it, every [`WEBHOOK_INTERVAL`], a second task works the webhook outbox
//! (`app.webhooks().deliver_due`): each due delivery is claimed by compare-and-set on
//! its lease, so of several servers one makes each attempt.

use crate::metrics::Metrics;
use milepost_app::App;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often `milepost serve` looks for cycles to start and due sources.
pub const INTERVAL: Duration = Duration::from_secs(30);

/// How often `milepost serve` looks for webhook deliveries that are due.
pub const WEBHOOK_INTERVAL: Duration = Duration::from_secs(1);

/// A running scheduler; [`Scheduler::stop`] ends it after the pass in progress.
#[derive(Debug)]
pub struct Scheduler {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    webhooks: JoinHandle<()>,
}

impl Scheduler {
    /// Starts the scheduler on `app`, its first pass one `every` from now.
    pub fn start(app: App, every: Duration) -> Scheduler {
        Scheduler::start_counting(app, every, Metrics::default())
    }

    /// Starts it as [`Scheduler::start`] does, counting its passes in `metrics`.
    pub fn start_counting(app: App, every: Duration, metrics: Metrics) -> Scheduler {
        let (stop, mut stopped) = watch::channel(false);
        let webhooks = deliver_webhooks(app.clone(), every.min(WEBHOOK_INTERVAL), metrics.clone(), stop.subscribe());
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = ticks.tick() => {
                        let started = app.cycles().start_due().await;
                        metrics.scheduler_run("start_cycles", started.is_ok(), *started.as_ref().unwrap_or(&0));
                        match started {
                            Ok(0) => {}
                            Ok(started) => tracing::info!(started, "started cycles whose start date came"),
                            Err(error) => tracing::warn!(%error, "could not look for cycles to start"),
                        }
                        let ran = app.kpis().run_due_sources().await;
                        metrics.scheduler_run("run_kpi_sources", ran.is_ok(), *ran.as_ref().unwrap_or(&0));
                        match ran {
                            Ok(0) => {}
                            Ok(ran) => tracing::info!(ran, "ran due KPI sources"),
                            Err(error) => tracing::warn!(%error, "could not look for due KPI sources"),
                        }
                        let reminded = app.reminders().send_due().await;
                        let sent = reminded.as_ref().map_or(0, |pass| pass.sent);
                        metrics.scheduler_run("send_reminders", reminded.as_ref().is_ok_and(|p| p.failed.is_empty()), sent);
                        match reminded {
                            Ok(pass) => {
                                if pass.sent > 0 {
                                    tracing::info!(sent = pass.sent, "sent check-in reminders");
                                }
                                for error in pass.failed {
                                    tracing::warn!(%error, "a check-in reminder was not sent: the next pass tries again");
                                }
                            }
                            Err(error) => tracing::warn!(%error, "could not look for due reminders"),
                        }
                    }
                }
            }
        });
        Scheduler { stop, task, webhooks }
    }

    /// Stops it and waits for the pass in progress to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        let _ = self.webhooks.await;
    }
}

/// The webhook worker: every `every`, the deliveries that are due, until told to stop.
/// A pass that found a full batch goes on at once.
fn deliver_webhooks(app: App, every: Duration, metrics: Metrics, mut stopped: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stopped.changed() => break,
                _ = ticks.tick() => loop {
                    let made = app.webhooks().deliver_due().await;
                    metrics.scheduler_run("deliver_webhooks", made.is_ok(), *made.as_ref().unwrap_or(&0));
                    match made {
                        Ok(made) if made >= usize::try_from(milepost_app::webhook::delivery::BATCH).unwrap_or(usize::MAX) => {}
                        Ok(_) => break,
                        Err(error) => {
                            tracing::warn!(%error, "could not work the webhook outbox");
                            break;
                        }
                    }
                },
            }
        }
    })
}
