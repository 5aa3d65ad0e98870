#!/usr/bin/env bash
# Measures search on a seeded organisation: logs in as WORKSPACE's EMAIL with PASSWORD
# (the `Log in:` lines `milepost seed --synthetic` prints), asks `GET /api/v1/search`
# for each query RUNS times (default 30) one after the other with curl, and prints the
# median and the 95th percentile of curl's time_total (the whole request on the
# loopback: all five kinds, or the one kind given) and how many hits came back.
# Usage: scripts/bench-search.sh BASE_URL WORKSPACE EMAIL PASSWORD [RUNS]
set -euo pipefail
base=${1:?usage: bench-search.sh BASE_URL WORKSPACE EMAIL PASSWORD [RUNS]}
workspace=${2:?workspace}
email=${3:?email}
password=${4:?password}
runs=${5:-30}
cookie=$(curl -s -i -X POST -H 'Content-Type: application/json' \
    --data "{\"workspace\": \"$workspace\", \"email\": \"$email\", \"password\": \"$password\"}" \
    "$base/api/v1/session" | sed -n 's/^set-cookie: milepost_session=\([^;]*\).*/\1/ip' | tr -d '\r')
[ -n "$cookie" ] || { echo "could not log in to $base" >&2; exit 1; }
printf '| query | hits | median | p95 |\n|---|---|---|---|\n'
for query in 'q=retention' 'q=cust' 'q=reduce+support+tickets' 'q=tomas' 'q=engineering' 'q=re' 'q=a' \
    'q=cust&kind=key_result&offset=950&limit=50' 'q=zzzz'; do
    hits=$(curl -s -H "Cookie: milepost_session=$cookie" "$base/api/v1/search?$query" | grep -o '"url"' | wc -l)
    for _ in $(seq "$runs"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: milepost_session=$cookie" "$base/api/v1/search?$query"
    done | sort -n | awk -v query="$query" -v hits="$hits" '{ t[NR] = $1 } END {
        printf "| `%s` | %d | %.1f ms | %.1f ms |\n", query, hits, t[int((NR + 1) / 2)] * 1000, t[int(NR * 0.95)] * 1000 }'
done
