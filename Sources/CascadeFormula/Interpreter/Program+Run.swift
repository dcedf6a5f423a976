/// The dispatch loop: one pass over a program's instructions, and the cold paths that build its errors.
extension Program {
    /// Runs the program on the inputs set in `f`; the result is in `f.resultNumber` (numbers and
    /// booleans) or `f.result` (other values).
    ///
    /// The step meter is a tripwire: each block adds its cost where it starts, and the total is
    /// checked when the program returns or fails. A program has no loops and no side effects, and
    /// steps only grow, so this reports exactly what checking at every block entry would: the
    /// step limit if the meter passed it on the way to the return or failure, else the outcome.
    @usableFromInline
    func run(_ f: Frame) throws(FormulaError) -> ResultKind {
        var steps = 0
        do throws(FormulaError) {
            let kind = try run(f, &steps)
            if steps > maxSteps { throw Compiler.stepLimit(maxSteps) }
            return kind
        } catch {
            if steps > maxSteps { throw Compiler.stepLimit(maxSteps) }
            throw error
        }
    }

    @inline(__always)
    func run(_ f: Frame, _ steps: inout Int) throws(FormulaError) -> ResultKind {
        let n = f.numbers
        let code = self.code
        var pc = 0
        while true {
            let i = code[pc]
            let d = Int(i.d), a = Int(i.a), b = Int(i.b)
            steps &+= Int(i.cost)
            switch i.op {
            case .add:
                let x = n[a], y = n[b], r = x + y
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x, y]) }
                n[d] = r
            case .addReturn:
                let x = n[a], y = n[b], r = x + y
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x, y]) }
                f.resultNumber = r
                return .number
            case .subtractReturn:
                let x = n[a], y = n[b], r = x - y
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x, y]) }
                f.resultNumber = r
                return .number
            case .multiplyReturn:
                let x = n[a], y = n[b], r = x * y
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x, y]) }
                f.resultNumber = r
                return .number
            case .linearReturn:
                f.resultNumber = try linear(a, b, n, pc, f)
                return .number
            case .subtract:
                let x = n[a], y = n[b], r = x - y
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x, y]) }
                n[d] = r
            case .multiply:
                let x = n[a], y = n[b], r = x * y
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x, y]) }
                n[d] = r
            case .divide:
                let x = n[a], y = n[b]
                guard y != 0 else { throw divisionByZero(pc, x, y, remainder: false) }
                let r = x / y
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x, y]) }
                n[d] = r
            case .remainder:
                let x = n[a], y = n[b]
                guard y != 0 else { throw divisionByZero(pc, x, y, remainder: true) }
                n[d] = x.truncatingRemainder(dividingBy: y)
            case .power:
                let x = n[a], y = n[b], r = JSMath.pow(x, y)
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x, y]) }
                n[d] = r
            case .square:
                // x ** 2: fdlibm's pow (V8's) returns x * x for y == 2 and any finite x.
                let x = n[a], r = x * x
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x, 2]) }
                n[d] = r
            case .max: n[d] = JSMath.max(n[a], n[b])
            case .min: n[d] = JSMath.min(n[a], n[b])
            case .negate: n[d] = -n[a]
            case .move: n[d] = n[a]
            case .abs: n[d] = JSMath.abs(n[a])
            case .floor: n[d] = JSMath.floor(n[a])
            case .ceil: n[d] = JSMath.ceil(n[a])
            case .round: n[d] = JSMath.round(n[a])
            case .sign: n[d] = JSMath.sign(n[a])
            case .trunc: n[d] = JSMath.trunc(n[a])
            case .sqrt:
                let x = n[a], r = JSMath.sqrt(x)
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x]) }
                n[d] = r
            case .exp:
                let x = n[a], r = JSMath.exp(x)
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x]) }
                n[d] = r
            case .log:
                let x = n[a], r = JSMath.log(x)
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x]) }
                n[d] = r
            case .log10:
                let x = n[a], r = JSMath.log10(x)
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x]) }
                n[d] = r
            case .log2:
                let x = n[a], r = JSMath.log2(x)
                guard r.isFiniteNumber else { throw nonFinite(pc, r, [x]) }
                n[d] = r
            case .linear:
                n[d] = try linear(a, b, n, pc, f)
            case .jump:
                pc = d
                continue
            case .jumpIfTrue:
                if n[a] != 0 { pc = d; continue }
            case .jumpIfFalse:
                if n[a] == 0 { pc = d; continue }
            case .jumpIfLess:
                if n[a] < n[b] { pc = d; continue }
            case .jumpUnlessLess:
                if !(n[a] < n[b]) { pc = d; continue }
            case .jumpIfLessEqual:
                if n[a] <= n[b] { pc = d; continue }
            case .jumpUnlessLessEqual:
                if !(n[a] <= n[b]) { pc = d; continue }
            case .jumpIfEqual:
                if n[a] == n[b] { pc = d; continue }
            case .jumpUnlessEqual:
                if !(n[a] == n[b]) { pc = d; continue }
            case .jumpIfStringEqual:
                if try stringEquals(f.values + a, strings + b, pc) { pc = d; continue }
            case .jumpUnlessStringEqual:
                if try !stringEquals(f.values + a, strings + b, pc) { pc = d; continue }
            case .selectLess:
                let e = code[pc &+ 1]
                n[d] = n[a] < n[b] ? n[Int(e.d)] : n[Int(e.a)]
                pc &+= 1
            case .selectLessEqual:
                let e = code[pc &+ 1]
                n[d] = n[a] <= n[b] ? n[Int(e.d)] : n[Int(e.a)]
                pc &+= 1
            case .selectEqual:
                let e = code[pc &+ 1]
                n[d] = n[a] == n[b] ? n[Int(e.d)] : n[Int(e.a)]
                pc &+= 1
            case .data:
                break
            case .moveValue:
                f.values[d] = f.values[a]
            case .concatenate:
                f.values[d] = try concatenate(f.values[a], f.values[b], pc)
            case .returnString:
                f.result = f.values[a]
                return .value
            case .meter:
                steps &+= a
            case .traceNumber:
                record(b, .number(n[a]), f)
            case .traceBoolean:
                record(b, .boolean(n[a] != 0), f)
            case .traceValue:
                record(b, f.values[a], f)
            case .returnNumber:
                f.resultNumber = n[a]
                return .number
            case .returnTrue:
                f.resultNumber = 1
                return .boolean
            case .returnFalse:
                f.resultNumber = 0
                return .boolean
            case .returnUndefined:
                return .undefined
            case .boxNumber:
                f.values[d] = .number(n[a])
            case .boxBoolean:
                f.values[d] = .boolean(n[a] != 0)
            case .unboxNumber:
                guard case .number(let x) = f.values[a] else { throw mismatch(pc, expected: "a number", f.values[a]) }
                n[d] = x
            case .unboxBoolean:
                guard case .boolean(let x) = f.values[a] else { throw mismatch(pc, expected: "a boolean", f.values[a]) }
                n[d] = x ? 1 : 0
            case .checkString:
                guard case .string = f.values[a] else { throw notAString(pc, f.values[a]) }
            case .member:
                f.values[d] = try member(f.values[a], b, pc)
            case .dynamicAdd:
                f.values[d] = try dynamicAdd(f.values[a], f.values[b], pc)
            case .strictEqualValues:
                n[d] = try equals(f.values[a], f.values[b], isLoose: false, pc) ? 1 : 0
            case .looseEqualValues:
                n[d] = try equals(f.values[a], f.values[b], isLoose: true, pc) ? 1 : 0
            case .equalStrings:
                n[d] = try equalStrings(f.values[a], f.values[b], pc) ? 1 : 0
            case .returnValue:
                f.result = try returnable(f.values[a], pc)
                return .value
            case .fail:
                throw failures[a]
            }
            pc &+= 1
        }
    }

    /// A fused sum: the same operations in the same order as the tree (x - c·y is x + (-c)·y
    /// exactly), unchecked: a non-finite product or partial sum stays non-finite to the end, so
    /// one check at the end decides, and `checkedSum` then finds and reports the first operation
    /// that failed.
    @inline(__always)
    func linear(_ start: Int, _ count: Int, _ n: UnsafeMutablePointer<Double>, _ pc: Int, _ f: Frame) throws(FormulaError) -> Double {
        let coefficients = termCoefficients + start, registers = termRegisters + start
        var total = coefficients[0] * n[Int(registers[0])]
        var k = 1
        while k < count {
            total += coefficients[k] * n[Int(registers[k])]
            k &+= 1
        }
        guard total.isFiniteNumber else { throw checkedSum(pc, f) }
        return total
    }

    /// A traced program's record of one subexpression's value.
    @inline(never)
    func record(_ node: Int, _ value: Value, _ f: Frame) {
        f.trace.append((node, value))
    }

    /// `===` of a string register (a string input or local, so always a string) and a literal.
    @inline(__always)
    func stringEquals(_ value: UnsafeMutablePointer<Value>, _ constant: UnsafeMutablePointer<StringConstant>,
                      _ pc: Int) throws(FormulaError) -> Bool {
        guard case .string(let s) = value.pointee else { throw notAString(pc, value.pointee) }
        let utf8 = s.utf8
        let count = constant.pointee.count, bytes = constant.pointee.bytes
        guard utf8.count == count else { return false }
        if let equal = utf8.withContiguousStorageIfAvailable({ buffer in
            var k = 0
            while k < buffer.count {
                if buffer[k] != bytes[k] { return false }
                k &+= 1
            }
            return true
        }) {
            return equal
        }
        return jsStringEquals(s, constant.pointee.string)
    }

    @inline(never)
    func nonFinite(_ pc: Int, _ r: Double, _ values: [Double]) -> FormulaError {
        site(pc).nonFinite(r, values)
    }

    @inline(never)
    func divisionByZero(_ pc: Int, _ x: Double, _ y: Double, remainder: Bool) -> FormulaError {
        site(pc).divisionByZero(x, y, remainder: remainder)
    }

    @inline(never)
    func notAString(_ pc: Int, _ value: Value) -> FormulaError {
        site(pc).typeMismatch(expected: "a string", found: value)
    }

    func site(_ pc: Int) -> ErrorSite {
        (pc < sites.count ? sites[pc] : nil) ?? ErrorSite(range: SourceRange(0, 0), text: "", operands: [])
    }

    /// The error of a fused sum that was not finite: its terms' operations performed one by one,
    /// checked, in the tree's order (the sum's own `linear` instruction at `pc` says which terms).
    @inline(never)
    func checkedSum(_ pc: Int, _ f: Frame) -> FormulaError {
        let start = Int(code[pc].a), count = Int(code[pc].b)
        do throws(FormulaError) {
            var total = 0.0
            for k in 0..<count {
                let term = linearTerms[start + k]
                var v = term.constant
                switch term.kind {
                case .constant: break
                case .register: v = f.numbers[term.register]
                case .product:
                    let x = f.numbers[term.register], c = term.constant, product = term.productSite ?? site(pc)
                    v = try term.constantFirst ? MultiplyOperation.apply(c, x, product) : MultiplyOperation.apply(x, c, product)
                }
                if k == 0 {
                    total = v
                } else {
                    let sum = term.sumSite ?? site(pc)
                    total = try term.isSubtracted ? SubtractOperation.apply(total, v, sum) : AddOperation.apply(total, v, sum)
                }
            }
        } catch {
            return error
        }
        return FormulaError(Diagnostic(.runtime, "internal",
                                       "internal error: a fused sum was not finite, but none of its operations failed",
                                       at: site(pc).range, hint: "this is a bug in Cascade, not in the formula; please report it with the formula"))
    }
}

extension Double {
    /// `isFinite` in two instructions: x - x is 0 for a finite x and NaN for ±∞ and NaN.
    @inline(__always) var isFiniteNumber: Bool { self - self == 0 }
}
