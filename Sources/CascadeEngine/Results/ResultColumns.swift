import CascadeStore

/// The binary form of a large run's per-entity results: the `ResultTable`'s arrays as
/// little-endian columns, and the positions it reports. It is what the store keeps for a result
/// of more than `ScenarioService.inlineEntityLimit` entities, in place of one JSON row per entity
/// (writing 934 000 JSON rows took ~50 s at 1 M entities; the columns are one sequential write).
/// Entity documents, pages and CSV are produced from it on demand, by the same code that writes a
/// fresh result's (`ResultTable.appendJSON`), so a stored result reads back byte for byte as it
/// was computed.
///
/// Decoding checks every length and every index before anything is built from the columns, so a
/// damaged value is an error, never a crash or a wrong document.
///
/// Version 2 (this writer's) keeps the same columns in fewer bytes — at 1 M entities / 5 M edges
/// with 15 000 shocks, 688 MB of version 1 come to ~462 MB (counted from the lead's stored
/// document): ids that are UUIDs as their 16 bytes (the 5 M relationship ids alone were 200 MB of
/// text), columns of few distinct strings (types) as a dictionary, and integer columns in the
/// narrowest width that holds their range (attribution keys, levels, rounds, edge indices). What
/// remains is mostly the attribution values (160 MB) and per-edge contributions (40 MB), kept
/// bit for bit. Version 1 documents, stored before it, still decode.
///
/// Version 3 (this writer's) splits the document in two: a **world part** (`worldMagic`; the
/// columns that are the same in every run of the same world: entity ids, names, types, levels,
/// current-value flags, level values, macro flags, the edge index, edge sources, edge
/// relationships, bottleneck flags and relationship ids — 38 % of the lead's 1 M-entity document) and a
/// **run part** (`magic`; everything else, after the world part's key, the XXH3-128 of its
/// bytes). The store keeps one copy of a world part per owner and key (`result_worlds`), so a
/// run of a world already stored writes only its run part. Decoding a run part needs the world
/// part its key names, and checks the key against the world part's bytes: a missing, damaged or
/// different world part is an error, never a wrong document. Version 1 and 2 documents (whole,
/// one part) still decode.
enum ResultColumns {
    /// Starts a version 3 run part (the columns of one run, after its world part's key).
    static let magic: [UInt8] = Array("CASCADE-RESULT-COLUMNS-3".utf8)
    /// Starts the whole documents written before version 3 (the world's columns among the run's).
    static let magicVersion2: [UInt8] = Array("CASCADE-RESULT-COLUMNS-2".utf8)
    /// Starts the documents written before version 2 (plain strings, full-width integers).
    static let magicVersion1: [UInt8] = Array("CASCADE-RESULT-COLUMNS-1".utf8)
    /// Starts a world part (version 3): the columns every run of the same world shares.
    static let worldMagic: [UInt8] = Array("CASCADE-RESULT-WORLD-1".utf8)
    /// Starts the optional trailer of a Monte Carlo result's distributions (after the sensitivities, if any).
    static let distributionMagic: [UInt8] = Array("CASCADE-DISTRIBUTIONS-1".utf8)

    struct DecodingError: Error, CustomStringConvertible {
        var message: String
        var description: String { "the stored result's columns are damaged: \(message)" }
    }

    /// A result's world part and its key: the XXH3-128 of exactly these bytes.
    struct WorldPart: Sendable {
        let bytes: [UInt8]
        let key: (UInt64, UInt64)

        init(bytes: [UInt8]) {
            self.bytes = bytes
            key = bytes.withUnsafeBytes { ContentHash.xxh3_128(bytes: $0) }
        }

        /// The key as the store names it: 32 lowercase hex digits.
        var keyText: String { ContentHash.hex(key) }
    }

    /// The world part of `table`, whole: its key is the hash of all of its bytes.
    static func encodeWorld(_ table: ResultTable) -> WorldPart {
        var bytes: [UInt8] = []
        var w = Writer<Never>(partBytes: .max) { part in
            if bytes.isEmpty { bytes = part } else { bytes += part }  // one part: shared, not copied
        }
        w.raw(worldMagic)
        writeWorldEntities(table, to: &w)
        writeWorldEdges(table, to: &w)
        w.finish()
        return WorldPart(bytes: bytes)
    }

    /// Both parts whole (tests, and callers that keep them).
    static func encode(_ table: ResultTable, positions: [Int32]) -> (world: WorldPart, run: [UInt8]) {
        let world = encodeWorld(table)
        var run: [UInt8] = []
        encode(table, positions: positions, world: world.key, partBytes: .max) { part in
            if run.isEmpty { run = part } else { run += part }
        }
        return (world, run)
    }

    /// The run part in parts of `partBytes` bytes (the last may be shorter), each handed to
    /// `emit` as soon as it is full, so that only one part is held at a time: storing a 1 M-entity
    /// result held the whole document (~0.7 GB with 30 000 shocks) besides the columns it copies.
    /// The parts, concatenated, are the run part; its first part is emitted even when empty.
    /// `world` is the key of the world part it goes with (`WorldPart.key`).
    static func encode<Failure: Error>(_ table: ResultTable, positions: [Int32], world: (UInt64, UInt64), partBytes: Int,
                                       emit: ([UInt8]) throws(Failure) -> Void) throws(Failure) {
        precondition(partBytes > 0, "a part of \(partBytes) bytes")
        try withoutActuallyEscaping(emit) { (emit) throws(Failure) in
            var w = Writer(partBytes: partBytes, emit: emit)
            try w.raw(magic)
            try w.word(world.0)
            try w.word(world.1)
            try writeRunEntities(table, to: &w)
            try writeRunEdges(table, positions: positions, to: &w)
            try w.finish()
        }
    }

    // The four groups of columns, in the order version 2 interleaved them (world entities, run
    // entities, world edges, run edges and the rest): version 3 writes the world's two to the
    // world part and the run's two to the run part; the reader reads them in the same groups.

    private static func writeWorldEntities<Failure: Error>(_ table: ResultTable, to w: inout Writer<Failure>) throws(Failure) {
        try w.strings(table.ids)
        try w.strings(table.names)
        try w.strings(table.types)
        try w.integers(table.levels)
        try w.flags(table.hasCurrentValue)
        try w.column(table.levelValues)
        try w.flags(table.isMacro)
    }

    private static func writeRunEntities<Failure: Error>(_ table: ResultTable, to w: inout Writer<Failure>) throws(Failure) {
        let n = table.ids.count
        try w.column(table.impact)
        try w.column(table.unclamped)
        try w.column(count: n) { i in statusCodes[table.status[i]]! }
        try w.integers(table.rounds)
        try w.column(table.shock)
        try w.integers(table.bindingEdge)
    }

    private static func writeWorldEdges<Failure: Error>(_ table: ResultTable, to w: inout Writer<Failure>) throws(Failure) {
        try w.integers(table.incomingStart)
        try w.integers(table.edgeSource)
        try w.integers(table.edgeRelationship)
        try w.flags(table.edgeIsBottleneck)
        try w.ids(table.relationshipIDs)
    }

    private static func writeRunEdges<Failure: Error>(_ table: ResultTable, positions: [Int32], to w: inout Writer<Failure>) throws(Failure) {
        let edges = table.edgeSource.count
        try w.column(count: edges) { e in table.state[e].rawValue }
        try w.column(table.shown)
        let errors = table.edgeErrors.sorted { $0.key < $1.key }
        try w.integers(errors.map(\.key))
        try w.strings(errors.map(\.value))
        try w.strings(table.attributionKeys)
        try w.integers(table.attributionRowStart)
        try w.integers(table.attributionRowCount)
        try w.integers(table.attributionEntryKey)
        try w.column(table.attributionEntryValue)
        try w.integers(table.strongest)
        try w.integers(positions)
        if let sensitivities = table.sensitivities {  // absent from results without them (and older ones)
            try w.strings(sensitivities.keys)
            try w.column(sensitivities.values)
            try w.flags(sensitivities.undefined)
        }
        if let distributions = table.distributions {  // absent from point results (and older ones)
            try w.raw(distributionMagic)
            try w.column(distributions.values)
        }
    }

    /// Each entity status's code in the document: its position in `EntityStatus.allCases`.
    static let statusCodes = Dictionary(uniqueKeysWithValues: EntityStatus.allCases.enumerated().map { ($1, UInt8($0)) })
}
