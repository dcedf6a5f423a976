// The table of rejected programs: ill-typed and forbidden formulas that must fail cleanly when
// compiled — no formula, and among the errors one of the expected kind and code, whose message
// (and hint, and fix-it, where the language brief promises one) says what is wrong.

import Testing
@testable import CascadeFormula

/// One program that `Formula.compile` must reject.
struct RejectedProgram: CustomTestStringConvertible, Sendable {
    let source: String
    let kind: Diagnostic.Kind
    /// The full code, e.g. `"forbidden.loop"`.
    let code: String
    /// A substring of the diagnostic's message.
    let message: String
    /// A substring of the diagnostic's hint, when one is promised.
    var hint: String?
    /// The fix-it's replacement text, when one is promised.
    var fixIt: String?
    var inputs: [String: InputType] = RejectedProgram.standardInputs

    static let standardInputs: [String: InputType] = [
        "x": .number, "y": .number, "gdpGrowth": .number, "flag": .boolean, "region": .string,
        "src": .record(["value": .number, "name": .string]), "coeff": .record(["beta": .number]),
    ]

    init(_ source: String, _ kind: Diagnostic.Kind, _ code: String, _ message: String,
         hint: String? = nil, fixIt: String? = nil) {
        self.source = source
        self.kind = kind
        self.code = code
        self.message = message
        self.hint = hint
        self.fixIt = fixIt
    }

    var testDescription: String {
        let text = source.replacingNewlines()
        return code + ": " + (text.count > 60 ? String(text.prefix(57)) + "…" : text)
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(unicodeScalars.map { $0 == "\n" ? "⏎" : Character($0) })
    }
}

@Suite("Rejected programs")
struct RejectedProgramTests {
    static let programs: [RejectedProgram] = [
        // Loops and jumps.
        .init("for (let i = 0; i < 3; i++) { x += 1; }\nreturn x;", .forbidden, "forbidden.loop", "`for` loops are not allowed"),
        .init("while (x > 0) { x -= 1; }\nreturn x;", .forbidden, "forbidden.loop", "`while` loops are not allowed"),
        .init("do { } while (flag);\nreturn 1;", .forbidden, "forbidden.loop", "`do` loops are not allowed"),
        .init("if (flag) { break; }\nreturn 1;", .forbidden, "forbidden.jump", "`break` is not allowed"),

        // Function definitions of any kind.
        .init("function f() { return 1; }\nreturn f();", .forbidden, "forbidden.function", "function definitions are not allowed"),
        .init("const f = (a) => a * 2;\nreturn f(x);", .forbidden, "forbidden.function", "arrow functions are not allowed"),
        .init("const f = a => a * 2;\nreturn 1;", .forbidden, "forbidden.function", "arrow functions are not allowed"),
        .init("const f = function () { return 1; };\nreturn 1;", .forbidden, "forbidden.function", "function definitions are not allowed"),

        // `var`, `new`, `this`, `eval`, `Function`, `globalThis`.
        .init("var t = 1;\nreturn t;", .forbidden, "forbidden.var", "`var` is not allowed", fixIt: "let"),
        .init("return new Date();", .forbidden, "forbidden.new", "`new` is not allowed"),
        .init("return this.x;", .forbidden, "forbidden.this", "`this` is not allowed"),
        .init("return eval(\"1 + 1\");", .forbidden, "forbidden.name", "`eval` is not allowed"),
        .init("return Function(\"return 1\")();", .forbidden, "forbidden.name", "`Function` is not allowed"),
        .init("return globalThis.x;", .forbidden, "forbidden.name", "`globalThis` is not allowed"),

        // Prototype access: as names, as member names, and as literal computed keys.
        .init("return constructor;", .forbidden, "forbidden.name", "`constructor` is not allowed"),
        .init("return src.constructor;", .forbidden, "forbidden.member", "`constructor` is not allowed"),
        .init("return src.__proto__;", .forbidden, "forbidden.member", "`__proto__` is not allowed"),
        .init("return src.prototype;", .forbidden, "forbidden.member", "`prototype` is not allowed"),
        .init("return src[\"constructor\"];", .forbidden, "forbidden.member", "`constructor` is not allowed"),
        .init("return coeff['__proto__'];", .forbidden, "forbidden.member", "`__proto__` is not allowed"),
        .init("return x.constructor;", .forbidden, "forbidden.member", "`constructor` is not allowed"),
        .init("return Math.constructor;", .forbidden, "forbidden.member", "`constructor` is not allowed"),
        .init("return src.value.constructor.constructor(\"return 1\")();", .forbidden, "forbidden.member", "`constructor` is not allowed"),
        .init("return Object.keys(src).length;", .forbidden, "forbidden.name", "`Object` is not allowed"),
        .init("return Reflect.get(src, \"value\");", .forbidden, "forbidden.name", "`Reflect` is not allowed"),
        .init("return Proxy;", .forbidden, "forbidden.name", "`Proxy` is not allowed"),

        // Computed member access needs a literal key.
        .init("return src[region];", .forbidden, "forbidden.computed-member", "computed member access needs a string literal key"),
        .init("return src[\"val\" + \"ue\"];", .forbidden, "forbidden.computed-member", "computed member access needs a string literal key"),

        // Object and array literals.
        .init("return { a: 1 };", .forbidden, "forbidden.object-literal", "object literals are not allowed"),
        .init("return [1, 2][0];", .forbidden, "forbidden.array-literal", "array literals are not allowed"),

        // Bitwise operators.
        .init("return x ^ 2;", .forbidden, "forbidden.bitwise", "`^` is not allowed", hint: "`^` is XOR in JavaScript; use `**`", fixIt: "**"),
        .init("return x & 1;", .forbidden, "forbidden.bitwise", "bitwise `&` is not allowed"),
        .init("return x | 1;", .forbidden, "forbidden.bitwise", "bitwise `|` is not allowed"),
        .init("return ~x;", .forbidden, "forbidden.bitwise", "bitwise `~` is not allowed"),
        .init("return x << 1;", .forbidden, "forbidden.bitwise", "bit shift `<<` is not allowed"),
        .init("return x >> 1;", .forbidden, "forbidden.bitwise", "bit shift `>>` is not allowed"),
        .init("return x >>> 1;", .forbidden, "forbidden.bitwise", "bit shift `>>>` is not allowed"),
        .init("let t = x;\nt ^= 2;\nreturn t;", .forbidden, "forbidden.bitwise", "bitwise or logical assignment", hint: "`^` is XOR"),

        // The comma operator, and the decimal-comma trap.
        .init("return -0,25;", .forbidden, "forbidden.comma", "the comma operator is not allowed", hint: "a decimal point is `.`", fixIt: "."),
        .init("return x, y;", .forbidden, "forbidden.comma", "the comma operator is not allowed"),

        // `typeof`, `instanceof`, `in`, `delete`.
        .init("return typeof x;", .forbidden, "forbidden.operator", "`typeof` is not allowed"),
        .init("return src instanceof Object;", .forbidden, "forbidden.operator", "`instanceof` is not allowed"),
        .init("return \"value\" in src;", .forbidden, "forbidden.operator", "`in` is not allowed"),
        .init("delete src.value;\nreturn 1;", .forbidden, "forbidden.operator", "`delete` is not allowed"),

        // Template and regex literals.
        .init("return `a${x}`;", .forbidden, "forbidden.template-literal", "template literals are not allowed"),
        .init("return /ab+c/.test(region);", .forbidden, "forbidden.regex", "regular expression literals are not allowed"),

        // BigInt, legacy octal, hexadecimal.
        .init("return 10n;", .forbidden, "forbidden.bigint", "BigInt literals are not allowed"),
        .init("return 012;", .forbidden, "forbidden.legacy-octal", "legacy octal literals are not allowed", fixIt: "12"),
        .init("return 0x1F;", .forbidden, "forbidden.number-base", "hexadecimal literals are not allowed"),

        // `NaN`, `Infinity`, `undefined` as names.
        .init("return NaN;", .forbidden, "forbidden.non-finite-name", "`NaN` cannot be written"),
        .init("return x > 0 ? Infinity : 0;", .forbidden, "forbidden.non-finite-name", "`Infinity` cannot be written"),
        .init("return undefined;", .forbidden, "forbidden.non-finite-name", "`undefined` cannot be written"),

        // `return` followed by a line break (JavaScript returns nothing).
        .init("return\n  x * 2;", .forbidden, "forbidden.return-newline", "`return` followed by a line break", fixIt: " "),

        // Look-alike characters, with fix-its.
        .init("return x \u{2212} 1;", .forbidden, "forbidden.lookalike-operator", "Unicode minus sign", fixIt: "-"),
        .init("return region === \u{201C}north\u{201D};", .forbidden, "forbidden.smart-quote", "typographic quotes", fixIt: "\"north\""),
        .init("return region === \u{2018}north\u{2019};", .forbidden, "forbidden.smart-quote", "typographic quotes", fixIt: "'north'"),

        // Non-determinism and unknown names.
        .init("return Math.random();", .forbidden, "forbidden.nondeterministic", "`Math.random` is not allowed"),
        .init("return gdpGrowht * 2;", .name, "name.unknown", "unknown name `gdpGrowht`", hint: "did you mean `gdpGrowth`?"),
        .init("return Math.foo(1);", .name, "name.unknown-math", "`Math` has no member `foo`"),
        .init("return Math.sqr(2);", .name, "name.unknown-math", "`Math` has no member `sqr`", hint: "did you mean `Math.sqrt`?"),
        .init("return src.valu;", .name, "name.unknown-field", "has no field `valu`", hint: "did you mean `value`?"),

        // Locals: `const` reassignment, use before declaration, assignment to inputs and records.
        .init("const k = 1;\nk = 2;\nreturn k;", .name, "name.const-assignment", "`k` is a `const` and cannot be reassigned"),
        .init("const a = b + 1;\nconst b = 2;\nreturn a;", .name, "name.before-declaration", "`b` is used before its declaration"),
        .init("x = 2;\nreturn x;", .forbidden, "forbidden.input-assignment", "`x` is an input, and inputs are read-only"),
        .init("x += 1;\nreturn x;", .forbidden, "forbidden.input-assignment", "`x` is an input, and inputs are read-only"),
        .init("src.value = 3;\nreturn 1;", .forbidden, "forbidden.record-assignment", "records are read-only"),

        // Coercions JavaScript would make silently.
        .init("return '5' + 2;", .type, "type.string-coercion", "cannot add a string and a number"),
        .init("return 1 && 2;", .type, "type.mismatch", "the left operand of `&&` must be a boolean", hint: "`1 && 2` is 2"),
        .init("if (3) return 1;\nreturn 2;", .type, "type.mismatch", "must be a boolean"),
        .init("if (x) return 1;\nreturn 2;", .type, "type.mismatch", "must be a boolean"),
        .init("return null + 1;", .type, "type.mismatch", "the left operand of `+` must be a number", hint: "null as 0"),
        .init("return flag * 2;", .type, "type.mismatch", "the left operand of `*` must be a number", hint: "booleans as 0 and 1"),
        .init("return !x;", .type, "type.mismatch", "the operand of `!` must be a boolean"),
        .init("return x === region;", .type, "type.comparison-types", "`===` compares a number with a string"),
        .init("return region < \"m\";", .type, "type.string-order", "strings can only be compared with `===` and `!==`"),
        .init("return flag ? 1 : \"one\";", .type, "type.branch-mismatch", "the branches of `?:` have different types"),
        // All returns of one formula give one type (the brief's rule; see the report if this fails).
        .init("if (flag) return 1;\nreturn \"one\";", .type, "type.return-mismatch", "return"),
        .init("return src;", .type, "type.record-value", "a formula cannot return a record"),

        // Syntax JavaScript itself rejects, or the subset makes non-associative.
        .init("return -2 ** 2;", .syntax, "syntax.unary-before-power", "a unary operator cannot appear directly before `**`", fixIt: "(-2)"),
        .init("return -x ** 2;", .syntax, "syntax.unary-before-power", "a unary operator cannot appear directly before `**`", fixIt: "(-x)"),
        .init("return x < y < 3;", .syntax, "syntax.chained-comparison", "comparisons cannot be chained"),
        .init("return x === y === true;", .syntax, "syntax.chained-comparison", "comparisons cannot be chained"),

        // Math arity.
        .init("return Math.max();", .type, "type.arity", "`Math.max` takes at least 1 argument, but 0 were given"),
        .init("return Math.sqrt(1, 2);", .type, "type.arity", "`Math.sqrt` takes 1 argument, but 2 were given"),
        .init("return Math.pow(2);", .type, "type.arity", "`Math.pow` takes 2 arguments, but 1 was given"),
        .init("return Math.abs;", .type, "type.uncalled-function", "`Math.abs` must be called"),
        .init("return region.length;", .type, "type.no-fields", "has no field `length`"),

        // Other things JavaScript has and formulas do not.
        .init("let t = x;\nt++;\nreturn t;", .forbidden, "forbidden.increment", "`++` is not allowed"),
        .init("return src?.value;", .forbidden, "forbidden.optional-chaining", "`?.` is not allowed"),
        .init("return x ?? 0;", .forbidden, "forbidden.nullish", "`??` is not allowed"),
        .init("switch (x) { case 1: return 1; }\nreturn 0;", .forbidden, "forbidden.switch", "`switch` is not allowed"),
        .init("try { return 1; } catch (e) { return 0; }", .forbidden, "forbidden.statement", "`try` is not allowed"),
        .init("let t;\nreturn 1;", .syntax, "syntax.missing-initializer", "`t` needs an initial value"),

        // Limits, met before the work they bound.
        .init("return 1e400;", .limit, "limit.number-too-large", "JavaScript reads it as Infinity"),
        .init("return \"" + String(repeating: "ab", count: 513) + "\";", .limit, "limit.string-length", "the limit is 1024"),
        .init(String(repeating: "(", count: 70) + "x" + String(repeating: ")", count: 70), .limit, "limit.depth",
              "nests deeper than"),
        .init(String(repeating: "if (x > 0) { ", count: 70) + "return 1;" + String(repeating: " }", count: 70) + "\nreturn 0;",
              .limit, "limit.depth", "nests deeper than"),
        .init(String(repeating: "(", count: 4000) + "x" + String(repeating: ")", count: 4000), .limit, "limit.depth",
              "nests deeper than"),
        .init(String(repeating: "(", count: 100_000) + "x" + String(repeating: ")", count: 100_000), .limit, "limit.source-size",
              "the limit is 8192"),
    ]

    @Test("rejected with the expected diagnostic", arguments: programs)
    func rejected(_ program: RejectedProgram) throws {
        let compiled = Formula.compile(program.source, inputs: program.inputs)
        #expect(compiled.formula == nil, "the formula compiled")
        let errors = compiled.diagnostics.filter(\.isError)
        let all = compiled.diagnostics.map(\.description).joined(separator: "\n")
        let match = try #require(errors.first { $0.code == program.code },
                                 "no `\(program.code)` error; got:\n\(all)")
        // The first error is the headline a user reads: it must be the real problem, not a follow-on.
        #expect(errors.first?.code == program.code, "the headline error is not `\(program.code)`; got:\n\(all)")
        #expect(match.kind == program.kind)
        #expect(match.code.hasPrefix(match.kind.rawValue + "."))
        #expect(match.message.contains(program.message), "message: \(match.message)")
        let byteCount = program.source.utf8.count
        #expect(0 <= match.range.start && match.range.start <= match.range.end && match.range.end <= byteCount,
                "range \(match.range) outside the source of \(byteCount) bytes")
        if let hint = program.hint {
            #expect(match.hint?.contains(hint) == true, "hint: \(match.hint ?? "none")")
        }
        if let replacement = program.fixIt {
            let fixIt = try #require(match.fixIt, "no fix-it")
            #expect(fixIt.replacement == replacement)
            #expect(fixIt.range.end <= byteCount)
        }
    }

    @Test("the table's codes are well-formed")
    func codesAreWellFormed() {
        for program in Self.programs {
            #expect(program.code.hasPrefix(program.kind.rawValue + "."), "\(program.code)")
        }
    }
}
