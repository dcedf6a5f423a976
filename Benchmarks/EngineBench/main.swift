// cascade-engine-bench: propagation at scale (issue 4, item 10). See Benchmarks/README.md.
//
//   scripts/engine-bench.sh --entities 100000                 # build, generate+import once, measure on core 1
//   cascade-engine-bench generate --entities N [--store PATH]  # synthetic world → SQLite (skipped if present)
//   cascade-engine-bench run --store PATH [--json]             # load, prepare, fingerprint, propagate, cached re-run
//   cascade-engine-bench [all] --entities N [--json]           # generate (in a child process) when missing, then run
//
// Peak RSS is VmHWM of /proc/self/status; the world is generated and imported in a child
// process so that the measuring process's peak is that of loading and propagating only.
import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation

struct Options {
    var command = "all"
    var entities = 100_000
    var relationships: Int?
    var store: String?
    var chunk = 1_000_000
    var seed: UInt64 = 7
    var json = false
    var feedbackRounds = 0
    var service = true
    var repeats = 1
    var keepFiles = false

    init(_ arguments: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < arguments.count else { fail("missing value after \(arguments[i - 1])") }
            return arguments[i]
        }
        func int(_ text: String) -> Int {
            guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n >= 0 else { fail("`\(text)` is not a whole number") }
            return n
        }
        if let first = arguments.first, ["generate", "run", "all"].contains(first) {
            command = first
            i = 1
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--entities": entities = int(value())
            case "--relationships": relationships = int(value())
            case "--store": store = value()
            case "--chunk": chunk = max(1000, int(value()))
            case "--seed": seed = UInt64(int(value()))
            case "--json": json = true
            case "--feedback-rounds": feedbackRounds = int(value())
            case "--no-service": service = false
            case "--repeat": repeats = max(1, int(value()))
            case "--keep-files": keepFiles = true
            case "-h", "--help":
                print("""
                    usage: cascade-engine-bench [generate|run|all] [--entities N] [--relationships M (default 5N)]
                           [--store PATH.sqlite] [--chunk ROWS] [--seed S] [--feedback-rounds F] [--repeat K]
                           [--no-service] [--keep-files] [--json]
                    """)
                exit(0)
            default: fail("unknown argument \(arguments[i]) (try --help)")
            }
            i += 1
        }
    }

    var storePath: String { store ?? "/tmp/cascade-engine-bench-\(entities).sqlite" }
    /// Written after a complete import: the generation figures, and the proof the store is whole.
    var markerPath: String { storePath + ".bench.json" }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("cascade-engine-bench: \(message)\n".utf8))
    exit(1)
}

func note(_ message: String) {
    FileHandle.standardError.write(Data("[\(Int(Date().timeIntervalSince1970) % 100_000)] \(message)\n".utf8))
}

// MARK: - Measurement

/// `VmRSS` and `VmHWM` (peak) of this process, in MB.
func memory() -> (rss: Double, peak: Double) {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    var rss = 0.0, peak = 0.0
    for line in text.split(separator: "\n") {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count >= 2, let kb = Double(parts[1]) else { continue }
        if parts[0] == "VmRSS:" { rss = kb / 1024 }
        if parts[0] == "VmHWM:" { peak = kb / 1024 }
    }
    return (rss, peak)
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

struct Phase {
    var name: String
    var ms: Double
    var cpuMs: Double
    var rssMB: Double
    var peakMB: Double
    var detail: String = ""

    var json: JSONValue {
        .object(JSONObject([
            ("phase", .string(name)), ("ms", .number(round3(ms))), ("cpu_ms", .number(round3(cpuMs))),
            ("rss_mb", .number(round3(rssMB))), ("peak_rss_mb", .number(round3(peakMB))), ("detail", .string(detail)),
        ]))
    }
}

func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

nonisolated(unsafe) var phases: [Phase] = []

/// Times `body` (wall and this process's CPU) and records memory afterwards.
@discardableResult
func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    note("\(name)…")
    let clock = ContinuousClock()
    let cpu = cpuSeconds()
    let start = clock.now
    let value = try body()
    let elapsed = clock.now - start
    let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    let (rss, peak) = memory()
    phases.append(Phase(name: name, ms: ms, cpuMs: (cpuSeconds() - cpu) * 1000, rssMB: rss, peakMB: peak))
    note(String(format: "%@: %.1f ms, RSS %.0f MB, peak %.0f MB", name, ms, rss, peak))
    return value
}

func detail(_ text: String) { phases[phases.count - 1].detail = text }

// MARK: - generate

func generate(_ options: Options) throws {
    let path = options.storePath
    if FileManager.default.fileExists(atPath: options.markerPath) {
        note("\(path) is already generated (delete it and \(options.markerPath) to regenerate)")
        return
    }
    for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    let directory = path + ".files"
    try? FileManager.default.removeItem(atPath: directory)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { if !options.keepFiles { try? FileManager.default.removeItem(atPath: directory) } }

    var generator = EngineWorldGenerator(entities: options.entities, relationships: options.relationships, seed: options.seed)
    measure("generate graph") { generator.generate() }
    detail("\(generator.entityCount) entities, \(generator.relSource.count) relationships; "
           + generator.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    let files = try measure("write world files") { try generator.writeFiles(directory: directory, chunk: options.chunk) }
    let bytes = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
    detail(String(format: "%d files, %.1f MB", files.count, Double(bytes) / 1e6))
    let relationshipCount = generator.relSource.count
    let counts = generator.counts
    generator = EngineWorldGenerator(entities: 1000)  // free the graph before importing

    let store = try Store(.sqlite(path: path), actor: "engine-bench")
    try store.migrate()
    var parse = 0.0, validate = 0.0, write = 0.0, rows = 0
    try measure("import (SQLite)") {
        for file in files {
            let report = try store.importWorld(path: file)
            parse += report.parseSeconds
            validate += report.validateSeconds
            write += report.writeSeconds
            rows += report.totalWritten
            note("imported \(file): \(report.totalWritten) rows written (parse \(String(format: "%.1f", report.parseSeconds)) s, validate \(String(format: "%.1f", report.validateSeconds)) s, write \(String(format: "%.1f", report.writeSeconds)) s)")
            try? FileManager.default.removeItem(atPath: file)
        }
    }
    detail(String(format: "%d rows written; parse %.1f s, validate %.1f s, write %.1f s", rows, parse, validate, write))
    let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
    let marker = JSONValue.object(JSONObject([
        ("entities", .number(Double(options.entities))), ("relationships", .number(Double(relationshipCount))),
        ("seed", .number(Double(options.seed))), ("store_mb", .number(round3(Double(size) / 1e6))),
        ("world_files_mb", .number(round3(Double(bytes) / 1e6))),
        ("shape", .object(JSONObject(counts.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) }))),
        ("phases", .array(phases.map(\.json))),
    ]))
    try Data(marker.serialized(sortedKeys: false).utf8).write(to: URL(fileURLWithPath: options.markerPath))
    note("generated \(path) (\(size / 1_000_000) MB)")
}

// MARK: - run

func runPhases(_ options: Options) throws -> [(String, JSONValue)] {
    guard FileManager.default.fileExists(atPath: options.markerPath) else {
        fail("\(options.storePath) is not generated; run `cascade-engine-bench generate --store \(options.storePath) --entities N` first")
    }
    var facts: [(String, JSONValue)] = []
    let scenarioText = EngineWorldGenerator.scenarioDocument(feedbackRounds: options.feedbackRounds)
    let document = try JSONValue.parse(scenarioText)
    let scenario = try Scenario.parse(document, defaultAsOf: "2025-06-30")

    let store = try measure("open store") { try Store(.sqlite(path: options.storePath), actor: "engine-bench") }
    try store.migrate()
    do {
        var world: EngineWorld? = try measure("load (EngineWorld.load)") { try EngineWorld.load(from: store) }
        detail("\(world!.entityCount) entities, \(world!.relationshipCount) relationships, \(world!.coefficients.count) coefficient rows, \(world!.formulas.count) formula versions")
        let prepared = try measure("prepare (Engine.prepare)") { try Engine.prepare(scenario, world: world!) }
        world = nil  // as in ScenarioService.run: the loaded records are not kept once prepared
        detail("\(prepared.warnings.count) warnings")
        let fingerprint = measure("fingerprint") { prepared.fingerprint }
        detail(fingerprint)
        var best: RunResult?
        for k in 0..<options.repeats {
            let result = try measure(options.repeats == 1 ? "propagate() total" : "propagate() total #\(k + 1)") { try prepared.propagate() }
            let t = Dictionary(uniqueKeysWithValues: result.stats.timings.map { ($0.phase, $0.ms) })
            let c = Dictionary(uniqueKeysWithValues: result.stats.cpuTimings.map { ($0.phase, $0.ms) })
            detail(String(format: "propagate %.1f ms, attribute %.1f ms, results %.1f ms (RunStats wall); CPU %.1f / %.1f / %.1f ms",
                          t["propagate"] ?? 0, t["attribute"] ?? 0, t["results"] ?? 0,
                          c["propagate"] ?? 0, c["attribute"] ?? 0, c["results"] ?? 0))
            if best == nil || (t["propagate"] ?? 0) < (best!.stats.timings.first { $0.phase == "propagate" }?.ms ?? .infinity) {
                best = result
            }
        }
        let result = best!
        let t = Dictionary(uniqueKeysWithValues: result.stats.timings.map { ($0.phase, $0.ms) })
        facts.append(("engine_timings_ms", .object(JSONObject(result.stats.timings.map { ($0.phase, .number(round3($0.ms))) }))))
        facts.append(("engine_cpu_ms", .object(JSONObject(result.stats.cpuTimings.map { ($0.phase, .number(round3($0.ms))) }))))
        let s = result.stats
        facts.append(("run_stats", .object(JSONObject([
            ("entities", .number(Double(s.entities))), ("relationships", .number(Double(s.relationships))),
            ("edges", .number(Double(s.edges))), ("edges_evaluated", .number(Double(s.edgesEvaluated))),
            ("formula_evaluations", .number(Double(s.formulaEvaluations))), ("programs", .number(Double(s.programs))),
            ("cycles", .number(Double(s.cycles))), ("unconverged_cycles", .number(Double(s.unconvergedCycles))),
            ("skipped_feedback_edges", .number(Double(s.skippedFeedbackEdges))),
            ("entities_reported", .number(Double(result.entities.count))),
            ("entities_moved", .number(Double(result.entities.indices.filter { result.entities.impact(at: $0) != 0 }.count))),
            ("entities_clamped", .number(Double(result.entities.indices.filter { result.entities.isClamped(at: $0) }.count))),
            ("max_cycle_rounds_used", .number(Double(result.entities.indices.compactMap { result.entities.cycleRounds(at: $0) }.max() ?? 0))),
            ("warnings", .number(Double(result.warnings.count))),
        ]))))
        facts.append(("propagate_ms", .number(round3(t["propagate"] ?? 0))))
        let c = Dictionary(uniqueKeysWithValues: result.stats.cpuTimings.map { ($0.phase, $0.ms) })
        facts.append(("propagate_cpu_ms", .number(round3(c["propagate"] ?? 0))))
        facts.append(("engine_peak_rss_mb", .number(round3(memory().peak))))
        note("warnings: " + result.warnings.prefix(4).joined(separator: " | "))
    }

    if options.service {
        let service = ScenarioService(store: store)
        let id = try measure("service.submit") { try service.submit(document, today: "2025-06-30").id }
        // Only its flags are kept: holding the whole outcome would add its result to later phases' peak.
        let (firstIsCached, firstNote) = try measure("service.run #1 (force: true)") {
            let outcome = try service.run(id, force: true)
            return (outcome.isCached, outcome.cacheNote)
        }
        detail("cached: \(firstIsCached) (\(firstNote))")
        let second = try measure("service.run #2 (cached re-run)") { try service.run(id) }
        detail("cached: \(second.isCached) (\(second.cacheNote)); summary only, entity_count \(second.summary["entity_count"]?.serialized() ?? "?")")
        if !second.isCached { note("WARNING: the second run was not cached") }
        facts.append(("cached_rerun_ms", .number(round3(phases.last!.ms))))
        facts.append(("cached_rerun_is_cached", .bool(second.isCached)))
        let full = try measure("service.run #3 (cached, entities)") { try service.run(id, includeEntities: true) }
        detail("cached: \(full.isCached); \(full.entityCount ?? 0) entity texts loaded")
        facts.append(("cached_rerun_with_entities_ms", .number(round3(phases.last!.ms))))
        facts.append(("first_run_cached", .bool(firstIsCached)))
    }
    facts.append(("peak_rss_mb", .number(round3(memory().peak))))
    return facts
}

// MARK: - Output

func report(_ options: Options, generated: JSONValue?, facts: [(String, JSONValue)]) {
    let runPhases = phases
    var generatePhases: [Phase] = []
    for item in generated?["phases"]?.arrayValue ?? [] {
        generatePhases.append(Phase(name: item["phase"]?.stringValue ?? "", ms: item["ms"]?.numberValue ?? 0,
                                    cpuMs: item["cpu_ms"]?.numberValue ?? 0, rssMB: item["rss_mb"]?.numberValue ?? 0,
                                    peakMB: item["peak_rss_mb"]?.numberValue ?? 0, detail: item["detail"]?.stringValue ?? ""))
    }
    func fact(_ key: String) -> Double? { facts.first { $0.0 == key }?.1.numberValue }
    let propagate = fact("propagate_ms")
    let cached = fact("cached_rerun_ms")
    let enginePeak = fact("engine_peak_rss_mb")
    let peak = fact("peak_rss_mb")
    // Targets of issue 4 (stated for 1 M entities / 5 M relationships).
    var targets: [(String, JSONValue)] = []
    func target(_ name: String, _ value: Double?, _ limit: Double) {
        guard let value else { return }
        targets.append((name, .object(JSONObject([("value", .number(round3(value))), ("limit", .number(limit)),
                                                  ("met", .bool(value <= limit)), ("ratio", .number(round3(value / limit)))]))))
    }
    target("propagation_ms", propagate, 1000)
    target("propagation_cpu_ms", fact("propagate_cpu_ms"), 1000)
    target("peak_rss_mb", peak, 2048)
    target("engine_peak_rss_mb", enginePeak, 2048)
    target("cached_rerun_ms", cached, 50)

    if options.json {
        var object = JSONObject()
        object["benchmark"] = .string("cascade-engine-bench")
        object["store"] = .string(options.storePath)
        object["entities"] = generated?["entities"] ?? .number(Double(options.entities))
        object["relationships"] = generated?["relationships"] ?? .null
        object["shape"] = generated?["shape"] ?? .null
        object["store_mb"] = generated?["store_mb"] ?? .null
        object["generate_phases"] = .array(generatePhases.map(\.json))
        object["phases"] = .array(runPhases.map(\.json))
        for (key, value) in facts { object[key] = value }
        object["targets"] = .object(JSONObject(targets))
        print(JSONValue.object(object).serialized(sortedKeys: false))
        return
    }
    print("cascade-engine-bench: \(options.storePath)")
    if let generated {
        print("world: \(Int(generated["entities"]?.numberValue ?? 0)) entities, \(Int(generated["relationships"]?.numberValue ?? 0)) relationships, store \(generated["store_mb"]?.numberValue.map { String(format: "%.0f MB", $0) } ?? "?")")
        if let shape = generated["shape"]?.objectValue {
            print("shape: " + shape.keys.map { "\($0) \(Int(shape[$0]?.numberValue ?? 0))" }.joined(separator: ", "))
        }
    }
    func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + fill : fill + text
    }
    func row(_ p: Phase) -> String {
        pad(p.name, 32, left: true) + pad(String(format: "%.1f", p.ms), 12) + pad(String(format: "%.1f", p.cpuMs), 12)
            + pad(String(format: "%.0f", p.rssMB), 9) + pad(String(format: "%.0f", p.peakMB), 9) + "  " + p.detail
    }
    print(pad("phase", 32, left: true) + pad("wall ms", 12) + pad("cpu ms", 12) + pad("RSS MB", 9) + pad("peak MB", 9) + "  detail")
    if !generatePhases.isEmpty {
        print("-- generation (separate process)")
        generatePhases.forEach { print(row($0)) }
        if !runPhases.isEmpty { print("-- measurement") }
    }
    runPhases.forEach { print(row($0)) }
    for (key, value) in facts where key == "engine_timings_ms" || key == "engine_cpu_ms" || key == "run_stats" {
        print("\(key): " + (value.objectValue.map { o in o.keys.map { "\($0) \(o[$0]?.serialized() ?? "")" }.joined(separator: ", ") } ?? ""))
    }
    if !targets.isEmpty { print("targets (1 M entities / 5 M relationships):") }
    for (name, value) in targets {
        let v = value["value"]?.numberValue ?? 0, limit = value["limit"]?.numberValue ?? 0
        print("  " + pad(name, 20, left: true) + pad(String(format: "%.1f", v), 10) + "  limit " + pad(String(format: "%.0f", limit), 6)
              + "  " + (v <= limit ? "met" : String(format: "missed ×%.2f", v / limit)))
    }
}

// MARK: - Main

let options = Options(Array(CommandLine.arguments.dropFirst()))
do {
    switch options.command {
    case "generate":
        try generate(options)
        let generated = try? JSONValue.parse(String(contentsOfFile: options.markerPath, encoding: .utf8))
        phases = []  // shown from the marker file
        if !options.json { report(options, generated: generated, facts: []) }
    case "run", "all":
        if options.command == "all" && !FileManager.default.fileExists(atPath: options.markerPath) {
            // Generate in a child process so this one's peak RSS is the measurement's alone.
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            child.arguments = ["generate"] + Array(CommandLine.arguments.dropFirst().filter { $0 != "all" && $0 != "--json" })
            try child.run()
            child.waitUntilExit()
            guard child.terminationStatus == 0 else { fail("generation failed (status \(child.terminationStatus))") }
        }
        let generated = try? JSONValue.parse(String(contentsOfFile: options.markerPath, encoding: .utf8))
        let facts = try runPhases(options)
        report(options, generated: generated, facts: facts)
    default:
        fail("unknown command \(options.command)")
    }
} catch {
    fail("\(error)")
}
