/// Recursive-descent parser for the formula subset of JavaScript (see `Grammar/formula.ebnf`).
///
/// It never traps: malformed input yields diagnostics and `.invalid` nodes. Nesting is counted
/// where it happens, as swift-syntax does: where a bracket token (`(`, `[`, `{`, a call's or an
/// `if`'s parenthesis) or a prefix operator (`-`, `!`, `new`, `?`, `=>`, `**`'s right side) is
/// consumed — also when a rejected construct is skipped unparsed — so no input shape recurses past
/// `maxDepth` whatever the other limits are. The node count is checked on every node, and once a
/// limit is hit the parser stops consuming input, so work stays linear in the input.
struct Parser {
    var tokens: [Token]
    var index = 0
    var sink: DiagnosticSink
    let limits: Limits
    var depth = 0
    var nodeCount = 0
    /// Set when a limit is exceeded: from then on the parser sees only the end of input.
    var isAborted = false
    /// How many `(…)` groups enclose the current position; inside one, `=` is not an assignment.
    var parenthesisDepth = 0

    static let endToken = Token(kind: .endOfInput, range: SourceRange(0, 0), isAfterNewline: false)

    /// Parses `source` into a syntax tree with diagnostics.
    static func parse(_ source: String, limits: Limits) -> SyntaxTree {
        var sink = DiagnosticSink(cap: limits.maxDiagnostics)
        let size = source.utf8.count
        if size > limits.maxSourceBytes {
            sink.add(.limit, "source-size", "the formula is \(size) bytes; the limit is \(limits.maxSourceBytes)",
                     at: SourceRange(0, 0), hint: "formulas are small expressions; move data into bindings or coefficients")
            return SyntaxTree(source: source, form: .body([]), diagnostics: sink.sorted(), nodeCount: 0, isComplete: false)
        }
        var lexer = Lexer(source: source, limits: limits, sink: sink)
        let tokens = lexer.tokenize()
        var parser = Parser(tokens: tokens, sink: lexer.diagnostics, limits: limits)
        let statements = parser.parseProgram()
        let form: SyntaxTree.Form
        if statements.count == 1, case .expression(let expr) = statements[0].kind {
            form = .expression(expr)
        } else {
            form = .body(statements)
        }
        return SyntaxTree(source: source, form: form, diagnostics: parser.sink.sorted(), nodeCount: parser.nodeCount,
                          isComplete: !parser.isAborted)
    }

    init(tokens: [Token], sink: DiagnosticSink, limits: Limits) {
        self.tokens = tokens
        self.sink = sink
        self.limits = limits
    }

    // MARK: - Token access

    var current: Token { isAborted ? Parser.endToken : tokens[index] }
    var next: Token { isAborted || index + 1 >= tokens.count ? Parser.endToken : tokens[index + 1] }
    var previousEnd: Int { index > 0 ? tokens[index - 1].range.end : 0 }
    var atEnd: Bool { if case .endOfInput = current.kind { true } else { false } }

    @discardableResult
    mutating func advance() -> Token {
        let token = current
        if !atEnd { index += 1 }
        return token
    }

    func isKeyword(_ word: String) -> Bool { current.kind == .identifier(word) }

    mutating func eat(_ punctuator: String) -> Bool {
        if current.isPunctuator(punctuator) {
            advance()
            return true
        }
        return false
    }

    mutating func expect(_ punctuator: String, _ context: String) {
        if !eat(punctuator) {
            error("expected `\(punctuator)` \(context), found \(current.quoted)", at: current.range)
        }
    }

    mutating func error(_ message: String, at range: SourceRange, code: String = "unexpected-token", hint: String? = nil,
                        fixIt: Diagnostic.FixIt? = nil) {
        if !isAborted { sink.add(.syntax, code, message, at: range, hint: hint, fixIt: fixIt) }
    }

    mutating func forbid(_ code: String, _ message: String, at range: SourceRange, hint: String? = nil,
                         fixIt: Diagnostic.FixIt? = nil) {
        if !isAborted { sink.add(.forbidden, code, message, at: range, hint: hint, fixIt: fixIt) }
    }

    // MARK: - Limits

    /// Counts one level of nesting; false (after reporting once and aborting) past the limit.
    mutating func enter() -> Bool {
        depth += 1
        return isWithinDepth(depth)
    }

    /// Whether `nesting` levels are allowed; past the limit reports once and aborts the parse.
    mutating func isWithinDepth(_ nesting: Int) -> Bool {
        if nesting > limits.maxDepth {
            if !isAborted {
                sink.add(.limit, "depth", "the formula nests deeper than \(limits.maxDepth) levels",
                         at: current.range, hint: "split it into `const` steps")
                isAborted = true
            }
            return false
        }
        return true
    }

    mutating func leave() { depth -= 1 }

    mutating func newID() -> NodeID {
        nodeCount += 1
        if nodeCount > limits.maxNodes && !isAborted {
            sink.add(.limit, "nodes", "the formula has more than \(limits.maxNodes) syntax nodes",
                     at: current.range, hint: "split it into smaller formulas")
            isAborted = true
        }
        return nodeCount
    }

    mutating func makeExpr(_ kind: ExprKind, _ range: SourceRange) -> Expr {
        Expr(id: newID(), range: range, kind: kind)
    }

    mutating func makeStmt(_ kind: StmtKind, _ range: SourceRange) -> Stmt {
        Stmt(id: newID(), range: range, kind: kind)
    }

    mutating func invalidExpr(_ range: SourceRange) -> Expr { makeExpr(.invalid, range) }

    // MARK: - Recovery

    /// Skips a bracketed group starting at the current opener, keeping nesting balanced. The
    /// skipped brackets count towards the depth limit like parsed ones.
    mutating func skipBalanced() {
        var open = 0
        repeat {
            let token = advance()
            if case .punctuator(let p) = token.kind {
                switch p {
                case "(", "[", "{":
                    open += 1
                    guard isWithinDepth(depth + open) else { return }
                case ")", "]", "}": if open > 0 { open -= 1 }
                default: break
                }
            }
        } while open > 0 && !atEnd
    }

    /// Skips to the end of the current statement: a `;`, a line break, or a closing `}`.
    mutating func synchronize() {
        let start = index
        while !atEnd {
            if current.isPunctuator(";") {
                advance()
                return
            }
            if current.isPunctuator("}") || (index > start && current.isAfterNewline) { return }
            if current.isPunctuator("(") || current.isPunctuator("[") || current.isPunctuator("{") {
                skipBalanced()
            } else {
                advance()
            }
        }
    }

    /// Automatic semicolon insertion: a `;`, or a line break, `}` or the end before the next token.
    mutating func consumeSemicolon() {
        if eat(";") { return }
        if current.isPunctuator("}") || atEnd || current.isAfterNewline { return }
        if current.isPunctuator(",") {
            forbid("comma", "the comma operator is not allowed", at: current.range,
                   hint: "write one statement per declaration or assignment")
        } else {
            error("expected `;` or a line break before \(current.quoted)", at: current.range)
        }
        synchronize()
    }
}
