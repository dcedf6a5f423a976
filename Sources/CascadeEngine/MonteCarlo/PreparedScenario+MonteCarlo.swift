import CascadeFormula

/// Evaluating a Monte Carlo scenario's draws over its prepared world.
extension PreparedScenario {
    /// Fails before allocating when the draws' impacts (computed entities × draws doubles, plus
    /// one sorted copy of an entity's draws and the summaries) would not fit the budget.
    package func requireDrawBudget(_ draws: Int, budget: Int) throws(EngineError) {
        let entities = computedEntities.count
        let cells = entities.multipliedReportingOverflow(by: draws)
        let bytes = (cells.partialValue + draws + run.ids.count * DistributionColumns.fields).multipliedReportingOverflow(by: MemoryLayout<Double>.size)
        guard cells.overflow || bytes.overflow || bytes.partialValue > budget else { return }
        throw EngineError(problems: [.init(
            location: "$.draws",
            message: "\(draws) draws of \(entities) entities would need "
                + (cells.overflow || bytes.overflow ? "more than \(Int.max) bytes" : Attribution.gigabytes(bytes.partialValue))
                + "; the budget is \(Attribution.gigabytes(budget)) (fewer draws fit: at most \(budget / MemoryLayout<Double>.size / max(entities + 1, 1)))")],
            kind: .overBudget)
    }

    /// The entities a draw reports (not MACRO, with a level), in id order.
    var computedEntities: [Int32] {
        run.idOrder.filter { !run.isMacro[Int($0)] && run.levels[Int($0)] >= 0 }
    }

    /// The impacts of draws `range` of the scenario's Monte Carlo: one prepared run propagated
    /// once per draw with that draw's variable values (`DrawSampler`). Any chunk of draws gives
    /// exactly the impacts that a run over all draws gives for it. Throws when a draw's value is
    /// not finite (naming the draw), or — before allocating — when the impacts would exceed
    /// `memoryBudget` (default `Engine.memoryBudget()`).
    package func drawImpacts(_ range: Range<Int>, memoryBudget: Int? = nil) throws(EngineError) -> DrawImpacts {
        guard let monteCarlo = run.scenario.monteCarlo else {
            throw EngineError(problems: [.init(location: "$.draws", message: "the scenario gives no distributions, so it has no draws")])
        }
        let budget: Int
        if let memoryBudget { budget = memoryBudget } else { budget = try Engine.memoryBudget() }
        try requireDrawBudget(range.count, budget: budget)
        let entities = computedEntities
        let sampler = DrawSampler(monteCarlo)
        // Each distribution variable's index in the run; a variable with no baseline of its own
        // moves its baseline with its value (it carries no shock, as in a point scenario).
        let variables = sampler.variables.map { name in run.variableNames.firstIndex(of: name)! }
        let movesBaseline = variables.map { run.variableBaselineIsValue[$0] }
        var values = [Double](repeating: 0, count: variables.count)
        var normals = values, mixed = values
        var assignments = variables.map { (variable: $0, value: 0.0) }
        var baselines = assignments.filter { _ in false }
        var impacts = [Double](repeating: 0, count: entities.count * range.count)
        let propagator = Propagator(run)
        propagator.threads = try propagationThreads()
        let n = range.count
        for (k, d) in range.enumerated() {
            sampler.values(draw: d, into: &values, normals: &normals, mixed: &mixed)
            baselines.removeAll(keepingCapacity: true)
            for j in variables.indices {
                assignments[j].value = values[j]
                if movesBaseline[j] { baselines.append((variables[j], values[j])) }
            }
            propagator.propagateAgain(values: assignments, baselines: baselines)
            if let failure = propagator.nonFinite {
                var error = propagator.nonFiniteError(failure)
                let drawn = zip(sampler.variables, values).map { "\($0) = \(JSNumber.format($1))" }.joined(separator: ", ")
                for p in error.problems.indices {
                    error.problems[p].location = "draw \(d) (\(drawn)), " + error.problems[p].location
                }
                throw error
            }
            for (position, i) in entities.enumerated() { impacts[position * n + k] = propagator.impact[Int(i)] }
        }
        return DrawImpacts(entities: entities, draws: range, impacts: impacts)
    }

    /// Per entity of `impacts`, the summary of its draws against `threshold`.
    package static func distributions(_ impacts: DrawImpacts, threshold: Double) -> [ImpactDistribution] {
        var scratch: [Double] = []
        scratch.reserveCapacity(impacts.draws.count)
        return impacts.entities.indices.map { ImpactDistribution(impacts.impacts(at: $0), threshold: threshold, scratch: &scratch) }
    }
}
