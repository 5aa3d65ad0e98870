//! Milepost's own database, which no KPI source may read whatever the operator allows.

use milepost_app::kpi::source_reader::BoxFuture;
use milepost_sql::{Store, StoreLocation};
use std::sync::Arc;

/// Reads the identity of Milepost's own PostgreSQL server now (see
/// [`OwnDatabase::postgres_identity`]).
type IdentityReader = Arc<dyn Fn() -> BoxFuture<'static, Result<Option<String>, String>> + Send + Sync>;

/// Milepost's own database, which no KPI source may read whatever the operator
/// allows: where the store keeps its data, and how to read the identity of its
/// PostgreSQL server (which a reader compares with the server a source connects to).
#[derive(Clone)]
pub struct OwnDatabase {
    location: StoreLocation,
    identity: IdentityReader,
}

impl OwnDatabase {
    /// Milepost's database at `location`; `identity` reads, each time it is called,
    /// what tells its PostgreSQL server and database apart from every other
    /// ([`milepost_sql::POSTGRES_IDENTITY`]), `None` on SQLite.
    pub fn new(
        location: StoreLocation,
        identity: impl Fn() -> BoxFuture<'static, Result<Option<String>, String>> + Send + Sync + 'static,
    ) -> OwnDatabase {
        OwnDatabase { location, identity: Arc::new(identity) }
    }

    /// The database of `store`.
    pub fn of(store: &Store) -> OwnDatabase {
        let store = store.clone();
        OwnDatabase::new(store.location(), move || {
            let store = store.clone();
            Box::pin(async move { store.postgres_identity().await.map_err(|error| error.to_string()) })
        })
    }

    /// Where the store keeps its data: the SQLite file (its `-wal`, `-shm` and
    /// `-journal` files beside it) or the PostgreSQL connection options.
    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// On PostgreSQL, the identity of Milepost's own server and database, read now:
    /// `"<start instant>/<database name>"`. `None` on SQLite.
    pub async fn postgres_identity(&self) -> Result<Option<String>, String> {
        (self.identity)().await
    }
}

impl std::fmt::Debug for OwnDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnDatabase").field("location", &self.location).finish_non_exhaustive()
    }
}
