import CascadeFormula

/// Exact sensitivities ∂impact/∂value of every entity to every variable and entity shock of the
/// scenario, by forward-mode differentiation alongside the propagation (docs/propagation.md,
/// "Sensitivities"). The propagator calls it at three points — an edge's scenario evaluation,
/// an entity's finish, a cycle's finish — and runs exactly as without it otherwise.
///
/// Each direction (one per variable the scenario writes or a MACRO entity binds, then one per
/// shocked entity) carries one tangent
/// per entity, updated as a vector over the directions:
/// - an edge's scenario evaluation is differentiated once (`CompiledFormula.differentiate`) into
///   its slope with respect to its source's impact and its direct derivatives with respect to
///   the variables it reads (macro sources included); a linear pass-through has slope 1;
/// - an entity's tangent is the sum over its counted edges of `sign · damping · weight · (direct
///   + slope · source tangent)` — the binding input only, on a bottleneck — plus 1 in its own
///   shock's direction; then 0 strictly past its clamp;
/// - a same-level cycle's tangents are iterated at its fixed point with its relaxation until they
///   change by at most the level's tolerance (relative to their size);
/// - feedback edges read the previous pass's tangents, as their values read its impacts.
///
/// A direction is *undefined* for an entity where the derivative does not exist: a formula on
/// a threshold, kink or jump in that direction, an impact exactly on its clamp, a bottleneck tie
/// between inputs that move differently, and anything downstream through a non-zero slope; in a
/// cycle, a direction undefined for one member is for all, and for every member when the values
/// or the tangents did not converge.
final class SensitivityPropagation {
    unowned let p: Propagator
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
    // Per edge: the slope of its scenario value in its source's impact, and whether that slope
    // does not exist; the direct derivatives (rows for edges that read directions).
    let sourceSlope: Buffer<Double>
    let sourceKink: Buffer<Bool>
    let directRow: [Int32]
    let direct: Buffer<Double>
    let directUndefined: Buffer<Bool>
    let baselineRow: [Int32]
    let baselineDirect: Buffer<Double>
    let baselineUndefined: Buffer<Bool>
    /// Tangent registers per program: an inline formula's, or a registry formula's and its bindings'.
    let inlineFrames: [DerivativeFrame?]
    let registryFrames: [(main: DerivativeFrame, bindings: [DerivativeFrame])?]
    /// The cycle being finished: each member's position, and the members' tangents.
    let memberPosition: Buffer<Int32>
    var cycleTangent: Buffer<Double>
    var cycleUndefined: Buffer<Bool>
    let scratch: Buffer<Double>
    let scratchUndefined: Buffer<Bool>
    let other: Buffer<Double>
    let otherUndefined: Buffer<Bool>

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
        tangent = .filled(0, count: n * k)
        undefined = .filled(false, count: n * k)
        let feedback = run.scenario.feedbackRounds > 0
        previousTangent = .filled(0, count: feedback ? n * k : 0)
        previousUndefined = .filled(false, count: feedback ? n * k : 0)
        sourceSlope = .filled(0, count: edges)
        sourceKink = .filled(false, count: edges)
        // Which edges read a direction directly (a variable, or a macro source's variable), and
        // which read a variable whose baseline follows its value.
        var directRow = [Int32](repeating: -1, count: edges), baselineRow = [Int32](repeating: -1, count: edges)
        var rows = 0, baselineRows = 0
        for e in 0..<edges where run.edgeProgram[e] >= 0 {
            let s = Int(run.edgeSource[e])
            let program = run.programs[Int(run.edgeProgram[e])]
            let variables = program.variablesRead
            let readsDirection = variables.contains { variableDirection[$0] >= 0 }
                || (run.isMacro[s] && run.macroVariable[s] >= 0 && variableDirection[run.macroVariable[s]] >= 0 && program.readsSource)
            if readsDirection {
                directRow[e] = Int32(rows)
                rows += 1
            }
            if variables.contains(where: { variableDirection[$0] >= 0 && follows[$0] }) {
                baselineRow[e] = Int32(baselineRows)
                baselineRows += 1
            }
        }
        self.directRow = directRow
        self.baselineRow = baselineRow
        direct = .filled(0, count: rows * k)
        directUndefined = .filled(false, count: rows * k)
        baselineDirect = .filled(0, count: baselineRows * k)
        baselineUndefined = .filled(false, count: baselineRows * k)
        inlineFrames = run.programs.map { program in
            if case .inline(let bound) = program.kind { bound.formula.makeDerivativeFrame(for: bound.frame) } else { nil }
        }
        registryFrames = run.programs.map { program in
            guard case .registry(let formula, let frame, let parameters) = program.kind else { return nil }
            return (formula.makeDerivativeFrame(for: frame), parameters.map { $0.binding.formula.makeDerivativeFrame(for: $0.binding.frame) })
        }
        memberPosition = .filled(-1, count: n)
        cycleTangent = .filled(0, count: 0)
        cycleUndefined = .filled(false, count: 0)
        scratch = .filled(0, count: k)
        scratchUndefined = .filled(false, count: k)
        other = .filled(0, count: k)
        otherUndefined = .filled(false, count: k)
    }

    deinit {
        for buffer in [tangent, previousTangent, sourceSlope, direct, baselineDirect, cycleTangent, scratch, other] { buffer.deallocate() }
        for buffer in [undefined, previousUndefined, sourceKink, directUndefined, baselineUndefined, cycleUndefined, scratchUndefined,
                       otherUndefined] {
            buffer.deallocate()
        }
        memberPosition.deallocate()
    }

    // MARK: - Edges

    /// The edge's scenario value, differentiated: records its slope and direct derivatives.
    func scenarioValue(_ e: Int, program: Int, sourceImpact: Double) throws(FormulaError) -> Double? {
        var slope = 0.0, kink = false
        let row = Int(directRow[e])
        if row >= 0 {
            for j in 0..<k {
                direct[row * k + j] = 0
                directUndefined[row * k + j] = false
            }
        }
        let value = try differentiated(e, program: program, mode: .scenario, sourceImpact: sourceImpact, row: row,
                                       baseline: false, slope: &slope, kink: &kink)
        if value == nil {
            // No value counts as 0: flat, unless a bump gives a value (the flags say so).
            slope = 0
            if row >= 0 { for j in 0..<k { direct[row * k + j] = 0 } }
        }
        sourceSlope[e] = slope
        sourceKink[e] = kink
        return value
    }

    /// The edge's value in one context, differentiated: an inline formula directly, a registry
    /// formula through its parameter bindings (chain rule); the slope in the source's impact and
    /// the direct derivatives of row `row` (scenario or baseline table) accumulate through `chain`.
    func differentiated(_ e: Int, program: Int, mode: ContextMode, sourceImpact: Double, row: Int, baseline: Bool,
                        slope: inout Double, kink: inout Bool) throws(FormulaError) -> Double? {
        switch p.programs[program].kind {
        case .inline(let bound):
            try p.setInputs(bound, edge: e, mode: mode, sourceImpact: sourceImpact)
            let frame = inlineFrames[program]!
            let value = try Propagator.impact(try bound.formula.differentiate(bound.frame, into: frame))
            chain(bound, frame, outer: 1, outerKink: false, edge: e, slope: &slope, kink: &kink, row: row, baseline: baseline)
            return value
        case .registry(let formula, let frame, let parameters):
            let frames = registryFrames[program]!
            for (m, (slot, binding)) in parameters.enumerated() {
                try p.setInputs(binding, edge: e, mode: mode, sourceImpact: sourceImpact)
                let bound = try binding.formula.differentiate(binding.frame, into: frames.bindings[m])
                if case .undefined = bound {
                    throw FormulaError(Diagnostic(.runtime, "unbound-parameter", "a parameter binding returned no value",
                                                  at: SourceRange(0, 0)))
                }
                try frame.setValue(bound, at: slot)
            }
            let value = try Propagator.impact(try formula.differentiate(frame, into: frames.main))
            for (m, (slot, binding)) in parameters.enumerated() {
                chain(binding, frames.bindings[m], outer: frames.main.derivative(atSlot: slot),
                      outerKink: frames.main.isUndefined(atSlot: slot), edge: e, slope: &slope, kink: &kink, row: row,
                      baseline: baseline)
            }
            return value
        }
    }

    /// The edge's baseline value, differentiated in the variables whose baseline follows their
    /// value (only edges with a `baselineRow` come here).
    func baselineValue(_ e: Int, program: Int) throws(FormulaError) -> Double? {
        let row = Int(baselineRow[e])
        for j in 0..<k {
            baselineDirect[row * k + j] = 0
            baselineUndefined[row * k + j] = false
        }
        var slope = 0.0, kink = false
        let value = try differentiated(e, program: program, mode: .baseline, sourceImpact: 0, row: row,
                                       baseline: true, slope: &slope, kink: &kink)
        if value == nil { for j in 0..<k { baselineDirect[row * k + j] = 0 } }
        return value
    }

    /// Adds `outer · ∂(bound)/∂(slot)` for each of a bound program's slots to the edge's slope
    /// (source impact) or direct row (a direction). A kink of the inner program counts where the
    /// outer derivative is not 0; a kink of the outer one where the inner derivative is not 0.
    func chain(_ bound: BoundProgram, _ frame: DerivativeFrame, outer: Double, outerKink: Bool, edge e: Int,
               slope: inout Double, kink: inout Bool, row: Int, baseline: Bool) {
        let run = p.run
        let s = Int(run.edgeSource[e])
        for (slot, source) in bound.slots.enumerated() {
            let inner = frame.derivative(atSlot: slot)
            let isKink = (outer != 0 && frame.isUndefined(atSlot: slot)) || (outerKink && inner != 0)
            let d = outer * inner
            var j = -1
            switch source {
            case .variable(let v):
                if !baseline || variableFollowsValue[v] { j = variableDirection[v] }
            case .sourceValue, .sourceDelta, .sourceImpact:
                if baseline { continue }
                if run.isMacro[s] {
                    j = run.macroVariable[s] >= 0 ? variableDirection[run.macroVariable[s]] : -1
                } else {
                    slope += source == .sourceImpact ? d : d * run.levelValues[s]
                    if isKink { kink = true }
                    continue
                }
            default:
                continue
            }
            guard j >= 0, row >= 0 else { continue }
            if baseline {
                baselineDirect[row * k + j] += d
                if isKink { baselineUndefined[row * k + j] = true }
            } else {
                direct[row * k + j] += d
                if isKink { directUndefined[row * k + j] = true }
            }
        }
    }

    // MARK: - Entities

    /// Whether an edge's contribution counted (possibly as 0 on one side).
    @inline(__always)
    func counts(_ e: Int) -> Bool {
        switch p.state[e] {
        case .counted, .noValue: true
        default: false
        }
    }

    /// The tangent (and flags) of the source an edge reads: the previous pass's for a feedback
    /// edge, the cycle's current iterate for a member of the cycle being finished.
    @inline(__always)
    func sourceRow(_ e: Int) -> (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Bool>?) {
        let s = Int(p.edgeSource[e])
        if p.edgeClass[e] == .feedback { return (previousTangent.baseAddress! + s * k, previousUndefined.baseAddress! + s * k) }
        let position = Int(memberPosition[s])
        if position >= 0 { return (cycleTangent.baseAddress! + position * k, nil) }
        return (tangent.baseAddress! + s * k, undefined.baseAddress! + s * k)
    }

    /// Adds an edge's contribution tangent, `factor · (direct + slope · source)`, into `t`, and its flags into `u`.
    @inline(__always)
    func addEdge(_ e: Int, _ factor: Double, into t: UnsafeMutablePointer<Double>, _ u: UnsafeMutablePointer<Bool>) {
        let isLinear = p.edgeProgram[e] < 0
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
        if isLinear { return }
        let row = Int(directRow[e])
        if row >= 0 {
            for j in 0..<k {
                t[j] += factor * direct[row * k + j]
                if directUndefined[row * k + j] { u[j] = true }
            }
        }
        let baseRow = Int(baselineRow[e])
        if baseRow >= 0 {
            for j in 0..<k {
                t[j] -= factor * baselineDirect[baseRow * k + j]
                if baselineUndefined[baseRow * k + j] { u[j] = true }
            }
        }
    }

    /// Entity i's tangent into `t`/`u`: its counted edges (the binding bottleneck input only), its
    /// shock, then the clamp.
    func computeRow(_ i: Int, _ settings: LevelSettings, into t: UnsafeMutablePointer<Double>, _ u: UnsafeMutablePointer<Bool>) {
        for j in 0..<k {
            t[j] = 0
            u[j] = false
        }
        if shockDirection[i] >= 0 { t[Int(shockDirection[i])] = 1 }
        let range = p.incomingStart[i]..<p.incomingStart[i + 1]
        let hasBottleneck = p.entityHasBottleneck[i]
        let binding = p.bindingEdge[i]
        for e in range where counts(e) {
            if hasBottleneck && p.edgeIsBottleneck[e] && e != binding { continue }
            addEdge(e, settings.damping * p.edgeSignedWeight[e], into: t, u)
        }
        if hasBottleneck && binding >= 0 {
            // A tie: another input at the same value that moves differently can take over.
            for e in range where e != binding && p.edgeIsBottleneck[e] && counts(e) && p.contribution[e] == p.contribution[binding] {
                let a = scratch.baseAddress!, b = other.baseAddress!
                for j in 0..<k {
                    a[j] = 0
                    b[j] = 0
                }
                addEdge(e, settings.damping * p.edgeSignedWeight[e], into: a, scratchUndefined.baseAddress!)
                addEdge(binding, settings.damping * p.edgeSignedWeight[binding], into: b, otherUndefined.baseAddress!)
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

    /// Records a finished entity (outside a cycle).
    func finish(_ i: Int, _ settings: LevelSettings) {
        computeRow(i, settings, into: tangent.baseAddress! + i * k, undefined.baseAddress! + i * k)
    }

    /// A disabled entity does not move.
    func disable(_ i: Int) {
        for j in 0..<k {
            tangent[i * k + j] = 0
            undefined[i * k + j] = false
        }
    }

    /// Before a feedback pass: feedback edges read this pass's tangents as the previous ones.
    func beginFeedbackPass() {
        _ = previousTangent.update(fromContentsOf: tangent)
        _ = previousUndefined.update(fromContentsOf: undefined)
    }

    /// Records a finished cycle: its members' tangents at the fixed point, by the same relaxed
    /// iteration as the values, then one application from the converged tangents.
    func finishCycle(_ members: [Int], _ settings: LevelSettings, isConverged: Bool) {
        let m = members.count
        for (position, i) in members.enumerated() { memberPosition[i] = Int32(position) }
        defer { for i in members { memberPosition[i] = -1 } }
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
        }
    }

    // MARK: - Results

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
