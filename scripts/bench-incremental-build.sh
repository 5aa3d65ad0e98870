#!/usr/bin/env bash
# The build time of a one-line change in a use case: `cargo build` (incremental, debug)
# after changing one constant of crates/milepost-app/src/objective.rs, three times.
# Usage: scripts/bench-incremental-build.sh CHECKOUT TARGET_DIR (the line is restored after).
set -e
cd "$1"; export CARGO_TARGET_DIR="$2"
file=crates/milepost-app/src/objective.rs
cargo build -q 2>/dev/null
orig=$(grep -n "^const DESCRIPTION_MAX: usize = 10_000;" $file | cut -d: -f1)
for n in 1 2 3; do
  sed -i "${orig}s/.*/const DESCRIPTION_MAX: usize = 10_00${n};/" $file
  s=$(date +%s.%N); cargo build -q 2>/dev/null; e=$(date +%s.%N)
  echo "run $n: $(echo "$e - $s" | bc) s"
done
sed -i "${orig}s/.*/const DESCRIPTION_MAX: usize = 10_000;/" $file
