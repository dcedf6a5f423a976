#!/usr/bin/env python3
"""The cost of sensitivities for k directions against a plain run, on a benchmark store.

    python3 Benchmarks/Propagation/sensitivity_cost.py --cascade .build-release/release/cascade \
        [--size 100k] [--ks 1,4,16,64] [--rounds 3] [--env /tmp/cascade-propagation]

Uses the `full` store and scenario that `compare.py` leaves under `--env` (run
`scripts/propagation-bench.sh --sizes N` once first). The store is copied, so the original is not
written. Per round and per k it runs the scenario restricted to its first k entity shocks twice,
plain and with `--sensitivities`, in an order that alternates every round, and reads the phases
from the run's `run_log` row: `timings_ms` (wall) and `cpu_timings_ms` (the engine thread's CPU,
which load on the machine does not inflate). Issue 13's measure is
(propagate + sensitivities) / the plain run's propagate, target 1 + 0.5·k.
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile


def last_counts(store):
    with sqlite3.connect(store) as db:
        row = db.execute("SELECT counts FROM run_log WHERE status = 'succeeded' "
                         "ORDER BY started_at DESC LIMIT 1").fetchone()
    return json.loads(row[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cascade", required=True)
    ap.add_argument("--size", default="100k", help="the store's size label as compare.py names it (10k, 100k, 1m)")
    ap.add_argument("--ks", default="1,4,16,64")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--env", default=os.environ.get("BENCHENV", "/tmp/cascade-propagation"))
    a = ap.parse_args()
    ks = [int(k) for k in a.ks.split(",")]
    source = os.path.join(a.env, "stores", f"n{a.size}-full.sqlite")
    scenario = os.path.join(a.env, "worlds", f"n{a.size}-full", "scenario.json")
    for path in (source, scenario):
        if not os.path.exists(path):
            sys.exit(f"{path} does not exist: run scripts/propagation-bench.sh --sizes <N> first")
    document = json.load(open(scenario))
    shocks = list(document.get("entity_shocks", {}).items())
    if max(ks) > len(shocks):
        sys.exit(f"--ks: the scenario has {len(shocks)} entity shocks, fewer than {max(ks)}")

    with tempfile.TemporaryDirectory(prefix="sensitivity-cost-") as work:
        store = os.path.join(work, "store.sqlite")
        shutil.copy(source, store)
        subprocess.run([a.cascade, "--db", store, "init"], check=True, capture_output=True)
        runs = {}
        for r in range(a.rounds):
            for k in ks:
                variant = dict(document, name=f"sensitivity-cost-k{k}", entity_shocks=dict(shocks[:k]))
                path = os.path.join(work, f"k{k}.json")
                json.dump(variant, open(path, "w"))
                for with_sensitivities in ([False, True] if r % 2 == 0 else [True, False]):
                    cmd = [a.cascade, "--db", store, "run", path, "--force", "--quiet"]
                    if with_sensitivities:
                        cmd.append("--sensitivities")
                    p = subprocess.run(cmd, capture_output=True, text=True)
                    if p.returncode != 0:
                        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr[:2000]}")
                    runs.setdefault((k, with_sensitivities), []).append(last_counts(store))

    print(f"n{a.size}-full, {a.rounds} rounds; ratio = (propagate + sensitivities) / plain propagate, per pair")
    for clock in ("timings_ms", "cpu_timings_ms"):
        for k in ks:
            plain = [c[clock]["propagate"] for c in runs[(k, False)]]
            with_s = [(c[clock]["propagate"], c[clock]["sensitivities"]) for c in runs[(k, True)]]
            ratios = [(p + s) / q for (p, s), q in zip(with_s, plain)]
            print(f"{clock:>15} k={k:<3} plain propagate ms {[round(x) for x in plain]} | "
                  f"sensitivities ms {[round(s) for _, s in with_s]} | "
                  f"ratio min {min(ratios):.2f} median {statistics.median(ratios):.2f} | target {1 + 0.5 * k:.1f}")


if __name__ == "__main__":
    main()
