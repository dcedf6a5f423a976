/// Batched evaluation: one formula over many binding sets given as columns.
extension CompiledFormula {
    /// Fresh registers for batched evaluations of this formula (one per thread, reused per batch).
    package func makeBatchFrame() -> BatchFrame {
        BatchFrame(program: program, frame: makeFrame())
    }

    /// Evaluates the formula over `count` binding sets given as columns: `columns[slot][lane]` is
    /// input `slot`'s value in lane `lane` (a number; for a boolean input, nonzero is `true`).
    /// Writes each lane's result to `output[lane]` (a number, a boolean as 1 or 0, else NaN) and
    /// what it was to `status[lane]` (`LaneStatus`); returns the first failing lane and its error, or nil.
    ///
    /// Every lane gets exactly what `setNumber`/`setBoolean` and `evaluate(_:)` give for its
    /// binding set — the same doubles, the same error. A straight-line numeric program runs each
    /// instruction over a block of lanes (`BatchFrame`); any other runs the scalar loop lane by lane.
    /// Like `setNumber`, a number is not checked for being finite.
    ///
    /// Throws a `binding` error when an input is neither a number nor a boolean (strings and
    /// other values have no column form; bind them with `setValue` and evaluate one by one).
    ///
    /// - Complexity: O(count × instructions).
    package func evaluate(columns: [UnsafeBufferPointer<Double>], count: Int,
                          into output: UnsafeMutableBufferPointer<Double>,
                          status: UnsafeMutableBufferPointer<LaneStatus>,
                          using batch: BatchFrame) throws(FormulaError) -> LaneFailure? {
        precondition(columns.count == storage.count, "one column per input slot")
        precondition(count >= 0 && output.count >= count && status.count >= count)
        for (slot, column) in columns.enumerated() {
            precondition(column.count >= count, "column \(slot) is shorter than the batch")
            if case .value = storage[slot] {
                throw FormulaError(Diagnostic(.type, "binding",
                                              "input slot \(slot) (`\(inputs[slot].path)`) is \(StaticType(inputs[slot].type).withArticle); a batched evaluation takes numbers and booleans only",
                                              at: SourceRange(0, 0), hint: "bind it with `setValue` and evaluate lane by lane"))
            }
        }
        guard count > 0 else { return nil }
        for (slot, column) in columns.enumerated() { batch.columns[slot] = column.baseAddress! }
        var failure: LaneFailure?
        if batch.isBlockable {
            let size = BatchFrame.blockSize
            var start = 0
            while start < count {
                let width = Swift.min(size, count - start)
                pointRows(batch, at: columns, start, width)
                let result = program.runBlock(batch, width: width)
                if batch.isClean {  // the common case: every lane passed every check
                    if let result {
                        (output.baseAddress! + start).update(from: result, count: width)
                        (status.baseAddress! + start).update(repeating: .number, count: width)
                    } else {
                        (output.baseAddress! + start).update(repeating: .nan, count: width)
                        (status.baseAddress! + start).update(repeating: .noValue, count: width)
                    }
                    start += width
                    continue
                }
                for l in 0..<width {
                    let lane = start + l
                    if batch.checks[l] == 0 {
                        if let result {
                            output[lane] = result[l]
                            status[lane] = .number
                        } else {
                            output[lane] = .nan
                            status[lane] = .noValue
                        }
                    } else {
                        let error = scalarLane(lane, batch, output, status)
                        if failure == nil, let error { failure = LaneFailure(lane: lane, error: error) }
                    }
                }
                start += width
            }
        } else {
            for lane in 0..<count {
                let error = scalarLane(lane, batch, output, status)
                if failure == nil, let error { failure = LaneFailure(lane: lane, error: error) }
            }
        }
        return failure
    }

    /// Points each input register's row at its column for lanes `start..<start + width` (a
    /// boolean input is copied as 0/1 into its scratch row).
    private func pointRows(_ batch: BatchFrame, at columns: [UnsafeBufferPointer<Double>], _ start: Int, _ width: Int) {
        for (slot, column) in columns.enumerated() {
            let base = column.baseAddress! + start
            switch storage[slot] {
            case .number(let k):
                batch.rows[k] = UnsafeMutablePointer(mutating: base)  // never written: `isBlockable`
            case .boolean(let k):
                let row = batch.scratch + k * BatchFrame.blockSize
                batch.rows[k] = row
                for l in 0..<width { row[l] = base[l] != 0 ? 1 : 0 }
            case .value:
                break
            }
        }
    }

    /// One lane through the scalar path (its inputs stored straight into their registers, as
    /// `setNumber`/`setBoolean` store them); returns its error, if any.
    private func scalarLane(_ lane: Int, _ batch: BatchFrame,
                            _ output: UnsafeMutableBufferPointer<Double>,
                            _ status: UnsafeMutableBufferPointer<LaneStatus>) -> FormulaError? {
        let frame = batch.frame, numbers = frame.numbers, columns = batch.columns, n = frame.slotCount
        var slot = 0
        while slot < n {
            let x = columns[slot][lane]
            switch batch.slotKinds[slot] {
            case .number: numbers[slot] = x
            case .boolean: numbers[n &+ slot] = x != 0 ? 1 : 0
            case .value: break
            }
            slot &+= 1
        }
        do throws(FormulaError) {
            switch try program.run(frame) {
            case .number:
                output[lane] = frame.resultNumber
                status[lane] = .number
            case .boolean:
                output[lane] = frame.resultNumber
                status[lane] = .boolean
            case .undefined:
                output[lane] = .nan
                status[lane] = .noValue
            case .value:
                switch frame.result {
                case .number(let x):
                    output[lane] = x
                    status[lane] = .number
                case .boolean(let b):
                    output[lane] = b ? 1 : 0
                    status[lane] = .boolean
                default:
                    output[lane] = .nan
                    status[lane] = .notNumeric
                }
            }
            return nil
        } catch {
            output[lane] = .nan
            status[lane] = .error
            return error
        }
    }
}
