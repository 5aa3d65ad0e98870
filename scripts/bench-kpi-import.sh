#!/usr/bin/env bash
# Imports 1,000,000 measurements into one SQLite file through a plain sqlx bulk
# insert, the batch API and `milepost kpi import`, and prints each as a ratio to the
# bulk insert (docs/benchmarks.md). Usage: scripts/bench-kpi-import.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p milepost --bins --examples
target=${CARGO_TARGET_DIR:-target}
"$target/release/examples/kpi_import" "$target/release/milepost" "${1:-1000000}"
