/// A lexical token of the formula language.
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        case number(Double)
        case string(String)
        case identifier(String)
        case punctuator(String)
        /// A token that the lexer already reported (a bad character, a forbidden literal);
        /// the parser treats it as an invalid operand without reporting it again.
        case invalid
        case endOfInput
    }

    var kind: Kind
    var range: SourceRange
    /// Whether a line terminator (or a comment containing one) comes between this token and the
    /// previous one; drives automatic semicolon insertion and the `return`-newline rule.
    var isAfterNewline: Bool

    func isPunctuator(_ text: String) -> Bool { kind == .punctuator(text) }

    var identifier: String? {
        if case .identifier(let name) = kind { name } else { nil }
    }

    /// The token as it should appear, backticked, in a message.
    var quoted: String {
        switch kind {
        case .number: "number"
        case .string: "string"
        case .identifier(let name): "`\(name)`"
        case .punctuator(let p): "`\(p)`"
        case .invalid: "invalid token"
        case .endOfInput: "end of formula"
        }
    }
}
