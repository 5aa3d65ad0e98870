#!/usr/bin/env python3
"""Concurrent writers on SQLite, against the real `milepost` binary (issue 12, point 10).

Starts `milepost serve` on a fresh SQLite file, seeds a cycle with --objectives
objectives (three key results each, through OKR-file applies of 100 objectives), then
runs two loads and prints their numbers as Markdown table rows:

  mixed:   --writers clients at once, each doing --rounds writes of one kind: check-ins,
           measurement batches (24 hourly rows of a KPI that feeds a key result),
           objective creates (3 key results), key result creates and edits, objective
           edits, OKR-file applies.
  creates: --creators clients creating --creates objectives (3 key results each) in all,
           as the issue measured.

Only the Python standard library; every request goes to 127.0.0.1. Usage:

  python3 scripts/bench-writers.py --binary target/release/milepost --label "this branch"
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, base, token):
        self.base, self.token = base, token

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("authorization", "Bearer " + self.token)
        if data is not None:
            request.add_header("content-type", "application/json")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        took = time.perf_counter() - started
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return status, parsed, took

    def ok(self, method, path, body=None):
        status, parsed, _ = self.call(method, path, body)
        if not 200 <= status < 300:
            sys.exit(f"{method} {path} answered {status}: {parsed}")
        return parsed


def seed_file(owner, first, count):
    text = f"---\ncycle: bench\nowner: team/{owner}\n---\n\n"
    for i in range(first, first + count):
        text += (f"# Seeded objective {i}\n\n- Cut deploy time from 40 min to 10 min\n"
                 "- Raise deploy success rate from 90% to 99%\n- Launch one-click rollback\n\n")
    return text


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))
    return ordered[index]


def run_threads(count, body):
    results = [[] for _ in range(count)]
    threads = [threading.Thread(target=lambda i=i: results[i].extend(body(i))) for i in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r for rs in results for r in rs], time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--label", default="")
    parser.add_argument("--objectives", type=int, default=1000)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--creators", type=int, default=8)
    parser.add_argument("--creates", type=int, default=400)
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="bench-writers-")
    env = dict(os.environ, MILEPOST_LOG="error")
    for var in ["MILEPOST_LISTEN", "MILEPOST_DATA_DIR", "MILEPOST_DATABASE_URL"]:
        env.pop(var, None)
    cli = [args.binary]
    subprocess.run(cli + ["workspace", "create", "Bench", "--slug", "bench", "--data-dir", data],
                   env=env, check=True, capture_output=True)
    token = subprocess.run(cli + ["token", "create", "--workspace", "bench", "--role", "admin", "--data-dir", data],
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen(cli + ["serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data],
                              env=env, stdout=subprocess.DEVNULL)
    try:
        api = Client(f"http://127.0.0.1:{port}", token)
        deadline = time.time() + 60
        while True:
            try:
                if api.call("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit("the server did not get ready")
            time.sleep(0.1)

        now = datetime.now(timezone.utc)
        start, end = (now - timedelta(days=30)).date(), (now + timedelta(days=60)).date()
        cycle = api.ok("POST", "/api/v1/cycles", {"slug": "bench", "name": "Bench", "start_date": str(start),
                                                  "end_date": str(end), "status": "active"})["id"]
        team = api.ok("POST", "/api/v1/teams", {"slug": "writers", "name": "Writers"})["id"]
        seeding = time.perf_counter()
        objectives, key_results = [], []
        for chunk in range(0, args.objectives, 100):
            owner = f"seed{chunk // 100}"
            api.ok("POST", "/api/v1/teams", {"slug": owner, "name": f"Seed {owner}"})
            count = min(100, args.objectives - chunk)
            plan = api.ok("POST", "/api/v1/okr-files/apply",
                          {"files": [{"name": f"{owner}.md", "text": seed_file(owner, chunk, count)}]})
            objectives += [c["id"] for c in plan["changes"] if c["what"] == "objective"]
            key_results += [c["id"] for c in plan["changes"] if c["what"] == "key_result"]
        seeded_in = time.perf_counter() - seeding

        def objective_body(title):
            krs = [{"title": f"Grow {what} from 0 to 100", "kind": "increase", "start": 0, "target": 100}
                   for what in ("signups", "revenue", "usage")]
            return {"cycle_id": cycle, "title": title, "owner_team_id": team, "key_results": krs}

        fixtures = []
        for writer in range(args.writers):
            kind = writer % 6
            if kind == 0:
                fixtures.append(("check-in", key_results[writer * 3 + 1]))
            elif kind == 1:
                kpi = api.ok("POST", "/api/v1/kpis", {"name": f"Load {writer}", "direction": "higher_is_better",
                                                      "target": 80, "cadence": "daily"})["id"]
                fed = {"title": "Raise load from 10 to 80", "kind": "increase", "start": 10, "target": 80, "kpi_id": kpi}
                api.ok("POST", "/api/v1/objectives", {"cycle_id": cycle, "title": f"Fed {writer}",
                                                      "owner_team_id": team, "key_results": [fed]})
                fixtures.append(("measurements", kpi))
            elif kind == 2:
                fixtures.append(("objective create", None))
            elif kind == 3:
                mine = api.ok("POST", "/api/v1/objectives", {"cycle_id": cycle, "title": f"Writer {writer}",
                                                             "owner_team_id": team, "key_results": []})["id"]
                fixtures.append(("key result create/edit", mine))
            elif kind == 4:
                fixtures.append(("objective edit", objectives[writer]))
            else:
                handle = f"writer{writer}"
                api.ok("POST", "/api/v1/people", {"handle": handle, "name": handle, "email": f"{handle}@example.com",
                                                  "role": "editor", "team_id": team})
                fixtures.append(("OKR-file apply", handle))

        def mixed(writer):
            kind, target = fixtures[writer]
            out, state = [], {}
            for round_ in range(args.rounds):
                if kind == "check-in":
                    result = api.call("POST", f"/api/v1/key-results/{target}/check-ins", {"value": 90 + round_ % 9})
                elif kind == "measurements":
                    base = now - timedelta(hours=round_ * 24 + 1)
                    rows = [{"measured_at": (base - timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                             "value": 50 + h} for h in range(24)]
                    result = api.call("POST", f"/api/v1/kpis/{target}/measurements/batch", rows)
                elif kind == "objective create":
                    result = api.call("POST", "/api/v1/objectives", objective_body(f"Writer {writer} {round_}"))
                elif kind == "key result create/edit":
                    if round_ % 2 == 1 and "kr" in state:
                        kr, version = state["kr"]
                        result = api.call("PATCH", f"/api/v1/key-results/{kr}",
                                          {"version": version, "title": f"Grow usage from 0 to 10, round {round_}"})
                    else:
                        result = api.call("POST", f"/api/v1/objectives/{target}/key-results",
                                          {"title": f"Grow usage {round_} from 0 to 10", "kind": "increase",
                                           "start": 0, "target": 10})
                    if 200 <= result[0] < 300:
                        state["kr"] = (result[1]["id"], result[1]["version"])
                elif kind == "objective edit":
                    if "version" not in state:
                        state["version"] = api.ok("GET", f"/api/v1/objectives/{target}")["version"]
                    result = api.call("PATCH", f"/api/v1/objectives/{target}",
                                      {"version": state["version"], "title": f"Renamed in round {round_}"})
                    if 200 <= result[0] < 300:
                        state["version"] = result[1]["version"]
                else:
                    text = (f"---\ncycle: bench\nowner: @{target}\n---\n\n# Writer {writer} round {round_}\n\n"
                            "- Launch one-click rollback\n- Cut deploy time from 40 min to 10 min\n")
                    result = api.call("POST", "/api/v1/okr-files/apply",
                                      {"files": [{"name": "mine.md", "text": text}]})
                out.append((kind, result[0], result[2]))
            return out

        mixed_results, mixed_wall = run_threads(args.writers, mixed)
        per_creator = args.creates // args.creators

        def creates(creator):
            out = []
            for i in range(per_creator):
                status, _, took = api.call("POST", "/api/v1/objectives", objective_body(f"Creator {creator} {i}"))
                out.append(("create", status, took))
            return out

        create_results, create_wall = run_threads(args.creators, creates)

        def row(name, results, wall):
            failed = sum(1 for _, status, _ in results if not 200 <= status < 300)
            times = [took * 1000 for _, _, took in results]
            return (f"| {args.label} | {name} | {len(results)} | {failed} | {percentile(times, 0.5):.0f} | "
                    f"{percentile(times, 0.95):.0f} | {percentile(times, 0.99):.0f} | {max(times):.0f} | "
                    f"{len(results) / wall:.1f} |")

        print(f"seeded {len(objectives)} objectives in {seeded_in:.1f} s", file=sys.stderr)
        print("| build | load | requests | failed | p50 ms | p95 ms | p99 ms | max ms | per s |")
        print("|---|---|---|---|---|---|---|---|---|")
        print(row(f"mixed, {args.writers} writers, all kinds", mixed_results, mixed_wall))
        creates_in_mixed = [r for r in mixed_results if r[0] == "objective create"]
        print(row(f"mixed, {args.writers} writers: its objective creates", creates_in_mixed, mixed_wall))
        print(row(f"creates only, {args.creators} clients", create_results, create_wall))
        statuses = {}
        for kind, status, _ in mixed_results + create_results:
            if not 200 <= status < 300:
                statuses[(kind, status)] = statuses.get((kind, status), 0) + 1
        if statuses:
            print(f"failures by kind and status: {statuses}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
