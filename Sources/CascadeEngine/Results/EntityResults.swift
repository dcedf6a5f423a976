import CascadeFormula

/// What a run computed per entity, in the run's own arrays (shared, not copied): the source of
/// every `EntityResult`, built only when it is read or serialised.
final class ResultTable: Sendable {
    let ids: [String]
    let names: [String]
    let types: [String]
    let levels: [Int]
    let hasCurrentValue: [Bool]
    let levelValues: [Double]
    let isMacro: [Bool]
    let impact: [Double]
    let unclamped: [Double]
    let status: [EntityStatus]
    let rounds: [Int]
    let shock: [Double]
    let bindingEdge: [Int]
    let incomingStart: [Int]
    let edgeSource: [Int32]
    let edgeRelationship: [Int32]
    let edgeIsBottleneck: [Bool]
    let relationshipIDs: IDColumn
    let state: [EdgeState]
    let shown: [Double]
    let edgeErrors: [Int: String]
    /// `macro:…`, `shock:…`, `other`, and each entity's row of (key, share) entries (see
    /// `Attribution`).
    let attributionKeys: [String]
    let attributionRowStart: [Int]
    let attributionRowCount: [Int32]
    let attributionEntryKey: [Int32]
    let attributionEntryValue: [Double]
    /// Per key, its rank in UTF-8 byte order of the keys (the order of sorted JSON objects).
    let attributionKeyRank: [Int]
    /// Per entity, its strongest counted incoming edge (-1 for none): the step top paths follow.
    let strongest: [Int32]
    /// A run with sensitivities: per entity ∂impact/∂value for each variable and shock.
    let sensitivities: SensitivityColumns?
    /// A Monte Carlo run: per entity its impact's distribution over the draws.
    let distributions: DistributionColumns?

    convenience init(_ run: PreparedRun, _ p: Propagator, _ attribution: Attribution, strongest: [Int32],
                     sensitivities: SensitivityColumns? = nil, distributions: DistributionColumns? = nil) {
        self.init(
            ids: run.ids, names: run.names, types: run.types, levels: run.levels, hasCurrentValue: run.hasCurrentValue,
            levelValues: run.levelValues, isMacro: run.isMacro, impact: Array(p.impact), unclamped: Array(p.unclamped),
            status: Array(p.status), rounds: Array(p.rounds), shock: Array(p.shock), bindingEdge: Array(p.bindingEdge),
            incomingStart: run.incomingStart, edgeSource: run.edgeSource, edgeRelationship: run.edgeRelationship,
            edgeIsBottleneck: run.edgeIsBottleneck, relationshipIDs: run.relationshipIDs, state: Array(p.state),
            shown: Array(p.shown), edgeErrors: p.edgeErrors.mapValues { $0.diagnostic.message },
            attributionKeys: attribution.keys, attributionRowStart: attribution.rowStart,
            attributionRowCount: attribution.rowCount, attributionEntryKey: attribution.entryKey,
            attributionEntryValue: attribution.entryValue, strongest: strongest, sensitivities: sensitivities,
            distributions: distributions)
    }

    /// Every column as given (a fresh run's, or a stored result's decoded by `ResultColumns`).
    init(ids: [String], names: [String], types: [String], levels: [Int], hasCurrentValue: [Bool], levelValues: [Double],
         isMacro: [Bool], impact: [Double], unclamped: [Double], status: [EntityStatus], rounds: [Int], shock: [Double],
         bindingEdge: [Int], incomingStart: [Int], edgeSource: [Int32], edgeRelationship: [Int32], edgeIsBottleneck: [Bool],
         relationshipIDs: IDColumn, state: [EdgeState], shown: [Double], edgeErrors: [Int: String], attributionKeys: [String],
         attributionRowStart: [Int], attributionRowCount: [Int32], attributionEntryKey: [Int32], attributionEntryValue: [Double],
         strongest: [Int32], sensitivities: SensitivityColumns? = nil, distributions: DistributionColumns? = nil) {
        self.ids = ids
        self.names = names
        self.types = types
        self.levels = levels
        self.hasCurrentValue = hasCurrentValue
        self.levelValues = levelValues
        self.isMacro = isMacro
        self.impact = impact
        self.unclamped = unclamped
        self.status = status
        self.rounds = rounds
        self.shock = shock
        self.bindingEdge = bindingEdge
        self.incomingStart = incomingStart
        self.edgeSource = edgeSource
        self.edgeRelationship = edgeRelationship
        self.edgeIsBottleneck = edgeIsBottleneck
        self.relationshipIDs = relationshipIDs
        self.state = state
        self.shown = shown
        self.edgeErrors = edgeErrors
        self.attributionKeys = attributionKeys
        self.attributionRowStart = attributionRowStart
        self.attributionRowCount = attributionRowCount
        self.attributionEntryKey = attributionEntryKey
        self.attributionEntryValue = attributionEntryValue
        var rank = Array(repeating: 0, count: attributionKeys.count)
        for (position, k) in attributionKeys.indices.sorted(by: { byteOrder(attributionKeys[$0], attributionKeys[$1]) }).enumerated() {
            rank[k] = position
        }
        attributionKeyRank = rank
        self.strongest = strongest
        self.sensitivities = sensitivities
        self.distributions = distributions
    }

    /// Entity `i`'s attribution entries, keys ascending.
    func attributionRow(_ i: Int) -> Range<Int> { attributionRowStart[i]..<attributionRowStart[i] + Int(attributionRowCount[i]) }

    func note(_ e: Int, of i: Int) -> String {
        Self.note(state[e], isNotBinding: edgeIsBottleneck[e] && bindingEdge[i] != e)
    }

    /// How a result names an edge's state (a bottleneck input that did not bind is `not_binding`).
    static func note(_ state: EdgeState, isNotBinding notBinding: Bool) -> String {
        switch state {
        case .counted: notBinding ? "not_binding" : "counted"
        case .noValue: notBinding ? "not_binding" : "no_value"
        case .skipped: "skipped"
        case .blocked: "blocked"
        case .failed: "failed"
        }
    }

    func entity(_ i: Int) -> EntityResult {
        var contributions: [ContributionResult] = []
        for e in incomingStart[i]..<incomingStart[i + 1] {
            contributions.append(ContributionResult(
                relationshipID: relationshipIDs[Int(edgeRelationship[e])], sourceID: ids[Int(edgeSource[e])],
                value: shown[e], note: note(e, of: i), error: edgeErrors[e], isShock: false))
        }
        if shock[i] != 0 {
            contributions.append(ContributionResult(relationshipID: "", sourceID: ids[i], value: shock[i], note: "counted",
                                                    error: nil, isShock: true))
        }
        var shares: [(key: String, value: Double)] = []
        for entry in attributionRow(i) {
            shares.append((attributionKeys[Int(attributionEntryKey[entry])], attributionEntryValue[entry]))
        }
        let row = sensitivities?.row(i)
        return EntityResult(
            id: ids[i], name: names[i], type: types[i], level: levels[i], impact: impact[i],
            impactUnclamped: unclamped[i], isClamped: impact[i] != unclamped[i],
            baselineValue: hasCurrentValue[i] ? levelValues[i] : nil,
            projectedValue: hasCurrentValue[i] ? levelValues[i] * (1 + impact[i]) : nil,
            status: status[i], contributions: contributions, attribution: shares,
            topPaths: topPaths(i).map { $0.map { ids[$0] } }, cycleRounds: rounds[i] > 0 ? rounds[i] : nil,
            sensitivities: row?.values, sensitivitiesUndefined: row?.undefined, distribution: distributions?.distribution(i))
    }

    /// Up to three chains of entity positions from a cause to `i`: its three strongest counted
    /// contributions, each followed back along the strongest contribution until a macro variable
    /// or a shock (at most 10 entities, stopping at a repeat).
    func topPaths(_ i: Int) -> [[Int]] {
        // The three strongest, by insertion into a list kept in order (earlier edges win ties).
        var firsts: [Int] = []
        firsts.reserveCapacity(4)
        for e in incomingStart[i]..<incomingStart[i + 1] where shown[e] != 0 {
            var position = firsts.count
            while position > 0 && abs(shown[e]) > abs(shown[firsts[position - 1]]) { position -= 1 }
            if position < 3 {
                firsts.insert(e, at: position)
                if firsts.count > 3 { firsts.removeLast() }
            }
        }
        var paths: [[Int]] = []
        var nodes: [Int] = []
        nodes.reserveCapacity(10)
        for first in firsts {
            nodes.removeAll(keepingCapacity: true)
            nodes.append(i)
            var node = Int(edgeSource[first])
            while nodes.count < 10 {
                let seen = nodes.contains(node)
                nodes.append(node)
                if isMacro[node] || seen { break }
                let next = Int(strongest[node])
                guard next >= 0, abs(shown[next]) >= abs(shock[node]) else { break }
                node = Int(edgeSource[next])
            }
            paths.append(nodes.reversed())
        }
        return paths
    }

    /// Appends the entity's result as JSON text with sorted keys: byte for byte
    /// `entity(i).json.withSortedKeys().serialized()`, without building either.
    func appendJSON(_ i: Int, to out: inout String) {
        func number(_ x: Double) { appendJSONNumber(x, to: &out) }
        out += "{\"attribution\":{"
        var first = true
        for entry in attributionRow(i).sorted(by: { attributionKeyRank[Int(attributionEntryKey[$0])] < attributionKeyRank[Int(attributionEntryKey[$1])] }) {
            if !first { out += "," }
            first = false
            out += JSNumber.quoted(attributionKeys[Int(attributionEntryKey[entry])])
            out += ":"
            number(attributionEntryValue[entry])
        }
        out += "},\"baseline_value\":"
        if hasCurrentValue[i] { number(levelValues[i]) } else { out += "null" }
        out += ",\"clamped\":"
        out += impact[i] != unclamped[i] ? "true" : "false"
        out += ",\"contributions\":["
        first = true
        for e in incomingStart[i]..<incomingStart[i + 1] {
            if !first { out += "," }
            first = false
            out += "{"
            if let error = edgeErrors[e] {
                out += "\"error\":"
                out += JSNumber.quoted(error)
                out += ","
            }
            let note = note(e, of: i)
            if note != "counted" {
                out += "\"note\":\""
                out += note
                out += "\","
            }
            out += "\"relationship_id\":"
            out += JSNumber.quoted(relationshipIDs[Int(edgeRelationship[e])])
            out += ",\"source_id\":"
            out += JSNumber.quoted(ids[Int(edgeSource[e])])
            out += ",\"value\":"
            number(shown[e])
            out += "}"
        }
        if shock[i] != 0 {
            if !first { out += "," }
            out += "{\"shock\":true,\"value\":"
            number(shock[i])
            out += "}"
        }
        out += "]"
        if rounds[i] > 0 {
            out += ",\"cycle_rounds\":"
            number(Double(rounds[i]))
        }
        if let distribution = distributions?.distribution(i) {
            out += ",\"distribution\":"
            distribution.appendJSON(to: &out)
        }
        out += ",\"id\":"
        out += JSNumber.quoted(ids[i])
        out += ",\"impact\":"
        number(impact[i])
        out += ",\"impact_unclamped\":"
        number(unclamped[i])
        out += ",\"level\":"
        number(Double(levels[i]))
        out += ",\"name\":"
        out += JSNumber.quoted(names[i])
        out += ",\"projected_value\":"
        if hasCurrentValue[i] { number(levelValues[i] * (1 + impact[i])) } else { out += "null" }
        if let row = sensitivities?.row(i) {
            out += ",\"sensitivities\":{"
            for (m, entry) in row.values.enumerated() {
                if m > 0 { out += "," }
                out += JSNumber.quoted(entry.key)
                out += ":"
                number(entry.value)
            }
            out += "},\"sensitivities_undefined\":["
            out += row.undefined.map(JSNumber.quoted).joined(separator: ",")
            out += "]"
        }
        out += ",\"status\":\""
        out += status[i].rawValue
        out += "\",\"top_paths\":["
        for (k, path) in topPaths(i).enumerated() {
            if k > 0 { out += "," }
            out += "["
            for (m, node) in path.enumerated() {
                if m > 0 { out += "," }
                out += JSNumber.quoted(ids[node])
            }
            out += "]"
        }
        out += "],\"type\":"
        out += JSNumber.quoted(types[i])
        out += "}"
    }
}

/// Appends `x` as JSON prints it (`JSNumber.format`, `null` when not finite), taking the
/// common shapes directly: integers below 2⁵³, and a fraction's shortest round-trip text when Swift
/// writes it without an exponent (the same digits, laid out as JavaScript lays them out there).
func appendJSONNumber(_ x: Double, to out: inout String) {
    guard x.isFinite else {
        out += "null"
        return
    }
    if x == 0 {
        out += "0"
    } else if x == x.rounded(.towardZero) {
        if abs(x) < 9_007_199_254_740_992 { out += String(Int64(x)) } else { out += JSNumber.format(x) }
    } else {
        let text = x.description
        if text.utf8.contains(UInt8(ascii: "e")) { out += JSNumber.format(x) } else { out += text }
    }
}

/// The entities a run reports, in id order: every computed entity when at most
/// `Engine.fullReportLimit` are computed, otherwise those that moved or did not finish `ok`.
/// Each `EntityResult` is built when it is read; `jsonText(at:)` serialises one directly.
package struct EntityResults: RandomAccessCollection, Sendable {
    let table: ResultTable?
    /// Entity positions in the run, in id order.
    let positions: [Int32]

    init(table: ResultTable, positions: [Int32]) {
        self.table = table
        self.positions = positions
    }

    /// No entities.
    package init() {
        table = nil
        positions = []
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { positions.count }

    package subscript(position: Int) -> EntityResult { table!.entity(Int(positions[position])) }

    /// The entity's result as JSON text with sorted keys (`self[position].json.withSortedKeys().serialized()`).
    package func jsonText(at position: Int) -> String {
        var out = ""
        out.reserveCapacity(1024)
        table!.appendJSON(Int(positions[position]), to: &out)
        return out
    }

    /// The id of the entity at `position` (without building its result).
    package func id(at position: Int) -> String { table!.ids[Int(positions[position])] }
    package func name(at position: Int) -> String { table!.names[Int(positions[position])] }
    package func level(at position: Int) -> Int { table!.levels[Int(positions[position])] }
    package func impact(at position: Int) -> Double { table!.impact[Int(positions[position])] }
    package func isClamped(at position: Int) -> Bool {
        let i = Int(positions[position])
        return table!.impact[i] != table!.unclamped[i]
    }
    package func cycleRounds(at position: Int) -> Int? {
        let rounds = table!.rounds[Int(positions[position])]
        return rounds > 0 ? rounds : nil
    }
}
