import CascadeJSON
import CascadeStore

extension EngineWorld {
    /// Everything a run may read, from one store: entities and relationships streamed from two
    /// table scans straight into columns (relationship ends joined to entities in memory), then
    /// sorted by id in memory.
    /// - Complexity: O(rows) reads, O(n log n) sorting.
    package static func load(from store: Store) throws -> EngineWorld {
        var loader = ColumnLoader()
        try store.scanWorld(entities: { loader.addEntity($0) }, relationships: { loader.addRelationship($0) })
        let columns = loader.finish()
        let formulas = try store.allFormulaVersions().map(RegistryFormula.init)
        let macroData = try store.macroData().compactMap { point in
            point.value.map { MacroPoint(date: point.date, variable: point.variableName, value: $0, unit: point.unit) }
        }
        return EngineWorld(columns: columns, coefficients: try store.coefficients(includeInactive: true), formulas: formulas,
                           macroData: macroData)
    }
}

/// Fills `WorldColumns` row by row from `Store.scanWorld`, joining relationship ends to entities
/// by store key in memory.
struct ColumnLoader {
    /// Open addressing over packed UUIDs (random already, so their bits are the hash); one
    /// entry holds key and value, so a lookup touches one cache line.
    struct UUIDTable {
        struct Entry {
            var high: UInt64
            var low: UInt64
            var value: Int32
        }

        var entries = [Entry](repeating: Entry(high: 0, low: 0, value: -1), count: 1 << 16)
        var count = 0

        func slot(_ high: UInt64, _ low: UInt64) -> Int {
            entries.withUnsafeBufferPointer { entries in
                let mask = entries.count - 1
                var slot = Int(truncatingIfNeeded: ((high ^ low) &* 0x9E37_79B9_7F4A_7C15) >> 24) & mask
                while entries[slot].value >= 0 && (entries[slot].high != high || entries[slot].low != low) { slot = (slot + 1) & mask }
                return slot
            }
        }

        subscript(_ high: UInt64, _ low: UInt64) -> Int32? {
            let value = entries[slot(high, low)].value
            return value >= 0 ? value : nil
        }

        mutating func insert(_ high: UInt64, _ low: UInt64, _ value: Int32) {
            if (count + 1) * 2 > entries.count { grow() }
            let slot = slot(high, low)
            if entries[slot].value < 0 { count += 1 }
            entries[slot] = Entry(high: high, low: low, value: value)
        }

        mutating func grow() {
            let old = entries
            entries = [Entry](repeating: Entry(high: 0, low: 0, value: -1), count: old.count * 2)
            for entry in old where entry.value >= 0 { entries[slot(entry.high, entry.low)] = entry }
        }
    }

    var columns = WorldColumns()
    var byUUID = UUIDTable()
    var byText: [String: Int32] = [:]
    var interner = TextInterner()
    var typeIndex: [String: UInt8] = [:]

    func entity(_ row: RowCursor, _ column: Int) -> Int32? {
        row.withBytes(column) { bytes -> Int32? in
            if let (high, low) = ContentHash.parseFormatted(bytes) { return byUUID[high, low] }
            return byText[String(decoding: bytes, as: UTF8.self)]
        } ?? nil
    }

    mutating func addEntity(_ row: RowCursor) {
        let position = Int32(columns.entityIDs.count)
        let key = row.withBytes(0) { bytes in ContentHash.parseFormatted(bytes).map { $0 } ?? nil }
        if let key = key ?? nil {
            if byUUID[key.0, key.1] == nil { byUUID.insert(key.0, key.1, position) }
        } else {
            let text = row.string(0) ?? ""
            if byText[text] == nil { byText[text] = position }
        }
        columns.entityIDs.append(row.string(1) ?? "")
        columns.entityTypes.append(row.string(2) ?? "")
        columns.entityNames.append(row.string(3) ?? "")
        columns.entityDescriptions.append(nil)  // the engine does not read descriptions
        columns.entityCategories.append(row.string(4))
        columns.entityLevels.append(row.int(5))
        columns.entityMetadata.append(row.string(6))
    }

    mutating func addRelationship(_ row: RowCursor) {
        // As an inner join: a relationship whose end is not an entity is not part of the graph.
        guard let source = entity(row, 1), let target = entity(row, 2) else { return }
        if row.withBytes(0, { columns.relationshipIDs.append(bytes: $0) }) == nil { columns.relationshipIDs.append("") }
        columns.relationshipSources.append(source)
        columns.relationshipTargets.append(target)
        columns.relationshipTypes.append(WorldColumns.code(row.string(3) ?? "", &typeIndex, &columns.typeNames))
        let weight = row.double(4)
        columns.relationshipWeights.append(weight ?? 0)
        columns.relationshipHasWeight.append(weight != nil)
        columns.relationshipFormulas.append(row.withBytes(5) { interner.intern(bytes: $0) } ?? -1)
        columns.relationshipMetadata.append(row.withBytes(6) { interner.intern(bytes: $0) } ?? -1)
    }

    mutating func finish() -> WorldColumns {
        byUUID = UUIDTable()
        byText = [:]
        columns.texts = interner.texts
        interner = TextInterner()
        var sorted = columns
        columns = WorldColumns()
        sorted.sortByID()
        return sorted
    }
}
