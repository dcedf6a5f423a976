import CascadeFormula
import CascadeJSON

/// Reads and validates a world file completely before anything is written, collecting every
/// bad row with its JSON path. Checks that need the store (ids and formulas already there) are
/// done by `Store.validateReferences`.
struct WorldDecoder {
    let file: String?
    /// Problems per part of the file, reported in this order whatever order the file has:
    /// top level, formulas, entities, relationships, coefficients, macro data, financial data.
    enum Section: Int, CaseIterable { case top, formulas, entities, relationships, coefficients, macroData, financialData }
    private var sectionProblems: [[Problem]] = Array(repeating: [], count: Section.allCases.count)
    var section = Section.top
    /// Upper bound on problems kept; the rest are counted.
    let maxProblems = 1000
    private var sectionDropped = 0
    /// Inline formula texts already checked (many relationships share one text): their
    /// diagnostics, re-placed per relationship.
    var checkedTexts: [String: [Diagnostic]] = [:]
    private var parsedReferences: [String: FormulaReference?] = [:]

    init(file: String?) { self.file = file }

    static let topKeys: Set<String> = ["entities", "relationships", "sector_coefficients", "macro_data", "financial_data", "formulas"]
    static let macroDataKeys: Set<String> = ["date", "variable_name", "value", "unit", "data_source"]
    static let financialDataKeys = Set(FinancialDatum.numericColumns + ["entity_id", "date", "data_source"])

    /// Every problem kept, in section order (at most `maxProblems`).
    var problems: [Problem] { Array(sectionProblems.joined().prefix(maxProblems)) }
    /// Problems found but not kept.
    var droppedProblems: Int { sectionDropped + max(0, sectionProblems.reduce(0) { $0 + $1.count } - maxProblems) }

    mutating func add(_ path: JSONPath, _ code: String, _ message: String, hint: String? = nil) {
        absorb([Problem(path: JSONReader.place(file, path), code: code, message: message, hint: hint)])
    }

    mutating func absorb(_ found: [Problem]) {
        for p in found {
            if sectionProblems[section.rawValue].count < maxProblems {
                sectionProblems[section.rawValue].append(p)
            } else {
                sectionDropped += 1
            }
        }
    }

    /// Decodes a parsed world document.
    mutating func decode(_ root: JSONValue, progress: (WorkProgress) -> Void) -> World {
        var world = World()
        var scratch: [Problem] = []
        guard let top = JSONReader(root, at: .root, file: file, what: "a world file", problems: &scratch) else {
            absorb(scratch)
            return world
        }
        decodeTop(top, into: &world, streamed: nil, progress: progress)
        return world
    }

    /// Reads and decodes a world file from its bytes in one pass: rows of `entities` and
    /// `relationships` go straight from the bytes to records (`WorldScanner`), everything else
    /// through the ordinary parser. Throws the parser's error for invalid JSON, exactly as
    /// `JSONValue.parse` would for the whole document.
    static func decode(bytes: UnsafeBufferPointer<UInt8>, file: String?, progress: (WorkProgress) -> Void) throws(JSONError) -> (WorldDecoder, World) {
        let limits = JSONLimits.default
        if bytes.count <= limits.maxBytes {
            var decoder = WorldDecoder(file: file)
            if let world = try decoder.decodeStreaming(bytes, limits: limits, progress: progress) {
                return (decoder, world)
            }
        }
        // An unusual top level (or an error in it): the whole document the ordinary way, which
        // also gives the exact error.
        let root = try JSONValue.parse(bytes: bytes, limits: limits)
        var decoder = WorldDecoder(file: file)
        let world = decoder.decode(root, progress: progress)
        return (decoder, world)
    }

    /// Rows already decoded from the bytes, by section.
    private struct Streamed {
        var entities: [EntityRecord]?
        var relationships: [RelationshipRecord]?
    }

    /// Nil when the top level is not a plain object of distinct keys (the caller then parses the
    /// document the ordinary way).
    private mutating func decodeStreaming(_ bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits,
                                          progress: (WorkProgress) -> Void) throws(JSONError) -> World? {
        var scanner = WorldScanner(bytes: bytes, limits: limits)
        var world = World()
        var rest = JSONObject()
        var streamed = Streamed()
        var keys = Set<String>()
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        if !scanner.take(UInt8(ascii: "}")) {
            while true {
                scanner.skipWhitespace()
                guard let range = scanner.plainStringRange(), let key = scanner.text(range), keys.insert(key).inserted,
                      scanner.take(UInt8(ascii: ":")) else { return nil }
                scanner.skipWhitespace()
                let path = JSONPath.root.appending(key)
                if key == "entities" && scanner.current == UInt8(ascii: "[") {
                    section = .entities
                    var entityIndex = IDTable(namespace: "entity")
                    var records: [EntityRecord] = []
                    guard try Self.streamArray(&scanner, path: path, progress: { progress(WorkProgress("reading entities", done: $0, unit: "rows")) }, row: { scanner, i, start throws(JSONError) in
                        if let fields = scanner.entity(), let record = checkedEntity(fields) {
                            world.entityIDsInFile.insert(record.id, index: i)
                            accept(record, index: i, &entityIndex, &records)
                        } else {
                            scanner.position = start
                            let raw = try scanner.parseRow(path: path.appending(i))
                            entity(raw, index: i, &world, &entityIndex, &records)
                        }
                    }) else { return nil }
                    streamed.entities = records
                } else if key == "relationships" && scanner.current == UInt8(ascii: "[") {
                    section = .relationships
                    var relationshipIndex = IDTable(namespace: "relationship")
                    var records: [RelationshipRecord] = []
                    guard try Self.streamArray(&scanner, path: path, progress: { progress(WorkProgress("reading relationships", done: $0, unit: "rows")) }, row: { scanner, i, start throws(JSONError) in
                        if let fields = scanner.relationship(), let (record, reference) = checkedRelationship(fields) {
                            world.entityReferences.append(EntityReference(index: i, field: .source, id: record.sourceID))
                            world.entityReferences.append(EntityReference(index: i, field: .target, id: record.targetID))
                            if accept(record, index: i, &relationshipIndex, &records), let reference {
                                world.formulaReferences.append((i, reference))
                            }
                        } else {
                            scanner.position = start
                            let raw = try scanner.parseRow(path: path.appending(i))
                            relationship(raw, index: i, &world, &relationshipIndex, &records)
                        }
                    }) else { return nil }
                    streamed.relationships = records
                } else {
                    let (value, end) = try JSONValue.parseValue(in: bytes, at: scanner.position, path: path, depth: 1, limits: limits)
                    scanner.position = end
                    rest[key] = value
                }
                scanner.skipWhitespace()
                if scanner.current == UInt8(ascii: ",") {
                    scanner.position += 1
                } else if scanner.current == UInt8(ascii: "}") {
                    scanner.position += 1
                    break
                } else {
                    return nil
                }
            }
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { return nil }
        section = .top
        var scratch: [Problem] = []
        let top = JSONReader(.object(rest), at: .root, file: file, what: "a world file", problems: &scratch)!
        decodeTop(top, into: &world, streamed: streamed, progress: progress)
        return world
    }

    /// Reads the array at the scanner's position, calling `row` for each element (with its index
    /// and start offset; it must leave the position after the element). False when the array's
    /// punctuation is not plain (the caller falls back).
    private static func streamArray(
        _ scanner: inout WorldScanner, path: JSONPath, progress: (Int) -> Void,
        row: (inout WorldScanner, Int, Int) throws(JSONError) -> Void
    ) throws(JSONError) -> Bool {
        guard scanner.take(UInt8(ascii: "[")) else { return false }
        if scanner.take(UInt8(ascii: "]")) { return true }
        var i = 0
        while true {
            scanner.skipWhitespace()
            try row(&scanner, i, scanner.position)
            i += 1
            if i % 100_000 == 0 { progress(i) }
            scanner.skipWhitespace()
            if scanner.current == UInt8(ascii: ",") {
                scanner.position += 1
            } else if scanner.current == UInt8(ascii: "]") {
                scanner.position += 1
                return true
            } else {
                return false
            }
        }
    }

    /// The sections of a world file's top level, in order; `streamed` holds sections already
    /// decoded from the bytes (their keys are then absent from `top`).
    private mutating func decodeTop(_ top: JSONReader, into world: inout World, streamed: Streamed?, progress: (WorkProgress) -> Void) {
        section = .top
        var scratch: [Problem] = []
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
        section = .formulas
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

        section = .entities
        if let entities = streamed?.entities {
            world.entities = entities
        } else {
            let entityItems = list("entities")
            var entityIndex = IDTable(namespace: "entity", capacity: entityItems.count)
            var records: [EntityRecord] = []
            for (i, raw) in entityItems.enumerated() {
                entity(raw, index: i, &world, &entityIndex, &records)
                if i > 0 && i % 100_000 == 0 { progress(WorkProgress("validating entities", done: i, total: entityItems.count, unit: "rows")) }
            }
            world.entities = records
        }

        section = .relationships
        if let relationships = streamed?.relationships {
            world.relationships = relationships
        } else {
            let relationshipItems = list("relationships")
            var relationshipIndex = IDTable(namespace: "relationship", capacity: relationshipItems.count)
            var records: [RelationshipRecord] = []
            for (i, raw) in relationshipItems.enumerated() {
                relationship(raw, index: i, &world, &relationshipIndex, &records)
                if i > 0 && i % 100_000 == 0 { progress(WorkProgress("validating relationships", done: i, total: relationshipItems.count, unit: "rows")) }
            }
            world.relationships = records
        }

        section = .coefficients
        for (i, raw) in list("sector_coefficients").enumerated() {
            var found: [Problem] = []
            if let c = SectorCoefficient.decode(raw, at: JSONPath.root.appending("sector_coefficients").appending(i), file: file, problems: &found) {
                world.coefficients.append(c)
            }
            absorb(found)
        }

        section = .macroData
        var macroKeys: [String: Int] = [:]
        for (i, raw) in list("macro_data").enumerated() {
            let path = JSONPath.root.appending("macro_data").appending(i)
            var found: [Problem] = []
            guard let r = JSONReader(raw, at: path, file: file, what: "a macro data point", problems: &found) else { absorb(found); continue }
            r.rejectUnknownKeys(Self.macroDataKeys, problems: &found)
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

        section = .financialData
        var financialKeys: [String: Int] = [:]
        for (i, raw) in list("financial_data").enumerated() {
            let path = JSONPath.root.appending("financial_data").appending(i)
            var found: [Problem] = []
            guard let r = JSONReader(raw, at: path, file: file, what: "a financial data row", problems: &found) else { absorb(found); continue }
            r.rejectUnknownKeys(Self.financialDataKeys, problems: &found)
            let entity = r.string("entity_id", required: true, problems: &found)
            if let entity { world.entityReferences.append(EntityReference(index: i, field: .financial, id: entity)) }
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
    }

    // MARK: - Rows

    /// One entity row read the ordinary way (problems recorded).
    private mutating func entity(_ raw: JSONValue, index i: Int, _ world: inout World, _ ids: inout IDTable, _ records: inout [EntityRecord]) {
        let path = JSONPath.root.appending("entities").appending(i)
        if let id = raw["id"]?.stringValue { world.entityIDsInFile.insert(id, index: i) }
        if let entity = decodeEntity(raw, at: path) {
            accept(entity, index: i, &ids, &records)
        }
    }

    /// Keeps a valid entity unless its id was used before (a problem).
    @discardableResult
    private mutating func accept(_ entity: EntityRecord, index i: Int, _ ids: inout IDTable, _ records: inout [EntityRecord]) -> Bool {
        if let first = ids.insert(entity.id, index: i) {
            add(JSONPath.root.appending("entities").appending(i).appending("id"), "world.duplicate-id", "entity id `\(entity.id)` is used twice",
                hint: "first used at $.entities[\(first)]; ids must be unique")
            return false
        }
        records.append(entity)
        return true
    }

    /// One relationship row read the ordinary way (problems recorded).
    private mutating func relationship(_ raw: JSONValue, index i: Int, _ world: inout World, _ ids: inout IDTable,
                                       _ records: inout [RelationshipRecord]) {
        let path = JSONPath.root.appending("relationships").appending(i)
        if let id = raw["source_entity_id"]?.stringValue { world.entityReferences.append(EntityReference(index: i, field: .source, id: id)) }
        if let id = raw["target_entity_id"]?.stringValue { world.entityReferences.append(EntityReference(index: i, field: .target, id: id)) }
        if let relationship = decodeRelationship(raw, at: path), accept(relationship, index: i, &ids, &records),
           let text = raw["metadata"]?["formula"]?.stringValue, let reference = FormulaReference(text) {
            world.formulaReferences.append((i, reference))
        }
    }

    /// Keeps a valid relationship unless its id was used before (a problem).
    private mutating func accept(_ relationship: RelationshipRecord, index i: Int, _ ids: inout IDTable,
                                 _ records: inout [RelationshipRecord]) -> Bool {
        if let first = ids.insert(relationship.id, index: i) {
            add(JSONPath.root.appending("relationships").appending(i).appending("id"), "world.duplicate-id",
                "relationship id `\(relationship.id)` is used twice", hint: "first used at $.relationships[\(first)]; ids must be unique")
            return false
        }
        records.append(relationship)
        return true
    }

    /// The record for fields read by `WorldScanner`, or nil when any of `WorldRowRules` is broken
    /// (the caller then reads the row the ordinary way, which reports it). Lengths are checked
    /// in bytes first, which bound the scalars counted there: a longer row takes the ordinary way.
    private func checkedEntity(_ e: WorldScanner.Entity) -> EntityRecord? {
        guard let id = e.id, !id.isEmpty, let type = e.type, (try? WorldRowRules.entityType(type)) != nil,
              let name = e.name, !name.isEmpty, name.utf8.count <= WorldRowRules.maxNameLength else { return nil }
        if let category = e.category, category.utf8.count > WorldRowRules.maxCategoryLength { return nil }
        var level: Int?
        if let x = e.level {
            guard let n = try? WorldRowRules.ontologyLevel(x) else { return nil }
            level = n
        }
        return EntityRecord(id: id, type: type, name: name, description: e.description, category: e.category,
                            ontologyLevel: level, metadata: e.metadata)
    }

    /// The record (and its formula reference) for fields read by `WorldScanner`, or nil when
    /// any of `WorldRowRules` is broken.
    private mutating func checkedRelationship(_ r: WorldScanner.Relationship) -> (RelationshipRecord, FormulaReference?)? {
        guard let id = r.id, !id.isEmpty, let source = r.source, !source.isEmpty, let target = r.target, !target.isEmpty,
              let type = r.type, (try? WorldRowRules.relationshipType(type)) != nil else { return nil }
        if let weight = r.weight, (try? WorldRowRules.weight(weight)) == nil { return nil }
        if let formula = r.formula, !formulaDiagnostics(formula).isEmpty { return nil }
        var reference: FormulaReference?
        if let kind = r.metadataFormula {
            guard (try? WorldRowRules.oneFormula(inline: r.formula != nil, byReference: true)) != nil,
                  case .string(let text) = kind, let parsed = formulaReference(text) else { return nil }
            reference = parsed
        }
        if let kind = r.metadataBindings {
            // `WorldRowRules`' bindings rules: an object, every member a string.
            guard case .object(allStrings: true) = kind else { return nil }
        }
        return (RelationshipRecord(id: id, sourceID: source, targetID: target, type: type, weight: r.weight,
                                   impactFormula: r.formula, metadata: r.metadata), reference)
    }

    /// `WorldRowRules.formulaReference` for a string member, parsed once per distinct text (many
    /// relationships name one formula); nil for anything that is not a valid reference.
    private mutating func formulaReference(_ text: String?) -> FormulaReference? {
        guard let text else { return nil }
        if let known = parsedReferences[text] { return known }
        let parsed = try? WorldRowRules.formulaReference(text, shown: "")
        parsedReferences[text] = parsed
        return parsed
    }

    /// An inline formula's errors (other than free names, bound at run time), checked once per
    /// distinct text.
    private mutating func formulaDiagnostics(_ formula: String) -> [Diagnostic] {
        if let found = checkedTexts[formula] { return found }
        let found = Formula.compile(formula, inputs: [:]).diagnostics.filter { $0.isError && $0.kind != .name }
        checkedTexts[formula] = found
        return found
    }

    private mutating func decodeEntity(_ raw: JSONValue, at path: JSONPath) -> EntityRecord? {
        var found: [Problem] = []
        defer { absorb(found) }
        guard let r = JSONReader(raw, at: path, file: file, what: "an entity", problems: &found) else { return nil }
        r.rejectUnknownKeys(WorldRowRules.entityKeys, problems: &found)
        func check<T>(_ key: String, _ rule: () throws(WorldRowRules.Violation) -> T) -> T? {
            do { return try rule() } catch { found.append(r.problem(key, error.code, error.message, hint: error.hint)); return nil }
        }
        let id = r.string("id", required: true, problems: &found)
        let type = r.string("type", required: true, problems: &found)
        if let type { _ = check("type") { () throws(WorldRowRules.Violation) in try WorldRowRules.entityType(type) } }
        let name = r.string("name", required: true, maxLength: WorldRowRules.maxNameLength, problems: &found)
        let description = r.string("description", problems: &found)
        let category = r.string("category", maxLength: WorldRowRules.maxCategoryLength, problems: &found)
        let level = r.number("ontology_level", problems: &found).flatMap { x in
            check("ontology_level") { () throws(WorldRowRules.Violation) in try WorldRowRules.ontologyLevel(x) }
        }
        let metadata = r.object("metadata", problems: &found)
        guard found.isEmpty, let id, let type, let name else { return nil }
        return EntityRecord(id: id, type: type, name: name, description: description, category: category,
                            ontologyLevel: level, metadata: metadata.map { JSONValue.object($0).serialized() })
    }

    private mutating func decodeRelationship(_ raw: JSONValue, at path: JSONPath) -> RelationshipRecord? {
        var found: [Problem] = []
        defer { absorb(found) }
        guard let r = JSONReader(raw, at: path, file: file, what: "a relationship", problems: &found) else { return nil }
        r.rejectUnknownKeys(WorldRowRules.relationshipKeys, problems: &found)
        func report(_ place: JSONPath, _ rule: () throws(WorldRowRules.Violation) -> Void) {
            do { try rule() } catch {
                found.append(Problem(path: JSONReader.place(file, place), code: error.code, message: error.message, hint: error.hint))
            }
        }
        let id = r.string("id", required: true, problems: &found)
        let source = r.string("source_entity_id", required: true, problems: &found)
        let target = r.string("target_entity_id", required: true, problems: &found)
        let type = r.string("type", required: true, problems: &found)
        if let type { report(path.appending("type")) { () throws(WorldRowRules.Violation) in try WorldRowRules.relationshipType(type) } }
        let weight = r.number("weight", problems: &found)
        if let weight { report(path.appending("weight")) { () throws(WorldRowRules.Violation) in try WorldRowRules.weight(weight) } }
        let formula = r.string("impact_formula", problems: &found)
        if let formula {
            // Free names are scenario variables and edge context, bound at run time: only
            // syntax, type, forbidden-construct and limit errors are checked here.
            for d in formulaDiagnostics(formula) {
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
                report(metaPath.appending("formula")) { () throws(WorldRowRules.Violation) in
                    _ = try WorldRowRules.formulaReference(reference.stringValue, shown: reference.serialized())
                }
                report(metaPath.appending("formula")) { () throws(WorldRowRules.Violation) in
                    try WorldRowRules.oneFormula(inline: formula != nil, byReference: true)
                }
            }
            if let bindings = metadata["bindings"] {
                if case .object(let o) = bindings {
                    for (key, value) in o {
                        report(metaPath.appending("bindings").appending(key)) { () throws(WorldRowRules.Violation) in
                            try WorldRowRules.binding(key, isString: value.stringValue != nil, typeName: value.typeName)
                        }
                    }
                } else {
                    report(metaPath.appending("bindings")) { () throws(WorldRowRules.Violation) in throw WorldRowRules.bindingsObject }
                }
            }
        }
        guard found.isEmpty, let id, let source, let target, let type else { return nil }
        return RelationshipRecord(id: id, sourceID: source, targetID: target, type: type, weight: weight,
                                  impactFormula: formula, metadata: metadata.map { JSONValue.object($0).serialized() })
    }
}
