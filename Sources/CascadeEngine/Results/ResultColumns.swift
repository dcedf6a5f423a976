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
enum ResultColumns {
    static let magic: [UInt8] = Array("CASCADE-RESULT-COLUMNS-1".utf8)
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
        try w.raw(magic)
        try w.strings(table.ids)
        try w.strings(table.names)
        try w.strings(table.types)
        try w.column(table.levels)
        try w.column(table.hasCurrentValue.map { $0 ? UInt8(1) : 0 })
        try w.column(table.levelValues)
        try w.column(table.isMacro.map { $0 ? UInt8(1) : 0 })
        try w.column(table.impact)
        try w.column(table.unclamped)
        try w.column(table.status.map { UInt8(EntityStatus.allCases.firstIndex(of: $0)!) })
        try w.column(table.rounds)
        try w.column(table.shock)
        try w.column(table.bindingEdge)
        try w.column(table.incomingStart)
        try w.column(table.edgeSource)
        try w.column(table.edgeRelationship)
        try w.column(table.edgeIsBottleneck.map { $0 ? UInt8(1) : 0 })
        try w.strings(table.relationshipIDs)
        try w.column(table.state.map(\.rawValue))
        try w.column(table.shown)
        let errors = table.edgeErrors.sorted { $0.key < $1.key }
        try w.column(errors.map(\.key))
        try w.strings(errors.map(\.value))
        try w.strings(table.attributionKeys)
        try w.column(table.attributionRowStart)
        try w.column(table.attributionRowCount)
        try w.column(table.attributionEntryKey)
        try w.column(table.attributionEntryValue)
        try w.column(table.strongest)
        try w.column(positions)
        if let sensitivities = table.sensitivities {  // absent from results without them (and older ones)
            try w.strings(sensitivities.keys)
            try w.column(sensitivities.values)
            try w.column(sensitivities.undefined.map { $0 ? UInt8(1) : 0 })
        }
        if let distributions = table.distributions {  // absent from point results (and older ones)
            try w.raw(distributionMagic)
            try w.column(distributions.values)
        }
    }

    static func decode(_ bytes: [UInt8]) throws(DecodingError) -> EntityResults {
        var r = Reader(bytes: bytes)
        guard try r.raw(magic.count) == magic else { throw DecodingError(message: "not a result column document") }
        let ids = try r.strings()
        let n = ids.count
        let names = try r.strings(), types = try r.strings()
        let levels: [Int] = try r.column(), hasCurrentValue: [UInt8] = try r.column(), levelValues: [Double] = try r.column()
        let isMacro: [UInt8] = try r.column(), impact: [Double] = try r.column(), unclamped: [Double] = try r.column()
        let status: [UInt8] = try r.column(), rounds: [Int] = try r.column(), shock: [Double] = try r.column()
        let bindingEdge: [Int] = try r.column(), incomingStart: [Int] = try r.column()
        let edgeSource: [Int32] = try r.column(), edgeRelationship: [Int32] = try r.column()
        let edgeIsBottleneck: [UInt8] = try r.column()
        let relationshipIDs = try r.strings()
        let state: [UInt8] = try r.column(), shown: [Double] = try r.column()
        let errorEdges: [Int] = try r.column()
        let errorTexts = try r.strings()
        let keys = try r.strings()
        let rowStart: [Int] = try r.column(), rowCount: [Int32] = try r.column()
        let entryKey: [Int32] = try r.column(), entryValue: [Double] = try r.column()
        let strongest: [Int32] = try r.column(), positions: [Int32] = try r.column()
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

    /// Appends little-endian columns — a count, then the elements' bytes — to the current part,
    /// handing each part to `emit` when it holds `partBytes` bytes.
    struct Writer<Failure: Error> {
        let partBytes: Int
        let emit: ([UInt8]) throws(Failure) -> Void
        private var part: [UInt8] = []
        private var parts = 0

        init(partBytes: Int, emit: @escaping ([UInt8]) throws(Failure) -> Void) {
            self.partBytes = partBytes
            self.emit = emit
            if partBytes <= 64 << 20 { part.reserveCapacity(partBytes) }
        }

        mutating func bytes(_ data: UnsafeRawBufferPointer) throws(Failure) {
            var offset = 0
            while offset < data.count {
                let n = min(partBytes - part.count, data.count - offset)
                part.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[offset..<offset + n]))
                offset += n
                if part.count == partBytes { try flush() }
            }
        }

        private mutating func flush() throws(Failure) {
            try emit(part)
            parts += 1
            part.removeAll(keepingCapacity: true)
        }

        /// Emits the last part (the first, even if empty, when nothing was emitted yet).
        mutating func finish() throws(Failure) {
            if !part.isEmpty || parts == 0 { try flush() }
        }

        mutating func raw(_ data: [UInt8]) throws(Failure) {
            try data.span.bytes.withUnsafeBytes { (data) throws(Failure) in try bytes(data) }
        }

        mutating func count(_ value: Int) throws(Failure) {
            try withUnsafeBytes(of: UInt64(value).littleEndian) { (data) throws(Failure) in try bytes(data) }
        }

        /// Integers and doubles as their in-memory bytes (little-endian on every platform Swift targets here).
        mutating func column<T: BitwiseCopyable>(_ values: [T]) throws(Failure) {
            try count(values.count)
            try values.span.bytes.withUnsafeBytes { (data) throws(Failure) in try bytes(data) }
        }

        /// UTF-8 lengths, then the text of every string (gathered 1 MiB at a time).
        mutating func strings(_ values: [String]) throws(Failure) {
            try column(values.map { Int32($0.utf8.count) })
            var text: [UInt8] = []
            text.reserveCapacity(1 << 20)
            for value in values {
                text.append(contentsOf: value.utf8)
                if text.count >= 1 << 20 {
                    try raw(text)
                    text.removeAll(keepingCapacity: true)
                }
            }
            try raw(text)
        }
    }

    /// Reads what `Writer` wrote, refusing any count that runs past the end.
    struct Reader {
        let bytes: [UInt8]
        private(set) var offset = 0
        var isAtEnd: Bool { offset == bytes.count }

        init(bytes: [UInt8]) { self.bytes = bytes }

        /// Whether the bytes at the offset are `prefix`.
        func startsWith(_ prefix: [UInt8]) -> Bool {
            bytes.count - offset >= prefix.count && bytes[offset..<offset + prefix.count].elementsEqual(prefix)
        }

        mutating func raw(_ length: Int) throws(DecodingError) -> [UInt8] {
            guard length >= 0, length <= bytes.count - offset else { throw DecodingError(message: "it ends early") }
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }

        mutating func count() throws(DecodingError) -> Int {
            let raw = try raw(8)
            var value: UInt64 = 0
            for (k, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(k)) }
            guard value <= UInt64(bytes.count) else { throw DecodingError(message: "a column longer than the document") }
            return Int(value)
        }

        mutating func column<T: BitwiseCopyable>() throws(DecodingError) -> [T] {
            let n = try count()
            let size = MemoryLayout<T>.stride
            guard n <= (bytes.count - offset) / size else { throw DecodingError(message: "it ends early") }
            let values = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                bytes.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + n * size]))
                }
                initialized = n
            }
            offset += n * size
            return values
        }

        mutating func strings() throws(DecodingError) -> [String] {
            let lengths: [Int32] = try column()
            var values: [String] = []
            values.reserveCapacity(lengths.count)
            for length in lengths {
                guard length >= 0, Int(length) <= bytes.count - offset else { throw DecodingError(message: "it ends early") }
                values.append(String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self))
                offset += Int(length)
            }
            return values
        }
    }
}
