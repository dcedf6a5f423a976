import CascadeFormula

/// Where one input slot of an edge formula gets its value.
enum SlotSource: Sendable, Equatable {
    case variable(Int)
    case sourceValue, sourceBaseline, sourceDelta, sourceImpact
    case sourceLevel, sourceName, sourceType, sourceCategory, sourceMetadata
    case targetBaseline, targetLevel, targetName, targetType, targetCategory, targetMetadata
    case weight
    case coefficient(Int)
    case edgeType

    /// Whether the value differs between the scenario and the baseline context.
    var isShocked: Bool {
        switch self {
        case .variable, .sourceValue, .sourceDelta, .sourceImpact: true
        default: false
        }
    }

    var dependsOnSource: Bool {
        switch self {
        case .sourceValue, .sourceDelta, .sourceImpact: true
        default: false
        }
    }
}

/// The names a relationship formula can read (see docs/propagation.md), as formula input types.
struct EdgeContext {
    static let reservedNames: Set<String> = ["source", "target", "weight", "coeff", "scenario", "edge", "Math"]

    let variableIndex: [String: Int]
    let coefficientIndex: [String: Int]
    let inputs: [String: InputType]

    init(variables: [String], coefficientTypes: [String]) {
        var variableIndex: [String: Int] = [:]
        for (i, name) in variables.enumerated() { variableIndex[name] = i }
        self.variableIndex = variableIndex
        var coefficientIndex: [String: Int] = [:]
        for (i, name) in coefficientTypes.enumerated() { coefficientIndex[name] = i }
        self.coefficientIndex = coefficientIndex

        var inputs: [String: InputType] = [:]
        for name in variables where EdgeContext.isBareName(name) { inputs[name] = .number }
        inputs["source"] = .record([
            "value": .number, "baseline": .number, "delta": .number, "impact": .number, "level": .number,
            "name": .string, "type": .string, "category": .string, "metadata": .any,
        ])
        inputs["target"] = .record([
            "baseline": .number, "level": .number, "name": .string, "type": .string, "category": .string, "metadata": .any,
        ])
        inputs["weight"] = .number
        inputs["coeff"] = .record(Dictionary(uniqueKeysWithValues: coefficientTypes.map { ($0, InputType.number) }))
        inputs["scenario"] = .record(Dictionary(uniqueKeysWithValues: variables.map { ($0, InputType.number) }))
        inputs["edge"] = .record(["type": .string])
        self.inputs = inputs
    }

    /// A variable readable by its bare name: an identifier that is not a context record's name.
    static func isBareName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39), !reservedNames.contains(name) else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x24 }
            && Formula.compile(name, inputs: [name: .number]).errors.isEmpty
    }

    /// The source of an input path the checker resolved, e.g. `source.impact` or `coeff.beta`.
    func slotSource(_ path: String) -> SlotSource? {
        if let i = variableIndex[path], !path.contains(".") || inputs[path] != nil { return .variable(i) }
        guard let dot = path.firstIndex(of: ".") else { return path == "weight" ? .weight : nil }
        let head = path[..<dot], field = String(path[path.index(after: dot)...])
        switch head {
        case "scenario": return variableIndex[field].map { .variable($0) }
        case "coeff": return coefficientIndex[field].map { .coefficient($0) }
        case "edge": return field == "type" ? .edgeType : nil
        case "source":
            switch field {
            case "value": return .sourceValue
            case "baseline": return .sourceBaseline
            case "delta": return .sourceDelta
            case "impact": return .sourceImpact
            case "level": return .sourceLevel
            case "name": return .sourceName
            case "type": return .sourceType
            case "category": return .sourceCategory
            case "metadata": return .sourceMetadata
            default: return nil
            }
        case "target":
            switch field {
            case "baseline": return .targetBaseline
            case "level": return .targetLevel
            case "name": return .targetName
            case "type": return .targetType
            case "category": return .targetCategory
            case "metadata": return .targetMetadata
            default: return nil
            }
        default: return nil
        }
    }
}

/// A formula compiled against the edge context, with the source of each of its input slots.
struct BoundProgram {
    let formula: CompiledFormula
    let slots: [SlotSource]
    let frame: Frame

    var coefficientsRead: [Int] { slots.compactMap { if case .coefficient(let i) = $0 { i } else { nil } } }
    var variablesRead: [Int] { slots.compactMap { if case .variable(let i) = $0 { i } else { nil } } }
    var readsSource: Bool { slots.contains { $0.dependsOnSource } }
    var isConstant: Bool { !slots.contains { $0.isShocked } }

    /// The same program with a frame of its own: another thread evaluates it without sharing
    /// registers (the compiled formula itself is immutable and shared).
    func withOwnFrame() -> BoundProgram {
        BoundProgram(formula: formula, slots: slots, frame: formula.makeFrame())
    }
}

/// What an effective edge evaluates: an inline formula, or a registry formula with its
/// parameters bound to edge-context expressions.
struct EdgeProgram {
    enum Kind {
        case inline(BoundProgram)
        case registry(formula: CompiledFormula, frame: Frame, parameters: [(slot: Int, binding: BoundProgram)])
    }

    let kind: Kind
    /// `name@version` for registry formulas; nil for inline ones.
    let reference: String?

    var bindings: [BoundProgram] {
        switch kind {
        case .inline(let program): [program]
        case .registry(_, _, let parameters): parameters.map(\.binding)
        }
    }

    var coefficientsRead: [Int] { bindings.flatMap(\.coefficientsRead) }
    var variablesRead: [Int] { Array(Set(bindings.flatMap(\.variablesRead))).sorted() }
    var readsSource: Bool { bindings.contains { $0.readsSource } }

    /// The same program with frames of its own (`BoundProgram.withOwnFrame`), for another thread.
    func withOwnFrames() -> EdgeProgram {
        switch kind {
        case .inline(let program):
            EdgeProgram(kind: .inline(program.withOwnFrame()), reference: reference)
        case .registry(let formula, _, let parameters):
            EdgeProgram(kind: .registry(formula: formula, frame: formula.makeFrame(),
                                        parameters: parameters.map { (slot: $0.slot, binding: $0.binding.withOwnFrame()) }),
                        reference: reference)
        }
    }
}
