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

    /// The document, allocated once at its exact size: a first pass counts the bytes. (Grown by
    /// doubling, as it was, it held up to three times its size at once while copying — about
    /// 0.8 GB of columns at 1 M entities with 30 000 shocks.)
    static func encode(_ table: ResultTable, positions: [Int32]) -> [UInt8] {
        var sizer = Writer(isCounting: true)
        write(table, positions: positions, to: &sizer)
        var w = Writer(isCounting: false)
        w.bytes.reserveCapacity(sizer.size)
        write(table, positions: positions, to: &w)
        precondition(w.bytes.count == sizer.size, "the result columns' size was counted as \(sizer.size) bytes, not \(w.bytes.count)")
        return w.bytes
    }

    private static func write(_ table: ResultTable, positions: [Int32], to w: inout Writer) {
        w.raw(magic)
        w.strings(table.ids)
        w.strings(table.names)
        w.strings(table.types)
        w.column(table.levels)
        w.column(table.hasCurrentValue.map { $0 ? UInt8(1) : 0 })
        w.column(table.levelValues)
        w.column(table.isMacro.map { $0 ? UInt8(1) : 0 })
        w.column(table.impact)
        w.column(table.unclamped)
        w.column(table.status.map { UInt8(EntityStatus.allCases.firstIndex(of: $0)!) })
        w.column(table.rounds)
        w.column(table.shock)
        w.column(table.bindingEdge)
        w.column(table.incomingStart)
        w.column(table.edgeSource)
        w.column(table.edgeRelationship)
        w.column(table.edgeIsBottleneck.map { $0 ? UInt8(1) : 0 })
        w.strings(table.relationshipIDs)
        w.column(table.state.map(\.rawValue))
        w.column(table.shown)
        let errors = table.edgeErrors.sorted { $0.key < $1.key }
        w.column(errors.map(\.key))
        w.strings(errors.map(\.value))
        w.strings(table.attributionKeys)
        w.column(table.attributionRowStart)
        w.column(table.attributionRowCount)
        w.column(table.attributionEntryKey)
        w.column(table.attributionEntryValue)
        w.column(table.strongest)
        w.column(positions)
        if let sensitivities = table.sensitivities {  // absent from results without them (and older ones)
            w.strings(sensitivities.keys)
            w.column(sensitivities.values)
            w.column(sensitivities.undefined.map { $0 ? UInt8(1) : 0 })
        }
        if let distributions = table.distributions {  // absent from point results (and older ones)
            w.raw(distributionMagic)
            w.column(distributions.values)
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

    /// Appends little-endian columns: a count, then the elements' bytes. A counting writer only
    /// adds up their sizes (`size`), which is how `encode` allocates the document once.
    struct Writer {
        let isCounting: Bool
        fileprivate(set) var bytes: [UInt8] = []
        private(set) var size = 0

        mutating func raw(_ data: [UInt8]) {
            size += data.count
            if !isCounting { bytes += data }
        }

        mutating func count(_ value: Int) {
            size += MemoryLayout<UInt64>.size
            if !isCounting { withUnsafeBytes(of: UInt64(value).littleEndian) { bytes.append(contentsOf: $0) } }
        }

        /// Integers and doubles as their in-memory bytes (little-endian on every platform Swift targets here).
        mutating func column<T: BitwiseCopyable>(_ values: [T]) {
            count(values.count)
            size += values.count * MemoryLayout<T>.stride
            if !isCounting { values.withUnsafeBytes { bytes.append(contentsOf: $0) } }
        }

        /// UTF-8 lengths, then the text of every string.
        mutating func strings(_ values: [String]) {
            column(values.map { Int32($0.utf8.count) })
            for value in values {
                size += value.utf8.count
                if !isCounting { bytes.append(contentsOf: value.utf8) }
            }
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
