#!/usr/bin/env python3
"""Cascade end to end beside the shared propagation peers, on the same synthetic graph.

    python3 Benchmarks/Propagation/compare.py --cascade .build-release/release/cascade \
        [--sizes 100000,1000000] [--rounds 3] [--env /tmp/cascade-propagation] [--nx-limit 120] [--json]

(`scripts/propagation-bench.sh` builds the release binary and calls this.) Per size it
generates the graph once with the shared generator (`../shared/bench/propagation/gen_graph.py`),
converts it into Cascade world files with the shared converter (`csv2world.py`, both the
`linearized` and the `full` variant) and imports each into its own SQLite store, timing the
import. Then, `--rounds` times, in an order that rotates every round, each contender runs in a
fresh process:

  numpy-sparse   prop_numpy.py --mode sparse-linear   (scipy CSR, linear formulas)
  numpy-grouped  prop_numpy.py --mode grouped         (all 20 formulas, exact)
  networkx       prop_networkx.py --linearize         (only while under --nx-limit seconds)
  cascade-lin    cascade run on the linearized store (--force: a cold run, result stored;
                 CASCADE_SNAPSHOT=off, so the world is read from the tables)
  cascade-full   cascade run on the full store        (all 20 formulas; cold likewise)
  cascade-full-warm  the same run with the world snapshot a previous run left (the second
                 run on an unchanged world)

and the table reports, per measure, the minimum and median over the rounds: wall time, peak RSS
(the child's own, from wait4), and the phases each one reports (numpy: load, build, propagate;
Cascade: load, prepare, fingerprint, propagate, attribute, results from the run's stats, and the
rest of the wall time — submit, storing the result, process start — as `store+other`), read
from the run's `run_log` row. Ratios are Cascade's over the peer named. Finally the impact sums
are checked: Cascade's stored result (read back with `--json` in a child process) against numpy's
on the same variant (relative 1e-9). Peak RSS is each process's own (wait4); this script keeps no
large document, since a child inherits its parent's peak at fork.
"""
import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench", "propagation")


def label(n):
    return f"{n // 1000000}M" if n >= 1000000 and n % 1000000 == 0 else f"{n // 1000}k"


def measured(cmd, timeout=None, env=None):
    """Runs cmd in a fresh process: its wall time, its own peak RSS (wait4 on its pid; the
    RUSAGE_CHILDREN maximum would mix processes) and its stdout, or why it failed."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=None if env is None else {**os.environ, **env})
    out_chunks, err_chunks = [], []

    def drain(stream, sink):
        sink.append(stream.read())

    threads = [threading.Thread(target=drain, args=(proc.stdout, out_chunks)),
               threading.Thread(target=drain, args=(proc.stderr, err_chunks))]
    for t in threads:
        t.start()
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline and time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            for t in threads:
                t.join()
            return {"skipped": f"over {timeout:.0f} s"}
        time.sleep(0.005)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in threads:
        t.join()
    out, err = "".join(out_chunks), "".join(err_chunks)
    if proc.returncode != 0:
        return {"failed": (err.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:300]}
    return {"wall_s": wall, "rss_mib": usage.ru_maxrss / 1024, "stdout": out}


def prepare(n, env):
    graph = os.path.join(env, "graphs", "n" + label(n))
    if not os.path.exists(os.path.join(graph, "manifest.json")):
        print(f"generating the {label(n)} graph ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, os.path.join(SHARED, "gen_graph.py"), "--n", str(n), "--out", graph], check=True)
    worlds = {}
    for variant, short in (("linearized", "lin"), ("full", "full")):
        out = os.path.join(env, "worlds", f"n{label(n)}-{short}")
        if not os.path.exists(os.path.join(out, "convert.json")):
            print(f"converting {label(n)} ({variant}) ...", file=sys.stderr, flush=True)
            subprocess.run([sys.executable, os.path.join(SHARED, "csv2world.py"), "--data", graph, "--out", out,
                            "--variant", variant], check=True, stdout=subprocess.DEVNULL)
        worlds[short] = out
    return graph, worlds


def imported(cascade, world, store):
    """Imports the world files into a new SQLite store once; returns (seconds, rows) of that import."""
    marker = store + ".import.json"
    if os.path.exists(store) and os.path.exists(marker):
        # A store imported by an older build: bring its schema up to date (idempotent).
        subprocess.run([cascade, "--db", store, "init"], check=True, stdout=subprocess.DEVNULL)
        return json.load(open(marker))
    for stale in (store, store + "-wal", store + "-shm"):
        if os.path.exists(stale):
            os.remove(stale)
    convert = json.load(open(os.path.join(world, "convert.json")))
    rows = convert["entities"] + convert["relationships"]
    subprocess.run([cascade, "--db", store, "init"], check=True, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    # One command for all the files: one transaction, indexes rebuilt once after the last file.
    subprocess.run([cascade, "--db", store, "import", *convert["files"], "--quiet"], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    record = {"seconds": seconds, "rows": rows}
    json.dump(record, open(marker, "w"))
    return record


def cascade_run(cascade, store, scenario, warm=False):
    """A `cascade run` as an analyst types it (the summary on stdout); its phases are read
    afterwards from the run's `run_log` row (the stats it stored). Cold: the world snapshot is
    off, so the world is read from the tables; warm: the snapshot the previous run left is mapped
    (docs/propagation.md, "World snapshots"), as for a second scenario on the same world."""
    r = measured([cascade, "--db", store, "run", scenario, "--force"],
                 env=None if warm else {"CASCADE_SNAPSHOT": "off"})
    if "wall_s" not in r:
        return r
    r.pop("stdout")
    with sqlite3.connect(store) as db:
        row = db.execute("SELECT counts FROM run_log WHERE status = 'succeeded' ORDER BY started_at DESC LIMIT 1").fetchone()
    timings = json.loads(row[0]).get("timings_ms", {}) if row and row[0] else {}
    phases = {k: v / 1000 for k, v in timings.items()}
    phases["store+other"] = r["wall_s"] - sum(phases.values())
    r.update(phases)
    return r


def cascade_sum(cascade, store, scenario):
    """The impact sum of Cascade's stored result, computed in a child process, so that this
    process never holds a large document (a child inherits its parent's peak RSS at fork)."""
    code = ("import json, subprocess, sys; "
            "doc = json.loads(subprocess.run(sys.argv[1:], capture_output=True, check=True).stdout); "
            "print(sum(e['impact'] for e in doc['entities']))")
    out = subprocess.run([sys.executable, "-c", code, cascade, "--db", store, "run", scenario, "--json"],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def peer_run(cmd, timeout=None):
    r = measured(cmd, timeout)
    if "wall_s" not in r:
        return r
    doc = json.loads(r.pop("stdout").strip().splitlines()[-1])
    for key, name in (("load_s", "load"), ("build_s", "build"), ("propagate_s", "propagate")):
        if key in doc:
            r[name] = doc[key]
    r["sum"] = doc.get("sum")
    return r


def stat(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cascade", required=True, help="the cascade binary (a release build)")
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--env", default=os.environ.get("BENCHENV", "/tmp/cascade-propagation"))
    ap.add_argument("--nx-limit", type=float, default=120)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    report = {"sizes": {}}
    for n in [int(s) for s in a.sizes.split(",")]:
        graph, worlds = prepare(n, a.env)
        stores, imports = {}, {}
        for short, world in worlds.items():
            stores[short] = os.path.join(a.env, "stores", f"n{label(n)}-{short}.sqlite")
            os.makedirs(os.path.dirname(stores[short]), exist_ok=True)
            imports[short] = imported(a.cascade, world, stores[short])
        contenders = {
            "numpy-sparse": lambda: peer_run([sys.executable, os.path.join(SHARED, "prop_numpy.py"), "--data", graph,
                                              "--mode", "sparse-linear", "--repeat", "3"]),
            "numpy-grouped": lambda: peer_run([sys.executable, os.path.join(SHARED, "prop_numpy.py"), "--data", graph,
                                               "--mode", "grouped", "--repeat", "3"]),
            "networkx": lambda: peer_run([sys.executable, os.path.join(SHARED, "prop_networkx.py"), "--data", graph,
                                          "--linearize"], timeout=a.nx_limit),
            "cascade-lin": lambda: cascade_run(a.cascade, stores["lin"], os.path.join(worlds["lin"], "scenario.json")),
            "cascade-full": lambda: cascade_run(a.cascade, stores["full"], os.path.join(worlds["full"], "scenario.json")),
            "cascade-full-warm": lambda: cascade_run(a.cascade, stores["full"], os.path.join(worlds["full"], "scenario.json"),
                                                     warm=True),
        }
        # The warm contender maps the snapshot a run with snapshots on leaves beside the store.
        cascade_run(a.cascade, stores["full"], os.path.join(worlds["full"], "scenario.json"), warm=True)
        names = list(contenders)
        runs = {name: [] for name in names}
        for r in range(a.rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for name in order:
                if runs[name] and "skipped" in runs[name][-1]:
                    continue
                print(f"{label(n)} round {r + 1}: {name} ...", file=sys.stderr, flush=True)
                runs[name].append(contenders[name]())
        size = {"imports": {k: {"seconds": v["seconds"], "rows": v["rows"], "rows_per_s": v["rows"] / v["seconds"]}
                            for k, v in imports.items()}, "contenders": {}}
        for name in names:
            ok = [r for r in runs[name] if "wall_s" in r]
            if not ok:
                size["contenders"][name] = runs[name][-1] if runs[name] else {"skipped": "not run"}
                continue
            keys = sorted({k for r in ok for k in r if isinstance(r[k], (int, float)) and k != "sum"})
            size["contenders"][name] = {k: stat([r.get(k) for r in ok]) for k in keys}
            size["contenders"][name]["sum"] = ok[-1].get("sum")
            size["contenders"][name]["rounds"] = len(ok)
        checks = {}
        for short, cascade, peer in (("lin", "cascade-lin", "numpy-sparse"), ("full", "cascade-full", "numpy-grouped")):
            p = size["contenders"].get(peer, {})
            if cascade in size["contenders"] and p.get("sum") is not None:
                c = cascade_sum(a.cascade, stores[short], os.path.join(worlds[short], "scenario.json"))
                size["contenders"][cascade]["sum"] = c
                checks[f"{cascade} = {peer}"] = abs(c - p["sum"]) <= 1e-9 * max(abs(c), abs(p["sum"]), 1e-300)
        size["sums_match"] = checks
        report["sizes"][label(n)] = size
        if not a.json:
            print_table(label(n), size)
    if a.json:
        print(json.dumps(report, indent=1))


def fmt(s, unit="s"):
    if s is None:
        return "—"
    if unit == "MiB":
        return f"{s['min']:.0f}–{s['median']:.0f}"
    return f"{s['min']:.3f} / {s['median']:.3f}"


def print_table(size_label, size):
    c = size["contenders"]
    print(f"\n## {size_label} (min / median over rounds; seconds unless said)\n")
    for k, v in size["imports"].items():
        print(f"import ({k}): {v['seconds']:.1f} s for {v['rows']} rows = {v['rows_per_s']:,.0f} rows/s")
    names = list(c)
    print("\n| measure | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    measures = ["wall_s", "rss_mib", "load", "build", "prepare", "fingerprint", "propagate", "attribute", "results", "store+other"]
    for m in measures:
        if not any(isinstance(c[n].get(m), dict) for n in names):
            continue
        print(f"| {m} | " + " | ".join(fmt(c[n].get(m), "MiB" if m == "rss_mib" else "s") if isinstance(c[n].get(m), dict)
                                       else (c[n].get("skipped") or c[n].get("failed") or "—") if m == "wall_s" else "—"
                                       for n in names) + " |")
    print("\nratios (Cascade's median over the peer's median):")
    for cascade, peer, what in (("cascade-lin", "numpy-sparse", "wall_s"), ("cascade-full", "numpy-grouped", "wall_s"),
                                ("cascade-full-warm", "numpy-grouped", "wall_s"),
                                ("cascade-full", "numpy-grouped", "propagate"), ("cascade-lin", "numpy-sparse", "propagate"),
                                ("cascade-lin", "numpy-sparse", "rss_mib")):
        a, b = c.get(cascade, {}).get(what), c.get(peer, {}).get(what)
        if isinstance(a, dict) and isinstance(b, dict) and b["median"]:
            print(f"  {cascade} / {peer} {what}: {a['median'] / b['median']:.2f}×")
    print("sums match: " + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in size["sums_match"].items()))


if __name__ == "__main__":
    main()
