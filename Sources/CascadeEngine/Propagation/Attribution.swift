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
    var variableKey: [Int: Int] = [:]
    var shockKey: [Int: Int] = [:]
    var otherKey = 0
    /// Row-major: entity × key.
    var values: [Double] = []
    /// While a cycle is attributed: its members' positions; -1 elsewhere.
    var memberSlot: [Int] = []

    init(_ propagator: Propagator) {
        self.propagator = propagator
        let run = propagator.run
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
        values = Array(repeating: 0, count: run.ids.count * keys.count)
        memberSlot = Array(repeating: -1, count: run.ids.count)
    }

    var width: Int { keys.count }

    func row(_ i: Int) -> ArraySlice<Double> { values[i * width..<(i + 1) * width] }

    mutating func compute() {
        for level in 0..<10 where propagator.levelEnabled[level] {
            for (c, component) in run.components[level].enumerated() {
                if run.componentIsCyclic[level][c] {
                    attributeCycle(component, level: level)
                } else {
                    var vector = external(component[0], inCycle: false)
                    normalize(&vector, component[0])
                    store(vector, component[0])
                }
            }
        }
    }

    mutating func store(_ vector: [Double], _ i: Int) {
        values.replaceSubrange(i * width..<(i + 1) * width, with: vector)
    }

    /// Scales a vector to sum to the entity's impact (this also applies the clamp's scaling).
    func normalize(_ vector: inout [Double], _ i: Int) {
        let impact = propagator.impact[i]
        let total = vector.reduce(0, +)
        if impact == 0 {
            vector = Array(repeating: 0, count: width)
        } else if total == 0 {
            vector = Array(repeating: 0, count: width)
            vector[otherKey] = impact
        } else {
            let scale = impact / total
            for k in vector.indices { vector[k] *= scale }
            if !vector.allSatisfy(\.isFinite) {  // a degenerate split: keep the sum, lose the detail
                vector = Array(repeating: 0, count: width)
                vector[otherKey] = impact
            }
        }
    }

    /// The shock plus the attribution of every counted contribution (when `inCycle`, only those
    /// whose source is outside the cycle being attributed).
    func external(_ i: Int, inCycle: Bool) -> [Double] {
        var vector = Array(repeating: 0.0, count: width)
        if let key = shockKey[i] { vector[key] += propagator.shock[i] }
        for e in run.incomingStart[i]..<run.incomingStart[i + 1] where propagator.shown[e] != 0 {
            if inCycle && memberSlot[Int(run.edgeSource[e])] >= 0 { continue }
            share(e, into: &vector)
        }
        return vector
    }

    /// Adds edge `e`'s counted contribution to `vector`, split by cause.
    func share(_ e: Int, into vector: inout [Double]) {
        let c = propagator.shown[e]
        let s = Int(run.edgeSource[e])
        let programIndex = Int(run.edgeProgram[e])
        guard programIndex >= 0 else {
            proportional(c, from: s, into: &vector)
            return
        }
        let program = run.programs[programIndex]
        let direct = program.variablesRead.filter { variableKey[$0] != nil }
        if run.isMacro[s] && direct.allSatisfy({ $0 == run.macroVariable[s] }) {
            vector[variableKey[run.macroVariable[s]] ?? otherKey] += c
            return
        }
        if !run.isMacro[s] && direct.isEmpty {
            proportional(c, from: s, into: &vector)
            return
        }
        // One at a time: each directly read variable, and the source, shocked alone.
        let sourceImpact = run.edgeClass[e] == .feedback ? propagator.previousPass[s] : propagator.impact[s]
        let base = propagator.baselineValue[e].isNaN ? 0 : propagator.baselineValue[e]
        var groups: [(key: Int?, source: Bool, effect: Double)] = []
        for k in direct where !(run.isMacro[s] && k == run.macroVariable[s]) {
            let value = (try? propagator.evaluate(program, edge: e, mode: ContextMode(shockedVariable: k, shocksSource: false),
                                                   sourceImpact: sourceImpact)) ?? nil
            groups.append((variableKey[k], false, (value ?? 0) - base))
        }
        if program.readsSource || run.isMacro[s] {
            let mode = ContextMode(shockedVariable: run.isMacro[s] ? run.macroVariable[s] : -1, shocksSource: true)
            let value = (try? propagator.evaluate(program, edge: e, mode: mode, sourceImpact: sourceImpact)) ?? nil
            groups.append((run.isMacro[s] ? variableKey[run.macroVariable[s]] : nil, !run.isMacro[s], (value ?? 0) - base))
        }
        let total = groups.reduce(0) { $0 + $1.effect }
        let magnitude = groups.reduce(0) { $0 + abs($1.effect) }
        guard magnitude != 0 else {
            vector[otherKey] += c
            return
        }
        for group in groups {
            let part = total != 0 ? c * group.effect / total : c * abs(group.effect) / magnitude
            if group.source { proportional(part, from: s, into: &vector) } else { vector[group.key ?? otherKey] += part }
        }
    }

    /// Shares `amount` in proportion to the source's own attribution.
    func proportional(_ amount: Double, from s: Int, into vector: inout [Double]) {
        let sourceImpact = propagator.impact[s]
        guard sourceImpact != 0, !run.isMacro[s] else {
            vector[otherKey] += amount
            return
        }
        let factor = amount / sourceImpact
        let base = s * width
        for k in 0..<width where values[base + k] != 0 { vector[k] += values[base + k] * factor }
    }

    /// Proportional sharing inside a cycle, iterated (normalised each round) toward its fixed
    /// point, then normalised to the impact. Members' vectors live in one flat array.
    mutating func attributeCycle(_ members: [Int], level: Int) {
        let m = members.count
        for (k, i) in members.enumerated() { memberSlot[i] = k }
        defer { for i in members { memberSlot[i] = -1 } }
        var outside = [Double](repeating: 0, count: m * width)
        for (k, i) in members.enumerated() {
            let vector = external(i, inCycle: true)
            outside.replaceSubrange(k * width..<(k + 1) * width, with: vector)
        }
        var current = outside
        var next = outside
        let limit = min(run.scenario.settings(for: level).maxCycleRounds, 500)
        for _ in 0..<limit {
            next = outside
            var change = 0.0
            for (k, i) in members.enumerated() {
                let row = k * width
                for e in run.incomingStart[i]..<run.incomingStart[i + 1] {
                    let s = Int(run.edgeSource[e])
                    let source = memberSlot[s]
                    let c = propagator.shown[e]
                    guard source >= 0, c != 0 else { continue }
                    guard propagator.impact[s] != 0 else {
                        next[row + otherKey] += c
                        continue
                    }
                    let factor = c / propagator.impact[s]
                    for key in 0..<width { next[row + key] += current[source * width + key] * factor }
                }
                // Keep each round's vector summing to the member's unclamped impact, so the
                // iteration stays bounded even where the cycle's gain is at or above 1 (clamped).
                var total = 0.0
                for key in 0..<width { total += next[row + key] }
                if total != 0 && propagator.unclamped[i] != 0 {
                    let scale = propagator.unclamped[i] / total
                    if scale.isFinite { for key in 0..<width { next[row + key] *= scale } }
                }
                for key in 0..<width { change = max(change, abs(next[row + key] - current[row + key])) }
            }
            swap(&current, &next)
            if change <= 1e-15 { break }
        }
        for (k, i) in members.enumerated() {
            var vector = Array(current[k * width..<(k + 1) * width])
            normalize(&vector, i)
            store(vector, i)
        }
    }
}
