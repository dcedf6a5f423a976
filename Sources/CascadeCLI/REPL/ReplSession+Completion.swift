/// Tab completion by context: what the word before the cursor can be, given the line before it.
extension ReplSession {
    /// The words Tab offers for `word` (the word before the cursor), where `before` is the text
    /// of the line in front of that word:
    /// - at the start of a line: the commands, and what an expression can use;
    /// - the first argument of `:load`: the registry's formula names;
    /// - the first argument of `:bind`: the loaded formula's parameters and the bound inputs;
    /// - the argument of `:type`, `:ast`, `:cost`, and anywhere in an entry: what an expression
    ///   can use (bindings, `Math` members, keywords);
    /// - any other command argument: nothing.
    func completions(for word: String, after before: String) -> [String] {
        let words = before.split(whereSeparator: \.isWhitespace)
        var candidates: [String]
        if isContinuing {
            candidates = expressionWords
        } else if words.isEmpty {
            candidates = ReplSession.commands.map(\.name) + expressionWords
        } else if let command = words.first.map(String.init), command.hasPrefix(":") {
            switch (command, words.count) {
            case (":load", 1): candidates = (try? library?.names()) ?? []
            case (":bind", 1):
                candidates = (loaded?.parameters.map(\.name) ?? []) + bindings.filter { $0.value.kind == .input }.map(\.key)
            case (":type", _), (":ast", _), (":cost", _), (":explain", _): candidates = expressionWords
            default: candidates = []
            }
        } else {
            candidates = expressionWords
        }
        return Set(candidates.filter { $0.hasPrefix(word) }).sorted()
    }

    /// Names an expression can use: the bindings, `Math` members and keywords.
    var expressionWords: [String] {
        bindings.keys.sorted() + ReplSession.mathMembers + ReplSession.keywords
    }

    static let mathMembers = [
        "Math.min", "Math.max", "Math.abs", "Math.sqrt", "Math.pow", "Math.exp", "Math.log", "Math.log10",
        "Math.log2", "Math.floor", "Math.ceil", "Math.round", "Math.sign", "Math.trunc", "Math.PI", "Math.E",
        "Math.LN2", "Math.LN10", "Math.LOG2E", "Math.LOG10E", "Math.SQRT2", "Math.SQRT1_2",
    ]

    static let keywords = ["return", "const", "let", "if", "else", "true", "false", "null"]
}
