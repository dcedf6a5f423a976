/// Forward-mode differentiation over the same register program: one pass that computes every
/// register's value exactly as `run` does and, beside it, its tangent — the derivative with
/// respect to each numeric input (one direction per `number` input slot, seeded with the unit
/// vector). The fast `run` is a different loop and pays nothing for this.
///
/// What each instruction does to the tangents:
/// - `+ - * / % **`, `x ** 2`, `Math.sqrt/exp/log/log10/log2`, the fused sums: their calculus
///   derivatives (`x ** y` through `y · x^(y-1)` and `x^y · ln x`);
/// - `Math.min/max` and `?:`/`if` take the tangent of the operand or branch that was taken;
/// - `Math.floor/ceil/round/trunc/sign`: 0 (they are flat between their jumps).
///
/// Where the derivative does not exist the direction is flagged *undefined* (the value is still
/// computed): a comparison whose two sides are equal (`x < 80` at x = 80: a bump either way can
/// take the other branch), a `min`/`max` tie, `Math.abs` at 0, a jump of `floor`/`ceil`/`round`/
/// `trunc`/`sign`/`%`, `sqrt` at 0, `**` where a derivative is infinite or the logarithm of a
/// negative base is needed. A flag is raised only in the directions that move the operands
/// (whose tangents differ between the two sides of the comparison).
///
/// Value registers (`null`, records, values of unknown type) carry a tangent too: a boxed number
/// keeps its number's tangent through moves, unboxing and dynamic `+`; the inputs held there are
/// constants (only `number` inputs are directions, so `source.metadata.beta` has tangent 0), and
/// strings, booleans, `null` and records have none. Value equality on two equal numbers is a
/// threshold like `===` on numbers.
extension Program {
    /// Runs the program on the inputs set in `f`, with tangents in `t`. Throws `TangentFailure`
    /// wherever `run` would throw (the caller then runs `run` for the exact error).
    func runTangent(_ f: Frame, _ t: DerivativeFrame) throws(TangentFailure) -> ResultKind {
        let n = f.numbers
        let w = t.width
        let tn = t.tangents
        let code = self.code
        var steps = 0
        var pc = 0
        // The tangent row of register r.
        @inline(__always) func row(_ r: Int) -> UnsafeMutablePointer<Double> { tn + r &* w }
        let vt = t.valueTangents
        /// The tangent row of value register r.
        @inline(__always) func valueRow(_ r: Int) -> UnsafeMutablePointer<Double> { vt + r &* w }
        @inline(__always) func copyRow(_ to: UnsafeMutablePointer<Double>, _ from: UnsafeMutablePointer<Double>) {
            if to == from { return }
            for j in 0..<w { to[j] = from[j] }
        }
        @inline(__always) func zeroRow(_ to: UnsafeMutablePointer<Double>) {
            for j in 0..<w { to[j] = 0 }
        }
        /// Value equality: two equal numbers sit on a threshold in the directions that move them apart.
        @inline(__always) func flagEqualNumbers(_ a: Int, _ b: Int) {
            guard case .number(let x) = f.values[a], case .number(let y) = f.values[b], x == y else { return }
            let ra = valueRow(a), rb = valueRow(b)
            for j in 0..<w where ra[j] != rb[j] { t.undefined[j] = true }
        }
        /// Flags the directions in which `a` and `b` move apart (a comparison on its threshold).
        @inline(__always) func flagApart(_ a: Int, _ b: Int) {
            let ra = row(a), rb = row(b)
            for j in 0..<w where ra[j] != rb[j] { t.undefined[j] = true }
        }
        /// Flags the directions in which `a` moves (a function at a kink or jump).
        @inline(__always) func flagMoving(_ a: Int) {
            let ra = row(a)
            for j in 0..<w where ra[j] != 0 { t.undefined[j] = true }
        }
        @inline(__always) func zero(_ d: Int) {
            let rd = row(d)
            for j in 0..<w { rd[j] = 0 }
        }
        @inline(__always) func copy(_ d: Int, _ a: Int) {
            if d == a { return }
            let rd = row(d), ra = row(a)
            for j in 0..<w { rd[j] = ra[j] }
        }
        /// row(d) = p · row(a) + q · row(b) (operands read before the write, so d may alias).
        @inline(__always) func combine(_ d: Int, _ p: Double, _ a: Int, _ q: Double, _ b: Int) {
            let rd = row(d), ra = row(a), rb = row(b)
            for j in 0..<w { rd[j] = p * ra[j] + q * rb[j] }
        }
        @inline(__always) func scale(_ d: Int, _ p: Double, _ a: Int) {
            let rd = row(d), ra = row(a)
            for j in 0..<w { rd[j] = p * ra[j] }
        }
        @inline(__always) func finite(_ r: Double) throws(TangentFailure) -> Double {
            guard r.isFiniteNumber else { throw TangentFailure() }
            return r
        }
        /// The result into register `d` (or returned), for the arithmetic shared by an operation
        /// and its `…Return` form.
        @inline(__always) func arithmetic(_ op: Opcode, _ d: Int, _ a: Int, _ b: Int) throws(TangentFailure) {
            let x = n[a], y = n[b]
            switch op {
            case .add, .addReturn:
                let r = try finite(x + y)
                combine(d, 1, a, 1, b)
                n[d] = r
            case .subtract, .subtractReturn:
                let r = try finite(x - y)
                combine(d, 1, a, -1, b)
                n[d] = r
            default:  // multiply
                let r = try finite(x * y)
                combine(d, y, a, x, b)
                n[d] = r
            }
        }
        while true {
            let i = code[pc]
            let d = Int(i.d), a = Int(i.a), b = Int(i.b)
            steps &+= Int(i.cost)
            switch i.op {
            case .add, .subtract, .multiply:
                try arithmetic(i.op, d, a, b)
            case .addReturn, .subtractReturn, .multiplyReturn:
                let r = t.resultRegister
                try arithmetic(i.op, r, a, b)
                f.resultNumber = n[r]
                return try finish(.number, steps, t, r)
            case .linear, .linearReturn:
                let coefficients = termCoefficients + a, registers = termRegisters + a
                var total = coefficients[0] * n[Int(registers[0])]
                var k = 1
                while k < b {
                    total += coefficients[k] * n[Int(registers[k])]
                    k &+= 1
                }
                let r = i.op == .linear ? d : t.resultRegister
                let rr = row(r), scratch = t.scratch
                for j in 0..<w { scratch[j] = 0 }
                for k in 0..<b {
                    let c = coefficients[k], rk = row(Int(registers[k]))
                    for j in 0..<w { scratch[j] += c * rk[j] }
                }
                for j in 0..<w { rr[j] = scratch[j] }
                n[r] = try finite(total)
                if i.op == .linearReturn {
                    f.resultNumber = n[r]
                    return try finish(.number, steps, t, r)
                }
            case .divide:
                let x = n[a], y = n[b]
                guard y != 0 else { throw TangentFailure() }
                let r = try finite(x / y)
                // (x/y)' = x'/y − (x/y)·y'/y
                combine(d, 1 / y, a, -r / y, b)
                n[d] = r
            case .remainder:
                let x = n[a], y = n[b]
                guard y != 0 else { throw TangentFailure() }
                let r = x.truncatingRemainder(dividingBy: y)
                // x % y = x − q·y with q = trunc(x / y), constant between the jumps at r = 0.
                let q = ((x - r) / y).rounded()
                if r == 0 {
                    let ra = row(a), rb = row(b)
                    for j in 0..<w where ra[j] * y - x * rb[j] != 0 { t.undefined[j] = true }
                }
                combine(d, 1, a, -q, b)
                n[d] = r
            case .power:
                let x = n[a], y = n[b]
                let r = try finite(JSMath.pow(x, y))
                let ra = row(a), rb = row(b), rd = row(d)
                // ∂/∂x = y · x^(y−1); ∂/∂y = x^y · ln x.
                let dx: Double = if x != 0 { y * JSMath.pow(x, y - 1) } else if y == 1 { 1 } else if y > 1 || y == 0 { 0 } else { .nan }
                let dy: Double = x > 0 ? r * JSMath.log(x) : (x == 0 && y > 0 ? 0 : .nan)
                for j in 0..<w {
                    var v = 0.0
                    if ra[j] != 0 { if dx.isFinite { v += dx * ra[j] } else { t.undefined[j] = true } }
                    if rb[j] != 0 { if dy.isFinite { v += dy * rb[j] } else { t.undefined[j] = true } }
                    rd[j] = v
                }
                n[d] = r
            case .square:
                let x = n[a], r = try finite(x * x)
                scale(d, 2 * x, a)
                n[d] = r
            case .max, .min:
                let x = n[a], y = n[b]
                let r = i.op == .max ? JSMath.max(x, y) : JSMath.min(x, y)
                if x == y { flagApart(a, b) }
                // The operand that was taken (on a tie, the first).
                let takesFirst = x == y || (i.op == .max ? x > y : x < y)
                copy(d, takesFirst ? a : b)
                n[d] = r
            case .negate:
                scale(d, -1, a)
                n[d] = -n[a]
            case .move:
                copy(d, a)
                n[d] = n[a]
            case .abs:
                let x = n[a]
                if x == 0 { flagMoving(a) }
                scale(d, x < 0 ? -1 : (x > 0 ? 1 : 0), a)
                n[d] = JSMath.abs(x)
            case .floor, .ceil, .trunc, .round, .sign:
                let x = n[a]
                let r: Double
                let isJump: Bool
                switch i.op {
                case .floor: r = JSMath.floor(x); isJump = r == x
                case .ceil: r = JSMath.ceil(x); isJump = r == x
                case .trunc: r = JSMath.trunc(x); isJump = r == x && x != 0  // continuous (and flat) at 0
                case .round: r = JSMath.round(x); isJump = (x + 0.5).rounded(.down) == x + 0.5
                default: r = JSMath.sign(x); isJump = x == 0
                }
                if isJump { flagMoving(a) }
                zero(d)
                n[d] = r
            case .sqrt:
                let x = n[a], r = try finite(JSMath.sqrt(x))
                if r == 0 { flagMoving(a); zero(d) } else { scale(d, 0.5 / r, a) }
                n[d] = r
            case .exp:
                let x = n[a], r = try finite(JSMath.exp(x))
                scale(d, r, a)
                n[d] = r
            case .log, .log10, .log2:
                let x = n[a]
                let r = try finite(i.op == .log ? JSMath.log(x) : i.op == .log10 ? JSMath.log10(x) : JSMath.log2(x))
                let unit = i.op == .log ? 1.0 : i.op == .log10 ? 2.302585092994046 : 0.6931471805599453
                scale(d, 1 / (x * unit), a)
                n[d] = r
            case .jump:
                pc = d
                continue
            case .jumpIfTrue:
                if n[a] != 0 { pc = d; continue }
            case .jumpIfFalse:
                if n[a] == 0 { pc = d; continue }
            case .jumpIfLess, .jumpUnlessLess, .jumpIfLessEqual, .jumpUnlessLessEqual, .jumpIfEqual, .jumpUnlessEqual:
                let x = n[a], y = n[b]
                if x == y { flagApart(a, b) }
                let holds: Bool = switch i.op {
                case .jumpIfLess, .jumpUnlessLess: x < y
                case .jumpIfLessEqual, .jumpUnlessLessEqual: x <= y
                default: x == y
                }
                let jumpsWhenHolds = i.op == .jumpIfLess || i.op == .jumpIfLessEqual || i.op == .jumpIfEqual
                if holds == jumpsWhenHolds { pc = d; continue }
            case .jumpIfStringEqual, .jumpUnlessStringEqual:
                let equal: Bool
                do { equal = try stringEquals(f.values + a, strings + b, pc) } catch { throw TangentFailure() }
                if equal == (i.op == .jumpIfStringEqual) { pc = d; continue }
            case .selectLess, .selectLessEqual, .selectEqual:
                let e = code[pc &+ 1]
                let x = n[a], y = n[b]
                if x == y { flagApart(a, b) }
                let holds = i.op == .selectLess ? x < y : i.op == .selectLessEqual ? x <= y : x == y
                let chosen = holds ? Int(e.d) : Int(e.a)
                copy(d, chosen)
                n[d] = n[chosen]
                pc &+= 1
            case .data, .traceNumber, .traceBoolean, .traceValue:
                break
            case .moveValue:
                f.values[d] = f.values[a]
                copyRow(valueRow(d), valueRow(a))
            case .concatenate:
                do { f.values[d] = try concatenate(f.values[a], f.values[b], pc) } catch { throw TangentFailure() }
                zeroRow(valueRow(d))
            case .returnString:
                f.result = f.values[a]
                return try finish(.value, steps, t, nil)
            case .boxNumber:
                f.values[d] = .number(n[a])
                copyRow(valueRow(d), row(a))
            case .boxBoolean:
                f.values[d] = .boolean(n[a] != 0)
                zeroRow(valueRow(d))
            case .unboxNumber:
                guard case .number(let x) = f.values[a] else { throw TangentFailure() }
                n[d] = x
                copyRow(row(d), valueRow(a))
            case .unboxBoolean:
                guard case .boolean(let x) = f.values[a] else { throw TangentFailure() }
                n[d] = x ? 1 : 0
                zero(d)
            case .checkString:
                guard case .string = f.values[a] else { throw TangentFailure() }
            case .member:
                // A field of a record: records are inputs (constants), so are their fields.
                do { f.values[d] = try member(f.values[a], b, pc) } catch { throw TangentFailure() }
                zeroRow(valueRow(d))
            case .dynamicAdd:
                let x = f.values[a], y = f.values[b]
                do { f.values[d] = try dynamicAdd(x, y, pc) } catch { throw TangentFailure() }
                if case .number = x, case .number = y {
                    let rd = valueRow(d), ra = valueRow(a), rb = valueRow(b)
                    for j in 0..<w { rd[j] = ra[j] + rb[j] }
                } else {
                    zeroRow(valueRow(d))
                }
            case .strictEqualValues, .looseEqualValues:
                flagEqualNumbers(a, b)
                do { n[d] = try equals(f.values[a], f.values[b], isLoose: i.op == .looseEqualValues, pc) ? 1 : 0 } catch {
                    throw TangentFailure()
                }
                zero(d)
            case .equalStrings:
                do { n[d] = try equalStrings(f.values[a], f.values[b], pc) ? 1 : 0 } catch { throw TangentFailure() }
                zero(d)
            case .fail:
                throw TangentFailure()
            case .meter:
                steps &+= a
            case .returnNumber:
                f.resultNumber = n[a]
                return try finish(.number, steps, t, a)
            case .returnTrue:
                f.resultNumber = 1
                return try finish(.boolean, steps, t, nil)
            case .returnFalse:
                f.resultNumber = 0
                return try finish(.boolean, steps, t, nil)
            case .returnUndefined:
                return try finish(.undefined, steps, t, nil)
            case .returnValue:
                do { f.result = try returnable(f.values[a], pc) } catch { throw TangentFailure() }
                var isNumber = false
                if case .number = f.result { isNumber = true }
                return try finish(.value, steps, t, nil, row: isNumber ? valueRow(a) : nil)
            }
            pc &+= 1
        }
    }

    /// Copies the returned register's tangent into the derivatives (0 for anything but a number),
    /// and fails past the step limit as `run` does.
    @inline(__always)
    func finish(_ kind: ResultKind, _ steps: Int, _ t: DerivativeFrame, _ register: Int?,
                row: UnsafeMutablePointer<Double>? = nil) throws(TangentFailure) -> ResultKind {
        if steps > maxSteps { throw TangentFailure() }
        if let r = row ?? register.map({ t.tangents + $0 * t.width }) {
            for j in 0..<t.width { t.derivatives[j] = r[j] }
        } else {
            for j in 0..<t.width { t.derivatives[j] = 0 }
        }
        for j in 0..<t.width where !t.derivatives[j].isFinite { t.undefined[j] = true }  // an infinite slope (or its overflow)
        return kind
    }
}

/// The tangent pass stopped where `run` throws; the caller runs `run` for the exact error.
struct TangentFailure: Error {}
