//! `milepost search QUERY`: objectives, key results, KPIs, people and teams whose words
//! begin with every word of the query, best first by kind, from the local database (as
//! the workspace's operator, who sees everything) or, with `--server`, from a running
//! Milepost as the token may see them. The same use case as `GET /api/v1/search`.

use super::remote::RemoteArgs;
use super::{DataArgs, Output};
use clap::Args;
use milepost_app::search::{SearchParams, SearchResults};
use milepost_core::{Named, SearchKind};

/// Arguments of `milepost search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for: words (letters and digits); each must begin a word of what is
    /// found, so `reten` finds "retention".
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    query: Vec<String>,
    /// Only this kind: objective, key_result, kpi, person or team.
    #[arg(long, value_name = "KIND")]
    kind: Option<String>,
    /// At most this many of each kind, 1–50.
    #[arg(long, value_name = "N", default_value_t = 20)]
    limit: u32,
    /// Skip this many of the best of each kind (the next page).
    #[arg(long, value_name = "N", default_value_t = 0)]
    offset: u32,
    /// Find archived things too, marked and listed last.
    #[arg(long)]
    include_archived: bool,
    /// The output format.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    output: Output,
    /// The workspace (on the local database; optional when it has one).
    #[arg(long, value_name = "SLUG")]
    workspace: Option<String>,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    data: DataArgs,
}

/// Searches and prints what was found.
pub async fn run(args: SearchArgs) -> anyhow::Result<()> {
    let params = SearchParams {
        q: Some(args.query.join(" ")),
        kind: args.kind.clone(),
        limit: Some(args.limit),
        offset: Some(args.offset),
        include_archived: args.include_archived,
    };
    let results: SearchResults = match args.remote.remote()? {
        Some(remote) => {
            let mut query = vec![
                ("q", params.q.clone().unwrap_or_default()),
                ("limit", args.limit.to_string()),
                ("offset", args.offset.to_string()),
                ("include_archived", args.include_archived.to_string()),
            ];
            if let Some(kind) = &args.kind {
                query.push(("kind", kind.clone()));
            }
            remote.get("/api/v1/search", &query).await?
        }
        None => {
            let config = args.data.load(None)?;
            let app = super::open(&config).await?;
            let results = async {
                let caller = super::workspace_caller(&app, args.workspace.as_deref()).await?;
                app.search().search(&caller, &params).await.map_err(super::explain)
            }
            .await;
            app.close().await;
            results?
        }
    };
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&results)?),
        Output::Table => print(&results),
    }
    Ok(())
}

fn print(results: &SearchResults) {
    let rows = results.groups.iter().flat_map(|group| {
        group.hits.iter().map(|hit| {
            let title = if hit.archived { format!("{} (archived)", hit.title) } else { hit.title.clone() };
            vec![
                hit.kind.as_str().to_owned(),
                hit.id.to_string(),
                title,
                hit.context.clone().unwrap_or_default(),
                hit.url.clone(),
            ]
        })
    });
    let found: usize = results.groups.iter().map(|g| g.hits.len()).sum();
    if found == 0 {
        println!("nothing matches {:?}", results.query);
        return;
    }
    super::print_table(&["KIND", "ID", "TITLE", "IN", "PAGE"], rows);
    for group in results.groups.iter().filter(|g| g.more) {
        let kind: SearchKind = group.kind;
        eprintln!("more {} match: --kind {} --offset N", kind.as_str(), kind.as_str());
    }
}
