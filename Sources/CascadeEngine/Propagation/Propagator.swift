import CascadeFormula

/// What happened to one effective edge in the final pass.
enum EdgeState: UInt8, Sendable {
    /// Contributed `shown` (its full contribution, or the binding minimum of a bottleneck).
    case counted
    /// A bottleneck input that did not bind: counted as 0.
    case notBinding
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
    /// Level → enabled, read on every edge.
    let levelEnabled: [Bool]
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
        for (id, value) in run.scenario.entityShocks { if let i = run.entityIndex[id] { shock[i] = value } }
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
        let failed = range.filter { state[$0] == .failed }.count
        status[i] = failed == 0 ? .ok : (failed == range.count && shock[i] == 0 ? .error : .partial)
        if !converged[i] { status[i] = .notConverged }
    }

    /// Computes every incoming contribution of `i` and returns their sum in relationship order
    /// (bottleneck inputs: only the minimum counts), plus the exogenous shock.
    /// `members` (a cycle being solved) are read from `iterate`, not from `impact`.
    func accumulate(_ i: Int, _ settings: LevelSettings, cycle: Set<Int>? = nil, iterate: [Int: Double] = [:],
                    fixed: [Int: Double]? = nil) -> Double {
        let range = run.incomingStart[i]..<run.incomingStart[i + 1]
        var bottleneckMin = Double.infinity
        var bottleneckEdge = -1
        for e in range {
            let s = run.edgeSource[e]
            if let fixed, let value = fixed[e] {
                contribution[e] = value
            } else if run.edgeClass[e] == .feedback && !isFeedbackPass {
                state[e] = .skipped
                contribution[e] = 0
                continue
            } else if !levelEnabled[run.levels[s]] {
                state[e] = .blocked
                contribution[e] = 0
                continue
            } else {
                let sourceImpact = run.edgeClass[e] == .feedback ? previousPass[s] : (iterate[s] ?? impact[s])
                contribution[e] = evaluateContribution(e, sourceImpact: sourceImpact, damping: settings.damping)
            }
            if run.edgeIsBottleneck[e] && state[e] != .failed && contribution[e] < bottleneckMin {
                bottleneckMin = contribution[e]
                bottleneckEdge = e
            }
        }
        var sum = 0.0
        for e in range {
            switch state[e] {
            case .skipped, .blocked, .failed:
                shown[e] = 0
            default:
                if run.edgeIsBottleneck[e] {
                    shown[e] = e == bottleneckEdge ? contribution[e] : 0
                    if e != bottleneckEdge { state[e] = .notBinding }
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
        let program = run.edgeProgram[e]
        guard program >= 0 else {
            state[e] = .counted
            return run.edgeSign[e] * damping * run.edgeWeight[e] * (sourceImpact - 0)
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
            return run.edgeSign[e] * damping * run.edgeWeight[e] * ((scenarioValue ?? 0) - (base ?? 0))
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
        let set = Set(members)
        // Contributions from outside the component do not change between rounds.
        var fixed: [Int: Double] = [:]
        var x: [Int: Double] = [:]
        for i in members {
            x[i] = 0
            for e in run.incomingStart[i]..<run.incomingStart[i + 1] where !set.contains(run.edgeSource[e]) {
                if run.edgeClass[e] == .feedback && !isFeedbackPass { continue }
                if !levelEnabled[run.levels[run.edgeSource[e]]] { continue }
                let s = run.edgeSource[e]
                let sourceImpact = run.edgeClass[e] == .feedback ? previousPass[s] : impact[s]
                fixed[e] = evaluateContribution(e, sourceImpact: sourceImpact, damping: settings.damping)
            }
        }
        var isConverged = false
        var round = 0
        while round < settings.maxCycleRounds {
            round += 1
            var next: [Int: Double] = [:]
            var change = 0.0
            for i in members {
                let sum = accumulate(i, settings, cycle: set, iterate: x, fixed: fixed)
                let value = min(max(sum, settings.clamp.lowerBound), settings.clamp.upperBound)
                let relaxed = settings.relaxation == 1 ? value : (1 - settings.relaxation) * x[i]! + settings.relaxation * value
                change = max(change, abs(relaxed - x[i]!))
                next[i] = relaxed
            }
            x = next
            if change <= settings.tolerance {
                isConverged = true
                break
            }
        }
        if !isConverged { unconvergedCycles += 1 }
        // The reported values: one evaluation from the fixed point, all members at once.
        var sums: [Int: Double] = [:]
        for i in members { sums[i] = accumulate(i, settings, cycle: set, iterate: x, fixed: fixed) }
        for i in members {
            converged[i] = isConverged
            rounds[i] = round
            finish(i, sums[i]!, settings)
        }
    }
}
