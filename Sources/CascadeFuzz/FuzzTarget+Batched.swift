// The batched API in a fuzz iteration: when every input of a formula is a number or a boolean, the
// binding sets that bind each of them with its declared kind are run as lanes of one batch (three
// times over, so that the lanes span more than one block), and every lane must give exactly what
// the frame API gives that binding set: the same value bit for bit, or the same error.
import CascadeFormula

extension FuzzTarget {
    static func checkBatched(_ formula: CompiledFormula, _ bindings: [[String: Value]],
                             _ expected: [Result<Value, FormulaError>]) {
        let inputs = formula.inputs
        guard !inputs.isEmpty, inputs.allSatisfy({ $0.type == .number || $0.type == .boolean }) else { return }
        var sets: [Int] = []
        var columns = [[Double]](repeating: [], count: inputs.count)
        for (k, binding) in bindings.enumerated() {
            var row: [Double] = []
            for input in inputs {
                switch (input.type, lookup(input.path, in: binding)) {
                case (.number, .number(let x)?) where x.isFinite: row.append(x)
                case (.boolean, .boolean(let b)?): row.append(b ? 1 : 0)
                default: break
                }
            }
            guard row.count == inputs.count else { continue }
            sets.append(k)
            for (slot, x) in row.enumerated() { columns[slot].append(x) }
        }
        guard !sets.isEmpty else { return }
        let repeats = 128 / sets.count + 2
        let lanes = (0..<repeats).flatMap { _ in sets }
        let buffers = columns.map { column -> UnsafeMutableBufferPointer<Double> in
            let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: lanes.count)
            for (lane, _) in lanes.enumerated() { buffer[lane] = column[lane % sets.count] }
            return buffer
        }
        let output = UnsafeMutableBufferPointer<Double>.allocate(capacity: lanes.count)
        let status = UnsafeMutableBufferPointer<LaneStatus>.allocate(capacity: lanes.count)
        defer {
            for b in buffers { b.deallocate() }
            output.deallocate()
            status.deallocate()
        }
        let failure: LaneFailure?
        do throws(FormulaError) {
            failure = try formula.evaluate(columns: buffers.map { UnsafeBufferPointer($0) }, count: lanes.count,
                                           into: output, status: status, using: formula.makeBatchFrame())
        } catch {
            fatalError("batched evaluation rejected number/boolean inputs: \(error)")
        }
        var firstFailure: Int?
        for (lane, set) in lanes.enumerated() {
            let got: String = switch status[lane] {
            case .number: "number \(output[lane].bitPattern)"
            case .boolean: "boolean \(output[lane])"
            case .noValue: "undefined"
            case .notNumeric: "other"
            case .error: "error"
            }
            let want: String = switch expected[set] {
            case .success(.number(let x)): "number \(x.bitPattern)"
            case .success(.boolean(let b)): "boolean \(b ? 1.0 : 0.0)"
            case .success(.undefined): "undefined"
            case .success: "other"
            case .failure: "error"
            }
            if got != want { fatalError("batched lane \(lane) gave \(got), the frame API \(want)") }
            if case .failure = expected[set], firstFailure == nil { firstFailure = lane }
        }
        if failure?.lane != firstFailure {
            fatalError("batched first failure at lane \(String(describing: failure?.lane)), expected \(String(describing: firstFailure))")
        }
        if let failure, case .failure(let error) = expected[lanes[failure.lane]], !same(.failure(failure.error), .failure(error)) {
            fatalError("batched error \(failure.error), the frame API \(error)")
        }
    }
}
