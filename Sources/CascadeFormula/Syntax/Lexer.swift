/// Splits formula source into tokens, reporting forbidden or malformed lexemes as it goes.
///
/// The lexer never fails: bad input produces a diagnostic and an `.invalid` token, and every
/// iteration of its loop consumes at least one byte.
struct Lexer {
    private let bytes: [UInt8]
    private let limits: Limits
    private var position = 0
    private(set) var diagnostics = DiagnosticSink()

    init(source: String, limits: Limits, sink: DiagnosticSink) {
        self.bytes = Array(source.utf8)
        self.limits = limits
        self.diagnostics = sink
    }

    /// Lexes the whole input; the last token is always `.endOfInput`.
    mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        var newline = false
        while true {
            newline = skipTrivia() || newline
            let start = position
            guard position < bytes.count else {
                tokens.append(Token(kind: .endOfInput, range: SourceRange(start, start), isAfterNewline: newline))
                return tokens
            }
            let kind = lexToken()
            precondition(position > start, "lexer made no progress")
            tokens.append(Token(kind: kind, range: SourceRange(start, position), isAfterNewline: newline))
            newline = false
        }
    }

    // MARK: - Trivia

    /// Skips whitespace and comments; returns whether a line terminator was skipped.
    private mutating func skipTrivia() -> Bool {
        var sawNewline = false
        while position < bytes.count {
            let c = bytes[position]
            switch c {
            case 0x20, 0x09, 0x0B, 0x0C:
                position += 1
            case 0x0A, 0x0D:
                position += 1
                sawNewline = true
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                while position < bytes.count, !isLineTerminator(at: position) { position += 1 }
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                let start = position
                position += 2
                var closed = false
                while position < bytes.count {
                    if bytes[position] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                        position += 2
                        closed = true
                        break
                    }
                    if isLineTerminator(at: position) { sawNewline = true }
                    position += 1
                }
                if !closed {
                    diagnostics.add(.syntax, "unterminated-comment", "unterminated `/*` comment",
                                    at: SourceRange(start, start + 2), hint: "close it with `*/`")
                }
            case 0xC2, 0xE1, 0xE2, 0xE3, 0xEF:
                guard let (scalar, length) = decodeScalar(at: position) else { return sawNewline }
                if scalar == 0x2028 || scalar == 0x2029 {
                    sawNewline = true
                } else if !Lexer.isUnicodeSpace(scalar) {
                    return sawNewline
                }
                position += length
            default:
                return sawNewline
            }
        }
        return sawNewline
    }

    /// JavaScript's WhiteSpace beyond ASCII: NBSP, ZWNBSP and the Zs category.
    static func isUnicodeSpace(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0xA0, 0xFEFF, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    private func isLineTerminator(at index: Int) -> Bool {
        let c = bytes[index]
        if c == 0x0A || c == 0x0D { return true }
        if c == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80,
           bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 { return true }
        return false
    }

    private func peek(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    /// Decodes the UTF-8 scalar at `index`; nil for malformed bytes.
    private func decodeScalar(at index: Int) -> (UInt32, Int)? {
        UTF8Decoding.scalar(in: bytes, at: index).map { ($0.value, $0.length) }
    }

    // MARK: - Tokens

    private mutating func lexToken() -> Token.Kind {
        let c = bytes[position]
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return lexNumber()
        case UInt8(ascii: "."):
            if let next = peek(1), next >= 0x30, next <= 0x39 { return lexNumber() }
            return lexPunctuator()
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return lexString(quote: UInt32(c), start: position, openLength: 1)
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "_"), UInt8(ascii: "$"):
            let start = position
            while position < bytes.count, Lexer.isIdentifierPart(bytes[position]) { position += 1 }
            if position < bytes.count, bytes[position] == UInt8(ascii: "\\")
                || (bytes[position] >= 0x80 && !isSpaceOrLineTerminator(at: position)) {
                return lexBadIdentifierTail(start: start)
            }
            return .identifier(String(decoding: bytes[start..<position], as: UTF8.self))
        case UInt8(ascii: "`"):
            return lexTemplate()
        case UInt8(ascii: "#"):
            position += 1
            diagnostics.add(.forbidden, "private-name", "`#` private names are not part of formulas",
                            at: SourceRange(position - 1, position))
            return .invalid
        case UInt8(ascii: "\\"):
            position += 1
            diagnostics.add(.syntax, "unicode-escape", "escapes are not allowed outside string literals",
                            at: SourceRange(position - 1, position))
            return .invalid
        case 0x80...:
            return lexNonASCII()
        default:
            return lexPunctuator()
        }
    }

    static func isIdentifierPart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x24
    }

    /// Whether the non-ASCII character at `index` is JavaScript white space or a line terminator.
    private func isSpaceOrLineTerminator(at index: Int) -> Bool {
        guard let (scalar, _) = decodeScalar(at: index) else { return false }
        return scalar == 0x2028 || scalar == 0x2029 || Lexer.isUnicodeSpace(scalar)
    }

    private mutating func lexBadIdentifierTail(start: Int) -> Token.Kind {
        while position < bytes.count, Lexer.isIdentifierPart(bytes[position])
                || (bytes[position] >= 0x80 && !isSpaceOrLineTerminator(at: position))
                || bytes[position] == UInt8(ascii: "\\") {
            position += 1
        }
        diagnostics.add(.syntax, "identifier", "identifiers may only use ASCII letters, digits, `_` and `$`",
                        at: SourceRange(start, position))
        return .invalid
    }

    /// Characters that look like operators or quotes but are not: each gets a fix-it.
    private mutating func lexNonASCII() -> Token.Kind {
        let start = position
        guard let (scalar, length) = decodeScalar(at: position) else {
            position += 1
            while position < bytes.count, bytes[position] & 0xC0 == 0x80 { position += 1 }
            diagnostics.add(.syntax, "invalid-utf8", "the formula is not valid UTF-8 text",
                            at: SourceRange(start, position))
            return .invalid
        }
        position += length
        let range = SourceRange(start, position)
        let lookalikes: [UInt32: (String, String)] = [
            0x2212: ("-", "Unicode minus sign `−`"),
            0x2013: ("-", "en dash `–`"),
            0x2014: ("-", "em dash `—`"),
            0x00D7: ("*", "multiplication sign `×`"),
            0x00F7: ("/", "division sign `÷`"),
        ]
        if let (ascii, name) = lookalikes[scalar] {
            diagnostics.add(.forbidden, "lookalike-operator", "\(name) is not a JavaScript operator", at: range,
                            hint: "use the ASCII `\(ascii)`; text pasted from documents often contains these",
                            fixIt: .init(range: range, replacement: ascii))
            return .punctuator(ascii)
        }
        switch scalar {
        case 0x2018, 0x2019:
            return lexString(quote: scalar, start: start, openLength: length)
        case 0x201C, 0x201D:
            return lexString(quote: scalar, start: start, openLength: length)
        default:
            diagnostics.add(.syntax, "unexpected-character",
                            "unexpected character `\(Character(Unicode.Scalar(scalar)!))` (U+\(String(scalar, radix: 16, uppercase: true)))",
                            at: range, hint: "identifiers and operators are ASCII")
            return .invalid
        }
    }

    /// Punctuators by first byte, longest first, so the longest match wins.
    static let punctuators: [UInt8: [(String, [UInt8])]] = {
        let all = [
            ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
            "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "**", "++", "--", "+=", "-=", "*=", "/=",
            "%=", "&=", "|=", "^=", "<<", ">>",
            "(", ")", "{", "}", "[", "]", ";", ",", ".", "?", ":", "+", "-", "*", "/", "%", "!", "<", ">",
            "=", "&", "|", "^", "~", "@",
        ]
        var table: [UInt8: [(String, [UInt8])]] = [:]
        for p in all { table[Array(p.utf8)[0], default: []].append((p, Array(p.utf8))) }
        return table.mapValues { $0.sorted { $0.1.count > $1.1.count } }
    }()

    private mutating func lexPunctuator() -> Token.Kind {
        for (candidate, utf8) in Lexer.punctuators[bytes[position]] ?? [] {
            if position + utf8.count <= bytes.count, bytes[position..<position + utf8.count].elementsEqual(utf8) {
                // `?.` followed by a digit is `?` then a number (`a?.5:1`).
                if candidate == "?.", let d = peek(2), d >= 0x30, d <= 0x39 { continue }
                position += utf8.count
                return .punctuator(candidate)
            }
        }
        let start = position
        position += 1
        diagnostics.add(.syntax, "unexpected-character",
                        "unexpected character `\(Character(Unicode.Scalar(bytes[start])))`",
                        at: SourceRange(start, position))
        return .invalid
    }

    // MARK: - Numbers

    private mutating func lexNumber() -> Token.Kind {
        let start = position
        func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

        // Prefixed literals and legacy octal: recognised only to reject them clearly.
        if bytes[position] == UInt8(ascii: "0"), let next = peek(1) {
            let lower = next | 0x20
            if lower == UInt8(ascii: "x") || lower == UInt8(ascii: "o") || lower == UInt8(ascii: "b") {
                position += 2
                while position < bytes.count, Lexer.isIdentifierPart(bytes[position]) { position += 1 }
                let kind = lower == UInt8(ascii: "x") ? "hexadecimal" : lower == UInt8(ascii: "o") ? "octal" : "binary"
                diagnostics.add(.forbidden, "number-base", "\(kind) literals are not allowed in formulas",
                                at: SourceRange(start, position), hint: "write the number in decimal")
                return .invalid
            }
            if isDigit(next) || next == UInt8(ascii: "_") {
                position += 1
                while position < bytes.count, isDigit(bytes[position]) || bytes[position] == UInt8(ascii: "_") { position += 1 }
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                let digits = text.drop { $0 == "0" }
                diagnostics.add(.forbidden, "legacy-octal",
                                "`\(text)` has a leading zero: legacy octal literals are not allowed",
                                at: SourceRange(start, position),
                                hint: "JavaScript reads `010` as 8; write `\(digits.isEmpty ? "0" : String(digits))` for the decimal number",
                                fixIt: .init(range: SourceRange(start, position), replacement: digits.isEmpty ? "0" : String(digits)))
                return .invalid
            }
        }

        var text = ""
        var valid = true
        // Digits with `_` separators: a separator must sit between two digits.
        func digits(required: Bool) {
            let runStart = position
            var lastWasDigit = false
            while position < bytes.count {
                let c = bytes[position]
                if isDigit(c) {
                    text.append(Character(Unicode.Scalar(c)))
                    lastWasDigit = true
                } else if c == UInt8(ascii: "_") {
                    if !lastWasDigit || !isDigit(peek(1)) {
                        valid = false
                        diagnostics.add(.syntax, "numeric-separator", "a `_` separator must sit between two digits",
                                        at: SourceRange(position, position + 1))
                    }
                    lastWasDigit = false
                } else {
                    break
                }
                position += 1
            }
            if required && position == runStart { valid = false }
        }

        digits(required: false)
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            text.append(".")
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "_") {
                valid = false
                diagnostics.add(.syntax, "numeric-separator", "a `_` separator must sit between two digits",
                                at: SourceRange(position, position + 1))
            }
            digits(required: false)
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            let ePosition = position
            text.append("e")
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                text.append(Character(Unicode.Scalar(bytes[position])))
                position += 1
            }
            if !isDigit(peek(0)) {
                valid = false
                diagnostics.add(.syntax, "exponent", "expected digits after the exponent marker",
                                at: SourceRange(ePosition, position))
            }
            digits(required: false)
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "n") {
            position += 1
            diagnostics.add(.forbidden, "bigint", "BigInt literals are not allowed in formulas",
                            at: SourceRange(start, position), hint: "formulas compute with double-precision numbers; drop the `n`")
            return .invalid
        }
        if position < bytes.count, Lexer.isIdentifierPart(bytes[position]) || bytes[position] == UInt8(ascii: "\\") {
            let tail = position
            while position < bytes.count, Lexer.isIdentifierPart(bytes[position]) { position += 1 }
            diagnostics.add(.syntax, "number-suffix", "a name cannot start right after a number",
                            at: SourceRange(tail, position), hint: "put an operator between them, e.g. `2 * x`")
            return .invalid
        }
        guard valid else { return .invalid }
        guard let value = Double(text) else {
            diagnostics.add(.syntax, "number", "malformed number literal", at: SourceRange(start, position))
            return .invalid
        }
        if !value.isFinite {
            diagnostics.add(.limit, "number-too-large", "number literal is too large: JavaScript reads it as Infinity",
                            at: SourceRange(start, position), hint: "the largest double is about 1.8e308")
            return .invalid
        }
        return .number(value)
    }

    // MARK: - Strings

    /// Lexes a string literal opened by `quote` (ASCII quotes, or smart quotes which get a fix-it).
    private mutating func lexString(quote: UInt32, start: Int, openLength: Int) -> Token.Kind {
        let isSmart = quote > 0x7F
        if !isSmart { position += openLength }
        var scalars = String.UnicodeScalarView()
        var valid = true
        var byteCount = 0
        while true {
            // A string ends at LF or CR; U+2028 and U+2029 may stand in it (ES2019).
            guard position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D else {
                diagnostics.add(.syntax, "unterminated-string", "unterminated string literal",
                                at: SourceRange(start, position), hint: "close the string on the same line")
                return .invalid
            }
            let c = bytes[position]
            if c == UInt8(ascii: "\\") {
                valid = lexEscape(into: &scalars) && valid
                continue
            }
            guard let (scalar, length) = decodeScalar(at: position) else {
                position += 1
                valid = false
                diagnostics.add(.syntax, "invalid-utf8", "the formula is not valid UTF-8 text",
                                at: SourceRange(position - 1, position))
                continue
            }
            let closes = isSmart ? (scalar == 0x2019 || scalar == 0x201D || scalar == 0x2018 || scalar == 0x201C)
                                 : scalar == quote
            if closes && !(isSmart && position == start) {
                position += length
                break
            }
            if !(isSmart && position == start) {
                scalars.append(Unicode.Scalar(scalar)!)
                byteCount += length
            }
            position += length
        }
        let range = SourceRange(start, position)
        if isSmart {
            let q = (quote == 0x2018 || quote == 0x2019) ? "'" : "\""
            let body = String(scalars)
            diagnostics.add(.forbidden, "smart-quote", "typographic quotes do not delimit strings in JavaScript",
                            at: range, hint: "use straight quotes: \(q)\(body)\(q)",
                            fixIt: .init(range: range, replacement: q + body + q))
            return .invalid
        }
        if byteCount > limits.maxStringBytes {
            diagnostics.add(.limit, "string-length", "string literal is \(byteCount) bytes; the limit is \(limits.maxStringBytes)",
                            at: range)
            return .invalid
        }
        return valid ? .string(String(scalars)) : .invalid
    }

    /// Lexes one escape sequence at `position` (a backslash); returns false when it was reported.
    private mutating func lexEscape(into scalars: inout String.UnicodeScalarView) -> Bool {
        let start = position
        position += 1
        guard position < bytes.count else { return false }
        let e = bytes[position]
        position += 1
        switch e {
        case UInt8(ascii: "n"): scalars.append("\n")
        case UInt8(ascii: "t"): scalars.append("\t")
        case UInt8(ascii: "r"): scalars.append("\r")
        case UInt8(ascii: "b"): scalars.append("\u{08}")
        case UInt8(ascii: "f"): scalars.append("\u{0C}")
        case UInt8(ascii: "v"): scalars.append("\u{0B}")
        case UInt8(ascii: "0") where !(peek(0).map { $0 >= 0x30 && $0 <= 0x39 } ?? false):
            scalars.append("\u{0}")
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            diagnostics.add(.forbidden, "legacy-octal-escape", "legacy octal escapes are not allowed in strings",
                            at: SourceRange(start, position), hint: "use `\\u00XX` escapes")
            return false
        case UInt8(ascii: "x"):
            guard let value = hexValue(count: 2) else {
                diagnostics.add(.syntax, "escape", "`\\x` needs two hex digits", at: SourceRange(start, position))
                return false
            }
            scalars.append(Unicode.Scalar(value)!)
        case UInt8(ascii: "u"):
            var value: UInt32?
            if position < bytes.count, bytes[position] == UInt8(ascii: "{") {
                position += 1
                var v: UInt32 = 0
                var count = 0
                while position < bytes.count, let d = Lexer.hexDigit(bytes[position]), count < 7 {
                    v = v * 16 + d
                    count += 1
                    position += 1
                }
                if count > 0, count < 7, position < bytes.count, bytes[position] == UInt8(ascii: "}"), v <= 0x10FFFF {
                    position += 1
                    value = v
                }
            } else {
                value = hexValue(count: 4)
                // A surrogate pair written as two escapes.
                if let high = value, (0xD800...0xDBFF).contains(high), position + 1 < bytes.count,
                   bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                    let save = position
                    position += 2
                    if let low = hexValue(count: 4), (0xDC00...0xDFFF).contains(low) {
                        value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        position = save
                    }
                }
            }
            guard let v = value else {
                diagnostics.add(.syntax, "escape", "malformed `\\u` escape", at: SourceRange(start, position),
                                hint: "write `\\uXXXX` or `\\u{X…}`")
                return false
            }
            guard let scalar = Unicode.Scalar(v) else {
                diagnostics.add(.syntax, "lone-surrogate", "lone surrogate escapes are not allowed in strings",
                                at: SourceRange(start, position))
                return false
            }
            scalars.append(scalar)
        case 0x0A:
            break  // line continuation
        case 0x0D:
            if position < bytes.count, bytes[position] == 0x0A { position += 1 }
        default:
            position -= 1
            guard let (scalar, length) = decodeScalar(at: position) else {
                position += 1
                return false
            }
            position += length
            if scalar != 0x2028 && scalar != 0x2029 {  // those two are line continuations
                scalars.append(Unicode.Scalar(scalar)!)
            }
        }
        return true
    }

    static func hexDigit(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: UInt32(c - 0x30)
        case 0x41...0x46: UInt32(c - 0x41 + 10)
        case 0x61...0x66: UInt32(c - 0x61 + 10)
        default: nil
        }
    }

    private mutating func hexValue(count: Int) -> UInt32? {
        guard position + count <= bytes.count else { return nil }
        var value: UInt32 = 0
        for i in 0..<count {
            guard let d = Lexer.hexDigit(bytes[position + i]) else { return nil }
            value = value * 16 + d
        }
        position += count
        return value
    }

    private mutating func lexTemplate() -> Token.Kind {
        let start = position
        position += 1
        while position < bytes.count, bytes[position] != UInt8(ascii: "`") {
            position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
        }
        position = min(position + 1, bytes.count)
        diagnostics.add(.forbidden, "template-literal", "template literals are not allowed in formulas",
                        at: SourceRange(start, position), hint: "use a plain string in quotes")
        return .invalid
    }
}
