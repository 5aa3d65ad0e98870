#!/usr/bin/env bash
# Measures how long each page of the web app takes to render on the server for the demo
# workspace: logs in as the demo member, asks each page RUNS times (default 50) one
# after the other with curl, and prints the median and the 95th percentile of curl's
# time_total (the whole request on the loopback, so an upper bound of the render).
# Usage: scripts/bench-pages.sh http://127.0.0.1:18090 [RUNS]
set -euo pipefail
base=${1:?usage: bench-pages.sh BASE_URL [RUNS]}
runs=${2:-50}
cookie=$(curl -s -i -X POST -H 'Sec-Fetch-Site: same-origin' \
    --data 'workspace=demo&email=dana.whitfield%40example.com&password=milepost-demo-member&next=%2F' \
    "$base/login" | sed -n 's/^set-cookie: milepost_session=\([^;]*\).*/\1/ip' | tr -d '\r')
[ -n "$cookie" ] || { echo "could not log in to $base" >&2; exit 1; }
printf '| page | median | p95 |\n|---|---|---|\n'
for path in / /objectives/1 /alignment /check-in /cycles /cycles/1 /objectives/new; do
    for _ in $(seq "$runs"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: milepost_session=$cookie" "$base$path"
    done | sort -n | awk -v path="$path" '{ t[NR] = $1 } END {
        printf "| `%s` | %.1f ms | %.1f ms |\n", path, t[int((NR + 1) / 2)] * 1000, t[int(NR * 0.95)] * 1000 }'
done
