import CXXHash
import CascadeStore

/// A loaded world as one binary, columnar document: the bytes of a snapshot file (see
/// `WorldSnapshotFile+File.swift` for where it lives and how it is read and written).
///
/// It encodes the existing types — `WorldColumns`, `SectorCoefficient`, `RegistryFormula`,
/// `MacroPoint`, what a run prepared from the entities' metadata (`EntityFacts`) and the edges it laid out
/// (`PreparedGraph`) — and decodes them back exactly (bit for bit: doubles by their bit pattern), so
/// a world read from a snapshot is the world read from the store; there is no second world model.
///
/// Layout (little-endian):
///
///     header:   magic "CASCSNAP" · format version u32 · section count u32 · file length u64
///               · key (u32 length + UTF-8) · world digest (u32 length + UTF-8)
///     table:    per section: offset u64 · length u64 · XXH3-64 of its bytes
///     check:    XXH3-64 of header and table
///     sections: entities · relationships · texts · coefficients · formulas · macro data · entity facts
///               · prepared graph
///
/// A reader checks magic, format version, file length and the header's checksum before it
/// trusts an offset, each section's checksum before it decodes it, and every count against the
/// bytes left before it allocates; then that every position in the columns is in range. Any
/// failure is a `WorldSnapshotFile.Rejection` (the file is then ignored and replaced), never a trap.
/// The key is the store's world version (`Store.worldVersion()`): a file with another key
/// describes another state of the store.
enum WorldSnapshotFile {
    static let magic: [UInt8] = Array("CASCSNAP".utf8)
    /// Changes whenever the layout (or what a section holds) changes; older files are then ignored.
    /// 2: the entity facts section (a warm run no longer parses every entity's metadata).
    /// 3: the prepared graph section (a warm run no longer lays out the edges and finds the components).
    static let formatVersion: UInt32 = 3
    static let sectionCount = 8

    /// Why a snapshot file was not used.
    struct Rejection: Error, Equatable, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// What a valid file holds.
    struct Contents {
        var key: String
        var worldDigest: String
        var world: EngineWorld
    }

    // MARK: - Encoding

    /// The file's bytes for a loaded world (its columns) under `key`, with the digest of its
    /// entities and relationships (`PreparedRun.worldDigest`), their facts (`PreparedRun.entityFacts`,
    /// in id order) and the edges a run laid out on it (`PreparedGraph`, when given).
    static func encode(columns: WorldColumns, coefficients: [SectorCoefficient], formulas: [RegistryFormula],
                       macroData: [MacroPoint], entityFacts: EntityFacts, preparedGraph: PreparedGraph? = nil,
                       key: String, worldDigest: String) -> [UInt8] {
        Array(encodedParts(columns: columns, coefficients: coefficients, formulas: formulas, macroData: macroData,
                           entityFacts: entityFacts, preparedGraph: preparedGraph, key: key, worldDigest: worldDigest).joined())
    }

    /// The file as header and table, then each section: written one after the other, so the
    /// whole file is never copied into one buffer.
    static func encodedParts(columns: WorldColumns, coefficients: [SectorCoefficient], formulas: [RegistryFormula],
                             macroData: [MacroPoint], entityFacts: EntityFacts, preparedGraph: PreparedGraph?,
                             key: String, worldDigest: String) -> [[UInt8]] {
        var sections = [SnapshotWriter](repeating: SnapshotWriter(), count: sectionCount)
        encodeEntities(columns, into: &sections[0])
        encodeRelationships(columns, into: &sections[1])
        sections[2].strings(columns.texts)
        encodeCoefficients(coefficients, into: &sections[3])
        encodeFormulas(formulas, into: &sections[4])
        encodeMacroData(macroData, into: &sections[5])
        encodeEntityFacts(entityFacts, into: &sections[6])
        encodePreparedGraph(preparedGraph, into: &sections[7])

        var header = SnapshotWriter()
        header.bytes.append(contentsOf: magic)
        header.u32(formatVersion)
        header.u32(UInt32(sectionCount))
        let fileLengthAt = header.bytes.count
        header.u64(0)
        header.string(key)
        header.string(worldDigest)
        var offset = header.bytes.count + sectionCount * 24 + 8
        for section in sections {
            header.u64(UInt64(offset))
            header.u64(UInt64(section.bytes.count))
            header.u64(checksum(section.bytes))
            offset += section.bytes.count
        }
        header.patch(UInt64(offset), at: fileLengthAt)
        header.u64(checksum(header.bytes))
        return [header.bytes] + sections.map(\.bytes)
    }

    static func encodeEntities(_ c: WorldColumns, into w: inout SnapshotWriter) {
        w.strings(c.entityIDs)
        w.strings(c.entityTypes)
        w.strings(c.entityNames)
        w.optionalStrings(c.entityDescriptions)
        w.optionalStrings(c.entityCategories)
        w.u64(UInt64(c.entityLevels.count))
        for level in c.entityLevels {
            w.u8(level == nil ? 0 : 1)
            w.u64(UInt64(bitPattern: Int64(level ?? 0)))
        }
        w.optionalStrings(c.entityMetadata)
    }

    static func encodeRelationships(_ c: WorldColumns, into w: inout SnapshotWriter) {
        w.ids(c.relationshipIDs)
        w.int32s(c.relationshipSources)
        w.int32s(c.relationshipTargets)
        w.u64(UInt64(c.relationshipTypes.count))
        w.bytes.append(contentsOf: c.relationshipTypes)
        w.strings(c.typeNames)
        w.f64s(c.relationshipWeights)
        w.bools(c.relationshipHasWeight)
        w.int32s(c.relationshipFormulas)
        w.int32s(c.relationshipMetadata)
        w.u64(UInt64(c.unknownEnds.count))
        for (r, ends) in c.unknownEnds.sorted(by: { $0.key < $1.key }) {
            w.u64(UInt64(r))
            w.string(ends.source)
            w.string(ends.target)
        }
    }

    static func encodeCoefficients(_ rows: [SectorCoefficient], into w: inout SnapshotWriter) {
        w.u64(UInt64(rows.count))
        for row in rows {
            w.string(row.id)
            w.string(row.sector)
            w.string(row.coefficientType)
            w.f64(row.value)
            w.string(row.effectiveDate)
            w.optionalString(row.calibratedFrom)
            w.optionalString(row.calibratedTo)
            w.u8(row.rSquared == nil ? 0 : 1)
            w.f64(row.rSquared ?? 0)
            w.optionalString(row.dataSource)
            w.optionalString(row.notes)
            w.u8(row.isActive ? 1 : 0)
        }
    }

    static func encodeFormulas(_ formulas: [RegistryFormula], into w: inout SnapshotWriter) {
        w.u64(UInt64(formulas.count))
        for formula in formulas {
            w.string(formula.name)
            w.u64(UInt64(bitPattern: Int64(formula.version)))
            w.string(formula.text)
            let parameters = formula.parameters.sorted { byteOrder($0.key, $1.key) }
            w.u64(UInt64(parameters.count))
            for (name, type) in parameters {
                w.string(name)
                w.string(type)
            }
            w.string(formula.effectiveDate)
            w.u8(formula.isActive ? 1 : 0)
            w.string(formula.contentHash)
        }
    }

    static func encodeMacroData(_ points: [MacroPoint], into w: inout SnapshotWriter) {
        w.u64(UInt64(points.count))
        for point in points {
            w.string(point.date)
            w.string(point.variable)
            w.f64(point.value)
            w.optionalString(point.unit)
        }
    }

    static func encodeEntityFacts(_ facts: EntityFacts, into w: inout SnapshotWriter) {
        w.f64s(facts.levelValues)
        w.bools(facts.hasCurrentValue)
        w.int32s(facts.sectorIndex)
        w.strings(facts.sectors)
        for list in [facts.canonicalTexts, facts.invalidMetadata] {
            w.u64(UInt64(list.count))
            for (position, text) in list.sorted(by: { $0.key < $1.key }) {
                w.u64(UInt64(position))
                w.string(text)
            }
        }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(bytes.baseAddress, bytes.count)
    }

    // MARK: - Decoding

    /// The key and world digest of a file, after checking magic, format version, length and the
    /// header's checksum (cheap: the sections are not read).
    static func header(_ file: UnsafeRawBufferPointer) throws(Rejection) -> (key: String, worldDigest: String, sections: [UnsafeRawBufferPointer]) {
        var r = SnapshotReader(file)
        guard file.count >= magic.count, magic.elementsEqual(UnsafeRawBufferPointer(rebasing: file[0..<magic.count])) else {
            throw Rejection(reason: "not a Cascade world snapshot (bad magic)")
        }
        r.offset = magic.count
        let version = try r.u32()
        guard version == formatVersion else { throw Rejection(reason: "snapshot format \(version), not \(formatVersion)") }
        guard try r.u32() == UInt32(sectionCount) else { throw Rejection(reason: "unexpected section count") }
        let length = try r.u64()
        guard length == UInt64(file.count) else { throw Rejection(reason: "the file has \(file.count) bytes, its header says \(length)") }
        let key = try r.string()
        let digest = try r.string()
        var table: [(offset: UInt64, length: UInt64, checksum: UInt64)] = []
        for _ in 0..<sectionCount { table.append((try r.u64(), try r.u64(), try r.u64())) }
        let headerEnd = r.offset
        let stored = try r.u64()
        guard checksum(UnsafeRawBufferPointer(rebasing: file[0..<headerEnd])) == stored else {
            throw Rejection(reason: "the header's checksum does not match")
        }
        var sections: [UnsafeRawBufferPointer] = []
        var expected = UInt64(r.offset)
        for entry in table {
            guard entry.offset == expected, entry.length <= UInt64(file.count) - entry.offset else {
                throw Rejection(reason: "a section lies outside the file")
            }
            let section = UnsafeRawBufferPointer(rebasing: file[Int(entry.offset)..<Int(entry.offset + entry.length)])
            sections.append(section)
            expected = entry.offset + entry.length
        }
        guard expected == UInt64(file.count) else { throw Rejection(reason: "the sections do not fill the file") }
        for (k, entry) in table.enumerated() where checksum(sections[k]) != entry.checksum {
            throw Rejection(reason: "section \(k)'s checksum does not match")
        }
        return (key, digest, sections)
    }

    /// The world a file holds; throws a `Rejection` for anything but a whole, consistent file.
    static func decode(_ file: UnsafeRawBufferPointer) throws(Rejection) -> Contents {
        let (key, digest, sections) = try header(file)
        var columns = WorldColumns()
        var r = SnapshotReader(sections[0])
        columns.entityIDs = try r.strings()
        columns.entityTypes = try r.strings()
        columns.entityNames = try r.strings()
        columns.entityDescriptions = try r.optionalStrings()
        columns.entityCategories = try r.optionalStrings()
        let levelCount = try r.count(elementSize: 9)
        columns.entityLevels.reserveCapacity(levelCount)
        for _ in 0..<levelCount {
            let present = try r.u8()
            let level = Int(Int64(bitPattern: try r.u64()))
            columns.entityLevels.append(present == 0 ? nil : level)
        }
        columns.entityMetadata = try r.optionalStrings()
        try r.end()

        r = SnapshotReader(sections[1])
        columns.relationshipIDs = try r.ids()
        columns.relationshipSources = try r.int32s()
        columns.relationshipTargets = try r.int32s()
        columns.relationshipTypes = try r.byteColumn()
        columns.typeNames = try r.strings()
        columns.relationshipWeights = try r.f64s()
        columns.relationshipHasWeight = try r.bools()
        columns.relationshipFormulas = try r.int32s()
        columns.relationshipMetadata = try r.int32s()
        let unknownCount = try r.count(elementSize: 16)
        for _ in 0..<unknownCount {
            let position = try r.u64()
            guard position < UInt64(columns.relationshipIDs.count) else { throw Rejection(reason: "a relationship position is out of range") }
            columns.unknownEnds[Int(position)] = (try r.string(), try r.string())
        }
        try r.end()

        r = SnapshotReader(sections[2])
        columns.texts = try r.strings()
        try r.end()
        try validate(columns)
        columns.isKnownSorted = columns.isSorted

        r = SnapshotReader(sections[3])
        var coefficients: [SectorCoefficient] = []
        for _ in 0..<(try r.count(elementSize: 30)) {
            let id = try r.string(), sector = try r.string(), type = try r.string(), value = try r.f64()
            var row = SectorCoefficient(sector: sector, coefficientType: type, value: value, effectiveDate: try r.string(),
                                        calibratedFrom: try r.optionalString(), calibratedTo: try r.optionalString())
            let hasRSquared = try r.u8(), rSquared = try r.f64()
            row.rSquared = hasRSquared == 0 ? nil : rSquared
            row.dataSource = try r.optionalString()
            row.notes = try r.optionalString()
            row.isActive = try r.u8() != 0
            row.id = id
            coefficients.append(row)
        }
        try r.end()

        r = SnapshotReader(sections[4])
        var formulas: [RegistryFormula] = []
        for _ in 0..<(try r.count(elementSize: 37)) {
            let name = try r.string(), version = Int(Int64(bitPattern: try r.u64())), text = try r.string()
            var parameters: [String: String] = [:]
            for _ in 0..<(try r.count(elementSize: 8)) {
                let parameter = try r.string()
                parameters[parameter] = try r.string()
            }
            formulas.append(RegistryFormula(name: name, version: version, text: text, parameters: parameters,
                                            effectiveDate: try r.string(), isActive: try r.u8() != 0, contentHash: try r.string()))
        }
        try r.end()

        r = SnapshotReader(sections[5])
        var macroData: [MacroPoint] = []
        for _ in 0..<(try r.count(elementSize: 20)) {
            macroData.append(MacroPoint(date: try r.string(), variable: try r.string(), value: try r.f64(), unit: try r.optionalString()))
        }
        try r.end()

        r = SnapshotReader(sections[6])
        let facts = try decodeEntityFacts(&r, entityCount: columns.entityIDs.count)
        try r.end()

        r = SnapshotReader(sections[7])
        let graph = try decodePreparedGraph(&r, columns: columns)
        try r.end()

        var world = EngineWorld(columns: columns, coefficients: coefficients, formulas: formulas, macroData: macroData)
        world.worldDigest = digest
        world.entityFacts = facts
        world.preparedGraph = graph
        return Contents(key: key, worldDigest: digest, world: world)
    }

    /// The entity facts, one per entity, every sector index in range, the sectors distinct and
    /// the positions of the exceptions in range and ascending: what `PreparedRun` reads without checking.
    static func decodeEntityFacts(_ r: inout SnapshotReader, entityCount n: Int) throws(Rejection) -> EntityFacts {
        var facts = EntityFacts()
        facts.levelValues = try r.f64s()
        guard facts.levelValues.count == n else { throw Rejection(reason: "the entity facts are not one per entity") }
        facts.hasCurrentValue = try r.bools()
        facts.sectorIndex = try r.int32s()
        facts.sectors = try r.strings()
        guard facts.hasCurrentValue.count == n, facts.sectorIndex.count == n else {
            throw Rejection(reason: "the entity facts are not one per entity")
        }
        let sectorCount = Int32(truncatingIfNeeded: facts.sectors.count)
        guard facts.sectorIndex.allSatisfy({ $0 >= 0 && $0 < sectorCount }) else { throw Rejection(reason: "a sector index is out of range") }
        guard Set(facts.sectors).count == facts.sectors.count else { throw Rejection(reason: "a sector is listed twice") }
        for k in 0..<2 {
            var list: [Int: String] = [:]
            var previous = -1
            for _ in 0..<(try r.count(elementSize: 12)) {
                let position = try r.u64()
                guard position < UInt64(n), Int(position) > previous else { throw Rejection(reason: "an entity position is out of range") }
                previous = Int(position)
                list[previous] = try r.string()
            }
            if k == 0 { facts.canonicalTexts = list } else { facts.invalidMetadata = list }
        }
        return facts
    }

    /// Every column as long as its list, and every position in range: what `PreparedRun` indexes
    /// without checking.
    static func validate(_ c: WorldColumns) throws(Rejection) {
        let n = c.entityIDs.count
        guard [c.entityTypes.count, c.entityNames.count, c.entityDescriptions.count, c.entityCategories.count,
               c.entityLevels.count, c.entityMetadata.count].allSatisfy({ $0 == n }) else {
            throw Rejection(reason: "the entity columns differ in length")
        }
        let m = c.relationshipIDs.count
        guard [c.relationshipSources.count, c.relationshipTargets.count, c.relationshipTypes.count, c.relationshipWeights.count,
               c.relationshipHasWeight.count, c.relationshipFormulas.count, c.relationshipMetadata.count].allSatisfy({ $0 == m }) else {
            throw Rejection(reason: "the relationship columns differ in length")
        }
        let types = c.typeNames.count, texts = Int32(truncatingIfNeeded: c.texts.count)
        for r in 0..<m {
            let s = c.relationshipSources[r], t = c.relationshipTargets[r]
            guard s < n, t < n, s >= 0 || c.unknownEnds[r] != nil, t >= 0 || c.unknownEnds[r] != nil, s >= -1, t >= -1,
                  Int(c.relationshipTypes[r]) < types,
                  c.relationshipFormulas[r] >= -1, c.relationshipFormulas[r] < texts,
                  c.relationshipMetadata[r] >= -1, c.relationshipMetadata[r] < texts else {
                throw Rejection(reason: "relationship \(r) points outside the columns")
            }
        }
    }
}

/// Appends little-endian values to a byte array.
struct SnapshotWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func f64(_ value: Double) { u64(value.bitPattern) }

    mutating func patch(_ value: UInt64, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { for (k, byte) in $0.enumerated() { bytes[offset + k] = byte } }
    }

    mutating func string(_ text: String) {
        // A native string's bytes in place; only a bridged or lazy one is copied first.
        if text.utf8.withContiguousStorageIfAvailable({ utf8($0) }) != nil { return }
        var text = text
        text.withUTF8 { utf8($0) }
    }

    private mutating func utf8(_ utf8: UnsafeBufferPointer<UInt8>) {
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Length 0xFFFF_FFFF stands for nil.
    mutating func optionalString(_ text: String?) {
        if let text { string(text) } else { u32(.max) }
    }

    mutating func strings(_ column: [String]) {
        u64(UInt64(column.count))
        for text in column { string(text) }
    }

    /// The same bytes as `strings(Array(column))`, a UUID formatted on the stack.
    mutating func ids(_ column: IDColumn) {
        u64(UInt64(column.count))
        for k in column.indices { column.withUTF8(k) { utf8($0) } }
    }

    mutating func optionalStrings(_ column: [String?]) {
        u64(UInt64(column.count))
        for text in column { optionalString(text) }
    }

    mutating func f64s(_ column: [Double]) {
        u64(UInt64(column.count))
        for value in column { f64(value) }
    }

    /// One byte per flag, 1 or 0.
    mutating func bools(_ column: [Bool]) {
        u64(UInt64(column.count))
        for flag in column { u8(flag ? 1 : 0) }
    }

    mutating func int32s(_ column: [Int32]) {
        u64(UInt64(column.count))
        for value in column { u32(UInt32(bitPattern: value)) }
    }
}

/// Reads what `SnapshotWriter` wrote, checking every length against the bytes left before it
/// reads or allocates.
struct SnapshotReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private func need(_ count: Int) throws(WorldSnapshotFile.Rejection) {
        guard count >= 0, count <= bytes.count - offset else { throw WorldSnapshotFile.Rejection(reason: "the file ends early") }
    }

    mutating func u8() throws(WorldSnapshotFile.Rejection) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32() throws(WorldSnapshotFile.Rejection) -> UInt32 {
        try need(4)
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func u64() throws(WorldSnapshotFile.Rejection) -> UInt64 {
        try need(8)
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func f64() throws(WorldSnapshotFile.Rejection) -> Double { Double(bitPattern: try u64()) }

    /// A list's length, refused when even `elementSize` bytes per element would overrun the bytes left.
    mutating func count(elementSize: Int) throws(WorldSnapshotFile.Rejection) -> Int {
        let count = try u64()
        guard count <= UInt64(bytes.count - offset) / UInt64(elementSize) else {
            throw WorldSnapshotFile.Rejection(reason: "a list is longer than the file")
        }
        return Int(count)
    }

    mutating func string() throws(WorldSnapshotFile.Rejection) -> String {
        let length = try u32()
        guard length != .max else { throw WorldSnapshotFile.Rejection(reason: "a required text is missing") }
        return try text(Int(length))
    }

    mutating func optionalString() throws(WorldSnapshotFile.Rejection) -> String? {
        let length = try u32()
        return length == .max ? nil : try text(Int(length))
    }

    private mutating func text(_ length: Int) throws(WorldSnapshotFile.Rejection) -> String {
        try need(length)
        defer { offset += length }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
    }

    mutating func strings() throws(WorldSnapshotFile.Rejection) -> [String] {
        let count = try count(elementSize: 4)
        var column: [String] = []
        column.reserveCapacity(count)
        for _ in 0..<count { column.append(try string()) }
        return column
    }

    /// What `strings()` reads, as an id column: a UUID's text is parsed in place, never made a string.
    mutating func ids() throws(WorldSnapshotFile.Rejection) -> IDColumn {
        let count = try count(elementSize: 4)
        var column = IDColumn()
        column.reserveCapacity(count)
        for _ in 0..<count {
            let length = try u32()
            guard length != .max else { throw WorldSnapshotFile.Rejection(reason: "a required text is missing") }
            try need(Int(length))
            UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)]).withMemoryRebound(to: UInt8.self) { column.append(bytes: $0) }
            offset += Int(length)
        }
        return column
    }

    mutating func optionalStrings() throws(WorldSnapshotFile.Rejection) -> [String?] {
        let count = try count(elementSize: 4)
        var column: [String?] = []
        column.reserveCapacity(count)
        for _ in 0..<count { column.append(try optionalString()) }
        return column
    }

    mutating func int32s() throws(WorldSnapshotFile.Rejection) -> [Int32] {
        let count = try count(elementSize: 4)
        let start = offset
        offset += 4 * count
        return [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for k in 0..<count {
                buffer[k] = Int32(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 4 * k, as: UInt32.self)))
            }
            initialized = count
        }
    }

    mutating func f64s() throws(WorldSnapshotFile.Rejection) -> [Double] {
        let count = try count(elementSize: 8)
        let start = offset
        offset += 8 * count
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            for k in 0..<count {
                buffer[k] = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 8 * k, as: UInt64.self)))
            }
            initialized = count
        }
    }

    mutating func bools() throws(WorldSnapshotFile.Rejection) -> [Bool] {
        try byteColumn().map { $0 != 0 }
    }

    mutating func byteColumn() throws(WorldSnapshotFile.Rejection) -> [UInt8] {
        let count = try count(elementSize: 1)
        defer { offset += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
    }

    /// Throws unless every byte was read.
    func end() throws(WorldSnapshotFile.Rejection) {
        guard offset == bytes.count else { throw WorldSnapshotFile.Rejection(reason: "a section has trailing bytes") }
    }
}
