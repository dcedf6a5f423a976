import CascadeFormula
import CascadeJSON
import CascadeStore

extension PreparedScenario {
    /// Propagates the scenario and explains why the entity `key` (an id, or a unique name) moved,
    /// to `depth` levels of sources (1: its own contributions only). Each formula edge is
    /// evaluated once more in the scenario and the baseline context to show the inputs it read
    /// and its two results; the contribution values are the run's own.
    /// - Complexity: O(3^depth) entities explained, each O(its incoming edges) evaluations.
    package func explain(_ key: String, depth: Int, scenarioName: String) throws -> RunExplanation {
        try explain([key], depth: depth, scenarioName: scenarioName)[0]
    }

    /// The explanations of several entities (as `explain(_:depth:scenarioName:)`, one each, in
    /// order) from one propagation: what a report page embeds for the movers it draws.
    package func explain(_ keys: [String], depth: Int, scenarioName: String) throws -> [RunExplanation] {
        let p = Propagator(run)
        p.propagate()
        if let failure = p.nonFinite { throw p.nonFiniteError(failure) }
        var byID: [String: Int] = [:]
        if keys.count > 1 {
            byID.reserveCapacity(run.ids.count)
            for (i, id) in run.ids.enumerated() where byID[id] == nil { byID[id] = i }
        }
        return try keys.map { key in
            let i = try byID[key] ?? position(of: key)
            var explainer = Explainer(run: run, p: p)
            let root = explainer.node(i, depth: max(1, min(depth, RunExplanation.depthLimit)))
            return RunExplanation(scenarioName: scenarioName, fingerprint: fingerprint, depth: depth, root: root)
        }
    }

    /// The entity named by `key`: its id, else its name when exactly one entity has it.
    func position(of key: String) throws -> Int {
        if let i = run.ids.firstIndex(of: key) { return i }
        let named = run.names.indices.filter { run.names[$0] == key }
        if named.count == 1 { return named[0] }
        if named.count > 1 {
            throw StoreError(.invalidInput, "`\(key)` names \(named.count) entities: " + named.map { run.ids[$0] }.joined(separator: ", "),
                             hint: "name one by its id")
        }
        let near = Suggestion.closest(to: key, among: run.ids) ?? Suggestion.closest(to: key, among: run.names)
        throw StoreError(.notFound, "no entity `\(key)` in the scenario's graph",
                         hint: (near.map { "did you mean `\($0)`? " } ?? "") + "name an entity by its id or its name")
    }
}

/// Walks the finished propagation from one entity to its largest sources.
struct Explainer {
    /// Inputs read by path (`source.impact`, `coeff.beta`) as the named, nested bindings a formula takes.
    static func bindings(_ inputs: [(path: String, value: Value)]) -> [String: Value] {
        var root: [String: Value] = [:]
        for (path, value) in inputs { insert(path.split(separator: ".").map(String.init)[...], value, into: &root) }
        return root
    }

    private static func insert(_ parts: ArraySlice<String>, _ value: Value, into fields: inout [String: Value]) {
        guard let first = parts.first else { return }
        guard parts.count > 1 else {
            fields[first] = value
            return
        }
        var inner: [String: Value] = [:]
        if case .record(let existing)? = fields[first] { inner = existing }
        insert(parts.dropFirst(), value, into: &inner)
        fields[first] = .record(inner)
    }

    let run: PreparedRun
    let p: Propagator
    var explained: Set<Int> = []

    mutating func node(_ i: Int, depth: Int) -> RunExplanation.Node {
        var node = RunExplanation.Node(
            id: run.ids[i], name: run.names[i], type: run.types[i], level: run.levels[i], isMacro: run.isMacro[i],
            impact: p.impact[i], impactUnclamped: p.unclamped[i], clamp: run.scenario.settings(for: max(0, run.levels[i])).clamp,
            status: p.status[i].rawValue, contributions: [], sources: [], isExplainedAbove: false)
        if run.isMacro[i] {
            let k = run.macroVariable[i]
            if k >= 0 {
                node.variable = run.variableNames[k]
                node.value = run.variableValues[k]
                node.baseline = run.variableBaselines[k]
            }
            node.unit = run.metadata(i)["unit"]?.stringValue
            return node
        }
        if p.rounds[i] > 0 {
            node.cycle = p.converged[i] ? "cycle member, converged in \(p.rounds[i]) rounds"
                                        : "cycle member, not converged after \(p.rounds[i]) rounds"
        }
        guard explained.insert(i).inserted else {
            node.isExplainedAbove = true
            return node
        }
        let damping = run.scenario.settings(for: run.levels[i]).damping
        var contributions: [RunExplanation.Contribution] = []
        for e in run.incomingStart[i]..<run.incomingStart[i + 1] {
            contributions.append(contribution(e, into: i, damping: damping))
        }
        if p.shock[i] != 0 {
            contributions.append(RunExplanation.Contribution(
                relationshipID: "", sourceID: run.ids[i], sourceName: run.names[i], isShock: true, sign: 1, weight: 1, damping: 1,
                formula: nil, isInline: false, sourceImpact: 0, inputs: [], scenarioResult: nil, baselineResult: nil,
                value: p.shock[i], note: "counted", error: nil))
        }
        node.contributions = contributions
        guard depth > 1 else { return node }
        var sources: [Int] = []
        for c in node.contributionsByValue where !c.isShock && c.value != 0 && sources.count < RunExplanation.sourcesPerEntity {
            if let s = run.ids.firstIndex(of: c.sourceID), !sources.contains(s) { sources.append(s) }
        }
        node.sources = sources.map { self.node($0, depth: depth - 1) }
        return node
    }

    /// One incoming edge: its settings and formula, evaluated again in both contexts for the
    /// inputs and results; the value is the run's (`shown`).
    func contribution(_ e: Int, into i: Int, damping: Double) -> RunExplanation.Contribution {
        let s = Int(run.edgeSource[e]), r = Int(run.edgeRelationship[e])
        let weight = run.relationshipHasWeight[r] ? run.relationshipWeights[r] : 1
        let signedWeight = run.edgeSignedWeight[e]
        let sourceImpact = run.edgeClass[e] == .feedback ? p.previousPass[s] : p.impact[s]
        var c = RunExplanation.Contribution(
            relationshipID: run.relationshipIDs[r], sourceID: run.ids[s], sourceName: run.names[s], isShock: false,
            sign: weight == 0 || signedWeight / weight >= 0 ? 1 : -1, weight: weight, damping: damping,
            formula: nil, isInline: false, sourceImpact: sourceImpact, inputs: [], scenarioResult: nil, baselineResult: nil,
            value: p.shown[e], note: ResultTable.note(p.state[e], isNotBinding: run.edgeIsBottleneck[e] && p.bindingEdge[i] != e),
            error: p.edgeErrors[e]?.diagnostic.message)
        let program = Int(run.edgeProgram[e])
        if program >= 0 {
            let edgeProgram = p.programs[program]
            c.formula = edgeProgram.reference ?? edgeProgram.bindings.first?.formula.source
            c.isInline = edgeProgram.reference == nil
        }
        switch p.state[e] {
        case .skipped, .blocked: return c
        default: break
        }
        guard program >= 0 else {
            // A linear pass-through: sign · damping · weight · (source impact − 0).
            c.inputs = [RunExplanation.Input(path: "source.impact", scenario: .number(sourceImpact), baseline: .number(0))]
            c.scenarioResult = sourceImpact
            c.baselineResult = 0
            return c
        }
        let edgeProgram = p.programs[program]
        func read() -> [(path: String, value: Value)] {
            switch edgeProgram.kind {
            case .inline(let bound): bound.frame.inputValues
            case .registry(_, let frame, _): frame.inputValues
            }
        }
        do {
            c.scenarioResult = try p.evaluate(edgeProgram, edge: e, mode: .scenario, sourceImpact: sourceImpact)
            let scenarioInputs = read()
            c.baselineResult = try p.evaluate(edgeProgram, edge: e, mode: .baseline, sourceImpact: 0)
            let baselineInputs = read()
            c.inputs = zip(scenarioInputs, baselineInputs).map {
                RunExplanation.Input(path: $0.0.path, scenario: JSONValue($0.0.value), baseline: JSONValue($0.1.value))
            }
            // The same inputs again through the traced build of the formula: every subexpression's value.
            let formula = switch edgeProgram.kind {
            case .inline(let bound): bound.formula
            case .registry(let formula, _, _): formula
            }
            c.scenarioTrace = formula.explain(Self.bindings(scenarioInputs)).trace
            c.baselineTrace = formula.explain(Self.bindings(baselineInputs)).trace
        } catch {
            c.error = c.error ?? error.diagnostic.message
        }
        return c
    }
}
