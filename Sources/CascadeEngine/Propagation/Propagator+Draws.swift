/// Propagating the same prepared run again with other variable values: one Monte Carlo draw.
extension Propagator {
    /// Sets the variables' values (and, where `baselines` is given, their baselines) and
    /// propagates again from a clean state, reusing every buffer and bound program: the
    /// result is the one a new `Propagator` of a run prepared with these values would give.
    /// An edge's baseline value is kept from the previous propagation unless a baseline changed.
    func propagateAgain(values: [(variable: Int, value: Double)], baselines: [(variable: Int, value: Double)]) {
        for (k, value) in values { variableValues[k] = value }
        var baselineChanged = false
        for (k, value) in baselines where variableBaselines[k].bitPattern != value.bitPattern {
            variableBaselines[k] = value
            baselineChanged = true
        }
        if baselineChanged {
            hasBaseline.update(repeating: false)
            self.baselines.reset()
            for lane in lanes {
                lane.baselines.reset()
                lane.adoptedBaselines = 0
            }
        }
        converged.update(repeating: true)
        rounds.update(repeating: 0)
        edgeErrors.removeAll(keepingCapacity: true)
        isFeedbackPass = false
        evaluations = 0
        cycleCount = 0
        unconvergedCycles = 0
        feedbackRoundsRun = 0
        feedbackChange = 0
        feedbackConverged = false
        nonFinite = nil
        propagate()
    }
}
