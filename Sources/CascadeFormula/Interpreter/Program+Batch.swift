/// The block-wise run of a straight-line numeric program: each instruction over a block of lanes
/// (one dispatch per instruction per block), the same operations on the same doubles as `run`.
///
/// Checks are deferred, not dropped: every operation `run` checks (a result that is not finite, a
/// zero divisor of `%`) ORs the bits of `r - r` (0, or a NaN when `r` is not finite) over the block
/// as it goes; when that is not 0 — rarely — a second pass adds `r - r` to each lane's check (the
/// block is then no longer clean). A lane whose check is not 0 at the end is run again by the
/// scalar loop, which reproduces its error (or value) exactly. A lane that passed every check
/// computed exactly what `run` computes.
extension Program {
    /// Whether `runBlock` can run this program: no jumps, no value registers or traces, a return
    /// before the code ends, no write to an input register, and a step count (the same on every
    /// path, there being one path) within the limit.
    func isBlockable(inputRegisters: Int) -> Bool {
        var steps = 0
        for pc in 0..<codeCount {
            let i = code[pc]
            steps += Int(i.cost)
            switch i.op {
            case .add, .subtract, .multiply, .divide, .remainder, .power, .square, .max, .min, .negate, .move,
                 .abs, .sqrt, .exp, .log, .log10, .log2, .floor, .ceil, .round, .sign, .trunc, .linear,
                 .selectLess, .selectLessEqual, .selectEqual:
                if Int(i.d) < inputRegisters { return false }
            case .data:
                break
            case .meter:
                steps += Int(i.a)
            case .returnNumber, .returnUndefined, .addReturn, .subtractReturn, .multiplyReturn, .linearReturn:
                return steps <= maxSteps
            default:
                return false
            }
        }
        return false
    }

    /// Runs lanes `0..<width` of the block whose rows are in `batch.rows` (inputs already pointed
    /// at, constants preloaded). Returns the result row (nil when the program returns no value);
    /// unless `batch.isClean`, `batch.checks` holds each lane's deferred check.
    func runBlock(_ batch: BatchFrame, width w: Int) -> UnsafeMutablePointer<Double>? {
        let rows = batch.rows
        batch.isClean = true
        var pc = 0
        while true {
            let i = code[pc]
            let d = Int(i.d), a = Int(i.a), b = Int(i.b)
            switch i.op {
            case .add, .addReturn:
                let x = rows[a], y = rows[b], r = i.op == .add ? rows[d] : batch.sums
                var bad: UInt64 = 0
                for l in 0..<w { let v = x[l] + y[l]; r[l] = v; bad |= (v - v).bitPattern }
                if bad != 0 { batch.mark(r, w) }
                if i.op == .addReturn { return r }
            case .subtract, .subtractReturn:
                let x = rows[a], y = rows[b], r = i.op == .subtract ? rows[d] : batch.sums
                var bad: UInt64 = 0
                for l in 0..<w { let v = x[l] - y[l]; r[l] = v; bad |= (v - v).bitPattern }
                if bad != 0 { batch.mark(r, w) }
                if i.op == .subtractReturn { return r }
            case .multiply, .multiplyReturn:
                let x = rows[a], y = rows[b], r = i.op == .multiply ? rows[d] : batch.sums
                var bad: UInt64 = 0
                for l in 0..<w { let v = x[l] * y[l]; r[l] = v; bad |= (v - v).bitPattern }
                if bad != 0 { batch.mark(r, w) }
                if i.op == .multiplyReturn { return r }
            case .divide:
                let x = rows[a], y = rows[b], r = rows[d]
                var bad: UInt64 = 0
                for l in 0..<w { let v = x[l] / y[l]; r[l] = v; bad |= (v - v).bitPattern }
                if bad != 0 { batch.mark(r, w) }
            case .remainder:
                let x = rows[a], y = rows[b], r = rows[d]
                let checks = batch.checkRow(w)
                for l in 0..<w {
                    let q = y[l]
                    r[l] = x[l].truncatingRemainder(dividingBy: q)
                    checks[l] += q == 0 ? .nan : 0
                }
            case .power:
                let x = rows[a], y = rows[b], r = rows[d]
                var bad: UInt64 = 0
                for l in 0..<w { let v = JSMath.pow(x[l], y[l]); r[l] = v; bad |= (v - v).bitPattern }
                if bad != 0 { batch.mark(r, w) }
            case .square:
                let x = rows[a], r = rows[d]
                var bad: UInt64 = 0
                for l in 0..<w { let v = x[l] * x[l]; r[l] = v; bad |= (v - v).bitPattern }
                if bad != 0 { batch.mark(r, w) }
            case .max:
                let x = rows[a], y = rows[b], r = rows[d]
                for l in 0..<w { r[l] = JSMath.max(x[l], y[l]) }
            case .min:
                let x = rows[a], y = rows[b], r = rows[d]
                for l in 0..<w { r[l] = JSMath.min(x[l], y[l]) }
            case .negate:
                let x = rows[a], r = rows[d]
                for l in 0..<w { r[l] = -x[l] }
            case .move:
                let x = rows[a], r = rows[d]
                for l in 0..<w { r[l] = x[l] }
            case .abs: unchecked(JSMath.abs, rows[a], rows[d], w)
            case .floor: unchecked(JSMath.floor, rows[a], rows[d], w)
            case .ceil: unchecked(JSMath.ceil, rows[a], rows[d], w)
            case .round: unchecked(JSMath.round, rows[a], rows[d], w)
            case .sign: unchecked(JSMath.sign, rows[a], rows[d], w)
            case .trunc: unchecked(JSMath.trunc, rows[a], rows[d], w)
            case .sqrt: checked(JSMath.sqrt, rows[a], rows[d], batch, w)
            case .exp: checked(JSMath.exp, rows[a], rows[d], batch, w)
            case .log: checked(JSMath.log, rows[a], rows[d], batch, w)
            case .log10: checked(JSMath.log10, rows[a], rows[d], batch, w)
            case .log2: checked(JSMath.log2, rows[a], rows[d], batch, w)
            case .linear, .linearReturn:
                // Term by term into the sum row (a term may read the destination), in `linear`'s order.
                let total = batch.sums
                linearSum(a, b, rows, total, w)
                var bad: UInt64 = 0
                for l in 0..<w { bad |= (total[l] - total[l]).bitPattern }
                if bad != 0 { batch.mark(total, w) }
                if i.op == .linearReturn { return total }
                let r = rows[d]
                for l in 0..<w { r[l] = total[l] }
            case .selectLess, .selectLessEqual, .selectEqual:
                let e = code[pc &+ 1]
                let x = rows[a], y = rows[b], p = rows[Int(e.d)], q = rows[Int(e.a)], r = rows[d]
                switch i.op {
                case .selectLess: for l in 0..<w { r[l] = x[l] < y[l] ? p[l] : q[l] }
                case .selectLessEqual: for l in 0..<w { r[l] = x[l] <= y[l] ? p[l] : q[l] }
                default: for l in 0..<w { r[l] = x[l] == y[l] ? p[l] : q[l] }
                }
                pc &+= 1
            case .data, .meter:
                break
            case .returnNumber:
                return rows[a]
            case .returnUndefined:
                return nil
            default:
                // `isBlockable` admits none of the others.
                preconditionFailure("instruction \(i.op) in a block-wise program")
            }
            pc &+= 1
        }
    }

    /// The fused sum of terms `start..<start + count` in lanes `0..<w` into `total`: per lane the
    /// same products and additions in the same order as `linear` (no reassociation, no fused
    /// multiply-add), eight lanes at a time with the partial sums held in registers across terms.
    @inline(__always)
    private func linearSum(_ start: Int, _ count: Int, _ rows: UnsafeMutablePointer<UnsafeMutablePointer<Double>>,
                           _ total: UnsafeMutablePointer<Double>, _ w: Int) {
        let coefficients = termCoefficients + start, registers = termRegisters + start
        var l = 0
        while l &+ 8 <= w {
            var sum = SIMD8<Double>(repeating: coefficients[0]) * UnsafeRawPointer(rows[Int(registers[0])] + l).loadUnaligned(as: SIMD8<Double>.self)
            var k = 1
            while k < count {
                let x = UnsafeRawPointer(rows[Int(registers[k])] + l).loadUnaligned(as: SIMD8<Double>.self)
                sum = sum + SIMD8<Double>(repeating: coefficients[k]) * x
                k &+= 1
            }
            UnsafeMutableRawPointer(total + l).storeBytes(of: sum, as: SIMD8<Double>.self)
            l &+= 8
        }
        while l < w {
            var sum = coefficients[0] * rows[Int(registers[0])][l]
            var k = 1
            while k < count {
                sum += coefficients[k] * rows[Int(registers[k])][l]
                k &+= 1
            }
            total[l] = sum
            l &+= 1
        }
    }

    @inline(__always)
    private func unchecked(_ f: (Double) -> Double, _ x: UnsafeMutablePointer<Double>, _ r: UnsafeMutablePointer<Double>, _ w: Int) {
        for l in 0..<w { r[l] = f(x[l]) }
    }

    @inline(__always)
    private func checked(_ f: (Double) -> Double, _ x: UnsafeMutablePointer<Double>, _ r: UnsafeMutablePointer<Double>,
                         _ batch: BatchFrame, _ w: Int) {
        var bad: UInt64 = 0
        for l in 0..<w { let v = f(x[l]); r[l] = v; bad |= (v - v).bitPattern }
        if bad != 0 { batch.mark(r, w) }
    }
}
