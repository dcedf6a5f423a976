// A deterministic generator of well-typed formulas of the Cascade subset, for differential testing
// against a real JavaScript engine (see DifferentialTests.swift and Fixtures/oracle.js).
//
// Every program it makes must be accepted by Cascade: the generator tracks the static type of
// every expression and only combines them the way the subset allows (arithmetic and relational
// operators on numbers, `+` also on two strings, booleans for `!`/`&&`/`||`/conditions, equality
// between operands of one type, ternary branches of one type, one return type per program, no
// chained comparisons, a unary operator never directly the base of `**`). It deliberately aims
// at JavaScript's numeric edge cases: division by zero, NaN-producing calls, overflow and
// underflow, `%` with negative operands and −0, `Math.round` at halves, `Math.max`/`min` with −0,
// and programs that fall off the end (JavaScript `undefined`).
//
// Each program is printed twice: `source` (what Cascade and the oracle both run) and
// `checkedSource`, the same program with every arithmetic node, call and string concatenation
// wrapped in `$c(…)`. The oracle runs the checked text to learn whether JavaScript produced a
// non-finite number (or an over-long string) anywhere along the way — where it did, the governing
// rule requires Cascade to stop with an error at that node, even when JavaScript's final result
// is finite (`1 / (1 / 0)` is `0` in JavaScript).

#if canImport(CascadeFormula)
import CascadeFormula
#endif

// MARK: - Seeded randomness

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, well-mixed 64-bit generator. The test
/// suite uses its own so that a seed means the same programs on every platform and toolchain.
struct SplitMix64 {
    private(set) var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<n` (by rejection, so unbiased).
    mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let r = next()
            if r < limit { return Int(r % bound) }
        }
    }

    /// A uniform integer in `lo...hi`.
    mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1p-53 < p }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// One of `choices`, each as likely as its weight.
    mutating func weighted<T>(_ choices: [(Int, T)]) -> T {
        let total = choices.reduce(0) { $0 + $1.0 }
        var r = below(total)
        for (weight, item) in choices {
            if r < weight { return item }
            r -= weight
        }
        return choices[choices.count - 1].1
    }
}

// MARK: - Types and inputs

/// The scalar types of the subset (records are inputs only).
enum ScalarType: String, CaseIterable, Sendable {
    case number, boolean, string, null
}

/// The shape of an input: a scalar or a read-only record with ordered fields (ordered so that
/// generation never depends on dictionary order, which Swift randomises per process).
indirect enum InputShape: Sendable {
    case scalar(ScalarType)
    case record([(String, InputShape)])

    var inputType: InputType {
        switch self {
        case .scalar(.number): .number
        case .scalar(.boolean): .boolean
        case .scalar(.string): .string
        case .scalar(.null): .null
        case .record(let fields):
            .record(Dictionary(uniqueKeysWithValues: fields.map { ($0.0, $0.1.inputType) }))
        }
    }
}

/// A declared input of a generated program.
struct InputDecl: Sendable {
    let name: String
    let shape: InputShape
    /// Declared to Cascade as `.any` (checked at run time) though always bound to `shape`.
    var isDeclaredAny = false

    var inputType: InputType { isDeclaredAny ? .any : shape.inputType }
}

// MARK: - Generated programs

/// One generated program and the inputs to run it with.
struct GeneratedProgram: Sendable {
    enum Form: String, Sendable { case expression, body }

    let id: String
    let form: Form
    let inputs: [InputDecl]
    /// The formula text, as given to Cascade and (wrapped as the form requires) to JavaScript.
    let source: String
    /// `source` with every arithmetic node, call and concatenation wrapped in `$c(…)`.
    let checkedSource: String
    /// The type of every `return` (or of the expression).
    let resultType: ScalarType
    /// True when some path may end without `return` (the result is then `undefined`).
    let mayFallOff: Bool
    /// Several sets of input values; each is one evaluation.
    let bindings: [[String: Value]]

    /// The parameter names in declaration order (the oracle's `new Function` parameter list).
    var params: [String] { inputs.map(\.name) }

    /// The input types as `Formula.compile` takes them.
    var inputTypes: [String: InputType] {
        Dictionary(uniqueKeysWithValues: inputs.map { ($0.name, $0.inputType) })
    }
}

// MARK: - Expression trees

/// The generator's own tree: just enough structure to print with correct parentheses.
indirect enum GenExpr {
    /// A literal, a name, a member path or a `Math` constant: printed as is.
    case atom(String)
    case unary(String, GenExpr)
    /// `checked` marks arithmetic and concatenation, whose results the oracle inspects.
    case binary(String, GenExpr, GenExpr, checked: Bool)
    case conditional(GenExpr, GenExpr, GenExpr)
    case call(String, [GenExpr])
    /// A call printed with a trailing comma after its last argument (`Math.max(x, y,)`).
    case trailingComma(GenExpr)
    /// Redundant parentheses, on purpose.
    case paren(GenExpr)
    /// A `/* … */` comment in front of the expression.
    case comment(String, GenExpr)
}

/// Statements of the function-body form.
indirect enum GenStmt {
    case declare(keyword: String, name: String, GenExpr)
    /// `name op value`; `type` is the local's type (compound assignment is checked arithmetic).
    case assign(name: String, op: String, GenExpr, type: ScalarType)
    case ifElse(GenExpr, GenStmt, GenStmt?)
    case block([GenStmt])
    case ret(GenExpr)
    /// `return;` (only in programs that may fall off the end: the result is `undefined`).
    case bareReturn
    case empty
    case lineComment(String)
    case blockComment(String)
    /// `// text` ended by `terminator` (U+2028, U+2029 or CR: line terminators to JavaScript), with
    /// the statement following on the same line of a text editor.
    case commentThen(String, terminator: String, GenStmt)
}

/// Prints trees as JavaScript, with the fewest parentheses JavaScript's grammar (and the subset's
/// non-associative comparisons) needs, plus the redundant ones the tree asks for.
enum GenPrinter {
    static func precedence(of op: String) -> Int {
        switch op {
        case "**": 13
        case "*", "/", "%": 12
        case "+", "-": 11
        case "<", "<=", ">", ">=": 9
        case "===", "!==", "==", "!=": 8
        case "&&": 4
        case "||": 3
        default: preconditionFailure("unknown operator \(op)")
        }
    }

    static func expression(_ e: GenExpr, checked: Bool, minimum: Int = 0) -> String {
        let (text, prec) = bare(e, checked: checked)
        return prec < minimum ? "(" + text + ")" : text
    }

    private static func bare(_ e: GenExpr, checked: Bool) -> (String, Int) {
        switch e {
        case .atom(let text):
            return (text, 18)
        case .unary(let op, let operand):
            let inner = expression(operand, checked: checked, minimum: 14)
            // `- -x`, not the decrement `--x`.
            let gap = op != "!" && inner.first == op.first ? " " : ""
            return (op + gap + inner, 14)
        case .binary(let op, let lhs, let rhs, let isChecked):
            let p = precedence(of: op)
            let (lmin, rmin): (Int, Int)
            switch op {
            // The base of `**` may not be a unary expression (`-2 ** 2` is a syntax error); `**`
            // is right-associative.
            case "**": (lmin, rmin) = (15, 13)
            // Comparisons are non-associative in the subset: a relational operand that is itself
            // relational, or an equality operand that is itself an equality, is parenthesised
            // (`(a < b) === c` would be ill-typed anyway; `a < b === c` is fine and left bare).
            case "<", "<=", ">", ">=": (lmin, rmin) = (10, 10)
            case "===", "!==", "==", "!=": (lmin, rmin) = (9, 9)
            default: (lmin, rmin) = (p, p + 1)
            }
            let text = expression(lhs, checked: checked, minimum: lmin) + " " + op + " "
                + expression(rhs, checked: checked, minimum: rmin)
            return checked && isChecked ? ("$c(" + text + ")", 18) : (text, p)
        case .conditional(let test, let yes, let no):
            let text = expression(test, checked: checked, minimum: 3) + " ? "
                + expression(yes, checked: checked, minimum: 2) + " : "
                + expression(no, checked: checked, minimum: 2)
            return (text, 2)
        case .call(let callee, let arguments):
            let text = callee + "(" + arguments.map { expression($0, checked: checked, minimum: 2) }
                .joined(separator: ", ") + ")"
            return checked ? ("$c(" + text + ")", 18) : (text, 18)
        case .trailingComma(let call):
            let (text, prec) = bare(call, checked: checked)
            guard text.hasSuffix(")") else { return (text, prec) }
            let suffix = checked ? "))" : ")"  // `$c(Math.max(…))` in the checked text
            guard text.hasSuffix(suffix) else { return (text, prec) }
            return (String(text.dropLast(suffix.count)) + "," + suffix, prec)
        case .paren(let inner):
            return ("(" + expression(inner, checked: checked) + ")", 18)
        case .comment(let note, let inner):
            let (text, prec) = bare(inner, checked: checked)
            return ("/* " + note + " */ " + text, prec)
        }
    }

    static func statements(_ list: [GenStmt], checked: Bool, indent: Int) -> [String] {
        list.flatMap { statement($0, checked: checked, indent: indent) }
    }

    static func statement(_ s: GenStmt, checked: Bool, indent: Int) -> [String] {
        let pad = String(repeating: "  ", count: indent)
        switch s {
        case .declare(let keyword, let name, let value):
            return [pad + keyword + " " + name + " = " + expression(value, checked: checked) + ";"]
        case .assign(let name, let op, let value, _):
            if checked && op != "=" {
                // `x op= e` is `x = x op (e)` for a local; checked so that the oracle sees the result.
                let binary = String(op.dropLast())
                let text = "$c(" + name + " " + binary + " (" + expression(value, checked: true) + "))"
                return [pad + name + " = " + text + ";"]
            }
            return [pad + name + " " + op + " " + expression(value, checked: checked) + ";"]
        case .ifElse:
            return ifLines(s, checked: checked, indent: indent, prefix: pad + "if")
        case .block(let body):
            return [pad + "{"] + statements(body, checked: checked, indent: indent + 1) + [pad + "}"]
        case .ret(let value):
            return [pad + "return " + expression(value, checked: checked) + ";"]
        case .bareReturn:
            return [pad + "return;"]
        case .empty:
            return [pad + ";"]
        case .lineComment(let text):
            return [pad + "// " + text]
        case .blockComment(let text):
            return [pad + "/* " + text + " */"]
        case .commentThen(let text, let terminator, let next):
            var lines = statement(next, checked: checked, indent: 0)
            lines[0] = pad + "// " + text + terminator + lines[0]
            return lines
        }
    }

    /// `if (c) …` with its `else` / `else if` chain. Single-statement branches stay on the line.
    private static func ifLines(_ s: GenStmt, checked: Bool, indent: Int, prefix: String) -> [String] {
        guard case .ifElse(let test, let then, let otherwise) = s else { return [] }
        let pad = String(repeating: "  ", count: indent)
        var lines: [String]
        let head = prefix + " (" + expression(test, checked: checked) + ")"
        var closesWithBrace = false
        if case .block(let body) = then {
            lines = [head + " {"] + statements(body, checked: checked, indent: indent + 1)
            lines.append(pad + "}")
            closesWithBrace = true
        } else {
            lines = [head + " " + statement(then, checked: checked, indent: 0).joined(separator: " ")]
        }
        guard let otherwise else { return lines }
        let elseHead = closesWithBrace ? lines.removeLast() + " else" : pad + "else"
        switch otherwise {
        case .ifElse:
            lines += ifLines(otherwise, checked: checked, indent: indent, prefix: elseHead + " if")
        case .block(let body):
            lines.append(elseHead + " {")
            lines += statements(body, checked: checked, indent: indent + 1)
            lines.append(pad + "}")
        default:
            lines.append(elseHead + " " + statement(otherwise, checked: checked, indent: 0).joined(separator: " "))
        }
        return lines
    }
}

// MARK: - The generator

/// Makes well-typed programs of the subset, deterministically from a seed.
struct ProgramGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    // MARK: Pools

    static let recordSource = InputShape.record([
        ("value", .scalar(.number)), ("baseline", .scalar(.number)), ("name", .scalar(.string)),
        ("active", .scalar(.boolean)),
        ("meta", .record([("price", .scalar(.number)), ("tag", .scalar(.string)), ("note", .scalar(.null))])),
    ])
    static let recordCoeff = InputShape.record([
        ("alpha", .scalar(.number)), ("beta", .scalar(.number)), ("gdp_elasticity", .scalar(.number)),
        ("sector", .scalar(.string)),
    ])

    /// Inputs a program may declare (each program takes a random subset).
    static let inputPool: [InputDecl] = [
        InputDecl(name: "x", shape: .scalar(.number)),
        InputDecl(name: "y", shape: .scalar(.number)),
        InputDecl(name: "z", shape: .scalar(.number)),
        InputDecl(name: "gdpGrowth", shape: .scalar(.number)),
        InputDecl(name: "baseline", shape: .scalar(.number)),
        InputDecl(name: "hbm_supply", shape: .scalar(.number)),
        InputDecl(name: "_weight", shape: .scalar(.number)),
        InputDecl(name: "flag", shape: .scalar(.boolean)),
        InputDecl(name: "isActive", shape: .scalar(.boolean)),
        InputDecl(name: "region", shape: .scalar(.string)),
        InputDecl(name: "label", shape: .scalar(.string)),
        InputDecl(name: "nothing", shape: .scalar(.null)),
        InputDecl(name: "src", shape: recordSource),
        InputDecl(name: "coeff", shape: recordCoeff),
    ]

    /// Number literals as written: plain, fractional, exponent, `_` separators, and texts whose
    /// correct rounding is delicate (halfway cases, the overflow and subnormal boundaries).
    static let numberLiterals = [
        "0", "1", "2", "3", "4", "5", "7", "10", "12", "42", "80", "100", "120", "1000", "0.0",
        "0.5", "0.25", "0.1", "0.2", "0.3", "0.75", "1.5", "2.5", "3.5", "3.14159", "2.718281828459045",
        "0.49999999999999994", "4503599627370495.5", "9007199254740991", "9007199254740993",
        "1e-300", "1e300", "1e308", "1e-308", "1.7976931348623157e308", "1.7976931348623158e308",
        "5e-324", "2.4703282292062328e-324", "2.2250738585072014e-308", "1e21", "1e-7", "1E3",
        "2.5e+3", "6.02e23", "1e0", "1e-0", "1_000", "1_000_000", "0.000_001", "1_0.5", "1e1_0",
        "0.1000000000000000055511151231257827", "123456789012345678901234567890", "1e-400",
        "710", "709.782712893384", "1074", "1024", "1075", "0.1e1", "100_000.000_5",
    ]

    /// String literals as written: quotes, escapes, and texts that differ only in Unicode
    /// normalisation or need a surrogate pair in UTF-16.
    static let stringLiterals = [
        "\"north\"", "'south'", "\"\"", "''", "\"GDP\"", "\"it's\"", "'say \"hi\"'", "'it\\'s'",
        "\"tab\\there\"", "\"a\\nb\"", "\"back\\\\slash\"", "\"\\u00e9\"", "\"é\"", "\"e\\u0301\"",
        "\"😀\"", "\"\\uD83D\\uDE00\"", "\"NORTH\"", "\" \"", "\"a b\"", "'€'", "\"\\x41\"",
        "\"\\u{1F600}\"", "'\\u{e9}'", "\"\\v\\f\\b\\r\"", "\"nul\\0\"", "\"a\u{2028}b\"",
    ]

    static let stringValues = ["north", "south", "", "é", "e\u{301}", "😀", "NORTH", "a b", "it's", "GDP"]

    /// Interesting number inputs: zeros of both signs, halves, the ends of the double range.
    static let numberValues: [Double] = [
        0, -0.0, 1, -1, 2, -2, 3, -3, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994,
        -0.49999999999999994, 4503599627370495.5, -4503599627370495.5, 1e300, -1e300, 1e-300,
        -1e-300, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 1.7976931348623157e308, -1.7976931348623157e308,
        2.2250738585072014e-308, 1e21, 1e-7, 0.1, 0.2, 0.3, 7, 8, -8, 10, 80, 100, 120,
        79.99999999999999, 1000, 9007199254740991, 3.141592653589793, 710, -746, 1024, 0.75,
    ]

    static let notes = ["note", "adjust", "TODO: calibrate", "elasticity × growth", "ok"]
    static let localStems = ["t", "acc", "rate", "share", "delta", "k", "adj", "impact", "part", "v"]

    /// The deepest stack of redundant parentheses generated (the language brief allows nesting 64 deep).
    static let maxRedundantParentheses = 30

    static let mathConstants = ["PI", "E", "PI", "E", "LN2", "LN10", "LOG2E", "LOG10E", "SQRT2", "SQRT1_2"]

    static let unaryMath = ["abs", "sqrt", "exp", "log", "log10", "log2", "floor", "ceil", "round", "sign", "trunc"]

    // MARK: Per-program state

    private struct Local {
        let name: String
        let type: ScalarType
        let isConst: Bool
    }

    private var inputs: [InputDecl] = []
    /// Every way to read an input scalar, by type: `x`, `src.meta.price`, `coeff["beta"]` ….
    private var paths: [ScalarType: [[String]]] = [:]
    private var scopes: [[Local]] = []
    /// A name whose declaration is being generated: its initialiser may not read it (JavaScript's
    /// temporal dead zone), nor an outer binding of the same name.
    private var hidden: Set<String> = []
    private var localCounter = 0
    private var resultType: ScalarType = .number
    private var mayFallOff = false

    // MARK: Programs

    /// The `index`-th program of this generator's sequence.
    mutating func program(index: Int) -> GeneratedProgram {
        chooseInputs()
        scopes = [[]]
        hidden = []
        localCounter = 0
        mayFallOff = false
        resultType = rng.weighted([(60, .number), (16, .boolean), (16, .string), (8, .null)])
        let form: GeneratedProgram.Form = rng.chance(0.4) ? .expression : .body
        var source: String
        var checked: String
        switch form {
        case .expression:
            let e = expression(resultType, depth: rng.chance(0.1) ? rng.int(5, 7) : rng.int(0, 4))
            source = GenPrinter.expression(e, checked: false)
            checked = GenPrinter.expression(e, checked: true)
            if rng.chance(0.3) {
                source += ";"
                checked += ";"
            }
            if rng.chance(0.1) {
                let note = "/* " + rng.pick(Self.notes) + " */ "
                source = note + source
                checked = note + checked
            } else if rng.chance(0.05) {
                let note = "// " + rng.pick(Self.notes) + "\n"
                source = note + source
                checked = note + checked
            }
        case .body:
            let mustReturn = rng.chance(0.75)
            if !mustReturn { mayFallOff = true }
            var body = block(depth: 0, mustReturn: mustReturn, mayReturn: true)
            if !body.contains(where: \.isSubstantial) {
                // An empty (or comment-only) body is no program; give it a value.
                body.append(.ret(expression(resultType, depth: rng.int(0, 3))))
            }
            // Mostly `\n`; sometimes CRLF or a lone CR, which JavaScript reads as line breaks too.
            let newline = rng.weighted([(36, "\n"), (2, "\r\n"), (2, "\r"), (1, "\u{2028}"), (1, "\u{2029}")])
            var lines = GenPrinter.statements(body, checked: false, indent: 0)
            if rng.chance(0.1) {
                // Automatic semicolon insertion: leave out `;` at line ends (never a line of its own,
                // and never after a bare `return`, which must not be followed by a line break).
                for i in lines.indices where lines[i].hasSuffix(";") && rng.chance(0.7)
                    && lines[i].trimmingLeadingSpaces() != ";" && !lines[i].hasSuffix("return;") {
                    lines[i].removeLast()
                }
            }
            source = lines.joined(separator: newline)
            checked = GenPrinter.statements(body, checked: true, indent: 0).joined(separator: newline)
        }
        if rng.chance(0.05) { source = varyWhitespace(source) }
        let count = rng.int(3, 5)
        let bindings = (0..<count).map { _ in binding() }
        return GeneratedProgram(
            id: "p\(index)", form: form, inputs: inputs, source: source, checkedSource: checked,
            resultType: resultType, mayFallOff: mayFallOff, bindings: bindings)
    }

    /// JavaScript's other white space (not line terminators, which would change `return x`).
    static let spaces = ["\t", "\u{0B}", "\u{0C}", "\u{A0}", "\u{FEFF}", "\u{2009}", "\u{3000}", "\u{202F}", "\u{1680}"]

    /// Replaces some spaces between tokens (not in strings or comments) with other white space.
    private mutating func varyWhitespace(_ text: String) -> String {
        enum State { case code, string(Unicode.Scalar), escape(Unicode.Scalar), lineComment, blockComment }
        var state = State.code
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            let next: Unicode.Scalar? = i + 1 < scalars.count ? scalars[i + 1] : nil
            switch state {
            case .code:
                if c == "\"" || c == "'" {
                    state = .string(c)
                } else if c == "/" && next == "/" {
                    state = .lineComment
                } else if c == "/" && next == "*" {
                    state = .blockComment
                    out.append(c)
                    out.append("*")
                    i += 2
                    continue
                } else if c == " " && rng.chance(0.3) {
                    out.append(contentsOf: rng.pick(Self.spaces).unicodeScalars)
                    i += 1
                    continue
                }
            case .string(let quote):
                if c == "\\" { state = .escape(quote) } else if c == quote { state = .code }
            case .escape(let quote):
                state = .string(quote)
            case .lineComment:
                if ["\n", "\r", "\u{2028}", "\u{2029}"].contains(c) { state = .code }
            case .blockComment:
                if c == "*" && next == "/" {
                    out.append(c)
                    out.append("/")
                    state = .code
                    i += 2
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        return String(out)
    }

    private mutating func chooseInputs() {
        var chosen: [InputDecl] = []
        for var decl in Self.inputPool where rng.chance(0.4) {
            decl.isDeclaredAny = rng.chance(0.08)
            chosen.append(decl)
        }
        if !chosen.contains(where: { if case .scalar(.number) = $0.shape { true } else { false } }) {
            chosen.insert(Self.inputPool[rng.below(3)], at: 0)
        }
        // Shuffle (Fisher–Yates) so parameter order varies.
        for i in stride(from: chosen.count - 1, to: 0, by: -1) {
            chosen.swapAt(i, rng.below(i + 1))
        }
        inputs = chosen
        paths = [:]
        for decl in chosen { collectPaths(decl.shape, [decl.name]) }
    }

    private mutating func collectPaths(_ shape: InputShape, _ path: [String]) {
        switch shape {
        case .scalar(let t): paths[t, default: []].append(path)
        case .record(let fields): for (name, field) in fields { collectPaths(field, path + [name]) }
        }
    }

    // MARK: Bindings

    private mutating func binding() -> [String: Value] {
        var result: [String: Value] = [:]
        for decl in inputs { result[decl.name] = value(decl.shape) }
        return result
    }

    private mutating func value(_ shape: InputShape) -> Value {
        switch shape {
        case .scalar(.number): .number(numberValue())
        case .scalar(.boolean): .boolean(rng.chance(0.5))
        case .scalar(.string):
            // Now and then a string at or just over the 1 KiB limit on string values.
            rng.chance(0.02)
                ? .string(String(repeating: rng.pick(["ab", "é"]), count: rng.pick([256, 512, 513])))
                : .string(rng.pick(Self.stringValues))
        case .scalar(.null): .null
        case .record(let fields):
            .record(Dictionary(uniqueKeysWithValues: fields.map { ($0.0, value($0.1)) }))
        }
    }

    private mutating func numberValue() -> Double {
        switch rng.below(10) {
        case 0, 1, 2: return rng.pick(Self.numberValues)
        case 3, 4: return Double(rng.int(-200, 200))
        case 5, 6: return Double(rng.int(-4000, 4000)) / 8
        case 7, 8:
            // Uniform-ish in magnitude: a random significand at a random binary exponent.
            let mantissa = Double(rng.next() >> 11) * 0x1p-53
            let scaled = mantissa * Double(sign: .plus, exponent: rng.int(-30, 30), significand: 1)
            return rng.chance(0.5) ? -scaled : scaled
        default:
            // Any finite double at all.
            while true {
                let d = Double(bitPattern: rng.next())
                if d.isFinite { return d }
            }
        }
    }

    // MARK: Expressions

    /// The locals in scope, innermost declaration of each name only (a nested block may shadow
    /// an outer local or an input), without the one being declared (`hidden`, its dead zone).
    private func visibleLocals() -> [Local] {
        var seen = hidden
        var result: [Local] = []
        for scope in scopes.reversed() {
            for local in scope where !seen.contains(local.name) {
                seen.insert(local.name)
                result.append(local)
            }
        }
        return result
    }

    private func visibleLocals(_ type: ScalarType) -> [Local] {
        visibleLocals().filter { $0.type == type }
    }

    /// Input paths of `type` whose root is not shadowed by a local (or in its dead zone).
    private func visiblePaths(_ type: ScalarType) -> [[String]] {
        let shadowed = Set(scopes.joined().map(\.name)).union(hidden)
        return (paths[type] ?? []).filter { !shadowed.contains($0[0]) }
    }

    /// A name, member path or local of `type`, if any exists.
    private mutating func read(_ type: ScalarType) -> GenExpr? {
        let locals = visibleLocals(type)
        let inputPaths = visiblePaths(type)
        guard !locals.isEmpty || !inputPaths.isEmpty else { return nil }
        if !locals.isEmpty && (inputPaths.isEmpty || rng.chance(0.4)) {
            return .atom(rng.pick(locals).name)
        }
        let path = rng.pick(inputPaths)
        var text = path[0]
        for field in path.dropFirst() {
            switch rng.below(4) {
            case 0: text += "[\"" + field + "\"]"
            case 1: text += "['" + field + "']"
            default: text += "." + field
            }
        }
        return .atom(text)
    }

    private mutating func numberLiteral() -> String {
        switch rng.below(10) {
        case 0, 1, 2, 3: return rng.pick(Self.numberLiterals)
        case 4, 5, 6: return String(rng.int(0, 999))
        case 7, 8: return String(rng.int(0, 99)) + "." + String(rng.int(0, 999))
        default:
            // Up to e307 (no literal overflows to Infinity); down to e-330 (underflow to 0 is fine).
            let negative = rng.chance(0.5)
            return String(rng.int(1, 9)) + "." + String(rng.int(0, 99)) + "e" + (negative ? "-" : "")
                + String(negative ? rng.int(0, 330) : rng.int(0, 307))
        }
    }

    private mutating func leaf(_ type: ScalarType) -> GenExpr {
        if rng.chance(0.55), let r = read(type) { return r }
        switch type {
        case .number:
            if rng.chance(0.05) { return .atom("Math." + rng.pick(Self.mathConstants)) }
            return .atom(numberLiteral())
        case .boolean: return .atom(rng.chance(0.5) ? "true" : "false")
        case .string: return .atom(rng.pick(Self.stringLiterals))
        case .null: return .atom("null")
        }
    }

    /// A well-typed expression of `type`, at most `depth` operators deep.
    mutating func expression(_ type: ScalarType, depth: Int) -> GenExpr {
        var e = bareExpression(type, depth: depth)
        if rng.chance(0.04) { e = .paren(e) }
        if rng.chance(0.0005) {
            // A deep stack of redundant parentheses, well inside the brief's nesting limit of 64.
            for _ in 0..<rng.int(12, Self.maxRedundantParentheses) { e = .paren(e) }
        }
        if rng.chance(0.02) { e = .comment(rng.pick(Self.notes), e) }
        return e
    }

    private mutating func bareExpression(_ type: ScalarType, depth: Int) -> GenExpr {
        if depth <= 0 || rng.chance(0.15) { return leaf(type) }
        let d = depth - 1
        switch type {
        case .number:
            switch rng.weighted([(8, 0), (32, 1), (14, 2), (7, 3), (10, 4), (6, 5)]) {
            case 0: return .unary(rng.pick(["-", "-", "+"]), expression(.number, depth: d))
            case 1:
                let op = rng.weighted([(5, "+"), (5, "-"), (5, "*"), (4, "/"), (3, "%"), (3, "**")])
                return .binary(op, expression(.number, depth: d), expression(.number, depth: d), checked: true)
            case 2: return mathCall(depth: d)
            case 3: return conditional(.number, depth: d)
            case 4: return edgeCase(depth: d)
            default: return leaf(.number)
            }
        case .boolean:
            switch rng.weighted([(8, 0), (14, 1), (20, 2), (14, 3), (4, 4), (4, 5)]) {
            case 0: return .unary("!", expression(.boolean, depth: d))
            case 1:
                return .binary(rng.pick(["&&", "||"]), expression(.boolean, depth: d),
                               expression(.boolean, depth: d), checked: false)
            case 2:
                return .binary(rng.pick(["<", "<=", ">", ">="]), expression(.number, depth: d),
                               expression(.number, depth: d), checked: false)
            case 3:
                let t = rng.weighted([(10, ScalarType.number), (5, .boolean), (5, .string), (2, .null)])
                let ops = t == .string ? ["===", "!=="] : ["===", "!==", "==", "!="]
                return .binary(rng.pick(ops), expression(t, depth: d), expression(t, depth: d), checked: false)
            case 4: return conditional(.boolean, depth: d)
            default: return leaf(.boolean)
            }
        case .string:
            switch rng.weighted([(10, 0), (4, 1), (3, 2)]) {
            case 0:
                return .binary("+", expression(.string, depth: d), expression(.string, depth: d), checked: true)
            case 1: return conditional(.string, depth: d)
            default: return leaf(.string)
            }
        case .null:
            return rng.chance(0.4) ? conditional(.null, depth: d) : leaf(.null)
        }
    }

    private mutating func conditional(_ type: ScalarType, depth: Int) -> GenExpr {
        .conditional(expression(.boolean, depth: depth), expression(type, depth: depth),
                     expression(type, depth: depth))
    }

    private mutating func mathCall(depth: Int) -> GenExpr {
        let call = plainMathCall(depth: depth)
        return rng.chance(0.05) ? .trailingComma(call) : call
    }

    private mutating func plainMathCall(depth: Int) -> GenExpr {
        switch rng.below(6) {
        case 0, 1:
            let name = rng.chance(0.5) ? "Math.max" : "Math.min"
            let n = rng.weighted([(3, 1), (5, 2), (3, 3), (1, 4)])
            return .call(name, (0..<n).map { _ in expression(.number, depth: depth) })
        case 2:
            return .call("Math.pow", [expression(.number, depth: depth), expression(.number, depth: depth)])
        default:
            return .call("Math." + rng.pick(Self.unaryMath), [expression(.number, depth: depth)])
        }
    }

    private func lit(_ text: String) -> GenExpr { .atom(text) }
    private func neg(_ text: String) -> GenExpr { .unary("-", .atom(text)) }
    private func arith(_ op: String, _ a: GenExpr, _ b: GenExpr) -> GenExpr { .binary(op, a, b, checked: true) }

    /// The numeric edge cases of JavaScript, mixed with random operands.
    private mutating func edgeCase(depth: Int) -> GenExpr {
        let any = expression(.number, depth: depth)
        let halves = ["0.5", "1.5", "2.5", "0.49999999999999994", "4503599627370495.5", "0", "3.5"]
        switch rng.below(26) {
        case 0: return arith("/", any, lit(rng.pick(["0", "0.0"])))
        case 1: return arith("/", lit("0"), lit("0"))
        case 2: return arith("/", any, expression(.number, depth: depth))
        case 3: return .call("Math.log", [neg(rng.pick(["1", "0.5", "1e-300"]))])
        case 4: return .call(rng.pick(["Math.sqrt", "Math.log", "Math.log2", "Math.log10"]), [rng.chance(0.5) ? neg("1") : lit("0")])
        case 5: return arith("**", .paren(neg(rng.pick(["8", "2", "1", "0.5"]))), rng.chance(0.5) ? arith("/", lit("1"), lit("3")) : rng.chance(0.2) ? neg("1") : lit(rng.pick(["0.5", "3", "2", "0"])))
        case 6: return arith("**", .paren(.unary("-", any)), lit(rng.pick(["0.5", "2", "3", "1.5"])))
        case 7: return arith("**", lit(rng.pick(["10", "2", "1.5", "0.5"])), rng.chance(0.5) ? lit(rng.pick(["308", "309", "1023", "1024", "2000"])) : neg(rng.pick(["1074", "1075", "300", "400", "2000"])))
        case 8: return .call("Math.exp", [rng.chance(0.5) ? lit(rng.pick(["709", "709.78", "710", "1000"])) : neg(rng.pick(["745", "746", "1000"]))])
        case 9: return arith(rng.pick(["*", "+", "-"]), lit(rng.pick(["1e300", "1e308", "1.7976931348623157e308"])), lit(rng.pick(["1e300", "1e10", "2", "1e308"])))
        case 10: return arith(rng.pick(["*", "/"]), lit(rng.pick(["1e-300", "5e-324", "2.2250738585072014e-308"])), lit(rng.pick(["1e-300", "2", "1e10", "0.5"])))
        case 11: return arith("%", rng.chance(0.5) ? neg(rng.pick(["5", "4", "0", "5.5", "1e300"])) : lit(rng.pick(["5", "4", "0", "5.5"])), rng.chance(0.5) ? neg(rng.pick(["3", "2", "0.5"])) : lit(rng.pick(["3", "2", "0", "0.5"])))
        case 12: return arith("%", any, expression(.number, depth: depth))
        case 13: return arith("%", .paren(neg("0")), lit(rng.pick(["5", "1", "0"])))
        case 14: return .call("Math.round", [rng.chance(0.5) ? neg(rng.pick(halves)) : lit(rng.pick(halves))])
        case 15: return .call("Math.round", [any])
        case 16: return .call(rng.pick(["Math.max", "Math.min"]), [neg("0"), lit("0")])
        case 17: return .call(rng.pick(["Math.max", "Math.min"]), [lit("0"), neg("0")])
        case 18: return arith("/", lit("1"), .call(rng.pick(["Math.max", "Math.min"]), [rng.chance(0.5) ? neg("0") : lit("0"), rng.chance(0.5) ? neg("0") : lit("0")]))
        case 19: return .call(rng.pick(["Math.sign", "Math.trunc", "Math.ceil", "Math.floor", "Math.abs", "Math.round"]), [neg(rng.pick(["0", "0.5", "0.2", "1e-300"]))])
        case 20: return .call("Math.pow", [rng.chance(0.5) ? neg("0") : lit("0"), rng.chance(0.5) ? neg(rng.pick(["1", "2", "0.5"])) : lit(rng.pick(["0", "1", "0.5"]))])
        case 21: return .call(rng.pick(["Math.log2", "Math.log10", "Math.log"]), [lit(rng.pick(["8", "1000", "1e15", "2.718281828459045", "1e-300", "5e-324", "1e308", "3"]))])
        case 22: return arith("**", any, expression(.number, depth: depth))
        case 23: return .call("Math.sqrt", [any])
        case 24: return arith("/", lit("1"), arith("/", lit("1"), lit("0")))
        default: return arith("-", any, any)
        }
    }

    // MARK: Statements

    /// A nested block's first statement declaring a name that an outer local or an input already
    /// has, with a type of its own; the rest of the block sees only the new binding.
    private mutating func shadowingDeclaration() -> GenStmt? {
        let candidates = visibleLocals().map(\.name) + inputs.map(\.name).filter { name in
            !scopes.joined().contains { $0.name == name }
        }
        guard !candidates.isEmpty else { return nil }
        let name = rng.pick(candidates)
        let type = rng.weighted([(10, ScalarType.number), (3, .boolean), (3, .string), (1, .null)])
        hidden.insert(name)
        let value = expression(type, depth: rng.int(0, 3))
        hidden.remove(name)
        let isConst = rng.chance(0.5)
        scopes[scopes.count - 1].append(Local(name: name, type: type, isConst: isConst))
        return .declare(keyword: isConst ? "const" : "let", name: name, value)
    }

    private mutating func newLocal(_ type: ScalarType, isConst: Bool) -> String {
        localCounter += 1
        let name = rng.pick(Self.localStems) + String(localCounter)
        scopes[scopes.count - 1].append(Local(name: name, type: type, isConst: isConst))
        return name
    }

    /// A block's statements. With `mustReturn` every path through it returns; with `mayReturn`
    /// false it never ends in a `return` of its own (so that nothing after it is unreachable).
    private mutating func block(depth: Int, mustReturn: Bool, mayReturn: Bool) -> [GenStmt] {
        var list: [GenStmt] = []
        if depth > 0 && rng.chance(0.2), let shadow = shadowingDeclaration() { list.append(shadow) }
        let maxLength = max(0, 4 - depth)
        for _ in 0..<rng.int(0, maxLength) { list.append(statement(depth: depth)) }
        if mustReturn {
            list.append(terminator(depth: depth))
        } else if mayReturn && rng.chance(0.3) {
            list.append(.ret(expression(resultType, depth: rng.int(0, 3))))
        }
        let simple = list.indices.filter { list[$0].isSimple }
        if !simple.isEmpty && rng.chance(0.05) {
            let i = rng.pick(simple)
            list[i] = .commentThen(rng.pick(Self.notes), terminator: rng.pick(["\u{2028}", "\u{2029}", "\r"]), list[i])
        }
        return list
    }

    private mutating func scoped(_ body: (inout ProgramGenerator) -> [GenStmt]) -> [GenStmt] {
        scopes.append([])
        let result = body(&self)
        scopes.removeLast()
        return result
    }

    /// A statement after which execution may continue.
    private mutating func statement(depth: Int) -> GenStmt {
        let assignable = visibleLocals().filter { !$0.isConst }
        let choice = rng.weighted([
            (10, 0), (assignable.isEmpty ? 0 : 8, 1), (depth < 3 ? 7 : 0, 2), (depth < 3 ? 2 : 0, 3),
            (1, 4), (2, 5), (1, 6),
        ])
        switch choice {
        case 0:
            let type = rng.weighted([(10, ScalarType.number), (3, .boolean), (3, .string), (1, .null)])
            let value = expression(type, depth: rng.int(0, 3))
            let isConst = rng.chance(0.5)
            let name = newLocal(type, isConst: isConst)
            return .declare(keyword: isConst ? "const" : "let", name: name, value)
        case 1:
            return assignment(rng.pick(assignable))
        case 2:
            // `if` whose branches may return, but not both (what follows stays reachable).
            let test = expression(.boolean, depth: rng.int(0, 3))
            let thenReturns = rng.chance(0.5)
            let then = thenReturns && mayFallOff && rng.chance(0.15)
                ? GenStmt.bareReturn
                : branch(depth: depth + 1, mustReturn: thenReturns, mayReturn: thenReturns)
            if rng.chance(0.5) {
                let otherwise: GenStmt
                if rng.chance(0.3) && !thenReturns {
                    // `else if …` (or a braced single statement, in its own scope).
                    otherwise = scoped { [$0.statement(depth: depth + 1)] }[0].asIfOrBlock()
                } else {
                    otherwise = branch(depth: depth + 1, mustReturn: false, mayReturn: !thenReturns)
                }
                return .ifElse(test, then, otherwise)
            }
            return .ifElse(test, then, nil)
        case 3:
            return .block(scoped { $0.block(depth: depth + 1, mustReturn: false, mayReturn: false) })
        case 4:
            return .empty
        case 6:
            // A string doubled towards (and sometimes past) the 1 KiB limit on string values.
            return .block(scoped { g in
                let seed = g.expression(.string, depth: 1)
                let name = g.newLocal(.string, isConst: false)
                var list: [GenStmt] = [.declare(keyword: "let", name: name, seed)]
                for _ in 0..<g.rng.int(3, 9) {
                    list.append(.assign(name: name, op: "+=", .atom(name), type: .string))
                }
                return list
            })
        default:
            return rng.chance(0.5) ? .lineComment(rng.pick(Self.notes)) : .blockComment(rng.pick(Self.notes))
        }
    }

    private mutating func assignment(_ local: Local) -> GenStmt {
        let op: String
        switch local.type {
        case .number: op = rng.pick(["=", "+=", "-=", "*=", "/=", "+=", "%=", "**="])
        case .string: op = rng.pick(["=", "+="])
        default: op = "="
        }
        return .assign(name: local.name, op: op, expression(local.type, depth: rng.int(0, 3)), type: local.type)
    }

    /// A branch of an `if`: a braced block, or (when it declares nothing) sometimes a single statement.
    private mutating func branch(depth: Int, mustReturn: Bool, mayReturn: Bool) -> GenStmt {
        if rng.chance(0.35) {
            if mustReturn { return .ret(expression(resultType, depth: rng.int(0, 3))) }
            let assignable = visibleLocals().filter { !$0.isConst }
            if !assignable.isEmpty && rng.chance(0.7) { return assignment(rng.pick(assignable)) }
        }
        return .block(scoped { $0.block(depth: depth, mustReturn: mustReturn, mayReturn: mayReturn) })
    }

    /// A statement on every path of which the program returns.
    private mutating func terminator(depth: Int) -> GenStmt {
        switch depth < 3 ? rng.weighted([(6, 0), (3, 1), (1, 2)]) : 0 {
        case 1:
            let test = expression(.boolean, depth: rng.int(0, 3))
            let then = branch(depth: depth + 1, mustReturn: true, mayReturn: true)
            let otherwise: GenStmt = rng.chance(0.3)
                ? terminator(depth: depth + 1).asIfOrBlock()
                : branch(depth: depth + 1, mustReturn: true, mayReturn: true)
            return .ifElse(test, then, otherwise)
        case 2:
            return .block(scoped { $0.block(depth: depth + 1, mustReturn: true, mayReturn: true) })
        default:
            return .ret(expression(resultType, depth: rng.int(0, 4)))
        }
    }
}

extension String {
    fileprivate func trimmingLeadingSpaces() -> Substring { drop { $0 == " " } }
}

extension GenStmt {
    /// A one-line statement that a comment may precede on the same line.
    var isSimple: Bool {
        switch self {
        case .declare, .assign, .ret: true
        default: false
        }
    }

    /// Anything but an empty statement or a comment.
    var isSubstantial: Bool {
        switch self {
        case .empty, .lineComment, .blockComment: false
        case .commentThen(_, _, let next): next.isSubstantial
        default: true
        }
    }

    /// An `else` branch: `else if …` stays as is, anything else that could declare is braced.
    func asIfOrBlock() -> GenStmt {
        switch self {
        case .ifElse, .block, .ret, .bareReturn, .assign: self
        default: .block([self])
        }
    }
}

// MARK: - The oracle's case file

/// Writes the JSON case file that `Fixtures/oracle.js` reads. Numbers are written as Swift's
/// shortest round-trip text (`-0.0` keeps its sign through `JSON.parse`), so every binding reaches
/// JavaScript bit for bit.
enum OracleCaseFile {
    static func encode(_ programs: [GeneratedProgram]) -> String {
        var out = "[\n"
        for (i, p) in programs.enumerated() {
            out += "{\"id\":" + string(p.id) + ",\"form\":" + string(p.form.rawValue)
            out += ",\"params\":[" + p.params.map(string).joined(separator: ",") + "]"
            out += ",\"source\":" + string(p.source) + ",\"checked\":" + string(p.checkedSource)
            out += ",\"resultType\":" + string(p.resultType.rawValue)
            out += ",\"mayFallOff\":" + (p.mayFallOff ? "true" : "false")
            out += ",\"bindings\":[" + p.bindings.map { b in
                "{" + p.params.map { string($0) + ":" + value(b[$0]!) }.joined(separator: ",") + "}"
            }.joined(separator: ",") + "]}"
            out += i + 1 < programs.count ? ",\n" : "\n"
        }
        return out + "]\n"
    }

    static func value(_ v: Value) -> String {
        switch v {
        case .number(let x):
            precondition(x.isFinite, "bindings are finite")
            return x.description
        case .boolean(let b): return b ? "true" : "false"
        case .string(let s): return string(s)
        case .null, .undefined: return "null"
        case .record(let fields):
            return "{" + fields.keys.sorted().map { string($0) + ":" + value(fields[$0]!) }
                .joined(separator: ",") + "}"
        }
    }

    static func string(_ s: String) -> String { JSNumber.quoted(s) }
}
