//! Where a read transaction goes when the database has a read replica
//! (`MILEPOST_DATABASE_READ_URL`), and what a request wrote.
//!
//! The server decides per request: a lag-tolerant page (a dashboard, a board, a report)
//! runs inside [`scope`] with [`ReadRoute::Replica`], everything else (and all work
//! outside a request: the scheduler, the command line) reads from the primary. A reader
//! who wrote recently carries the primary's write position (its log sequence number,
//! LSN) from that write; the store then reads from the replica only once the replica has
//! replayed at least that far, and from the primary until then, so a person always reads
//! their own writes. The store notes the position after each commit that changed data
//! ([`note_written`]), and [`scope`] hands it back to the server, which gives it to the
//! client (a cookie).
//!
//! A task-local value rather than an argument of every use case: routing is a concern of
//! the server and the store, and the use cases in between stay as they are.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Where the reads of the current request may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadRoute {
    /// The primary: always up to date.
    Primary,
    /// The read replica, once it has replayed the primary's log up to `after` (a
    /// PostgreSQL LSN as a number, [`parse_lsn`]) when given; the primary until then.
    Replica {
        /// The write position the reader must see.
        after: Option<u64>,
    },
}

#[derive(Debug, Clone)]
struct Scope {
    route: ReadRoute,
    /// The highest write position a commit in this scope reached; 0 for none.
    written: Arc<AtomicU64>,
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// Runs `work` with its reads routed by `route`; answers its output and the write
/// position the last data-changing commit inside it reached, if any.
pub async fn scope<F: Future>(route: ReadRoute, work: F) -> (F::Output, Option<u64>) {
    let written = Arc::new(AtomicU64::new(0));
    let output = SCOPE.scope(Scope { route, written: Arc::clone(&written) }, work).await;
    let position = written.load(Ordering::SeqCst);
    (output, (position > 0).then_some(position))
}

/// Where reads go now: [`ReadRoute::Primary`] outside a [`scope`].
pub fn current() -> ReadRoute {
    SCOPE.try_with(|scope| scope.route).unwrap_or(ReadRoute::Primary)
}

/// Records that a commit in the current scope reached write position `lsn` (nothing
/// outside a scope).
pub fn note_written(lsn: u64) {
    let _ = SCOPE.try_with(|scope| scope.written.fetch_max(lsn, Ordering::SeqCst));
}

/// A PostgreSQL LSN (`16/B374D848`) as one number, ordered as the log is.
pub fn parse_lsn(text: &str) -> Option<u64> {
    let (high, low) = text.trim().split_once('/')?;
    let high = u64::from_str_radix(high, 16).ok()?;
    let low = u64::from_str_radix(low, 16).ok()?;
    (high <= u64::from(u32::MAX) && low <= u64::from(u32::MAX)).then_some((high << 32) | low)
}

/// The number [`parse_lsn`] reads, written as PostgreSQL writes an LSN.
pub fn format_lsn(lsn: u64) -> String {
    format!("{:X}/{:X}", lsn >> 32, lsn & u64::from(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_positions_read_back_and_order_as_the_log() {
        assert_eq!(parse_lsn("0/3000060"), Some(0x300_0060));
        assert_eq!(parse_lsn("16/B374D848"), Some((0x16 << 32) | 0xB374_D848));
        assert!(parse_lsn("1/FFFFFFFF") < parse_lsn("2/0"));
        assert_eq!(format_lsn((0x16 << 32) | 0xB374_D848), "16/B374D848");
        for bad in ["", "3000060", "x/1", "1/", "100000000/0"] {
            assert_eq!(parse_lsn(bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn a_scope_routes_its_reads_and_reports_what_it_wrote() {
        assert_eq!(current(), ReadRoute::Primary);
        let ((), written) = scope(ReadRoute::Replica { after: Some(7) }, async {
            assert_eq!(current(), ReadRoute::Replica { after: Some(7) });
            note_written(40);
            note_written(12);
        })
        .await;
        assert_eq!(written, Some(40));
        let ((), nothing) = scope(ReadRoute::Primary, async {}).await;
        assert_eq!(nothing, None);
    }
}
