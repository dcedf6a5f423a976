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
enum ResultColumns {
    static let magic: [UInt8] = Array("CASCADE-RESULT-COLUMNS-2".utf8)
    /// Starts the documents written before version 2 (plain strings, full-width integers).
    static let magicVersion1: [UInt8] = Array("CASCADE-RESULT-COLUMNS-1".utf8)
    /// Starts the optional trailer of a Monte Carlo result's distributions (after the sensitivities, if any).
    static let distributionMagic: [UInt8] = Array("CASCADE-DISTRIBUTIONS-1".utf8)

    struct DecodingError: Error, CustomStringConvertible {
        var message: String
        var description: String { "the stored result's columns are damaged: \(message)" }
    }

    /// The whole document in one array (tests, and callers that keep it).
    static func encode(_ table: ResultTable, positions: [Int32]) -> [UInt8] {
        var document: [UInt8] = []
        encode(table, positions: positions, partBytes: .max) { document += $0 }
        return document
    }

    /// The document in parts of `partBytes` bytes (the last may be shorter), each handed to
    /// `emit` as soon as it is full, so that only one part is held at a time: storing a 1 M-entity
    /// result held the whole document (~0.7 GB with 30 000 shocks) besides the columns it copies.
    /// The parts, concatenated, are the document; its first part is emitted even when empty.
    static func encode<Failure: Error>(_ table: ResultTable, positions: [Int32], partBytes: Int,
                                       emit: ([UInt8]) throws(Failure) -> Void) throws(Failure) {
        precondition(partBytes > 0, "a part of \(partBytes) bytes")
        try withoutActuallyEscaping(emit) { (emit) throws(Failure) in
            var w = Writer(partBytes: partBytes, emit: emit)
            try write(table, positions: positions, to: &w)
            try w.finish()
        }
    }

    private static func write<Failure: Error>(_ table: ResultTable, positions: [Int32], to w: inout Writer<Failure>) throws(Failure) {
        let n = table.ids.count, edges = table.edgeSource.count
        try w.raw(magic)
        try w.strings(table.ids)
        try w.strings(table.names)
        try w.strings(table.types)
        try w.integers(table.levels)
        try w.flags(table.hasCurrentValue)
        try w.column(table.levelValues)
        try w.flags(table.isMacro)
        try w.column(table.impact)
        try w.column(table.unclamped)
        try w.column(count: n) { i in statusCodes[table.status[i]]! }
        try w.integers(table.rounds)
        try w.column(table.shock)
        try w.integers(table.bindingEdge)
        try w.integers(table.incomingStart)
        try w.integers(table.edgeSource)
        try w.integers(table.edgeRelationship)
        try w.flags(table.edgeIsBottleneck)
        try w.ids(table.relationshipIDs)
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
    private static let statusCodes = Dictionary(uniqueKeysWithValues: EntityStatus.allCases.enumerated().map { ($1, UInt8($0)) })

    static func decode(_ bytes: [UInt8]) throws(DecodingError) -> EntityResults {
        var r = Reader(bytes: bytes)
        switch try r.raw(magic.count) {
        case magic: r.version = 2
        case magicVersion1: r.version = 1
        default: throw DecodingError(message: "not a result column document")
        }
        let ids = try r.strings()
        let n = ids.count
        let names = try r.strings(), types = try r.strings()
        let levels: [Int] = try r.integers(), hasCurrentValue: [UInt8] = try r.column(), levelValues: [Double] = try r.column()
        let isMacro: [UInt8] = try r.column(), impact: [Double] = try r.column(), unclamped: [Double] = try r.column()
        let status: [UInt8] = try r.column(), rounds: [Int] = try r.integers(), shock: [Double] = try r.column()
        let bindingEdge: [Int] = try r.integers(), incomingStart: [Int] = try r.integers()
        let edgeSource: [Int32] = try r.integers(), edgeRelationship: [Int32] = try r.integers()
        let edgeIsBottleneck: [UInt8] = try r.column()
        let relationshipIDs = try r.ids()
        let state: [UInt8] = try r.column(), shown: [Double] = try r.column()
        let errorEdges: [Int] = try r.integers()
        let errorTexts = try r.strings()
        let keys = try r.strings()
        let rowStart: [Int] = try r.integers(), rowCount: [Int32] = try r.integers()
        let entryKey: [Int32] = try r.integers(), entryValue: [Double] = try r.column()
        let strongest: [Int32] = try r.integers(), positions: [Int32] = try r.integers()
        var sensitivities: SensitivityColumns?
        if !r.isAtEnd && !r.startsWith(distributionMagic) {
            let keys = try r.strings(), values: [Double] = try r.column(), undefined: [UInt8] = try r.column()
            guard values.count == n * keys.count, undefined.count == values.count else {
                throw DecodingError(message: "\(values.count) sensitivities for \(n) entities and \(keys.count) keys")
            }
            sensitivities = SensitivityColumns(keys: keys, values: values, undefined: undefined.map { $0 != 0 })
        }
        var distributions: DistributionColumns?
        if r.startsWith(distributionMagic) {
            _ = try r.raw(distributionMagic.count)
            let values: [Double] = try r.column()
            guard values.count == n * DistributionColumns.fields else {
                throw DecodingError(message: "\(values.count) distribution values for \(n) entities")
            }
            distributions = DistributionColumns(values: values)
        }
        guard r.isAtEnd else { throw DecodingError(message: "\(bytes.count - r.offset) bytes past the last column") }

        let edges = edgeSource.count
        func require(_ condition: Bool, _ what: String) throws(DecodingError) {
            if !condition { throw DecodingError(message: what) }
        }
        let perEntity: [(String, Int)] = [
            ("names", names.count), ("types", types.count), ("levels", levels.count), ("current values", hasCurrentValue.count),
            ("level values", levelValues.count), ("macro flags", isMacro.count), ("impacts", impact.count),
            ("unclamped impacts", unclamped.count), ("statuses", status.count), ("rounds", rounds.count), ("shocks", shock.count),
            ("binding edges", bindingEdge.count), ("attribution rows", rowStart.count), ("attribution row lengths", rowCount.count),
            ("strongest edges", strongest.count),
        ]
        for (name, count) in perEntity { try require(count == n, "\(count) \(name) for \(n) entities") }
        let perEdge: [(String, Int)] = [
            ("relationships", edgeRelationship.count), ("bottleneck flags", edgeIsBottleneck.count), ("edge states", state.count),
            ("contributions", shown.count),
        ]
        for (name, count) in perEdge { try require(count == edges, "\(count) \(name) for \(edges) edges") }
        try require(incomingStart.count == n + 1 && incomingStart.first == 0 && incomingStart.last == edges,
                    "the edge index does not cover the edges")
        for i in 0..<n { try require(incomingStart[i] <= incomingStart[i + 1], "the edge index is not ascending") }
        for s in edgeSource { try require(s >= 0 && Int(s) < n, "an edge source out of range") }
        for k in edgeRelationship { try require(k >= 0 && Int(k) < relationshipIDs.count, "a relationship out of range") }
        for e in strongest { try require(e >= -1 && Int(e) < edges, "a strongest edge out of range") }
        for p in positions { try require(p >= 0 && Int(p) < n, "a reported position out of range") }
        for s in status { try require(Int(s) < EntityStatus.allCases.count, "an unknown entity status") }
        let states = try state.map { (raw: UInt8) throws(DecodingError) -> EdgeState in
            guard let value = EdgeState(rawValue: raw) else { throw DecodingError(message: "an unknown edge state") }
            return value
        }
        try require(errorEdges.count == errorTexts.count, "edge errors without their texts")
        for e in errorEdges { try require(e >= 0 && e < edges, "an edge error out of range") }
        try require(entryKey.count == entryValue.count, "attribution keys without their values")
        for i in 0..<n {
            try require(rowStart[i] >= 0 && rowCount[i] >= 0 && rowStart[i] + Int(rowCount[i]) <= entryKey.count,
                        "an attribution row out of range")
        }
        for k in entryKey { try require(k >= 0 && Int(k) < keys.count, "an attribution key out of range") }

        let table = ResultTable(
            ids: ids, names: names, types: types, levels: levels, hasCurrentValue: hasCurrentValue.map { $0 != 0 },
            levelValues: levelValues, isMacro: isMacro.map { $0 != 0 }, impact: impact, unclamped: unclamped,
            status: status.map { EntityStatus.allCases[Int($0)] }, rounds: rounds, shock: shock, bindingEdge: bindingEdge,
            incomingStart: incomingStart, edgeSource: edgeSource, edgeRelationship: edgeRelationship,
            edgeIsBottleneck: edgeIsBottleneck.map { $0 != 0 }, relationshipIDs: relationshipIDs, state: states, shown: shown,
            edgeErrors: Dictionary(uniqueKeysWithValues: zip(errorEdges, errorTexts)), attributionKeys: keys,
            attributionRowStart: rowStart, attributionRowCount: rowCount, attributionEntryKey: entryKey,
            attributionEntryValue: entryValue, strongest: strongest, sensitivities: sensitivities, distributions: distributions)
        return EntityResults(table: table, positions: positions)
    }
}
