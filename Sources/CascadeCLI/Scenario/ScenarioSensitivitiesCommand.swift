import ArgumentParser
import CascadeEngine
import CascadeFormula
import CascadeJSON
import CascadeStore
import Foundation

/// `cascade scenario sensitivities ID [--entity E] [--json | --format csv]`: each entity's exact
/// ∂impact/∂value per variable and shock of the scenario (the result computed with
/// sensitivities, or the cached one when it has them; see docs/propagation.md).
struct ScenarioSensitivitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensitivities",
        abstract: "Print each entity's exact sensitivity to every variable and shock of a scenario.",
        discussion: "Runs the scenario with sensitivities (or returns its cached result when that has them). "
            + "Values are ∂impact/∂value, the value in decimals as the scenario writes it: -2.9 for a % variable is -2.9 % per +1 pp.")

    @OptionGroup var store: StoreOptions
    @Argument(help: ScenarioFiles.keyHelp) var id: String
    @Option(help: "Only this entity: its id, or its name.") var entity: String?
    @Option(help: "table (default) or csv (RFC 4180: one row per entity and key).") var format: OutputFormat = .table
    @Flag(help: "Recompute even when a cached result is valid.") var force = false

    func run() throws {
        try StoreOutput.run(json: store.json) {
            try format.check(json: store.json)
            let opened = try store.openStore()
            let scenario = try ScenarioFiles.stored(id, in: opened)
            let outcome = try ScenarioFiles.run(scenario.id, with: ScenarioService(store: opened), force: force, includeEntities: true,
                                                quiet: true, sensitivities: true)
            let document = try outcome.sensitivities(entity: entity)
            if store.json {
                StoreOutput.printJSON(document)
            } else if format == .csv {
                FileHandle.standardOutput.write(Data(ResultCSV.sensitivities(document).utf8))
            } else {
                StoreOutput.print(Self.table(document))
            }
        }
    }

    /// One line per entity and non-zero key, largest first within an entity; undefined keys said as such.
    static func table(_ document: JSONValue) -> String {
        var rows: [[String]] = []
        for entity in document["entities"]?.arrayValue ?? [] {
            let name = entity["name"]?.stringValue ?? "", level = entity["level"]?.numberValue.map { String(Int($0)) } ?? ""
            let values = (entity["sensitivities"]?.objectValue ?? JSONObject()).map { ($0.key, $0.value.numberValue ?? 0) }
                .sorted { abs($0.1) != abs($1.1) ? abs($0.1) > abs($1.1) : $0.0 < $1.0 }
            for (key, value) in values { rows.append([name, level, key, JSNumber.format(value)]) }
            for key in entity["sensitivities_undefined"]?.arrayValue ?? [] {
                rows.append([name, level, key.stringValue ?? "", "undefined (a threshold, kink or tie at this point)"])
            }
        }
        if rows.isEmpty { return "no entity moves with any variable or shock of the scenario" }
        return StoreOutput.table(["entity", "level", "key", "∂impact/∂value"], rows)
    }
}
