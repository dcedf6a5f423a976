import Dispatch

/// Attribution of one level on several threads, in the propagator's waves
/// (`Propagator+Threads.swift`), with rows bit-identical to one thread's and in the same layout.
///
/// Within a wave the components are independent: every row a component's edges read belongs to
/// an earlier wave, an earlier level (final), a later level or an entity without a level (both
/// still empty, as they are on one thread). So a wave with at least `threads.minimumEdges`
/// incoming edges is cut into the same contiguous ranges of components as the propagator's, and
/// each range is attributed by its own worker (`AttributionWorker`: its own accumulator and
/// scratch, and its own propagator — the attribution's, or a lane — whose formula frames the
/// one-at-a-time effects are evaluated in) into its own entry buffer, with the one-thread code.
/// After the wave, the buffers are appended in range order and their row starts shifted: the
/// rows in the wave's order, as one thread appends them. A smaller wave is attributed by the
/// first worker straight into the rows.
///
/// One thread appends a level's rows in component order; the waves regroup the components, so
/// where the waves' order is not the components' (a same-level edge from a later component to an
/// earlier one's successor), the level's rows are put back in component order once it is done.
/// Row starts and the stored document are then byte-identical whatever the thread count.
///
/// Where the propagator stays on one thread — a run whose formulas read an entity's metadata
/// (parsed on first read and kept in the run), a pass with sensitivities — so does attribution.
extension Attribution {
    /// Whether levels may be split: the propagator's own conditions (`Propagator.pass`).
    static func splitsLevels(_ propagator: Propagator) -> Bool {
        propagator.threads.count > 1 && propagator.isSplittable && propagator.sensitivities == nil
    }

    /// The workers that attribute at once (1 when no level is split) and the most row bounds
    /// held besides the rows at any time: a split wave's entities (rows in the threads' buffers
    /// before they are appended, whose capacity is kept) plus a reordered level's entities (its
    /// rows copied out while they are put in component order).
    /// - Complexity: O(V + E) the first time the propagator's waves are made, O(V) after.
    static func threadedRows(_ propagator: Propagator) -> (threads: Int, entities: Int) {
        guard splitsLevels(propagator) else { return (1, 0) }
        let run = propagator.run, minimumEdges = propagator.threads.minimumEdges
        var threads = 1, wave = 0, level = 0
        for l in 0..<10 where propagator.levelEnabled[l] {
            let plan = propagator.levelWaves(l)
            guard plan.totals.contains(where: { $0 >= minimumEdges }) else { continue }
            for (w, components) in plan.waves.enumerated() where plan.totals[w] >= minimumEdges {
                threads = max(threads, plan.ranges(ofWave: w, parts: propagator.threads.count).count)
                wave = max(wave, components.reduce(0) { $0 + run.components[l][$1].count })
            }
            if !isInComponentOrder(plan) { level = max(level, run.entitiesByLevel[l].count) }
        }
        return (threads, wave + level)
    }

    /// Whether the waves, one after another, list the components in order.
    static func isInComponentOrder(_ plan: LevelWaves) -> Bool {
        var next = 0
        for wave in plan.waves {
            for c in wave {
                guard c == next else { return false }
                next += 1
            }
        }
        return true
    }

    /// Attributes `level` on the threads and returns true, or returns false (having attributed
    /// nothing) when the level is too small to split.
    func attributeInParallel(_ level: Int) -> Bool {
        let threads = propagator.threads
        let plan = propagator.levelWaves(level)
        guard plan.totals.contains(where: { $0 >= threads.minimumEdges }) else { return false }
        while propagator.lanes.count < threads.count - 1 { propagator.lanes.append(Propagator(run, laneOf: propagator)) }
        while workers.count < threads.count {
            workers.append(AttributionWorker(self, propagator: propagator.lanes[workers.count - 1], inDegree: inDegree))
        }
        let components = run.components[level], isCyclic = run.componentIsCyclic[level]
        let levelStart = entries.key.count
        let bound = min(width, Self.causeLimit + 1)
        for (w, wave) in plan.waves.enumerated() {
            if plan.totals[w] < threads.minimumEdges {
                for c in wave { workers[0].attribute(components[c], isCyclic: isCyclic[c], level: level, reused: reused) }
                continue
            }
            let ranges = plan.ranges(ofWave: w, parts: threads.count)
            let crew = Crew(workers: Array(workers.prefix(ranges.count)), components: components, isCyclic: isCyclic,
                            wave: wave, ranges: ranges, level: level, reused: reused)
            for (t, worker) in crew.workers.enumerated() {
                // At most a row bound per entity, reserved once (the pages never written are never resident).
                let entities = ranges[t].reduce(0) { $0 + components[wave[$1]].count }
                worker.local.key.reserveCapacity(entities * bound)
                worker.local.value.reserveCapacity(entities * bound)
                worker.output = worker.local
            }
            if threads.isReversed {
                for t in ranges.indices.reversed() { crew.work(t) }
            } else {
                DispatchQueue.concurrentPerform(iterations: ranges.count) { t in crew.work(t) }
            }
            // In range order: the wave's rows in its order, as one thread appends them.
            for (t, worker) in crew.workers.enumerated() {
                let base = entries.key.count
                for position in ranges[t] { for i in components[wave[position]] { rowStarts[i] += base } }
                entries.key.append(contentsOf: worker.local.key)
                entries.value.append(contentsOf: worker.local.value)
                worker.local.key.removeAll(keepingCapacity: true)
                worker.local.value.removeAll(keepingCapacity: true)
                worker.output = entries
            }
        }
        if !Self.isInComponentOrder(plan) { reorder(level, from: levelStart) }
        return true
    }

    /// Puts the level's rows (every entry from `start` on, in wave order) in component order.
    /// - Complexity: O(the level's entities and entries).
    private func reorder(_ level: Int, from start: Int) {
        let key = Array(entries.key[start...]), value = Array(entries.value[start...])
        entries.key.removeLast(entries.key.count - start)
        entries.value.removeLast(entries.value.count - start)
        for members in run.components[level] {
            for i in members {
                let from = rowStarts[i] - start, count = Int(rowCounts[i])
                rowStarts[i] = entries.key.count
                entries.key.append(contentsOf: key[from..<from + count])
                entries.value.append(contentsOf: value[from..<from + count])
            }
        }
    }
}

/// One split wave, handed to its threads: thread t uses only `workers[t]`, which writes only its
/// own buffer and the row slots of its own components' entities (see above).
private struct Crew: @unchecked Sendable {
    let workers: [AttributionWorker]
    let components: [[Int]]
    let isCyclic: [Bool]
    let wave: [Int]
    let ranges: [Range<Int>]
    let level: Int
    let reused: (table: ResultTable, isReused: [Bool])?

    func work(_ t: Int) {
        let worker = workers[t]
        for position in ranges[t] {
            let c = wave[position]
            worker.attribute(components[c], isCyclic: isCyclic[c], level: level, reused: reused)
        }
    }
}
