/// What one lane of a batched evaluation gave (see `CompiledFormula.evaluate(columns:count:into:status:using:)`).
package enum LaneStatus: UInt8, Sendable {
    /// A number, in the lane's output.
    case number
    /// A boolean, as 1 or 0 in the lane's output.
    case boolean
    /// The formula fell off the end (`undefined`); the output is NaN.
    case noValue
    /// The evaluation failed; the output is NaN (the first failing lane's error is returned).
    case error
    /// A value that is neither a number nor a boolean (a string, `null`); the output is NaN —
    /// evaluate that lane with `evaluate(_:)` to have it.
    case notNumeric
}

/// The first lane of a batch that failed, and its error (exactly the scalar path's).
package struct LaneFailure: Error, Sendable {
    package var lane: Int
    package var error: FormulaError
}

/// The registers of batched evaluations, per thread like `Frame`: one row of `blockSize` lanes per
/// register, and the scalar frame the lanes fall back to. Make one with
/// `CompiledFormula.makeBatchFrame()` and reuse it for every batch of that formula.
///
/// A program runs block-wise — each instruction over a block of lanes — when it is straight-line
/// numeric code (no jumps, no value registers; see `Program.isBlockable`): that is most edge
/// formulas (`impact * 0.8`, `Math.max(-1, Math.min(1, impact * 1.5))`, fused sums, `?:` over
/// leaves). Any other program runs the scalar loop lane by lane.
package final class BatchFrame {
    /// Lanes per block: small enough that a block's rows stay in L1 for short programs.
    static let blockSize = 128

    let frame: Frame
    let isBlockable: Bool
    let registerCount: Int
    /// registerCount rows of `blockSize` doubles (constants preloaded), plus the check row (NaN in
    /// a lane once a checked operation there was not finite) and a scratch row for sums.
    let scratch: UnsafeMutablePointer<Double>
    /// Per register, where its row is for the current block: an input's column (at the block's
    /// first lane) or its scratch row.
    let rows: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
    let checks: UnsafeMutablePointer<Double>
    let sums: UnsafeMutablePointer<Double>
    /// Per input slot: its column in the current batch, and its kind.
    let columns: UnsafeMutablePointer<UnsafePointer<Double>>
    let slotKinds: UnsafeMutablePointer<SlotKind>
    enum SlotKind { case number, boolean, value }
    /// No lane of the current block has failed a check (`checks` then holds nothing of it).
    var isClean = true

    init(program: Program, frame: Frame) {
        self.frame = frame
        registerCount = frame.registerCount
        isBlockable = program.isBlockable(inputRegisters: 2 * frame.slotCount)
        let b = BatchFrame.blockSize
        let rowCount = isBlockable ? registerCount + 2 : 0
        scratch = .allocate(capacity: max(rowCount * b, 1))
        scratch.initialize(repeating: 0, count: max(rowCount * b, 1))
        rows = .allocate(capacity: max(registerCount, 1))
        for k in 0..<registerCount { (rows + k).initialize(to: scratch + (isBlockable ? k * b : 0)) }
        checks = scratch + (isBlockable ? registerCount * b : 0)
        sums = scratch + (isBlockable ? (registerCount + 1) * b : 0)
        let slots = max(frame.slotCount, 1)
        columns = .allocate(capacity: slots)
        slotKinds = .allocate(capacity: slots)
        slotKinds.initialize(repeating: .value, count: slots)
        for (slot, place) in frame.storage.enumerated() {
            switch place {
            case .number: slotKinds[slot] = .number
            case .boolean: slotKinds[slot] = .boolean
            case .value: slotKinds[slot] = .value
            }
        }
        if isBlockable {
            for (k, x) in program.constants { (scratch + k * b).update(repeating: x, count: b) }
        }
    }

    /// The check row of the current block, zeroed when the block was clean until now.
    @inline(__always)
    func checkRow(_ width: Int) -> UnsafeMutablePointer<Double> {
        if isClean {
            checks.update(repeating: 0, count: width)
            isClean = false
        }
        return checks
    }

    /// Marks the lanes of `row` that are not finite as failed (the slow pass after an operation
    /// whose block-wide check found one).
    @inline(never)
    func mark(_ row: UnsafeMutablePointer<Double>, _ width: Int) {
        let checks = checkRow(width)
        for l in 0..<width { checks[l] += row[l] - row[l] }
    }

    deinit {
        columns.deallocate()
        slotKinds.deallocate()
        scratch.deallocate()
        rows.deinitialize(count: max(registerCount, 1)).deallocate()
    }
}
