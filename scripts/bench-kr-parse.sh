#!/usr/bin/env bash
# Times `milepost kr parse --output jsonl` on 100 kB, 1 MB and 10 MB of key result
# sentences, one a line, and on 10 MB of the longest sentences read (2,000 characters
# a line), and prints each time with its ratio to 100 kB (docs/benchmarks.md). Parsing
# is linear in the input when the ratios are about 10 and 100.
#
# The sentences are the repository's own (the sample corpus, the held-out set and the
# regressions, 159 different sentences), taken in turn with their numbers varied, so
# that no two neighbouring lines are the same. Each input is timed three times and the
# best run is kept.
#
# Usage: scripts/bench-kr-parse.sh [MILEPOST]   (default: a fresh release build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
    milepost=$1
else
    cargo build --release --locked -p milepost
    milepost="${CARGO_TARGET_DIR:-target}/release/milepost"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'EOF'
import json, re, sys
work = sys.argv[1]
tables = ["kr-sentences.jsonl", "held_out.jsonl", "regressions.jsonl"]
texts = []
for table in tables:
    with open(f"crates/milepost-okrfile/tests/it/{table}", encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f if line.strip()]

def vary(text, n):
    # Another number each pass (a digit moved by n), so the lines differ.
    return re.sub(r"\d", lambda m: str((int(m.group()) + n) % 10), text, count=1)

def lines():
    n = 0
    while True:
        for text in texts:
            yield vary(text, n // len(texts))
            n += 1

def write(name, size, source):
    out, total = [], 0
    for line in source:
        encoded = len(line.encode("utf-8")) + 1
        if total + encoded > size:
            break
        out.append(line)
        total += encoded
    with open(f"{work}/{name}", "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")

def longest():
    # Sentences joined with "and" up to 2,000 characters: the longest line read.
    source = lines()
    while True:
        line = next(source)
        while True:
            more = line + " and " + next(source)
            if len(more) > 2000:
                break
            line = more
        yield line

write("100kB", 100_000, lines())
write("1MB", 1_000_000, lines())
write("10MB", 10_000_000, lines())
write("10MB-of-2000-character-lines", 10_000_000, longest())
EOF

# Wall and CPU time (user + system) of each input, the best of three runs each: the
# machine is shared, and the CPU time is what other work on it disturbs least.
python3 - "$milepost" "$work" <<'EOF'
import resource, subprocess, sys, time
milepost, work = sys.argv[1], sys.argv[2]

def run(name):
    best_wall = best_cpu = float("inf")
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with open(f"{work}/{name}", "rb") as stdin:
            subprocess.run([milepost, "kr", "parse", "--output", "jsonl"], stdin=stdin, stdout=subprocess.DEVNULL,
                           check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu

names = ["100kB", "1MB", "10MB", "10MB-of-2000-character-lines"]
results = {name: run(name) for name in names}
base_wall, base_cpu = results["100kB"]
print("| input | lines | wall time | ratio to 100 kB | CPU time | ratio to 100 kB |")
print("|---|---|---|---|---|---|")
for name in names:
    wall, cpu = results[name]
    with open(f"{work}/{name}", "rb") as f:
        lines = sum(1 for _ in f)
    print(f"| {name} | {lines:,} | {wall:.3f} s | {wall / base_wall:.1f} | {cpu:.3f} s | {cpu / base_cpu:.1f} |")
EOF
