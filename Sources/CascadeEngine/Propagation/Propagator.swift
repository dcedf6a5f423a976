import CascadeFormula

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
public enum EntityStatus: String, Sendable {
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

/// Propagates a prepared run: levels 0 → 9, same-level components in topological order, a bounded
/// Jacobi fixed point per cyclic component, then `feedback_rounds` passes with feedback edges.
/// - Complexity: O(E · (1 + rounds in cycles) · (1 + feedback_rounds)) formula evaluations.
final class Propagator {
    let run: PreparedRun
    var impact: [Double]
    var unclamped: [Double]
    var status: [EntityStatus]
    var converged: [Bool]
    var rounds: [Int]
    var contribution: [Double]
    var shown: [Double]
    var state: [EdgeState]
    var edgeErrors: [Int: FormulaError] = [:]
    var baselineValue: [Double]
    var hasBaseline: [Bool]
    var previousPass: [Double]
    var isFeedbackPass = false
    var shock: [Double]
    var evaluations = 0
    /// Level → enabled, read on every edge (unless all are).
    let levelEnabled: [Bool]
    let allLevelsEnabled: Bool
    // The graph's hot arrays, held as constants so the loops need not reload them.
    let incomingStart: [Int]
    let edgeSource: [Int32]
    let edgeClass: [EdgeClass]
    let edgeIsBottleneck: [Bool]
    let levels: [Int]
    let entityHasBottleneck: [Bool]
    /// Members of the cycle being solved, and their current iterate.
    var inCycle: [Bool]
    var iterate: [Double]
    /// Edges into the cycle being solved whose contribution is computed once.
    var isFixed: [Bool]
    /// Per entity, the bottleneck input that binds (the minimum), or -1.
    var bindingEdge: [Int]
    var cycleCount = 0
    var unconvergedCycles = 0

    init(_ run: PreparedRun) {
        self.run = run
        let n = run.ids.count, e = run.edgeSource.count
        impact = Array(repeating: 0, count: n)
        unclamped = Array(repeating: 0, count: n)
        status = Array(repeating: .ok, count: n)
        converged = Array(repeating: true, count: n)
        rounds = Array(repeating: 0, count: n)
        contribution = Array(repeating: 0, count: e)
        shown = Array(repeating: 0, count: e)
        state = Array(repeating: .counted, count: e)
        baselineValue = Array(repeating: 0, count: e)
        hasBaseline = Array(repeating: false, count: e)
        previousPass = Array(repeating: 0, count: n)
        shock = Array(repeating: 0, count: n)
        levelEnabled = (0..<10).map { run.scenario.settings(for: $0).isEnabled }
        allLevelsEnabled = !levelEnabled.contains(false)
        incomingStart = run.incomingStart
        edgeSource = run.edgeSource
        edgeClass = run.edgeClass
        edgeIsBottleneck = run.edgeIsBottleneck
        levels = run.levels
        var hasBottleneck = Array(repeating: false, count: n)
        for edge in run.edgeTarget.indices where run.edgeIsBottleneck[edge] { hasBottleneck[Int(run.edgeTarget[edge])] = true }
        entityHasBottleneck = hasBottleneck
        inCycle = Array(repeating: false, count: n)
        iterate = Array(repeating: 0, count: n)
        isFixed = Array(repeating: false, count: e)
        bindingEdge = Array(repeating: -1, count: n)
        for (id, value) in run.scenario.entityShocks { if let i = run.entityIndex(id) { shock[i] = value } }
    }

    func propagate() {
        pass()
        for _ in 0..<run.scenario.feedbackRounds {
            previousPass = impact
            isFeedbackPass = true
            pass()
        }
    }

    /// One pass over levels 0 → 9.
    func pass() {
        cycleCount = 0
        unconvergedCycles = 0
        for level in 0..<10 {
            let settings = run.scenario.settings(for: level)
            guard settings.isEnabled else {
                for i in run.entitiesByLevel[level] where !run.isMacro[i] {
                    impact[i] = 0
                    unclamped[i] = 0
                    status[i] = .disabled
                    for e in run.incomingStart[i]..<run.incomingStart[i + 1] {
                        state[e] = .blocked
                        shown[e] = 0
                        contribution[e] = 0
                    }
                }
                continue
            }
            for (c, component) in run.components[level].enumerated() {
                if run.componentIsCyclic[level][c] {
                    solveCycle(component, settings)
                } else {
                    let i = component[0]
                    let value = accumulate(i, settings)
                    finish(i, value, settings)
                }
            }
        }
    }

    /// Records an entity's unclamped sum and its clamped impact and status.
    func finish(_ i: Int, _ sum: Double, _ settings: LevelSettings) {
        unclamped[i] = sum
        impact[i] = min(max(sum, settings.clamp.lowerBound), settings.clamp.upperBound)
        let range = run.incomingStart[i]..<run.incomingStart[i + 1]
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
        let range = incomingStart[i]..<incomingStart[i + 1]
        var bottleneckMin = Double.infinity
        var bottleneckEdge = -1
        var sum = 0.0
        let hasBottleneck = entityHasBottleneck[i]
        for e in range {
            let s = Int(edgeSource[e])
            if isFixed[e] {
                // computed once for this cycle; `contribution[e]` and `state[e]` hold it
            } else if edgeClass[e] == .feedback && !isFeedbackPass {
                state[e] = .skipped
                contribution[e] = 0
            } else if !allLevelsEnabled && !levelEnabled[levels[s]] {
                state[e] = .blocked
                contribution[e] = 0
            } else {
                let sourceImpact = edgeClass[e] == .feedback ? previousPass[s] : (inCycle[s] ? iterate[s] : impact[s])
                contribution[e] = evaluateContribution(e, sourceImpact: sourceImpact, damping: settings.damping)
            }
            if hasBottleneck {
                if edgeIsBottleneck[e] && state[e] != .failed && state[e] != .skipped && state[e] != .blocked
                    && contribution[e] < bottleneckMin {
                    bottleneckMin = contribution[e]
                    bottleneckEdge = e
                }
            } else {
                // No bottleneck input: every contribution counts as computed, in order.
                switch state[e] {
                case .skipped, .blocked, .failed: shown[e] = 0
                default: shown[e] = contribution[e]
                }
                sum += shown[e]
            }
        }
        bindingEdge[i] = bottleneckEdge
        guard hasBottleneck else { return sum + shock[i] }
        for e in range {
            switch state[e] {
            case .skipped, .blocked, .failed:
                shown[e] = 0
            default:
                if run.edgeIsBottleneck[e] {
                    shown[e] = e == bottleneckEdge ? contribution[e] : 0
                } else {
                    shown[e] = contribution[e]
                }
            }
            sum += shown[e]
        }
        return sum + shock[i]
    }

    /// `sign · damping · weight · (f(scenario) − f(baseline))`; sets the edge's state.
    func evaluateContribution(_ e: Int, sourceImpact: Double, damping: Double) -> Double {
        let program = Int(run.edgeProgram[e])
        guard program >= 0 else {
            state[e] = .counted
            return damping * run.edgeSignedWeight[e] * (sourceImpact - 0)
        }
        do {
            evaluations += 1
            let scenarioValue = try evaluate(run.programs[program], edge: e, mode: .scenario, sourceImpact: sourceImpact)
            if !hasBaseline[e] {
                evaluations += 1
                baselineValue[e] = try evaluate(run.programs[program], edge: e, mode: .baseline, sourceImpact: 0) ?? .nan
                hasBaseline[e] = true
            }
            let base = baselineValue[e].isNaN ? nil : baselineValue[e]
            state[e] = scenarioValue == nil || base == nil ? .noValue : .counted
            return damping * run.edgeSignedWeight[e] * ((scenarioValue ?? 0) - (base ?? 0))
        } catch {
            state[e] = .failed
            edgeErrors[e] = error
            return 0
        }
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
            for e in run.incomingStart[i]..<run.incomingStart[i + 1] where !inCycle[Int(run.edgeSource[e])] {
                let s = Int(run.edgeSource[e])
                if run.edgeClass[e] == .feedback && !isFeedbackPass {
                    state[e] = .skipped
                    contribution[e] = 0
                } else if !levelEnabled[run.levels[s]] {
                    state[e] = .blocked
                    contribution[e] = 0
                } else {
                    let sourceImpact = run.edgeClass[e] == .feedback ? previousPass[s] : impact[s]
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
    }
}
