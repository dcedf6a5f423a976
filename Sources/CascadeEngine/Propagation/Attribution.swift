import CascadeFormula

/// Attributes every entity's impact to the macro variables and exogenous shocks that caused it.
///
/// A contribution from a MACRO source goes to its variable; one through a formula that reads
/// variables directly is split by one-at-a-time effects (each variable, and the source, shocked
/// alone against the baseline); a pass-through contribution is shared in proportion to the
/// source's own attribution. Inside a cycle, proportional sharing is iterated to its fixed point.
/// Each entity's attribution is finally scaled to sum to its (clamped) impact.
///
/// Rows are sparse: an entity keeps only the causes that reach it, at most `causeLimit` of them
/// (the largest by magnitude; the rest are added to `other`), so a scenario with tens of
/// thousands of direct shocks needs memory in proportion to the graph, not graph × causes. A row
/// is built in one dense accumulator (the sparse-accumulator technique) and stored with its keys
/// ascending, which keeps every sum in the order the dense table summed it: where no row is cut,
/// the numbers are bit-identical to a dense table's.
///
/// Cost (issue 16): at 100 k entities with 3 000 direct shocks, main spent 19× the propagate
/// phase here, most of it sorting — each entity's touched keys, then all its causes by
/// magnitude, then the cut ones and the kept ones by key. Now a touched key sets its bit in a
/// two-level bitset (no branch per entry), the touched keys are read from it in ascending order
/// once per row (one summary word per 4 096 keys, then one word per 64), the kept causes are
/// those at or above the `causeLimit`-th largest magnitude (quickselect over the row's
/// magnitudes as integers: at 1 M entities with 30 000 shocks the `causeLimit`-entry heap it
/// replaced took as long as merging the sources' rows), and the cut ones are summed in one pass
/// in key order, so a row costs time in proportion to its entries. The entry columns are reserved
/// once at their bound (`causeLimit` + 1 per entity, what `requireBudget` counts) instead of
/// growing by doubling, which held up to three copies at once; the pages never written are
/// never resident. At 1 M / 5 M with 30 000 shocks (perf) what remained was waiting on memory
/// — each edge's source row, scattered over ~400 MB — and mispredicted branches in choosing the
/// kept causes: an entity's edges are now read before any is merged (`external`), the choice is
/// branch-free, and an entity that did not move merges nothing. `AttributionReferenceTests`
/// checks every row, bit for bit, against rows recorded from main's code before issue 16.
///
/// The rows are built by workers (`AttributionWorker`: the accumulator and everything else a row
/// is built in). One thread uses one; with `CASCADE_THREADS` above 1 a level is split the way
/// the propagator splits it, wave by wave, one worker per thread (`Attribution+Threads.swift`),
/// and the rows come out bit for bit and in the same layout as one thread's.
final class Attribution {
    /// Rows' entries, appended row by row: a key (index into `keys`) and a share.
    final class Entries {
        var key: [Int32] = []
        var value: [Double] = []
    }

    let propagator: Propagator
    var run: PreparedRun { propagator.run }
    /// `macro:<variable>` and `shock:<entity id>` keys, then `other` (interactions, unattributable).
    private(set) var keys: [String] = []
    /// Variable → its key, or -1 when the variable does not move.
    private(set) var variableKey: [Int] = []
    /// Shocked entity → its key (looked up only for entities whose shock is nonzero).
    private(set) var shockKey: [Int: Int] = [:]
    private(set) var otherKey = 0
    /// The most causes an entity's row keeps besides `other`.
    static let causeLimit = 32
    /// Per entity, its row: entries `rowStarts[i] ..< rowStarts[i] + rowCounts[i]` of `entries`,
    /// keys ascending, values nonzero; empty until the entity is attributed. (Buffers: the
    /// workers of a split wave each write their own entities' slots.)
    let rowStarts: Buffer<Int>
    let rowCounts: Buffer<Int32>
    let entries = Entries()
    /// Per program: the moving variables it reads (ascending), and whether it reads the source.
    let programVariables: [[Int]]
    let programReadsSource: [Bool]
    /// Per program: whether it reads no moving variable (a contribution through it from a
    /// non-MACRO source is shared in proportion to the source's row).
    let programIsPassThrough: [Bool]
    /// The largest in-degree (room for `AttributionWorker.external`'s pending edges).
    let inDegree: Int
    /// The workers: the first on `propagator`, then one on each of its lanes (made when a level
    /// is first split across threads).
    var workers: [AttributionWorker] = []

    var rowStart: [Int] { Array(rowStarts) }
    var rowCount: [Int32] { Array(rowCounts) }
    var entryKey: [Int32] { entries.key }
    var entryValue: [Double] { entries.value }

    /// Fails the run, before anything is allocated, when attribution would take more than
    /// `budget` bytes: each entity's row (at most `causeLimit` + 1 entries); per thread that
    /// attributes, its worker's scratch (`AttributionWorker.scratchBytes`: per cause, per entity
    /// and per incoming edge of the largest in-degree) and three member × causes tables for the
    /// largest same-level cycle, which is attributed densely; and on threads, the rows held
    /// apart before they are appended (`Attribution.threadedRows`). Causes are the moving
    /// variables, the shocked entities and `other`.
    static func requireBudget(_ propagator: Propagator, budget: Int) throws(EngineError) {
        let run = propagator.run
        var causes = 1  // other
        for k in run.variableNames.indices where run.variableValues[k] != run.variableBaselines[k] { causes += 1 }
        for i in run.ids.indices where propagator.shock[i] != 0 { causes += 1 }
        var largestCycle = 0
        for level in 0..<10 {
            for (c, members) in run.components[level].enumerated() where run.componentIsCyclic[level][c] {
                largestCycle = max(largestCycle, members.count)
            }
        }
        let (threads, heldRows) = threadedRows(propagator)
        let entryBytes = MemoryLayout<Int32>.size + MemoryLayout<Double>.size
        let rowEntryBytes = min(causes, causeLimit + 1) * entryBytes
        let rowBytes = MemoryLayout<Int>.size + MemoryLayout<Int32>.size + rowEntryBytes
        var bytes = 0, overflow = false
        func count(_ a: Int, times b: Int) {
            let product = a.multipliedReportingOverflow(by: b)
            let sum = bytes.addingReportingOverflow(product.partialValue)
            overflow = overflow || product.overflow || sum.overflow
            bytes = sum.partialValue
        }
        count(run.ids.count, times: rowBytes)
        count(heldRows, times: rowEntryBytes)
        let scratch = AttributionWorker.scratchBytes(keys: causes, entities: run.ids.count, inDegree: AttributionWorker.largestInDegree(run))
        count(threads, times: scratch)
        count(threads * largestCycle, times: causes * 3 * MemoryLayout<Double>.size)
        guard overflow || bytes > budget else { return }
        let needed = overflow ? "more than \(Int.max) bytes" : gigabytes(bytes)
        let cycleNote = largestCycle > 0 ? " (its largest cycle, \(largestCycle) entities, is attributed to every cause)" : ""
        let threadNote = threads > 1 ? " on \(threads) threads" : ""
        throw EngineError(problems: [.init(
            location: "$.entity_shocks",
            message: "attributing \(run.ids.count) entities to \(causes) causes (\(causes - 1) moving variables and shocked entities, "
                + "and `other`)\(cycleNote)\(threadNote) would need \(needed); the budget is \(gigabytes(budget))")],
            kind: .overBudget)
    }

    static func gigabytes(_ bytes: Int) -> String {
        let tenths = Int((Double(bytes) / Double(1 << 30) * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) GiB"
    }

    init(_ propagator: Propagator) {
        self.propagator = propagator
        let run = propagator.run
        variableKey = Array(repeating: -1, count: run.variableNames.count)
        for k in run.variableNames.indices where run.variableValues[k] != run.variableBaselines[k] {
            variableKey[k] = keys.count
            keys.append("macro:\(run.variableNames[k])")
        }
        for i in run.idOrder.lazy.map({ Int($0) }) where propagator.shock[i] != 0 {
            shockKey[i] = keys.count
            keys.append("shock:\(run.ids[i])")
        }
        otherKey = keys.count
        keys.append("other")
        rowStarts = .filled(0, count: run.ids.count)
        rowCounts = .filled(0, count: run.ids.count)
        let bound = run.ids.count * min(keys.count, Self.causeLimit + 1)
        entries.key.reserveCapacity(bound)
        entries.value.reserveCapacity(bound)
        let variableKey = self.variableKey
        programVariables = run.programs.map { $0.variablesRead.filter { variableKey[$0] >= 0 } }
        programReadsSource = run.programs.map(\.readsSource)
        programIsPassThrough = programVariables.map(\.isEmpty)
        inDegree = AttributionWorker.largestInDegree(run)
        workers = [AttributionWorker(self, propagator: propagator, inDegree: inDegree)]
    }

    deinit {
        rowStarts.deallocate()
        rowCounts.deallocate()
    }

    var width: Int { keys.count }

    /// The entries of entity `i`'s row.
    func row(_ i: Int) -> Range<Int> { rowStarts[i]..<rowStarts[i] + Int(rowCounts[i]) }

    /// An incremental re-run: the previous result's columns, and per entity whether its row is
    /// copied from them (the propagator's `reused`) rather than computed.
    var reused: (table: ResultTable, isReused: [Bool])?

    func compute() {
        let splits = Self.splitsLevels(propagator)
        for level in 0..<10 where propagator.levelEnabled[level] {
            if splits && attributeInParallel(level) { continue }
            let components = run.components[level]
            let isCyclic = run.componentIsCyclic[level]
            let worker = workers[0]
            for c in components.indices {
                worker.attribute(components[c], isCyclic: isCyclic[c], level: level, reused: reused)
            }
        }
    }
}
