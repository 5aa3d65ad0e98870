//! `milepost seed --synthetic`: a realistic organisation of any size, the same for the
//! same seed on the same day, written through the store's bulk load (`milepost-synth`
//! plans it, `milepost-sql` writes it in large multi-row statements), with a progress
//! bar and a summary. Two people can log in: an admin and a member, with the password
//! given or one made up and printed.

use super::DataArgs;
use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use milepost_synth::{Counts, Progress, SeedPlan};
use rand::RngExt;
use std::time::Instant;

/// The fewest and the most people a seeded workspace may have.
const PEOPLE: std::ops::RangeInclusive<usize> = 10..=1_000_000;

/// Arguments of `milepost seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Make a synthetic organisation: teams, people, the previous and the current quarter's OKRs
    /// with check-ins, initiatives, KPIs with three years of daily measurements.
    #[arg(long, required = true)]
    synthetic: bool,
    /// People in each workspace (10 to 1,000,000); everything else scales with it. 10,000 people
    /// make about 1,500 teams, 12,000 objectives, 45,000 key results, 600,000 check-ins, 1,000 KPIs
    /// and 1,000,000 measurements.
    #[arg(long, value_name = "N")]
    people: usize,
    /// The seed: the same seed and size make the same organisation (dated from today).
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// How many workspaces of N people each, side by side (slugs SLUG-1, SLUG-2, …).
    #[arg(long, value_name = "W", default_value_t = 1)]
    workspaces: usize,
    /// The workspace's slug. A workspace with this slug that holds data is refused.
    #[arg(long, default_value = "synth")]
    slug: String,
    /// The password of the two logins, admin@SLUG.example and member@SLUG.example (made up and
    /// printed when left out).
    #[arg(long)]
    password: Option<String>,
    /// Rows per batch written (one multi-row statement or more each).
    #[arg(long, value_name = "ROWS", default_value_t = 10_000)]
    batch_rows: usize,
    #[command(flatten)]
    data: DataArgs,
}

/// A password of 20 letters and digits, about 119 bits.
fn made_up_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}

/// Argon2id with the defaults the app hashes and checks passwords with.
async fn hash(password: String) -> anyhow::Result<String> {
    use argon2::password_hash::PasswordHasher;
    tokio::task::spawn_blocking(move || {
        argon2::Argon2::default().hash_password(password.as_bytes()).map(|hash| hash.to_string())
    })
    .await
    .context("the password could not be hashed")?
    .map_err(|error| anyhow::anyhow!("the password could not be hashed: {error}"))
}

/// The progress bar: its length grows as each workspace is planned.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn planned(&mut self, slug: &str, counts: &Counts) {
        self.0.inc_length(counts.total());
        self.0.set_message(format!("Seeding {slug}"));
    }

    fn wrote(&mut self, table: &'static str, rows: u64) {
        self.0.inc(rows);
        self.0.set_prefix(table);
    }
}

fn check(args: &SeedArgs) -> anyhow::Result<()> {
    if !PEOPLE.contains(&args.people) {
        anyhow::bail!("--people {}: give from {} to {} people", args.people, PEOPLE.start(), PEOPLE.end());
    }
    if !(1..=1_000).contains(&args.workspaces) {
        anyhow::bail!("--workspaces {}: give from 1 to 1,000 workspaces", args.workspaces);
    }
    let longest = if args.workspaces > 1 { format!("{}-{}", args.slug, args.workspaces) } else { args.slug.clone() };
    milepost_core::Slug::parse(&longest).map_err(|error| anyhow::anyhow!("--slug {:?}: {error}", longest))?;
    if let Some(password) = &args.password {
        let length = password.chars().count();
        let (min, max) = (milepost_app::password::MIN_PASSWORD, milepost_app::password::MAX_PASSWORD);
        if !(min..=max).contains(&length) {
            anyhow::bail!("--password: must be {min} to {max} characters (got {length})");
        }
    }
    if args.batch_rows == 0 {
        anyhow::bail!("--batch-rows: give at least 1");
    }
    Ok(())
}

pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    check(&args)?;
    let config = args.data.load(None)?;
    let url = config.database_url();
    let store = super::connect(&config).await?;
    store.migrate().await.context("could not bring the database schema up to date")?;
    // The app's clock says what today is: the active quarter is the one around it.
    let now = milepost_app::App::new(store.clone().into_database()).now();
    let (password, made_up) = match args.password.clone() {
        Some(password) => (password, false),
        None => (made_up_password(), true),
    };
    let plan = SeedPlan {
        people: args.people,
        seed: args.seed,
        workspaces: args.workspaces,
        slug: args.slug.clone(),
        now,
        password_hash: Some(hash(password.clone()).await?),
        batch_rows: args.batch_rows,
    };
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta} left) {prefix}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let mut progress = Bar(bar.clone());
    let seeded = milepost_synth::load(&store, &plan, &mut progress).await;
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    // Statistics for the planner: without them PostgreSQL reads a key result's
    // check-ins by scanning the workspace's until autovacuum gets round to the tables.
    let analysed = match &seeded {
        Ok(_) => store.refresh_statistics().await.context("could not gather the planner's statistics"),
        Err(_) => Ok(()),
    };
    store.close().await;
    let seeded = seeded?;
    analysed?;

    let mut total = Counts::default();
    for workspace in &seeded {
        total.add(&workspace.counts);
    }
    let rows = total.total();
    let per_second = rows as f64 / elapsed.as_secs_f64().max(0.001);
    let slugs: Vec<&str> = seeded.iter().map(|s| s.slug.as_str()).collect();
    println!(
        "Seeded {} workspace{} ({}) with {} people each, seed {}, into {}.",
        seeded.len(),
        if seeded.len() == 1 { "" } else { "s" },
        slugs.join(", "),
        args.people,
        args.seed,
        super::redact(&url)
    );
    let lines = [
        ("teams", total.teams),
        ("people", total.people),
        ("cycles", total.cycles),
        ("objectives", total.objectives),
        ("key results", total.key_results),
        ("check-ins", total.check_ins),
        ("initiatives", total.initiatives),
        ("KPIs", total.kpis),
        ("measurements", total.measurements),
        ("all rows", rows),
    ];
    for (what, count) in lines {
        println!("  {what:<13} {count:>10}");
    }
    println!("  in {:.1} s, {:.0} rows/s", elapsed.as_secs_f64(), per_second);
    let shown = if made_up { password.as_str() } else { "(the --password given)" };
    for workspace in &seeded {
        println!("Workspace `{}`:", workspace.slug);
        println!("  Log in:   {} / {shown}  (admin)", workspace.admin_email);
        if let Some(member) = &workspace.member_email {
            println!("  Log in:   {member} / {shown}  (member)");
        }
    }
    Ok(())
}
