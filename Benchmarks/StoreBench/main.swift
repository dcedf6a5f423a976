// cascade-store-bench: import and load time of a synthetic world into one backend.
//
//   swift build -c release --product cascade-store-bench
//   .build/release/cascade-store-bench --backend sqlite [--entities 100000] [--relationships 500000]
//   .build/release/cascade-store-bench --backend postgresql --db postgres://…   (or CASCADE_TEST_POSTGRES_URL)
//   .build/release/cascade-store-bench --write-world world.json    (only write the synthetic world file)
//   .build/release/cascade-store-bench --world world.json --import-only   (one import of that file, for profiling)
//
// Run one backend per process so the peak-memory figure (max RSS) is that backend's.
import CascadeStore
import Foundation

struct Options {
    var backend = "sqlite"
    var entities = 100_000
    var relationships = 500_000
    var db: String?
    var world: String?
    var writeWorldOnly: String?
    var importOnly = false
    var verbose = false

    init(_ arguments: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < arguments.count else { fail("missing value after \(arguments[i - 1])") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--backend": backend = value()
            case "--entities": entities = Int(value()) ?? entities
            case "--relationships": relationships = Int(value()) ?? relationships
            case "--db": db = value()
            case "--world": world = value()
            case "--write-world": writeWorldOnly = value()
            case "--import-only": importOnly = true
            case "--verbose": verbose = true
            default: fail("unknown argument \(arguments[i]) (known: --backend sqlite|postgresql, --entities N, --relationships N, --db LOCATION, --world FILE, --write-world FILE, --import-only, --verbose)")
            }
            i += 1
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("cascade-store-bench: \(message)\n".utf8))
    exit(1)
}

func peakMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
}

func seconds(_ start: Date) -> Double { Date().timeIntervalSince(start) }

/// This process's CPU time (user + system): on a shared machine, wall time includes waiting for
/// other processes; CPU time is the work this process did (the PostgreSQL server's is not in it).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
if let path = options.writeWorldOnly {
    // Only write the synthetic world file (for `cascade import` by hand).
    try SyntheticWorld.write(to: path, entities: options.entities, relationships: options.relationships)
    exit(0)
}
let temp = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-store-bench-\(getpid())")
try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: temp) }

let worldPath = options.world ?? temp.appendingPathComponent("world.json").path
if options.world == nil {
    let started = Date()
    try SyntheticWorld.write(to: worldPath, entities: options.entities, relationships: options.relationships)
    let size = (try FileManager.default.attributesOfItem(atPath: worldPath)[.size] as? Int) ?? 0
    print(String(format: "generated %d entities, %d relationships (%.1f MB) in %.2f s", options.entities, options.relationships,
                 Double(size) / 1e6, seconds(started)))
}

let location: StoreLocation
var cleanup: () -> Void = {}
switch options.backend {
case "sqlite":
    location = .sqlite(path: options.db ?? temp.appendingPathComponent("bench.sqlite").path)
case "postgresql":
    guard let base = options.db ?? ProcessInfo.processInfo.environment["CASCADE_TEST_POSTGRES_URL"] else {
        fail("PostgreSQL needs --db postgres://… or CASCADE_TEST_POSTGRES_URL")
    }
    let schema = "cascade_bench_\(getpid())"
    let admin = try Store(.postgresql(url: base))
    try admin.write { db in try db.execute("CREATE SCHEMA \(schema)") }
    location = .postgresql(url: base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)")
    cleanup = { _ = try? admin.write { db in try db.execute("DROP SCHEMA \(schema) CASCADE") } }
default:
    fail("unknown backend \(options.backend)")
}
defer { cleanup() }

do {
    let store = try Store(location, actor: "bench")
    try store.migrate()

    let started = Date()
    let cpuStarted = cpuSeconds()
    let report = try store.importWorld(path: worldPath) { progress in
        if options.verbose { print(String(format: "  %6.2f s  %@", seconds(started), progress.line)) }
    }
    let total = seconds(started)
    let cpu = cpuSeconds() - cpuStarted
    let rows = report.totalRead
    print("backend: \(options.backend)")
    print(String(format: "import: %d rows in %.2f s = %.0f rows/s overall (parse %.2f s, validate %.2f s, write %.2f s = %.0f rows/s written)",
                 rows, total, Double(rows) / total, report.parseSeconds, report.validateSeconds, report.writeSeconds,
                 Double(report.totalWritten) / report.writeSeconds))
    print(String(format: "import CPU time (this process): %.2f s = %.0f rows per CPU second", cpu, Double(rows) / cpu))
    if !options.importOnly {
        try reimportAndLoad(store)
    }
    print(String(format: "peak memory (max RSS): %.0f MB", peakMegabytes()))
} catch {
    fail("\(error)")
}

/// The idempotent re-import and the load back (skipped with --import-only, --verbose).
func reimportAndLoad(_ store: Store) throws {
    let reimport = Date()
    let again = try store.importWorld(path: worldPath)
    print(String(format: "re-import (idempotent): %d rows written in %.2f s", again.totalWritten, seconds(reimport)))

    let loadStarted = Date()
    let loadCPUStarted = cpuSeconds()
    let world = try store.loadWorld()
    let load = seconds(loadStarted)
    let loadCPU = cpuSeconds() - loadCPUStarted
    print(String(format: "load: %d entities + %d relationships in %.2f s = %.0f rows/s", world.entities.count, world.relationships.count,
                 load, Double(world.entities.count + world.relationships.count) / load))
    print(String(format: "load CPU time (this process): %.2f s", loadCPU))
}
