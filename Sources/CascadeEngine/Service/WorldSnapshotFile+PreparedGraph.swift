extension WorldSnapshotFile {
    /// The prepared graph section: a presence byte, then the graph's columns (see `PreparedGraph`).
    /// Components are written per level as their sizes, their members one after the other and
    /// whether each is cyclic.
    static func encodePreparedGraph(_ graph: PreparedGraph?, into w: inout SnapshotWriter) {
        guard let graph else {
            w.u8(0)
            return
        }
        w.u8(1)
        w.u64(UInt64(graph.entityCount))
        w.u64(UInt64(graph.relationshipCount))
        w.optionalStrings(graph.canonicalMetadata)
        w.int32s(graph.edgeSource)
        w.int32s(graph.edgeTarget)
        w.int32s(graph.edgeRelationship)
        w.f64s(graph.edgeSignedWeight)
        w.bools(graph.edgeIsBottleneck)
        w.u64(UInt64(graph.edgeClass.count))
        w.bytes.append(contentsOf: graph.edgeClass.map(\.rawValue))
        w.int32s(graph.incomingStart.map { Int32(truncatingIfNeeded: $0) })
        w.int32s(graph.targetStart)
        w.int32s(graph.targetsBySource)
        w.int32s(graph.bindingSlots)
        w.u64(UInt64(graph.edgesIntoMacro))
        for level in 0..<10 {
            w.int32s(graph.components[level].map { Int32(truncatingIfNeeded: $0.count) })
            w.int32s(graph.components[level].flatMap { $0.map { Int32(truncatingIfNeeded: $0) } })
            w.bools(graph.componentIsCyclic[level])
        }
    }

    /// The prepared graph of the world whose columns are `columns`, or nil when the file keeps
    /// none. Checks what the propagation indexes without checking: one entry per edge in every
    /// edge column, every entity, relationship and edge position in range, both groupings
    /// (by target, by source) whole and consistent with the edges' ends, every component non-empty.
    static func decodePreparedGraph(_ r: inout SnapshotReader, columns: WorldColumns) throws(Rejection) -> PreparedGraph? {
        guard try r.u8() != 0 else { return nil }
        var graph = PreparedGraph()
        let n = columns.entityIDs.count, m = columns.relationshipIDs.count
        guard try r.u64() == UInt64(n), try r.u64() == UInt64(m) else {
            throw Rejection(reason: "the prepared graph is of another world")
        }
        graph.entityCount = n
        graph.relationshipCount = m
        graph.canonicalMetadata = try r.optionalStrings()
        guard graph.canonicalMetadata.count == columns.texts.count else { throw Rejection(reason: "the prepared graph is of another world") }
        graph.edgeSource = try r.int32s()
        graph.edgeTarget = try r.int32s()
        graph.edgeRelationship = try r.int32s()
        graph.edgeSignedWeight = try r.f64s()
        graph.edgeIsBottleneck = try r.bools()
        let classes = try r.byteColumn()
        guard classes.allSatisfy({ EdgeClass(rawValue: $0) != nil }) else { throw Rejection(reason: "an edge class is unknown") }
        graph.edgeClass = classes.map { EdgeClass(rawValue: $0)! }
        let edgeCount = graph.edgeSource.count
        guard [graph.edgeTarget.count, graph.edgeRelationship.count, graph.edgeSignedWeight.count, graph.edgeIsBottleneck.count,
               graph.edgeClass.count].allSatisfy({ $0 == edgeCount }) else {
            throw Rejection(reason: "the edge columns differ in length")
        }
        let entities = Int32(truncatingIfNeeded: n), relationships = Int32(truncatingIfNeeded: m)
        guard graph.edgeSource.allSatisfy({ $0 >= 0 && $0 < entities }), graph.edgeTarget.allSatisfy({ $0 >= 0 && $0 < entities }),
              graph.edgeRelationship.allSatisfy({ $0 >= 0 && $0 < relationships }) else {
            throw Rejection(reason: "an edge points outside the columns")
        }
        let incomingStart = try r.int32s()
        try checkGrouping(incomingStart, entities: n, edges: edgeCount, "by target")
        for i in 0..<n where graph.edgeTarget[Int(incomingStart[i])..<Int(incomingStart[i + 1])].contains(where: { $0 != Int32(i) }) {
            throw Rejection(reason: "the edges grouped by target are not grouped by their targets")
        }
        graph.incomingStart = incomingStart.map { Int($0) }
        graph.targetStart = try r.int32s()
        try checkGrouping(graph.targetStart, entities: n, edges: edgeCount, "by source")
        graph.targetsBySource = try r.int32s()
        guard graph.targetsBySource.count == edgeCount, graph.targetsBySource.allSatisfy({ $0 >= 0 && $0 < entities }) else {
            throw Rejection(reason: "a target grouped by source points outside the columns")
        }
        graph.bindingSlots = try r.int32s()
        let edges = Int32(truncatingIfNeeded: edgeCount)
        guard graph.bindingSlots.allSatisfy({ $0 >= 0 && $0 < edges }) else { throw Rejection(reason: "an edge to bind is out of range") }
        let intoMacro = try r.u64()
        guard intoMacro <= UInt64(2 * m) else { throw Rejection(reason: "more edges into MACRO entities than relationships") }
        graph.edgesIntoMacro = Int(intoMacro)
        for level in 0..<10 {
            let sizes = try r.int32s(), members = try r.int32s()
            graph.componentIsCyclic[level] = try r.bools()
            guard sizes.allSatisfy({ $0 > 0 }), sizes.reduce(0, { $0 + Int($1) }) == members.count,
                  graph.componentIsCyclic[level].count == sizes.count, members.allSatisfy({ $0 >= 0 && $0 < entities }) else {
                throw Rejection(reason: "a component of level \(level) is empty or out of range")
            }
            var start = 0
            graph.components[level] = sizes.map { size in
                defer { start += Int(size) }
                return members[start..<start + Int(size)].map { Int($0) }
            }
        }
        return graph
    }

    /// `start` has one entry per entity and one more, from 0 to `edges`, never decreasing.
    private static func checkGrouping(_ start: [Int32], entities n: Int, edges: Int, _ name: String) throws(Rejection) {
        guard start.count == n + 1, start[0] == 0, Int(start[n]) == edges,
              zip(start, start.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw Rejection(reason: "the edges grouped \(name) do not cover the edges")
        }
    }
}
