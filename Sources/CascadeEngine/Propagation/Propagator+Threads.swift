import Dispatch

/// One level on several threads (`threads.count > 1`), bit-identical to the one-thread pass.
///
/// The level's components are taken wave by wave (`LevelWaves`: a wave reads only earlier
/// waves, earlier levels and the previous pass). A wave with at least `threads.minimumEdges`
/// incoming edges is cut into contiguous ranges of components, one per thread: this propagator
/// computes the first, a lane (`Propagator(run, laneOf:)`) each other one. A component is
/// computed by one thread with the same code as the one-thread pass (`propagateComponent`), so
/// each target's contributions are summed in the same order from the same values, and each
/// entity and edge slot is written by the one thread that owns its target.
///
/// What the threads do not share, and how it is merged after each wave, in lane order:
/// - formula frames: each lane binds its programs to frames of its own;
/// - the sector baseline table (`BaselineTable`): a lane starts each wave with every entry the
///   run's table has and hands over the ones it computed; an entry two threads both computed
///   is counted once in `evaluations`, as the one-thread pass computes it once (a formula is
///   pure: both computed the same value or failure);
/// - `evaluations`, `cycleCount`, `unconvergedCycles` (summed) and `edgeErrors` (one key per edge);
/// - a non-finite value: the one-thread pass stops at the first in topological order and the
///   run fails with it. When any thread finds one, the level is computed again on this thread
///   from its start (`passSerially`), which stops at exactly that first one (the entities after
///   it keep values a failed run does not report).
///
/// A pass with sensitivities (`sensitivities` set) stays on one thread, and so does a run whose
/// formulas read an entity's metadata (`canSplit`).
extension Propagator {
    /// Whether the programs read nothing that is cached on first read: `source.metadata` and
    /// `target.metadata` parse an entity's metadata once and keep it in the run
    /// (`PreparedRun.metadataValue`), which two threads must not do at once.
    static func canSplit(_ programs: [EdgeProgram]) -> Bool {
        programs.allSatisfy { program in
            program.bindings.allSatisfy { bound in
                bound.slots.allSatisfy { slot in
                    switch slot {
                    case .sourceMetadata, .targetMetadata: false
                    default: true
                    }
                }
            }
        }
    }

    /// Computes `level` on the threads and returns true, or returns false (having computed
    /// nothing) when the level is too small to split.
    func passInParallel(_ level: Int, _ settings: LevelSettings) -> Bool {
        let components = run.components[level]
        let plan = levelWaves(level)
        guard plan.totals.contains(where: { $0 >= threads.minimumEdges }) else { return false }
        while lanes.count < threads.count - 1 { lanes.append(Propagator(run, laneOf: self)) }
        let start = (evaluations, cycleCount, unconvergedCycles)
        let isCyclic = run.componentIsCyclic[level]
        for (w, wave) in plan.waves.enumerated() {
            if plan.totals[w] < threads.minimumEdges {
                for c in wave {
                    propagateComponent(components[c], isCyclic: isCyclic[c], settings)
                    if nonFinite != nil { break }
                }
            } else {
                let ranges = plan.ranges(ofWave: w, parts: threads.count)
                for lane in lanes.prefix(ranges.count - 1) { prepare(lane) }
                let crew = Crew(propagators: [self] + lanes.prefix(ranges.count - 1))
                let work: @Sendable (Int) -> Void = { t in
                    let p = crew.propagators[t]
                    for position in ranges[t] {
                        let c = wave[position]
                        p.propagateComponent(components[c], isCyclic: isCyclic[c], settings)
                        if p.nonFinite != nil { return }
                    }
                }
                if threads.isReversed {
                    for t in ranges.indices.reversed() { work(t) }
                } else {
                    DispatchQueue.concurrentPerform(iterations: ranges.count, execute: work)
                }
                for lane in lanes.prefix(ranges.count - 1) { merge(lane) }
            }
            if nonFinite != nil { break }
        }
        guard nonFinite != nil else { return true }
        // The first non-finite value in topological order is the one-thread pass's: find it so.
        nonFinite = nil
        (evaluations, cycleCount, unconvergedCycles) = start
        if !edgeErrors.isEmpty {
            for members in components { for i in members { for e in incomingStart[i]..<incomingStart[i + 1] { edgeErrors[e] = nil } } }
        }
        passSerially(level, settings)
        return true
    }

    /// The level's waves (every level's made at the first call).
    /// - Complexity: O(V + E) at the first call, O(1) after.
    func levelWaves(_ level: Int) -> LevelWaves {
        if waves.isEmpty {
            var componentOf = [Int32](repeating: -1, count: run.ids.count)
            waves = (0..<10).map { LevelWaves(run, level: $0, componentOf: &componentOf) }
        }
        return waves[level]
    }

    /// Brings a lane to this propagator's state before a wave: the pass it is in, the reused
    /// entities, and the sector baselines computed since it last looked.
    func prepare(_ lane: Propagator) {
        lane.isFeedbackPass = isFeedbackPass
        lane.reused = reused
        let computed = baselines.computed
        for k in computed[lane.adoptedBaselines...] { lane.baselines.adopt(k, from: baselines) }
        lane.adoptedBaselines = computed.count
    }

    /// Takes a lane's counts, edge errors, sector baselines and failure after a wave.
    func merge(_ lane: Propagator) {
        evaluations += lane.evaluations
        cycleCount += lane.cycleCount
        unconvergedCycles += lane.unconvergedCycles
        lane.evaluations = 0
        lane.cycleCount = 0
        lane.unconvergedCycles = 0
        for key in lane.baselines.computed {
            if baselines.states[key] != 0 {
                evaluations -= 1  // computed by an earlier thread of this wave too: the one-thread pass computes it once
            } else {
                baselines.adopt(key, from: lane.baselines)
                baselines.computed.append(key)
            }
        }
        lane.baselines.computed.removeAll(keepingCapacity: true)
        if !lane.edgeErrors.isEmpty {
            for (e, error) in lane.edgeErrors { edgeErrors[e] = error }
            lane.edgeErrors.removeAll(keepingCapacity: true)
        }
        if let failure = lane.nonFinite {
            if nonFinite == nil { nonFinite = failure }  // which one does not matter: the level is computed again
            lane.nonFinite = nil
        }
    }
}

/// The propagators of one wave, handed to its threads: thread t uses only `propagators[t]`, which
/// writes only the slots of the entities and edges of its own components (see above).
private struct Crew: @unchecked Sendable {
    let propagators: [Propagator]
}
