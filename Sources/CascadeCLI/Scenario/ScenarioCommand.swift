import ArgumentParser
import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation

/// `cascade scenario submit | run | show | list | delete | diff | explain`.
struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Submit, run and inspect scenarios.",
        subcommands: [ScenarioSubmitCommand.self, ScenarioRunCommand.self, ScenarioShowCommand.self, ScenarioListCommand.self,
                      ScenarioDeleteCommand.self, ScenarioDiffCommand.self, ScenarioExplainCommand.self,
                      ScenarioSensitivitiesCommand.self])
}

struct ScenarioSubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "submit", abstract: "Validate a scenario file and store it; prints its id.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The scenario file (JSON, see docs/formats.md).") var file: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let service = ScenarioService(store: try store.openStore())
            let (id, scenario, _) = try ScenarioFiles.submit(file, to: service)
            if store.json {
                StoreOutput.printJSON(.object(JSONObject([("ok", .bool(true)), ("scenario_id", .string(id)),
                                                          ("name", .string(scenario.name)), ("as_of", .string(scenario.asOf))])))
            } else {
                StoreOutput.print(id)
            }
        }
    }
}

struct ScenarioRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Propagate a stored scenario (or return its cached result).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: RunOutputOptions
    @Argument(help: ScenarioFiles.keyHelp) var id: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let file = try output.file(besides: store)
            let opened = try store.openStore()
            let scenario = try ScenarioFiles.stored(id, in: opened)
            let service = ScenarioService(store: opened)
            try output.emit(try ScenarioFiles.run(scenario.id, with: service, force: output.force,
                                                  includeEntities: output.needsEntities(json: store.json), quiet: output.quiet,
                                                  sensitivities: output.sensitivities),
                            json: store.json, to: file)
        }
    }
}

/// `cascade run SCENARIO.json`: submit and run in one step — the main job.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Submit a scenario file and run it: the main job.",
        discussion: "Prints the top movers per level and why; --json prints the full result.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: RunOutputOptions
    @Argument(help: "The scenario file (JSON, see docs/formats.md).") var file: String
    @Option(name: .customLong("use"), parsing: .singleValue,
            help: "Run with NAME@VERSION in place of whichever version of NAME is active (repeatable); the result is not cached.")
    var use: [String] = []

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let out = try output.file(besides: store)
            let pins = try use.map { try FormulaReference.parseArgument($0, requireVersion: true) }
            var service = ScenarioService(store: try store.openStore())
            service.keepsRunsUntilExit = true
            let includeEntities = output.needsEntities(json: store.json)
            let outcome: ScenarioService.Outcome, asOfNote: String?
            if pins.isEmpty {
                (outcome, asOfNote) = try ScenarioFiles.submitAndRun(file, with: service, force: output.force,
                                                                     includeEntities: includeEntities, quiet: output.quiet,
                                                                     sensitivities: output.sensitivities)
            } else {
                let (id, _, note) = try ScenarioFiles.submit(file, to: service)
                outcome = try ScenarioFiles.engineErrors { try service.run(id, pinning: pins, includeEntities: includeEntities,
                                                                           sensitivities: output.sensitivities) }
                asOfNote = note
            }
            try output.emit(outcome, json: store.json, to: out, asOfNote: asOfNote)
        }
    }
}

struct RunOutputOptions: ParsableArguments {
    @Option(help: "Also write the full JSON result to this file.") var out: String?
    @Flag(help: "Recompute even when a cached result is valid.") var force = false
    @Flag(help: "No progress on stderr (a bar on a terminal; lines elsewhere, for worlds of 100 000 rows or more).")
    var quiet = false
    @Option(parsing: .unconditional, help: "Movers shown per level in the summary.",
            transform: NumericOption.integer(1...10_000)) var top = 5
    @Option(help: "table (the summary, default) or csv (RFC 4180: one row per reported entity, see docs/formats.md).")
    var format: OutputFormat = .table
    @Flag(help: "Also compute each entity's exact sensitivity to every variable and shock of the scenario (docs/propagation.md).")
    var sensitivities = false

    /// The full document (every entity) is read only when it is printed or written.
    func needsEntities(json: Bool) -> Bool { json || out != nil || format == .csv }

    /// `--out`, checked before the run (see `OutputFile`), with `--format` against `--json`.
    func file(besides store: StoreOptions) throws -> OutputFile? {
        try format.check(json: store.json)
        return try out.map { try OutputFile($0, option: "--out", store: store.location) }
    }

    func emit(_ outcome: ScenarioService.Outcome, json: Bool, to file: OutputFile?, asOfNote: String? = nil) throws {
        // The document is written piece by piece (to the file first, then again to stdout): a
        // 1 M-entity result's is ~2.7 GB, and built whole it held ~8 GB.
        try file?.write { put in
            try outcome.writeDocument { try put(Array($0.utf8)) }
            try put([0x0A])
        }
        if json {
            outcome.writeDocument { FileHandle.standardOutput.write(Data($0.utf8)) }
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else if format == .csv {
            try ResultCSV.write(outcome) { FileHandle.standardOutput.write(Data($0.utf8)) }
        } else {
            let summary = ResultSummary(outcome: outcome, top: top, asOfNote: asOfNote, isColoured: Terminal.useColor(fileDescriptor: 1))
            if summary.isColoured {
                StoreOutput.printEscaped(summary.text)
            } else {
                StoreOutput.print(summary.text)
            }
        }
    }
}

struct ScenarioShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a stored scenario and its cached result.")

    @OptionGroup var store: StoreOptions
    @Argument(help: ScenarioFiles.keyHelp) var id: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            let scenario = try ScenarioFiles.stored(id, in: opened)
            let result = try opened.result(scenarioID: scenario.id, includeEntities: false)
            if store.json {
                StoreOutput.printJSON(.object(JSONObject([
                    ("id", .string(scenario.id)), ("scenario", scenario.document),
                    ("fingerprint", scenario.resultFingerprint.map(JSONValue.string) ?? .null),
                    ("results_updated_at", scenario.resultsUpdatedAt.map(JSONValue.string) ?? .null),
                    ("has_result", .bool(result != nil)),
                ])))
            } else {
                StoreOutput.print("scenario \(scenario.id)  \(scenario.name)  by \(scenario.author)\(scenario.isPublic ? "  (public)" : "")")
                StoreOutput.print(scenario.document.serialized(pretty: true))
                if let fingerprint = scenario.resultFingerprint {
                    StoreOutput.print("cached result: \(fingerprint) at \(scenario.resultsUpdatedAt ?? "?") — `cascade scenario run \(scenario.id)` shows it")
                } else {
                    StoreOutput.print("not run yet — `cascade scenario run \(scenario.id)`")
                }
            }
        }
    }
}

struct ScenarioListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored scenarios, newest first.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let scenarios = try store.openStore().scenarios()
            if store.json {
                StoreOutput.printJSON(.array(scenarios.map { s in
                    .object(JSONObject([("id", .string(s.id)), ("name", .string(s.name)), ("author", .string(s.author)),
                                        ("as_of", s.asOf.map(JSONValue.string) ?? .null), ("is_public", .bool(s.isPublic)),
                                        ("has_result", .bool(s.resultFingerprint != nil))]))
                }))
            } else if scenarios.isEmpty {
                StoreOutput.print("no scenarios (hint: `cascade scenario submit FILE.json`)")
            } else {
                StoreOutput.print(StoreOutput.table(["id", "name", "author", "as of", "result"], scenarios.map {
                    [$0.id, $0.name, $0.author, $0.asOf ?? "", $0.resultFingerprint == nil ? "—" : "cached"]
                }))
            }
        }
    }
}

/// Reading scenario files and mapping the engine's errors to the store commands' error shape.
enum ScenarioFiles {
    static let keyHelp: ArgumentHelp = "The scenario's id, a unique prefix of it (6 characters or more), or its name when it is unique."

    /// The stored scenario `key` names (see `Store.scenario(matching:)`), or a not-found error.
    static func stored(_ key: String, in store: Store) throws -> StoredScenario {
        guard let scenario = try store.scenario(matching: key) else {
            throw StoreError(.notFound, "no scenario `\(key)`", hint: "`cascade scenario list` shows the stored ones")
        }
        return scenario
    }

    /// With no `as_of` in the document the submission date is stored: a note on stderr says so,
    /// and the returned text is shown with the result.
    static func asOfNote(_ file: String, _ document: JSONValue, _ scenario: Scenario) -> String? {
        guard document["as_of"] == nil else { return nil }
        let note = "today: set `as_of` to pin it"
        StoreOutput.note("note: \(file) has no `as_of`; it is stored as of \(scenario.asOf) (\(note))")
        return note
    }

    /// Stores the scenario in `file` (see `asOfNote`).
    static func submit(_ file: String, to service: ScenarioService) throws -> (id: String, scenario: Scenario, asOfNote: String?) {
        let (document, source) = try JSONFile.read(file)
        do {
            let (id, scenario) = try service.submit(document, today: CalendarDate.today())
            return (id, scenario, asOfNote(file, document, scenario))
        } catch let error as ScenarioError {
            throw error.storeError("\(file) is not a valid scenario").located(in: source)
        }
    }

    /// Stores the scenario in `file` and runs it, loading the world once (`ScenarioService.submitAndRun`).
    static func submitAndRun(_ file: String, with service: ScenarioService, force: Bool, includeEntities: Bool,
                             quiet: Bool, sensitivities: Bool = false) throws -> (outcome: ScenarioService.Outcome, asOfNote: String?) {
        let (document, source) = try JSONFile.read(file)
        let display = ProgressDisplay("run", quiet: quiet, linesFrom: progressLinesFrom)
        defer { display.finish() }
        do {
            let (_, scenario, outcome) = try service.submitAndRun(document, today: CalendarDate.today(), force: force,
                                                                  includeEntities: includeEntities, sensitivities: sensitivities,
                                                                  progress: display.report)
            display.finish()
            return (outcome, asOfNote(file, document, scenario))
        } catch let error as EngineError {
            throw error.storeError
        } catch let error as ScenarioError {
            throw error.storeError("\(file) is not a valid scenario").located(in: source)
        }
    }

    /// Worlds of this many entities and relationships or more report a run's phases as lines when
    /// stderr is not a terminal (on a terminal every run shows its bar, cleared when it is done).
    static let progressLinesFrom = 100_000

    static func run(_ id: String, with service: ScenarioService, force: Bool, includeEntities: Bool,
                    quiet: Bool = false, sensitivities: Bool = false) throws -> ScenarioService.Outcome {
        let display = ProgressDisplay("run", quiet: quiet, linesFrom: progressLinesFrom)
        defer { display.finish() }
        return try engineErrors {
            try service.run(id, force: force, includeEntities: includeEntities, sensitivities: sensitivities, progress: display.report)
        }
    }

    /// The engine's and the scenario parser's errors as store errors, the commands' one error shape.
    static func engineErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as EngineError {
            throw error.storeError
        } catch let error as ScenarioError {
            throw error.storeError("the stored scenario is not valid")
        }
    }
}
