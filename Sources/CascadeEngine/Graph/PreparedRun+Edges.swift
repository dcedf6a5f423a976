import CascadeFormula
import CascadeJSON
import CascadeStore

extension PreparedRun {
    static let forwardTypes: Set<String> = ["IMPACTS", "SUPPLIES", "MANUFACTURES", "DESIGNS", "CONTAINS", "REQUIRES"]
    static let reverseTypes: Set<String> = ["OWNS", "INVESTS_IN", "FINANCES"]

    /// Effective edges in relationship-id order, their formulas bound, then grouped by target.
    func buildEdges(_ records: [RelationshipRecord], formulas: [RegistryFormula]) {
        relationships = records.sorted { byteOrder($0.id, $1.id) }
        let context = EdgeContext(variables: variableNames, coefficientTypes: coefficientTypes)
        var binder = ProgramBinder(run: self, context: context, formulas: formulas)
        var pending: [(source: Int, target: Int, relationship: Int, sign: Double, bottleneck: Bool, program: Int)] = []
        var intoMacro = 0
        var previousID: String?
        for (r, relationship) in relationships.enumerated() {
            let location = "relationship \(relationship.id)"
            if relationship.id == previousID { problem(location, "duplicate relationship id") }
            previousID = relationship.id
            var meta = JSONObject()
            if let text = relationship.metadata, !text.isEmpty {
                do {
                    if case .object(let object) = try JSONValue.parse(text) { meta = object }
                } catch {
                    problem(location, "metadata is not valid JSON: \(error.message)")
                }
            }
            relationshipMetadata.append(meta)
            guard let s = entityIndex[relationship.sourceID], let t = entityIndex[relationship.targetID] else {
                problem(location, "refers to an unknown entity (\(relationship.sourceID) → \(relationship.targetID))")
                continue
            }
            if let weight = relationship.weight, !(0...1).contains(weight) {
                problem(location, "weight \(JSNumber.format(weight)) is outside 0–1")
            }
            let propagation = meta["propagation"]?.objectValue ?? JSONObject()
            var direction = PreparedRun.forwardTypes.contains(relationship.type) ? "forward"
                : PreparedRun.reverseTypes.contains(relationship.type) ? "reverse" : "none"
            if let value = propagation["direction"] {
                if let text = value.stringValue, ["forward", "reverse", "both", "none"].contains(text) {
                    direction = text
                } else {
                    problem(location, "metadata.propagation.direction must be forward, reverse, both or none")
                }
            }
            var sign = 1.0
            if let value = propagation["sign"] {
                if let x = value.numberValue, x == 1 || x == -1 { sign = x } else {
                    problem(location, "metadata.propagation.sign must be 1 or -1")
                }
            }
            var bottleneck = false
            if let value = propagation["channel"] {
                switch value.stringValue {
                case "additive": bottleneck = false
                case "bottleneck": bottleneck = true
                default: problem(location, "metadata.propagation.channel must be additive or bottleneck")
                }
            }
            var ends: [(Int, Int)] = []
            if direction == "forward" || direction == "both" { ends.append((s, t)) }
            if direction == "reverse" || direction == "both" { ends.append((t, s)) }
            for (source, target) in ends {
                guard levels[source] >= 0, levels[target] >= 0 else { continue }
                if isMacro[target] {
                    intoMacro += 1
                    continue
                }
                guard let program = binder.program(for: relationship, metadata: meta, source: source, target: target,
                                                   location: location) else { continue }
                if program == -1 && isMacro[source] {
                    problem(location, "an edge leaving the MACRO entity \(ids[source]) must have a formula",
                            detail: "add impact_formula, or metadata.formula with metadata.bindings")
                }
                pending.append((source, target, r, sign, bottleneck, program))
            }
        }
        programs = binder.programs
        formulasUsed = binder.formulasUsed
        inlineFormulaCount = binder.inlineTexts.count
        if intoMacro > 0 {
            warnings.append("\(intoMacro) edge\(intoMacro == 1 ? "" : "s") into MACRO entities \(intoMacro == 1 ? "is" : "are") ignored: macro values come from the scenario")
        }

        // Group by target, keeping relationship order (a stable counting sort).
        incomingStart = Array(repeating: 0, count: ids.count + 1)
        for edge in pending { incomingStart[edge.target + 1] += 1 }
        for i in 0..<ids.count { incomingStart[i + 1] += incomingStart[i] }
        var fill = incomingStart
        let count = pending.count
        edgeSource = Array(repeating: 0, count: count)
        edgeTarget = Array(repeating: 0, count: count)
        edgeRelationship = Array(repeating: 0, count: count)
        edgeSign = Array(repeating: 1, count: count)
        edgeWeight = Array(repeating: 1, count: count)
        edgeIsBottleneck = Array(repeating: false, count: count)
        edgeClass = Array(repeating: .down, count: count)
        edgeProgram = Array(repeating: -1, count: count)
        for edge in pending {
            let slot = fill[edge.target]
            fill[edge.target] += 1
            edgeSource[slot] = edge.source
            edgeTarget[slot] = edge.target
            edgeRelationship[slot] = edge.relationship
            edgeSign[slot] = edge.sign
            edgeWeight[slot] = relationships[edge.relationship].weight ?? 1
            edgeIsBottleneck[slot] = edge.bottleneck
            let (ls, lt) = (levels[edge.source], levels[edge.target])
            edgeClass[slot] = lt > ls ? .down : lt == ls ? .sameLevel : .feedback
            edgeProgram[slot] = edge.program
        }
        checkCoefficients()
    }

    /// Every coefficient an edge's formula reads must resolve for its target's sector as of the date.
    func checkCoefficients() {
        for edge in edgeSource.indices where edgeProgram[edge] >= 0 {
            let sector = sectorIndex[edgeTarget[edge]]
            for type in programs[edgeProgram[edge]].coefficientsRead {
                if let row = coefficientTable[sector][type] {
                    coefficientRowsRead[row.id] = row
                } else {
                    problem("relationship \(relationships[edgeRelationship[edge]].id)",
                            "no active `\(coefficientTypes[type])` coefficient for sector `\(sectors[sector])` as of \(scenario.asOf)",
                            detail: "its formula reads `coeff.\(coefficientTypes[type])` for the target \(ids[edgeTarget[edge]]); add a sector_coefficients row")
                }
            }
        }
    }

    // MARK: - Same-level components

    /// Tarjan's algorithm, iteratively, over same-level edges between computed entities of each level.
    /// - Complexity: O(V + E).
    func findComponents() {
        var index = Array(repeating: -1, count: ids.count)
        var lowlink = Array(repeating: 0, count: ids.count)
        var onStack = Array(repeating: false, count: ids.count)
        var stack: [Int] = []
        var counter = 0
        // Outgoing same-level adjacency (from the incoming CSR).
        var outgoing: [[Int]] = Array(repeating: [], count: ids.count)
        var selfLoop = Array(repeating: false, count: ids.count)
        for edge in edgeSource.indices where edgeClass[edge] == .sameLevel && !isMacro[edgeSource[edge]] {
            if edgeSource[edge] == edgeTarget[edge] { selfLoop[edgeSource[edge]] = true }
            outgoing[edgeSource[edge]].append(edgeTarget[edge])
        }
        for level in 0..<10 {
            var found: [[Int]] = []
            for root in entitiesByLevel[level] where !isMacro[root] && index[root] < 0 {
                var work: [(node: Int, next: Int)] = [(root, 0)]
                index[root] = counter; lowlink[root] = counter; counter += 1
                stack.append(root); onStack[root] = true
                while let (node, next) = work.last {
                    if next < outgoing[node].count {
                        work[work.count - 1].next += 1
                        let w = outgoing[node][next]
                        if index[w] < 0 {
                            index[w] = counter; lowlink[w] = counter; counter += 1
                            stack.append(w); onStack[w] = true
                            work.append((w, 0))
                        } else if onStack[w] {
                            lowlink[node] = min(lowlink[node], index[w])
                        }
                    } else {
                        work.removeLast()
                        if let parent = work.last?.node { lowlink[parent] = min(lowlink[parent], lowlink[node]) }
                        if lowlink[node] == index[node] {
                            var component: [Int] = []
                            while let w = stack.popLast() {
                                onStack[w] = false
                                component.append(w)
                                if w == node { break }
                            }
                            found.append(component.sorted())
                        }
                    }
                }
            }
            // Tarjan emits a component after everything it reaches: reverse for topological order.
            components[level] = found.reversed()
            componentIsCyclic[level] = components[level].map { $0.count > 1 || selfLoop[$0[0]] }
        }
    }
}
