//! `milepost kpi source set|remove|run`: a KPI's pull source, on the local data
//! directory or on a server (`--server URL --token T`) through the JSON API.

use super::number;
use crate::cli::explain;
use crate::cli::remote::{Remote, RemoteArgs};
use anyhow::Context;
use clap::{ArgGroup, Subcommand};
use milepost_app::kpi::{KpiPatch, KpiSource};
use milepost_app::{App, Caller};

#[derive(Debug, Subcommand)]
pub(super) enum SourceCommand {
    /// Give a KPI a pull source: a SQL query, a PromQL query or a JSON document.
    #[command(group(ArgGroup::new("kind").required(true).args(["sql", "prometheus", "http"])))]
    Set {
        /// The KPI's slug or id.
        kpi: String,
        /// A database to query: `sqlite:///srv/metrics.db` or `postgres://reader@db/app` (with --query).
        #[arg(long, value_name = "URL")]
        sql: Option<String>,
        /// A Prometheus base URL: `http://prometheus:9090` (with --query).
        #[arg(long, value_name = "URL")]
        prometheus: Option<String>,
        /// A JSON document's URL (with --path).
        #[arg(long, value_name = "URL")]
        http: Option<String>,
        /// The SQL or PromQL query.
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
        /// Where the number is in the JSON document: `data.items.0.value`.
        #[arg(long, value_name = "PATH")]
        path: Option<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Remove a KPI's pull source; its measurements stay.
    Remove {
        /// The KPI's slug or id.
        kpi: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Run a KPI's source now: prints the value recorded, or the failure (and fails).
    Run {
        /// The KPI's slug or id.
        kpi: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

/// The source the flags of `kpi source set` describe.
fn source_from_flags(
    sql: Option<String>,
    prometheus: Option<String>,
    http: Option<String>,
    query: Option<String>,
    path: Option<String>,
) -> anyhow::Result<KpiSource> {
    let needs_query = |flag: &str, query: Option<String>, path: &Option<String>| -> anyhow::Result<String> {
        anyhow::ensure!(path.is_none(), "--path is for --http sources; {flag} takes --query");
        query.with_context(|| format!("{flag} needs --query: the query whose answer is the KPI's value"))
    };
    Ok(match (sql, prometheus, http) {
        (Some(url), _, _) => KpiSource::Sql { query: needs_query("--sql", query, &path)?, url },
        (_, Some(url), _) => KpiSource::Prometheus { query: needs_query("--prometheus", query, &path)?, url },
        (_, _, Some(url)) => {
            anyhow::ensure!(query.is_none(), "--query is for --sql and --prometheus sources; --http takes --path");
            let path = path.context("--http needs --path: where the number is in the document, like data.value")?;
            KpiSource::HttpJson { url, path }
        }
        (None, None, None) => anyhow::bail!("say where the values come from: --sql, --prometheus or --http"),
    })
}

/// What `kpi source run` prints: the value recorded, or the failure as the error.
fn ran_message(slug: &str, last_error: Option<&str>, value: Option<f64>, at: Option<String>) -> anyhow::Result<String> {
    if let Some(error) = last_error {
        anyhow::bail!("the source of {slug} failed: {error}");
    }
    let at = at.map(|at| format!(" at {at}")).unwrap_or_default();
    Ok(format!("Ran the source of {slug}: recorded {}{at}.", number(value)))
}

/// Runs `kpi source ...` against a server through its JSON API.
pub(super) async fn remote_source(remote: &Remote, command: SourceCommand) -> anyhow::Result<()> {
    let (kpi, source) = match command {
        SourceCommand::Set { kpi, sql, prometheus, http, query, path, .. } => {
            (kpi, Some(Some(source_from_flags(sql, prometheus, http, query, path)?)))
        }
        SourceCommand::Remove { kpi, .. } => (kpi, Some(None)),
        SourceCommand::Run { kpi, .. } => (kpi, None),
    };
    let id = remote_kpi_id(remote, &kpi).await?;
    let path = format!("/api/v1/kpis/{id}");
    match source {
        Some(source) => {
            let current: serde_json::Value = remote.get(&path, &[]).await?;
            let body = serde_json::json!({"version": current["version"], "source": source});
            let changed: serde_json::Value = remote.patch(&path, &body).await?;
            println!("{}", source_changed(changed["slug"].as_str().unwrap_or(&kpi), source.as_ref()));
        }
        None => {
            let ran: serde_json::Value = remote.post(&format!("{path}/source/run"), &serde_json::json!({})).await?;
            let slug = ran["slug"].as_str().unwrap_or(&kpi);
            let at = ran["state"]["last_measured_at"].as_str().map(str::to_owned);
            println!("{}", ran_message(slug, ran["last_error"].as_str(), ran["state"]["last_value"].as_f64(), at)?);
        }
    }
    Ok(())
}

/// The id of the KPI `key` (an id, or a slug looked up in the server's list).
async fn remote_kpi_id(remote: &Remote, key: &str) -> anyhow::Result<i64> {
    if let Ok(id) = key.parse::<i64>() {
        return Ok(id);
    }
    let mut after: Option<String> = None;
    loop {
        let mut params = vec![("limit", "500".to_owned()), ("include_archived", "true".to_owned())];
        if let Some(after) = &after {
            params.push(("after", after.clone()));
        }
        let page: serde_json::Value = remote.get("/api/v1/kpis", &params).await?;
        let items = page["items"].as_array().map(Vec::as_slice).unwrap_or_default();
        if let Some(id) = items.iter().find(|k| k["slug"] == key).and_then(|k| k["id"].as_i64()) {
            return Ok(id);
        }
        match page["next_cursor"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => anyhow::bail!("there is no KPI {key} on the server"),
        }
    }
}

fn source_changed(slug: &str, source: Option<&KpiSource>) -> String {
    match source {
        Some(source) => format!(
            "Set the {} source of {slug}; it runs at once and then on the KPI's cadence.",
            source.measurement_source().as_str()
        ),
        None => format!("Removed the source of {slug}; its measurements stay."),
    }
}

/// Runs `kpi source ...` on the local database.
pub(super) async fn local_source(app: &App, caller: &Caller, command: SourceCommand) -> anyhow::Result<()> {
    let (kpi, source) = match command {
        SourceCommand::Set { kpi, sql, prometheus, http, query, path, .. } => {
            (kpi, Some(Some(source_from_flags(sql, prometheus, http, query, path)?)))
        }
        SourceCommand::Remove { kpi, .. } => (kpi, Some(None)),
        SourceCommand::Run { kpi, .. } => (kpi, None),
    };
    let found = app.kpis().find(caller, &kpi).await.map_err(explain)?;
    match source {
        Some(source) => {
            let change: KpiPatch =
                serde_json::from_value(serde_json::json!({"version": found.version, "source": source}))
                    .context("could not describe the change")?;
            let changed = app.kpis().update(caller, found.id, change).await.map_err(explain)?;
            println!("{}", source_changed(&changed.slug, source.as_ref()));
        }
        None => {
            let ran = app.kpis().run_source(caller, found.id).await.map_err(explain)?;
            let at = ran.state.last_measured_at.map(|at| at.to_string());
            println!("{}", ran_message(&ran.slug, ran.last_error.as_deref(), ran.state.last_value, at)?);
        }
    }
    Ok(())
}
