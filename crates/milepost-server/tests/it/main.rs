//! HTTP tests of the JSON API, through the front door: each test starts the real server
//! on a random port and speaks to it with a real HTTP client. Every test body is written
//! once and runs on SQLite and on PostgreSQL (when `MILEPOST_TEST_POSTGRES_URL` is set),
//! each run in its own fresh database or schema, with the clock fixed mid-cycle (a test
//! may move it). Workspaces and their first admin token are made in process, as the
//! operator makes them; every request then goes over HTTP with a bearer token or the
//! session cookie of a person logged in.

#![expect(clippy::unwrap_used, reason = "a test that cannot set up should fail loudly")]
#![expect(clippy::expect_used, reason = "a test helper that cannot go on should fail loudly, saying why")]

/// Writes an HTTP test once and runs it on both databases: `http_test!(name, |api| async move { … })`.
/// The body gets an [`harness::Api`] on a freshly started server; name its type
/// (`|api: Api|`) so that the test module's imports are in use.
macro_rules! http_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::harness::on_sqlite($body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::harness::on_postgres($body).await;
            }
        }
    };
}

mod as_of;
mod audit;
mod basics;
mod calendar;
mod calibration;
mod carry;
mod check_in_import;
mod closing;
mod comments;
mod concurrency;
mod corrupt_rows;
mod cycles;
mod error_budgets;
mod errors;
mod forecasts;
mod harness;
mod inbox;
mod isolation;
mod key_result_sentences;
mod kpi_feed;
mod kpi_files;
mod kpi_formulas;
mod kpi_loop;
mod kpi_sources;
mod kpis;
mod numbers_agree;
mod okr_files;
mod okr_files_lint;
mod okr_flow;
mod openapi;
mod outages;
mod pagination;
mod permissions;
mod read_model;
mod reminders;
mod report;
mod schema;
mod scoped_reads;
mod search;
mod sessions;
mod sql_source_escapes;
mod tokens;
mod ui;
mod ui_admin;
mod ui_check_in;
mod ui_comments;
mod ui_cycles;
mod ui_forecast;
mod ui_forms;
mod ui_kpi_forms;
mod ui_pages;
mod ui_scale;
mod versions;
mod visibility;
mod webhooks;
