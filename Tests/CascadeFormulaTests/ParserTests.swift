@testable import CascadeFormula
import Testing

/// Precedence, associativity, program forms and recovery, checked on the tree's S-expression.
struct ParserTests {
    static let precedence: [(String, String)] = [
        ("a + b * c", "(+ a (* b c))"),
        ("a * b + c", "(+ (* a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b / c", "(/ (/ a b) c)"),
        ("a % b * c", "(* (% a b) c)"),
        ("2 ** 3 ** 2", "(** 2 (** 3 2))"),
        ("a * b ** c", "(* a (** b c))"),
        ("2 ** -x", "(** 2 (- x))"),
        ("-a * b", "(* (- a) b)"),
        ("- - a", "(- (- a))"),
        ("!a && b", "(&& (! a) b)"),
        ("a || b && c", "(|| a (&& b c))"),
        ("a && b || c && d", "(|| (&& a b) (&& c d))"),
        ("a < b === c > d", "(=== (< a b) (> c d))"),
        ("a + b < c * d", "(< (+ a b) (* c d))"),
        ("a ? b : c ? d : e", "(?: a b (?: c d e))"),
        ("a ? b ? c : d : e", "(?: a (?: b c d) e)"),
        ("a || b ? c : d", "(?: (|| a b) c d)"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("source.metadata.price", "(. (. source metadata) price)"),
        ("coeff[\"gdp_elasticity\"]", "(. coeff gdp_elasticity)"),
        ("Math.max(a, b + 1)", "(call (. Math max) a (+ b 1))"),
        ("-0", "(- 0)"),
        ("1_000.5e-1", "100.05"),
    ]

    @Test(arguments: ParserTests.precedence)
    func precedenceAndAssociativity(_ source: String, _ expected: String) {
        let tree = Formula.parse(source)
        #expect(tree.diagnostics.isEmpty, "\(tree.diagnostics)")
        #expect(tree.sExpression == expected)
    }

    static let bodies: [(String, String)] = [
        ("return x;", "(body (return x))"),
        ("const a = 1\nlet b = a\nb += 2\nreturn b", "(body (const a 1) (let b a) (+= b 2) (return b))"),
        ("if (a) return 1; else if (b) return 2;", "(body (if a (return 1) (if b (return 2))))"),
        ("if (a) { return 1 } return 2", "(body (if a (block (return 1))) (return 2))"),
        ("return;", "(body (return))"),
        (";;", "(body (empty) (empty))"),
        ("x = 1; return x;", "(body (= x 1) (return x))"),
    ]

    @Test(arguments: ParserTests.bodies)
    func functionBodies(_ source: String, _ expected: String) {
        let tree = Formula.parse(source)
        #expect(tree.diagnostics.isEmpty, "\(tree.diagnostics)")
        #expect(tree.sExpression == expected)
    }

    @Test func aSingleExpressionStatementIsTheExpressionForm() {
        guard case .expression = Formula.parse("(a - b) * c;").form else {
            Issue.record("expected the expression form")
            return
        }
        guard case .body = Formula.parse("return (a - b) * c;").form else {
            Issue.record("expected the body form")
            return
        }
    }

    @Test func everyNodeHasAByteRange() {
        let source = "return  (x+ 1)*y;"
        let tree = Formula.parse(source)
        guard case .body(let statements) = tree.form, case .returnValue(let value?) = statements[0].kind else {
            Issue.record("unexpected tree")
            return
        }
        #expect(value.range == SourceRange(8, 16))
        guard case .binary(_, let left, let right) = value.kind else { return }
        #expect(left.range == SourceRange(8, 14))
        #expect(right.range == SourceRange(15, 16))
    }

    static let syntaxErrors: [(String, String)] = [
        ("a < b < c", "syntax.chained-comparison"),
        ("a === b !== c", "syntax.chained-comparison"),
        ("-2 ** 2", "syntax.unary-before-power"),
        ("!a ** 2", "syntax.unary-before-power"),
        ("return (x + 1;", "syntax.unclosed-parenthesis"),
        ("return x +;", "syntax.expected-expression"),
        ("let x;", "syntax.missing-initializer"),
        ("return x y;", "syntax.unexpected-token"),
        ("if (x = 3) return 1;", "syntax.assignment-in-expression"),
        ("let a = 1, b = 2;", "syntax.multiple-declarators"),
        ("1__0", "syntax.numeric-separator"),
        ("1_", "syntax.numeric-separator"),
        ("3in", "syntax.number-suffix"),
        ("'abc", "syntax.unterminated-string"),
        ("/* open", "syntax.unterminated-comment"),
        ("{ return 1;", "syntax.unclosed-block"),
        ("return 1; }", "syntax.unexpected-token"),
        ("é + 1", "syntax.unexpected-character"),
        ("1e400", "limit.number-too-large"),
    ]

    @Test(arguments: ParserTests.syntaxErrors)
    func syntaxErrorsAreLocated(_ source: String, _ code: String) {
        let tree = Formula.parse(source)
        #expect(tree.diagnostics.contains { $0.code == code }, "\(tree.diagnostics.map(\.code))")
        for diagnostic in tree.diagnostics {
            #expect(diagnostic.range.start <= source.utf8.count)
            #expect(diagnostic.range.end <= source.utf8.count)
        }
    }

    @Test func severalErrorsAreReportedInOneParse() {
        let tree = Formula.parse("let a = 1 ^ 2;\nwhile (a) {}\nreturn a ,5;")
        let codes = tree.diagnostics.map(\.code)
        #expect(codes.contains("forbidden.bitwise"))
        #expect(codes.contains("forbidden.loop"))
        #expect(codes.contains("forbidden.comma"))
    }

    @Test func diagnosticsAreCapped() {
        let source = Array(repeating: "x ^ 1;", count: 100).joined(separator: "\n")
        let tree = Formula.parse(source)
        #expect(tree.diagnostics.count == Limits.default.maxDiagnostics + 1)
        #expect(tree.diagnostics.last?.severity == .note)
        #expect(tree.diagnostics.last?.message.contains("more problems not shown") == true)
    }

    @Test func automaticSemicolonInsertionFollowsJavaScript() {
        // A line break does not end a statement when the next line continues the expression.
        #expect(Formula.parse("return a\n+ b").sExpression == "(body (return (+ a b)))")
        #expect(Formula.parse("const a = b\n-c\nreturn a").sExpression == "(body (const a (- b c)) (return a))")
        // …but it does before a token that cannot continue it.
        #expect(Formula.parse("let a = 1\na = 2\nreturn a").diagnostics.isEmpty)
    }
}
