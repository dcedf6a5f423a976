#if canImport(Glibc)
import Glibc
#endif
import CascadeFormula
import CascadeJSON

/// A scenario resolved against a world, ready to propagate.
package final class PreparedScenario {
    let run: PreparedRun
    let prepareTime: Duration
    private var cachedFingerprint: String?
    private var fingerprintTime = Duration.zero
    /// The threads a propagation uses; nil: `PropagationThreads.fromEnvironment()` (`CASCADE_THREADS`).
    var threads: PropagationThreads?

    init(run: PreparedRun, prepareTime: Duration) {
        self.run = run
        self.prepareTime = prepareTime
    }

    /// The cache key: XXH3-128 over the resolved inputs (computed once).
    package var fingerprint: String {
        if let cachedFingerprint { return cachedFingerprint }
        let clock = ContinuousClock()
        let start = clock.now
        let value = run.fingerprint()
        fingerprintTime = clock.now - start
        cachedFingerprint = value
        return value
    }

    /// `threads`, else `CASCADE_THREADS` (`PropagationThreads.fromEnvironment()`).
    func propagationThreads() throws(EngineError) -> PropagationThreads {
        if let threads { return threads }
        return try PropagationThreads.fromEnvironment()
    }

    /// Warnings found while resolving (unbound variables, entities without a level, …).
    package var warnings: [String] { run.warnings }

    /// Propagates the scenario; throws when a contribution, impact or fixed-point iterate is not
    /// a finite number (naming the entity, the relationship and the value), and — before
    /// allocating it — when attribution would need more than `memoryBudget` bytes (default:
    /// `Engine.memoryBudget()`).
    ///
    /// With `sensitivities`, every entity carries ∂impact/∂value per scenario variable and shock
    /// (see `SensitivityPropagation`), differentiated from the plain run's own values and only
    /// where a direction reaches (`stats.sensitivityEdges` counts the edges differentiated); a
    /// run with feedback propagates a second time to differentiate each pass. Its time is the
    /// `sensitivities` phase; the values and everything else of the result are the plain run's.
    ///
    /// With `previous`, the scenario's last stored result, only what changed since is recomputed
    /// when `RecomputePlan` finds that safe; `stats.recompute` says which it was.
    func propagate(memoryBudget: Int? = nil, sensitivities: Bool? = nil, previous: PreviousResult?) throws(EngineError) -> RunResult {
        try propagate(memoryBudget: memoryBudget, sensitivities: sensitivities, plan: RecomputePlan.make(run, previous: previous))
    }

    package func propagate(memoryBudget: Int? = nil, sensitivities: Bool? = nil) throws(EngineError) -> RunResult {
        try propagate(memoryBudget: memoryBudget, sensitivities: sensitivities, plan: nil)
    }

    /// With `draws`, a Monte Carlo scenario's impacts over all its draws computed elsewhere (in
    /// chunks, by workers: `DrawChunkWork`) take the place of computing them here.
    func propagate(memoryBudget: Int?, sensitivities: Bool?, plan: RecomputePlan?, draws: DrawImpacts? = nil) throws(EngineError) -> RunResult {
        var plan = plan
        let sensitivities = sensitivities ?? run.scenario.sensitivities
        let clock = ContinuousClock()
        let fingerprint = self.fingerprint
        let budget: Int
        if let memoryBudget { budget = memoryBudget } else { budget = try Engine.memoryBudget() }
        if let monteCarlo = run.scenario.monteCarlo { try requireDrawBudget(monteCarlo.draws, budget: budget) }  // before anything is allocated
        let threads = try propagationThreads()
        let start = clock.now
        let cpuStart = threadCPUMilliseconds()
        let propagator = Propagator(run)
        propagator.threads = threads
        var reusingAttribution: Attribution?
        if case .incremental(let table, let isReused, _) = plan {
            // The previous rows are copied only when its causes are this run's, key for key.
            try Attribution.requireBudget(propagator, budget: budget)
            let attribution = Attribution(propagator)
            if attribution.keys == table.attributionKeys {
                propagator.reuse(table, for: isReused)
                attribution.reused = (table, isReused)
                reusingAttribution = attribution
            } else {
                plan = .full(reason: "the previous result's attribution keys are not this run's")
            }
        }
        propagator.propagate()
        if let failure = propagator.nonFinite { throw propagator.nonFiniteError(failure) }
        let propagated = clock.now
        MemoryProbe.mark("propagate")
        let cpuPropagated = threadCPUMilliseconds()
        if reusingAttribution == nil { try Attribution.requireBudget(propagator, budget: budget) }
        let attribution = reusingAttribution ?? Attribution(propagator)
        attribution.compute()
        let attributed = clock.now
        MemoryProbe.mark("attribute")
        let cpuAttributed = threadCPUMilliseconds()
        var columns: SensitivityColumns?
        var sensitivityEdges: Int?
        if sensitivities {
            try SensitivityPropagation.requireBudget(run, budget: budget)
            let tracker: SensitivityPropagation
            if run.scenario.feedbackRounds == 0 {
                // One pass: differentiated from the plain run's own values.
                tracker = SensitivityPropagation(propagator)
                tracker.differentiateFinishedPass()
            } else {
                // Each pass's values are overwritten by the next: propagate again, differentiating as it goes.
                let tracked = Propagator(run)
                tracker = SensitivityPropagation(tracked)
                tracked.sensitivities = tracker
                tracked.propagate()
                if let failure = tracked.nonFinite { throw tracked.nonFiniteError(failure) }
            }
            if let failure = tracker.failure { throw tracker.failureError(failure) }
            columns = tracker.columns()
            sensitivityEdges = tracker.edgesDifferentiated
        }
        let differentiated = clock.now
        let cpuDifferentiated = threadCPUMilliseconds()
        // Monte Carlo: the result is the central run's (each distribution at its mean), and every
        // entity carries its impact's distribution over the draws.
        var distributions: DistributionColumns?
        if let monteCarlo = run.scenario.monteCarlo {
            let impacts: DrawImpacts
            if let draws {
                precondition(draws.draws == 0..<monteCarlo.draws && draws.entities == computedEntities, "merged draws of another run")
                impacts = draws
            } else {
                impacts = try drawImpacts(0..<monteCarlo.draws, memoryBudget: budget)
            }
            distributions = DistributionColumns(entities: run.ids.count, impacts: impacts,
                                                distributions: Self.distributions(impacts, threshold: monteCarlo.threshold))
        }
        let drawn = clock.now
        let cpuDrawn = threadCPUMilliseconds()
        var result = buildResult(propagator, attribution, fingerprint: fingerprint, sensitivities: columns, distributions: distributions)
        result.monteCarlo = run.scenario.monteCarlo
        result.stats.sensitivityEdges = sensitivityEdges
        result.stats.threads = threads.count
        if let plan { result.stats.recompute = RunStats.Recompute(plan, run: run) }
        let built = clock.now
        MemoryProbe.mark("results")
        result.stats.cpuTimings = [("propagate", cpuPropagated - cpuStart), ("attribute", cpuAttributed - cpuPropagated)]
        result.stats.timings = [("prepare", prepareTime.milliseconds), ("fingerprint", fingerprintTime.milliseconds),
                                ("propagate", (propagated - start).milliseconds), ("attribute", (attributed - propagated).milliseconds)]
        if sensitivities {
            result.stats.cpuTimings.append(("sensitivities", cpuDifferentiated - cpuAttributed))
            result.stats.timings.append(("sensitivities", (differentiated - attributed).milliseconds))
        }
        if run.scenario.monteCarlo != nil {
            result.stats.cpuTimings.append(("draws", cpuDrawn - cpuDifferentiated))
            result.stats.timings.append(("draws", (drawn - differentiated).milliseconds))
        }
        result.stats.cpuTimings.append(("results", threadCPUMilliseconds() - cpuDrawn))
        result.stats.timings.append(("results", (built - drawn).milliseconds))
        result.stats.durationMs = result.stats.timings.reduce(0) { $0 + $1.ms }
        return result
    }

    func buildResult(_ p: Propagator, _ attribution: Attribution, fingerprint: String,
                     sensitivities: SensitivityColumns? = nil, distributions: DistributionColumns? = nil) -> RunResult {
        var computedCount = 0
        for i in run.ids.indices where !run.isMacro[i] && run.levels[i] >= 0 { computedCount += 1 }
        let reportAll = computedCount <= Engine.fullReportLimit
        var reported: [Int32] = []
        for k in run.idOrder {
            let i = Int(k)
            if !run.isMacro[i] && run.levels[i] >= 0 && (reportAll || p.impact[i] != 0 || p.status[i] != .ok) {
                reported.append(k)
            }
        }
        let table = ResultTable(run, p, attribution, strongest: strongestIncoming(p), sensitivities: sensitivities,
                                distributions: distributions)
        let entities = EntityResults(table: table, positions: reported)
        let macros = run.idOrder.map { Int($0) }.filter { run.isMacro[$0] && run.macroVariable[$0] >= 0 }.map { i in
            MacroResult(id: run.ids[i], name: run.names[i], variable: run.variableNames[run.macroVariable[i]],
                        level: run.levels[i], value: run.variableValues[run.macroVariable[i]],
                        baseline: run.variableBaselines[run.macroVariable[i]], unit: run.metadata(i)["unit"]?.stringValue)
        }
        var warnings = run.warnings
        let skipped = run.edgeClass.indices.filter { run.edgeClass[$0] == .feedback }
            .sorted { run.edgeRelationship[$0] < run.edgeRelationship[$1] }
        if run.scenario.feedbackRounds == 0 && !skipped.isEmpty {
            let listed = skipped.prefix(10).map { run.relationshipIDs[Int(run.edgeRelationship[$0])] }
            warnings.append("\(skipped.count) feedback edge\(skipped.count == 1 ? "" : "s") skipped (feedback_rounds is 0): "
                            + listed.joined(separator: ", ") + (skipped.count > 10 ? ", …" : ""))
        }
        if let convergence = run.scenario.feedbackConvergence, !p.feedbackConverged {
            warnings.append("feedback did not converge within \(p.feedbackRoundsRun) round\(p.feedbackRoundsRun == 1 ? "" : "s") (feedback_max_rounds): "
                            + "the last round still moved an impact by \(JSNumber.format(p.feedbackChange)), more than feedback_tolerance \(JSNumber.format(convergence.tolerance))")
        }
        if p.unconvergedCycles > 0 {
            warnings.append("\(p.unconvergedCycles) same-level cycle\(p.unconvergedCycles == 1 ? "" : "s") did not converge within max_cycle_rounds; members are marked not_converged")
        }
        let failed = p.edgeErrors.count
        if failed > 0 {
            // In the order of their targets' ids, then of relationships.
            let first = p.edgeErrors.keys.sorted { a, b in
                let (ta, tb) = (Int(run.edgeTarget[a]), Int(run.edgeTarget[b]))
                return ta == tb ? a < b : byteOrder(run.ids[ta], run.ids[tb])
            }.prefix(5).map { e in
                "\(run.relationshipIDs[Int(run.edgeRelationship[e])]): \(p.edgeErrors[e]!.diagnostic.message)"
            }
            warnings.append("\(failed) edge formula\(failed == 1 ? "" : "s") failed: " + first.joined(separator: "; "))
        }
        let inputs = RunInputs(
            engineVersion: PreparedRun.engineVersion, formulas: run.formulasUsed.keys.sorted(by: byteOrder),
            coefficients: run.coefficientRowsRead.values.sorted { byteOrder($0.id, $1.id) }.map {
                CoefficientUse(id: $0.id, sector: $0.sector, coefficientType: $0.coefficientType, value: $0.value,
                               effectiveDate: $0.effectiveDate)
            },
            macroData: run.macroPointsRead, inlineFormulas: run.inlineFormulaCount)
        let stats = RunStats(entities: run.ids.count, relationships: run.relationshipIDs.count, edges: run.edgeSource.count,
                             edgesEvaluated: p.state.indices.filter { p.state[$0] != .skipped && p.state[$0] != .blocked }.count,
                             formulaEvaluations: p.evaluations, programs: run.programs.count, cycles: p.cycleCount,
                             unconvergedCycles: p.unconvergedCycles,
                             skippedFeedbackEdges: run.scenario.feedbackRounds == 0 ? skipped.count : 0,
                             feedbackRounds: p.feedbackRoundsRun,
                             feedbackConverged: run.scenario.feedbackConvergence == nil ? nil : p.feedbackConverged,
                             durationMs: 0, timings: [])
        return RunResult(scenarioID: nil, fingerprint: fingerprint, cached: false, asOf: run.scenario.asOf, inputs: inputs,
                         macros: macros, entities: entities, warnings: warnings, stats: stats)
    }

    /// Per entity, its strongest counted incoming edge (-1 for none): the step paths follow.
    /// - Complexity: O(E).
    func strongestIncoming(_ p: Propagator) -> [Int32] {
        var strongest = [Int32](repeating: -1, count: run.ids.count)
        do {
            let shown = p.shown
            for i in run.ids.indices {
                var best = -1
                var bestMagnitude = 0.0
                for e in run.incomingStart[i]..<run.incomingStart[i + 1] where shown[e] != 0 {
                    if best < 0 || abs(shown[e]) > bestMagnitude {
                        best = e
                        bestMagnitude = abs(shown[e])
                    }
                }
                strongest[i] = Int32(best)
            }
        }
        return strongest
    }
}
