import CascadeFormula

/// One thread's share of `Attribution`: the state a row is built in (the dense accumulator, its
/// touched-key bitsets, the selection of kept causes, `external`'s pending edges, a cycle's member
/// slots) and the propagator whose formula frames `share` evaluates in (the attribution's own, or
/// one of its lanes). Each thread of a split wave has its own worker; the workers share only what
/// nobody writes while they run (the attribution's keys, the finished rows of earlier waves and
/// levels, the propagated values) and the row starts and counts, of which each writes only its
/// own components' entities.
///
/// A worker appends the rows it finishes to `output`: the attribution's entries when it runs
/// alone, its own buffer in a split wave (appended to the attribution's after the wave, in range
/// order: `Attribution+Threads.swift`).
final class AttributionWorker {
    let propagator: Propagator
    var run: PreparedRun { propagator.run }
    /// Where finished rows go: the attribution's entries, or `local`.
    var output: Attribution.Entries
    /// The rows this worker finishes in a split wave, until they are appended to the attribution's.
    let local = Attribution.Entries()
    /// The finished rows sources are read from (the attribution's entries).
    private let rows: Attribution.Entries
    /// Per entity, where its row starts in `output` (or in `rows`, once appended there) and how
    /// many entries it has (the attribution's columns, shared by its workers).
    private let rowStart: Buffer<Int>
    private let rowCount: Buffer<Int32>
    /// The attribution's keys (see `Attribution`).
    private let width: Int
    private let variableKey: [Int]
    private let shockKey: [Int: Int]
    private let otherKey: Int
    private let programVariables: [[Int]]
    private let programReadsSource: [Bool]
    private let programIsPassThrough: [Bool]
    /// The accumulator a row is built in: a dense vector of every key, zero except where touched.
    private let scratch: UnsafeMutableBufferPointer<Double>
    /// The touched keys as a bitset (bit `key % 64` of word `key / 64`), and which words have a
    /// bit set (bit `w % 64` of summary word `w / 64`).
    private let touchedWords: UnsafeMutableBufferPointer<UInt64>
    private let touchedSummary: UnsafeMutableBufferPointer<UInt64>
    /// The touched keys, ascending, as `collect()` last read them: `touched[0 ..< touchedCount]`.
    private let touched: UnsafeMutableBufferPointer<Int32>
    private var touchedCount = 0
    /// A row's causes' magnitudes (as bit patterns), where the kept ones are selected.
    private let magnitudes: UnsafeMutableBufferPointer<UInt64>
    /// A cut row's kept causes, in key order (room for one more, written and not counted).
    private let keptKey: UnsafeMutableBufferPointer<Int32>
    private let keptValue: UnsafeMutableBufferPointer<Double>
    /// While a cycle is attributed: its members' positions; -1 elsewhere.
    private let memberSlot: UnsafeMutableBufferPointer<Int32>
    /// `external`'s counted edges of one entity (room for the largest in-degree): the edge, and
    /// either the source row's entries `pendingStart ..< pendingEnd` to merge times
    /// `pendingFactor`, or `pendingToOther` (`pendingFactor` to `other`), or `pendingShare`.
    private let pendingEdge: UnsafeMutableBufferPointer<Int>
    private let pendingStart: UnsafeMutableBufferPointer<Int>
    private let pendingEnd: UnsafeMutableBufferPointer<Int>
    private let pendingFactor: UnsafeMutableBufferPointer<Double>
    private static let pendingToOther = -1, pendingShare = -2
    /// Where `external`'s early reads of the rows' first entries go, so that they are made.
    private var touchedSink: UInt64 = 0

    typealias Vector = UnsafeMutableBufferPointer<Double>

    /// The bytes a worker's scratch takes for `keys` causes, `entities` entities and a largest
    /// in-degree of `inDegree` (what `Attribution.requireBudget` counts per thread).
    static func scratchBytes(keys: Int, entities: Int, inDegree: Int) -> Int {
        let words = (keys + 63) / 64
        return keys * (MemoryLayout<Double>.size + MemoryLayout<Int32>.size + MemoryLayout<UInt64>.size)
            + (words + (words + 63) / 64) * MemoryLayout<UInt64>.size
            + (Attribution.causeLimit + 1) * (MemoryLayout<Int32>.size + MemoryLayout<Double>.size)
            + entities * MemoryLayout<Int32>.size
            + inDegree * (3 * MemoryLayout<Int>.size + MemoryLayout<Double>.size)
    }

    /// The largest number of incoming edges of an entity of `run`.
    static func largestInDegree(_ run: PreparedRun) -> Int {
        var inDegree = 0
        for i in run.ids.indices { inDegree = max(inDegree, run.incomingStart[i + 1] - run.incomingStart[i]) }
        return inDegree
    }

    init(_ attribution: Attribution, propagator: Propagator, inDegree: Int) {
        self.propagator = propagator
        rows = attribution.entries
        output = attribution.entries
        rowStart = attribution.rowStarts
        rowCount = attribution.rowCounts
        width = attribution.keys.count
        variableKey = attribution.variableKey
        shockKey = attribution.shockKey
        otherKey = attribution.otherKey
        programVariables = attribution.programVariables
        programReadsSource = attribution.programReadsSource
        programIsPassThrough = attribution.programIsPassThrough
        scratch = .filled(0, count: width)
        let wordCount = (width + 63) / 64
        touchedWords = .filled(0, count: wordCount)
        touchedSummary = .filled(0, count: (wordCount + 63) / 64)
        touched = .filled(0, count: width)
        magnitudes = .filled(0, count: width)
        keptKey = .filled(0, count: Attribution.causeLimit + 1)
        keptValue = .filled(0, count: Attribution.causeLimit + 1)
        memberSlot = .filled(-1, count: propagator.run.ids.count)
        pendingEdge = .filled(0, count: inDegree)
        pendingStart = .filled(0, count: inDegree)
        pendingEnd = .filled(0, count: inDegree)
        pendingFactor = .filled(0, count: inDegree)
    }

    deinit {
        scratch.deallocate()
        touchedWords.deallocate()
        touchedSummary.deallocate()
        touched.deallocate()
        magnitudes.deallocate()
        keptKey.deallocate()
        keptValue.deallocate()
        memberSlot.deallocate()
        pendingEdge.deallocate()
        pendingStart.deallocate()
        pendingEnd.deallocate()
        pendingFactor.deallocate()
    }

    /// Attributes one component (an entity, or a same-level cycle whole), or copies its rows from
    /// the previous result of an incremental re-run; appends its members' rows to `output`.
    @inline(__always)
    func attribute(_ members: [Int], isCyclic: Bool, level: Int, reused: (table: ResultTable, isReused: [Bool])?) {
        if let reused, reused.isReused[members[0]] {
            // In the order a computed component finishes its members' rows.
            for i in members { copyRow(i, from: reused.table) }
            return
        }
        if isCyclic {
            attributeCycle(members, level: level)
        } else {
            let i = members[0]
            // An entity that did not move keeps an empty row, whatever reaches it.
            if propagator.impact[i] != 0 { external(i, inCycle: false) }
            finish(i)
        }
    }

    /// Adds `amount` to key `key` of the accumulator.
    @inline(__always)
    private func add(_ key: Int, _ amount: Double) {
        mark(key)
        scratch[key] += amount
    }

    /// Marks a key touched.
    @inline(__always)
    private func mark(_ key: Int) {
        let word = key &>> 6
        touchedWords[word] |= 1 &<< UInt64(key & 63)
        touchedSummary[word &>> 6] |= 1 &<< UInt64(word & 63)
    }

    /// Reads the touched keys, ascending, into `touched`.
    private func collect() {
        var count = 0
        for s in touchedSummary.indices {
            var summary = touchedSummary[s]
            while summary != 0 {
                let word = s &* 64 &+ summary.trailingZeroBitCount
                summary &= summary &- 1
                var bits = touchedWords[word]
                while bits != 0 {
                    touched[count] = Int32(truncatingIfNeeded: word &* 64 &+ bits.trailingZeroBitCount)
                    count += 1
                    bits &= bits &- 1
                }
            }
        }
        touchedCount = count
    }

    /// The touched keys, ascending.
    private var touchedKeys: UnsafeMutableBufferPointer<Int32> { UnsafeMutableBufferPointer(rebasing: touched[0..<touchedCount]) }

    /// Empties the accumulator (`touched` holds every touched key).
    private func clear() {
        for key in touchedKeys {
            scratch[Int(key)] = 0
            touchedWords[Int(key) &>> 6] = 0
            touchedSummary[Int(key) &>> 12] = 0
        }
        touchedCount = 0
    }

    /// Stores the accumulator as entity `i`'s row, scaled to sum to the entity's impact (this
    /// also applies the clamp's scaling), and empties it. Sums run in ascending key order, as a
    /// dense row's did (the untouched keys are zeros, which change no sum).
    private func finish(_ i: Int) {
        collect()
        let impact = propagator.impact[i]
        var total = 0.0
        for key in touchedKeys { total += scratch[Int(key)] }
        rowStart[i] = output.key.count
        if impact == 0 {
            // nothing moved: an empty row
        } else if total == 0 {
            append(otherKey, impact)
        } else {
            let scale = impact / total
            var finite = true
            for key in touchedKeys {
                scratch[Int(key)] *= scale
                finite = finite && scratch[Int(key)].isFinite
            }
            if !finite {  // a degenerate split: keep the sum, lose the detail
                append(otherKey, impact)
            } else {
                appendLimited()
            }
        }
        rowCount[i] = Int32(output.key.count - rowStart[i])
        clear()
    }

    /// Appends entity `i`'s row as the previous result stored it (its keys are this run's: the
    /// same moving variables and shocks).
    private func copyRow(_ i: Int, from table: ResultTable) {
        rowStart[i] = output.key.count
        for k in table.attributionRow(i) { append(Int(table.attributionEntryKey[k]), table.attributionEntryValue[k]) }
        rowCount[i] = Int32(output.key.count - rowStart[i])
    }

    private func append(_ key: Int, _ value: Double) {
        output.key.append(Int32(key))
        output.value.append(value)
    }

    /// Appends the accumulator's nonzero entries; past `causeLimit` causes, the largest by
    /// magnitude (earlier keys first among equals) and `other` with the rest added to it.
    private func appendLimited() {
        let keys = touchedKeys, otherKey = Int32(self.otherKey)
        // The causes' magnitudes as bit patterns: for non-negative finite doubles (every value
        // here is finite) they order as the numbers do.
        var causes = 0
        for key in keys where key != otherKey {
            let value = scratch[Int(key)]
            if value != 0 {
                magnitudes[causes] = abs(value).bitPattern
                causes &+= 1
            }
        }
        if causes <= Attribution.causeLimit {
            for key in keys where scratch[Int(key)] != 0 { append(Int(key), scratch[Int(key)]) }
            return
        }
        // The kept causes: every one stronger than the `causeLimit`-th largest magnitude, and as
        // many of those equal to it as fill the limit, earliest keys first (the rank of causes:
        // larger magnitude first, the smaller key first among equals).
        let threshold = Self.largest(Attribution.causeLimit, of: magnitudes, count: causes)
        var ties = Attribution.causeLimit
        for k in 0..<causes where magnitudes[k] > threshold { ties &-= 1 }
        // In key order, as a sort by key would give them: the cut ones summed, the kept ones
        // appended (`other` is the largest key, so it comes last with the rest added to it).
        // Without a branch on which way a cause goes (perf: it mispredicted about as often as a
        // row has kept causes): each is written to `kept` and counted only if it stays, and
        // added to `rest` as itself or as +0, which changes no sum (`rest` is never -0: it
        // starts at +0 and x + -x is +0). A zero value's magnitude, 0, is below the threshold.
        var rest = 0.0, count = 0
        for key in keys where key != otherKey {
            let value = scratch[Int(key)]
            let magnitude = abs(value).bitPattern
            let isTie = magnitude == threshold && ties > 0
            let kept = UInt64(truncatingIfNeeded: unsafeBitCast(magnitude > threshold || isTie, to: UInt8.self))
            ties &-= Int(truncatingIfNeeded: unsafeBitCast(isTie, to: UInt8.self))
            keptKey[count] = key
            keptValue[count] = value
            count &+= Int(truncatingIfNeeded: kept)
            rest += Double(bitPattern: value.bitPattern & (kept &- 1))  // value, or +0 when kept
        }
        output.key.append(contentsOf: keptKey[0..<count])
        output.value.append(contentsOf: keptValue[0..<count])
        // `other` is the largest key: touched now, it goes last.
        if touchedWords[Int(otherKey) &>> 6] & (1 &<< UInt64(otherKey & 63)) == 0 {
            mark(Int(otherKey))
            touched[touchedCount] = otherKey
            touchedCount += 1
        }
        scratch[Int(otherKey)] += rest
        if scratch[Int(otherKey)] != 0 { append(Int(otherKey), scratch[Int(otherKey)]) }
    }

    /// The `rank`-th largest of `values[0 ..< count]` (1 ≤ `rank` ≤ `count`, every value below
    /// 2^63, as the bit patterns of non-negative doubles are), by quickselect;
    /// reorders them. Each round partitions without a branch on the values (`partition`): the
    /// three-way partition it replaced mispredicted on about every other value, and at 1 M
    /// entities with 30 000 shocks that was a quarter of the attribute phase (perf, issue 16).
    /// - Complexity: O(`count`) expected.
    static func largest(_ rank: Int, of values: UnsafeMutableBufferPointer<UInt64>, count: Int) -> UInt64 {
        precondition(rank >= 1 && rank <= count && count <= values.count, "rank \(rank) of \(count) values")
        let target = rank - 1  // its position in descending order
        var low = 0, high = count  // the target is in [low, high)
        while high - low > 1 {
            let a = values[low], b = values[low + (high - low) / 2], c = values[high - 1]
            let pivot = max(min(a, b), min(max(a, b), c))  // the median of the three
            // Descending: [low, greater) above the pivot, then [greater, equal) equal to it, then
            // the rest below it. The pivot is in [greater, equal), so either side left to search
            // is smaller than [low, high).
            // (Below 2^63, `pivot - value` wraps to its top bit exactly when value > pivot, and
            // `(value ^ pivot) - 1` does exactly when they are equal.)
            let greater = partition(values, low, high) { value in (pivot &- value) &>> 63 }
            if target < greater {
                high = greater
                continue
            }
            let equal = partition(values, greater, high) { value in ((value ^ pivot) &- 1) &>> 63 }
            if target < equal { return pivot }
            low = equal
        }
        return values[target]
    }

    /// Moves the values of `values[low ..< high]` for which `isFirst` is 1 (not 0) to its front,
    /// keeping the rest after them, and returns where the rest begins (Lomuto's scheme,
    /// branch-free: every value is swapped, and the boundary moves by the 0 or 1; as a `Bool`
    /// the compiler made it a branch again).
    @inline(__always)
    private static func partition(_ values: UnsafeMutableBufferPointer<UInt64>, _ low: Int, _ high: Int,
                                  _ isFirst: (UInt64) -> UInt64) -> Int {
        var boundary = low
        for index in low..<high {
            let value = values[index]
            values[index] = values[boundary]
            values[boundary] = value
            boundary &+= Int(truncatingIfNeeded: isFirst(value))
        }
        return boundary
    }

    /// Adds the shock plus the attribution of every counted contribution (when `inCycle`, only
    /// those whose source is outside the cycle being attributed) to the accumulator, in
    /// relationship order.
    ///
    /// In two passes: the first reads, for every counted edge, what its source's row is
    /// merged with (the source's impact, where its row starts, the row's first entry); the
    /// second merges them in order. At 1 M entities the sources' rows are scattered over
    /// ~400 MB and each edge's reads missed the cache in turn, waiting on one another; read
    /// together first, their misses overlap (perf, issue 16).
    private func external(_ i: Int, inCycle: Bool) {
        if propagator.shock[i] != 0, let key = shockKey[i] { add(key, propagator.shock[i]) }
        let shown = propagator.shown, edgeSource = propagator.edgeSource, edgeProgram = propagator.edgeProgram
        let isMacro = propagator.isMacro, impact = propagator.impact
        var count = 0
        rows.key.withUnsafeBufferPointer { entryKey in
            rows.value.withUnsafeBufferPointer { entryValue in
                var touched: UInt64 = 0
                for e in run.incomingStart[i]..<run.incomingStart[i + 1] where shown[e] != 0 {
                    let s = Int(edgeSource[e])
                    if inCycle && memberSlot[s] >= 0 { continue }
                    let program = Int(edgeProgram[e])
                    pendingEdge[count] = e
                    if program < 0 || !isMacro[s] && programIsPassThrough[program] {
                        // What `proportional` reads.
                        let sourceImpact = isMacro[s] ? 0 : impact[s]
                        if sourceImpact == 0 {
                            pendingStart[count] = Self.pendingToOther
                            pendingFactor[count] = shown[e]
                        } else {
                            let start = rowStart[s], entries = Int(rowCount[s])
                            pendingStart[count] = start
                            pendingEnd[count] = start &+ entries
                            pendingFactor[count] = shown[e] / sourceImpact
                            if entries > 0 { touched ^= UInt64(bitPattern: Int64(entryKey[start])) ^ entryValue[start].bitPattern }
                        }
                    } else {
                        pendingStart[count] = Self.pendingShare
                    }
                    count &+= 1
                }
                touchedSink ^= touched
            }
        }
        for k in 0..<count {
            switch pendingStart[k] {
            case Self.pendingShare: share(pendingEdge[k])
            case Self.pendingToOther: add(otherKey, pendingFactor[k])
            default: merge(pendingStart[k]..<pendingEnd[k], factor: pendingFactor[k])
            }
        }
    }

    /// Adds edge `e`'s counted contribution to the accumulator, split by cause.
    private func share(_ e: Int) {
        let c = propagator.shown[e]
        let s = Int(propagator.edgeSource[e])
        let programIndex = Int(propagator.edgeProgram[e])
        guard programIndex >= 0 else {
            proportional(c, from: s)
            return
        }
        let direct = programVariables[programIndex]
        let isMacro = propagator.isMacro[s]
        if isMacro && direct.allSatisfy({ $0 == propagator.macroVariable[s] }) {
            let key = variableKey[propagator.macroVariable[s]]
            add(key >= 0 ? key : otherKey, c)
            return
        }
        if !isMacro && direct.isEmpty {
            proportional(c, from: s)
            return
        }
        // One at a time: each directly read variable, and the source, shocked alone (in this
        // worker's propagator: its formula frames are this thread's).
        let program = propagator.programs[programIndex]
        let sourceImpact = propagator.edgeClass[e] == .feedback ? propagator.previousPass[s] : propagator.impact[s]
        let base = propagator.baselineValue[e].isNaN ? 0 : propagator.baselineValue[e]
        var groups: [(key: Int?, source: Bool, effect: Double)] = []
        for k in direct where !(isMacro && k == propagator.macroVariable[s]) {
            let value = (try? propagator.evaluate(program, edge: e, mode: ContextMode(shockedVariable: k, shocksSource: false),
                                                   sourceImpact: sourceImpact)) ?? nil
            groups.append((variableKey[k] >= 0 ? variableKey[k] : nil, false, (value ?? 0) - base))
        }
        if programReadsSource[programIndex] || isMacro {
            let mode = ContextMode(shockedVariable: isMacro ? propagator.macroVariable[s] : -1, shocksSource: true)
            let value = (try? propagator.evaluate(program, edge: e, mode: mode, sourceImpact: sourceImpact)) ?? nil
            let key = isMacro ? variableKey[propagator.macroVariable[s]] : -1
            groups.append((isMacro && key >= 0 ? key : nil, !isMacro, (value ?? 0) - base))
        }
        let total = groups.reduce(0) { $0 + $1.effect }
        let magnitude = groups.reduce(0) { $0 + abs($1.effect) }
        guard magnitude != 0 else {
            add(otherKey, c)
            return
        }
        for group in groups {
            let part = total != 0 ? c * group.effect / total : c * abs(group.effect) / magnitude
            if group.source { proportional(part, from: s) } else { add(group.key ?? otherKey, part) }
        }
    }

    /// Shares `amount` in proportion to the source's own attribution (its row sums to its
    /// impact; a MACRO source's impact counts as 0).
    @inline(__always)
    private func proportional(_ amount: Double, from s: Int) {
        let sourceImpact = propagator.isMacro[s] ? 0 : propagator.impact[s]
        guard sourceImpact != 0 else {
            add(otherKey, amount)
            return
        }
        merge(rowStart[s]..<rowStart[s] + Int(rowCount[s]), factor: amount / sourceImpact)
    }

    /// Adds `entries` of the finished rows, each times `factor`, to the accumulator.
    @inline(__always)
    private func merge(_ entries: Range<Int>, factor: Double) {
        rows.key.withUnsafeBufferPointer { entryKey in
            rows.value.withUnsafeBufferPointer { entryValue in
                for entry in entries {
                    let key = Int(entryKey[entry])
                    mark(key)
                    scratch[key] += entryValue[entry] * factor
                }
            }
        }
    }

    /// Proportional sharing inside a cycle, iterated (normalised each round) toward its fixed
    /// point, then normalised to the impact. Members' vectors live in one flat dense array.
    private func attributeCycle(_ members: [Int], level: Int) {
        let m = members.count
        let width = self.width
        for (k, i) in members.enumerated() { memberSlot[i] = Int32(k) }
        defer { for i in members { memberSlot[i] = -1 } }
        let outside = Vector.filled(0, count: m * width)
        var current = Vector.filled(0, count: m * width)
        var next = Vector.filled(0, count: m * width)
        defer {
            outside.deallocate()
            current.deallocate()
            next.deallocate()
        }
        for k in 0..<m {
            external(members[k], inCycle: true)
            collect()
            for key in touchedKeys { outside[k * width + Int(key)] = scratch[Int(key)] }
            clear()
        }
        _ = current.update(fromContentsOf: outside)
        let shown = propagator.shown, impact = propagator.impact, unclamped = propagator.unclamped
        let edgeSource = propagator.edgeSource, incomingStart = run.incomingStart
        // The counted edges between members, in member then relationship order, with what they
        // add each round: `current[source] · factor`, or a constant to `other` (source slot -1).
        var edgeMember: [Int32] = [], edgeSourceSlot: [Int32] = [], edgeFactor: [Double] = []
        for (k, i) in members.enumerated() {
            for e in incomingStart[i]..<incomingStart[i + 1] {
                let s = Int(edgeSource[e])
                let source = memberSlot[s]
                let c = shown[e]
                guard source >= 0, c != 0 else { continue }
                edgeMember.append(Int32(k))
                if impact[s] != 0 {
                    edgeSourceSlot.append(source)
                    edgeFactor.append(c / impact[s])
                } else {
                    edgeSourceSlot.append(-1)
                    edgeFactor.append(c)
                }
            }
        }
        let limit = min(run.scenario.settings(for: level).maxCycleRounds, 500)
        for _ in 0..<limit {
            _ = next.update(fromContentsOf: outside)
            var change = 0.0
            var p = 0
            for (k, i) in members.enumerated() {
                let row = k * width
                while p < edgeMember.count && Int(edgeMember[p]) == k {
                    let source = Int(edgeSourceSlot[p]), factor = edgeFactor[p]
                    if source < 0 {
                        next[row + otherKey] += factor
                    } else {
                        for key in 0..<width { next[row + key] += current[source * width + key] * factor }
                    }
                    p += 1
                }
                // Keep each round's vector summing to the member's unclamped impact, so the
                // iteration stays bounded even where the cycle's gain is at or above 1 (clamped).
                var total = 0.0
                for key in 0..<width { total += next[row + key] }
                let scale = total != 0 && unclamped[i] != 0 ? unclamped[i] / total : 1
                if scale != 1 && scale.isFinite {
                    for key in 0..<width {
                        next[row + key] *= scale
                        change = max(change, abs(next[row + key] - current[row + key]))
                    }
                } else {
                    for key in 0..<width { change = max(change, abs(next[row + key] - current[row + key])) }
                }
            }
            swap(&current, &next)
            if change <= 1e-15 { break }
        }
        for (k, i) in members.enumerated() {
            for key in 0..<width where current[k * width + key] != 0 { add(key, current[k * width + key]) }
            finish(i)
        }
    }
}
