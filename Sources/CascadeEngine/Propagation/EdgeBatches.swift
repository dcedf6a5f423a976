import CascadeFormula

/// The batched kernel's plan and working memory (`Propagator+Kernel.swift`): per level, the edges
/// it may evaluate ahead of the level's walk, grouped by program, and per program the registers
/// of its batched evaluation.
///
/// An edge is in a group when its target is an acyclic component of the level (not a cycle,
/// whose edges `solveCycle` computes), it comes `down` from an earlier level (so its source's
/// impact is final when the level starts: not `sameLevel`, not `feedback`) and its program can be
/// evaluated in columns (`canBatch`). Within a group the edges keep their order (by target, then
/// relationship), so a chunk's lanes read the targets' rows in order.
final class EdgeBatches {
    /// One program's edges on one level.
    struct Group {
        let program: Int
        let edges: [Int32]
    }

    /// How many edges are taken at once.
    struct Sizes: Sendable, Equatable {
        /// Lanes per chunk: the columns gathered and evaluated at once (`BatchFrame` runs them in
        /// blocks of 128).
        var chunk: Int
        /// Consecutive edges whose groups are taken together (~45 bytes of rows an edge: ~180 KiB, in L2).
        var window: Int

        static let standard = Sizes(chunk: 1024, window: 4096)
    }

    let sizes: Sizes

    /// Per level, its groups in program order.
    let groups: [[Group]]
    /// Per program, its batch registers (nil: the program is evaluated edge by edge).
    let frames: [BatchFrame?]
    /// One column of `chunk` inputs per slot of the widest batched program.
    let columns: [Buffer<Double>]
    /// Per program, the columns of its slots as its batched evaluation takes them.
    let views: [[UnsafeBufferPointer<Double>]]
    /// A chunk's scenario results and lanes' edges; the baseline results of its lanes whose
    /// baseline is evaluated per edge, their lane numbers and edges.
    let output: Buffer<Double>
    let status: Buffer<LaneStatus>
    let laneEdge: Buffer<Int32>
    let baselineOutput: Buffer<Double>
    let baselineStatus: Buffer<LaneStatus>
    let baselineLane: Buffer<Int32>
    let baselineEdge: Buffer<Int32>

    /// - Complexity: O(V + E + programs · slots).
    init(_ p: Propagator, sizes: Sizes) {
        precondition(sizes.chunk > 0 && sizes.window > 0)
        self.sizes = sizes
        let run = p.run
        let canBatch = p.programs.indices.map { Self.canBatch(p.programs[$0], isUnshocked: p.programIsUnshocked[$0]) }
        var widest = 0
        frames = p.programs.indices.map { k in
            guard canBatch[k], case .inline(let bound) = p.programs[k].kind else { return nil }
            widest = max(widest, bound.slots.count)
            return bound.formula.makeBatchFrame()
        }
        var groups: [[Group]] = []
        var byProgram = [[Int32]](repeating: [], count: p.programs.count)
        for level in 0..<10 {
            let isCyclic = run.componentIsCyclic[level]
            for (c, members) in run.components[level].enumerated() where !isCyclic[c] {
                let i = members[0]
                for e in p.incomingStart[i]..<p.incomingStart[i + 1] where p.edgeClass[e] == .down {
                    let program = Int(p.edgeProgram[e])
                    if program >= 0 && canBatch[program] { byProgram[program].append(Int32(e)) }
                }
            }
            var levelGroups: [Group] = []
            for program in byProgram.indices where !byProgram[program].isEmpty {
                levelGroups.append(Group(program: program, edges: byProgram[program]))
                byProgram[program] = []
            }
            groups.append(levelGroups)
        }
        self.groups = groups
        let columns: [Buffer<Double>] = (0..<widest).map { _ in .filled(0, count: sizes.chunk) }
        self.columns = columns
        views = p.programs.indices.map { k in
            guard canBatch[k], case .inline(let bound) = p.programs[k].kind else { return [] }
            return columns.prefix(bound.slots.count).map { UnsafeBufferPointer($0) }
        }
        output = .filled(0, count: sizes.chunk)
        status = .filled(.number, count: sizes.chunk)
        laneEdge = .filled(0, count: sizes.chunk)
        baselineOutput = .filled(0, count: sizes.chunk)
        baselineStatus = .filled(.number, count: sizes.chunk)
        baselineLane = .filled(0, count: sizes.chunk)
        baselineEdge = .filled(0, count: sizes.chunk)
    }

    deinit {
        for column in columns { column.deallocate() }
        output.deallocate()
        status.deallocate()
        laneEdge.deallocate()
        baselineOutput.deallocate()
        baselineStatus.deallocate()
        baselineLane.deallocate()
        baselineEdge.deallocate()
    }

    /// Whether the kernel evaluates a program's edges in columns: an inline formula whose every
    /// input is a number (no string, metadata or boolean input) and that reads something shocked
    /// (an unshocked program's scenario value is its baseline, which `findBaseline` gives).
    static func canBatch(_ program: EdgeProgram, isUnshocked: Bool) -> Bool {
        guard !isUnshocked, case .inline(let bound) = program.kind else { return false }
        return bound.formula.takesNumbersOnly && bound.slots.allSatisfy(\.bindsNumber)
    }
}
