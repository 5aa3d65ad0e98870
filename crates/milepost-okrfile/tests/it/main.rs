//! Integration tests of milepost-okrfile, through its public API only.
//!
//! Every file a test reads is in this repository, found through [`repo_file`]; none is
//! read from beside the repository (see `.ci/run`, which runs this binary from a lone
//! clone).

#![expect(clippy::expect_used, reason = "a test helper that cannot go on should fail loudly, saying why")]

mod files;
mod kpi_files;
mod openslo;
mod output;
mod properties;
mod robustness;
mod round_trip;
mod rules;
mod sentences;

use std::path::PathBuf;

/// A file of this repository, by its path from the crate's directory
/// (`tests/fixtures/…`, `../../docs/okr-files.md`).
///
/// The crate's directory is the one cargo names when it runs the test
/// (`CARGO_MANIFEST_DIR` at run time), else the one it was built in, so that the test
/// binary run from another checkout reads that checkout's files: this is how `.ci/run`
/// proves that a lone clone has everything the tests read.
pub fn repo_file(path: &str) -> PathBuf {
    let dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    dir.join(path)
}
