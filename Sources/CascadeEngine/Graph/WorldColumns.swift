import CXXHash
import CascadeStore

/// A world's entities and relationships as columns: one array per field, relationships pointing
/// at entities by position, formula and metadata texts interned (stored once however many
/// relationships share them). `EngineWorld.load` fills it straight from the store, both lists
/// sorted by id (bytes), so that `PreparedRun` can adopt the arrays without copying them.
struct WorldColumns: Sendable {
    var entityIDs: [String] = []
    var entityTypes: [String] = []
    var entityNames: [String] = []
    var entityDescriptions: [String?] = []
    var entityCategories: [String?] = []
    var entityLevels: [Int?] = []
    var entityMetadata: [String?] = []

    var relationshipIDs = IDColumn()
    /// Positions in the entity columns; -1 for an id no entity has (see `unknownEnds`).
    var relationshipSources: [Int32] = []
    var relationshipTargets: [Int32] = []
    /// Index into `typeNames`.
    var relationshipTypes: [UInt8] = []
    var typeNames: [String] = []
    var relationshipWeights: [Double] = []
    var relationshipHasWeight: [Bool] = []
    /// Indices into `texts`, -1 for none.
    var relationshipFormulas: [Int32] = []
    var relationshipMetadata: [Int32] = []
    var texts: [String] = []
    /// Relationship position → the ids of its ends, when one of them is not an entity.
    var unknownEnds: [Int: (source: String, target: String)] = [:]
    /// Set by `sortByID`: both lists are in id order.
    var isKnownSorted = false

    init() {}

    /// Columns of in-memory records (kept in the given order).
    init(entities: [EntityRecord], relationships: [RelationshipRecord]) {
        var position: [String: Int32] = [:]
        for record in entities {
            if position[record.id] == nil { position[record.id] = Int32(entityIDs.count) }
            entityIDs.append(record.id)
            entityTypes.append(record.type)
            entityNames.append(record.name)
            entityDescriptions.append(record.description)
            entityCategories.append(record.category)
            entityLevels.append(record.ontologyLevel)
            entityMetadata.append(record.metadata)
        }
        var interner = TextInterner()
        var typeIndex: [String: UInt8] = [:]
        for record in relationships {
            let r = relationshipIDs.count
            relationshipIDs.append(record.id)
            let s = position[record.sourceID] ?? -1, t = position[record.targetID] ?? -1
            if s < 0 || t < 0 { unknownEnds[r] = (record.sourceID, record.targetID) }
            relationshipSources.append(s)
            relationshipTargets.append(t)
            relationshipTypes.append(Self.code(record.type, &typeIndex, &typeNames))
            relationshipWeights.append(record.weight ?? 0)
            relationshipHasWeight.append(record.weight != nil)
            relationshipFormulas.append(record.impactFormula.map { interner.intern($0) } ?? -1)
            relationshipMetadata.append(record.metadata.map { interner.intern($0) } ?? -1)
        }
        texts = interner.texts
    }

    static func code(_ type: String, _ index: inout [String: UInt8], _ names: inout [String]) -> UInt8 {
        if let code = index[type] { return code }
        precondition(names.count < 255, "more than 255 relationship types")
        index[type] = UInt8(names.count)
        names.append(type)
        return UInt8(names.count - 1)
    }

    var entityRecords: [EntityRecord] {
        entityIDs.indices.map { i in
            EntityRecord(id: entityIDs[i], type: entityTypes[i], name: entityNames[i], description: entityDescriptions[i],
                         category: entityCategories[i], ontologyLevel: entityLevels[i], metadata: entityMetadata[i])
        }
    }

    var relationshipRecords: [RelationshipRecord] {
        relationshipIDs.indices.map { r in
            let ends = unknownEnds[r] ?? (entityIDs[Int(relationshipSources[r])], entityIDs[Int(relationshipTargets[r])])
            return RelationshipRecord(
                id: relationshipIDs[r], sourceID: ends.source, targetID: ends.target, type: typeNames[Int(relationshipTypes[r])],
                weight: relationshipHasWeight[r] ? relationshipWeights[r] : nil,
                impactFormula: relationshipFormulas[r] < 0 ? nil : texts[Int(relationshipFormulas[r])],
                metadata: relationshipMetadata[r] < 0 ? nil : texts[Int(relationshipMetadata[r])])
        }
    }

    /// Whether both lists are already in id (byte) order.
    var isSorted: Bool { isKnownSorted || (isByteOrdered(entityIDs) && relationshipIDs.isByteOrdered) }

    /// Puts entities and relationships in id (byte) order, one column at a time (so at most one
    /// extra column is alive at once).
    mutating func sortByID() {
        let entityOrder = byteOrderPermutation(entityIDs)
        if !isIdentity(entityOrder) {
            var rank = [Int32](repeating: 0, count: entityOrder.count)
            for (newPosition, old) in entityOrder.enumerated() { rank[Int(old)] = Int32(newPosition) }
            entityIDs = permuted(entityIDs, entityOrder)
            entityTypes = permuted(entityTypes, entityOrder)
            entityNames = permuted(entityNames, entityOrder)
            entityDescriptions = permuted(entityDescriptions, entityOrder)
            entityCategories = permuted(entityCategories, entityOrder)
            entityLevels = permuted(entityLevels, entityOrder)
            entityMetadata = permuted(entityMetadata, entityOrder)
            for r in relationshipSources.indices {
                if relationshipSources[r] >= 0 { relationshipSources[r] = rank[Int(relationshipSources[r])] }
                if relationshipTargets[r] >= 0 { relationshipTargets[r] = rank[Int(relationshipTargets[r])] }
            }
        }
        let order = relationshipIDs.byteOrderPermutation()
        if !isIdentity(order) {
            relationshipIDs = relationshipIDs.permuted(order)
            relationshipSources = permuted(relationshipSources, order)
            relationshipTargets = permuted(relationshipTargets, order)
            relationshipTypes = permuted(relationshipTypes, order)
            relationshipWeights = permuted(relationshipWeights, order)
            relationshipHasWeight = permuted(relationshipHasWeight, order)
            relationshipFormulas = permuted(relationshipFormulas, order)
            relationshipMetadata = permuted(relationshipMetadata, order)
            var ends: [Int: (source: String, target: String)] = [:]
            for (newPosition, old) in order.enumerated() {
                if let pair = unknownEnds[Int(old)] { ends[newPosition] = pair }
            }
            unknownEnds = ends
        }
        isKnownSorted = true
    }
}

/// Stores each distinct text once (compared byte for byte) and hands out its index.
///
/// A text is looked up by its bytes, in place (a database row's): loading 1 M / 5 M from the
/// store interned 10 M formula and metadata texts, and making a string of each and hashing it
/// through `Hasher` was 0.7 s of the load. Here XXH3-64 of the bytes picks a slot of an
/// open-addressing table, and a string is made only for a text not seen before.
struct TextInterner {
    private(set) var texts: [String] = []
    /// Per text, its hash; per slot, the text it holds or -1.
    private var hashes: [UInt64] = []
    private var slots = [Int32](repeating: -1, count: 1 << 8)

    mutating func intern(_ text: String) -> Int32 {
        var copy = text
        return copy.withUTF8 { intern(bytes: $0, text: text) }
    }

    mutating func intern(bytes: UnsafeBufferPointer<UInt8>) -> Int32 { intern(bytes: bytes, text: nil) }

    private mutating func intern(bytes: UnsafeBufferPointer<UInt8>, text: String?) -> Int32 {
        let hash = XXH3_64bits(bytes.baseAddress, bytes.count)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 {
            let i = Int(slots[slot])
            if hashes[i] == hash && Self.sameBytes(texts[i], bytes) { return Int32(i) }
            slot = (slot + 1) & mask
        }
        let index = Int32(texts.count)
        texts.append(text ?? String(decoding: bytes, as: UTF8.self))
        hashes.append(hash)
        slots[slot] = index
        if texts.count * 2 > slots.count { grow() }
        return index
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (i, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i)
        }
    }

    private static func sameBytes(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let same = text.utf8.withContiguousStorageIfAvailable({ $0.count == bytes.count && $0.elementsEqual(bytes) }) { return same }
        return text.utf8.elementsEqual(bytes)
    }
}

func permuted<T>(_ values: [T], _ order: [Int32]) -> [T] {
    [T](unsafeUninitializedCapacity: order.count) { buffer, count in
        values.withUnsafeBufferPointer { source in
            for (k, i) in order.enumerated() { (buffer.baseAddress! + k).initialize(to: source[Int(i)]) }
        }
        count = order.count
    }
}

func isIdentity(_ order: [Int32]) -> Bool {
    for (k, i) in order.enumerated() where Int(i) != k { return false }
    return true
}

func isByteOrdered(_ keys: [String]) -> Bool {
    guard keys.count > 1 else { return true }
    for k in 1..<keys.count where !byteOrder(keys[k - 1], keys[k]) { return false }
    return true
}

/// Positions `0..<keys.count` in UTF-8 byte order of their keys (equal keys by position).
/// Sorts packed 16-byte prefixes and compares whole strings only when those are equal.
/// - Complexity: O(n log n).
func byteOrderPermutation(_ keys: [String]) -> [Int32] {
    struct Item {
        var high: UInt64
        var low: UInt64
        var index: Int32
    }
    var items = [Item](unsafeUninitializedCapacity: keys.count) { buffer, count in
        for (i, key) in keys.enumerated() {
            var high: UInt64 = 0, low: UInt64 = 0
            var k = 0
            for byte in key.utf8 {
                if k < 8 { high |= UInt64(byte) << (56 - 8 * k) } else if k < 16 { low |= UInt64(byte) << (56 - 8 * (k - 8)) } else { break }
                k += 1
            }
            (buffer.baseAddress! + i).initialize(to: Item(high: high, low: low, index: Int32(i)))
        }
        count = keys.count
    }
    keys.withUnsafeBufferPointer { keys in
        items.sort { a, b in
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            let x = keys[Int(a.index)], y = keys[Int(b.index)]
            if byteOrder(x, y) { return true }
            if byteOrder(y, x) { return false }
            return a.index < b.index
        }
    }
    return items.map(\.index)
}
