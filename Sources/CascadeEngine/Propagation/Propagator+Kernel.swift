import CascadeFormula

/// The batched kernel: before a level's components are walked, the edges into its acyclic
/// targets from earlier levels (`EdgeBatches`) are evaluated program by program over columns —
/// one dispatch per instruction per block of edges (`CompiledFormula.evaluate(columns:…)`)
/// instead of one frame bound and one program run per edge — and each edge's contribution and
/// state are stored; the walk (`accumulate`) then sums them in relationship order exactly as it
/// sums the ones it computes itself.
///
/// Every value is the one-edge-at-a-time path's, bit for bit: the columns hold what `setInputs`
/// binds (both read `number(_:edge:source:target:mode:sourceImpact:)`), a lane gives what the
/// scalar evaluation gives, and the contribution is `difference` of the same values. The
/// baseline comes from `baselineValue` or the sector table (`findBaseline`, as the scalar path
/// computes it) or, for a program whose baseline is per edge, from a second batch. The formula
/// evaluations are counted as the scalar path counts them.
///
/// What is left to the walk (the scalar path): a lane whose scenario or baseline evaluation
/// failed or gave a value that is not a number (so the error, the state and the count are the
/// scalar path's own), edges whose source's level is disabled, targets an incremental run
/// reuses, and everything `EdgeBatches` does not group (same-level and feedback edges, cycles,
/// registry formulas, linear pass-throughs). A pass with sensitivities does not batch.
extension Propagator {
    /// Evaluates the level's grouped edges ahead of its walk (nothing with the scalar kernel or
    /// in a pass with sensitivities).
    /// - Complexity: O(grouped edges · instructions).
    func precompute(_ level: Int, _ settings: LevelSettings) {
        guard kernel == .batched, sensitivities == nil else { return }
        if batches == nil { batches = EdgeBatches(self, sizes: batchSizes) }
        let batches = batches!
        let groups = batches.groups[level]
        guard let first = groups.lazy.map({ Int($0.edges[0]) }).min() else { return }
        // Window by window of consecutive edges, every group's edges in the window, so that the
        // edges' rows (weight, baseline, state, contribution) are wanted again while still in the
        // cache rather than once per program across the whole level. (Measured at 1 M / 5 M on a
        // machine at load 10–20: no clear change in the propagate phase; the loads of those rows
        // stay the kernel's hottest instructions either way.)
        var cursor = [Int](repeating: 0, count: groups.count)
        var remaining = groups.count
        var windowEnd = first
        while remaining > 0 {
            windowEnd += batches.sizes.window
            for (g, group) in groups.enumerated() where cursor[g] < group.edges.count {
                group.edges.withUnsafeBufferPointer { edges in
                    var start = cursor[g]
                    while start < edges.count && Int(edges[start]) < windowEnd {
                        var end = start + 1
                        let limit = min(start + batches.sizes.chunk, edges.count)
                        while end < limit && Int(edges[end]) < windowEnd { end += 1 }
                        precompute(edges[start..<end], program: group.program, batches, damping: settings.damping)
                        start = end
                    }
                    cursor[g] = start
                    if start == edges.count { remaining -= 1 }
                }
            }
        }
    }

    /// Clears the flags the walk did not take (the pass stopped at a non-finite value).
    func discardPrecomputed(_ level: Int) {
        guard let batches else { return }
        for group in batches.groups[level] { for e in group.edges { isPrecomputed[Int(e)] = false } }
    }

    /// One chunk of a program's edges.
    private func precompute(_ edges: Slice<UnsafeBufferPointer<Int32>>, program: Int, _ b: EdgeBatches, damping: Double) {
        guard case .inline(let bound) = programs[program].kind, let frame = b.frames[program] else {
            preconditionFailure("program \(program) is not batched")
        }
        // The lanes: edges into targets computed in this pass, from sources on enabled levels.
        var count = 0
        for e32 in edges {
            let e = Int(e32)
            if let reused, reused[Int(edgeTarget[e])] { continue }
            if !allLevelsEnabled && !levelEnabled[levels[Int(edgeSource[e])]] { continue }
            b.laneEdge[count] = e32
            count += 1
        }
        guard count > 0 else { return }
        evaluate(bound, program: program, frame, b, edges: b.laneEdge, count: count, mode: .scenario, into: b.output, b.status)
        var pending = 0
        for lane in 0..<count {
            let status = b.status[lane]
            guard status == .number || status == .noValue else { continue }  // the walk evaluates it again: its error, its state
            let e = Int(b.laneEdge[lane])
            if !hasBaseline[e] {
                if baselineKey(e, program: program) < 0 {
                    b.baselineLane[pending] = Int32(lane)
                    b.baselineEdge[pending] = Int32(e)
                    pending += 1
                    continue
                }
                do throws(FormulaError) { try findBaseline(e, program: program) } catch { continue }  // the walk fails it
            }
            record(e, status, b.output[lane], damping: damping)
        }
        guard pending > 0 else { return }
        evaluate(bound, program: program, frame, b, edges: b.baselineEdge, count: pending, mode: .baseline, into: b.baselineOutput, b.baselineStatus)
        for k in 0..<pending {
            let status = b.baselineStatus[k]
            guard status == .number || status == .noValue else { continue }
            let e = Int(b.baselineEdge[k]), lane = Int(b.baselineLane[k])
            evaluations += 1
            baselineValue[e] = status == .number ? b.baselineOutput[k] : .nan  // as `evaluateBaseline` gives it
            hasBaseline[e] = true
            record(e, b.status[lane], b.output[lane], damping: damping)
        }
    }

    /// Stores edge `e`'s contribution from its scenario lane (counted as one evaluation) and marks it for the walk.
    @inline(__always)
    private func record(_ e: Int, _ status: LaneStatus, _ output: Double, damping: Double) {
        evaluations += 1
        batchedEdges += 1
        contribution[e] = difference(e, scenarioValue: status == .number ? output : nil, damping: damping)
        isPrecomputed[e] = true
    }

    /// Gathers the columns of `edges[0..<count]` in `mode` and evaluates the program over them.
    private func evaluate(_ bound: BoundProgram, program: Int, _ frame: BatchFrame, _ b: EdgeBatches, edges: Buffer<Int32>, count: Int,
                          mode: ContextMode, into output: Buffer<Double>, _ status: Buffer<LaneStatus>) {
        for (slot, source) in bound.slots.enumerated() {
            let column = b.columns[slot]
            let readsImpact = source.dependsOnSource && mode.shocksSource
            for lane in 0..<count {
                let e = Int(edges[lane])
                let s = Int(edgeSource[e])
                // A down edge's source impact is final (the walk reads `impact[s]` too); at baseline it is 0.
                column[lane] = number(source, edge: e, source: s, target: Int(edgeTarget[e]), mode: mode,
                                      sourceImpact: readsImpact ? impact[s] : 0)!
            }
        }
        do throws(FormulaError) {
            _ = try bound.formula.evaluate(columns: b.views[program], count: count, into: output, status: status, using: frame)
        } catch {
            preconditionFailure("a batched program takes numbers only (`EdgeBatches.canBatch`): \(error)")
        }
    }
}
