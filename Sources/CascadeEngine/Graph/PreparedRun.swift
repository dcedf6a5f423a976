import CascadeFormula
import CascadeJSON
import CascadeStore

/// How an effective edge relates the levels of its ends.
enum EdgeClass: UInt8, Sendable {
    case down, sameLevel, feedback
}

/// One run's graph in compact arrays, with every name resolved and every formula bound:
/// what the propagation reads. Built by `PreparedRun.prepare`, which reports every problem
/// that would stop the run before anything is computed.
/// - Complexity: O(E log E + V) to build, for V entities and E relationships.
final class PreparedRun {
    let scenario: Scenario
    var warnings: [String] = []

    // Entities, numbered by level (0 → 9, then those without one), in id order within a level,
    // so that a pass over a level walks the arrays (and the edges grouped by target) in order.
    // `idOrder` lists them in id (byte) order: the order of results and of the fingerprint.
    var ids: [String] = []
    var idOrder: [Int32] = []
    var names: [String] = []
    var types: [String] = []
    var categories: [String] = []
    /// Ontology level 0–9, or -1 for an entity left out (no valid level).
    var levels: [Int] = []
    /// The metadata object with sorted keys as JSON text (its canonical form), "" when empty.
    var metadataTexts: [String] = []
    var isMacro: [Bool] = []
    /// `metadata.current_value` (numeric), else 1.
    var levelValues: [Double] = []
    var hasCurrentValue: [Bool] = []
    var sectorIndex: [Int] = []
    /// For MACRO entities, the variable they bind; else -1.
    var macroVariable: [Int] = []
    var entitiesByLevel: [[Int]] = Array(repeating: [], count: 10)
    /// Metadata objects and formula values parsed on demand (most entities' are never read).
    private var metadataObjects: [Int: JSONObject] = [:]
    private var metadataFormulaValues: [Int: Value] = [:]

    // Variables: MACRO entities' and the scenario's.
    var variableNames: [String] = []
    var variableValues: [Double] = []
    var variableBaselines: [Double] = []
    var variableIsBound: [Bool] = []
    /// Per variable: its baseline is its own scenario value (it binds no MACRO entity and has no
    /// macro_data row), so it carries no shock and moves both contexts together.
    var variableBaselineIsValue: [Bool] = []

    // Coefficients: table[sector][type] → the resolved row.
    var sectors: [String] = []
    var coefficientTypes: [String] = []
    var coefficientTable: [[SectorCoefficient?]] = []
    var coefficientRowsRead: [String: SectorCoefficient] = [:]
    var macroPointsRead: [MacroPoint] = []

    // Relationships sorted by id, as columns (see `WorldColumns`).
    var relationshipIDs = IDColumn()
    var relationshipSources: [Int32] = []
    var relationshipTargets: [Int32] = []
    var relationshipTypes: [UInt8] = []
    var relationshipTypeNames: [String] = []
    var relationshipWeights: [Double] = []
    var relationshipHasWeight: [Bool] = []
    var relationshipFormulas: [Int32] = []
    var relationshipMetadata: [Int32] = []
    var texts: [String] = []
    /// Per text index: the canonical form of a relationship metadata text (sorted keys; "" when
    /// it is not an object), for the fingerprint.
    var canonicalMetadata: [String?] = []

    // Effective edges grouped by target (CSR) in relationship order.
    var edgeSource: [Int32] = []
    var edgeTarget: [Int32] = []
    var edgeRelationship: [Int32] = []
    /// `sign · weight` (weight 1 when the relationship has none).
    var edgeSignedWeight: [Double] = []
    var edgeIsBottleneck: [Bool] = []
    var edgeClass: [EdgeClass] = []
    /// Index into `programs`, or -1 for linear pass-through.
    var edgeProgram: [Int32] = []
    var incomingStart: [Int] = []
    /// The same edges' targets grouped by source (CSR, edge order within a source): entity i's
    /// are `targetsBySource[targetStart[i]..<targetStart[i + 1]]`. Read by the sensitivities'
    /// forward push, built once with the incoming grouping rather than in every such run.
    var targetStart: [Int32] = []
    var targetsBySource: [Int32] = []
    var programs: [EdgeProgram] = []
    var formulasUsed: [String: RegistryFormula] = [:]
    var inlineFormulaCount = 0

    /// The slots of the edges whose formula `bindPrograms` binds for the scenario, in relationship order.
    var bindingSlots: [Int32] = []
    /// How many edges into MACRO entities were left out (a warning).
    var edgesIntoMacro = 0
    /// Problems of the relationships found by `buildEdges`, reported by `bindPrograms` in
    /// relationship order among those of the binding.
    var edgeProblems: [(relationship: Int32, problem: EngineError.Problem)] = []

    /// Same-level strongly connected components per level, in topological order.
    var components: [[[Int]]] = Array(repeating: [], count: 10)
    var componentIsCyclic: [[Bool]] = Array(repeating: [], count: 10)

    var problems: [EngineError.Problem] = []

    /// The digest of the entities and relationships, when the world came with one (a snapshot's).
    var knownWorldDigest: String?
    /// Where the world digest came from: the world's (`EngineWorld.worldDigestSource`), or
    /// `"hashed"` once `worldDigest` computed it (then `hashedWorldDigest` is that digest).
    var worldDigestSource: String?
    var hashedWorldDigest: WorldDigest?
    /// What the entities' metadata says, in id order: the world's (a snapshot's) or read by `prepare`.
    var entityFacts = EntityFacts()

    /// Whether macro baselines prefer `metadata.current_value` or the history (see `MacroBaselines`).
    var baselineSource = MacroBaselines.current

    init(scenario: Scenario) {
        self.scenario = scenario
    }

    func problem(_ location: String, _ message: String, detail: String? = nil) {
        if problems.count < 200 { problems.append(.init(location: location, message: message, detail: detail)) }
    }

    /// Resolves the world for the scenario; throws every problem that would stop the run.
    static func prepare(_ scenario: Scenario, world: EngineWorld, baselines: MacroBaselines = .current) throws(EngineError) -> PreparedRun {
        let run = PreparedRun(scenario: scenario)
        run.baselineSource = baselines
        var columns = world.sortedColumns
        run.knownWorldDigest = world.worldDigest
        run.worldDigestSource = world.worldDigest == nil ? nil : world.worldDigestSource
        // What depends on the world alone (numbering, edges, components) is the snapshot's
        // prepared graph when the world came with one; what the scenario chooses (variables,
        // coefficients as of its date, formula versions) is resolved on it every run.
        let graph = world.preparedGraph.flatMap { $0.fits(columns) ? $0 : nil }
        run.indexEntities(&columns, facts: world.entityFacts ?? EntityFacts(columns))
        let internalIndex = run.numberByLevel()
        if let graph {
            run.adoptEdges(&columns, graph: graph, internalIndex: internalIndex)
        } else {
            run.buildEdges(&columns, internalIndex: internalIndex)
        }
        run.bindVariables(world.macroData)
        run.resolveCoefficients(world.coefficients)
        run.bindPrograms(formulas: world.formulas)
        for (id, _) in scenario.entityShocks.sorted(by: { byteOrder($0.key, $1.key) }) where run.entityIndex(id) == nil {
            run.problem("$.entity_shocks[\(JSNumber.quoted(id))]", "no entity has this id")
        }
        if !run.problems.isEmpty { throw EngineError(problems: run.problems) }
        if let graph {
            run.components = graph.components
            run.componentIsCyclic = graph.componentIsCyclic
        } else {
            run.findComponents()
        }
        return run
    }

    // MARK: - Entities

    /// The position of the entity with this id (binary search over the sorted ids).
    /// - Complexity: O(log V).
    func entityIndex(_ id: String) -> Int? {
        var low = 0, high = idOrder.count
        while low < high {
            let mid = (low + high) / 2
            if byteOrder(ids[Int(idOrder[mid])], id) { low = mid + 1 } else { high = mid }
        }
        guard low < idOrder.count else { return nil }
        let i = Int(idOrder[low])
        return ids[i].utf8.elementsEqual(id.utf8) ? i : nil
    }

    /// Renumbers the entities (indexed in id order so far) by level, keeping id order within a
    /// level; returns each id position's new number.
    /// - Complexity: O(V).
    func numberByLevel() -> [Int32] {
        let n = ids.count
        var order: [Int32] = []
        order.reserveCapacity(n)
        for level in 0..<10 { for i in entitiesByLevel[level] { order.append(Int32(i)) } }
        for i in 0..<n where levels[i] < 0 { order.append(Int32(i)) }
        var internalIndex = [Int32](repeating: 0, count: n)
        for (k, i) in order.enumerated() { internalIndex[Int(i)] = Int32(k) }
        ids = permuted(ids, order)
        names = permuted(names, order)
        types = permuted(types, order)
        categories = permuted(categories, order)
        levels = permuted(levels, order)
        metadataTexts = permuted(metadataTexts, order)
        isMacro = permuted(isMacro, order)
        levelValues = permuted(levelValues, order)
        hasCurrentValue = permuted(hasCurrentValue, order)
        sectorIndex = permuted(sectorIndex, order)
        macroVariable = permuted(macroVariable, order)
        entitiesByLevel = entitiesByLevel.map { $0.map { Int(internalIndex[$0]) } }
        metadataObjects = Dictionary(uniqueKeysWithValues: metadataObjects.map { (Int(internalIndex[$0.key]), $0.value) })
        metadataFormulaValues = [:]
        idOrder = internalIndex
        return internalIndex
    }

    /// The entity's metadata object (parsed from its canonical text on first use).
    func metadata(_ i: Int) -> JSONObject {
        if metadataTexts[i].isEmpty { return JSONObject() }
        if let object = metadataObjects[i] { return object }
        let object = (try? JSONValue.parse(metadataTexts[i]))?.objectValue ?? JSONObject()
        metadataObjects[i] = object
        return object
    }

    /// The entity's metadata as a formula value (`source.metadata`, `target.metadata`).
    func metadataValue(_ i: Int) -> Value {
        if let value = metadataFormulaValues[i] { return value }
        let value = (try? JSONValue.object(metadata(i)).formulaValue()) ?? .record([:])
        metadataFormulaValues[i] = value
        return value
    }

    /// Adopts the sorted entity columns and what their metadata says (`facts`, read once per
    /// world): level value, sector and canonical text.
    func indexEntities(_ columns: inout WorldColumns, facts: EntityFacts) {
        ids = columns.entityIDs
        names = columns.entityNames
        types = columns.entityTypes
        categories = columns.entityCategories.map { $0 ?? "" }
        let n = ids.count
        levels = Array(repeating: -1, count: n)
        isMacro = Array(repeating: false, count: n)
        levelValues = facts.levelValues
        hasCurrentValue = facts.hasCurrentValue
        sectorIndex = Array(repeating: 0, count: n)
        macroVariable = Array(repeating: -1, count: n)
        metadataTexts = Array(repeating: "", count: n)
        sectors = facts.sectors
        for i in 0..<n {
            if i > 0 && ids[i - 1].utf8.elementsEqual(ids[i].utf8) {
                problem("entity \(ids[i])", "duplicate entity id")
                continue
            }
            if let message = facts.invalidMetadata[i] {
                problem("entity \(ids[i])", "metadata is not valid JSON: \(message)")
            }
            metadataTexts[i] = facts.canonicalText(i, stored: columns.entityMetadata[i])
            if types[i] == "MACRO", !metadataTexts[i].isEmpty, let text = columns.entityMetadata[i],
               case .object(let object)? = try? JSONValue.parse(text) {
                metadataObjects[i] = object
            }
            let level = columns.entityLevels[i] ?? -1
            if (0...9).contains(level) {
                entitiesByLevel[level].append(i)
                levels[i] = level
            } else {
                warnings.append("entity \(ids[i]) (\(names[i])) has no ontology level 0–9 and is left out")
            }
            isMacro[i] = types[i] == "MACRO"
            sectorIndex[i] = Int(facts.sectorIndex[i])
        }
        entityFacts = facts
        columns.entityNames = []
        columns.entityTypes = []
        columns.entityCategories = []
        columns.entityMetadata = []
        columns.entityDescriptions = []
    }

    // MARK: - Variables

    func bindVariables(_ history: [MacroPoint]) {
        let historical: Bool
        let asOf: CalendarDate?
        switch baselineSource {
        case .current: (historical, asOf) = (false, CalendarDate(scenario.asOf))
        case .history(let date): (historical, asOf) = (true, CalendarDate(date))
        }
        // The latest point on or before as_of (or the replay's baseline date), per variable.
        var latest: [String: MacroPoint] = [:]
        for point in history {
            guard let date = CalendarDate(point.date), let asOf, date <= asOf else { continue }
            if let current = latest[point.variable], let currentDate = CalendarDate(current.date), currentDate >= date { continue }
            latest[point.variable] = point
        }
        var variableIndex: [String: Int] = [:]
        func variable(_ name: String) -> Int {
            if let i = variableIndex[name] { return i }
            variableIndex[name] = variableNames.count
            variableNames.append(name)
            variableValues.append(0)
            variableBaselines.append(0)
            variableIsBound.append(false)
            variableBaselineIsValue.append(false)
            return variableNames.count - 1
        }
        // In id order (the entities are numbered by level by now).
        for k in idOrder where isMacro[Int(k)] && levels[Int(k)] >= 0 {
            let entity = Int(k)
            let name = metadata(entity)["variable"]?.stringValue ?? Units.snakeCase(names[entity])
            if let other = variableIndex[name], variableIsBound[other] {
                let first = macroVariable.firstIndex(of: other).map { ids[$0] } ?? "?"
                problem("entity \(ids[entity])", "MACRO entities \(first) and \(ids[entity]) both bind the variable `\(name)`",
                        detail: "set metadata.variable on one of them")
                continue
            }
            let v = variable(name)
            variableIsBound[v] = true
            macroVariable[entity] = v
            let unit = metadata(entity)["unit"]?.stringValue
            if hasCurrentValue[entity], !historical || latest[name] == nil {
                variableBaselines[v] = levelValues[entity] * Units.scale(unit)
            } else if let point = latest[name] {
                variableBaselines[v] = point.value * Units.scale(point.unit ?? unit)
                macroPointsRead.append(point)
            } else if scenario.macroVariables[name] != nil {
                problem("entity \(ids[entity])", "the variable `\(name)` has no baseline",
                        detail: "give the entity metadata.current_value, or macro_data rows on or before \(scenario.asOf)")
                continue
            } else {
                warnings.append("the variable `\(name)` (\(ids[entity])) has no baseline; it is held at 0")
            }
            variableValues[v] = scenario.macroVariables[name] ?? variableBaselines[v]
        }
        var againstHistory: [String] = [], withoutBaseline: [String] = []
        for (name, value) in scenario.macroVariables.sorted(by: { byteOrder($0.key, $1.key) }) where variableIndex[name] == nil {
            let v = variable(name)
            variableValues[v] = value
            if let point = latest[name] {
                variableBaselines[v] = point.value * Units.scale(point.unit)
                macroPointsRead.append(point)
                againstHistory.append(name)
            } else {
                variableBaselines[v] = value
                variableBaselineIsValue[v] = true
                withoutBaseline.append(name)
            }
        }
        // One warning per kind, however many variables: a count and the first few names.
        if let warning = Self.aggregated(againstHistory, "binds no MACRO entity; formulas can read it, against its macro_data baseline",
                                         "bind no MACRO entity; formulas can read them, against their macro_data baselines") {
            warnings.append(warning)
        }
        if let warning = Self.aggregated(withoutBaseline, "binds no MACRO entity and has no macro_data baseline; it carries no shock",
                                         "bind no MACRO entity and have no macro_data baseline; they carry no shock") {
            warnings.append(warning)
        }
    }

    /// "the scenario variable `x` …" for one name; "3 scenario variables (`a`, `b`, `c`) …" for
    /// several, naming at most five.
    static func aggregated(_ names: [String], _ one: String, _ many: String) -> String? {
        switch names.count {
        case 0: return nil
        case 1: return "the scenario variable `\(names[0])` \(one)"
        default:
            let shown = names.prefix(5).map { "`\($0)`" }.joined(separator: ", ") + (names.count > 5 ? ", …" : "")
            return "\(names.count) scenario variables (\(shown)) \(many)"
        }
    }

    // MARK: - Coefficients

    func resolveCoefficients(_ rows: [SectorCoefficient]) {
        coefficientTypes = Array(Set(rows.map(\.coefficientType))).sorted(by: byteOrder)
        let typeIndex = Dictionary(uniqueKeysWithValues: coefficientTypes.enumerated().map { ($1, $0) })
        let sectorLookup = Dictionary(uniqueKeysWithValues: sectors.enumerated().map { ($1, $0) })
        coefficientTable = Array(repeating: Array(repeating: nil, count: coefficientTypes.count), count: sectors.count)
        guard let asOf = CalendarDate(scenario.asOf) else { return }
        for row in rows where row.isActive {
            guard let s = sectorLookup[row.sector], let t = typeIndex[row.coefficientType],
                  let date = CalendarDate(row.effectiveDate), date <= asOf else { continue }
            // The latest effective date wins; on the same date, the greater row id (deterministic).
            if let current = coefficientTable[s][t], let currentDate = CalendarDate(current.effectiveDate),
               date < currentDate || (date == currentDate && !byteOrder(current.id, row.id)) {
                continue
            }
            coefficientTable[s][t] = row
        }
    }
}
