@testable import CascadeEngine
import CascadeFormula

/// The attribution as main computed it before issue 16 (rows built in a dense accumulator whose
/// touched keys are sorted per entity, causes ranked by a full sort), kept verbatim as a
/// test-only reference: `AttributionReferenceTests` checks that every row of the engine's
/// `Attribution` is bit-identical to this one's.
final class ReferenceAttribution {
    let propagator: Propagator
    var run: PreparedRun { propagator.run }
    /// `macro:<variable>` and `shock:<entity id>` keys, then `other` (interactions, unattributable).
    private(set) var keys: [String] = []
    /// Variable → its key, or -1 when the variable does not move.
    private var variableKey: [Int] = []
    private var shockKey: [Int: Int] = [:]
    private(set) var otherKey = 0
    /// The most causes an entity's row keeps besides `other`.
    static let causeLimit = 32
    /// Per entity, its row: entries `rowStart[i] ..< rowStart[i] + rowCount[i]` of `entryKey` and
    /// `entryValue`, keys ascending, values nonzero; empty until the entity is attributed.
    private(set) var rowStart: [Int]
    private(set) var rowCount: [Int32]
    private(set) var entryKey: [Int32] = []
    private(set) var entryValue: [Double] = []
    /// The accumulator a row is built in: a dense vector of every key, zero except where touched.
    private let scratch: UnsafeMutableBufferPointer<Double>
    private let isTouched: UnsafeMutableBufferPointer<Bool>
    private var touched: [Int32] = []
    /// While a cycle is attributed: its members' positions; -1 elsewhere.
    private var memberSlot: [Int] = []
    /// Per program: the moving variables it reads (ascending), and whether it reads the source.
    private let programVariables: [[Int]]
    private let programReadsSource: [Bool]

    typealias Vector = UnsafeMutableBufferPointer<Double>

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
        rowStart = Array(repeating: 0, count: run.ids.count)
        rowCount = Array(repeating: 0, count: run.ids.count)
        scratch = .filled(0, count: keys.count)
        isTouched = .allocate(capacity: keys.count)
        isTouched.initialize(repeating: false)
        memberSlot = Array(repeating: -1, count: run.ids.count)
        let variableKey = self.variableKey
        programVariables = run.programs.map { $0.variablesRead.filter { variableKey[$0] >= 0 } }
        programReadsSource = run.programs.map(\.readsSource)
    }

    deinit {
        scratch.deallocate()
        isTouched.deallocate()
    }

    var width: Int { keys.count }

    /// The entries of entity `i`'s row.
    func row(_ i: Int) -> Range<Int> { rowStart[i]..<rowStart[i] + Int(rowCount[i]) }

    func compute() {
        for level in 0..<10 where propagator.levelEnabled[level] {
            let components = run.components[level]
            let isCyclic = run.componentIsCyclic[level]
            for c in components.indices {
                if isCyclic[c] {
                    attributeCycle(components[c], level: level)
                } else {
                    let i = components[c][0]
                    external(i, inCycle: false)
                    finish(i)
                }
            }
        }
    }

    /// Adds `amount` to key `key` of the accumulator.
    @inline(__always)
    private func add(_ key: Int, _ amount: Double) {
        if !isTouched[key] {
            isTouched[key] = true
            touched.append(Int32(key))
        }
        scratch[key] += amount
    }

    /// Empties the accumulator.
    private func clear() {
        for key in touched {
            scratch[Int(key)] = 0
            isTouched[Int(key)] = false
        }
        touched.removeAll(keepingCapacity: true)
    }

    /// Stores the accumulator as entity `i`'s row, scaled to sum to the entity's impact (this
    /// also applies the clamp's scaling), and empties it. Sums run in ascending key order, as a
    /// dense row's did (the untouched keys are zeros, which change no sum).
    private func finish(_ i: Int) {
        touched.sort()
        let impact = propagator.impact[i]
        var total = 0.0
        for key in touched { total += scratch[Int(key)] }
        rowStart[i] = entryKey.count
        if impact == 0 {
            // nothing moved: an empty row
        } else if total == 0 {
            append(otherKey, impact)
        } else {
            let scale = impact / total
            var finite = true
            for key in touched {
                scratch[Int(key)] *= scale
                finite = finite && scratch[Int(key)].isFinite
            }
            if !finite {  // a degenerate split: keep the sum, lose the detail
                append(otherKey, impact)
            } else {
                appendLimited()
            }
        }
        rowCount[i] = Int32(entryKey.count - rowStart[i])
        clear()
    }

    private func append(_ key: Int, _ value: Double) {
        entryKey.append(Int32(key))
        entryValue.append(value)
    }

    /// Appends the accumulator's nonzero entries; past `causeLimit` causes, the largest by
    /// magnitude (earlier keys first among equals) and `other` with the rest added to it.
    private func appendLimited() {
        var causes = 0
        for key in touched where scratch[Int(key)] != 0 && Int(key) != otherKey { causes += 1 }
        if causes <= Self.causeLimit {
            for key in touched where scratch[Int(key)] != 0 { append(Int(key), scratch[Int(key)]) }
            return
        }
        let ranked = touched.filter { scratch[Int($0)] != 0 && Int($0) != otherKey }.sorted {
            let a = abs(scratch[Int($0)]), b = abs(scratch[Int($1)])
            return a != b ? a > b : $0 < $1
        }
        var rest = 0.0
        for key in ranked[Self.causeLimit...].sorted() { rest += scratch[Int(key)] }
        add(otherKey, rest)
        var kept = Array(ranked[..<Self.causeLimit])
        kept.append(Int32(otherKey))
        for key in kept.sorted() where scratch[Int(key)] != 0 { append(Int(key), scratch[Int(key)]) }
    }

    /// Adds the shock plus the attribution of every counted contribution (when `inCycle`, only
    /// those whose source is outside the cycle being attributed) to the accumulator.
    private func external(_ i: Int, inCycle: Bool) {
        if !shockKey.isEmpty, let key = shockKey[i] { add(key, propagator.shock[i]) }
        let shown = propagator.shown, edgeSource = propagator.edgeSource
        for e in run.incomingStart[i]..<run.incomingStart[i + 1] where shown[e] != 0 {
            if inCycle && memberSlot[Int(edgeSource[e])] >= 0 { continue }
            share(e)
        }
    }

    /// Adds edge `e`'s counted contribution to the accumulator, split by cause.
    private func share(_ e: Int) {
        let c = propagator.shown[e]
        let s = Int(propagator.edgeSource[e])
        let programIndex = Int(propagator.edgeProgram[e])
        guard programIndex >= 0 else {
            proportional(c, from: s)
            return
        }
        let direct = programVariables[programIndex]
        let isMacro = propagator.isMacro[s]
        if isMacro && direct.allSatisfy({ $0 == propagator.macroVariable[s] }) {
            let key = variableKey[propagator.macroVariable[s]]
            add(key >= 0 ? key : otherKey, c)
            return
        }
        if !isMacro && direct.isEmpty {
            proportional(c, from: s)
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
            add(otherKey, c)
            return
        }
        for group in groups {
            let part = total != 0 ? c * group.effect / total : c * abs(group.effect) / magnitude
            if group.source { proportional(part, from: s) } else { add(group.key ?? otherKey, part) }
        }
    }

    /// Shares `amount` in proportion to the source's own attribution (its row sums to its
    /// impact; a MACRO source's impact counts as 0).
    @inline(__always)
    private func proportional(_ amount: Double, from s: Int) {
        let sourceImpact = propagator.isMacro[s] ? 0 : propagator.impact[s]
        guard sourceImpact != 0 else {
            add(otherKey, amount)
            return
        }
        let factor = amount / sourceImpact
        for entry in row(s) { add(Int(entryKey[entry]), entryValue[entry] * factor) }
    }

    /// Proportional sharing inside a cycle, iterated (normalised each round) toward its fixed
    /// point, then normalised to the impact. Members' vectors live in one flat dense array.
    private func attributeCycle(_ members: [Int], level: Int) {
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
        for k in 0..<m {
            external(members[k], inCycle: true)
            for key in touched { outside[k * width + Int(key)] = scratch[Int(key)] }
            clear()
        }
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
            for key in 0..<width where current[k * width + key] != 0 { add(key, current[k * width + key]) }
            finish(i)
        }
    }
}
