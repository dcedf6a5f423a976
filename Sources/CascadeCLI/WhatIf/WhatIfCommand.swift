import ArgumentParser
import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation

/// `cascade whatif BASE --set … [--save NAME]` and the sessions: `list | show | add | complete | cancel`.
struct WhatIfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif", abstract: "Change a scenario's inputs and see what moves; keep the changes as a session.",
        discussion: "`cascade whatif BASE --set fed_funds_rate=0.03 --shock co-nvidia=-0.1 --level 3.damping=0.5` runs the "
            + "modified scenario (an ordinary stored scenario, cached under its own fingerprint) and prints its diff against BASE; "
            + "--save NAME keeps it as a session that `add` changes further.",
        subcommands: [WhatIfRunCommand.self, WhatIfListCommand.self, WhatIfShowCommand.self, WhatIfAddCommand.self,
                      WhatIfCompleteCommand.self, WhatIfCancelCommand.self],
        defaultSubcommand: WhatIfRunCommand.self)
}

/// `--set`, `--shock`, `--level`: the changes of a what-if, read into `WhatIfChanges`.
struct WhatIfChangeOptions: ParsableArguments {
    @Option(name: .customLong("set"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Set a macro variable: VARIABLE=VALUE (decimals; or 3% / 25bp).", valueName: "VARIABLE=VALUE"))
    var sets: [String] = []
    @Option(name: .customLong("shock"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Shock an entity: ENTITY=VALUE (a relative impact).", valueName: "ENTITY=VALUE"))
    var shocks: [String] = []
    @Option(name: .customLong("level"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Change a level setting: LEVEL.FIELD=VALUE (e.g. 3.damping=0.5).", valueName: "LEVEL.FIELD=VALUE"))
    var levels: [String] = []

    func changes() throws -> WhatIfChanges {
        var changes = WhatIfChanges()
        for text in sets { try changes.add("--set", text) }
        for text in shocks { try changes.add("--shock", text) }
        for text in levels { try changes.add("--level", text) }
        return changes
    }
}

struct WhatIfRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run BASE with the changes and print the difference (the default subcommand).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The base scenario (id, id prefix or unique name).") var base: String
    @OptionGroup var changeOptions: WhatIfChangeOptions
    @Option(help: "Keep the what-if as a session with this name.") var save: String?
    @Option(parsing: .unconditional, help: "Entities shown per level.", transform: NumericOption.integer(1...10_000)) var top = 5

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let changes = try changeOptions.changes()
            let opened = try store.openStore()
            let baseScenario = try ScenarioFiles.stored(base, in: opened)
            let whatIf = try WhatIfCommand.run(base: baseScenario.id, changes, in: opened)
            var session: StoredWhatIfSession?
            if let save {
                session = try opened.insertWhatIfSession(name: save, author: baseScenario.author, baseScenarioID: baseScenario.id,
                                                         scenarioID: whatIf.scenarioID, modifications: changes.json,
                                                         summary: whatIf.summary())
            }
            WhatIfCommand.print(whatIf, session: session, top: top, json: store.json)
        }
    }
}

struct WhatIfAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add changes to an active session, re-run, and record the new impact summary.")

    @OptionGroup var store: StoreOptions
    @Argument(help: WhatIfCommand.sessionHelp) var session: String
    @OptionGroup var changeOptions: WhatIfChangeOptions
    @Option(parsing: .unconditional, help: "Entities shown per level.", transform: NumericOption.integer(1...10_000)) var top = 5

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let added = try changeOptions.changes()
            guard !added.isEmpty else {
                throw StoreError(.invalidInput, "nothing to add", hint: "give --set VARIABLE=VALUE, --shock ENTITY=VALUE or --level LEVEL.FIELD=VALUE")
            }
            let opened = try store.openStore()
            let stored = try WhatIfCommand.session(session, in: opened)
            let changes = try WhatIfChanges.parse(stored.modifications).merged(with: added)
            let whatIf = try WhatIfCommand.run(base: stored.baseScenarioID, changes, in: opened)
            let updated = try opened.addWhatIfChange(stored.id, modifications: changes.json, scenarioID: whatIf.scenarioID,
                                                     summary: whatIf.summary(), by: opened.actor, isAdmin: true)
            WhatIfCommand.print(whatIf, session: updated, top: top, json: store.json)
        }
    }
}

struct WhatIfListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the what-if sessions, newest first.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let sessions = try store.openStore().whatIfSessions()
            if store.json {
                StoreOutput.printJSON(.array(sessions.map(\.json)))
            } else if sessions.isEmpty {
                StoreOutput.print("no what-if sessions (hint: `cascade whatif BASE --set VARIABLE=VALUE --save NAME`)")
            } else {
                StoreOutput.print(StoreOutput.table(["id", "name", "author", "status", "changes", "runs"], sessions.map {
                    [$0.id, $0.name, $0.author, $0.status.rawValue,
                     ((try? WhatIfChanges.parse($0.modifications).lines) ?? []).joined(separator: ", "), String($0.history.count)]
                }))
            }
        }
    }
}

struct WhatIfShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a session: its changes and the impact summary of each run.")

    @OptionGroup var store: StoreOptions
    @Argument(help: WhatIfCommand.sessionHelp) var session: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let stored = try WhatIfCommand.session(session, in: try store.openStore())
            if store.json {
                StoreOutput.printJSON(stored.json)
                return
            }
            var lines = ["what-if session \(stored.id)  \(stored.name)  by \(stored.author)  [\(stored.status.rawValue)]",
                         "base scenario \(stored.baseScenarioID) · modified scenario \(stored.scenarioID)",
                         "changes: " + ((try? WhatIfChanges.parse(stored.modifications).lines) ?? []).joined(separator: ", "),
                         "", "Impact summaries (one per run, oldest first)"]
            for (k, summary) in stored.history.enumerated() {
                let changes = (try? WhatIfChanges.parse(summary["changes"] ?? .null).lines) ?? []
                let count = Int(summary["entity_count"]?.numberValue ?? 0)
                lines.append("  \(k + 1). \(changes.joined(separator: ", ")) → \(count) entit\(count == 1 ? "y" : "ies") moved differently"
                             + (summary["cached"] == .bool(true) ? " (cached result)" : ""))
                for row in (summary["entities"]?.arrayValue ?? []).prefix(3) {
                    lines.append("       \(ScenarioDiffCommand.percent(row["difference"]?.numberValue ?? 0))  \(row["name"]?.stringValue ?? "")")
                }
            }
            StoreOutput.print(lines.joined(separator: "\n"))
        }
    }
}

struct WhatIfCompleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "complete", abstract: "Mark an active session completed.")

    @OptionGroup var store: StoreOptions
    @Argument(help: WhatIfCommand.sessionHelp) var session: String

    func run() throws { try WhatIfCommand.close(session, as: .completed, store: store) }
}

struct WhatIfCancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Mark an active session cancelled.")

    @OptionGroup var store: StoreOptions
    @Argument(help: WhatIfCommand.sessionHelp) var session: String

    func run() throws { try WhatIfCommand.close(session, as: .cancelled, store: store) }
}

extension WhatIfCommand {
    static let sessionHelp: ArgumentHelp = "The session's id, a unique prefix of it (6 characters or more), or its name when it is unique."

    static func session(_ key: String, in store: Store) throws -> StoredWhatIfSession {
        guard let session = try store.whatIfSession(matching: key) else {
            throw StoreError(.notFound, "no what-if session `\(key)`", hint: "`cascade whatif list` shows them")
        }
        return session
    }

    /// The what-if run, with the engine's errors in the store commands' shape.
    static func run(base: String, _ changes: WhatIfChanges, in store: Store) throws -> WhatIfRun {
        do {
            return try ScenarioService(store: store).whatIf(base: base, changes: changes, today: CalendarDate.today())
        } catch let error as EngineError {
            throw error.storeError
        } catch let error as ScenarioError {
            throw error.storeError("the stored scenario is not valid")
        }
    }

    static func print(_ whatIf: WhatIfRun, session: StoredWhatIfSession?, top: Int, json: Bool) {
        if json {
            var object = whatIf.summary(limit: .max).objectValue ?? JSONObject()
            object["base_scenario_id"] = .string(whatIf.baseID)
            if let session { object["session"] = session.json }
            StoreOutput.printJSON(.object(object))
            return
        }
        var lines = ["what-if: " + whatIf.changes.lines.joined(separator: ", "),
                     "modified scenario \(whatIf.scenarioID) · " + (whatIf.outcome.isCached ? "cached result" : "computed"),
                     "", ScenarioDiffCommand.table(whatIf.diff, top: top)]
        if let session {
            lines += ["", "session \(session.name) (\(session.id)) · \(session.status.rawValue) · \(session.history.count) run\(session.history.count == 1 ? "" : "s")"]
        }
        StoreOutput.print(lines.joined(separator: "\n"))
    }

    static func close(_ key: String, as status: StoredWhatIfSession.Status, store options: StoreOptions) throws {
        try StoreOutput.run(json: options.json) {
            let opened = try options.openStore()
            let stored = try session(key, in: opened)
            let closed = try opened.closeWhatIfSession(stored.id, as: status, by: opened.actor, isAdmin: true)
            if options.json {
                StoreOutput.printJSON(closed.json)
            } else {
                StoreOutput.print("what-if session \(closed.name) (\(closed.id)) is \(closed.status.rawValue)")
            }
        }
    }
}
