import CascadeFormula

/// Attributes every entity's impact to the macro variables and exogenous shocks that caused it.
///
/// A contribution from a MACRO source goes to its variable; one through a formula that reads
/// variables directly is split by one-at-a-time effects (each variable, and the source, shocked
/// alone against the baseline); a pass-through contribution is shared in proportion to the
/// source's own attribution. Inside a cycle, proportional sharing is iterated to its fixed point.
/// Each entity's attribution is finally scaled to sum to its (clamped) impact.
struct Attribution {
    let propagator: Propagator
    var run: PreparedRun { propagator.run }
    /// `macro:<variable>` and `shock:<entity id>` keys, then `other` (interactions, unattributable).
    var keys: [String] = []
    /// Variable → its key, or -1 when the variable does not move.
    var variableKey: [Int] = []
    var shockKey: [Int: Int] = [:]
    var otherKey = 0
    /// Row-major: entity × (key…, then the entity's impact, 0 for MACRO entities): a source's
    /// impact sits beside its attribution, so sharing from it touches one place in memory.
    var values: [Double] = []
    /// While a cycle is attributed: its members' positions; -1 elsewhere.
    var memberSlot: [Int] = []
    /// Per program: the moving variables it reads (ascending), and whether it reads the source.
    let programVariables: [[Int]]
    let programReadsSource: [Bool]
    /// `values` while `compute` runs.
    private var rows = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)

    typealias Vector = UnsafeMutableBufferPointer<Double>

    /// Fails the run, before anything is allocated, when the attribution tables would take more
    /// than `budget` bytes: one row of (causes + 1) doubles per entity, and three member × causes
    /// tables for the largest same-level cycle. Causes are the moving variables, the shocked
    /// entities and `other`, so a scenario with many direct shocks on a large graph is the case
    /// this stops (30 000 shocks on 1 M entities would need 240 GB).
    static func requireBudget(_ propagator: Propagator, budget: Int) throws(EngineError) {
        let run = propagator.run
        var causes = 1  // other
        for k in run.variableNames.indices where run.variableValues[k] != run.variableBaselines[k] { causes += 1 }
        for i in run.ids.indices where propagator.shock[i] != 0 { causes += 1 }
        var largestCycle = 0
        for level in 0..<10 {
            for (c, members) in run.components[level].enumerated() where run.componentIsCyclic[level][c] {
                largestCycle = max(largestCycle, members.count)
            }
        }
        let rows = run.ids.count.multipliedReportingOverflow(by: causes + 1)
        let cycle = largestCycle.multipliedReportingOverflow(by: causes * 3)
        let (doubles, overflow) = rows.partialValue.addingReportingOverflow(cycle.partialValue)
        let bytes = doubles.multipliedReportingOverflow(by: MemoryLayout<Double>.size)
        guard rows.overflow || cycle.overflow || overflow || bytes.overflow || bytes.partialValue > budget else { return }
        let needed = rows.overflow || cycle.overflow || overflow || bytes.overflow ? "more than \(Int.max) bytes" : gigabytes(bytes.partialValue)
        throw EngineError(problems: [.init(
            location: "$.entity_shocks",
            message: "attributing \(run.ids.count) entities to \(causes) causes (\(causes - 1) moving variables and shocked entities, and `other`) "
                + "would need \(needed); the budget is \(gigabytes(budget))")], kind: .overBudget)
    }

    static func gigabytes(_ bytes: Int) -> String {
        let tenths = Int((Double(bytes) / Double(1 << 30) * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) GiB"
    }

    init(_ propagator: Propagator) {
        self.propagator = propagator
        let run = propagator.run
        variableKey = Array(repeating: -1, count: run.variableNames.count)
        for k in run.variableNames.indices where run.variableValues[k] != run.variableBaselines[k] {
            variableKey[k] = keys.count
            keys.append("macro:\(run.variableNames[k])")
        }
        for i in run.idOrder.lazy.map({ Int($0) }) where propagator.shock[i] != 0 {
            shockKey[i] = keys.count
            keys.append("shock:\(run.ids[i])")
        }
        otherKey = keys.count
        keys.append("other")
        let stride = keys.count + 1
        values = Array(repeating: 0, count: run.ids.count * stride)
        for i in run.ids.indices where !propagator.isMacro[i] { values[i * stride + stride - 1] = propagator.impact[i] }
        memberSlot = Array(repeating: -1, count: run.ids.count)
        let variableKey = self.variableKey
        programVariables = run.programs.map { $0.variablesRead.filter { variableKey[$0] >= 0 } }
        programReadsSource = run.programs.map(\.readsSource)
    }

    var width: Int { keys.count }
    /// Doubles per entity in `values`.
    var stride: Int { keys.count + 1 }

    func row(_ i: Int) -> ArraySlice<Double> { values[i * stride..<i * stride + width] }

    func rowVector(_ i: Int) -> Vector { Vector(rebasing: rows[i * stride..<i * stride + width]) }

    mutating func compute() {
        var values = self.values
        self.values = []
        values.withUnsafeMutableBufferPointer { rows in
            self.rows = rows
            for level in 0..<10 where propagator.levelEnabled[level] {
                let components = run.components[level]
                let isCyclic = run.componentIsCyclic[level]
                for c in components.indices {
                    if isCyclic[c] {
                        attributeCycle(components[c], level: level)
                    } else {
                        // Written straight into the entity's row (zero so far; sources are other rows).
                        let i = components[c][0]
                        let vector = rowVector(i)
                        external(i, inCycle: false, into: vector)
                        normalize(vector, i)
                    }
                }
            }
            self.rows = Vector(start: nil, count: 0)
        }
        self.values = values
    }

    /// Scales a vector to sum to the entity's impact (this also applies the clamp's scaling).
    func normalize(_ vector: Vector, _ i: Int) {
        let impact = propagator.impact[i]
        var total = 0.0
        for k in 0..<width { total += vector[k] }
        if impact == 0 {
            vector.update(repeating: 0)
        } else if total == 0 {
            vector.update(repeating: 0)
            vector[otherKey] = impact
        } else {
            let scale = impact / total
            var finite = true
            for k in 0..<width {
                vector[k] *= scale
                finite = finite && vector[k].isFinite
            }
            if !finite {  // a degenerate split: keep the sum, lose the detail
                vector.update(repeating: 0)
                vector[otherKey] = impact
            }
        }
    }

    /// Adds the shock plus the attribution of every counted contribution (when `inCycle`, only
    /// those whose source is outside the cycle being attributed) to `vector` (zero on entry).
    func external(_ i: Int, inCycle: Bool, into vector: Vector) {
        if !shockKey.isEmpty, let key = shockKey[i] { vector[key] += propagator.shock[i] }
        let shown = propagator.shown, edgeSource = propagator.edgeSource
        let end = run.incomingStart[i + 1]
        var touched: UInt64 = 0
        for e in run.incomingStart[i]..<end where shown[e] != 0 {
            // Load the next source's row now: its cache miss then overlaps this edge's work.
            if e + 1 < end { touched &+= rows[Int(edgeSource[e + 1]) * stride].bitPattern }
            if inCycle && memberSlot[Int(edgeSource[e])] >= 0 { continue }
            share(e, into: vector)
        }
        propagator.prefetchSink &+= touched  // keeps the loads
    }

    /// Adds edge `e`'s counted contribution to `vector`, split by cause.
    func share(_ e: Int, into vector: Vector) {
        let c = propagator.shown[e]
        let s = Int(propagator.edgeSource[e])
        let programIndex = Int(propagator.edgeProgram[e])
        guard programIndex >= 0 else {
            proportional(c, from: s, into: vector)
            return
        }
        let direct = programVariables[programIndex]
        let isMacro = propagator.isMacro[s]
        if isMacro && direct.allSatisfy({ $0 == propagator.macroVariable[s] }) {
            let key = variableKey[propagator.macroVariable[s]]
            vector[key >= 0 ? key : otherKey] += c
            return
        }
        if !isMacro && direct.isEmpty {
            proportional(c, from: s, into: vector)
            return
        }
        // One at a time: each directly read variable, and the source, shocked alone.
        let program = propagator.programs[programIndex]
        let sourceImpact = propagator.edgeClass[e] == .feedback ? propagator.previousPass[s] : propagator.impact[s]
        let base = propagator.baselineValue[e].isNaN ? 0 : propagator.baselineValue[e]
        var groups: [(key: Int?, source: Bool, effect: Double)] = []
        for k in direct where !(isMacro && k == propagator.macroVariable[s]) {
            let value = (try? propagator.evaluate(program, edge: e, mode: ContextMode(shockedVariable: k, shocksSource: false),
                                                   sourceImpact: sourceImpact)) ?? nil
            groups.append((variableKey[k] >= 0 ? variableKey[k] : nil, false, (value ?? 0) - base))
        }
        if programReadsSource[programIndex] || isMacro {
            let mode = ContextMode(shockedVariable: isMacro ? propagator.macroVariable[s] : -1, shocksSource: true)
            let value = (try? propagator.evaluate(program, edge: e, mode: mode, sourceImpact: sourceImpact)) ?? nil
            let key = isMacro ? variableKey[propagator.macroVariable[s]] : -1
            groups.append((isMacro && key >= 0 ? key : nil, !isMacro, (value ?? 0) - base))
        }
        let total = groups.reduce(0) { $0 + $1.effect }
        let magnitude = groups.reduce(0) { $0 + abs($1.effect) }
        guard magnitude != 0 else {
            vector[otherKey] += c
            return
        }
        for group in groups {
            let part = total != 0 ? c * group.effect / total : c * abs(group.effect) / magnitude
            if group.source { proportional(part, from: s, into: vector) } else { vector[group.key ?? otherKey] += part }
        }
    }

    /// Shares `amount` in proportion to the source's own attribution.
    @inline(__always)
    func proportional(_ amount: Double, from s: Int, into vector: Vector) {
        let base = s * stride
        let sourceImpact = rows[base + width]  // its impact, 0 for a MACRO source
        guard sourceImpact != 0 else {
            vector[otherKey] += amount
            return
        }
        let factor = amount / sourceImpact
        for k in 0..<width where rows[base + k] != 0 { vector[k] += rows[base + k] * factor }
    }

    /// Proportional sharing inside a cycle, iterated (normalised each round) toward its fixed
    /// point, then normalised to the impact. Members' vectors live in one flat array.
    mutating func attributeCycle(_ members: [Int], level: Int) {
        let m = members.count
        let width = self.width
        for (k, i) in members.enumerated() { memberSlot[i] = k }
        defer { for i in members { memberSlot[i] = -1 } }
        let outside = Vector.filled(0, count: m * width)
        var current = Vector.filled(0, count: m * width)
        var next = Vector.filled(0, count: m * width)
        defer {
            outside.deallocate()
            current.deallocate()
            next.deallocate()
        }
        for k in 0..<m { external(members[k], inCycle: true, into: Vector(rebasing: outside[k * width..<(k + 1) * width])) }
        _ = current.update(fromContentsOf: outside)
        let shown = propagator.shown, impact = propagator.impact, unclamped = propagator.unclamped
        let edgeSource = propagator.edgeSource, incomingStart = run.incomingStart
        // The counted edges between members, in member then relationship order, with what they
        // add each round: `current[source] · factor`, or a constant to `other` (source slot -1).
        var edgeMember: [Int32] = [], edgeSourceSlot: [Int32] = [], edgeFactor: [Double] = []
        for (k, i) in members.enumerated() {
            for e in incomingStart[i]..<incomingStart[i + 1] {
                let s = Int(edgeSource[e])
                let source = memberSlot[s]
                let c = shown[e]
                guard source >= 0, c != 0 else { continue }
                edgeMember.append(Int32(k))
                if impact[s] != 0 {
                    edgeSourceSlot.append(Int32(source))
                    edgeFactor.append(c / impact[s])
                } else {
                    edgeSourceSlot.append(-1)
                    edgeFactor.append(c)
                }
            }
        }
        let limit = min(run.scenario.settings(for: level).maxCycleRounds, 500)
        for _ in 0..<limit {
            _ = next.update(fromContentsOf: outside)
            var change = 0.0
            var p = 0
            for (k, i) in members.enumerated() {
                let row = k * width
                while p < edgeMember.count && Int(edgeMember[p]) == k {
                    let source = Int(edgeSourceSlot[p]), factor = edgeFactor[p]
                    if source < 0 {
                        next[row + otherKey] += factor
                    } else {
                        for key in 0..<width { next[row + key] += current[source * width + key] * factor }
                    }
                    p += 1
                }
                // Keep each round's vector summing to the member's unclamped impact, so the
                // iteration stays bounded even where the cycle's gain is at or above 1 (clamped).
                var total = 0.0
                for key in 0..<width { total += next[row + key] }
                let scale = total != 0 && unclamped[i] != 0 ? unclamped[i] / total : 1
                if scale != 1 && scale.isFinite {
                    for key in 0..<width {
                        next[row + key] *= scale
                        change = max(change, abs(next[row + key] - current[row + key]))
                    }
                } else {
                    for key in 0..<width { change = max(change, abs(next[row + key] - current[row + key])) }
                }
            }
            swap(&current, &next)
            if change <= 1e-15 { break }
        }
        for (k, i) in members.enumerated() {
            let vector = rowVector(i)
            _ = vector.update(fromContentsOf: current[k * width..<(k + 1) * width])
            normalize(vector, i)
        }
    }
}
