import CascadeStore

extension ResultColumns {
    /// A stored result's entities: from a whole version 1 or 2 document, or from a version 3 run
    /// part and the world part its key names (`world`, nil when the store has none for it).
    ///
    /// Every length and every index is checked before anything is built from the columns, and a
    /// version 3 world part must hash to the run part's key: a damaged document, or a missing,
    /// damaged or different world part, is an error, never a crash or a wrong document.
    static func decode(_ bytes: [UInt8], world: [UInt8]? = nil) throws(DecodingError) -> EntityResults {
        var r = Reader(bytes: bytes)
        var c = Columns()
        switch try r.raw(magic.count) {
        case magic:
            let key = (try r.word(), try r.word())
            guard let world else { throw DecodingError(message: "its world part `\(ContentHash.hex(key))` is missing") }
            guard world.withUnsafeBytes({ ContentHash.xxh3_128(bytes: $0) }) == key else {
                throw DecodingError(message: "its world part does not hash to its key `\(ContentHash.hex(key))` (damaged, or another world's)")
            }
            var w = Reader(bytes: world)
            guard try w.raw(worldMagic.count) == worldMagic else { throw DecodingError(message: "its world part is not a world part") }
            try c.readWorldEntities(&w)
            try c.readWorldEdges(&w)
            guard w.isAtEnd else { throw DecodingError(message: "\(world.count - w.offset) bytes past the world part's last column") }
            try c.readRunEntities(&r)
            try c.readRunEdges(&r)
        case magicVersion2, magicVersion1:
            r.version = magicVersion2.elementsEqual(bytes.prefix(magic.count)) ? 2 : 1
            try c.readWorldEntities(&r)
            try c.readRunEntities(&r)
            try c.readWorldEdges(&r)
            try c.readRunEdges(&r)
        default: throw DecodingError(message: "not a result column document")
        }
        guard r.isAtEnd else { throw DecodingError(message: "\(bytes.count - r.offset) bytes past the last column") }
        return try c.validated()
    }

    /// The columns as read, before they are checked against each other; read in the groups the
    /// writer writes (`writeWorldEntities`, `writeRunEntities`, `writeWorldEdges`, `writeRunEdges`).
    private struct Columns {
        var ids: [String] = [], names: [String] = [], types: [String] = []
        var levels: [Int] = [], hasCurrentValue: [UInt8] = [], levelValues: [Double] = [], isMacro: [UInt8] = []
        var impact: [Double] = [], unclamped: [Double] = [], status: [UInt8] = [], rounds: [Int] = [], shock: [Double] = []
        var bindingEdge: [Int] = []
        var incomingStart: [Int] = [], edgeSource: [Int32] = [], edgeRelationship: [Int32] = [], edgeIsBottleneck: [UInt8] = []
        var relationshipIDs = IDColumn()
        var state: [UInt8] = [], shown: [Double] = [], errorEdges: [Int] = [], errorTexts: [String] = []
        var keys: [String] = [], rowStart: [Int] = [], rowCount: [Int32] = [], entryKey: [Int32] = [], entryValue: [Double] = []
        var strongest: [Int32] = [], positions: [Int32] = []
        var sensitivities: SensitivityColumns?
        var distributions: DistributionColumns?

        mutating func readWorldEntities(_ r: inout Reader) throws(DecodingError) {
            ids = try r.strings()
            names = try r.strings()
            types = try r.strings()
            levels = try r.integers()
            hasCurrentValue = try r.column()
            levelValues = try r.column()
            isMacro = try r.column()
        }

        mutating func readRunEntities(_ r: inout Reader) throws(DecodingError) {
            impact = try r.column()
            unclamped = try r.column()
            status = try r.column()
            rounds = try r.integers()
            shock = try r.column()
            bindingEdge = try r.integers()
        }

        mutating func readWorldEdges(_ r: inout Reader) throws(DecodingError) {
            incomingStart = try r.integers()
            edgeSource = try r.integers()
            edgeRelationship = try r.integers()
            edgeIsBottleneck = try r.column()
            relationshipIDs = try r.ids()
        }

        /// The run's edge columns, attribution, strongest edges and reported positions, then the
        /// optional sensitivities and distributions (`ids` must have been read).
        mutating func readRunEdges(_ r: inout Reader) throws(DecodingError) {
            let n = ids.count
            state = try r.column()
            shown = try r.column()
            errorEdges = try r.integers()
            errorTexts = try r.strings()
            keys = try r.strings()
            rowStart = try r.integers()
            rowCount = try r.integers()
            entryKey = try r.integers()
            entryValue = try r.column()
            strongest = try r.integers()
            positions = try r.integers()
            if !r.isAtEnd && !r.startsWith(distributionMagic) {
                let keys = try r.strings(), values: [Double] = try r.column(), undefined: [UInt8] = try r.column()
                guard values.count == n * keys.count, undefined.count == values.count else {
                    throw DecodingError(message: "\(values.count) sensitivities for \(n) entities and \(keys.count) keys")
                }
                sensitivities = SensitivityColumns(keys: keys, values: values, undefined: undefined.map { $0 != 0 })
            }
            if r.startsWith(distributionMagic) {
                _ = try r.raw(distributionMagic.count)
                let values: [Double] = try r.column()
                guard values.count == n * DistributionColumns.fields else {
                    throw DecodingError(message: "\(values.count) distribution values for \(n) entities")
                }
                distributions = DistributionColumns(values: values)
            }
        }

        /// The entities, once every count and index agrees with the others.
        func validated() throws(DecodingError) -> EntityResults {
            let n = ids.count, edges = edgeSource.count
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
            for k in errorEdges.indices.dropFirst() {  // as written (by edge), so no edge is listed twice
                try require(errorEdges[k - 1] < errorEdges[k], "an edge error listed twice or out of order")
            }
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
}
