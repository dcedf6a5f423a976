import CascadeFormula

/// What the REPL needs to know about an entry's syntax tree to keep its top-level `let`/`const`
/// values: the declarations, the names it assigns, and every `return` with where it sits.
struct EntryAnalysis {
    struct Declaration: Equatable {
        var name: String
        var isConstant: Bool
        /// The index of the top-level statement.
        var statement: Int
    }

    struct ReturnSite: Equatable {
        /// The returned expression's range, nil for a bare `return;`.
        var value: SourceRange?
        /// The offset of the `return` keyword.
        var keyword: Int
        /// The index of the top-level statement that contains it.
        var statement: Int
        /// Names declared by the blocks around it (they hide top-level names there).
        var hidden: Set<String>
    }

    /// The entry is a single bare expression.
    var isExpression = false
    var declarations: [Declaration] = []
    /// Every name assigned anywhere in the entry.
    var assigned: Set<String> = []
    /// In source order.
    var returns: [ReturnSite] = []

    init(_ tree: SyntaxTree) {
        switch tree.form {
        case .expression:
            isExpression = true
        case .body(let statements):
            for (index, statement) in statements.enumerated() {
                if case .declaration(let isConstant, let name, _, _) = statement.kind {
                    declarations.append(Declaration(name: name, isConstant: isConstant, statement: index))
                }
                walk(statement, topLevel: index, hidden: [])
            }
        }
    }

    private mutating func walk(_ statement: Stmt, topLevel: Int, hidden: Set<String>) {
        switch statement.kind {
        case .assignment(let name, _, _, _):
            assigned.insert(name)
        case .returnValue(let value):
            returns.append(ReturnSite(value: value?.range, keyword: statement.range.start, statement: topLevel, hidden: hidden))
        case .ifElse(_, let then, let otherwise):
            walk(then, topLevel: topLevel, hidden: hidden)
            if let otherwise { walk(otherwise, topLevel: topLevel, hidden: hidden) }
        case .block(let statements):
            var inner = hidden
            for statement in statements {
                if case .declaration(_, let name, _, _) = statement.kind { inner.insert(name) }
            }
            for statement in statements { walk(statement, topLevel: topLevel, hidden: inner) }
        case .declaration, .expression, .empty, .invalid:
            break
        }
    }

    /// `source` with the value of each given `return` replaced by an expression (inserted after a bare `return`).
    static func replacingReturns(in source: String, _ replacements: [(site: ReturnSite, expression: String)]) -> String {
        var bytes = Array(source.utf8)
        for (site, expression) in replacements.sorted(by: { $0.site.keyword > $1.site.keyword }) {
            if let value = site.value {
                bytes.replaceSubrange(value.start..<value.end, with: Array("(\(expression))".utf8))
            } else {
                bytes.insert(contentsOf: Array(" (\(expression))".utf8), at: site.keyword + "return".utf8.count)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
