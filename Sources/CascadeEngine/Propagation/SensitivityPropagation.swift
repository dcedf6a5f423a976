import CascadeFormula

/// Exact sensitivities ∂impact/∂value of every entity to every variable and entity shock of the
/// scenario, by forward-mode differentiation through the propagation (docs/propagation.md,
/// "Sensitivities"). Two hooks, called in propagation order — an entity's finish and a cycle's
/// finish — differentiate what reaches it from the values its propagator holds at that point:
/// after a run without feedback, `differentiateFinishedPass()` calls them over the plain run's
/// own values (nothing is evaluated again); a run with feedback is propagated once more with the
/// hooks called as each pass finishes an entity (each pass's values are gone by the end).
///
/// Each direction (one per variable the scenario writes or a MACRO entity binds, then one per
/// shocked entity) carries one tangent per entity, updated as a vector over the directions:
/// - an edge's scenario evaluation is differentiated (`CompiledFormula.differentiate`) into its
///   slope with respect to its source's impact and its direct derivatives with respect to the
///   variables it reads (macro sources included); a linear pass-through has slope 1;
/// - an entity's tangent is the sum over its counted edges of `sign · damping · weight · (direct
///   + slope · source tangent)` — the binding input only, on a bottleneck — plus 1 in its own
///   shock's direction; then 0 strictly past its clamp;
/// - a same-level cycle's tangents are iterated at its fixed point with its relaxation until they
///   change by at most the level's tolerance (relative to their size);
/// - feedback edges read the previous pass's tangents, as their values read its impacts.
///
/// Only what a direction reaches is differentiated: an entity's row is *live* when it has a
/// non-zero or undefined entry, and an edge is *active* when its source's row is live or it
/// reads a direction itself (a direct row). An inactive edge adds exactly nothing (0 times a
/// finite slope, no flag), so it is skipped and never differentiated; an entity with neither an
/// active edge nor a shock keeps a zero row. The work is proportional to the edges downstream of
/// a direction (`edgesDifferentiated` counts them), not to the graph.
///
/// A direction is *undefined* for an entity where the derivative does not exist: a formula on
/// a threshold, kink or jump in that direction, an impact exactly on its clamp, a bottleneck tie
/// between inputs that move differently, and anything downstream through a non-zero slope; in a
/// cycle, a direction undefined for one member is for all, and for every member when the values
/// or the tangents did not converge.
final class SensitivityPropagation {
    /// Unowned and unchecked: the propagator outlives its tracker (made from it for one run, or
    /// held by it), and a checked reference costs an atomic retain and release on every read of
    /// the propagator's arrays — most of the phase's time, measured at 100 k entities.
    unowned(unsafe) let p: Propagator
    // The propagator's graph arrays, shared (not copied) as constants of the tracker: read through
    // `p`, each read retained and released the array (half the phase's time at 100 k entities).
    let incomingStart: [Int]
    let edgeSource: [Int32]
    let edgeTarget: [Int32]
    let edgeClass: [EdgeClass]
    let edgeIsBottleneck: [Bool]
    let edgeProgram: [Int32]
    let edgeSignedWeight: [Double]
    let isMacro: [Bool]
    let macroVariable: [Int]
    let levelValues: [Double]
    let entityHasBottleneck: [Bool]
    /// `macro:<variable>` (`variableDirections`, byte order), then `shock:<entity id>` (id order).
    let keys: [String]
    let k: Int
    let variableDirection: [Int]
    let shockDirection: [Int32]
    /// Per variable: its baseline is its own scenario value (it binds nothing and has no history).
    let variableFollowsValue: [Bool]
    // Per entity, n × k: the tangent and the undefined flags (this pass's, and the previous one's).
    let tangent: Buffer<Double>
    let undefined: Buffer<Bool>
    let previousTangent: Buffer<Double>
    let previousUndefined: Buffer<Bool>
    /// Per entity: whether its row has a non-zero or undefined entry (this pass's, the previous one's).
    let isLive: Buffer<Bool>
    let previousIsLive: Buffer<Bool>
    // Per edge: the slope of its scenario value in its source's impact, and whether that slope
    // does not exist; the direct derivatives (rows for edges that read directions).
    let sourceSlope: Buffer<Double>
    let sourceKink: Buffer<Bool>
    /// Per edge, its row of `direct` or -1; empty when no edge can have one (`directRow(of:)`).
    let directRow: [Int32]
    /// Whether some edge has a direct row (reads a direction itself).
    let hasDirectRows: Bool
    let direct: Buffer<Double>
    let directUndefined: Buffer<Bool>
    /// Per edge, its row of `baselineDirect` or -1; empty like `directRow`.
    let baselineRow: [Int32]
    let baselineDirect: Buffer<Double>
    let baselineUndefined: Buffer<Bool>
    /// Per baseline row: differentiated already (the baseline context is the same in every pass).
    let hasBaselineDirect: Buffer<Bool>
    /// Per program: its formulas with their tangent registers.
    let plans: [TangentPlan]
    /// The cycle being finished: each member's position, and the members' tangents.
    let memberPosition: Buffer<Int32>
    var cycleTangent: Buffer<Double>
    var cycleUndefined: Buffer<Bool>
    let scratch: Buffer<Double>
    let scratchUndefined: Buffer<Bool>
    let other: Buffer<Double>
    let otherUndefined: Buffer<Bool>
    /// Scenario-context differentiations of edges: the work, for `stats.sensitivity_edges`.
    var edgesDifferentiated = 0
    /// Entities whose incoming edges were looked at (finished, alone or in a cycle).
    var entitiesVisited = 0
    /// An edge whose value was computed but whose differentiation failed (the evaluator promises
    /// the same value or error from both, so this is a defect): the run fails with it.
    var failure: (edge: Int, error: FormulaError)?

    /// The bytes a run of `n` entities and `directions` directions needs (for the memory budget).
    static func bytes(entities n: Int, directions: Int, feedback: Bool) -> (Int, Bool) {
        let perEntity = (MemoryLayout<Double>.size + MemoryLayout<Bool>.size) * (feedback ? 2 : 1)
        let (cells, overflow) = n.multipliedReportingOverflow(by: directions)
        let (bytes, overflow2) = cells.multipliedReportingOverflow(by: perEntity)
        return (bytes, overflow || overflow2)
    }

    /// The variables that get a direction, in byte order: every variable the scenario writes and
    /// every variable a MACRO entity of the run binds, written or left at its baseline — both are
    /// inputs of the run ("how much per bp of X" holds for an X the scenario did not move).
    static func variableDirections(_ run: PreparedRun) -> [String] {
        var names = Set(run.scenario.macroVariables.keys)
        for v in run.variableNames.indices where run.variableIsBound[v] { names.insert(run.variableNames[v]) }
        return names.sorted(by: byteOrder)
    }

    /// Fails before allocating when the tangents (entities × directions) would not fit the budget.
    static func requireBudget(_ run: PreparedRun, budget: Int) throws(EngineError) {
        let directions = variableDirections(run).count + run.scenario.entityShocks.count
        let (bytes, overflow) = bytes(entities: run.ids.count, directions: directions, feedback: run.scenario.feedbackRounds > 0)
        guard overflow || bytes > budget else { return }
        throw EngineError(problems: [.init(
            location: "$.sensitivities",
            message: "sensitivities of \(run.ids.count) entities to \(directions) variables and shocks would need "
                + (overflow ? "more than \(Int.max) bytes" : Attribution.gigabytes(bytes)) + "; the budget is \(Attribution.gigabytes(budget))")],
            kind: .overBudget)
    }

    init(_ p: Propagator) {
        self.p = p
        incomingStart = p.incomingStart
        edgeSource = p.edgeSource
        edgeTarget = p.edgeTarget
        edgeClass = p.edgeClass
        edgeIsBottleneck = p.edgeIsBottleneck
        edgeProgram = p.edgeProgram
        edgeSignedWeight = p.edgeSignedWeight
        isMacro = p.isMacro
        macroVariable = p.macroVariable
        levelValues = p.levelValues
        entityHasBottleneck = p.entityHasBottleneck
        let run = p.run
        let n = run.ids.count, edges = run.edgeSource.count
        var keys: [String] = []
        var variableDirection = Array(repeating: -1, count: run.variableNames.count)
        var variableIndex: [String: Int] = [:]
        for (v, name) in run.variableNames.enumerated() { variableIndex[name] = v }
        for name in Self.variableDirections(run) {
            guard let v = variableIndex[name] else { continue }
            variableDirection[v] = keys.count
            keys.append("macro:" + name)
        }
        var shockDirection = [Int32](repeating: -1, count: n)
        for id in run.scenario.entityShocks.keys.sorted(by: byteOrder) {
            guard let i = run.entityIndex(id) else { continue }
            shockDirection[i] = Int32(keys.count)
            keys.append("shock:" + id)
        }
        self.keys = keys
        k = keys.count
        self.variableDirection = variableDirection
        self.shockDirection = shockDirection
        let follows = run.variableNames.indices.map { v in !run.variableIsBound[v] && run.variableBaselineIsValue[v] }
        variableFollowsValue = follows
        tangent = .zeroed(count: n * k)
        undefined = .zeroed(count: n * k)
        isLive = .zeroed(count: n)
        let feedback = run.scenario.feedbackRounds > 0
        previousTangent = .zeroed(count: feedback ? n * k : 0)
        previousUndefined = .zeroed(count: feedback ? n * k : 0)
        previousIsLive = .zeroed(count: feedback ? n : 0)
        sourceSlope = .zeroed(count: edges)
        sourceKink = .zeroed(count: edges)
        // Which edges read a direction directly (a variable, or a macro source's variable), and
        // which read a variable whose baseline follows its value: per program once (a registry
        // program's variables are a set of its bindings'), then per edge by its source.
        let programVariables = run.programs.map(\.variablesRead)
        let programReadsDirection = programVariables.map { $0.contains { variableDirection[$0] >= 0 } }
        let programReadsFollowing = programVariables.map { $0.contains { variableDirection[$0] >= 0 && follows[$0] } }
        let programReadsSource = run.programs.map(\.readsSource)
        var rows = 0, baselineRows = 0
        // Only when some edge can read a direction (or a following variable) is there a row to
        // give: most runs of shocks alone have none, skip this pass over the edges and keep the
        // two per-edge tables empty (`directRow(of:)`).
        let macroHasDirection = run.variableNames.indices.contains { v in variableDirection[v] >= 0 && run.variableIsBound[v] }
        let mayHaveRows = programReadsDirection.contains(true) || programReadsFollowing.contains(true) || macroHasDirection
        var directRow = [Int32](repeating: -1, count: mayHaveRows ? edges : 0)
        var baselineRow = [Int32](repeating: -1, count: mayHaveRows ? edges : 0)
        // (The propagator's copies of the graph's arrays: constants, read without access checks.)
        for e in 0..<(mayHaveRows ? edges : 0) where p.edgeProgram[e] >= 0 {
            let s = Int(p.edgeSource[e]), program = Int(p.edgeProgram[e])
            let readsDirection = programReadsDirection[program]
                || (p.isMacro[s] && p.macroVariable[s] >= 0 && variableDirection[p.macroVariable[s]] >= 0 && programReadsSource[program])
            if readsDirection {
                directRow[e] = Int32(rows)
                rows += 1
            }
            if programReadsFollowing[program] {
                baselineRow[e] = Int32(baselineRows)
                baselineRows += 1
            }
        }
        self.directRow = directRow
        hasDirectRows = rows > 0
        self.baselineRow = baselineRow
        direct = .zeroed(count: rows * k)
        directUndefined = .zeroed(count: rows * k)
        baselineDirect = .zeroed(count: baselineRows * k)
        baselineUndefined = .zeroed(count: baselineRows * k)
        hasBaselineDirect = .zeroed(count: baselineRows)
        plans = run.programs.map(TangentPlan.init)
        memberPosition = .filled(-1, count: n)
        cycleTangent = .filled(0, count: 0)
        cycleUndefined = .filled(false, count: 0)
        scratch = .filled(0, count: k)
        scratchUndefined = .filled(false, count: k)
        other = .filled(0, count: k)
        otherUndefined = .filled(false, count: k)
    }

    deinit {
        for buffer in [tangent, previousTangent, sourceSlope, direct, baselineDirect] { buffer.freeZeroed() }
        for buffer in [undefined, previousUndefined, isLive, previousIsLive, sourceKink, directUndefined, baselineUndefined,
                       hasBaselineDirect] {
            buffer.freeZeroed()
        }
        for buffer in [cycleTangent, scratch, other] { buffer.deallocate() }
        for buffer in [cycleUndefined, scratchUndefined, otherUndefined] { buffer.deallocate() }
        memberPosition.deallocate()
    }

    // MARK: - A finished run

    /// Differentiates the propagator's finished run — one pass, no feedback — from its own
    /// values, forward from the directions: an entity or cycle is visited (its incoming edges
    /// looked at) only when something can reach it — a shock, an edge that reads a direction, an
    /// edge from an entity whose row became live, or a cycle whose values did not converge —
    /// in the order the pass finished them. Every other entity keeps its zero row without a look
    /// at its edges, as a disabled level's entities do.
    /// - Complexity: O(V), plus O(E) sequential when some edge reads a direction itself, plus
    ///   the incoming edges of the visited entities, one differentiation per active formula edge
    ///   and O(k) per active edge.
    func differentiateFinishedPass() {
        precondition(p.run.scenario.feedbackRounds == 0, "a run with feedback is differentiated as it propagates")
        let run = p.run
        let n = run.ids.count, edges = run.edgeSource.count
        // The entities a direction reaches directly (each entity's targets come with the
        // prepared graph, `PreparedRun.targetsBySource`).
        let pending = Buffer<Bool>.zeroed(count: n)
        defer { pending.freeZeroed() }
        if hasDirectRows {
            edgeTarget.withUnsafeBufferPointer { target in
                directRow.withUnsafeBufferPointer { direct in
                    for e in 0..<edges where direct[e] >= 0 { pending[Int(target[e])] = true }
                }
            }
        }
        for i in 0..<n where shockDirection[i] >= 0 { pending[i] = true }
        let targetStart = run.targetStart, targets = run.targetsBySource
        /// After entity i finished: a live row reaches its targets.
        @inline(__always) func reach(from i: Int) {
            guard isLive[i] else { return }
            for t in Int(targetStart[i])..<Int(targetStart[i + 1]) { pending[Int(targets[t])] = true }
        }
        for level in 0..<10 {
            let settings = run.scenario.settings(for: level)
            guard settings.isEnabled else { continue }
            let components = run.components[level]
            let isCyclic = run.componentIsCyclic[level]
            for c in components.indices {
                let members = components[c]
                if isCyclic[c] {
                    let isConverged = p.converged[members[0]]
                    guard !isConverged || members.contains(where: { pending[$0] }) else { continue }
                    finishCycle(members, settings, isConverged: isConverged)
                    for i in members { reach(from: i) }
                } else {
                    let i = members[0]
                    guard pending[i] else { continue }
                    finish(i, settings)
                    reach(from: i)
                }
            }
        }
    }

    // MARK: - Entities

    /// The tangent (and flags) of the source an edge reads: the previous pass's for a feedback
    /// edge, the cycle's current iterate for a member of the cycle being finished.
    @inline(__always)
    func sourceRow(_ e: Int) -> (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Bool>?) {
        let s = Int(edgeSource[e])
        if edgeClass[e] == .feedback { return (previousTangent.baseAddress! + s * k, previousUndefined.baseAddress! + s * k) }
        let position = Int(memberPosition[s])
        if position >= 0 { return (cycleTangent.baseAddress! + position * k, nil) }
        return (tangent.baseAddress! + s * k, undefined.baseAddress! + s * k)
    }

    /// Adds an edge's contribution tangent, `factor · (direct + slope · source)`, into `t`, and
    /// its flags into `u` (nothing for an inactive edge: its source's row is 0 and defined).
    @inline(__always)
    func addEdge(_ e: Int, _ factor: Double, into t: UnsafeMutablePointer<Double>, _ u: UnsafeMutablePointer<Bool>) {
        let isLinear = edgeProgram[e] < 0
        if sourceIsLive(e) {
            let slope = isLinear ? 1 : sourceSlope[e]
            let kink = isLinear ? false : sourceKink[e]
            if slope != 0 || kink {
                let (st, su) = sourceRow(e)
                let scaled = factor * slope
                for j in 0..<k {
                    t[j] += scaled * st[j]
                    if (kink && st[j] != 0) || (slope != 0 && su?[j] == true) { u[j] = true }
                }
            }
        }
        if isLinear { return }
        let row = directRow(of: e)
        if row >= 0 {
            for j in 0..<k {
                t[j] += factor * direct[row * k + j]
                if directUndefined[row * k + j] { u[j] = true }
            }
        }
        let baseRow = baselineRow(of: e)
        if baseRow >= 0 {
            for j in 0..<k {
                t[j] -= factor * baselineDirect[baseRow * k + j]
                if baselineUndefined[baseRow * k + j] { u[j] = true }
            }
        }
    }

    /// Whether anything can move entity i: its own shock, or an active counted edge.
    @inline(__always)
    func isReached(_ i: Int) -> Bool {
        if shockDirection[i] >= 0 { return true }
        for e in incomingStart[i]..<incomingStart[i + 1] where counts(e) && isActive(e) { return true }
        return false
    }

    /// Entity i's tangent into `t`/`u`: its counted edges (the binding bottleneck input only), its
    /// shock, then the clamp.
    func computeRow(_ i: Int, _ settings: LevelSettings, into t: UnsafeMutablePointer<Double>, _ u: UnsafeMutablePointer<Bool>) {
        for j in 0..<k {
            t[j] = 0
            u[j] = false
        }
        if shockDirection[i] >= 0 { t[Int(shockDirection[i])] = 1 }
        let range = incomingStart[i]..<incomingStart[i + 1]
        let hasBottleneck = entityHasBottleneck[i]
        let binding = p.bindingEdge[i]
        for e in range where counts(e) {
            if hasBottleneck && edgeIsBottleneck[e] && e != binding { continue }
            addEdge(e, settings.damping * edgeSignedWeight[e], into: t, u)
        }
        if hasBottleneck && binding >= 0 {
            // A tie: another input at the same value that moves differently can take over.
            for e in range where e != binding && edgeIsBottleneck[e] && counts(e) && p.contribution[e] == p.contribution[binding] {
                let a = scratch.baseAddress!, b = other.baseAddress!
                for j in 0..<k {
                    a[j] = 0
                    b[j] = 0
                }
                addEdge(e, settings.damping * edgeSignedWeight[e], into: a, scratchUndefined.baseAddress!)
                addEdge(binding, settings.damping * edgeSignedWeight[binding], into: b, otherUndefined.baseAddress!)
                for j in 0..<k where a[j] != b[j] { u[j] = true }
            }
        }
        let x = p.unclamped[i], lower = settings.clamp.lowerBound, upper = settings.clamp.upperBound
        if x < lower || x > upper || lower == upper {
            for j in 0..<k {
                t[j] = 0
                u[j] = false
            }
        } else if x == lower || x == upper {
            for j in 0..<k where t[j] != 0 { u[j] = true }
        }
    }

    /// Entity i's row is 0 and defined (cleared only when a previous pass left it live).
    @inline(__always)
    func clear(_ i: Int) {
        guard isLive[i] else { return }
        for j in 0..<k {
            tangent[i * k + j] = 0
            undefined[i * k + j] = false
        }
        isLive[i] = false
    }

    /// Whether entity i's row has a non-zero or undefined entry.
    @inline(__always)
    func rowIsLive(_ i: Int) -> Bool {
        for j in 0..<k where tangent[i * k + j] != 0 || undefined[i * k + j] { return true }
        return false
    }

    /// Records a finished entity (outside a cycle).
    func finish(_ i: Int, _ settings: LevelSettings) {
        entitiesVisited += 1
        guard isReached(i) else { return clear(i) }
        differentiateEdges(into: i)
        computeRow(i, settings, into: tangent.baseAddress! + i * k, undefined.baseAddress! + i * k)
        isLive[i] = rowIsLive(i)
    }

    /// A disabled entity does not move.
    func disable(_ i: Int) {
        clear(i)
    }

    /// Before a feedback pass: feedback edges read this pass's tangents as the previous ones.
    func beginFeedbackPass() {
        _ = previousTangent.update(fromContentsOf: tangent)
        _ = previousUndefined.update(fromContentsOf: undefined)
        _ = previousIsLive.update(fromContentsOf: isLive)
    }

    /// Records a finished cycle: its members' tangents at the fixed point, by the same relaxed
    /// iteration as the values, then one application from the converged tangents. A cycle that
    /// nothing reaches stays 0 — undefined in every direction when its values did not converge.
    func finishCycle(_ members: [Int], _ settings: LevelSettings, isConverged: Bool) {
        let m = members.count
        entitiesVisited += m
        for (position, i) in members.enumerated() { memberPosition[i] = Int32(position) }
        defer { for i in members { memberPosition[i] = -1 } }
        // Reached from outside: a shock, or an active edge that is not between members.
        let reached = members.contains { i in
            shockDirection[i] >= 0 || (incomingStart[i]..<incomingStart[i + 1]).contains { e in
                counts(e) && (directRow(of: e) >= 0 || (memberPosition[Int(edgeSource[e])] < 0 && sourceIsLive(e)))
            }
        }
        guard reached else {
            for i in members {
                clear(i)
                if !isConverged && k > 0 {
                    for j in 0..<k { undefined[i * k + j] = true }
                    isLive[i] = true
                }
            }
            return
        }
        for i in members { differentiateEdges(into: i) }
        cycleTangent.deallocate()
        cycleUndefined.deallocate()
        cycleTangent = .filled(0, count: m * k)
        cycleUndefined = .filled(false, count: m * k)
        let next = Buffer<Double>.filled(0, count: m * k)
        let flags = Buffer<Bool>.filled(false, count: max(k, 1))
        defer {
            next.deallocate()
            flags.deallocate()
        }
        let omega = settings.relaxation
        var tangentsConverged = k == 0
        var round = 0
        while !tangentsConverged && round < settings.maxCycleRounds {
            round += 1
            var change = 0.0, size = 0.0
            for (position, i) in members.enumerated() {
                let row = next.baseAddress! + position * k
                computeRow(i, settings, into: row, flags.baseAddress!)
                for j in 0..<k {
                    let old = cycleTangent[position * k + j]
                    let relaxed = omega == 1 ? row[j] : (1 - omega) * old + omega * row[j]
                    row[j] = relaxed
                    change = max(change, abs(relaxed - old))
                    size = max(size, abs(relaxed))
                }
            }
            _ = cycleTangent.update(fromContentsOf: next)
            if change <= settings.tolerance * max(1, size) { tangentsConverged = true }
        }
        // The reported tangents: one application from the converged ones; flags shared by the cycle.
        for j in 0..<k { flags[j] = false }
        for i in members {
            let u = undefined.baseAddress! + i * k
            computeRow(i, settings, into: tangent.baseAddress! + i * k, u)
            for j in 0..<k where u[j] { flags[j] = true }
        }
        let undefinedEverywhere = !isConverged || !tangentsConverged
        for i in members {
            for j in 0..<k where flags[j] || undefinedEverywhere { undefined[i * k + j] = true }
            isLive[i] = rowIsLive(i)
        }
    }

    // MARK: - Results

    /// The run's error for a differentiation that failed where the evaluation of the same edge
    /// at the same values did not.
    func failureError(_ failure: (edge: Int, error: FormulaError)) -> EngineError {
        let run = p.run, e = failure.edge
        return EngineError(problems: [.init(
            location: "relationship \(run.relationshipIDs[Int(run.edgeRelationship[e])])",
            message: "its formula's derivative could not be computed where its value was (an internal error: "
                + "run without sensitivities): \(failure.error.diagnostic.message)")],
            kind: .nonFinite)
    }

    /// The columns a result keeps: keys, and per entity its row of tangents and flags.
    func columns() -> SensitivityColumns {
        SensitivityColumns(keys: keys, values: Array(tangent), undefined: Array(undefined))
    }
}

/// Sensitivities of a run, dense: `keys` (k of them), and per entity (in the run's numbering)
/// k derivatives and k flags "does not exist here".
struct SensitivityColumns: Sendable {
    let keys: [String]
    let values: [Double]
    let undefined: [Bool]

    var width: Int { keys.count }

    /// Entity i's non-zero derivatives (keys ascending in byte order), and its undefined keys.
    func row(_ i: Int) -> (values: [(key: String, value: Double)], undefined: [String]) {
        let k = width
        var values: [(key: String, value: Double)] = [], undefined: [String] = []
        for j in 0..<k {
            if self.undefined[i * k + j] {
                undefined.append(keys[j])
            } else if self.values[i * k + j] != 0 {
                values.append((keys[j], self.values[i * k + j]))
            }
        }
        values.sort { byteOrder($0.key, $1.key) }
        undefined.sort(by: byteOrder)
        return (values, undefined)
    }
}
