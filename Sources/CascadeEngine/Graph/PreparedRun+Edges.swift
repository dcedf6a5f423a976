import CascadeFormula
import CascadeJSON
import CascadeStore

extension PreparedRun {
    static let forwardTypes: Set<String> = ["IMPACTS", "SUPPLIES", "MANUFACTURES", "DESIGNS", "CONTAINS", "REQUIRES"]
    static let reverseTypes: Set<String> = ["OWNS", "INVESTS_IN", "FINANCES"]

    /// What a relationship's metadata says about propagation, read once per distinct text.
    struct RelationshipSettings {
        var metadata = JSONObject()
        var direction: String?
        var sign = 1.0
        var isBottleneck = false
        var problems: [String] = []
    }

    func relationshipSettings(_ text: String?) -> RelationshipSettings {
        var settings = RelationshipSettings()
        if let text, !text.isEmpty {
            do {
                if case .object(let object) = try JSONValue.parse(text) { settings.metadata = object }
            } catch {
                settings.problems.append("metadata is not valid JSON: \(error.message)")
            }
        }
        let propagation = settings.metadata["propagation"]?.objectValue ?? JSONObject()
        if let value = propagation["direction"] {
            if let text = value.stringValue, ["forward", "reverse", "both", "none"].contains(text) {
                settings.direction = text
            } else {
                settings.problems.append("metadata.propagation.direction must be forward, reverse, both or none")
            }
        }
        if let value = propagation["sign"] {
            if let x = value.numberValue, x == 1 || x == -1 { settings.sign = x } else {
                settings.problems.append("metadata.propagation.sign must be 1 or -1")
            }
        }
        if let value = propagation["channel"] {
            switch value.stringValue {
            case "additive": settings.isBottleneck = false
            case "bottleneck": settings.isBottleneck = true
            default: settings.problems.append("metadata.propagation.channel must be additive or bottleneck")
            }
        }
        return settings
    }

    /// Effective edges in relationship-id order, their formulas bound, then grouped by target.
    /// Adopts the sorted relationship columns; each distinct metadata text is parsed once.
    func buildEdges(_ columns: inout WorldColumns, internalIndex: [Int32], formulas: [RegistryFormula]) {
        relationshipIDs = columns.relationshipIDs
        relationshipSources = columns.relationshipSources
        relationshipTargets = columns.relationshipTargets
        for r in relationshipSources.indices {
            if relationshipSources[r] >= 0 { relationshipSources[r] = internalIndex[Int(relationshipSources[r])] }
            if relationshipTargets[r] >= 0 { relationshipTargets[r] = internalIndex[Int(relationshipTargets[r])] }
        }
        relationshipTypes = columns.relationshipTypes
        relationshipTypeNames = columns.typeNames
        relationshipWeights = columns.relationshipWeights
        relationshipHasWeight = columns.relationshipHasWeight
        relationshipFormulas = columns.relationshipFormulas
        relationshipMetadata = columns.relationshipMetadata
        texts = columns.texts
        let unknownEnds = columns.unknownEnds
        columns = WorldColumns()

        let typeDirection: [String] = relationshipTypeNames.map {
            PreparedRun.forwardTypes.contains($0) ? "forward" : PreparedRun.reverseTypes.contains($0) ? "reverse" : "none"
        }
        var settingsByText: [Int32: RelationshipSettings] = [:]
        canonicalMetadata = Array(repeating: nil, count: texts.count)
        let empty = RelationshipSettings()
        let context = EdgeContext(variables: variableNames, coefficientTypes: coefficientTypes)
        var binder = ProgramBinder(run: self, context: context, formulas: formulas)
        // Effective edges in relationship order: (source, target, relationship, program, flags).
        var pendingSource: [Int32] = [], pendingTarget: [Int32] = [], pendingRelationship: [Int32] = []
        var pendingProgram: [Int32] = [], pendingFlags: [UInt8] = []  // 1: sign −1, 2: bottleneck
        pendingSource.reserveCapacity(relationshipIDs.count)
        pendingTarget.reserveCapacity(relationshipIDs.count)
        pendingRelationship.reserveCapacity(relationshipIDs.count)
        pendingProgram.reserveCapacity(relationshipIDs.count)
        pendingFlags.reserveCapacity(relationshipIDs.count)
        var intoMacro = 0
        for r in relationshipIDs.indices {
            let id = relationshipIDs[r]
            if r > 0 && relationshipIDs[r - 1].utf8.elementsEqual(id.utf8) { problem("relationship \(id)", "duplicate relationship id") }
            let metaIndex = relationshipMetadata[r]
            let settings: RelationshipSettings
            if metaIndex < 0 {
                settings = empty
            } else if let known = settingsByText[metaIndex] {
                settings = known
            } else {
                settings = relationshipSettings(texts[Int(metaIndex)])
                settingsByText[metaIndex] = settings
                if settings.problems.isEmpty {
                    canonicalMetadata[Int(metaIndex)] = settings.metadata.isEmpty ? "" : JSONValue.object(settings.metadata).serialized(sortedKeys: true)
                }
            }
            // Problems in the order they were always reported: bad JSON, unknown ends (nothing
            // else about such a relationship), the weight, then the propagation settings.
            let isJSONProblem = settings.problems.first?.hasPrefix("metadata is not valid JSON") ?? false
            if isJSONProblem { problem("relationship \(id)", settings.problems[0]) }
            if let ends = unknownEnds[r] {
                problem("relationship \(id)", "refers to an unknown entity (\(ends.source) → \(ends.target))")
                continue
            }
            let s = Int(relationshipSources[r]), t = Int(relationshipTargets[r])
            if relationshipHasWeight[r], !(0...1).contains(relationshipWeights[r]) {
                problem("relationship \(id)", "weight \(JSNumber.format(relationshipWeights[r])) is outside 0–1")
            }
            for message in settings.problems.dropFirst(isJSONProblem ? 1 : 0) { problem("relationship \(id)", message) }
            let direction = settings.direction ?? typeDirection[Int(relationshipTypes[r])]
            let flags: UInt8 = (settings.sign < 0 ? 1 : 0) | (settings.isBottleneck ? 2 : 0)
            for pass in 0..<2 {
                let (source, target): (Int, Int)
                if pass == 0 {
                    guard direction == "forward" || direction == "both" else { continue }
                    (source, target) = (s, t)
                } else {
                    guard direction == "reverse" || direction == "both" else { continue }
                    (source, target) = (t, s)
                }
                guard levels[source] >= 0, levels[target] >= 0 else { continue }
                if isMacro[target] {
                    intoMacro += 1
                    continue
                }
                guard let program = binder.program(relationship: r, metadata: settings.metadata, source: source, target: target)
                else { continue }
                if program == -1 && isMacro[source] {
                    problem("relationship \(id)", "an edge leaving the MACRO entity \(ids[source]) must have a formula",
                            detail: "add impact_formula, or metadata.formula with metadata.bindings")
                }
                pendingSource.append(Int32(source))
                pendingTarget.append(Int32(target))
                pendingRelationship.append(Int32(r))
                pendingProgram.append(Int32(program))
                pendingFlags.append(flags)
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
        for target in pendingTarget { incomingStart[Int(target) + 1] += 1 }
        for i in 0..<ids.count { incomingStart[i + 1] += incomingStart[i] }
        var fill = incomingStart
        let count = pendingTarget.count
        edgeSource = Array(repeating: 0, count: count)
        edgeTarget = Array(repeating: 0, count: count)
        edgeRelationship = Array(repeating: 0, count: count)
        edgeSignedWeight = Array(repeating: 1, count: count)
        edgeIsBottleneck = Array(repeating: false, count: count)
        edgeClass = Array(repeating: .down, count: count)
        edgeProgram = Array(repeating: -1, count: count)
        for k in 0..<count {
            let target = Int(pendingTarget[k])
            let slot = fill[target]
            fill[target] += 1
            let source = pendingSource[k], r = Int(pendingRelationship[k])
            edgeSource[slot] = source
            edgeTarget[slot] = Int32(target)
            edgeRelationship[slot] = Int32(r)
            let weight = relationshipHasWeight[r] ? relationshipWeights[r] : 1
            edgeSignedWeight[slot] = pendingFlags[k] & 1 != 0 ? -weight : weight
            edgeIsBottleneck[slot] = pendingFlags[k] & 2 != 0
            let (ls, lt) = (levels[Int(source)], levels[target])
            edgeClass[slot] = lt > ls ? .down : lt == ls ? .sameLevel : .feedback
            edgeProgram[slot] = pendingProgram[k]
        }
        checkCoefficients()
    }

    /// Every coefficient an edge's formula reads must resolve for its target's sector as of the date.
    func checkCoefficients() {
        for edge in edgeSource.indices where edgeProgram[edge] >= 0 {
            let sector = sectorIndex[Int(edgeTarget[edge])]
            for type in programs[Int(edgeProgram[edge])].coefficientsRead {
                if let row = coefficientTable[sector][type] {
                    coefficientRowsRead[row.id] = row
                } else {
                    problem("relationship \(relationshipIDs[Int(edgeRelationship[edge])])",
                            "no active `\(coefficientTypes[type])` coefficient for sector `\(sectors[sector])` as of \(scenario.asOf)",
                            detail: "its formula reads `coeff.\(coefficientTypes[type])` for the target \(ids[Int(edgeTarget[edge])]); add a sector_coefficients row")
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
        for edge in edgeSource.indices where edgeClass[edge] == .sameLevel && !isMacro[Int(edgeSource[edge])] {
            let (source, target) = (Int(edgeSource[edge]), Int(edgeTarget[edge]))
            if source == target { selfLoop[source] = true }
            outgoing[source].append(target)
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
