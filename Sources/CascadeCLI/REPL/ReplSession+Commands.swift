import CascadeFormula
import CascadeJSON

extension ReplSession {
    static let commands: [(name: String, usage: String, summary: String)] = [
        (":help", ":help", "this list"),
        (":vars", ":vars", "the bindings, with their types and values"),
        (":bind", ":bind NAME VALUE", "bind NAME to a JSON value (number, boolean, string, null or object)"),
        (":type", ":type EXPR", "the type EXPR would have, without running it"),
        (":ast", ":ast EXPR", "the syntax tree of EXPR as an S-expression"),
        (":cost", ":cost EXPR", "the static cost bound of EXPR (steps on its most expensive path)"),
        (":explain", ":explain EXPR", "evaluate EXPR and show each subexpression's value and the branches taken"),
        (":load", ":load NAME[@V]", "load a registered formula (latest version by default)"),
        (":test", ":test", "run the loaded formula's test cases"),
        (":check", ":check", "the loaded formula's diagnostics and fall-through warnings"),
        (":run", ":run", "evaluate the loaded formula with the bindings as its parameters"),
        (":clear", ":clear", "forget the bindings and the loaded formula"),
        (":quit", ":quit", "leave (Ctrl-D does too)"),
    ]

    /// A line starting with `:`.
    mutating func command(_ line: String) -> ReplStep {
        // The name, and where the argument starts in `line` (carets point into the line as typed).
        var rest = Substring(line).drop { $0.isWhitespace }
        let name = String(rest.prefix { !$0.isWhitespace })
        rest = rest.dropFirst(name.count).drop { $0.isWhitespace }
        let argument = String(rest).trimmingWhitespace()
        let argumentOffset = line.utf8.distance(from: line.startIndex, to: rest.startIndex)
        func needsNoArgument(_ body: () -> ReplStep) -> ReplStep {
            argument.isEmpty ? body() : .failure([error("`\(name)` takes no argument", hint: "usage: \(name)")])
        }
        switch name {
        case ":help", ":h", ":?": return needsNoArgument { help() }
        case ":vars": return needsNoArgument { vars() }
        case ":bind": return bind(argument)
        case ":type", ":ast", ":cost", ":explain":
            guard !argument.isEmpty else { return .failure([error("`\(name)` needs an expression", hint: "usage: \(name) EXPR")]) }
            return inspect(name, argument, line: line, offset: argumentOffset)
        case ":load": return load(argument)
        case ":test": return needsNoArgument { test() }
        case ":check": return needsNoArgument { check() }
        case ":run": return needsNoArgument { run() }
        case ":clear": return needsNoArgument { clear() }
        case ":quit", ":q", ":exit": return needsNoArgument { ReplStep(quits: true) }
        default:
            let hint = Suggestion.closest(to: name, among: ReplSession.commands.map(\.name)).map { "did you mean `\($0)`? " } ?? ""
            return .failure([error("unknown command `\(name)`", hint: hint + "`:help` lists the commands")])
        }
    }

    func help() -> ReplStep {
        let width = ReplSession.commands.map(\.usage.count).max() ?? 0
        var text = """
            Type a formula: a bare expression (`(g - b) * e`) or statements (`const g = 0.03`, `return g * 2;`).
            Top-level `let`/`const` values are kept for later lines; an entry continues until its brackets balance.

            """
        for command in ReplSession.commands {
            text += "  " + command.usage + String(repeating: " ", count: width - command.usage.count + 2) + command.summary + "\n"
        }
        return ReplStep(output: [.result(text)])
    }

    func vars() -> ReplStep {
        guard !bindings.isEmpty else {
            return ReplStep(output: [.result("no bindings: declare one with `let`/`const`, or `:bind NAME VALUE`\n")])
        }
        let lines = bindings.sorted { $0.key < $1.key }.map { describe($0.key, $0.value) + "\n" }
        return ReplStep(output: [.result(lines.joined())])
    }

    /// `const g: number = 0.03`.
    func describe(_ name: String, _ binding: Binding) -> String {
        "\(binding.kind.rawValue) \(name): \(binding.value.inputType) = \(ReplSession.display(binding.value))"
    }

    mutating func bind(_ argument: String) -> ReplStep {
        let name = String(argument.prefix { !$0.isWhitespace })
        let json = String(argument.dropFirst(name.count)).trimmingWhitespace()
        guard !name.isEmpty, !json.isEmpty else {
            return .failure([error("`:bind` needs a name and a JSON value", hint: #"usage: :bind NAME VALUE, e.g. :bind source {"value": 3}"#)])
        }
        let value: Value
        do {
            value = try JSONValue.parse(json).formulaValue()
        } catch {
            let place = error.line > 0 ? " (column \(error.column))" : error.path == .root ? "" : " (at \(error.path))"
            return .failure([self.error("`:bind \(name)`: \(error.message)\(place)",
                                        hint: #"values are JSON: 1.5, true, "text", null, {"value": 3}"#)])
        }
        if name.hasPrefix(PreparedEntry.hiddenPrefix) {
            return .failure([error("`\(name)` is reserved for the REPL")])
        }
        // `Formula.compile` refuses input names a formula could not use (`eval`, `Math`, `a-b`).
        let nameErrors = Formula.compile("0", inputs: [name: value.inputType], limits: options.limits).errors
        if let first = nameErrors.first {
            return .failure([error(first.message, hint: first.hint)])
        }
        let binding = Binding(value: value, kind: .input)
        setBinding(name, binding)
        return ReplStep(output: [.result(describe(name, binding) + "\n")])
    }

    /// `:type`, `:ast` and `:cost`: the expression is checked as an entry would be, never run;
    /// `:explain` runs it with a trace (and keeps no bindings).
    func inspect(_ command: String, _ expression: String, line: String, offset: Int) -> ReplStep {
        let entry = prepare(expression)
        let render = { (d: Diagnostic, shift: Int) in self.rendered(d, in: line, shift: offset + shift, line: self.lineNumber) }
        if entry.tree.hasErrors {
            return .failure(entry.tree.diagnostics.map { .message(render($0, 0)) })
        }
        if command == ":ast" { return ReplStep(output: [.result(entry.tree.sExpression + "\n")]) }
        let compilation = entry.compile(limits: options.limits)
        guard let formula = compilation.formula else {
            return .failure(compilation.diagnostics.map { .message(render($0, entry.shift)) })
        }
        if command == ":type" { return ReplStep(output: [.result(formula.checked.resultTypeDescription + "\n")]) }
        if command == ":explain" { return explain(formula, entry, render: render) }
        return ReplStep(output: [.result("\(formula.costBound) steps on the most expensive path (limit \(options.limits.maxCost))\n")])
    }

    /// `:explain`: the value (or the error), then the trace of the expression as typed (the
    /// prelude that carries the session's locals is left out).
    func explain(_ formula: CompiledFormula, _ entry: PreparedEntry, render: (Diagnostic, Int) -> String) -> ReplStep {
        let explained = formula.explain(entry.values)
        let trace = explained.trace.filter { $0.range.start >= -entry.shift }
        let shown = Explanation(result: explained.result, trace: trace).rendered()
        switch explained.result {
        case .success(let value):
            return ReplStep(output: [.result(ReplSession.display(value) + "\n")] + (shown.isEmpty ? [] : [.result(shown)]))
        case .failure(let error):
            return .failure((shown.isEmpty ? [] : [.result(shown)]) + [.message(render(error.diagnostic, entry.shift))])
        }
    }

    mutating func clear() -> ReplStep {
        var parts: [String] = []
        parts.append(bindings.count == 1 ? "1 binding" : "\(bindings.count) bindings")
        if let loaded { parts.append(loaded.reference) }
        removeAllBindings()
        setLoaded(nil)
        return ReplStep(output: [.result("cleared " + parts.joined(separator: " and ") + "\n")])
    }
}
