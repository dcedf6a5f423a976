/// A node identifier, unique within one syntax tree; the checker's side tables are keyed by it.
package typealias NodeID = Int

/// An expression node: its identifier, its byte range, and what it is.
package struct Expr: Sendable {
    package var id: NodeID
    package var range: SourceRange
    package var kind: ExprKind
}

package indirect enum ExprKind: Sendable {
    case number(Double)
    case string(String)
    case boolean(Bool)
    case null
    case identifier(String)
    /// `object.name` or `object["name"]` (a literal key only).
    case member(Expr, name: String, nameRange: SourceRange)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    case conditional(Expr, Expr, Expr)
    case call(Expr, [Expr])
    case parenthesized(Expr)
    /// A part of the input that was already reported as an error.
    case invalid
}

package enum UnaryOperator: String, Sendable {
    case negate = "-", plus = "+", not = "!"
}

/// Binary operators, including the ones the parser recognises only to reject them.
package enum BinaryOperator: String, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", power = "**"
    case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case strictEqual = "===", strictNotEqual = "!==", looseEqual = "==", looseNotEqual = "!="
    case and = "&&", or = "||"
    // Rejected, with a message each.
    case bitAnd = "&", bitOr = "|", bitXor = "^", shiftLeft = "<<", shiftRight = ">>", shiftRightUnsigned = ">>>"
    case nullish = "??", `in` = "in", instanceOf = "instanceof"

    var isRelational: Bool { [.less, .lessEqual, .greater, .greaterEqual].contains(self) }
    var isEquality: Bool { [.strictEqual, .strictNotEqual, .looseEqual, .looseNotEqual].contains(self) }
}

/// A statement node.
package struct Stmt: Sendable {
    package var id: NodeID
    package var range: SourceRange
    package var kind: StmtKind
}

package indirect enum StmtKind: Sendable {
    case declaration(isConstant: Bool, name: String, nameRange: SourceRange, initializer: Expr)
    case assignment(name: String, nameRange: SourceRange, operator: AssignmentOperator, value: Expr)
    case ifElse(Expr, Stmt, Stmt?)
    case block([Stmt])
    case returnValue(Expr?)
    case expression(Expr)
    case empty
    case invalid
}

package enum AssignmentOperator: String, Sendable {
    case assign = "=", add = "+=", subtract = "-=", multiply = "*=", divide = "/=", remainder = "%=", power = "**="

    /// The binary operator a compound assignment applies.
    var binary: BinaryOperator? {
        switch self {
        case .assign: nil
        case .add: .add
        case .subtract: .subtract
        case .multiply: .multiply
        case .divide: .divide
        case .remainder: .remainder
        case .power: .power
        }
    }
}

/// A parsed formula: the tree (bare expression or function body) and the parser's diagnostics.
public struct SyntaxTree: Sendable {
    package enum Form: Sendable {
        /// A single bare expression; its value is the formula's value.
        case expression(Expr)
        /// A function body; the value is what `return` gives, or no value.
        case body([Stmt])
    }

    public var source: String
    package var form: Form
    public var diagnostics: [Diagnostic]
    /// Number of nodes (expressions and statements).
    package var nodeCount: Int
    /// False when a limit stopped the parser: the tree covers only part of the source.
    package var isComplete = true

    package var hasErrors: Bool { diagnostics.contains { $0.isError } }
}
