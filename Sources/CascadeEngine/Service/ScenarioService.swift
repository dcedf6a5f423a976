import CascadeJSON
import CascadeStore

/// Submitting and running scenarios against a store, with the result cache.
///
/// A run first compares the store's data version with the one its cached result was computed
/// at (one cheap query); if nothing was written since, the cached result is returned. Otherwise
/// it resolves the inputs and compares their fingerprint: unchanged inputs (a write to something
/// the run does not read) still return the cached result; changed ones recompute.
public struct ScenarioService {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// A run's outcome: the result document of `interfaces.md` and whether it came from the cache.
    public struct Outcome: Sendable {
        public var scenarioID: String
        public var document: JSONValue
        public var isCached: Bool
        public var fingerprint: String
        /// Why it was (or was not) cached, for the summary line.
        public var cacheNote: String
    }

    /// Validates a scenario document and stores it; nothing is written when it is invalid.
    public func submit(_ document: JSONValue, today: String) throws -> (id: String, scenario: Scenario) {
        let scenario = try Scenario.parse(document, defaultAsOf: today)
        // Submitting the same document again finds the stored scenario (and its cached result).
        let canonical = scenario.json.serialized(sortedKeys: true)
        if let existing = try store.scenarios().first(where: {
            $0.name == scenario.name && $0.document.serialized(sortedKeys: true) == canonical
        }) {
            return (existing.id, scenario)
        }
        let id = try store.insertScenario(name: scenario.name, description: scenario.description, author: scenario.author,
                                          asOf: scenario.asOf, isPublic: scenario.isPublic, document: scenario.json)
        return (id, scenario)
    }

    /// Propagates a stored scenario, or returns its cached result when nothing it read changed.
    /// `progress` receives a line per phase of a long run (loading, resolving, propagating, storing).
    public func run(_ key: String, force: Bool = false, progress: (String) -> Void = { _ in }) throws -> Outcome {
        guard let stored = try store.scenario(key) else {
            throw StoreError(.notFound, "no scenario `\(key)`", hint: "`cascade scenario list` shows the stored ones")
        }
        let scenario = try Scenario.parse(stored.document, defaultAsOf: stored.asOf ?? "1970-01-01")
        let dataVersion = try store.dataVersion()
        if !force, stored.resultDataVersion == dataVersion, let fingerprint = stored.resultFingerprint,
           let cached = try cachedDocument(stored.id, fingerprint: fingerprint) {
            return Outcome(scenarioID: stored.id, document: cached, isCached: true, fingerprint: fingerprint,
                           cacheNote: "nothing was written to the store since the last run")
        }
        let runID = try store.startRun(scenarioID: stored.id)
        let prepared: PreparedScenario
        do {
            progress("loading the graph from \(store.location)")
            let world = try EngineWorld.load(from: store)
            progress("resolving \(world.entities.count) entities and \(world.relationships.count) relationships")
            prepared = try Engine.prepare(scenario, world: world)
        } catch {
            try? store.finishRun(runID, status: .failed, error: String(describing: error))
            throw error
        }
        let fingerprint = prepared.fingerprint
        if !force, stored.resultFingerprint == fingerprint, let cached = try cachedDocument(stored.id, fingerprint: fingerprint) {
            try store.confirmResult(scenarioID: stored.id, dataVersion: dataVersion)
            try store.finishRun(runID, status: .succeeded, counts: .object(JSONObject([("cached", .bool(true))])))
            return Outcome(scenarioID: stored.id, document: cached, isCached: true, fingerprint: fingerprint,
                           cacheNote: "the store changed, but nothing this run reads")
        }
        progress("propagating")
        var result = prepared.propagate()
        progress("storing \(result.entities.count) entity results")
        result.scenarioID = stored.id
        let document = result.json.withSortedKeys()
        do {
            try save(document, result: result, scenarioID: stored.id, dataVersion: dataVersion)
            try store.finishRun(runID, status: .succeeded, counts: document["stats"])
        } catch {
            try? store.finishRun(runID, status: .failed, error: String(describing: error))
            throw error
        }
        return Outcome(scenarioID: stored.id, document: document, isCached: false, fingerprint: fingerprint,
                       cacheNote: stored.resultFingerprint == nil ? "first run" : "inputs changed since the cached run")
    }

    /// Graphs with more reported entities than this keep them in `scenario_entity_results`.
    static let inlineEntityLimit = 2_000

    func save(_ document: JSONValue, result: RunResult, scenarioID: String, dataVersion: String) throws {
        let entities = document["entities"]?.arrayValue ?? []
        if entities.count <= ScenarioService.inlineEntityLimit {
            try store.storeResult(scenarioID: scenarioID, fingerprint: result.fingerprint, dataVersion: dataVersion,
                                  summary: document, entities: [])
        } else {
            var summary = document.objectValue ?? JSONObject()
            summary["entities"] = nil
            summary["entities_stored_apart"] = .number(Double(entities.count))
            try store.storeResult(scenarioID: scenarioID, fingerprint: result.fingerprint, dataVersion: dataVersion,
                                  summary: .object(summary),
                                  entities: zip(result.entities, entities).map { ($0.id, $1) })
        }
    }

    /// The stored result document, reassembled, marked as cached.
    func cachedDocument(_ scenarioID: String, fingerprint: String) throws -> JSONValue? {
        guard let stored = try store.result(scenarioID: scenarioID), var object = stored.summary.objectValue,
              object["fingerprint"]?.stringValue == fingerprint else { return nil }
        if object["entities_stored_apart"] != nil {
            object["entities_stored_apart"] = nil
            object["entities"] = .array(stored.entities.sorted {
                byteOrder($0["id"]?.stringValue ?? "", $1["id"]?.stringValue ?? "")
            })
        }
        object["cached"] = .bool(true)
        return JSONValue.object(object).withSortedKeys()
    }
}
