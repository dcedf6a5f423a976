import CascadeFormula
#if canImport(Glibc)
import Glibc
#endif

/// What happened to one effective edge in the final pass. (A bottleneck input that counted but
/// is not its target's `bindingEdge` shows 0 and is reported as not binding.)
enum EdgeState: UInt8, Sendable {
    /// Contributed `shown` (its full contribution, or 0 for a bottleneck input that did not bind).
    case counted
    /// The formula returned no value on one side (counted as 0 there).
    case noValue
    /// A feedback edge outside `feedback_rounds`.
    case skipped
    /// Its source is on a disabled level (the firewall) or its target is.
    case blocked
    /// The formula failed; the edge counts 0 and the target is `partial`.
    case failed
}

/// Entity status in a result.
package enum EntityStatus: String, Sendable, CaseIterable {
    case ok, partial, disabled, notConverged = "not_converged", error
}

/// Which side of the difference `f(scenario) − f(baseline)` a formula is evaluated on; for
/// attribution, one variable (or the source alone) can be shocked while the rest stays at baseline.
struct ContextMode {
    /// -2: all variables at scenario values; -1: all at baseline; k: only variable k shocked.
    var shockedVariable: Int
    var shocksSource: Bool

    static let scenario = ContextMode(shockedVariable: -2, shocksSource: true)
    static let baseline = ContextMode(shockedVariable: -1, shocksSource: false)

    func variableIsShocked(_ k: Int) -> Bool { shockedVariable == -2 || shockedVariable == k }
}

/// A fixed-size array owned by the propagator: read and written in the hot loops without
/// copy-on-write checks or exclusivity bookkeeping.
typealias Buffer<T> = UnsafeMutableBufferPointer<T>

extension UnsafeMutableBufferPointer {
    static func filled(_ value: Element, count: Int) -> Self {
        let buffer = Self.allocate(capacity: Swift.max(count, 1))
        buffer.initialize(repeating: value)
        return Self(start: buffer.baseAddress, count: count)
    }

    /// `count` elements of all-zero bytes from `calloc` — for types whose zero bytes are their
    /// zero (`Double` 0, `Bool` false, integers 0) — released with `freeZeroed`. A large block
    /// comes from the kernel as untouched zero pages, so a table written sparsely costs only
    /// the pages written, not a fill of the whole (the sensitivity phase's per-edge tables).
    static func zeroed(count: Int) -> Self {
        let raw = calloc(Swift.max(count, 1), MemoryLayout<Element>.stride)!
        return Self(start: raw.bindMemory(to: Element.self, capacity: Swift.max(count, 1)), count: count)
    }

    /// Releases a buffer made by `zeroed`.
    func freeZeroed() {
        free(baseAddress)
    }

    static func copied(_ values: [Element]) -> Self {
        let buffer = Self.allocate(capacity: Swift.max(values.count, 1))
        _ = buffer.initialize(from: values)
        return Self(start: buffer.baseAddress, count: values.count)
    }
}

/// Propagates a prepared run: levels 0 → 9, same-level components in topological order, a bounded
/// Jacobi fixed point per cyclic component, then `feedback_rounds` passes with feedback edges.
/// - Complexity: O(E · (1 + rounds in cycles) · (1 + feedback_rounds)) formula evaluations.
final class Propagator {
    let run: PreparedRun
    // Per entity.
    let impact: Buffer<Double>
    let unclamped: Buffer<Double>
    let status: Buffer<EntityStatus>
    let converged: Buffer<Bool>
    let rounds: Buffer<Int>
    let previousPass: Buffer<Double>
    let shock: Buffer<Double>
    /// Members of the cycle being solved, and their current iterate.
    let inCycle: Buffer<Bool>
    let iterate: Buffer<Double>
    /// Per entity, the bottleneck input that binds (the minimum), or -1.
    let bindingEdge: Buffer<Int>
    // Per edge.
    let contribution: Buffer<Double>
    let shown: Buffer<Double>
    let state: Buffer<EdgeState>
    let baselineValue: Buffer<Double>
    let hasBaseline: Buffer<Bool>
    /// Edges into the cycle being solved whose contribution is computed once.
    let isFixed: Buffer<Bool>
    var edgeErrors: [Int: FormulaError] = [:]
    var isFeedbackPass = false
    var evaluations = 0
    /// Level → enabled, read on every edge (unless all are).
    let levelEnabled: [Bool]
    let allLevelsEnabled: Bool
    // The graph's arrays, held as constants so the loops need not reach into the run.
    let incomingStart: [Int]
    let edgeSource: [Int32]
    let edgeTarget: [Int32]
    let edgeClass: [EdgeClass]
    let edgeIsBottleneck: [Bool]
    let edgeProgram: [Int32]
    let edgeSignedWeight: [Double]
    let levels: [Int]
    let isMacro: [Bool]
    let macroVariable: [Int]
    let levelValues: [Double]
    /// Per variable, its scenario and baseline values (buffers: a Monte Carlo draw sets them
    /// and propagates again, see `Propagator+Draws.swift`).
    let variableValues: Buffer<Double>
    let variableBaselines: Buffer<Double>
    let programs: [EdgeProgram]
    /// Per program: its bound formula when it is inline (the common case, evaluated directly).
    let inlinePlans: [InlinePlan?]
    /// Per program: whether it reads nothing that differs between the scenario and the baseline.
    let programIsUnshocked: [Bool]
    /// Baseline values shared by the edges of a program into one sector.
    let baselines: BaselineTable
    let entityHasBottleneck: [Bool]
    let edgeRelationship: [Int32]
    let relationshipHasWeight: [Bool]
    let relationshipWeights: [Double]
    let sectorIndex: [Int]
    /// Resolved coefficient values, sector × type (0 where none: such an edge is refused before the run).
    let coefficientValues: [Double]
    let coefficientTypeCount: Int
    var cycleCount = 0
    var unconvergedCycles = 0
    /// Feedback passes run, and (with `"feedback_rounds": "converge"`) the largest impact
    /// change of the last one and whether it was within the tolerance.
    var feedbackRoundsRun = 0
    var feedbackChange = 0.0
    var feedbackConverged = false
    /// The first value that was not a finite number; the run stops there and fails with it.
    var nonFinite: NonFiniteValue?
    /// Where early loads (issued to overlap cache misses) leave their value, so they are kept.
    var prefetchSink: UInt64 = 0
    /// Set for the second propagation of a run with sensitivities and feedback: differentiates
    /// each entity and cycle as the pass finishes it (nil: the plain run, which does nothing more).
    var sensitivities: SensitivityPropagation?
    /// An incremental re-run: per entity, whether it keeps the previous result's values
    /// (`reuse(_:for:)`); such components are not computed again. Nil: every entity is computed.
    var reused: [Bool]?

    /// Threads a pass may use (`Propagator+Threads.swift`); one: the single-threaded pass.
    var threads = PropagationThreads.one
    /// The other threads' propagators (`laneOf:`), made when a level is first split.
    var lanes: [Propagator] = []
    /// Per level, its components in waves (`levelWaves`; empty until a level is first split).
    var waves: [LevelWaves] = []
    /// Whether a level may be split across threads (`Propagator.canSplit`).
    let isSplittable: Bool
    /// A lane's count of the parent's `baselines.computed` keys it has adopted.
    var adoptedBaselines = 0
    /// Whether this propagator allocated the per-entity and per-edge buffers (a lane shares its parent's).
    let ownsBuffers: Bool

    /// A propagator for `run`; with `parent`, a lane of it for another thread: it shares every
    /// buffer and value of the parent and has its own formula frames, baseline table, counters,
    /// errors and failure (merged into the parent's after each wave).
    init(_ run: PreparedRun, laneOf parent: Propagator? = nil) {
        self.run = run
        let n = run.ids.count, e = run.edgeSource.count
        ownsBuffers = parent == nil
        isSplittable = Self.canSplit(run.programs)
        impact = parent?.impact ?? .filled(0, count: n)
        unclamped = parent?.unclamped ?? .filled(0, count: n)
        status = parent?.status ?? .filled(.ok, count: n)
        converged = parent?.converged ?? .filled(true, count: n)
        rounds = parent?.rounds ?? .filled(0, count: n)
        previousPass = parent?.previousPass ?? .filled(0, count: n)
        shock = parent?.shock ?? .filled(0, count: n)
        inCycle = parent?.inCycle ?? .filled(false, count: n)
        iterate = parent?.iterate ?? .filled(0, count: n)
        bindingEdge = parent?.bindingEdge ?? .filled(-1, count: n)
        contribution = parent?.contribution ?? .filled(0, count: e)
        shown = parent?.shown ?? .filled(0, count: e)
        state = parent?.state ?? .filled(.counted, count: e)
        baselineValue = parent?.baselineValue ?? .filled(0, count: e)
        hasBaseline = parent?.hasBaseline ?? .filled(false, count: e)
        isFixed = parent?.isFixed ?? .filled(false, count: e)
        levelEnabled = (0..<10).map { run.scenario.settings(for: $0).isEnabled }
        allLevelsEnabled = !levelEnabled.contains(false)
        incomingStart = run.incomingStart
        edgeSource = run.edgeSource
        edgeTarget = run.edgeTarget
        edgeClass = run.edgeClass
        edgeIsBottleneck = run.edgeIsBottleneck
        edgeProgram = run.edgeProgram
        edgeSignedWeight = run.edgeSignedWeight
        levels = run.levels
        isMacro = run.isMacro
        macroVariable = run.macroVariable
        levelValues = run.levelValues
        variableValues = parent?.variableValues ?? .copied(run.variableValues)
        variableBaselines = parent?.variableBaselines ?? .copied(run.variableBaselines)
        programs = parent.map { _ in run.programs.map { $0.withOwnFrames() } } ?? run.programs
        inlinePlans = programs.map { program in
            if case .inline(let bound) = program.kind { InlinePlan(bound) } else { nil }
        }
        programIsUnshocked = run.programs.map { program in program.bindings.allSatisfy(\.isConstant) }
        baselines = BaselineTable(programs: run.programs, sectorCount: run.sectors.count, edgeCount: e)
        edgeRelationship = run.edgeRelationship
        relationshipHasWeight = run.relationshipHasWeight
        relationshipWeights = run.relationshipWeights
        sectorIndex = run.sectorIndex
        coefficientTypeCount = run.coefficientTypes.count
        coefficientValues = run.coefficientTable.flatMap { row in row.map { $0?.value ?? 0 } }
        if let parent {
            entityHasBottleneck = parent.entityHasBottleneck
            return
        }
        var hasBottleneck = Array(repeating: false, count: n)
        for edge in run.edgeTarget.indices where run.edgeIsBottleneck[edge] { hasBottleneck[Int(run.edgeTarget[edge])] = true }
        entityHasBottleneck = hasBottleneck
        for (id, value) in run.scenario.entityShocks { if let i = run.entityIndex(id) { shock[i] = value } }
    }

    deinit {
        guard ownsBuffers else { return }
        for buffer in [impact, unclamped, previousPass, shock, iterate, contribution, shown, baselineValue, variableValues, variableBaselines] { buffer.deallocate() }
        for buffer in [converged, inCycle, hasBaseline, isFixed] { buffer.deallocate() }
        rounds.deallocate()
        bindingEdge.deallocate()
        status.deallocate()
        state.deallocate()
    }

    func propagate() {
        pass()
        let tolerance = run.scenario.feedbackConvergence?.tolerance
        for _ in 0..<run.scenario.feedbackRounds where nonFinite == nil && !feedbackConverged {
            _ = previousPass.update(fromContentsOf: impact)
            sensitivities?.beginFeedbackPass()
            isFeedbackPass = true
            pass()
            feedbackRoundsRun += 1
            if let tolerance {
                // One pass over the entities per round (a pass itself is O(E)).
                var change = 0.0
                for i in 0..<impact.count { change = max(change, abs(impact[i] - previousPass[i])) }
                feedbackChange = change
                feedbackConverged = change <= tolerance
            }
        }
    }

    /// One pass over levels 0 → 9.
    func pass() {
        cycleCount = 0
        unconvergedCycles = 0
        for level in 0..<10 {
            let settings = run.scenario.settings(for: level)
            guard settings.isEnabled else {
                for i in run.entitiesByLevel[level] where !isMacro[i] {
                    impact[i] = 0
                    unclamped[i] = 0
                    status[i] = .disabled
                    sensitivities?.disable(i)
                    for e in incomingStart[i]..<incomingStart[i + 1] {
                        state[e] = .blocked
                        shown[e] = 0
                        contribution[e] = 0
                    }
                }
                continue
            }
            let isSplit = threads.count > 1 && isSplittable && sensitivities == nil && passInParallel(level, settings)
            if !isSplit { passSerially(level, settings) }
            if nonFinite != nil { return }
        }
    }

    /// One level's components in topological order on this thread; stops at a non-finite value.
    func passSerially(_ level: Int, _ settings: LevelSettings) {
        let components = run.components[level]
        let isCyclic = run.componentIsCyclic[level]
        for c in components.indices {
            propagateComponent(components[c], isCyclic: isCyclic[c], settings)
            if nonFinite != nil { return }
        }
    }

    /// Computes one component: a cycle's fixed point, or an acyclic entity's sum (or keeps a
    /// reused one).
    @inline(__always)
    func propagateComponent(_ members: [Int], isCyclic: Bool, _ settings: LevelSettings) {
        if let reused, reused[members[0]] {
            countReused(members, isCyclic: isCyclic)
            return
        }
        if isCyclic {
            solveCycle(members, settings)
        } else {
            let i = members[0]
            let value = accumulate(i, settings, inCycle: false)
            finish(i, value, settings)
            sensitivities?.finish(i, settings)
        }
    }

    /// Records an entity's unclamped sum and its clamped impact and status.
    @inline(__always)
    func finish(_ i: Int, _ sum: Double, _ settings: LevelSettings) {
        // One check per entity: a non-finite contribution makes the sum non-finite too (a
        // non-binding bottleneck input is checked in `accumulate`).
        if !sum.isFinite { recordNonFinite(i, sum: sum, round: nil) }
        unclamped[i] = sum
        impact[i] = min(max(sum, settings.clamp.lowerBound), settings.clamp.upperBound)
        let range = incomingStart[i]..<incomingStart[i + 1]
        var failed = 0
        for e in range where state[e] == .failed { failed += 1 }
        status[i] = failed == 0 ? .ok : (failed == range.count && shock[i] == 0 ? .error : .partial)
        if !converged[i] { status[i] = .notConverged }
    }

    /// Computes every incoming contribution of `i` and returns their sum in relationship order
    /// (bottleneck inputs: only the minimum counts), plus the exogenous shock. While a cycle is
    /// solved, its members' impacts are read from `iterate` and edges from outside it keep the
    /// contribution computed once (`isFixed`).
    func accumulate(_ i: Int, _ settings: LevelSettings) -> Double {
        accumulate(i, settings, inCycle: true)
    }

    /// `accumulate`, specialised: outside a cycle no edge is fixed and no source is iterated.
    @inline(__always)
    func accumulate(_ i: Int, _ settings: LevelSettings, inCycle solving: Bool) -> Double {
        let range = incomingStart[i]..<incomingStart[i + 1]
        var bottleneckMin = Double.infinity
        var bottleneckEdge = -1
        var sum = 0.0
        let hasBottleneck = entityHasBottleneck[i]
        for e in range {
            let s = Int(edgeSource[e])
            let edgeState: EdgeState
            let value: Double
            if solving && isFixed[e] {
                // computed once for this cycle; `contribution[e]` and `state[e]` hold it
                edgeState = state[e]
                value = contribution[e]
            } else {
                if edgeClass[e] == .feedback && !isFeedbackPass {
                    edgeState = .skipped
                    value = 0
                } else if !allLevelsEnabled && !levelEnabled[levels[s]] {
                    edgeState = .blocked
                    value = 0
                } else {
                    let sourceImpact = edgeClass[e] == .feedback ? previousPass[s] : (solving && inCycle[s] ? iterate[s] : impact[s])
                    if edgeProgram[e] < 0 {  // linear pass-through
                        edgeState = .counted
                        value = settings.damping * edgeSignedWeight[e] * (sourceImpact - 0)
                    } else {
                        value = evaluateFormula(e, program: Int(edgeProgram[e]), sourceImpact: sourceImpact, damping: settings.damping)
                        edgeState = state[e]
                    }
                }
                state[e] = edgeState
                contribution[e] = value
            }
            if hasBottleneck {
                if edgeIsBottleneck[e] && edgeState != .failed && edgeState != .skipped && edgeState != .blocked
                    && value < bottleneckMin {
                    bottleneckMin = value
                    bottleneckEdge = e
                }
            } else {
                // No bottleneck input: every contribution counts as computed, in order.
                let counted: Double
                switch edgeState {
                case .skipped, .blocked, .failed: counted = 0
                default: counted = value
                }
                shown[e] = counted
                sum += counted
            }
        }
        bindingEdge[i] = bottleneckEdge
        guard hasBottleneck else { return sum + shock[i] }
        var check = 0.0  // stays 0 while every counted contribution is finite (∞ · 0 and NaN · 0 are NaN)
        for e in range {
            switch state[e] {
            case .skipped, .blocked, .failed:
                shown[e] = 0
            default:
                check += contribution[e] * 0
                if edgeIsBottleneck[e] {
                    shown[e] = e == bottleneckEdge ? contribution[e] : 0
                } else {
                    shown[e] = contribution[e]
                }
            }
            sum += shown[e]
        }
        if check.isNaN { return .nan }  // an input (perhaps a non-binding one) was not finite: the caller reports it
        return sum + shock[i]
    }

    /// `sign · damping · weight · (f(scenario) − f(baseline))`; sets the edge's state.
    @inline(__always)
    func evaluateContribution(_ e: Int, sourceImpact: Double, damping: Double) -> Double {
        let program = Int(edgeProgram[e])
        guard program >= 0 else {
            state[e] = .counted
            return damping * edgeSignedWeight[e] * (sourceImpact - 0)
        }
        return evaluateFormula(e, program: program, sourceImpact: sourceImpact, damping: damping)
    }

    func evaluateFormula(_ e: Int, program: Int, sourceImpact: Double, damping: Double) -> Double {
        do {
            let scenarioValue: Double?
            if programIsUnshocked[program] {
                // It reads nothing that differs between the contexts: f(scenario) is f(baseline).
                if !hasBaseline[e] { try findBaseline(e, program: program) }
                scenarioValue = baselineValue[e].isNaN ? nil : baselineValue[e]
            } else {
                evaluations += 1
                if let plan = inlinePlans[program] {
                    scenarioValue = try evaluate(plan, edge: e, mode: .scenario, sourceImpact: sourceImpact)
                } else {
                    scenarioValue = try evaluate(programs[program], edge: e, mode: .scenario, sourceImpact: sourceImpact)
                }
                if !hasBaseline[e] { try findBaseline(e, program: program) }
            }
            let base = baselineValue[e].isNaN ? nil : baselineValue[e]
            state[e] = scenarioValue == nil || base == nil ? .noValue : .counted
            return damping * edgeSignedWeight[e] * ((scenarioValue ?? 0) - (base ?? 0))
        } catch {
            state[e] = .failed
            edgeErrors[e] = error
            return 0
        }
    }

    /// Sets `baselineValue[e]` (NaN: no value): from the table when the edge's program has one
    /// baseline per target sector (see `BaselineTable`), else evaluated for this edge.
    func findBaseline(_ e: Int, program: Int) throws(FormulaError) {
        let key = isMacro[Int(edgeSource[e])] ? -1 : baselines.key(program: program, sector: sectorIndex[Int(edgeTarget[e])])
        if key < 0 {
            baselineValue[e] = try evaluateBaseline(e, program: program)
        } else {
            switch baselines.states[key] {
            case 0:
                do throws(FormulaError) {
                    baselines.values[key] = try evaluateBaseline(e, program: program)
                    baselines.states[key] = 1
                    baselines.computed.append(key)
                } catch {
                    baselines.states[key] = 2
                    baselines.errors[key] = error
                    baselines.computed.append(key)
                    throw error
                }
            case 2:
                throw baselines.errors[key]!
            default:
                break
            }
            baselineValue[e] = baselines.values[key]
        }
        hasBaseline[e] = true
    }

    /// `f(baseline)` of edge `e`, NaN for no value.
    func evaluateBaseline(_ e: Int, program: Int) throws(FormulaError) -> Double {
        evaluations += 1
        if let plan = inlinePlans[program] {
            return try evaluate(plan, edge: e, mode: .baseline, sourceImpact: 0) ?? .nan
        }
        return try evaluate(programs[program], edge: e, mode: .baseline, sourceImpact: 0) ?? .nan
    }

    /// Solves a cyclic same-level component by a bounded Jacobi fixed point, then records every
    /// member's contributions from the fixed point (so they sum exactly to its unclamped impact).
    func solveCycle(_ members: [Int], _ settings: LevelSettings) {
        cycleCount += 1
        for i in members {
            inCycle[i] = true
            iterate[i] = 0
        }
        defer { for i in members { inCycle[i] = false } }
        // Contributions from outside the component do not change between rounds: compute them once.
        var fixedEdges: [Int] = []
        for i in members {
            for e in incomingStart[i]..<incomingStart[i + 1] where !inCycle[Int(edgeSource[e])] {
                let s = Int(edgeSource[e])
                if edgeClass[e] == .feedback && !isFeedbackPass {
                    state[e] = .skipped
                    contribution[e] = 0
                } else if !levelEnabled[levels[s]] {
                    state[e] = .blocked
                    contribution[e] = 0
                } else {
                    let sourceImpact = edgeClass[e] == .feedback ? previousPass[s] : impact[s]
                    contribution[e] = evaluateContribution(e, sourceImpact: sourceImpact, damping: settings.damping)
                }
                isFixed[e] = true
                fixedEdges.append(e)
            }
        }
        defer { for e in fixedEdges { isFixed[e] = false } }
        var isConverged = false
        var round = 0
        var next = Array(repeating: 0.0, count: members.count)
        while round < settings.maxCycleRounds {
            round += 1
            var change = 0.0
            for (m, i) in members.enumerated() {
                let sum = accumulate(i, settings)
                let value = min(max(sum, settings.clamp.lowerBound), settings.clamp.upperBound)
                let relaxed = settings.relaxation == 1 ? value : (1 - settings.relaxation) * iterate[i] + settings.relaxation * value
                if !sum.isFinite || !relaxed.isFinite {  // one check per member and round
                    recordNonFinite(i, sum: sum.isFinite ? relaxed : sum, round: round)
                    return
                }
                change = max(change, abs(relaxed - iterate[i]))
                next[m] = relaxed
            }
            for (m, i) in members.enumerated() { iterate[i] = next[m] }  // Jacobi: all members at once
            if change <= settings.tolerance {
                isConverged = true
                break
            }
        }
        if !isConverged { unconvergedCycles += 1 }
        // The reported values: one evaluation from the fixed point, all members at once.
        for (m, i) in members.enumerated() { next[m] = accumulate(i, settings) }
        for (m, i) in members.enumerated() {
            converged[i] = isConverged
            rounds[i] = round
            finish(i, next[m], settings)
        }
        sensitivities?.finishCycle(members, settings, isConverged: isConverged)
    }
}
