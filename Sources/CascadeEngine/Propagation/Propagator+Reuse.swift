extension Propagator {
    /// Seeds an incremental re-run (`RecomputePlan`): every entity with `isReused` set takes its
    /// impact, unclamped sum, status, rounds and binding input, and its incoming edges their
    /// states and shown contributions, from the previous result's columns; `pass()` then computes
    /// only the other components, reading the reused impacts where their edges leave reused
    /// entities. (A reused edge's `contribution` is its shown value: only its own target, which is
    /// not computed again, would read it.)
    /// - Complexity: O(V + E).
    func reuse(_ table: ResultTable, for isReused: [Bool]) {
        for i in isReused.indices where isReused[i] {
            impact[i] = table.impact[i]
            unclamped[i] = table.unclamped[i]
            status[i] = table.status[i]
            converged[i] = table.status[i] != .notConverged
            rounds[i] = table.rounds[i]
            bindingEdge[i] = table.bindingEdge[i]
            for e in incomingStart[i]..<incomingStart[i + 1] {
                state[e] = table.state[e]
                shown[e] = table.shown[e]
                contribution[e] = table.shown[e]
            }
        }
        reused = isReused
    }

    /// Counts a reused component as `pass()` counts a computed one (cycles, unconverged cycles).
    func countReused(_ members: [Int], isCyclic: Bool) {
        guard isCyclic else { return }
        cycleCount += 1
        if status[members[0]] == .notConverged { unconvergedCycles += 1 }
    }
}
