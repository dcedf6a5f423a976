import CascadeFormula

extension ReplSession {
    func prepare(_ source: String) -> PreparedEntry {
        let tree = Formula.parse(source, limits: options.limits)
        var entry = PreparedEntry(source: source, tree: tree, analysis: EntryAnalysis(tree))
        let declared = Set(entry.analysis.declarations.map(\.name))
        for (name, binding) in bindings.sorted(by: { $0.key < $1.key }) where !declared.contains(name) {
            if binding.kind != .input && entry.analysis.assigned.contains(name) {
                let hidden = PreparedEntry.hiddenPrefix + name
                entry.prelude += "\(binding.kind.rawValue) \(name) = \(hidden); "
                entry.inputs[hidden] = binding.value.inputType
                entry.values[hidden] = binding.value
                entry.carried.append((name, binding.kind))
            } else {
                entry.inputs[name] = binding.value.inputType
                entry.values[name] = binding.value
            }
        }
        return entry
    }

    /// Evaluates an entry: prints its value (or its diagnostics) and keeps its top-level
    /// declarations as bindings.
    mutating func evaluate(entry source: String, startLine: Int) -> ReplStep {
        let entry = prepare(source)
        let session = self
        let render = { (d: Diagnostic) in session.rendered(d, in: source, shift: entry.shift, line: startLine) }
        if entry.tree.hasErrors {
            return .failure(entry.tree.diagnostics.map { .message(rendered($0, in: source, line: startLine)) })
        }
        // A line of declarations and assignments has no `return` by design: no "never returns" warning.
        let isStatementLine = !entry.analysis.isExpression && entry.analysis.returns.isEmpty
        let compilation = entry.compile(limits: options.limits)
        let diagnostics = compilation.diagnostics.filter { !(isStatementLine && $0.code == "type.no-return") }
        guard let formula = compilation.formula else { return .failure(diagnostics.map { .message(render($0)) }) }
        var step = ReplStep(output: diagnostics.map { .message(render($0)) })
        let value: Value
        do {
            value = try formula.evaluate(entry.values)
        } catch {
            step.output.append(.message(render(error.diagnostic)))
            step.failed = true
            return step
        }
        if !isStatementLine { step.output.append(.result(ReplSession.display(value) + "\n")) }
        let kept = keptBindings(of: entry)
        for (name, binding) in kept.bindings { setBinding(name, binding) }
        for note in kept.notes { step.output.append(.message("note: \(note)\n")) }
        return step
    }

    /// The values the entry's top-level declarations (and the carried bindings it assigns) hold
    /// when it finishes. The compiled formula does not expose its locals, so they are read by
    /// probes: copies of the entry that return one name at the `return` the entry took.
    func keptBindings(of entry: PreparedEntry) -> (bindings: [(String, Binding)], notes: [String]) {
        let analysis = entry.analysis
        var names: [(name: String, kind: Binding.Kind, statement: Int?)] = analysis.declarations.map {
            ($0.name, $0.isConstant ? .const : .let, $0.statement)
        }
        names += entry.carried.map { ($0.name, $0.kind, nil) }
        guard !names.isEmpty else { return ([], []) }

        // Which `return` ran: the entry with every returned value replaced by its index.
        var taken: EntryAnalysis.ReturnSite?
        if !analysis.returns.isEmpty {
            let numbered = EntryAnalysis.replacingReturns(
                in: entry.source, analysis.returns.enumerated().map { ($0.element, String($0.offset)) })
            switch probe(entry, numbered) {
            case .number(let index)?: taken = analysis.returns[Int(index)]
            case .undefined?: taken = nil
            default: return ([], ["the bindings of this line could not be kept"])
            }
        }

        var kept: [(String, Binding)] = []
        var notes: [String] = []
        for (name, kind, statement) in names {
            if let taken, let statement, taken.statement < statement { continue }  // returned before declaring it
            let text: String
            if let taken {
                if taken.hidden.contains(name) {
                    notes.append("`\(name)` is not kept: a block declares another `\(name)` around the `return` that ran")
                    continue
                }
                text = EntryAnalysis.replacingReturns(in: entry.source, [(taken, name)])
            } else {
                text = entry.source + "\n;return (\(name));"
            }
            guard let value = probe(entry, text) else {
                notes.append("`\(name)` could not be kept")
                continue
            }
            kept.append((name, Binding(value: value, kind: kind)))
        }
        return (kept, notes)
    }

    private func probe(_ entry: PreparedEntry, _ text: String) -> Value? {
        guard let formula = entry.compile(text, limits: options.limits).formula else { return nil }
        return try? formula.evaluate(entry.values)
    }
}
