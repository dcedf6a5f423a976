/// The part of a prepared run that depends on the world alone: the effective edges grouped by
/// target and by source, which of them have a formula to bind, the canonical relationship
/// metadata and the same-level components. A world snapshot keeps it (`WorldSnapshotFile`), so
/// that a warm run binds the scenario's programs on the laid-out edges instead of building them
/// again (at 1 M / 5 M the edge layout and the components were most of `PreparedRun.prepare`).
///
/// Taken only from a run prepared without problems (a world with a duplicate id, an unknown
/// end, a bad weight or bad metadata stops every run, and keeps no graph), in the numbering
/// `PreparedRun.numberByLevel` gives the entities and the relationship order of the world's
/// sorted columns.
struct PreparedGraph: Sendable, Equatable {
    var entityCount = 0
    var relationshipCount = 0
    /// Per interned text (`WorldColumns.texts`): see `PreparedRun.canonicalMetadata`.
    var canonicalMetadata: [String?] = []
    var edgeSource: [Int32] = []
    var edgeTarget: [Int32] = []
    var edgeRelationship: [Int32] = []
    var edgeSignedWeight: [Double] = []
    var edgeIsBottleneck: [Bool] = []
    var edgeClass: [EdgeClass] = []
    var incomingStart: [Int] = []
    var targetStart: [Int32] = []
    var targetsBySource: [Int32] = []
    var bindingSlots: [Int32] = []
    var edgesIntoMacro = 0
    var components: [[[Int]]] = Array(repeating: [], count: 10)
    var componentIsCyclic: [[Bool]] = Array(repeating: [], count: 10)

    init() {}

    /// The world-only part of `run`, which was prepared without problems.
    init(_ run: PreparedRun) {
        entityCount = run.ids.count
        relationshipCount = run.relationshipIDs.count
        canonicalMetadata = run.canonicalMetadata
        edgeSource = run.edgeSource
        edgeTarget = run.edgeTarget
        edgeRelationship = run.edgeRelationship
        edgeSignedWeight = run.edgeSignedWeight
        edgeIsBottleneck = run.edgeIsBottleneck
        edgeClass = run.edgeClass
        incomingStart = run.incomingStart
        targetStart = run.targetStart
        targetsBySource = run.targetsBySource
        bindingSlots = run.bindingSlots
        edgesIntoMacro = run.edgesIntoMacro
        components = run.components
        componentIsCyclic = run.componentIsCyclic
    }

    /// Whether this graph was laid out for columns of this shape (a guard against a world whose
    /// columns were replaced after it was read; its contents are checked when it is decoded).
    func fits(_ columns: WorldColumns) -> Bool {
        entityCount == columns.entityIDs.count && relationshipCount == columns.relationshipIDs.count
            && canonicalMetadata.count == columns.texts.count
    }

    static func == (a: PreparedGraph, b: PreparedGraph) -> Bool {
        a.entityCount == b.entityCount && a.relationshipCount == b.relationshipCount && a.canonicalMetadata == b.canonicalMetadata
            && a.edgeSource == b.edgeSource && a.edgeTarget == b.edgeTarget && a.edgeRelationship == b.edgeRelationship
            && a.edgeSignedWeight.elementsEqual(b.edgeSignedWeight) { $0.bitPattern == $1.bitPattern }
            && a.edgeIsBottleneck == b.edgeIsBottleneck && a.edgeClass == b.edgeClass && a.incomingStart == b.incomingStart
            && a.targetStart == b.targetStart && a.targetsBySource == b.targetsBySource && a.bindingSlots == b.bindingSlots
            && a.edgesIntoMacro == b.edgesIntoMacro && a.components == b.components && a.componentIsCyclic == b.componentIsCyclic
    }
}
