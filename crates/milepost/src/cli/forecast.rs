//! `milepost forecast eval`: closed cycles replayed week by week, using only what was
//! known each week, to score the forecast, pace alone and the owners' confidence
//! against what happened (Brier score, Murphy decomposition, reliability table). See
//! docs/forecasting.md.

use super::{DataArgs, Output};
use clap::{Args, Subcommand};
use milepost_app::forecast_eval::ForecastEvaluation;
use milepost_core::CycleId;
use milepost_core::forecast_eval::{BINS, BrierDecomposition};

/// Arguments of `milepost forecast`.
#[derive(Debug, Args)]
pub struct ForecastArgs {
    #[command(subcommand)]
    command: ForecastCommand,
}

#[derive(Debug, Subcommand)]
enum ForecastCommand {
    /// Replay closed cycles week by week and score the forecast, pace alone and the
    /// owners' confidence against what happened.
    Eval {
        /// Only this closed cycle (its id); every closed cycle by default.
        #[arg(long, value_name = "ID")]
        cycle: Option<i64>,
        /// The workspace (optional when the database has one).
        #[arg(long, value_name = "SLUG")]
        workspace: Option<String>,
        /// `table` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Runs `milepost forecast`.
pub async fn run(args: ForecastArgs) -> anyhow::Result<()> {
    let ForecastCommand::Eval { cycle, workspace, output, data } = args.command;
    let config = data.load(None)?;
    let app = super::open(&config).await?;
    let caller = super::workspace_caller(&app, workspace.as_deref()).await?;
    let evaluation = app.cycles().evaluate_forecasts(&caller, cycle.map(CycleId)).await.map_err(super::explain)?;
    match output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&evaluation)?),
        Output::Table => print(&evaluation),
    }
    Ok(())
}

fn predictors(e: &ForecastEvaluation) -> [(&'static str, Option<&BrierDecomposition>); 3] {
    [("forecast", e.forecast.as_ref()), ("pace", e.pace.as_ref()), ("confidence", e.confidence.as_ref())]
}

fn print(e: &ForecastEvaluation) {
    let ids: Vec<String> = e.cycles.iter().map(i64::to_string).collect();
    println!(
        "closed cycles replayed: {} ({}); key results judged: {}",
        e.cycles.len(),
        if ids.is_empty() { "none".to_owned() } else { ids.join(", ") },
        e.key_results
    );
    if e.forecast.is_none() {
        println!("nothing to judge: no key result of a closed cycle had a check-in by the end of a week");
        return;
    }
    println!();
    let number = |x: f64| format!("{x:.3}");
    super::print_table(
        &["predictor", "judged", "brier", "reliability", "resolution", "uncertainty", "within-bin"],
        predictors(e).into_iter().map(|(name, d)| match d {
            Some(d) => vec![
                name.to_owned(),
                d.count.to_string(),
                number(d.brier),
                number(d.reliability),
                number(d.resolution),
                number(d.uncertainty),
                number(d.within_bin),
            ],
            None => vec![name.to_owned(), "0".to_owned()],
        }),
    );
    if let Some(coverage) = e.coverage {
        println!(
            "\nthe forecast's 80% intervals held the end value {:.0}% of the time ({} forecasts; the other {} judgements had none and used pace)",
            100.0 * coverage,
            e.forecasts,
            e.forecast.as_ref().map_or(0, |d| d.count) - e.forecasts
        );
    }
    println!("\nreliability: said → happened (how many), by bin");
    let cell = |d: Option<&BrierDecomposition>, k: usize| {
        d.and_then(|d| d.table.iter().find(|b| milepost_core::forecast_eval::bin_of((b.low + b.high) / 2.0) == k))
            .map_or(String::new(), |b| format!("{:.2} → {:.2} ({})", b.mean_forecast, b.observed, b.count))
    };
    let [(_, f), (_, p), (_, c)] = predictors(e);
    super::print_table(
        &["bin", "forecast", "pace", "confidence"],
        (0..BINS).map(|k| vec![format!("{:.1}", k as f64 / 10.0), cell(f, k), cell(p, k), cell(c, k)]),
    );
}
