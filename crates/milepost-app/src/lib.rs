//! Milepost's use cases: the one API that the JSON API, the web app and the CLI call.
//!
//! Every operation takes a [`Caller`] first (who is asking, in which workspace), checks
//! its input into domain types, does its reads and writes in one store transaction and
//! returns a view with the computed numbers of SPEC §4 (progress, expected progress,
//! status, score). Front ends hold no business rule: they parse a request, call one
//! function here and render what it returns.

pub mod access;
pub mod as_of;
pub mod calendar;
pub mod calibration;
pub mod caller;
pub mod carry;
pub mod carry_link;
pub mod check_in;
pub mod check_in_import;
pub mod comment;
pub mod cycle;
pub mod error;
mod evaluation;
pub mod first_run;
pub mod forecast_eval;
pub mod inbox;
pub mod initiative;
pub mod key_result;
pub mod kpi;
pub mod mail;
#[cfg(test)]
mod module_tree;
pub mod objective;
pub mod okr_file;
pub mod outbox;
pub mod page;
pub mod password;
pub mod patch;
pub mod permission;
pub mod person;
mod read_model;
pub mod reminder;
pub mod report;
pub mod retrospective;
pub mod scoring;
pub mod search;
pub mod session;
pub mod team;
pub mod time;
pub mod webhook;
pub mod workspace;

pub use caller::Caller;
pub use error::{AppError, FieldError, Location, Path, Segment};
pub use evaluation::ScoreView;
pub use milepost_store::PoolStats;
/// Where reads go when there is a read replica, and what a request wrote: the server
/// routes each request ([`milepost_store::route`]).
pub use milepost_store::route;
pub use page::{ListParams, Paged};
pub use workspace::WorkspaceNames;

use jiff::Timestamp;
use milepost_core::WorkspaceId;
use milepost_store::{Database, Tx};
use std::sync::Arc;

/// Where the app reads the time. Tests and the demo pass a fixed or shifted clock; the
/// server uses the system's.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The application: storage plus the clock. Cheap to clone; one per process.
#[derive(Clone)]
pub struct App {
    store: Database,
    clock: Clock,
    /// Checks and reads KPI pull sources with the operator's allow-lists
    /// (`MILEPOST_SQL_SOURCES`, `MILEPOST_HTTP_SOURCES`); see [`App::with_sources`].
    /// By default [`kpi::RefuseAll`]: a source reads with the server's own access, so
    /// without the operator's say an editor could point one at Milepost's own database
    /// or at the network the server runs in.
    sources: Arc<dyn kpi::SourceReader>,
    /// Posts webhooks, with the operator's rules about where (`MILEPOST_WEBHOOK_URLS`);
    /// see [`App::with_webhook_sender`]. By default [`webhook::RefuseAllWebhooks`].
    webhook_sender: Arc<dyn webhook::WebhookSender>,
    /// The cycles this server keeps evaluated ([`read_model`]), shared by its clones.
    read_model: Arc<read_model::ReadModel>,
    /// How the KPI source runs of this process went, for `/metrics`.
    source_runs: Arc<kpi::SourceRunCounts>,
    /// Sends email, when the operator configured SMTP ([`App::with_mailer`]).
    mailer: Option<Arc<dyn mail::Mailer>>,
    /// The installation's public base URL (`https://okr.example.com`), for links in
    /// emails and calendar feeds ([`App::with_public_url`]).
    public_url: Option<String>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("store", &self.store).finish_non_exhaustive()
    }
}

impl App {
    /// An app on `store` with the system clock.
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place that reads the system's time: everything else asks the app's clock"
    )]
    pub fn new(store: Database) -> App {
        App::with_clock(store, Arc::new(Timestamp::now))
    }

    /// An app on `store` reading the time from `clock`.
    pub fn with_clock(store: Database, clock: Clock) -> App {
        App {
            store,
            clock,
            sources: Arc::new(kpi::RefuseAll),
            webhook_sender: Arc::new(webhook::RefuseAllWebhooks),
            read_model: Arc::default(),
            source_runs: Arc::default(),
            mailer: None,
            public_url: None,
        }
    }

    /// The same app sending email with `mailer`.
    #[must_use]
    pub fn with_mailer(self, mailer: Arc<dyn mail::Mailer>) -> App {
        App { mailer: Some(mailer), ..self }
    }

    /// The same app building links with the installation's public base URL (`url`,
    /// such as `https://okr.example.com`; a trailing `/` is dropped).
    #[must_use]
    pub fn with_public_url(self, url: &str) -> App {
        App { public_url: Some(url.trim_end_matches('/').to_owned()), ..self }
    }

    /// The installation's public base URL, without a trailing `/`, if it is set.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    pub(crate) fn mailer(&self) -> Option<&dyn mail::Mailer> {
        self.mailer.as_deref()
    }

    /// Reminders of the weekly check-in, and each person's choice about their emails.
    pub fn reminders(&self) -> reminder::Reminders<'_> {
        reminder::Reminders { app: self }
    }

    /// Each person's private calendar feed.
    pub fn calendar_feeds(&self) -> calendar::CalendarFeeds<'_> {
        calendar::CalendarFeeds { app: self }
    }

    /// Comments, mentions and replies.
    pub fn comments(&self) -> comment::Comments<'_> {
        comment::Comments { app: self }
    }

    /// A person's inbox.
    pub fn inbox(&self) -> inbox::Inboxes<'_> {
        inbox::Inboxes { app: self }
    }

    /// The time now, by the app's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// Whether the database answers, for readiness probes.
    pub async fn ready(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }

    /// Brings the database schema up to date.
    pub async fn migrate(&self) -> Result<(), AppError> {
        Ok(self.store.migrate().await?)
    }

    /// The database connection pools' numbers (the primary's, and the read replica's
    /// when there is one), for `/metrics`.
    pub fn pool_stats(&self) -> Vec<milepost_store::PoolStats> {
        self.store.pool_stats()
    }

    /// How many KPI source runs of this process recorded a value and how many a
    /// failure, by the scheduler or on request, for `/metrics`.
    pub fn source_runs(&self) -> kpi::SourceRuns {
        self.source_runs.get()
    }

    /// Closes the database connections.
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// The same app (its store and the sources it allows) reading the time from
    /// `clock`: the demo loader replays a story's history on a clock that moves with it.
    pub fn with_clock_from(&self, clock: Clock) -> App {
        App { clock, ..self.clone() }
    }

    // The use cases, by area: each area is its own small type over the app.

    /// Objectives: create, read, change, archive and list them, with their computed numbers.
    pub fn objectives(&self) -> objective::Objectives<'_> {
        objective::Objectives { app: self }
    }

    /// Initiatives: the projects and tasks under objectives and key results.
    pub fn initiatives(&self) -> initiative::Initiatives<'_> {
        initiative::Initiatives { app: self }
    }

    /// Key results: create, read, change, archive and list them.
    pub fn key_results(&self) -> key_result::KeyResults<'_> {
        key_result::KeyResults { app: self }
    }

    /// Check-ins on key results: one, a batch, a CSV history; and who moved a goal.
    pub fn check_ins(&self) -> check_in::CheckIns<'_> {
        check_in::CheckIns { app: self }
    }

    /// Cycles and their review: create, start, close, reopen; calibration and forecast evaluation.
    pub fn cycles(&self) -> cycle::Cycles<'_> {
        cycle::Cycles { app: self }
    }

    /// Carry-over: unfinished objectives of a closed cycle into a later one.
    pub fn carries(&self) -> carry::Carries<'_> {
        carry::Carries { app: self }
    }

    /// KPIs: definitions, measurements, pull sources, the board and recovery objectives.
    pub fn kpis(&self) -> kpi::Kpis<'_> {
        kpi::Kpis { app: self }
    }

    /// People of a workspace.
    pub fn people(&self) -> person::People<'_> {
        person::People { app: self }
    }

    /// Teams, in the workspace's tree.
    pub fn teams(&self) -> team::Teams<'_> {
        team::Teams { app: self }
    }

    /// Access: passwords and sessions, API tokens, invitations and the audit log.
    pub fn access(&self) -> access::Access<'_> {
        access::Access { app: self }
    }

    /// OKR files: apply a set of files, export the workspace as files.
    pub fn okr_files(&self) -> okr_file::OkrFiles<'_> {
        okr_file::OkrFiles { app: self }
    }

    /// Search over objectives, key results, KPIs, people and teams, as the caller may see them.
    pub fn search(&self) -> search::Searches<'_> {
        search::Searches { app: self }
    }

    /// The installation's first run: set-up codes and the set-up itself.
    pub fn first_run(&self) -> first_run::FirstRun<'_> {
        first_run::FirstRun { app: self }
    }

    /// Webhooks: a workspace's receivers of events, and the delivery of their outbox.
    pub fn webhooks(&self) -> webhook::Webhooks<'_> {
        webhook::Webhooks { app: self }
    }

    /// Workspaces, and the caller acting in one.
    pub fn workspaces(&self) -> workspace::Workspaces<'_> {
        workspace::Workspaces { app: self }
    }

    pub(crate) fn store(&self) -> &Database {
        &self.store
    }

    /// Reads every workspace's active cycles into this server's read model, so that the
    /// first pages after a start cost what the next ones do. Returns how many cycles it
    /// read. The server runs it in the background as it starts.
    pub async fn warm_read_model(&self) -> Result<usize, AppError> {
        let workspaces = self.store.read().await?.list_workspaces().await?;
        let mut warmed = 0;
        for workspace in workspaces.iter().filter(|w| !w.archived) {
            let workspace = WorkspaceId(workspace.id);
            let mut tx = self.store.read().await?;
            let generation = tx.generation(workspace).await?;
            self.read_model.workspace(&mut tx, workspace, generation).await?;
            let active = milepost_store::CycleFilter {
                status: Some(milepost_core::CycleStatus::Active),
                include_archived: false,
            };
            for cycle in tx.list_cycles(workspace, &active, milepost_store::Page::ALL).await? {
                self.read_model.cycle(&mut tx, workspace, cycle.id, generation, self.now()).await?;
                warmed += 1;
            }
        }
        Ok(warmed)
    }

    pub(crate) fn read_model(&self) -> &read_model::ReadModel {
        &self.read_model
    }

    /// Begins a write transaction in `workspace` that may change anything the read
    /// model holds of it: at commit, every server's read model of the workspace is told
    /// to read it again ([`milepost_store::Change::Everything`]). Narrower writes begin
    /// with [`App::write_key_results`]; writes of nothing the model holds with
    /// [`App::write_outside_read_model`]. Use cases begin their writes only here.
    #[expect(clippy::disallowed_methods, reason = "the one place that begins a write that changes the read model")]
    pub(crate) async fn write(&self, workspace: WorkspaceId) -> Result<Tx, AppError> {
        let mut tx = self.store.write().await?;
        tx.changes(workspace, milepost_store::Change::Everything);
        Ok(tx)
    }

    /// Begins a write transaction that changes, of what the read model holds, only the
    /// values and check-ins of these key results (a check-in, a measurement that feeds
    /// them): every server's read model refreshes just those. More may be added with
    /// `tx.changes` before the commit.
    #[expect(clippy::disallowed_methods, reason = "a write that changes the read model, narrowly")]
    pub(crate) async fn write_key_results(
        &self,
        workspace: WorkspaceId,
        key_results: impl IntoIterator<Item = i64>,
    ) -> Result<Tx, AppError> {
        let mut tx = self.store.write().await?;
        tx.changes(workspace, milepost_store::Change::KeyResults(key_results.into_iter().collect()));
        Ok(tx)
    }

    /// Begins a write transaction of things the read model does not hold: sessions,
    /// passwords, API tokens, invitations, a new workspace. It bumps no generation.
    #[expect(clippy::disallowed_methods, reason = "a write of nothing the read model holds")]
    pub(crate) async fn write_outside_read_model(&self) -> Result<Tx, AppError> {
        Ok(self.store.write().await?)
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.now().as_millisecond()
    }
}
