import CascadeJSON
import CascadeStore

extension EngineWorld {
    /// Everything a run may read, from one store: entities and relationships streamed from two
    /// table scans straight into columns (relationship ends joined to entities in memory), then
    /// sorted by id in memory.
    /// - Complexity: O(rows) reads, O(n log n) sorting.
    public static func load(from store: Store) throws -> EngineWorld {
        var loader = ColumnLoader()
        try store.scanWorld(entities: { loader.addEntity($0) }, relationships: { loader.addRelationship($0) })
        let columns = loader.finish()
        let formulas = try store.allFormulaVersions().map { version in
            RegistryFormula(
                name: version.name, version: version.version, text: version.document.formulaText,
                parameters: Dictionary(uniqueKeysWithValues: version.document.parameters.map { ($0.key, $0.value.stringValue ?? "") }),
                effectiveDate: version.document.effectiveDate, isActive: version.isActive, contentHash: version.contentHash)
        }
        let macroData = try store.macroData().compactMap { point in
            point.value.map { MacroPoint(date: point.date, variable: point.variable, value: $0, unit: point.unit) }
        }
        return EngineWorld(columns: columns, coefficients: try store.coefficients(includeInactive: true), formulas: formulas,
                           macroData: macroData)
    }
}

/// Fills `WorldColumns` row by row from `Store.scanWorld`.
struct ColumnLoader {
    /// A store key: a canonical lowercase UUID packed into 128 bits, else its text.
    enum StoreKey: Hashable {
        case uuid(UInt64, UInt64)
        case text(String)

        init(_ cursor: RowCursor, _ column: Int) {
            self = cursor.withBytes(column) { bytes in
                StoreKey.parseUUID(bytes).map { .uuid($0.0, $0.1) } ?? .text(String(decoding: bytes, as: UTF8.self))
            } ?? .text("")
        }

        static func parseUUID(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
            guard bytes.count == 36 else { return nil }
            var high: UInt64 = 0, low: UInt64 = 0, k = 0
            for (i, byte) in bytes.enumerated() {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    guard byte == UInt8(ascii: "-") else { return nil }
                    continue
                }
                let digit: UInt64
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
                default: return nil
                }
                if k < 16 { high = high << 4 | digit } else { low = low << 4 | digit }
                k += 1
            }
            return (high, low)
        }
    }

    var columns = WorldColumns()
    var entityByKey: [StoreKey: Int32] = [:]
    var interner = TextInterner()
    var typeIndex: [String: UInt8] = [:]

    mutating func addEntity(_ row: RowCursor) {
        entityByKey[StoreKey(row, 0)] = Int32(columns.entityIDs.count)
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
        guard let source = entityByKey[StoreKey(row, 1)], let target = entityByKey[StoreKey(row, 2)] else { return }
        columns.relationshipIDs.append(row.string(0) ?? "")
        columns.relationshipSources.append(source)
        columns.relationshipTargets.append(target)
        columns.relationshipTypes.append(WorldColumns.code(row.string(3) ?? "", &typeIndex, &columns.typeNames))
        let weight = row.double(4)
        columns.relationshipWeights.append(weight ?? 0)
        columns.relationshipHasWeight.append(weight != nil)
        columns.relationshipFormulas.append(row.string(5).map { interner.intern($0) } ?? -1)
        columns.relationshipMetadata.append(row.string(6).map { interner.intern($0) } ?? -1)
    }

    mutating func finish() -> WorldColumns {
        entityByKey = [:]
        columns.texts = interner.texts
        interner = TextInterner()
        var sorted = columns
        columns = WorldColumns()
        sorted.sortByID()
        return sorted
    }
}
