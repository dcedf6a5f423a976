import CascadeJSON
import CascadeStore

extension EngineWorld {
    /// The world in which every reference to a pinned formula by name alone binds the pinned
    /// version — active or not, whatever its effective date — as if it were the only active one.
    /// References pinned in the graph itself (`name@3`) keep their version.
    /// Throws `invalidInput` for a pin without a version and `notFound` for one the registry lacks.
    package func pinning(_ pins: [FormulaReference], location: String = "--use") throws -> EngineWorld {
        var world = self
        for pin in pins {
            guard let version = pin.version else {
                throw StoreError(.invalidInput, "`--use \(pin.name)` names no version", location: location,
                                 hint: "write NAME@VERSION, e.g. \(pin.name)@2")
            }
            let versions = world.formulas.filter { $0.name == pin.name }.map(\.version)
            guard versions.contains(version) else {
                throw StoreError(.notFound, "no formula `\(pin)` in the registry", location: location,
                                 hint: versions.isEmpty ? "`cascade formula list` shows the registered names"
                                     : "`\(pin.name)` has versions \(versions.sorted().map(String.init).joined(separator: ", "))")
            }
            for i in world.formulas.indices where world.formulas[i].name == pin.name {
                let pinned = world.formulas[i].version == version
                world.formulas[i].isActive = pinned
                if pinned { world.formulas[i].effectiveDate = "0001-01-01" }
            }
        }
        return world
    }
}

extension ScenarioService {
    /// Propagates a stored scenario with some formulas pinned to a version (`cascade run --use`):
    /// a what-if that is neither read from nor written to the scenario's cached result. With
    /// `sensitivities` (or `"sensitivities": true` in the scenario) every entity carries its
    /// sensitivities, differentiated through the pinned formulas.
    package func run(_ key: String, pinning pins: [FormulaReference], includeEntities: Bool = false,
                    sensitivities: Bool = false, location: String = "--use") throws -> Outcome {
        guard let stored = try store.scenario(key) else {
            throw StoreError(.notFound, "no scenario `\(key)`", hint: "`cascade scenario list` shows the stored ones")
        }
        var scenario = try Scenario.parse(stored.document, defaultAsOf: stored.asOf ?? "1970-01-01")
        if sensitivities { scenario.sensitivities = true }
        let world = try EngineWorld.load(from: store).pinning(pins, location: location)
        var result = try Engine.prepare(scenario, world: world).propagate()
        result.scenarioID = stored.id
        guard case .object(var summary) = result.summaryJSON() else { preconditionFailure("a run's summary is a JSON object") }
        summary["pinned"] = .array(pins.map { .string($0.description) })
        return Outcome(scenarioID: stored.id, summary: .object(summary), texts: .result(result.entities), isCached: false,
                       fingerprint: result.fingerprint,
                       cacheNote: "formulas pinned with \(location) (\(pins.map(\.description).joined(separator: ", "))); not cached")
    }
}
