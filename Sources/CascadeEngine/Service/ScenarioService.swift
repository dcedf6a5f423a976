import CascadeFormula
import CascadeJSON
import CascadeStore
import Foundation

/// Submitting and running scenarios against a store, with the result cache.
///
/// A run first compares the store's data version with the one its cached result was computed
/// at (one cheap query); if nothing was written since, the cached result is returned. Otherwise
/// it resolves the inputs and compares their fingerprint: unchanged inputs (a write to something
/// the run does not read) still return the cached result; changed ones recompute.
package struct ScenarioService {
    package let store: Store
    /// Whether runs read and write world snapshots, and where (default: from the environment).
    package var snapshots: SnapshotSettings
    /// Whether a run's world, prepared graph and result are kept until the process exits rather
    /// than freed (`ProcessLifetime`): for a command that exits after one run.
    package var keepsRunsUntilExit = false

    package init(store: Store, snapshots: SnapshotSettings = .environment(ProcessInfo.processInfo.environment)) {
        self.store = store
        self.snapshots = snapshots
    }

    /// A run's outcome: the result summary, the entities (as JSON text) when loaded, and
    /// whether it came from the cache.
    package struct Outcome: Sendable {
        package var scenarioID: String
        /// The result without the per-entity list, with `top_movers` per level and `entity_count`.
        package var summary: JSONValue
        /// Every reported entity's result, as JSON text with sorted keys, in id order; nil when
        /// a cached result's entities were not asked for. (A fresh run's are serialised when read.)
        package var entityTexts: [String]? {
            get {
                switch texts {
                case .stored(let texts): texts
                case .result(let entities): entities.indices.map { entities.jsonText(at: $0) }
                }
            }
            set { texts = .stored(newValue) }
        }

        /// Each entity's text of `entityTexts`, in order, made one at a time: a 1 M-entity result's
        /// texts are ~2.7 GB, which a caller writing them out never needs to hold at once.
        package func forEachEntityText<Failure: Error>(_ body: (String) throws(Failure) -> Void) throws(Failure) {
            switch texts {
            case .stored(let texts):
                for text in texts ?? [] { try body(text) }
            case .result(let entities):
                for position in entities.indices { try body(entities.jsonText(at: position)) }
            }
        }

        enum Texts: Sendable {
            case stored([String]?)
            case result(EntityResults)
        }

        var texts: Texts
        package var isCached: Bool
        package var fingerprint: String
        /// Why it was (or was not) cached, for the summary line.
        package var cacheNote: String

        init(scenarioID: String, summary: JSONValue, entityTexts: [String]?, isCached: Bool, fingerprint: String, cacheNote: String) {
            self.init(scenarioID: scenarioID, summary: summary, texts: .stored(entityTexts), isCached: isCached,
                      fingerprint: fingerprint, cacheNote: cacheNote)
        }

        init(scenarioID: String, summary: JSONValue, texts: Texts, isCached: Bool, fingerprint: String, cacheNote: String) {
            self.scenarioID = scenarioID
            self.summary = summary
            self.texts = texts
            self.isCached = isCached
            self.fingerprint = fingerprint
            self.cacheNote = cacheNote
        }

        /// How many entity results the outcome holds (without serialising them), when known.
        package var entityCount: Int? {
            switch texts {
            case .stored(let texts): texts?.count
            case .result(let entities): entities.count
            }
        }

        /// The full result document of `docs/formats.md` as JSON text (keys sorted).
        package var documentText: String {
            var text = ""
            writeDocument { text += $0 }
            return text
        }

        /// `documentText` in pieces of about `chunkBytes` bytes, handed to `write` in order (their
        /// concatenation is `documentText`), with at most one piece and one entity's text held:
        /// `cascade run --json` on a 1 M-entity result held ~8 GB building it whole.
        package func writeDocument<Failure: Error>(chunkBytes: Int = 1 << 20, _ write: (String) throws(Failure) -> Void) throws(Failure) {
            var chunks = documentChunks(chunkBytes: chunkBytes)
            while let chunk = chunks.next() { try write(chunk) }
        }

        /// The pieces `writeDocument` hands out, one per `next()` (the API streams a response
        /// body from it, writing each piece before the next is made).
        package func documentChunks(chunkBytes: Int = 1 << 20) -> DocumentChunks {
            var object = summary.objectValue ?? JSONObject()
            object["top_movers"] = nil
            object["moved_per_level"] = nil
            object["source_names"] = nil
            object["entity_count"] = nil
            object["entities"] = .string(ScenarioService.entitiesMarker)
            let text = JSONValue.object(object).withSortedKeys().serialized()
            let marker = JSNumber.quoted(ScenarioService.entitiesMarker)
            // The marker is a NUL-delimited string no serialised value contains, so it occurs once.
            let around = text.split(separator: marker, maxSplits: 1, omittingEmptySubsequences: false)
            return DocumentChunks(outcome: self, head: String(around[0]), tail: around.count > 1 ? String(around[1]) : "",
                                  chunkBytes: chunkBytes)
        }

        /// The document in pieces of about `chunkBytes` bytes: its text up to the entity list,
        /// the entities' texts, and the rest, with at most one piece and one entity's text held.
        package struct DocumentChunks: IteratorProtocol, Sendable {
            let outcome: Outcome
            let head: String, tail: String
            let chunkBytes: Int
            private var position = 0
            private var state = State.head
            private enum State { case head, entities, done }

            init(outcome: Outcome, head: String, tail: String, chunkBytes: Int) {
                self.outcome = outcome
                self.head = head
                self.tail = tail
                self.chunkBytes = chunkBytes
            }

            package mutating func next() -> String? {
                var chunk: String
                switch state {
                case .done: return nil
                case .head: chunk = head + "["
                case .entities: chunk = ""
                }
                state = .entities
                let count = outcome.entityCount ?? 0
                while position < count {
                    if position > 0 { chunk += "," }
                    chunk += outcome.entityText(at: position)
                    position += 1
                    if chunk.utf8.count >= chunkBytes { return chunk }
                }
                state = .done
                return chunk + "]" + tail
            }
        }

        /// The full result document, parsed (convenient for small graphs and tests).
        package var document: JSONValue { (try? JSONValue.parse(documentText)) ?? summary }
    }

    /// Validates a scenario document and stores it; nothing is written when it is invalid.
    package func submit(_ document: JSONValue, today: String) throws -> (id: String, scenario: Scenario) {
        let scenario = try Scenario.parse(document, defaultAsOf: today)
        return (try store(scenario, document, world: try EngineWorld.load(from: store), prepared: nil), scenario)
    }

    /// Checks `scenario` against the world (with `prepared`, the scenario already resolved against
    /// it, when there is one) and stores it. Submitting the same document again (even
    /// concurrently) finds the stored scenario and its cached result.
    private func store(_ scenario: Scenario, _ document: JSONValue, world: EngineWorld, prepared: PreparedRun?) throws -> String {
        let problems = ScenarioValidation.problems(scenario, explicitUnits: Scenario.variablesWithExplicitUnits(in: document),
                                                   world: world, prepared: prepared)
        if !problems.isEmpty { throw ScenarioError(problems: problems) }
        return try store.submitScenario(name: scenario.name, description: scenario.description, author: scenario.author,
                                        asOf: scenario.asOf, isPublic: scenario.isPublic, document: scenario.json).id
    }

    /// A world loaded once for a submit-then-run, with the data version read *before* it was
    /// loaded (a write in between makes the next run look again; it can never make a stale result
    /// look current) and the scenario resolved against it once, for the checks and for the run.
    struct Preloaded {
        let loaded: LoadedWorld
        var world: EngineWorld { loaded.world }
        let dataVersion: String
        let loadTime: Duration
        let prepared: PreparedScenario?
        /// Parsing, checking and storing the scenario (the time before the run that is neither
        /// loading nor preparing): the run's `submit` timing.
        var submitTime = Duration.zero
    }

    /// `cascade run FILE`: stores the scenario and runs it. When the same document is stored with
    /// a result cached at the current data version, that result is returned without loading the
    /// world; otherwise the world is loaded and the scenario resolved once, for both the submit-time
    /// checks and the run (they used to load and resolve it twice).
    /// With `sensitivities` every entity carries its sensitivities (as `"sensitivities": true` in
    /// the document would; the stored document is not changed).
    package func submitAndRun(_ document: JSONValue, today: String, force: Bool = false, includeEntities: Bool = false,
                             sensitivities: Bool = false,
                             progress: (WorkProgress) -> Void = { _ in }) throws -> (id: String, scenario: Scenario, outcome: Outcome) {
        let submitStart = ContinuousClock.now
        let scenario = try Scenario.parse(document, defaultAsOf: today)
        let dataVersion = try store.dataVersion()
        if !force, let id = try store.storedScenarioID(name: scenario.name, author: scenario.author, document: scenario.json),
           let stored = try store.scenario(id), stored.resultDataVersion == dataVersion {
            return (id, scenario, try run(id, includeEntities: includeEntities, sensitivities: sensitivities, progress: progress))
        }
        let start = ContinuousClock.now
        progress(WorkProgress("loading the graph"))
        let loaded = try loadWorld()
        let world = loaded.world
        let loadTime = ContinuousClock.now - start
        progress(WorkProgress("resolving entities and relationships", total: world.entityCount + world.relationshipCount, unit: "rows"))
        // A scenario the world cannot resolve is reported by the checks (an unknown shock) or by the run.
        var resolved = scenario
        resolved.sensitivities = scenario.sensitivities || sensitivities
        let prepared = try? Engine.prepare(resolved, world: world)
        let id = try store(scenario, document, world: world, prepared: prepared?.run)
        var preloaded = Preloaded(loaded: loaded, dataVersion: dataVersion, loadTime: loadTime, prepared: prepared)
        preloaded.submitTime = ContinuousClock.now - submitStart - loadTime - (prepared?.prepareTime ?? .zero)
        return (id, scenario, try run(id, force: force, includeEntities: includeEntities, sensitivities: sensitivities,
                                      preloaded: preloaded, progress: progress))
    }

    /// Propagates a stored scenario, or returns its cached result when nothing it read changed.
    /// `progress` receives each phase of the run (loading, resolving — with the world's size —,
    /// propagating, storing).
    /// With a queue job's `lease`, the job is marked done in the transaction that stores the result
    /// (or, for a cached result, in its own), and nothing is stored if the lease was lost.
    /// With `sensitivities` (or `"sensitivities": true` in the scenario) every entity carries its
    /// sensitivities; a cached result without them does not answer.
    ///
    /// With `draws` (a queue worker's `DrawChunkWork`), a Monte Carlo scenario's draws may be
    /// computed in chunks by several workers: it is given the prepared run once the cache did not
    /// answer, and returns the merged impacts of every draw (nil: the run computes them itself).
    package func run(_ key: String, force: Bool = false, includeEntities: Bool = false, sensitivities: Bool = false,
                    lease: JobLease? = nil, draws: ((PreparedScenario) throws -> DrawImpacts?)? = nil,
                    progress: (WorkProgress) -> Void = { _ in }) throws -> Outcome {
        try run(key, force: force, includeEntities: includeEntities, sensitivities: sensitivities, lease: lease, preloaded: nil,
                draws: draws, progress: progress)
    }

    /// The stored scenario `key` as a run reads it (with `sensitivities`, as `"sensitivities": true`).
    func storedScenario(_ key: String, sensitivities: Bool) throws -> (stored: StoredScenario, scenario: Scenario) {
        guard let stored = try store.scenario(key) else {
            throw StoreError(.notFound, "no scenario `\(key)`", hint: "`cascade scenario list` shows the stored ones")
        }
        var scenario = try Scenario.parse(stored.document, defaultAsOf: stored.asOf ?? "1970-01-01")
        if sensitivities { scenario.sensitivities = true }
        return (stored, scenario)
    }

    func run(_ key: String, force: Bool, includeEntities: Bool, sensitivities: Bool = false, lease: JobLease? = nil,
             preloaded: Preloaded?, draws: ((PreparedScenario) throws -> DrawImpacts?)? = nil,
             progress: (WorkProgress) -> Void) throws -> Outcome {
        let (stored, scenario) = try storedScenario(key, sensitivities: sensitivities)
        let dataVersion = try preloaded?.dataVersion ?? store.dataVersion()
        if !force, stored.resultDataVersion == dataVersion, let fingerprint = stored.resultFingerprint,
           var cached = try cachedOutcome(stored.id, fingerprint: fingerprint, includeEntities: includeEntities,
                                          sensitivities: scenario.sensitivities) {
            cached.cacheNote = "nothing was written to the store since the last run"
            if let lease { try store.finishJob(lease, status: .succeeded, cached: true) }
            return cached
        }
        let runID = try store.startRun(scenarioID: stored.id, jobID: lease?.jobID)
        let prepared: PreparedScenario
        let loaded: LoadedWorld
        let loadStart = ContinuousClock.now
        var loadTime = Duration.zero
        do {
            if let preloaded, let ready = preloaded.prepared, ready.run.scenario == scenario {
                loadTime = preloaded.loadTime
                loaded = preloaded.loaded
                prepared = ready
            } else if let preloaded {
                loadTime = preloaded.loadTime
                loaded = preloaded.loaded
                prepared = try Engine.prepare(scenario, world: preloaded.world)
            } else {
                progress(WorkProgress("loading the graph"))
                loaded = try loadWorld()
                let world = loaded.world
                loadTime = ContinuousClock.now - loadStart
                progress(WorkProgress("resolving entities and relationships", total: world.entityCount + world.relationshipCount, unit: "rows"))
                prepared = try Engine.prepare(scenario, world: world)
            }
        } catch {
            try? store.finishRun(runID, status: .failed, error: String(describing: error))
            throw error
        }
        MemoryProbe.mark("load and prepare")
        let fingerprint = prepared.fingerprint
        keepSnapshot(of: loaded, prepared: prepared)
        MemoryProbe.mark("fingerprint and snapshot")
        if !force, stored.resultFingerprint == fingerprint,
           var cached = try cachedOutcome(stored.id, fingerprint: fingerprint, includeEntities: includeEntities) {
            try store.confirmResult(scenarioID: stored.id, dataVersion: dataVersion)
            try store.finishRun(runID, status: .succeeded, counts: .object(JSONObject([("cached", .bool(true))])))
            if let lease { try store.finishJob(lease, status: .succeeded, runID: runID, cached: true) }
            cached.cacheNote = "the store changed, but nothing this run reads"
            return cached
        }
        progress(WorkProgress("propagating"))
        var result: RunResult
        // Reading the previous result is timed as `previous` when the run reuses it.
        let planStart = ContinuousClock.now
        let plan = recomputePlan(stored.id, prepared: prepared, world: loaded.world, force: force)
        let planTime = ContinuousClock.now - planStart
        var chunkTime: Duration?
        do {
            let chunkStart = ContinuousClock.now
            let merged = try draws?(prepared)
            if merged != nil { chunkTime = ContinuousClock.now - chunkStart }
            result = try prepared.propagate(memoryBudget: nil, sensitivities: nil, plan: plan, draws: merged)
        } catch {
            // A non-finite value: the run fails and nothing is cached.
            try? store.finishRun(runID, status: .failed, error: String(describing: error))
            throw error
        }
        if keepsRunsUntilExit {
            ProcessLifetime.keep(loaded.world)
            ProcessLifetime.keep(prepared)
            ProcessLifetime.keep(result.entities)
        }
        result.scenarioID = stored.id
        result.stats.addTiming("load", loadTime, first: true)
        if case .incremental = plan { result.stats.addTiming("previous", planTime, first: false) }
        if let chunkTime { result.stats.addTiming("chunks", chunkTime, first: false) }
        if let preloaded { result.stats.addTiming("submit", preloaded.submitTime, first: true) }
        result.stats.worldSource = loaded.source
        result.stats.worldDigest = prepared.run.worldDigestSource
        progress(WorkProgress("storing the result"))
        let storeStart = ContinuousClock.now
        let summary = result.summaryJSON()
        MemoryProbe.mark("summary")
        let worldPartTime: Duration?
        do {
            worldPartTime = try save(summary, result: result, scenarioID: stored.id, dataVersion: dataVersion,
                                     run: (runID, summary["stats"]), lease: lease, rewritingWorld: force)
            MemoryProbe.mark("store")
        } catch {
            try? store.finishRun(runID, status: .failed, error: String(describing: error))
            throw error
        }
        // The run-log row, finished with the result, also gets the time storing it took (the
        // result document cannot hold its own storing time). The result is stored: a failure
        // to add a timing does not fail the run.
        if var stats = summary["stats"]?.objectValue, var timings = stats["timings_ms"]?.objectValue {
            timings["store"] = .number(((ContinuousClock.now - storeStart).milliseconds * 1000).rounded() / 1000)
            if let worldPartTime { timings["store_world_part"] = .number((worldPartTime.milliseconds * 1000).rounded() / 1000) }
            stats["timings_ms"] = .object(timings)
            try? store.finishRun(runID, status: .succeeded, counts: .object(stats))
        }
        return Outcome(scenarioID: stored.id, summary: summary, texts: .result(result.entities), isCached: false,
                       fingerprint: fingerprint,
                       cacheNote: stored.resultFingerprint == nil ? "first run" : "inputs changed since the cached run")
    }

    /// Stands for the entity list in a serialised summary until the entity texts are spliced in
    /// (a NUL cannot occur in a JSON text's strings unescaped, so it never matches real content).
    static let entitiesMarker = "\u{0}ENTITIES\u{0}"

    /// Graphs with more reported entities than this keep them in `scenario_entity_results`;
    /// smaller results are stored whole in `simulation_results`.
    static let inlineEntityLimit = 2_000

    /// Stores the result, finishes the run-log row `run` and completes the job `lease` in one
    /// transaction: a small result whole in the summary, a large one's entities as columns. With
    /// `rewritingWorld` (a forced run) its world part is written even when one of its key is
    /// stored, which repairs a damaged one. Returns how long encoding and hashing the world part
    /// took (nil for a small result, which has none).
    @discardableResult
    func save(_ summary: JSONValue, result: RunResult, scenarioID: String, dataVersion: String,
              run: (id: String, counts: JSONValue?), lease: JobLease?, rewritingWorld: Bool = false) throws -> Duration? {
        let entities = result.entities
        if entities.count <= ScenarioService.inlineEntityLimit {
            // The entity texts are spliced into the summary's text, not parsed back into values.
            var whole = summary.objectValue ?? JSONObject()
            whole["entities"] = .string(Self.entitiesMarker)
            let text = JSONValue.object(whole).serialized().replacingOccurrences(
                of: JSNumber.quoted(Self.entitiesMarker), with: "[" + entities.indices.map { entities.jsonText(at: $0) }.joined(separator: ",") + "]")
            try store.storeResult(scenarioID: scenarioID, fingerprint: result.fingerprint, dataVersion: dataVersion,
                                  summaryText: text, run: run, lease: lease)
            return nil
        } else {
            // One binary document of the run's columns, not a JSON row per entity (see `ResultColumns`):
            // its world part, which every run of the world shares, stored once; its run part
            // encoded and stored part by part, never held whole.
            let table = entities.table, positions = entities.positions
            let worldStart = ContinuousClock.now
            let world = table.map(ResultColumns.encodeWorld)
            let worldPartTime = ContinuousClock.now - worldStart
            try store.storeResult(scenarioID: scenarioID, fingerprint: result.fingerprint, dataVersion: dataVersion,
                                  summaryText: summary.serialized(),
                                  world: world.map { ResultWorld(key: $0.keyText, bytes: $0.bytes, replacesStored: rewritingWorld) }, parts: { store in
                                      if let table, let world {
                                          try ResultColumns.encode(table, positions: positions, world: world.key,
                                                                   partBytes: Store.resultPartBytes, emit: store)
                                      } else {
                                          try store([])
                                      }
                                  }, run: run, lease: lease)
            return table == nil ? nil : worldPartTime
        }
    }

    /// The stored result, marked as cached; entities come from the row itself (small results),
    /// from its columns (large ones) or from the per-entity rows of older results, when asked for.
    /// With `sensitivities` given, only a result that has sensitivities (true) or has none (false).
    func cachedOutcome(_ scenarioID: String, fingerprint: String, includeEntities: Bool, sensitivities: Bool? = nil) throws -> Outcome? {
        guard let stored = try store.result(scenarioID: scenarioID, includeEntities: includeEntities),
              var summary = stored.summary.objectValue, summary["fingerprint"]?.stringValue == fingerprint else { return nil }
        if let sensitivities, (summary["sensitivity_keys"] != nil) != sensitivities { return nil }
        var texts: Outcome.Texts = .stored(includeEntities ? stored.entityTexts : nil)
        if let columns = stored.columns {
            do {
                texts = .result(try ResultColumns.decode(columns, world: stored.worldColumns))
            } catch {
                throw StoreError(.database, "\(error)", hint: "run the scenario again with --force to recompute it")
            }
        } else if let inline = summary["entities"]?.arrayValue {
            texts = .stored(includeEntities ? inline.map { $0.withSortedKeys().serialized() } : nil)
        }
        summary["entities"] = nil
        summary["cached"] = .bool(true)
        return Outcome(scenarioID: scenarioID, summary: JSONValue.object(summary).withSortedKeys(), texts: texts,
                       isCached: true, fingerprint: fingerprint, cacheNote: "")
    }
}
