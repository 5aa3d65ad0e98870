//! `milepost serve`: the web app and the JSON API.

use super::DataArgs;
use crate::config::{Config, LogFormat};
use anyhow::Context;
use clap::Args;
use milepost_app::access::NewApiToken;
use milepost_app::person::Role;
use milepost_core::Named;
use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tracing_subscriber::EnvFilter;

/// Arguments of `milepost serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to serve on [env: MILEPOST_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Load the demo workspace (slug `demo`) if it is not there yet
    #[arg(long)]
    demo: bool,
    /// A PostgreSQL streaming replica that dashboards, boards and reports read from [env: MILEPOST_DATABASE_READ_URL]
    #[arg(long, value_name = "URL")]
    database_read_url: Option<String>,
    /// Logs as `text` for people or `json`, one object a line [env: MILEPOST_LOG_FORMAT] [default: text]
    #[arg(long, value_name = "FORMAT", hide_possible_values = true)]
    log_format: Option<LogFormat>,
    #[command(flatten)]
    data: DataArgs,
}

/// Prints a line for the person who started the server. A closed standard output (the
/// server piped into `head`, a terminal gone away) must not stop a running server, so
/// failures to print are ignored.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn init_logs(config: &Config) {
    let filter = EnvFilter::try_from_env("MILEPOST_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

/// The operator's allow-lists of KPI sources, from the environment: the databases SQL
/// sources may read (`MILEPOST_SQL_SOURCES`) and the URLs HTTP sources may fetch
/// (`MILEPOST_HTTP_SOURCES`), each comma-separated: SQLite folders and files and
/// PostgreSQL servers, and URL prefixes. None by default; an entry that is neither is
/// refused at start.
pub(crate) fn source_allow_lists() -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let list = |name: &str| -> Vec<String> {
        std::env::var(name)
            .unwrap_or_default()
            .split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    };
    let http = list(milepost_sources::HTTP_SOURCES_ENV);
    for prefix in &http {
        milepost_sources::check_http_prefix(prefix)
            .map_err(|e| anyhow::anyhow!("{}: {e}", milepost_sources::HTTP_SOURCES_ENV))?;
    }
    let sql = list(milepost_sources::SQL_SOURCES_ENV);
    for entry in &sql {
        milepost_sources::check_sql_entry(entry)
            .map_err(|e| anyhow::anyhow!("{}: {e}", milepost_sources::SQL_SOURCES_ENV))?;
    }
    Ok((sql, http))
}

/// The operator's URL prefixes of internal addresses webhooks may post to
/// (`MILEPOST_WEBHOOK_URLS`, comma-separated), each checked as a URL prefix.
pub(crate) fn webhook_allow_list() -> anyhow::Result<Vec<String>> {
    let prefixes: Vec<String> = std::env::var(milepost_sources::WEBHOOK_URLS_ENV)
        .unwrap_or_default()
        .split(',')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    for prefix in &prefixes {
        milepost_sources::check_http_prefix(prefix)
            .map_err(|e| anyhow::anyhow!("{}: {e}", milepost_sources::WEBHOOK_URLS_ENV))?;
    }
    Ok(prefixes)
}

/// A clock that browser tests move: the file this names holds an RFC 3339 instant, and
/// while it does the server reads the time from it instead of the system, and looks
/// for due work (cycles to start, sources to run) every second. For tests only.
const TEST_CLOCK_ENV: &str = "MILEPOST_TEST_CLOCK_FILE";

/// The test clock [`TEST_CLOCK_ENV`] asks for, if it does: the instant in its file
/// (read at every look, so a test moves it by writing the file), the system's time
/// while the file is missing or holds no instant.
fn test_clock() -> Option<(std::path::PathBuf, milepost_app::Clock)> {
    let path = std::path::PathBuf::from(std::env::var_os(TEST_CLOCK_ENV)?);
    let file = path.clone();
    let clock: milepost_app::Clock = std::sync::Arc::new(move || {
        let set = std::fs::read_to_string(&file).ok().and_then(|text| text.trim().parse::<jiff::Timestamp>().ok());
        #[expect(clippy::disallowed_methods, reason = "the test clock falls back on the system's time")]
        set.unwrap_or_else(jiff::Timestamp::now)
    });
    Some((path, clock))
}

/// A word for a shell: as it is when it holds only safe characters, else in single quotes.
fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-:@=+,".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The flags that point another `milepost` command at the database this server uses:
/// `--database-url` when one is set (its password left out, or the environment
/// variable that holds it), else `--data-dir` with the data directory's absolute path.
fn data_flags(config: &Config) -> String {
    match &config.database_url {
        Some(url) => {
            let redacted = super::redact(url);
            if redacted == *url {
                format!("--database-url {}", shell_word(url))
            } else if std::env::var("MILEPOST_DATABASE_URL").is_ok_and(|from_env| from_env == *url) {
                "--database-url \"$MILEPOST_DATABASE_URL\"".to_owned()
            } else {
                format!("--database-url {}  (put the password back in place of ***)", shell_word(&redacted))
            }
        }
        None => {
            let dir = std::path::absolute(&config.data_dir).unwrap_or_else(|_| config.data_dir.clone());
            format!("--data-dir {}", shell_word(&dir.display().to_string()))
        }
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut config = args.data.load(args.listen)?;
    if let Some(url) = args.database_read_url {
        config.database_read_url = Some(url);
    }
    if let Some(format) = args.log_format {
        config.log_format = format;
    }
    init_logs(&config);
    let (mut sql_sources, mut http_sources) = source_allow_lists()?;
    if args.demo {
        let dir = std::path::absolute(&config.data_dir).unwrap_or_else(|_| config.data_dir.clone());
        sql_sources.push(format!("sqlite://{}", dir.join(milepost_demo::DEMO_METRICS_FILE).display()));
    }
    // Bound before the demo loads, so that its sources can point at this very server.
    let listener = tokio::net::TcpListener::bind(config.listen).await.with_context(|| {
        format!("could not listen on {}: is another server using it? Try --listen 127.0.0.1:8081", config.listen)
    })?;
    let address = listener.local_addr()?;
    let demo_ops = args.demo.then(|| milepost_server::demo_ops::base_url(address));
    if let Some(base) = &demo_ops {
        http_sources.push(base.clone());
    }
    let mut store = super::connect(&config).await?;
    if let Some(url) = &config.database_read_url {
        store = store
            .with_read_replica(url)
            .await
            .with_context(|| format!("could not use the read replica {}", super::redact(url)))?;
        tracing::info!(replica = %super::redact(url), "lag-tolerant reads go to the read replica");
    }
    let mut app = super::open_store(store, sql_sources, http_sources).await?;
    if let Some(url) = &config.public_url {
        app = app.with_public_url(url);
    }
    if let Some(smtp) = config.smtp()? {
        let mailer = milepost_mail::SmtpMailer::shared(&smtp).map_err(anyhow::Error::msg)?;
        app = app.with_mailer(mailer);
        say!("Reminder emails go out through {}:{} as {}.", smtp.host, smtp.port, smtp.sender);
    }
    let test_clock = test_clock();
    if let Some((file, clock)) = &test_clock {
        app = app.with_clock_from(clock.clone());
        say!("TESTING: the time is read from {} ({TEST_CLOCK_ENV}); never set it in production.", file.display());
    }
    let mut demo_token = None;
    let mut demo_logins = Vec::new();
    if args.demo {
        let today = app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let summary = milepost_demo::load_demo(&app, today).await.context("could not load the demo workspace")?;
        if summary.loaded {
            say!(
                "Loaded the demo workspace `{}`: {} teams, {} people, {} objectives, {} key results, {} check-ins, \
                 {} KPIs with {} measurements, {} initiatives.",
                summary.workspace,
                summary.teams,
                summary.people,
                summary.objectives,
                summary.key_results,
                summary.check_ins,
                summary.kpis,
                summary.measurements,
                summary.initiatives,
            );
        } else {
            // The database in use: the data directory's file, or the URL given (no password).
            let place = match &config.database_url {
                Some(url) => super::redact(url),
                None => config.data_dir.display().to_string(),
            };
            say!("The demo workspace `{}` is already in {place}; leaving it as it is.", summary.workspace);
        }
        // One demo KPI is fed by a SQL source on a small SQLite file in the data directory.
        if summary.loaded {
            match milepost_demo::attach_demo_sources(&app, &summary.workspace, &config.data_dir).await {
                Ok(_) => say!(
                    "  The KPI first-response-time reads {} in the data directory every day.",
                    milepost_demo::DEMO_METRICS_FILE
                ),
                Err(error) => say!("  The demo's SQL source was left out: {error}"),
            }
        }
        // Two more are fed over HTTP by this server's stand-in ops endpoint, wherever it
        // listens this time.
        if let Some(base) = &demo_ops {
            match milepost_demo::attach_demo_ops_sources(&app, &summary.workspace, &config.data_dir, base).await {
                Ok(_) => say!(
                    "  The KPIs {} (PromQL) and {} (JSON) pull from {base}, the demo's stand-in for your Prometheus.",
                    milepost_demo::DEMO_PROMETHEUS_KPI,
                    milepost_demo::DEMO_JSON_KPI
                ),
                Err(error) => say!("  The demo's HTTP sources were left out: {error}"),
            }
        }
        // A fresh admin token at every demo start, so a newcomer can call the API at once.
        let operator = app.workspaces().caller(&summary.workspace).await.context("the demo workspace is missing")?;
        let token = app
            .access()
            .create_token(
                &operator,
                NewApiToken {
                    name: Some("demo admin (printed at start)".to_owned()),
                    role: Role::Admin,
                    expires_in_days: Some(30),
                },
            )
            .await
            .context("could not make a demo token")?;
        demo_token = Some(token.token);
        demo_logins = summary.logins;
    }
    // While the installation has no workspace, a one-time code opens its set-up in the
    // browser; each start prints a new one.
    let setup_code =
        if args.demo { None } else { app.first_run().issue_code().await.context("could not make a set-up code")? };
    say!("Milepost is listening on http://{address} (ready in {} ms)", started.elapsed().as_millis());
    say!("  Web app:  http://{address}/");
    say!("  API:      http://{address}/api/v1  (OpenAPI: http://{address}/api/openapi.json)");
    let scrape = if config.metrics_token.as_deref().is_some_and(|t| !t.trim().is_empty()) {
        " (with MILEPOST_METRICS_TOKEN as a bearer token)"
    } else {
        ""
    };
    say!("  Metrics:  http://{address}/metrics{scrape}");
    if let Some(token) = &demo_token {
        say!("  Token:    {token}  (admin of `demo`, valid 30 days)");
        say!("  Try:      curl -H 'Authorization: Bearer {token}' http://{address}/api/v1/objectives");
    }
    for login in &demo_logins {
        say!("  Log in:   {} / {}  ({})", login.email, login.password, login.role.as_str());
    }
    if let Some(code) = &setup_code {
        let flags = data_flags(&config);
        say!("This installation has no workspace yet. Set it up in the browser:");
        say!("  Open:     http://{address}/setup");
        say!("  Code:     {code}  (one use, valid 24 hours; a restart prints a new one)");
        say!("Or on the command line, on this same database:");
        say!("  milepost workspace create \"Your Company\" {flags}");
        say!(
            "  milepost user create --workspace your-company --email you@example.com --name \"Your Name\" --admin {flags}"
        );
    }
    tracing::info!(%address, database = %super::redact(&config.database_url()), "serving");
    // The active cycles are read into the read model while the first requests come in.
    let warming = app.clone();
    tokio::spawn(async move {
        match warming.warm_read_model().await {
            Ok(cycles) => tracing::info!(cycles, "read model warm"),
            Err(error) => tracing::warn!(%error, "could not warm the read model; pages will read on demand"),
        }
    });
    // KPI pull sources run on their cadence while the server serves, and stop with it.
    let every = if test_clock.is_some() { Duration::from_secs(1) } else { milepost_server::scheduler::INTERVAL };
    let metrics = milepost_server::metrics::Metrics::default();
    let scheduler = milepost_server::scheduler::Scheduler::start_counting(app.clone(), every, metrics.clone());
    let demo_metrics_file = args.demo.then(|| {
        let dir = std::path::absolute(&config.data_dir).unwrap_or_else(|_| config.data_dir.clone());
        dir.join(milepost_demo::DEMO_METRICS_FILE)
    });
    let options = milepost_server::ServeOptions {
        metrics,
        metrics_access: milepost_server::metrics::MetricsAccess {
            token: config.metrics_token.clone().filter(|t| !t.trim().is_empty()),
        },
        demo_metrics_file,
    };
    let served = milepost_server::serve_with(listener, app.clone(), options, shutdown_signal()).await;
    scheduler.stop().await;
    served.context("the server stopped with an error")?;
    app.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hints_name_the_database_in_use() {
        let config = Config { data_dir: "/srv/mile post".into(), ..Config::default() };
        assert_eq!(data_flags(&config), "--data-dir '/srv/mile post'");
        let config = Config { database_url: Some("postgres://app@db/milepost".into()), ..Config::default() };
        assert_eq!(data_flags(&config), "--database-url postgres://app@db/milepost");
        let config = Config { database_url: Some("postgres://app:s3cret@db/milepost".into()), ..Config::default() };
        assert!(!data_flags(&config).contains("s3cret"), "{}", data_flags(&config));
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
