extension Parser {
    mutating func parseProgram() -> [Stmt] {
        var statements: [Stmt] = []
        while !atEnd {
            let before = index
            if current.isPunctuator("}") {
                error("unmatched `}`", at: current.range)
                advance()
                continue
            }
            statements.append(parseStatement())
            if index == before { advance() }  // guarantee progress
        }
        return statements
    }

    mutating func parseStatement() -> Stmt {
        let token = current
        if token.isPunctuator("{") { return parseBlock() }
        if token.isPunctuator(";") {
            advance()
            return makeStmt(.empty, token.range)
        }
        guard let word = token.identifier else { return parseSimpleStatement() }
        switch word {
        case "const", "let":
            if word == "let", !(next.identifier != nil) && !next.isPunctuator("[") && !next.isPunctuator("{") {
                return parseSimpleStatement()  // `let` used as a name: the checker reports it
            }
            return parseDeclaration(isConstant: word == "const")
        case "var":
            forbid("var", "`var` is not allowed in formulas", at: token.range,
                   hint: "use `let` for a local you reassign, `const` otherwise",
                   fixIt: .init(range: token.range, replacement: "let"))
            return parseDeclaration(isConstant: false)
        case "if":
            return parseIf()
        case "return":
            return parseReturn()
        case "for", "while", "do":
            return parseForbiddenLoop(word)
        case "function", "class", "async":
            forbid(word == "class" ? "class" : "function",
                   word == "class" ? "classes are not allowed in formulas" : "function definitions are not allowed in formulas",
                   at: token.range, hint: "a formula is a single function body; compute the value inline or with `const` steps")
            skipDefinition()
            return makeStmt(.invalid, token.range)
        case "break", "continue":
            forbid("jump", "`\(word)` is not allowed: formulas have no loops", at: token.range)
            synchronize()
            return makeStmt(.invalid, token.range)
        case "switch":
            forbid("switch", "`switch` is not allowed in formulas", at: token.range,
                   hint: "use `if`/`else if` or a `?:` chain")
            advance()
            if current.isPunctuator("(") { skipBalanced() }
            if current.isPunctuator("{") { skipBalanced() }
            return makeStmt(.invalid, token.range)
        case "try", "throw", "with", "debugger", "import", "export", "yield", "await":
            forbid("statement", "`\(word)` is not allowed in formulas", at: token.range)
            advance()
            synchronize()
            if current.isPunctuator("{") { skipBalanced() }
            return makeStmt(.invalid, token.range)
        default:
            if next.isPunctuator(":") && !Parser.reservedWords.contains(word) {
                forbid("label", "labels are not allowed in formulas", at: token.range)
                advance()
                advance()
                return parseNested()
            }
            return parseSimpleStatement()
        }
    }

    mutating func parseBlock() -> Stmt {
        guard enter() else { return makeStmt(.invalid, current.range) }
        defer { leave() }
        let open = advance()
        var statements: [Stmt] = []
        while !current.isPunctuator("}") && !atEnd {
            let before = index
            statements.append(parseStatement())
            if index == before { advance() }
        }
        let end = current.range.end
        if !eat("}") {
            error("expected `}` to close the block opened here", at: open.range, code: "unclosed-block")
        }
        return makeStmt(.block(statements), SourceRange(open.range.start, end))
    }

    mutating func parseDeclaration(isConstant: Bool) -> Stmt {
        let keyword = advance()
        if current.isPunctuator("[") || current.isPunctuator("{") {
            let start = current.range
            forbid("destructuring", "destructuring is not allowed in formulas", at: start,
                   hint: "declare one name: `const x = record.field;`")
            synchronize()
            return makeStmt(.invalid, keyword.range)
        }
        guard let name = current.identifier, !Parser.reservedWords.contains(name) else {
            error("expected a name after `\(isConstant ? "const" : "let")`, found \(current.quoted)", at: current.range,
                  code: "expected-name")
            synchronize()
            return makeStmt(.invalid, keyword.range)
        }
        let nameRange = advance().range
        let initializer: Expr
        if eat("=") {
            let value = parseConditional()
            let isDeclaratorList = current.isPunctuator(",") && next.identifier != nil
                && index + 2 < tokens.count && tokens[index + 2].isPunctuator("=")
            initializer = isDeclaratorList ? value : parseCommaTail(value)
        } else {
            error("`\(name)` needs an initial value", at: nameRange, code: "missing-initializer",
                  hint: "write `\(isConstant ? "const" : "let") \(name) = …;`")
            initializer = invalidExpr(nameRange)
        }
        if current.isPunctuator(",") {
            error("declare one name per statement", at: current.range, code: "multiple-declarators",
                  hint: "split `let a = 1, b = 2;` into two statements")
            synchronize()
        } else {
            consumeSemicolon()
        }
        return makeStmt(.declaration(isConstant: isConstant, name: name, nameRange: nameRange, initializer: initializer),
                        SourceRange(keyword.range.start, previousEnd))
    }

    mutating func parseIf() -> Stmt {
        let keyword = advance()
        expect("(", "after `if`")
        parenthesisDepth += 1
        let condition = parseExpression()
        parenthesisDepth -= 1
        expect(")", "after the `if` condition")
        let then = parseNested()
        var otherwise: Stmt?
        if isKeyword("else") {
            advance()
            otherwise = parseNested()
        }
        return makeStmt(.ifElse(condition, then, otherwise), SourceRange(keyword.range.start, previousEnd))
    }

    /// The body of `if`/`else` or a loop: a block counts its own level; any other statement one here.
    mutating func parseNested() -> Stmt {
        if current.isPunctuator("{") { return parseBlock() }
        guard enter() else { return makeStmt(.invalid, current.range) }
        defer { leave() }
        return parseStatement()
    }

    mutating func parseReturn() -> Stmt {
        let keyword = advance()
        if current.isPunctuator(";") || current.isPunctuator("}") || atEnd {
            if current.isPunctuator(";") { advance() }
            return makeStmt(.returnValue(nil), SourceRange(keyword.range.start, previousEnd))
        }
        if current.isAfterNewline {
            let joined = SourceRange(keyword.range.end, current.range.start)
            forbid("return-newline", "`return` followed by a line break returns nothing in JavaScript",
                   at: keyword.range,
                   hint: "JavaScript inserts a `;` after `return` at a line break; start the value on the same line",
                   fixIt: .init(range: joined, replacement: " "))
        }
        let value = parseExpression()
        consumeSemicolon()
        return makeStmt(.returnValue(value), SourceRange(keyword.range.start, previousEnd))
    }

    mutating func parseForbiddenLoop(_ word: String) -> Stmt {
        let keyword = advance()
        forbid("loop", "`\(word)` loops are not allowed in formulas", at: keyword.range,
               hint: "formulas must finish in bounded time; write the computation out, or use Math.min/Math.max")
        if word == "do" {
            _ = parseNested()
            if isKeyword("while") {
                advance()
                if current.isPunctuator("(") { skipBalanced() }
            }
            _ = eat(";")
        } else {
            if current.isPunctuator("(") { skipBalanced() }
            _ = parseNested()
        }
        return makeStmt(.invalid, keyword.range)
    }

    /// Skips `function name(…) {…}`, `class X {…}`, `async function …` after reporting it.
    mutating func skipDefinition() {
        advance()
        while !atEnd && !current.isPunctuator("(") && !current.isPunctuator("{") && !current.isPunctuator(";") {
            advance()
        }
        if current.isPunctuator("(") { skipBalanced() }
        if current.isPunctuator("{") { skipBalanced() }
    }

    /// An assignment statement, or an expression statement.
    mutating func parseSimpleStatement() -> Stmt {
        let start = current.range.start
        let expr = parseExpression()
        if case .punctuator(let p) = current.kind, let op = Parser.assignmentOperator(p) {
            let opToken = advance()
            let value = parseExpression()
            consumeSemicolon()
            let range = SourceRange(start, previousEnd)
            guard let op else {
                forbid("bitwise", "`\(p)` is a bitwise or logical assignment, which formulas do not have",
                       at: opToken.range, hint: p == "^=" ? "`^` is XOR in JavaScript; use `x = x ** y` for a power" : nil)
                return makeStmt(.invalid, range)
            }
            if case .identifier(let name) = expr.kind {
                return makeStmt(.assignment(name: name, nameRange: expr.range, operator: op, value: value), range)
            }
            if case .member = expr.kind {
                forbid("record-assignment", "records are read-only", at: expr.range,
                       hint: "copy the field into a local: `let v = \(sourceText(expr.range)); v \(op.rawValue) …`")
            } else if case .invalid = expr.kind {
                // already reported
            } else {
                error("only a `let` local can be assigned", at: expr.range, code: "assignment-target")
            }
            return makeStmt(.invalid, range)
        }
        if current.isPunctuator("++") || current.isPunctuator("--") {
            let op = advance()
            forbid("increment", "`\(op.kind == .punctuator("++") ? "++" : "--")` is not allowed in formulas",
                   at: op.range, hint: "write `x += 1` or `x -= 1`")
            consumeSemicolon()
            return makeStmt(.invalid, SourceRange(start, previousEnd))
        }
        consumeSemicolon()
        return makeStmt(.expression(expr), SourceRange(start, previousEnd))
    }

    /// The assignment operator for a punctuator: `.some(nil)` for rejected ones, nil if not one.
    static func assignmentOperator(_ p: String) -> AssignmentOperator?? {
        if let op = AssignmentOperator(rawValue: p) { return .some(op) }
        if ["&=", "|=", "^=", "<<=", ">>=", ">>>=", "&&=", "||=", "??="].contains(p) { return .some(nil) }
        return nil
    }

    /// The source text of a range, for messages.
    func sourceText(_ range: SourceRange) -> String {
        var text = ""
        for token in tokens where token.range.start >= range.start && token.range.end <= range.end {
            switch token.kind {
            case .identifier(let name): text += name
            case .punctuator(let p): text += p
            case .number(let x): text += JSNumber.format(x)
            case .string(let s): text += JSNumber.quoted(s)
            default: break
            }
        }
        return text
    }

    static let reservedWords: Set<String> = [
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
        "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new",
        "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while",
        "with", "yield", "let", "static", "enum", "await", "implements", "package", "protected", "interface",
        "private", "public",
    ]
}
