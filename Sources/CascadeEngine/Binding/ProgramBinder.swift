import CascadeFormula
import CascadeJSON
import CascadeStore

/// Binds each relationship's formula once per distinct text (and parameter binding), reporting
/// every unresolvable or ambiguous name with the relationship and the formula diagnostic.
struct ProgramBinder {
    unowned let run: PreparedRun
    let context: EdgeContext
    let versions: [String: [RegistryFormula]]
    var programs: [EdgeProgram] = []
    var programIndex: [String: Int] = [:]
    var compiled: [String: BoundProgram?] = [:]
    var mainFormulas: [String: CompiledFormula?] = [:]
    var inlineTexts: Set<String> = []
    var formulasUsed: [String: RegistryFormula] = [:]

    init(run: PreparedRun, context: EdgeContext, formulas: [RegistryFormula]) {
        self.run = run
        self.context = context
        self.versions = Dictionary(grouping: formulas, by: \.name)
        inlineByText = Array(repeating: -2, count: run.texts.count)
        metadataOfText = Array(repeating: nil, count: run.texts.count)
        referenceState = Array(repeating: -1, count: run.texts.count)
        formulaOfRelationship = run.relationshipFormulas
        metadataOfRelationship = run.relationshipMetadata
    }

    /// The run's relationship columns as the binder's own (read per edge: through the class,
    /// every access retained and released the array).
    let formulaOfRelationship: [Int32], metadataOfRelationship: [Int32]

    /// Inline programs by formula text index (`PreparedRun.texts`): -2 not yet bound (or failed).
    /// Arrays, not dictionaries: at 1 M / 5 M nearly every edge has an inline formula, and a
    /// hashed lookup per edge was most of the binding's time.
    var inlineByText: [Int]
    /// Relationship metadata by text index, parsed on first use, with its `formula` reference.
    var metadataOfText: [(metadata: JSONObject, reference: JSONValue?)?]

    /// Per metadata text index: whether it names a registry formula (`formula`): -1 not yet known.
    var referenceState: [Int8]

    /// The program `program(relationship:target:)` gives relationship `r` when that is already
    /// known from its inline formula text alone (no registry reference, text bound before), else
    /// nil. It reads two relationship columns and two arrays indexed by text, and retains nothing:
    /// at 1 M / 5 M it runs once per edge.
    @inline(__always)
    func knownInlineProgram(relationship r: Int) -> Int? {
        let formulaIndex = Int(formulaOfRelationship[r]), metadataIndex = Int(metadataOfRelationship[r])
        guard formulaIndex >= 0, metadataIndex < 0 || referenceState[metadataIndex] == 0 else { return nil }
        let program = inlineByText[formulaIndex]
        return program == -2 ? nil : program
    }

    /// The program of an effective edge of relationship `r` (in `run`'s relationship columns)
    /// into `target`: -1 for linear pass-through, nil when it could not be bound.
    mutating func program(relationship r: Int, target: Int) -> Int? {
        let formulaIndex = formulaOfRelationship[r]
        let metadataIndex = Int(metadataOfRelationship[r])
        var metadata = JSONObject(), reference: JSONValue?
        if metadataIndex >= 0 {
            if metadataOfText[metadataIndex] == nil {
                let object = run.relationshipSettings(run.texts[metadataIndex]).metadata
                metadataOfText[metadataIndex] = (object, object.isEmpty ? nil : object["formula"])
            }
            reference = metadataOfText[metadataIndex]!.reference
            if formulaIndex >= 0, reference == nil, inlineByText[Int(formulaIndex)] != -2 { return inlineByText[Int(formulaIndex)] }
            metadata = metadataOfText[metadataIndex]!.metadata
        }
        if formulaIndex < 0 && reference == nil { return -1 }
        if formulaIndex >= 0, reference == nil, inlineByText[Int(formulaIndex)] != -2 { return inlineByText[Int(formulaIndex)] }
        let location = "relationship \(run.relationshipIDs[r])"
        let inline = formulaIndex < 0 ? nil : run.texts[Int(formulaIndex)]
        switch (inline.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }, reference) {
        case (nil, nil):
            if formulaIndex >= 0 { inlineByText[Int(formulaIndex)] = -1 }
            return -1
        case (_?, _?):
            run.problem(location, "has both impact_formula and metadata.formula; keep one")
            return nil
        case (let text?, nil):
            inlineTexts.insert(text)
            let key = "inline\u{0}" + text
            if let index = programIndex[key] {
                inlineByText[Int(formulaIndex)] = index
                return index
            }
            guard let bound = bind(text, location: location, expecting: nil) else { return nil }
            let index = add(EdgeProgram(kind: .inline(bound), reference: nil), key: key)
            inlineByText[Int(formulaIndex)] = index
            return index
        case (nil, let value?):
            guard let text = value.stringValue, let ref = FormulaReference(text) else {
                run.problem(location, "metadata.formula must be \"name\" or \"name@version\"")
                return nil
            }
            return registryProgram(ref, metadata: metadata, target: target, location: location)
        }
    }

    mutating func add(_ program: EdgeProgram, key: String) -> Int {
        programs.append(program)
        programIndex[key] = programs.count - 1
        return programs.count - 1
    }

    /// Compiles an expression or formula over the edge context (cached by text).
    mutating func bind(_ text: String, location: String, expecting expected: String?) -> BoundProgram? {
        if let cached = compiled[text] {
            if cached == nil { run.problem(location, "its formula does not compile (reported above)") }
            return cached.flatMap { checkResult($0, text, expected, location) }
        }
        let compilation = Formula.compile(text, inputs: context.inputs)
        guard let formula = compilation.formula else {
            run.problem(location, "its formula does not compile",
                        detail: compilation.errors.map { $0.rendered(source: text, name: location) }.joined())
            compiled[text] = .some(nil)
            return nil
        }
        var slots: [SlotSource] = []
        for input in formula.inputs {
            guard let source = context.slotSource(input.path) else {
                run.problem(location, "the formula reads `\(input.path)`, which the edge context does not provide")
                compiled[text] = .some(nil)
                return nil
            }
            slots.append(source)
        }
        let bound = BoundProgram(formula: formula, slots: slots, frame: formula.makeFrame())
        compiled[text] = bound
        return checkResult(bound, text, expected, location)
    }

    /// An impact formula returns a number (or no value); a parameter binding gives its declared type.
    func checkResult(_ bound: BoundProgram, _ text: String, _ expected: String?, _ location: String) -> BoundProgram? {
        let allowed: Set<String> = expected.map { $0 == "any" ? ["number", "boolean", "string", "null", "any"] : [$0, "any"] }
            ?? ["number", "any", "undefined"]
        let wrong = bound.formula.checked.resultTypes.filter { !allowed.contains($0) }
        if !wrong.isEmpty {
            run.problem(location, expected.map { "`\(text)` gives \(wrong.joined(separator: "/")), but the parameter is \($0)" }
                        ?? "the formula returns \(wrong.joined(separator: "/")); an impact formula returns a number")
            return nil
        }
        return bound
    }

    mutating func registryProgram(_ ref: FormulaReference, metadata: JSONObject, target: Int, location: String) -> Int? {
        let candidates = versions[ref.name] ?? []
        let version: RegistryFormula?
        if let pinned = ref.version {
            version = candidates.first { $0.version == pinned }
            if version == nil { run.problem(location, "the registry has no formula \(ref)") }
        } else {
            let asOf = CalendarDate(run.scenario.asOf)
            version = candidates.filter { v in
                v.isActive && (CalendarDate(v.effectiveDate).map { d in asOf.map { d <= $0 } ?? false } ?? false)
            }.max { $0.version < $1.version }
            if version == nil {
                run.problem(location, candidates.isEmpty ? "the registry has no formula `\(ref.name)`"
                            : "no version of `\(ref.name)` is active on \(run.scenario.asOf)")
            }
        }
        guard let version else { return nil }

        // Parameter bindings: explicit, else the one place the name is found.
        let explicit = metadata["bindings"]?.objectValue ?? JSONObject()
        for key in explicit.keys where version.parameters[key] == nil {
            run.problem(location, "metadata.bindings names `\(key)`, which is not a parameter of \(version.reference)")
        }
        var expressions: [(String, String)] = []
        for parameter in version.parameters.keys.sorted() {
            if let value = explicit[parameter] {
                guard let text = value.stringValue else {
                    run.problem(location, "metadata.bindings.\(parameter) must be an expression in a string")
                    return nil
                }
                expressions.append((parameter, text))
                continue
            }
            var found: [String] = []
            if context.variableIndex[parameter] != nil { found.append(EdgeContext.isBareName(parameter) ? parameter : "scenario[\(JSNumber.quoted(parameter))]") }
            if let type = context.coefficientIndex[parameter], run.coefficientTable[run.sectorIndex[target]][type] != nil {
                found.append("coeff[\(JSNumber.quoted(parameter))]")
            }
            if run.metadata(target)[parameter] != nil { found.append("target.metadata[\(JSNumber.quoted(parameter))]") }
            if found.count != 1 {
                run.problem(location, found.isEmpty
                            ? "parameter `\(parameter)` of \(version.reference) has no binding"
                            : "parameter `\(parameter)` of \(version.reference) is ambiguous: \(found.joined(separator: ", "))",
                            detail: "bind it explicitly in metadata.bindings, e.g. {\"\(parameter)\": \"source.value\"}")
                return nil
            }
            expressions.append((parameter, found[0]))
        }
        let key = "registry\u{0}" + version.reference + expressions.map { "\u{0}\($0)=\($1)" }.joined()
        if let index = programIndex[key] { return index }

        let main: CompiledFormula?
        if let cached = mainFormulas[version.reference] {
            main = cached
        } else {
            var inputs: [String: InputType] = [:]
            for (name, typeName) in version.parameters {
                guard let type = InputType(declared: typeName) else {
                    run.problem(location, "\(version.reference) declares `\(name)` with the unknown type `\(typeName)`")
                    return nil
                }
                inputs[name] = type
            }
            let compilation = Formula.compile(version.text, inputs: inputs)
            main = compilation.formula
            if main == nil {
                run.problem(location, "\(version.reference) does not compile",
                            detail: compilation.errors.map { $0.rendered(source: version.text, name: version.reference) }.joined())
            }
            mainFormulas[version.reference] = main
        }
        guard let main else { return nil }
        var parameters: [(slot: Int, binding: BoundProgram)] = []
        for (parameter, text) in expressions {
            guard let slot = main.slot(parameter) else { continue }  // declared but never read
            guard let binding = bind(text, location: "\(location) (binding of `\(parameter)`)",
                                     expecting: version.parameters[parameter]) else { return nil }
            parameters.append((slot, binding))
        }
        formulasUsed[version.reference] = version
        return add(EdgeProgram(kind: .registry(formula: main, frame: main.makeFrame(), parameters: parameters),
                               reference: version.reference), key: key)
    }
}
