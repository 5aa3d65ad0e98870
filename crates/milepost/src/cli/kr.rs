//! `milepost kr parse`: read key result sentences the way `milepost lint` and
//! `milepost apply` will, and print what was understood, as JSON.

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use std::io::{BufRead, Write};

/// Arguments of `milepost kr`.
#[derive(Debug, Args)]
pub struct KrArgs {
    #[command(subcommand)]
    command: KrCommand,
}

#[derive(Debug, Subcommand)]
enum KrCommand {
    /// Parse a key result sentence ("Increase NPS from 32 to 50") into its kind,
    /// metric, start, target, range, relative change, delta, comparator and unit.
    Parse {
        /// The sentence; leave it out with `--output jsonl` to read one a line from
        /// standard input.
        sentence: Option<String>,
        /// `json`: one object for the sentence given; `jsonl`: one object a line for
        /// each line of standard input, in order.
        #[arg(long, value_enum, default_value_t = ParseOutput::Json)]
        output: ParseOutput,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ParseOutput {
    Json,
    Jsonl,
}

pub fn run(args: KrArgs) -> anyhow::Result<()> {
    match args.command {
        KrCommand::Parse { sentence, output } => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            match (sentence, output) {
                (Some(sentence), _) => {
                    let parsed = milepost_okrfile::parse_key_result(&sentence);
                    writeln!(out, "{}", serde_json::to_string(&parsed)?)?;
                }
                (None, ParseOutput::Jsonl) => {
                    for (number, line) in std::io::stdin().lock().lines().enumerate() {
                        let line =
                            line.with_context(|| format!("could not read line {} of standard input", number + 1))?;
                        let parsed = milepost_okrfile::parse_key_result(&line);
                        writeln!(out, "{}", serde_json::to_string(&parsed)?)?;
                    }
                }
                (None, ParseOutput::Json) => anyhow::bail!(
                    "give a sentence, as in: milepost kr parse \"Increase NPS from 32 to 50\"; \
                     or read one a line from standard input with --output jsonl"
                ),
            }
            out.flush()?;
            Ok(())
        }
    }
}
