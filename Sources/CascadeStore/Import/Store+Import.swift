import CascadeJSON
import Foundation

extension Store {
    /// Imports a world file (docs/formats.md) all or nothing: reads and validates every row first,
    /// reporting every problem with its JSON path, then writes everything in one transaction.
    /// Entities and relationships are keyed by the file's ids, so importing the same file again
    /// changes nothing. `progress` receives each phase and, while rows are written, how many.
    package func importWorld(path: String, progress: (WorkProgress) -> Void = { _ in }) throws -> ImportReport {
        let started = Date()
        // The file's bytes and its parsed tree live only inside `checkedFile`: the write phase
        // holds just the validated rows.
        let (world, parsed) = try checkedFile(path, progress: progress) { world, file in
            try read { db in try referenceProblems(&world, file: file, db) }
        }
        return try write(world, file: path, times: (started, parsed, Date()), progress: progress)
    }

    /// Imports several world files — a world split into parts, later files referring to what
    /// earlier ones define — all or nothing, in one transaction: each file is read, checked
    /// against the store as the earlier files left it, and written in turn, and a large table's
    /// secondary indexes are dropped once and rebuilt once after the last file, instead of once
    /// per file (a 1 M-entity world in six files rebuilt them five times, each over the whole
    /// growing table). While a file is written, the next one is read and decoded on another
    /// thread (`DecodingAhead`: at most two files' rows are held at a time). A problem in any
    /// file rolls back every file. One report per file, in order.
    package func importWorlds(paths: [String], progress: (WorkProgress) -> Void = { _ in }) throws -> [ImportReport] {
        guard paths.count > 1 else { return try paths.map { try importWorld(path: $0, progress: progress) } }
        // Every reference is checked inside the transaction, under the write lock, against the
        // rows the earlier files wrote: SQLite's per-row foreign-key probes would add nothing.
        return try writeRetrying(attempts: 20, checkingForeignKeys: false) { db in
            var bulk = BulkLoads()
            var reports: [ImportReport] = []
            var imported = WorldDigest()
            var ahead: DecodingAhead?
            defer { ahead?.discard() }
            for (position, path) in paths.enumerated() {
                let decoded = try ahead?.take(progress: progress) ?? DecodedWorldFile(path: path, progress: progress)
                ahead = position + 1 < paths.count ? DecodingAhead(path: paths[position + 1]) : nil
                let world = try checked(decoded, progress: progress) { world, file in
                    try referenceProblems(&world, file: file, db)
                }
                var report = ImportReport(world, file: path, times: (decoded.started, decoded.parsed, Date()))
                let writeStarted = Date()
                (report.rowsWritten, report.formulas) = try writeWorld(world, db, bulk: &bulk, referencesCheckedInTransaction: true, progress: progress)
                imported.add(world)
                report.writeSeconds = Date().timeIntervalSince(writeStarted)
                reports.append(report)
            }
            // The one rebuild of the indexes counts as the last file's write.
            let indexing = Date()
            try bulk.finish(db, progress: progress)
            reports[reports.count - 1].writeSeconds += Date().timeIntervalSince(indexing)
            try recordImportedWorldDigest(imported, db)
            progress(WorkProgress("committing"))
            return reports
        }
    }

    /// Reads, decodes and checks a world file: `references` adds the checks against the store.
    /// Problems are placed by JSON path and line:column in the file; returns the rows and when
    /// parsing ended.
    private func checkedFile(_ path: String, progress: (WorkProgress) -> Void,
                             references: (inout World, String?) throws -> [Problem]) throws -> (World, Date) {
        let decoded = try DecodedWorldFile(path: path, progress: progress)
        return (try checked(decoded, progress: progress, references: references), decoded.parsed)
    }

    /// A decoded file's rows once the checks against the store (`references`) pass; problems
    /// placed by JSON path and line:column in the file.
    private func checked(_ decoded: DecodedWorldFile, progress: (WorkProgress) -> Void,
                         references: (inout World, String?) throws -> [Problem]) throws -> World {
        var decoder = decoded.decoder
        do {
            return try checkedWorld(&decoder, decoded.world, file: decoded.path, progress: progress, references: references)
        } catch let error as StoreError {
            throw error.located(in: decoded.bytes)
        }
    }

    /// Imports an already parsed world document; see `importWorld(path:progress:)`. Without a
    /// `file` (a document sent over HTTP) problems are placed by their JSON path alone.
    package func importWorld(_ root: JSONValue, file: String?, progress: (WorkProgress) -> Void = { _ in }) throws -> ImportReport {
        let started = Date()
        let world = try validatedWorld(root, file: file, progress: progress)
        return try write(world, file: file, times: (started, started, Date()), progress: progress)
    }

    /// Every row read and checked, against the file and the store; throws with every problem.
    private func validatedWorld(_ root: JSONValue, file: String?, progress: (WorkProgress) -> Void) throws -> World {
        var decoder = WorldDecoder(file: file)
        progress(WorkProgress("validating"))
        let world = decoder.decode(root, progress: progress)
        return try checkedWorld(&decoder, world, file: file, progress: progress) { world, file in
            try read { db in try referenceProblems(&world, file: file, db) }
        }
    }

    /// Adds the checks against the store to what `decoder` found; throws with every problem.
    private func checkedWorld(_ decoder: inout WorldDecoder, _ world: World, file: String?, progress: (WorkProgress) -> Void,
                              references: (inout World, String?) throws -> [Problem]) throws -> World {
        var world = world
        var problems = decoder.problems
        problems += try references(&world, file)
        guard problems.isEmpty else {
            let total = problems.count + decoder.droppedProblems
            throw StoreError(.invalidInput, "the world \(file == nil ? "document" : "file") has \(total) problem\(total == 1 ? "" : "s"); nothing was written",
                             location: file,
                             hint: decoder.droppedProblems > 0 ? "only the first \(problems.count) are listed" : "fix every row listed and import again",
                             problems: problems)
        }
        progress(WorkProgress("validated \(world.rowCount) rows"))
        return world
    }

    /// Writes a validated world in one transaction. `times` are when reading, parsing and
    /// validation started, ended and ended.
    private func write(_ world: World, file: String?, times: (Date, Date, Date), progress: (WorkProgress) -> Void) throws -> ImportReport {
        var report = ImportReport(world, file: file, times: times)
        let writeStarted = Date()
        // Large SQLite loads skip per-row foreign-key probes: every reference was checked above
        // and is re-checked under the write lock in `writeWorld`.
        let checkingForeignKeys = world.relationships.count < BulkLoad.threshold
        var imported = WorldDigest()
        imported.add(world)
        (report.rowsWritten, report.formulas) = try writeRetrying(attempts: 20, checkingForeignKeys: checkingForeignKeys) { db in
            var bulk = BulkLoads()
            let written = try self.writeWorld(world, db, bulk: &bulk, referencesCheckedInTransaction: false, progress: progress)
            try bulk.finish(db, progress: progress)
            try self.recordImportedWorldDigest(imported, db)
            progress(WorkProgress("committing"))
            return written
        }
        report.writeSeconds = Date().timeIntervalSince(writeStarted)
        return report
    }

    /// Entity ids and formula references that are neither in the file nor in the store.
    /// Also records in `world.externalEntityIDs` the referenced ids the file does not define.
    private func referenceProblems(_ world: inout World, file: String?, _ db: any DatabaseConnection) throws -> [Problem] {
        // Ids compare by their store-id bits, as `IDTable` keys them: each reference is hashed
        // once, and a file of a million references to a hundred thousand stored ids builds no
        // set of strings.
        let fileIDs = world.entityIDsInFile
        var outside = IDTable(namespace: "entity")
        var wanted: [String] = []
        for reference in world.entityReferences {
            let bits = fileIDs.bits(reference.id)
            if !fileIDs.contains(bits: bits) && outside.insert(bits: bits, index: wanted.count) == nil {
                wanted.append(reference.id)
            }
        }
        world.externalEntityIDs = wanted

        let fileFormulaNames = world.formulaNamesInFile
        let referencedNames = Set(world.formulaReferences.map(\.reference.name))
        var missing = IDTable(namespace: "entity")
        for position in try Self.unknownEntityIDs(wanted, keyed: outside, db) { missing.insert(wanted[position], index: 0) }
        var problems: [Problem] = []
        // Only ids outside the file can be unknown: with none, nothing to look at again.
        for reference in missing.count == 0 ? [] : world.entityReferences where missing.contains(reference.id) {
            problems.append(Problem(path: JSONReader.place(file, reference.path), code: "world.unknown-entity",
                                    message: "no entity has id `\(reference.id)`",
                                    hint: "add it to `entities`, or import the file that defines it first"))
            if problems.count >= 1000 { break }
        }

        // Formula references: the name must be registered or registered by this file; a pinned
        // version must exist already or be the version this file's document will receive.
        var storedVersions: [String: Set<Int>] = [:]
        for name in referencedNames {
            storedVersions[name] = Set(try db.query("SELECT version FROM formulas WHERE name = ?", [.text(name)]).compactMap { $0.int("version") })
        }
        var predicted: [String: Set<Int>] = [:]
        var nextVersion: [String: Int] = [:]
        for doc in world.formulas where referencedNames.contains(doc.name) {
            if let existing = try db.queryOne("SELECT version FROM formulas WHERE name = ? AND content_hash = ? ORDER BY version DESC LIMIT 1",
                                              [.text(doc.name), .text(doc.contentHash)])?.int("version") {
                predicted[doc.name, default: []].insert(existing)
            } else {
                let next = nextVersion[doc.name] ?? ((storedVersions[doc.name]?.max() ?? 0) + 1)
                predicted[doc.name, default: []].insert(next)
                nextVersion[doc.name] = next + 1
            }
        }
        var versionsByName: [String: Set<Int>] = [:]
        for (index, reference) in world.formulaReferences {
            let versions = versionsByName[reference.name] ?? {
                let versions = (storedVersions[reference.name] ?? []).union(predicted[reference.name] ?? [])
                versionsByName[reference.name] = versions
                return versions
            }()
            let unknownName = versions.isEmpty && !fileFormulaNames.contains(reference.name)
            let unknownVersion = reference.version.map { !versions.contains($0) } ?? false
            if !unknownName && !unknownVersion { continue }  // the common case: no place to format
            let place = JSONReader.place(file, JSONPath.root.appending("relationships").appending(index).appending("metadata").appending("formula"))
            if versions.isEmpty && !fileFormulaNames.contains(reference.name) {
                problems.append(Problem(path: place, code: "world.dangling-formula",
                                        message: "formula `\(reference.name)` is not registered and not in this file's `formulas`",
                                        hint: "register it first, or add its version document to `formulas`"))
            } else if let v = reference.version, !versions.contains(v) {
                problems.append(Problem(path: place, code: "world.dangling-formula",
                                        message: "formula `\(reference)` does not exist",
                                        hint: versions.isEmpty ? nil : "known versions: " + versions.sorted().map(String.init).joined(separator: ", ")))
            }
            if problems.count >= 1000 { break }
        }
        return problems
    }

    /// The records' store ids (as bits) with their positions, sorted by id (comparing the id's
    /// bits orders exactly as the formatted text does, without comparing strings).
    static func inKeyOrder<R>(_ records: [R], namespace: String, key: (R) -> String) -> [(high: UInt64, low: UInt64, index: Int)] {
        let seed = ContentHash.seed(namespace)
        var keyed = records.indices.map { index -> (high: UInt64, low: UInt64, index: Int) in
            let (high, low) = ContentHash.stableIDBits(seed: seed, key(records[index]))
            return (high, low, index)
        }
        keyed.sort { $0.high != $1.high ? $0.high < $1.high : $0.low < $1.low }
        return keyed
    }

    /// Ids per `IN (…)` list when entity ids are looked up in the store.
    static let idsPerQuery = 500

    /// How many of `ids` (distinct) the store has as entity external ids.
    private static func storedEntityCount(_ ids: ArraySlice<String>, _ db: any DatabaseConnection) throws -> Int {
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        return try db.queryOne("SELECT COUNT(*) AS n FROM entities WHERE external_id IN (\(marks))", ids.map { .text($0) })?.int("n") ?? 0
    }

    /// The positions in `ids` (distinct entity external ids; `keyed` maps each one's bits to its
    /// position) of the ids no stored entity has. A few ids are looked up in the store, in chunks
    /// of `idsPerQuery` (a chunk is listed only when it comes up short); when they are a large
    /// share of the stored entities (a split world's relationships file refers to most of them),
    /// SQLite reads every stored external id once instead, in index order, and looks each up in
    /// `keyed` — one scan instead of a random index probe per id.
    private static func unknownEntityIDs(_ ids: [String], keyed: IDTable, _ db: any DatabaseConnection) throws -> [Int] {
        guard !ids.isEmpty else { return [] }
        if db.dialect == .sqlite && ids.count >= idsPerQuery {
            let stored = try db.queryOne("SELECT COUNT(*) AS n FROM entities")?.int("n") ?? 0
            if ids.count * scanShare >= stored {
                var found = [Bool](repeating: false, count: ids.count)
                try db.forEachRow("SELECT external_id FROM entities", []) { row in
                    _ = row.withBytes(0) { bytes in
                        if let position = keyed.index(ofBits: ContentHash.stableIDBits(seed: keyed.seed, utf8: bytes)) { found[position] = true }
                    }
                }
                return found.indices.filter { !found[$0] }
            }
        }
        var unknown: [Int] = []
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + idsPerQuery, ids.count)]
            if try storedEntityCount(chunk, db) != chunk.count {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                var known = Set<String>()
                for row in try db.query("SELECT external_id FROM entities WHERE external_id IN (\(marks))", chunk.map { .text($0) }) {
                    if let id = row.string("external_id") { known.insert(id) }
                }
                unknown += chunk.indices.filter { !known.contains(ids[$0]) }
            }
            start += idsPerQuery
        }
        return unknown
    }

    /// `unknownEntityIDs` reads every stored id when the ids asked about are at least one in
    /// `scanShare` of the stored entities (a scan costs about as much as this many probes per row).
    static let scanShare = 16

    private func requireEntitiesExist(_ ids: [String], _ db: any DatabaseConnection) throws {
        var keyed = IDTable(namespace: "entity", capacity: ids.count)
        for (position, id) in ids.enumerated() { keyed.insert(id, index: position) }
        if try !Self.unknownEntityIDs(ids, keyed: keyed, db).isEmpty {
            throw StoreError(.conflict, "entities referenced by the world file disappeared while it was being imported",
                             hint: "import again")
        }
    }

    /// Writes a checked world's rows inside the caller's transaction. A large table's secondary
    /// indexes are dropped through `bulk` (unless an earlier file of the same import dropped them)
    /// and rebuilt by the caller once its last file is written (`BulkLoads.finish`).
    private func writeWorld(_ world: World, _ db: any DatabaseConnection, bulk: inout BulkLoads,
                            referencesCheckedInTransaction: Bool, progress: (WorkProgress) -> Void) throws -> ([String: Int], [Registration]) {
        var written: [String: Int] = [:]
        let stampText = now()
        var registrations: [Registration] = []
        for doc in world.formulas { registrations.append(try insertChecked(doc, db)) }
        written["formulas"] = registrations.filter(\.isNew).count
        written["sector_coefficients"] = try insertCoefficients(world.coefficients, db)

        // Rows go in in primary-key order, so the key index grows at its end instead of at random
        // places; on SQLite a large batch also rebuilds the secondary indexes once afterwards
        // (inside this transaction, so a crash or error restores them with everything else).
        let entities = Self.inKeyOrder(world.entities, namespace: "entity") { $0.id }
        let entitySeed = ContentHash.seed("entity")
        func storeID(_ external: String) -> String { ContentHash.format(ContentHash.stableIDBits(seed: entitySeed, external)) }
        let relationships = Self.inKeyOrder(world.relationships, namespace: "relationship") { $0.id }
        try bulk.begin(table: "entities", keys: entities, indexes: [
            "idx_entities_type", "idx_entities_category", "idx_entities_level", "idx_entities_metadata"], db)
        try bulk.begin(table: "relationships", keys: relationships, indexes: [
            "idx_relationships_source", "idx_relationships_target", "idx_relationships_type", "idx_relationships_metadata"], db)
        if db.dialect == .sqlite && relationships.count >= BulkLoad.threshold && !referencesCheckedInTransaction {
            // Foreign keys are not enforced during this load (see `importWorld`): re-verify, under
            // the write lock, that every entity referenced from outside the file still exists.
            try requireEntitiesExist(world.externalEntityIDs, db)
        }

        // Only rows whose content differs are touched, so a re-import writes nothing.
        let distinct = db.dialect == .sqlite ? "IS NOT" : "IS DISTINCT FROM"
        let entityChanged = ["type", "name", "description", "category", "ontology_level", "metadata"]
            .map { "entities.\($0) \(distinct) excluded.\($0)" }.joined(separator: " OR ")
        // Every entity and relationship row was checked by the decoder against exactly the
        // rules of the tables' CHECK constraints (type vocabularies, name and category lengths
        // in Unicode scalars, levels 0–9, weights 0–1, metadata serialised from parsed JSON), so
        // a large SQLite load skips re-evaluating them per row — for these two tables only,
        // switched back on right after them (and on any error).
        let skippingChecks = db.dialect == .sqlite
            && (relationships.count >= BulkLoad.threshold || world.entities.count >= BulkLoad.threshold)
        if skippingChecks { try db.setCheckConstraints(false) }
        defer { if skippingChecks { try? db.setCheckConstraints(true) } }
        progress(WorkProgress("writing entities", total: world.entities.count, unit: "rows"))
        written["entities"] = try db.bulkLoad(
            into: "entities",
            columns: ["id", "external_id", "type", "name", "description", "category", "ontology_level", "metadata", "created_at", "updated_at"],
            count: world.entities.count,
            suffix: """
                ON CONFLICT (external_id) DO UPDATE SET type = excluded.type, name = excluded.name,
                  description = excluded.description, category = excluded.category,
                  ontology_level = excluded.ontology_level, metadata = excluded.metadata, updated_at = excluded.updated_at
                WHERE \(entityChanged)
                """,
            progress: { progress(WorkProgress("writing entities", done: $0, total: world.entities.count, unit: "rows")) }
        ) { i, out in
            let key = entities[i]
            let e = world.entities[key.index]
            out.uuid((key.high, key.low))
            out.text(e.id)
            out.text(e.type)
            out.text(e.name)
            out.text(e.description)
            out.text(e.category)
            out.integer(e.ontologyLevel)
            out.json(e.metadata)
            out.text(stampText)
            out.text(stampText)
        }

        let relationshipChanged = ["source_entity_id", "target_entity_id", "type", "weight", "impact_formula", "metadata"]
            .map { "relationships.\($0) \(distinct) excluded.\($0)" }.joined(separator: " OR ")
        progress(WorkProgress("writing relationships", total: world.relationships.count, unit: "rows"))
        written["relationships"] = try db.bulkLoad(
            into: "relationships",
            columns: ["id", "external_id", "source_entity_id", "target_entity_id", "type", "weight", "impact_formula", "metadata", "created_at", "updated_at"],
            count: world.relationships.count,
            suffix: """
                ON CONFLICT (external_id) DO UPDATE SET source_entity_id = excluded.source_entity_id,
                  target_entity_id = excluded.target_entity_id, type = excluded.type, weight = excluded.weight,
                  impact_formula = excluded.impact_formula, metadata = excluded.metadata, updated_at = excluded.updated_at
                WHERE \(relationshipChanged)
                """,
            progress: { progress(WorkProgress("writing relationships", done: $0, total: world.relationships.count, unit: "rows")) }
        ) { i, out in
            let key = relationships[i]
            let r = world.relationships[key.index]
            out.uuid((key.high, key.low))
            out.text(r.id)
            out.uuid(ContentHash.stableIDBits(seed: entitySeed, r.sourceID))
            out.uuid(ContentHash.stableIDBits(seed: entitySeed, r.targetID))
            out.text(r.type)
            out.real(r.weight)
            out.text(r.impactFormula)
            out.json(r.metadata)
            out.text(stampText)
            out.text(stampText)
        }

        if skippingChecks { try db.setCheckConstraints(true) }

        let macroChanged = ["value", "unit", "data_source"].map { "macro_data.\($0) \(distinct) excluded.\($0)" }.joined(separator: " OR ")
        written["macro_data"] = try db.bulkInsert(
            into: "macro_data", columns: ["date", "variable_name", "value", "unit", "data_source"], count: world.macroData.count,
            suffix: "ON CONFLICT (date, variable_name) DO UPDATE SET value = excluded.value, unit = excluded.unit, data_source = excluded.data_source WHERE \(macroChanged)",
            progress: { _ in }
        ) { i, out in
            let m = world.macroData[i]
            out += [.text(m.date), .text(m.variableName), .real(m.value), .text(m.unit), .text(m.dataSource)]
        }

        let financialColumns = FinancialDatum.numericColumns + ["data_source"]
        let financialChanged = financialColumns.map { "financial_data.\($0) \(distinct) excluded.\($0)" }.joined(separator: " OR ")
        written["financial_data"] = try db.bulkInsert(
            into: "financial_data", columns: ["id", "entity_id", "date"] + financialColumns, count: world.financialData.count,
            suffix: "ON CONFLICT (entity_id, date) DO UPDATE SET "
                + financialColumns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ") + " WHERE \(financialChanged)",
            progress: { _ in }
        ) { i, out in
            let f = world.financialData[i]
            out += [.text(ContentHash.stableID("financial", f.entityID + "\u{0}" + f.date)), .text(storeID(f.entityID)),
                    .text(f.date)] + FinancialDatum.numericColumns.map { .real(f.values[$0]) } + [.text(f.dataSource)]
        }

        let total = written.values.reduce(0, +)
        if total > 0 {
            try audit(db, action: "import", table: "world", row: nil, before: nil, after: .object(JSONObject([
                ("rows_written", .object(JSONObject(written.sorted { JSONObject.canonicalOrder($0.key, $1.key) }.map { ($0.key, .number(Double($0.value))) }))),
                ("content_hash", .string("xxh3-128:" + ContentHash.xxh3_128(world.entities.map(\.id).joined(separator: "\u{0}")))),
            ])))
        }
        return (written, registrations)
    }
}

