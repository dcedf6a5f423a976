import CascadeJSON
import CascadeStore

/// What a re-run of a scenario recomputes: every entity, or — when its previous result differs
/// only in sector coefficient rows and formula versions — only the entities downstream of what
/// changed, the rest reused from that result's columns (`Propagator.reuse`, `Attribution.reused`).
///
/// The previous result may be reused when its fingerprint is exactly the fingerprint of this run
/// with the previous run's coefficient rows and formula versions put back: then the scenario, the
/// world and the macro data it read are the same, and the graph is laid out the same. The changed
/// edges are those whose program reads a changed coefficient type of its target's sector, or
/// uses a formula version the previous run did not; their targets, everything downstream of them
/// (over every outgoing edge) and every member of a same-level cycle that any of those is in are
/// recomputed — by the same propagator, in the same order, so the result is bit-identical to a
/// full run's. Anything the plan cannot vouch for runs in full, with the reason in
/// `stats.recompute`: no previous result, one stored whole (results of at most
/// `ScenarioService.inlineEntityLimit` entities, which take milliseconds), feedback rounds (a pass
/// reads the previous pass), sensitivities or Monte Carlo draws (computed over the whole graph),
/// formula failures in the previous result (their errors are not stored), or columns that do not
/// match the prepared graph.
enum RecomputePlan {
    case full(reason: String)
    /// `isReused[i]`: entity `i` keeps the previous result's values; `recomputed` entities are computed.
    case incremental(previous: ResultTable, isReused: [Bool], recomputed: Int)

    /// Plans a run of `run` given the scenario's previous stored result (nil: none).
    /// - Complexity: O(V + E) to compare the previous columns' graph with this one and to walk
    ///   downstream of the changed edges.
    static func make(_ run: PreparedRun, previous: PreviousResult?) -> RecomputePlan {
        let isDirty: [Bool], recomputed: Int
        switch screen(run, previous: previous) {
        case .full(let reason): return .full(reason: reason)
        case .reusable(let dirty, let count): (isDirty, recomputed) = (dirty, count)
        }
        guard let table = previous?.table else { return .full(reason: "the previous result is stored whole (small results run in full)") }
        guard table.edgeErrors.isEmpty, table.sensitivities == nil, table.distributions == nil,
              table.ids == run.ids, table.levels == run.levels, table.incomingStart == run.incomingStart,
              table.edgeSource == run.edgeSource, table.edgeRelationship == run.edgeRelationship,
              table.impact.count == run.ids.count, table.state.count == run.edgeSource.count
        else { return .full(reason: "the previous result's columns do not match the graph or hold formula failures") }
        return .incremental(previous: table, isReused: isDirty.map { !$0 }, recomputed: recomputed)
    }

    /// What the previous result's summary alone decides (its columns need not be read): whether
    /// only coefficient rows and formula versions changed, and which entities are downstream.
    enum Screen {
        case full(reason: String)
        case reusable(isDirty: [Bool], recomputed: Int)
    }

    /// Screens a re-run against the previous result's summary (`previous.table` is not read).
    /// A run that would recompute more than `largestShare` of its entities runs in full (the
    /// service passes `largestRecomputedShare`: reading and decoding a large previous result's
    /// columns costs more than the work such a run would save).
    static func screen(_ run: PreparedRun, previous: PreviousResult?, largestShare: Double = 1) -> Screen {
        if let reason = reasonForFullRun(run.scenario) { return .full(reason: reason) }
        guard let previous else { return .full(reason: "no previous result") }
        guard let formulas = previous.formulas else { return .full(reason: "a formula version the previous result used is gone") }
        guard run.fingerprint(formulas: formulas, coefficientRows: previous.coefficientRows) == previous.fingerprint else {
            return .full(reason: "more than coefficient rows and formula versions changed")
        }
        let isDirty = dirtyEntities(run, changedPairs: changedPairs(run, previous: previous.coefficientRows),
                                    changedFormulas: Set(formulas.keys).symmetricDifference(run.formulasUsed.keys))
        var recomputed = 0, computed = 0
        for i in run.ids.indices where !run.isMacro[i] && run.levels[i] >= 0 {
            computed += 1
            if isDirty[i] { recomputed += 1 }
        }
        if Double(recomputed) > largestShare * Double(computed) {
            return .full(reason: "\(recomputed) of \(computed) entities are downstream of the change: a full run costs less")
        }
        return .reusable(isDirty: isDirty, recomputed: recomputed)
    }

    /// The largest share of a run's entities a re-run through the service recomputes
    /// incrementally. Above it the service runs in full without reading the previous result's
    /// columns: at 100 k / 500 k, reading and decoding them took 0.4–1 s against 0.25 s for the
    /// whole engine, so reuse pays only when most of the graph is untouched.
    static let largestRecomputedShare = 0.25

    /// Why a scenario always runs in full whatever its previous result, or nil.
    static func reasonForFullRun(_ scenario: Scenario) -> String? {
        if scenario.feedbackRounds > 0 { return "feedback rounds read the previous pass" }
        if scenario.sensitivities { return "sensitivities are computed over the whole graph" }
        if scenario.monteCarlo != nil { return "Monte Carlo draws are computed over the whole graph" }
        return nil
    }

    /// The (sector, coefficient type) pairs of this run, as `sector · types + type`, whose row
    /// differs from the previous run's (another row, value or date, or a row on one side only).
    static func changedPairs(_ run: PreparedRun, previous: [String: SectorCoefficient]) -> Set<Int> {
        func byPair(_ rows: some Sequence<SectorCoefficient>) -> [String: SectorCoefficient] {
            var table: [String: SectorCoefficient] = [:]
            for row in rows { table[row.sector + "\u{0}" + row.coefficientType] = row }
            return table
        }
        let (before, now) = (byPair(previous.values), byPair(run.coefficientRowsRead.values))
        let sectorIndex = Dictionary(uniqueKeysWithValues: run.sectors.enumerated().map { ($1, $0) })
        let typeIndex = Dictionary(uniqueKeysWithValues: run.coefficientTypes.enumerated().map { ($1, $0) })
        var changed = Set<Int>()
        for key in Set(before.keys).union(now.keys) {
            let (a, b) = (before[key], now[key])
            if let a, let b, a.id == b.id, a.value.bitPattern == b.value.bitPattern, a.effectiveDate == b.effectiveDate { continue }
            // A pair no program of this run reads (its sector or type is gone) changes no edge.
            guard let row = a ?? b, let s = sectorIndex[row.sector], let t = typeIndex[row.coefficientType] else { continue }
            changed.insert(s * run.coefficientTypes.count + t)
        }
        return changed
    }

    /// The targets of the changed edges and everything downstream, whole same-level cycles included.
    /// - Complexity: O(V + E).
    static func dirtyEntities(_ run: PreparedRun, changedPairs: Set<Int>, changedFormulas: Set<String>) -> [Bool] {
        let n = run.ids.count
        var isDirty = [Bool](repeating: false, count: n)
        var stack: [Int] = []
        func mark(_ i: Int) {
            if !isDirty[i] {
                isDirty[i] = true
                stack.append(i)
            }
        }
        let typeCount = run.coefficientTypes.count
        let isChangedProgram = run.programs.map { program in program.reference.map(changedFormulas.contains) ?? false }
        let programReads = run.programs.map(\.coefficientsRead)
        if !changedPairs.isEmpty || !changedFormulas.isEmpty {
            for e in run.edgeSource.indices where run.edgeProgram[e] >= 0 {
                let program = Int(run.edgeProgram[e]), target = Int(run.edgeTarget[e])
                if isChangedProgram[program]
                    || programReads[program].contains(where: { changedPairs.contains(run.sectorIndex[target] * typeCount + $0) }) {
                    mark(target)
                }
            }
        }
        guard !stack.isEmpty else { return isDirty }
        var cycleOf = [Int32](repeating: -1, count: n)
        var cycles: [[Int]] = []
        for level in 0..<10 {
            for (c, members) in run.components[level].enumerated() where run.componentIsCyclic[level][c] {
                for i in members { cycleOf[i] = Int32(cycles.count) }
                cycles.append(members)
            }
        }
        while let i = stack.popLast() {
            if cycleOf[i] >= 0 { for member in cycles[Int(cycleOf[i])] { mark(member) } }
            for k in Int(run.targetStart[i])..<Int(run.targetStart[i + 1]) { mark(Int(run.targetsBySource[k])) }
        }
        return isDirty
    }
}

extension RunStats {
    /// `stats.recompute`: `{"mode": "incremental", "entities": N}` (the entities computed again),
    /// or `{"mode": "full", "entities": N, "reason": …}` (every computed entity, and why nothing was reused).
    package struct Recompute: Sendable, Equatable {
        package var isIncremental: Bool
        package var entities: Int
        package var reason: String?

        init(_ plan: RecomputePlan, run: PreparedRun) {
            switch plan {
            case .incremental(_, _, let recomputed):
                self.init(isIncremental: true, entities: recomputed, reason: nil)
            case .full(let reason):
                var computed = 0
                for i in run.ids.indices where !run.isMacro[i] && run.levels[i] >= 0 { computed += 1 }
                self.init(isIncremental: false, entities: computed, reason: reason)
            }
        }

        package init(isIncremental: Bool, entities: Int, reason: String?) {
            self.isIncremental = isIncremental
            self.entities = entities
            self.reason = reason
        }

        var json: JSONValue {
            var object = JSONObject([("mode", .string(isIncremental ? "incremental" : "full")), ("entities", .number(Double(entities)))])
            if let reason { object["reason"] = .string(reason) }
            return .object(object)
        }
    }
}
