extension Parser {
    /// Binding power of binary operators (JavaScript's precedence; higher binds tighter).
    static func binaryOperator(_ token: Token) -> (BinaryOperator, Int)? {
        switch token.kind {
        case .punctuator(let p):
            switch p {
            case "||", "??": return (p == "||" ? .or : .nullish, 1)
            case "&&": return (.and, 2)
            case "|": return (.bitOr, 3)
            case "^": return (.bitXor, 4)
            case "&": return (.bitAnd, 5)
            case "==", "!=", "===", "!==": return (BinaryOperator(rawValue: p)!, 6)
            case "<", ">", "<=", ">=": return (BinaryOperator(rawValue: p)!, 7)
            case "<<", ">>", ">>>": return (BinaryOperator(rawValue: p)!, 8)
            case "+", "-": return (BinaryOperator(rawValue: p)!, 9)
            case "*", "/", "%": return (BinaryOperator(rawValue: p)!, 10)
            default: return nil
            }
        case .identifier("in"): return (.in, 7)
        case .identifier("instanceof"): return (.instanceOf, 7)
        default: return nil
        }
    }

    /// Expression := Conditional, with the comma operator reported if it follows.
    mutating func parseExpression() -> Expr {
        var expr = parseCommaTail(parseConditional())
        if current.isPunctuator("=") && !isAborted {
            // `if (x = 3)` and friends: assignment only exists as a statement.
            if case .identifier = expr.kind, parenthesisDepth > 0 {
                error("assignment is not an expression here", at: current.range, code: "assignment-in-expression",
                      hint: "to compare, write `===`", fixIt: .init(range: current.range, replacement: "==="))
                advance()
                _ = parseConditional()
                expr = makeExpr(.invalid, expr.range)
            }
        }
        return expr
    }

    /// Reports a comma operator after `expression`, if one follows, and parses past it.
    mutating func parseCommaTail(_ expression: Expr) -> Expr {
        var expr = expression
        while current.isPunctuator(",") && !isAborted {
            let comma = advance()
            let right = parseConditional()
            reportComma(left: expr, comma: comma, right: right)
            expr = makeExpr(.invalid, expr.range.union(right.range))
        }
        return expr
    }

    mutating func reportComma(left: Expr, comma: Token, right: Expr) {
        if case .number = stripNegation(left).kind, case .number = right.kind,
           comma.range.start == left.range.end, right.range.start == comma.range.end {
            // `-0,25`: a decimal comma.
            forbid("comma", "the comma operator is not allowed", at: comma.range,
                   hint: "`\(sourceText(left.range)),\(sourceText(right.range))` evaluates to `\(sourceText(right.range))` in JavaScript; a decimal point is `.`",
                   fixIt: .init(range: comma.range, replacement: "."))
        } else {
            forbid("comma", "the comma operator is not allowed", at: comma.range,
                   hint: "it evaluates both sides and keeps the right one; write one expression")
        }
    }

    func stripNegation(_ expr: Expr) -> Expr {
        if case .unary(.negate, let inner) = expr.kind { return inner }
        return expr
    }

    mutating func parseConditional() -> Expr {
        let test = parseBinary(minimumPrecedence: 1)
        guard current.isPunctuator("?") else { return test }
        guard enter() else { return invalidExpr(current.range) }
        defer { leave() }
        advance()
        let consequent = parseConditional()
        expect(":", "in the `?:` expression")
        let alternate = parseConditional()
        return makeExpr(.conditional(test, consequent, alternate), test.range.union(alternate.range))
    }

    mutating func parseBinary(minimumPrecedence: Int) -> Expr {
        var left = parseExponentiation()
        while let (op, precedence) = Parser.binaryOperator(current), precedence >= minimumPrecedence, !isAborted {
            let opToken = advance()
            let right = parseBinary(minimumPrecedence: precedence + 1)
            let isValid = checkBinary(op, opToken, left: left, right: right)
            left = makeExpr(isValid ? .binary(op, left, right) : .invalid, left.range.union(right.range))
        }
        return left
    }

    /// Reports non-associative comparisons and rejected operators; false when the node is invalid.
    mutating func checkBinary(_ op: BinaryOperator, _ token: Token, left: Expr, right: Expr) -> Bool {
        if case .binary(let leftOp, let a, let b) = left.kind,
           (op.isRelational && leftOp.isRelational) || (op.isEquality && leftOp.isEquality) {
            let hint = op.isRelational
                ? "write `\(sourceText(a.range)) \(leftOp.rawValue) \(sourceText(b.range)) && \(sourceText(b.range)) \(op.rawValue) \(sourceText(right.range))`"
                : "parenthesise the comparison you mean"
            error("comparisons cannot be chained: `\(leftOp.rawValue)` and `\(op.rawValue)` are non-associative",
                  at: token.range, code: "chained-comparison", hint: hint)
            return false
        }
        switch op {
        case .bitXor:
            forbid("bitwise", "`^` is not allowed in formulas", at: token.range,
                   hint: "`^` is XOR in JavaScript; use `**` for a power",
                   fixIt: .init(range: token.range, replacement: "**"))
        case .bitAnd, .bitOr:
            let logical = op == .bitAnd ? "&&" : "||"
            forbid("bitwise", "bitwise `\(op.rawValue)` is not allowed in formulas", at: token.range,
                   hint: "for a logical operator write `\(logical)`", fixIt: .init(range: token.range, replacement: logical))
        case .shiftLeft, .shiftRight, .shiftRightUnsigned:
            forbid("bitwise", "bit shift `\(op.rawValue)` is not allowed in formulas", at: token.range,
                   hint: "multiply or divide by a power of two instead")
        case .nullish:
            forbid("nullish", "`??` is not allowed in formulas", at: token.range,
                   hint: "bindings are always present; test for null with `x === null ? … : …`")
        case .in, .instanceOf:
            forbid("operator", "`\(op.rawValue)` is not allowed in formulas", at: token.range)
        default:
            return true
        }
        return false
    }

    /// ExponentiationExpression: a unary expression, or `postfix ** exponentiation` (right-associative).
    /// A unary operator directly before `**` is a syntax error, as in JavaScript.
    mutating func parseExponentiation() -> Expr {
        if isUnaryStart {
            let unary = parseUnary()
            if current.isPunctuator("**") {
                let star = advance()
                let exponent = parseExponentiation()
                let text = sourceText(unary.range)
                error("a unary operator cannot appear directly before `**`", at: unary.range.union(star.range),
                      code: "unary-before-power",
                      hint: "JavaScript requires parentheses: `(\(text)) ** …` raises the negated value, `-(… ** …)` negates the power",
                      fixIt: .init(range: unary.range, replacement: "(\(text))"))
                return makeExpr(.invalid, unary.range.union(exponent.range))
            }
            return unary
        }
        let base = parsePostfix()
        if current.isPunctuator("**") {
            advance()
            guard enter() else { return invalidExpr(current.range) }
            defer { leave() }
            let exponent = parseExponentiation()
            return makeExpr(.binary(.power, base, exponent), base.range.union(exponent.range))
        }
        return base
    }

    var isUnaryStart: Bool {
        switch current.kind {
        case .punctuator(let p): ["-", "+", "!", "~", "++", "--"].contains(p)
        case .identifier(let w): ["typeof", "void", "delete", "await"].contains(w)
        default: false
        }
    }

    /// UnaryExpression without a trailing `**`.
    mutating func parseUnary() -> Expr {
        guard isUnaryStart else { return parsePostfix() }
        guard enter() else { return invalidExpr(current.range) }
        defer { leave() }
        let opToken = advance()
        let operand = parseUnary()
        let range = opToken.range.union(operand.range)
        switch opToken.kind {
        case .punctuator("-"): return makeExpr(.unary(.negate, operand), range)
        case .punctuator("+"): return makeExpr(.unary(.plus, operand), range)
        case .punctuator("!"): return makeExpr(.unary(.not, operand), range)
        case .punctuator("~"):
            forbid("bitwise", "bitwise `~` is not allowed in formulas", at: opToken.range,
                   hint: "for a logical not write `!`; for a negation write `-`")
        case .punctuator(let p):
            forbid("increment", "`\(p)` is not allowed in formulas", at: opToken.range,
                   hint: "write `x \(p == "++" ? "+" : "-")= 1` as a statement")
        case .identifier(let word):
            let hints = [
                "typeof": "types are known when the formula is checked; `typeof` is never needed",
                "delete": "records are read-only",
                "void": "write `undefined`-free code: return a value or nothing",
                "await": "formulas are synchronous",
            ]
            forbid("operator", "`\(word)` is not allowed in formulas", at: opToken.range, hint: hints[word])
        default:
            break
        }
        return makeExpr(.invalid, range)
    }

    /// Member access, calls, and rejected postfix forms.
    mutating func parsePostfix() -> Expr {
        var expr = parsePrimary()
        while !isAborted {
            if current.isPunctuator(".") {
                advance()
                guard let name = current.identifier else {
                    error("expected a field name after `.`, found \(current.quoted)", at: current.range, code: "expected-name")
                    return makeExpr(.invalid, expr.range)
                }
                let nameToken = advance()
                expr = makeExpr(.member(expr, name: name, nameRange: nameToken.range), expr.range.union(nameToken.range))
            } else if current.isPunctuator("[") {
                let open = advance()
                guard enter() else { return invalidExpr(open.range) }
                defer { leave() }
                let key = parseExpression()
                let close = current.range
                expect("]", "to close the `[` access")
                let range = expr.range.union(close)
                if case .string(let name) = key.kind {
                    expr = makeExpr(.member(expr, name: name, nameRange: key.range), range)
                } else {
                    if case .invalid = key.kind {} else {
                        forbid("computed-member", "computed member access needs a string literal key", at: open.range.union(close),
                               hint: "write `record[\"field\"]` or `record.field`; arrays and dynamic keys are not supported")
                    }
                    expr = makeExpr(.invalid, range)
                }
            } else if current.isPunctuator("(") {
                expr = parseCall(callee: expr)
            } else if current.isPunctuator("?.") {
                let operatorToken = advance()
                forbid("optional-chaining", "`?.` is not allowed in formulas", at: operatorToken.range,
                       hint: "bindings are always present; use `.`", fixIt: .init(range: operatorToken.range, replacement: "."))
                if current.identifier != nil { advance() }
                expr = makeExpr(.invalid, expr.range.union(operatorToken.range))
            } else if (current.isPunctuator("++") || current.isPunctuator("--")) && !current.isAfterNewline {
                let op = advance()
                forbid("increment", "`\(op.isPunctuator("++") ? "++" : "--")` is not allowed in formulas", at: op.range,
                       hint: "write `x += 1` or `x -= 1` as a statement")
                expr = makeExpr(.invalid, expr.range.union(op.range))
            } else {
                return expr
            }
        }
        return expr
    }

    mutating func parseCall(callee: Expr) -> Expr {
        let open = advance()
        var arguments: [Expr] = []
        guard enter() else { return invalidExpr(open.range) }
        defer { leave() }
        while !current.isPunctuator(")") && !atEnd {
            if current.isPunctuator("...") {
                forbid("spread", "spread arguments are not allowed", at: current.range)
                advance()
            }
            arguments.append(parseConditional())
            if arguments.count == limits.maxCallArguments + 1 {
                sink.add(.limit, "arguments", "a call may have at most \(limits.maxCallArguments) arguments",
                         at: arguments.last!.range)
            }
            if !eat(",") { break }
        }
        let close = current.range
        expect(")", "to close the argument list")
        return makeExpr(.call(callee, arguments), callee.range.union(close))
    }

    mutating func parsePrimary() -> Expr {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return makeExpr(.number(value), token.range)
        case .string(let value):
            advance()
            return makeExpr(.string(value), token.range)
        case .invalid:
            advance()
            return makeExpr(.invalid, token.range)
        case .endOfInput:
            error("expected an expression, found the end of the formula", at: token.range, code: "unexpected-end")
            return makeExpr(.invalid, token.range)
        case .identifier(let name):
            return parseIdentifierPrimary(name, token)
        case .punctuator(let p):
            return parsePunctuatorPrimary(p, token)
        }
    }

    mutating func parseIdentifierPrimary(_ name: String, _ token: Token) -> Expr {
        switch name {
        case "true", "false":
            advance()
            return makeExpr(.boolean(name == "true"), token.range)
        case "null":
            advance()
            return makeExpr(.null, token.range)
        case "this":
            advance()
            forbid("this", "`this` is not allowed in formulas", at: token.range,
                   hint: "read inputs by name, e.g. `source.value`")
            return makeExpr(.invalid, token.range)
        case "new":
            advance()
            forbid("new", "`new` is not allowed in formulas", at: token.range,
                   hint: "formulas cannot create objects")
            guard enter() else { return invalidExpr(token.range) }
            defer { leave() }
            let target = parsePostfix()
            return makeExpr(.invalid, token.range.union(target.range))
        case "function", "class", "async":
            forbid("function", "function definitions are not allowed in formulas", at: token.range,
                   hint: "compute the value inline or with `const` steps")
            skipDefinition()
            return makeExpr(.invalid, token.range)
        case "super", "import", "yield":
            advance()
            forbid("operator", "`\(name)` is not allowed in formulas", at: token.range)
            return makeExpr(.invalid, token.range)
        default:
            advance()
            if current.isPunctuator("=>") {
                rejectArrowFunction(startingAt: token.range)
                return makeExpr(.invalid, token.range)
            }
            if Parser.reservedWords.contains(name) {
                error("`\(name)` is a reserved word and cannot start an expression", at: token.range, code: "reserved-word")
                return makeExpr(.invalid, token.range)
            }
            return makeExpr(.identifier(name), token.range)
        }
    }

    mutating func parsePunctuatorPrimary(_ p: String, _ token: Token) -> Expr {
        switch p {
        case "(":
            advance()
            guard enter() else { return invalidExpr(token.range) }
            defer { leave() }
            if current.isPunctuator(")") {
                advance()
                if current.isPunctuator("=>") {
                    rejectArrowFunction(startingAt: token.range)
                } else {
                    error("empty parentheses", at: token.range.union(SourceRange(previousEnd, previousEnd)), code: "empty-parentheses")
                }
                return makeExpr(.invalid, token.range)
            }
            parenthesisDepth += 1
            let inner = parseExpression()
            parenthesisDepth -= 1
            let close = current.range
            if !eat(")") {
                error("expected `)` to close the `(` here", at: token.range, code: "unclosed-parenthesis")
                return makeExpr(.invalid, token.range.union(inner.range))
            }
            if current.isPunctuator("=>") {
                rejectArrowFunction(startingAt: token.range)
                return makeExpr(.invalid, token.range)
            }
            return makeExpr(.parenthesized(inner), token.range.union(close))
        case "[":
            let start = current.range
            skipBalanced()
            forbid("array-literal", "array literals are not allowed in formulas", at: start.union(SourceRange(previousEnd, previousEnd)),
                   hint: "use Math.min/Math.max over a list of arguments, or separate bindings")
            return makeExpr(.invalid, start)
        case "{":
            let start = current.range
            skipBalanced()
            forbid("object-literal", "object literals are not allowed in formulas", at: start.union(SourceRange(previousEnd, previousEnd)),
                   hint: "records come only from bindings, and are read-only")
            return makeExpr(.invalid, start)
        case "/", "/=":
            // A regular expression literal: skip to the closing `/` on the same line.
            advance()
            var end = token.range.end
            while !atEnd && !current.isAfterNewline {
                let t = advance()
                end = t.range.end
                if t.isPunctuator("/") || t.isPunctuator("/=") { break }
            }
            forbid("regex", "regular expression literals are not allowed in formulas", at: SourceRange(token.range.start, end))
            return makeExpr(.invalid, SourceRange(token.range.start, end))
        case ")", "]", "}", ";":
            error("expected an expression, found \(token.quoted)", at: token.range, code: "expected-expression")
            return makeExpr(.invalid, SourceRange(token.range.start, token.range.start))
        default:
            advance()
            error("expected an expression, found \(token.quoted)", at: token.range, code: "expected-expression")
            return makeExpr(.invalid, token.range)
        }
    }

    /// Reports an arrow function whose parameters start at `start` (the current token is `=>`)
    /// and skips its body.
    mutating func rejectArrowFunction(startingAt start: SourceRange) {
        forbid("function", "arrow functions are not allowed in formulas", at: start.union(current.range),
               hint: "compute the value inline or with `const` steps")
        advance()
        skipArrowBody()
    }

    mutating func skipArrowBody() {
        if current.isPunctuator("{") {
            skipBalanced()
        } else if enter() {
            defer { leave() }
            _ = parseConditional()
        }
    }
}
