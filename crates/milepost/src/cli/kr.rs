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
                    let parsed = milepost_okrfile::parse_key_result(&sentence)?;
                    writeln!(out, "{}", serde_json::to_string(&parsed)?)?;
                }
                (None, ParseOutput::Jsonl) => parse_lines(&mut std::io::stdin().lock(), &mut out)?,
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

/// Parses each line of `input` as a sentence and writes one JSON object a line, as it
/// goes: the output of a line is written before the next is read, so memory stays flat
/// however long the input. The first line that is not a sentence the parser reads (too
/// long, or not UTF-8) stops it with an error naming that line.
fn parse_lines(input: &mut impl BufRead, out: &mut impl Write) -> anyhow::Result<()> {
    let mut line = Line::default();
    let mut number = 0;
    while line.read(input).with_context(|| format!("could not read line {} of standard input", number + 1))? {
        number += 1;
        let parsed = line
            .text()
            .and_then(|text| Ok(milepost_okrfile::parse_key_result(text)?))
            .map_err(|e| anyhow::anyhow!("line {number}: {e:#}"))?;
        writeln!(out, "{}", serde_json::to_string(&parsed)?)?;
    }
    Ok(())
}

/// The longest line, in bytes, that may still hold a sentence the parser reads: a
/// character takes at most four bytes in UTF-8, so a longer line has more characters
/// than [`milepost_okrfile::MAX_SENTENCE_CHARS`].
const MAX_LINE_BYTES: usize = milepost_okrfile::MAX_SENTENCE_CHARS * 4;

/// One line of standard input, kept only as far as a sentence can reach: of a longer
/// line only its characters are counted, so a line of ten megabytes is never held.
#[derive(Debug, Default)]
struct Line {
    /// The bytes kept, without the line's end.
    kept: Vec<u8>,
    /// The characters read past what was kept.
    dropped_chars: usize,
}

impl Line {
    /// Reads the next line; `false` at the end of the input.
    fn read(&mut self, input: &mut impl BufRead) -> std::io::Result<bool> {
        self.kept.clear();
        self.dropped_chars = 0;
        let mut any = false;
        loop {
            let buffer = match input.fill_buf() {
                Ok(buffer) => buffer,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buffer.is_empty() {
                if self.kept.last() == Some(&b'\r') {
                    self.kept.pop();
                }
                return Ok(any);
            }
            any = true;
            let end = buffer.iter().position(|&b| b == b'\n');
            let chunk = &buffer[..end.unwrap_or(buffer.len())];
            let room = (MAX_LINE_BYTES + 1).saturating_sub(self.kept.len());
            let (keep, drop) = chunk.split_at(chunk.len().min(room));
            self.kept.extend_from_slice(keep);
            // A character starts at every byte that does not continue one.
            self.dropped_chars += drop.iter().filter(|&&b| b & 0xC0 != 0x80).count();
            let used = end.map_or(buffer.len(), |e| e + 1);
            input.consume(used);
            if end.is_some() {
                if self.dropped_chars == 0 && self.kept.last() == Some(&b'\r') {
                    self.kept.pop();
                }
                return Ok(true);
            }
        }
    }

    /// The line as text, or how long it is when it is longer than a sentence may be.
    fn text(&self) -> Result<&str, anyhow::Error> {
        if self.kept.len() <= MAX_LINE_BYTES && self.dropped_chars == 0 {
            return std::str::from_utf8(&self.kept).context("the line is not UTF-8 text");
        }
        let chars = self.kept.iter().filter(|&&b| b & 0xC0 != 0x80).count() + self.dropped_chars;
        Err(milepost_okrfile::SentenceTooLong { chars }.into())
    }
}
