#!/usr/bin/env bash
# `milepost bench` on synthetic organisations of three sizes (small, medium, large), on
# SQLite and on PostgreSQL, each run measured against its own baselines, then the
# PostgreSQL run compared with the SQLite one (docs/benchmarks.md).
#
#   scripts/bench-sizes.sh [BINARY] [OUT_DIR]
#   SIZES="250 2500 10000" DURATION=3 PG=postgres://postgres@127.0.0.1:5432 scripts/bench-sizes.sh
set -euo pipefail
binary=${1:-target/release/milepost}
out=${2:-/tmp/bench-sizes}
pg=${PG:-postgres://postgres@127.0.0.1:5432}
sizes=${SIZES:-"250 2500 10000"}
duration=${DURATION:-3}
mkdir -p "$out"
for people in $sizes; do
    rm -rf "$out/sqlite-$people" "$out/pg-$people"
    "$binary" bench --seed-people "$people" --workspace synth --duration "$duration" \
        --data-dir "$out/sqlite-$people" --json "$out/sqlite-$people.json"
    db="milepost_bench_$people"
    psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    "$binary" bench --seed-people "$people" --workspace synth --duration "$duration" \
        --database-url "$pg/$db" --data-dir "$out/pg-$people" --json "$out/postgres-$people.json"
    "$binary" bench --compare "$out/sqlite-$people.json" "$out/postgres-$people.json"
done
