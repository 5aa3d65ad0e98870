//! Writing synthetic organisations through a bulk load, one transaction per workspace:
//! a workspace is written whole or not at all. A workspace slug that exists and holds
//! data is refused before anything is written.

use crate::{Counts, Organisation, Params};
use jiff::Timestamp;
use milepost_core::WorkspaceId;
use milepost_store::{BulkStorage, StoreError};

/// What to seed: `workspaces` organisations of `people` people each.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    /// People in each workspace.
    pub people: usize,
    /// The seed of the first workspace; the others' follow from it.
    pub seed: u64,
    /// How many workspaces, side by side.
    pub workspaces: usize,
    /// The workspace's slug; with several, `<slug>-1`, `<slug>-2` ….
    pub slug: String,
    /// The time now.
    pub now: Timestamp,
    /// The Argon2id hash of the two logins' password (see [`Params::password_hash`]).
    pub password_hash: Option<String>,
    /// At most this many rows in one batch.
    pub batch_rows: usize,
}

impl SeedPlan {
    /// The slugs of the workspaces, in the order they are written.
    pub fn slugs(&self) -> Vec<String> {
        if self.workspaces <= 1 {
            vec![self.slug.clone()]
        } else {
            (1..=self.workspaces).map(|n| format!("{}-{n}", self.slug)).collect()
        }
    }

    fn params(&self, index: usize, slug: &str) -> Params {
        Params {
            people: self.people,
            seed: self.seed.wrapping_add((index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            now: self.now,
            slug: slug.to_owned(),
            password_hash: self.password_hash.clone(),
        }
    }

    fn name(&self, index: usize) -> String {
        let number = if self.workspaces > 1 { format!(" #{}", index + 1) } else { String::new() };
        format!("Synthetic organisation{number} ({} people, seed {})", self.people, self.seed)
    }
}

/// Told how a load goes, for a progress bar.
pub trait Progress {
    /// A workspace's organisation is planned: this many rows will be written.
    fn planned(&mut self, slug: &str, counts: &Counts);
    /// `rows` rows of `table` were written.
    fn wrote(&mut self, table: &'static str, rows: u64);
}

/// A workspace seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// Its slug.
    pub slug: String,
    /// Its id.
    pub workspace_id: i64,
    /// The rows written.
    pub counts: Counts,
    /// The admin who can log in.
    pub admin_email: String,
    /// The member who can log in, if the organisation has one with objectives.
    pub member_email: Option<String>,
}

/// Why a load failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The workspace exists and holds data.
    #[error(
        "the workspace `{slug}` already exists and holds data ({rows} people, teams, cycles, KPIs and objectives): \
         seeding never mixes into real data; pick another slug with --slug, or another database"
    )]
    NotEmpty {
        /// Its slug.
        slug: String,
        /// How many of its rows were found.
        rows: i64,
    },
    /// The database failed while seeding a workspace; its transaction rolled back.
    #[error("could not seed the workspace `{slug}`, and nothing of it was written: {source}")]
    Store {
        /// The workspace being seeded.
        slug: String,
        /// What failed.
        source: StoreError,
    },
}

/// Seeds every workspace of `plan` into `storage`, telling `progress` as it goes.
pub async fn load(
    storage: &dyn BulkStorage,
    plan: &SeedPlan,
    progress: &mut dyn Progress,
) -> Result<Vec<Seeded>, LoadError> {
    let slugs = plan.slugs();
    let first = slugs.first().cloned().unwrap_or_default();
    let failed = |slug: &str| {
        let slug = slug.to_owned();
        move |source| LoadError::Store { slug, source }
    };
    {
        // Refuse before the first row is written; dropped, this transaction rolls back.
        let mut tx = storage.bulk().await.map_err(failed(&first))?;
        for slug in &slugs {
            if let Some(row) = tx.workspace_by_slug(slug).await.map_err(failed(slug))? {
                let rows = tx.workspace_rows(WorkspaceId(row.id)).await.map_err(failed(slug))?;
                if rows > 0 {
                    return Err(LoadError::NotEmpty { slug: slug.clone(), rows });
                }
            }
        }
    }
    let mut seeded = Vec::with_capacity(slugs.len());
    for (index, slug) in slugs.iter().enumerate() {
        let mut tx = storage.bulk().await.map_err(failed(slug))?;
        let ids = tx.next_ids().await.map_err(failed(slug))?;
        let (workspace_id, name) = match tx.workspace_by_slug(slug).await.map_err(failed(slug))? {
            Some(row) => {
                let rows = tx.workspace_rows(WorkspaceId(row.id)).await.map_err(failed(slug))?;
                if rows > 0 {
                    return Err(LoadError::NotEmpty { slug: slug.clone(), rows });
                }
                (row.id, None)
            }
            None => (ids.workspace, Some(plan.name(index))),
        };
        let organisation = Organisation::plan(&plan.params(index, slug), workspace_id, name.as_deref(), &ids);
        let counts = organisation.counts();
        progress.planned(slug, &counts);
        for batch in organisation.batches(plan.batch_rows) {
            let written = tx.insert_batch(&batch).await.map_err(failed(slug))?;
            progress.wrote(batch.table(), written);
        }
        tx.commit().await.map_err(failed(slug))?;
        seeded.push(Seeded {
            slug: slug.clone(),
            workspace_id,
            counts,
            admin_email: organisation.admin_email().to_owned(),
            member_email: organisation.member_email().map(str::to_owned),
        });
    }
    Ok(seeded)
}
