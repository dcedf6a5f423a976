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

    /// Adopts the sorted relationship columns, with each end numbered as `internalIndex` says.
    func adoptRelationships(_ columns: inout WorldColumns, internalIndex: [Int32]) -> [Int: (source: String, target: String)] {
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
        return unknownEnds
    }

    /// The effective edges in relationship-id order, grouped by target: what depends on the world
    /// alone (the formulas are bound by `bindPrograms`, for the scenario). Each distinct metadata
    /// text is parsed once. The problems found are kept, with their relationship, for
    /// `bindPrograms` to report in relationship order among those of the binding.
    func buildEdges(_ columns: inout WorldColumns, internalIndex: [Int32]) {
        let unknownEnds = adoptRelationships(&columns, internalIndex: internalIndex)
        // Directions as bits: 1 forward (source → target), 2 reverse.
        func bits(_ direction: String) -> UInt8 {
            switch direction {
            case "forward": 1
            case "reverse": 2
            case "both": 3
            default: 0
            }
        }
        let typeDirection: [UInt8] = relationshipTypeNames.map {
            PreparedRun.forwardTypes.contains($0) ? 1 : PreparedRun.reverseTypes.contains($0) ? 2 : 0
        }
        // Settings per distinct metadata text: index into `settingsList` (0: no metadata).
        var settingsList = [RelationshipSettings()]
        var settingsOfText = [Int32](repeating: -1, count: texts.count)
        var settingsHaveReference = [false]  // per entry of `settingsList`: whether it names a formula
        var textIsBlank = [Int8](repeating: -1, count: texts.count)  // per formula text: -1 not yet known
        canonicalMetadata = Array(repeating: nil, count: texts.count)
        // Effective edges in relationship order: (source, target, relationship, flags).
        let count = relationshipIDs.count
        var pendingSource: [Int32] = [], pendingTarget: [Int32] = [], pendingRelationship: [Int32] = []
        var pendingFlags: [UInt8] = []  // 1: sign −1, 2: bottleneck, 4: bound by a formula
        pendingSource.reserveCapacity(count)
        pendingTarget.reserveCapacity(count)
        pendingRelationship.reserveCapacity(count)
        pendingFlags.reserveCapacity(count)
        // Read-only copies: the loop then reads local arrays, not the run's properties.
        let relationshipIDs = self.relationshipIDs, relationshipMetadata = self.relationshipMetadata
        let relationshipSources = self.relationshipSources, relationshipTargets = self.relationshipTargets
        let relationshipHasWeight = self.relationshipHasWeight, relationshipWeights = self.relationshipWeights
        let relationshipTypes = self.relationshipTypes, relationshipFormulas = self.relationshipFormulas, isMacro = self.isMacro
        // Levels (-1…9) in one byte each: the loops read them at random (relationships are in id
        // order), and 1 MB stays in cache where 8 MB did not.
        let levels = self.levels.map { Int8($0) }
        var problems: [(relationship: Int32, problem: EngineError.Problem)] = []
        // At most as many as a run reports (`problem`): they come after the entities' and the variables'.
        func problem(_ r: Int, _ message: String, detail: String? = nil) {
            guard problems.count < 200 else { return }
            problems.append((Int32(r), .init(location: "relationship \(relationshipIDs[r])", message: message, detail: detail)))
        }
        var intoMacro = 0
        for r in 0..<count {
            if r > 0 && relationshipIDs.idsEqual(r - 1, r) {
                problem(r, "duplicate relationship id")
            }
            let metaIndex = Int(relationshipMetadata[r])
            var settingsIndex = 0
            if metaIndex >= 0 {
                if settingsOfText[metaIndex] < 0 {
                    let settings = relationshipSettings(texts[metaIndex])
                    settingsOfText[metaIndex] = Int32(settingsList.count)
                    settingsList.append(settings)
                    settingsHaveReference.append(!settings.metadata.isEmpty && settings.metadata["formula"] != nil)
                    if settings.problems.isEmpty {
                        canonicalMetadata[metaIndex] = WorldDigest.canonicalMetadata(settings.metadata)
                    }
                }
                settingsIndex = Int(settingsOfText[metaIndex])
            }
            // Problems in the order they were always reported: bad JSON, unknown ends (nothing
            // else about such a relationship), the weight, then the propagation settings.
            let problemsOfSettings = settingsList[settingsIndex].problems
            let isJSONProblem = problemsOfSettings.first?.hasPrefix("metadata is not valid JSON") ?? false
            if isJSONProblem { problem(r, problemsOfSettings[0]) }
            if relationshipSources[r] < 0 || relationshipTargets[r] < 0, let ends = unknownEnds[r] {
                problem(r, "refers to an unknown entity (\(ends.source) → \(ends.target))")
                continue
            }
            let s = Int(relationshipSources[r]), t = Int(relationshipTargets[r])
            if relationshipHasWeight[r], !(0...1).contains(relationshipWeights[r]) {
                problem(r, "weight \(JSNumber.format(relationshipWeights[r])) is outside 0–1")
            }
            for message in problemsOfSettings.dropFirst(isJSONProblem ? 1 : 0) { problem(r, message) }
            let direction = settingsList[settingsIndex].direction.map(bits) ?? typeDirection[Int(relationshipTypes[r])]
            // Linear pass-through (no program to bind, whatever the scenario): neither a formula
            // reference in the metadata nor an inline formula with more than white space (as
            // `ProgramBinder.program` decides, per distinct text).
            let formulaIndex = Int(relationshipFormulas[r])
            if formulaIndex >= 0 && textIsBlank[formulaIndex] < 0 {
                textIsBlank[formulaIndex] = texts[formulaIndex].allSatisfy(\.isWhitespace) ? 1 : 0
            }
            let isLinear = !settingsHaveReference[settingsIndex] && (formulaIndex < 0 || textIsBlank[formulaIndex] == 1)
            let flags: UInt8 = (settingsList[settingsIndex].sign < 0 ? 1 : 0) | (settingsList[settingsIndex].isBottleneck ? 2 : 0)
                | (isLinear ? 0 : 4)
            for pass in 0..<2 {
                let (source, target): (Int, Int)
                if pass == 0 {
                    guard direction & 1 != 0 else { continue }
                    (source, target) = (s, t)
                } else {
                    guard direction & 2 != 0 else { continue }
                    (source, target) = (t, s)
                }
                guard levels[source] >= 0, levels[target] >= 0 else { continue }
                if isMacro[target] {
                    intoMacro += 1
                    continue
                }
                if isLinear && isMacro[source] {
                    problem(r, "an edge leaving the MACRO entity \(ids[source]) must have a formula",
                            detail: "add impact_formula, or metadata.formula with metadata.bindings")
                }
                pendingSource.append(Int32(source))
                pendingTarget.append(Int32(target))
                pendingRelationship.append(Int32(r))
                pendingFlags.append(flags)
            }
        }
        edgeProblems = problems
        edgesIntoMacro = intoMacro

        // Group by target, keeping relationship order (a stable counting sort).
        incomingStart = Array(repeating: 0, count: ids.count + 1)
        for target in pendingTarget { incomingStart[Int(target) + 1] += 1 }
        for i in 0..<ids.count { incomingStart[i + 1] += incomingStart[i] }
        var fill = incomingStart
        let edgeCount = pendingTarget.count
        var edgeSource = [Int32](repeating: 0, count: edgeCount)
        var edgeTarget = [Int32](repeating: 0, count: edgeCount)
        var edgeRelationship = [Int32](repeating: 0, count: edgeCount)
        var edgeSignedWeight = [Double](repeating: 1, count: edgeCount)
        var edgeIsBottleneck = [Bool](repeating: false, count: edgeCount)
        var edgeClass = [EdgeClass](repeating: .down, count: edgeCount)
        var bindingSlots: [Int32] = []
        for k in 0..<edgeCount {
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
            if pendingFlags[k] & 4 != 0 { bindingSlots.append(Int32(slot)) }
        }
        // Group by source as well (a counting sort over the laid-out edges: each source's
        // targets in edge order), for the sensitivities' forward push.
        var targetStart = [Int32](repeating: 0, count: ids.count + 1)
        for source in edgeSource { targetStart[Int(source) + 1] &+= 1 }
        for i in 0..<ids.count { targetStart[i + 1] &+= targetStart[i] }
        var targetFill = targetStart
        var targetsBySource = [Int32](repeating: 0, count: edgeCount)
        for e in 0..<edgeCount {
            let s = Int(edgeSource[e])
            targetsBySource[Int(targetFill[s])] = edgeTarget[e]
            targetFill[s] &+= 1
        }
        self.targetStart = targetStart
        self.targetsBySource = targetsBySource
        self.edgeSource = edgeSource
        self.edgeTarget = edgeTarget
        self.edgeRelationship = edgeRelationship
        self.edgeSignedWeight = edgeSignedWeight
        self.edgeIsBottleneck = edgeIsBottleneck
        self.edgeClass = edgeClass
        self.bindingSlots = bindingSlots
    }

    /// Takes the edges `buildEdges` laid out for this world from a snapshot's prepared graph
    /// (which is kept only for a world without such problems).
    func adoptEdges(_ columns: inout WorldColumns, graph: PreparedGraph, internalIndex: [Int32]) {
        _ = adoptRelationships(&columns, internalIndex: internalIndex)
        canonicalMetadata = graph.canonicalMetadata
        edgeSource = graph.edgeSource
        edgeTarget = graph.edgeTarget
        edgeRelationship = graph.edgeRelationship
        edgeSignedWeight = graph.edgeSignedWeight
        edgeIsBottleneck = graph.edgeIsBottleneck
        edgeClass = graph.edgeClass
        incomingStart = graph.incomingStart
        targetStart = graph.targetStart
        targetsBySource = graph.targetsBySource
        bindingSlots = graph.bindingSlots
        edgesIntoMacro = graph.edgesIntoMacro
        edgeProblems = []
    }

    /// Binds the formula of every edge that has one, for the scenario (its variables, the
    /// coefficient types, the formula versions in force on its date), in relationship order,
    /// reporting the world's edge problems (`buildEdges`) in that order among its own.
    /// An edge whose formula cannot be bound keeps program -1; the run then stops with the problems.
    func bindPrograms(formulas: [RegistryFormula]) {
        let context = EdgeContext(variables: variableNames, coefficientTypes: coefficientTypes)
        var binder = ProgramBinder(run: self, context: context, formulas: formulas)
        let pendingProblems = edgeProblems
        let bindingSlots = self.bindingSlots, edgeRelationship = self.edgeRelationship, edgeTarget = self.edgeTarget
        // Three passes, so that the edges (scattered: the slots are in relationship order, the
        // edges in target order) are read and written by loops with no other work, whose misses
        // overlap: at 1 M / 5 M one loop doing all three spent 0.6 s waiting on them.
        var programOfSlot = bindingSlots.map { edgeRelationship[Int($0)] }  // each slot's relationship, then its program
        var reported = 0
        for k in programOfSlot.indices {
            let r = Int(programOfSlot[k])
            while reported < pendingProblems.count && Int(pendingProblems[reported].relationship) <= r {
                let p = pendingProblems[reported].problem
                problem(p.location, p.message, detail: p.detail)
                reported += 1
            }
            let program = binder.knownInlineProgram(relationship: r)
                ?? binder.program(relationship: r, target: Int(edgeTarget[Int(bindingSlots[k])]))
            programOfSlot[k] = Int32(program ?? -1)
        }
        for (_, p) in pendingProblems[reported...] { problem(p.location, p.message, detail: p.detail) }
        var edgeProgram = [Int32](repeating: -1, count: edgeSource.count)
        for (k, slot) in bindingSlots.enumerated() { edgeProgram[Int(slot)] = programOfSlot[k] }
        programs = binder.programs
        formulasUsed = binder.formulasUsed
        inlineFormulaCount = binder.inlineTexts.count
        if edgesIntoMacro > 0 {
            let intoMacro = edgesIntoMacro
            warnings.append("\(intoMacro) edge\(intoMacro == 1 ? "" : "s") into MACRO entities \(intoMacro == 1 ? "is" : "are") ignored: macro values come from the scenario")
        }
        self.edgeProgram = edgeProgram
        checkCoefficients()
    }

    /// Every coefficient an edge's formula reads must resolve for its target's sector as of the date.
    /// What a program reads is listed once per program, and a (program, sector) pair that resolved
    /// is not looked at again (at 1 M / 5 M this took 1 s: a list allocated and a row id hashed per edge).
    func checkCoefficients() {
        let reads = programs.map(\.coefficientsRead)
        var resolved = Set<Int>()
        var lastResolved = -1
        for edge in edgeSource.indices where edgeProgram[edge] >= 0 {
            let program = Int(edgeProgram[edge])
            let sector = sectorIndex[Int(edgeTarget[edge])]
            let pair = program * sectors.count + sector
            if pair == lastResolved || reads[program].isEmpty || resolved.contains(pair) { continue }
            var isComplete = true
            for type in reads[program] {
                if let row = coefficientTable[sector][type] {
                    coefficientRowsRead[row.id] = row
                } else {
                    isComplete = false
                    problem("relationship \(relationshipIDs[Int(edgeRelationship[edge])])",
                            "no active `\(coefficientTypes[type])` coefficient for sector `\(sectors[sector])` as of \(scenario.asOf)",
                            detail: "its formula reads `coeff.\(coefficientTypes[type])` for the target \(ids[Int(edgeTarget[edge])]); add a sector_coefficients row")
                }
            }
            if isComplete {
                resolved.insert(pair)
                lastResolved = pair
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
