#!/usr/bin/env python3
"""Imports the converted benchmark worlds (compare.py's `imported()`: `cascade init`, then
`cascade import FILE --quiet` per file listed in the world's convert.json) into a NEW store per
run, with two `cascade` builds interleaved (the order alternates every round), on SQLite and, with
--pg-socket, on PostgreSQL (a fresh database per run on the server listening on that socket).
Prints min and median rows/s by wall time and by the cascade processes' own CPU time (user +
sys; on PostgreSQL the server's CPU is not included).

    python3 Benchmarks/Propagation/import_bench.py --bin old=/tmp/cascade-old --bin new=.build-release/release/cascade \
        --world /work/benchenv/worlds/n100k-lin --world /work/benchenv/worlds/n100k-full \
        --rounds 3 --workdir /tmp/imp/bench [--pg-socket /tmp/imp/pg]
"""
import argparse, json, os, resource, statistics, subprocess, sys, time


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def one_import(binary, world, store):
    convert = json.load(open(os.path.join(world, "convert.json")))
    rows = convert["entities"] + convert["relationships"]
    subprocess.run([binary, "--db", store, "init"], check=True, stdout=subprocess.DEVNULL)
    wall = cpu = 0.0
    for f in convert["files"]:
        w, c = run([binary, "--db", store, "import", f, "--quiet"])
        wall += w
        cpu += c
    return rows, wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", required=True, help="name=path of a cascade build")
    ap.add_argument("--world", action="append", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/cascade-import-bench")
    ap.add_argument("--pg-socket", help="directory of a PostgreSQL server's socket (user postgres, trust)")
    ap.add_argument("--pg-bin", default=None, help="directory of createdb/dropdb")
    args = ap.parse_args()
    bins = [tuple(b.split("=", 1)) for b in args.bin]
    os.makedirs(args.workdir, exist_ok=True)
    backends = ["sqlite"] + (["postgresql"] if args.pg_socket else [])
    pgbin = args.pg_bin or next((f"/usr/lib/postgresql/{v}/bin" for v in sorted(os.listdir("/usr/lib/postgresql"), reverse=True)), "") if args.pg_socket else ""
    results = {}
    serial = 0
    for r in range(args.rounds):
        order = bins if r % 2 == 0 else list(reversed(bins))
        for world in args.world:
            for backend in backends:
                for name, binary in order:
                    serial += 1
                    if backend == "sqlite":
                        store = os.path.join(args.workdir, f"s{serial}.sqlite")
                        for stale in (store, store + "-wal", store + "-shm"):
                            if os.path.exists(stale):
                                os.remove(stale)
                    else:
                        db = f"bench{serial}"
                        subprocess.run([f"{pgbin}/dropdb", "-h", args.pg_socket, "-U", "postgres", "--if-exists", db], check=True)
                        subprocess.run([f"{pgbin}/createdb", "-h", args.pg_socket, "-U", "postgres", db], check=True)
                        store = f"postgres://postgres@/{db}?host={args.pg_socket}"
                    rows, wall, cpu = one_import(binary, world, store)
                    if backend == "sqlite":
                        for stale in (store, store + "-wal", store + "-shm"):
                            if os.path.exists(stale):
                                os.remove(stale)
                    else:
                        subprocess.run([f"{pgbin}/dropdb", "-h", args.pg_socket, "-U", "postgres", db], check=True)
                    key = (os.path.basename(world.rstrip("/")), backend, name)
                    results.setdefault(key, []).append((rows, wall, cpu))
                    load = os.getloadavg()[0]
                    print(json.dumps({"round": r + 1, "world": key[0], "backend": backend, "build": name, "rows": rows,
                                      "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "load": round(load, 1)}), flush=True)
    print()
    print("| world | backend | build | wall s (min–max) | rows/s by wall, min / median | CPU s (min–max) | rows/s by CPU, min / median |")
    print("|---|---|---|---:|---:|---:|---:|")
    for (world, backend, name), runs in sorted(results.items()):
        walls = [w for _, w, _ in runs]
        cpus = [c for _, _, c in runs]
        rows = runs[0][0]
        wr = [rows / w for w in walls]
        cr = [rows / c for c in cpus]
        print(f"| {world} | {backend} | {name} | {min(walls):.1f}–{max(walls):.1f} | {min(wr)/1000:.1f} k / {statistics.median(wr)/1000:.1f} k"
              f" | {min(cpus):.2f}–{max(cpus):.2f} | {min(cr)/1000:.1f} k / {statistics.median(cr)/1000:.1f} k |")


if __name__ == "__main__":
    main()
