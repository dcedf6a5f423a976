import CascadeFormula
import CascadeJSON

/// Reads and validates a world file completely before anything is written, collecting every
/// bad row with its JSON path. Checks that need the store (ids and formulas already there) are
/// done by `Store.validateReferences`.
struct WorldDecoder {
    let file: String?
    var problems: [Problem] = []
    /// Upper bound on problems kept; the rest are counted.
    let maxProblems = 1000
    var droppedProblems = 0
    /// Inline formula texts already checked (many relationships share one text): their
    /// diagnostics, re-placed per relationship.
    var checkedTexts: [String: [Diagnostic]] = [:]

    init(file: String?) { self.file = file }

    static let topKeys: Set<String> = ["entities", "relationships", "sector_coefficients", "macro_data", "financial_data", "formulas"]

    mutating func add(_ path: JSONPath, _ code: String, _ message: String, hint: String? = nil) {
        guard problems.count < maxProblems else { droppedProblems += 1; return }
        problems.append(Problem(path: JSONReader.place(file, path), code: code, message: message, hint: hint))
    }

    mutating func absorb(_ found: [Problem]) {
        for p in found {
            if problems.count < maxProblems { problems.append(p) } else { droppedProblems += 1 }
        }
    }

    mutating func decode(_ root: JSONValue, progress: (String) -> Void) -> World {
        var world = World()
        var scratch: [Problem] = []
        guard let top = JSONReader(root, at: .root, file: file, what: "a world file", problems: &scratch) else {
            absorb(scratch)
            return world
        }
        top.rejectUnknownKeys(Self.topKeys, problems: &scratch)
        absorb(scratch)
        scratch.removeAll()

        func list(_ key: String) -> [JSONValue] {
            var found: [Problem] = []
            let items = top.array(key, problems: &found) ?? []
            absorb(found)
            return items
        }

        // Formulas first: relationships may reference them.
        for (i, raw) in list("formulas").enumerated() {
            var found: [Problem] = []
            let path = JSONPath.root.appending("formulas").appending(i)
            if let name = raw["name"]?.stringValue { world.formulaNamesInFile.insert(name) }
            if let doc = FormulaDocument.decode(raw, at: path, file: file, problems: &found) {
                let check = FormulaCheck.run(doc, label: doc.name, textPath: JSONReader.place(file, path.appending("formula_text")))
                if check.isPassing { world.formulas.append(doc) } else { found += check.problems }
            }
            absorb(found)
        }

        let entityItems = list("entities")
        var entityIndex: [String: Int] = [:]
        entityIndex.reserveCapacity(entityItems.count)
        for (i, raw) in entityItems.enumerated() {
            let path = JSONPath.root.appending("entities").appending(i)
            if let id = raw["id"]?.stringValue { world.entityIDsInFile.insert(id) }
            if let entity = decodeEntity(raw, at: path) {
                if let first = entityIndex[entity.id] {
                    add(path.appending("id"), "world.duplicate-id", "entity id `\(entity.id)` is used twice",
                        hint: "first used at $.entities[\(first)]; ids must be unique")
                } else {
                    entityIndex[entity.id] = i
                    world.entities.append(entity)
                }
            }
            if i > 0 && i % 100_000 == 0 { progress("validated \(i) of \(entityItems.count) entities") }
        }

        let relationshipItems = list("relationships")
        var relationshipIndex: [String: Int] = [:]
        relationshipIndex.reserveCapacity(relationshipItems.count)
        for (i, raw) in relationshipItems.enumerated() {
            let path = JSONPath.root.appending("relationships").appending(i)
            for key in ["source_entity_id", "target_entity_id"] {
                if let id = raw[key]?.stringValue { world.entityReferences.append((path.appending(key), id)) }
            }
            if let relationship = decodeRelationship(raw, at: path) {
                if let first = relationshipIndex[relationship.id] {
                    add(path.appending("id"), "world.duplicate-id", "relationship id `\(relationship.id)` is used twice",
                        hint: "first used at $.relationships[\(first)]; ids must be unique")
                } else {
                    relationshipIndex[relationship.id] = i
                    world.relationships.append(relationship)
                    if let text = raw["metadata"]?["formula"]?.stringValue, let reference = FormulaReference(text) {
                        world.formulaReferences.append((path.appending("metadata").appending("formula"), reference))
                    }
                }
            }
            if i > 0 && i % 100_000 == 0 { progress("validated \(i) of \(relationshipItems.count) relationships") }
        }

        for (i, raw) in list("sector_coefficients").enumerated() {
            var found: [Problem] = []
            if let c = SectorCoefficient.decode(raw, at: JSONPath.root.appending("sector_coefficients").appending(i), file: file, problems: &found) {
                world.coefficients.append(c)
            }
            absorb(found)
        }

        var macroKeys: [String: Int] = [:]
        for (i, raw) in list("macro_data").enumerated() {
            let path = JSONPath.root.appending("macro_data").appending(i)
            var found: [Problem] = []
            guard let r = JSONReader(raw, at: path, file: file, what: "a macro data point", problems: &found) else { absorb(found); continue }
            r.rejectUnknownKeys(["date", "variable_name", "value", "unit", "data_source"], problems: &found)
            let date = r.date("date", required: true, acceptQuarters: true, problems: &found)
            let name = r.string("variable_name", required: true, maxLength: 100, problems: &found)
            let value = r.number("value", problems: &found)
            let unit = r.string("unit", maxLength: 20, problems: &found)
            let source = r.string("data_source", maxLength: 100, problems: &found)
            if found.isEmpty, let date, let name {
                if let first = macroKeys["\(date)\u{0}\(name)"] {
                    found.append(r.problem("date", "world.duplicate-key", "`\(name)` on \(date) is given twice", hint: "first at $.macro_data[\(first)]"))
                } else {
                    macroKeys["\(date)\u{0}\(name)"] = i
                    world.macroData.append(MacroDatum(date: date, variableName: name, value: value, unit: unit, dataSource: source))
                }
            }
            absorb(found)
        }

        var financialKeys: [String: Int] = [:]
        for (i, raw) in list("financial_data").enumerated() {
            let path = JSONPath.root.appending("financial_data").appending(i)
            var found: [Problem] = []
            guard let r = JSONReader(raw, at: path, file: file, what: "a financial data row", problems: &found) else { absorb(found); continue }
            r.rejectUnknownKeys(Set(FinancialDatum.numericColumns + ["entity_id", "date", "data_source"]), problems: &found)
            let entity = r.string("entity_id", required: true, problems: &found)
            if let entity { world.entityReferences.append((path.appending("entity_id"), entity)) }
            let date = r.date("date", required: true, acceptQuarters: true, problems: &found)
            var values: [String: Double] = [:]
            for column in FinancialDatum.numericColumns {
                if let x = r.number(column, problems: &found) { values[column] = x }
            }
            let source = r.string("data_source", maxLength: 100, problems: &found)
            if found.isEmpty, let entity, let date {
                if let first = financialKeys["\(entity)\u{0}\(date)"] {
                    found.append(r.problem("date", "world.duplicate-key", "entity `\(entity)` has two rows for \(date)", hint: "first at $.financial_data[\(first)]"))
                } else {
                    financialKeys["\(entity)\u{0}\(date)"] = i
                    world.financialData.append(FinancialDatum(entityID: entity, date: date, values: values, dataSource: source))
                }
            }
            absorb(found)
        }
        return world
    }

    private mutating func decodeEntity(_ raw: JSONValue, at path: JSONPath) -> EntityRecord? {
        var found: [Problem] = []
        defer { absorb(found) }
        guard let r = JSONReader(raw, at: path, file: file, what: "an entity", problems: &found) else { return nil }
        r.rejectUnknownKeys(["id", "type", "name", "description", "category", "ontology_level", "metadata"], problems: &found)
        let id = r.string("id", required: true, problems: &found)
        let type = r.string("type", required: true, problems: &found)
        if let type, !SeedVocabulary.entityTypes.contains(type) {
            found.append(r.problem("type", "world.unknown-type", "unknown entity type `\(type)`",
                                   hint: "use one of " + SeedVocabulary.entityTypes.joined(separator: ", ")))
        }
        let name = r.string("name", required: true, maxLength: 255, problems: &found)
        let description = r.string("description", problems: &found)
        let category = r.string("category", maxLength: 50, problems: &found)
        let level = r.number("ontology_level", problems: &found)
        if let level, !(level.rounded() == level && SeedVocabulary.levels.contains(Int(exactly: level) ?? -1)) {
            found.append(r.problem("ontology_level", "world.level", "ontology level \(JSNumber.format(level)) is outside 0–9",
                                   hint: "levels are whole numbers 0 (macro) to 9"))
        }
        let metadata = r.object("metadata", problems: &found)
        guard found.isEmpty, let id, let type, let name else { return nil }
        return EntityRecord(id: id, type: type, name: name, description: description, category: category,
                            ontologyLevel: level.map { Int($0) }, metadata: metadata.map { JSONValue.object($0).serialized() })
    }

    private mutating func decodeRelationship(_ raw: JSONValue, at path: JSONPath) -> RelationshipRecord? {
        var found: [Problem] = []
        defer { absorb(found) }
        guard let r = JSONReader(raw, at: path, file: file, what: "a relationship", problems: &found) else { return nil }
        r.rejectUnknownKeys(["id", "source_entity_id", "target_entity_id", "type", "weight", "impact_formula", "metadata"], problems: &found)
        let id = r.string("id", required: true, problems: &found)
        let source = r.string("source_entity_id", required: true, problems: &found)
        let target = r.string("target_entity_id", required: true, problems: &found)
        let type = r.string("type", required: true, problems: &found)
        if let type, !SeedVocabulary.relationshipTypes.contains(type) {
            found.append(r.problem("type", "world.unknown-type", "unknown relationship type `\(type)`",
                                   hint: "use one of " + SeedVocabulary.relationshipTypes.joined(separator: ", ")))
        }
        let weight = r.number("weight", problems: &found)
        if let weight, !(0...1).contains(weight) {
            found.append(r.problem("weight", "world.weight", "weight \(JSNumber.format(weight)) is outside 0–1",
                                   hint: "a relationship's strength is a number from 0 to 1"))
        }
        let formula = r.string("impact_formula", problems: &found)
        if let formula {
            // Free names are scenario variables and edge context, bound at run time: only
            // syntax, type, forbidden-construct and limit errors are checked here.
            let diagnostics = checkedTexts[formula] ?? {
                let found = Formula.compile(formula, inputs: [:]).diagnostics.filter { $0.isError && $0.kind != .name }
                checkedTexts[formula] = found
                return found
            }()
            for d in diagnostics {
                let location = SourceLocation(offset: d.range.start, in: formula)
                found.append(Problem(path: JSONReader.place(file, path.appending("impact_formula")) + " \(location.line):\(location.column)",
                                     code: d.code, message: d.message, hint: d.hint,
                                     rendered: d.rendered(source: formula, name: id ?? "impact_formula", color: false)))
            }
        }
        let metadata = r.object("metadata", problems: &found)
        if let metadata {
            let metaPath = path.appending("metadata")
            if let reference = metadata["formula"] {
                if case .string(let text) = reference, FormulaReference(text) != nil {} else {
                    found.append(Problem(path: JSONReader.place(file, metaPath.appending("formula")), code: "world.formula-reference",
                                         message: "`metadata.formula` must be a string `name` or `name@version`, not \(reference.serialized())"))
                }
                if formula != nil {
                    found.append(Problem(path: JSONReader.place(file, metaPath.appending("formula")), code: "world.formula-reference",
                                         message: "a relationship has either `impact_formula` or `metadata.formula`, not both"))
                }
            }
            if let bindings = metadata["bindings"] {
                if case .object(let o) = bindings {
                    for (key, value) in o where value.stringValue == nil {
                        found.append(Problem(path: JSONReader.place(file, metaPath.appending("bindings").appending(key)),
                                             code: "world.binding", message: "binding `\(key)` must be an expression string, not \(value.typeName)",
                                             hint: "e.g. \"source.value\" or \"coeff.gdp_elasticity\""))
                    }
                } else {
                    found.append(Problem(path: JSONReader.place(file, metaPath.appending("bindings")), code: "world.binding",
                                         message: "`metadata.bindings` must be an object of parameter → expression"))
                }
            }
        }
        guard found.isEmpty, let id, let source, let target, let type else { return nil }
        return RelationshipRecord(id: id, sourceID: source, targetID: target, type: type, weight: weight,
                                  impactFormula: formula, metadata: metadata.map { JSONValue.object($0).serialized() })
    }
}
