import CascadeJSON

/// A scenario row: the seed's columns, the whole validated document, and its cached result.
package struct StoredScenario: Sendable {
    package var id: String
    package var name: String
    package var author: String
    package var asOf: String?
    package var isPublic: Bool
    package var createdAt: String
    /// The scenario document as submitted (validated, canonical).
    package var document: JSONValue
    package var resultFingerprint: String?
    package var resultDataVersion: String?
    package var resultsUpdatedAt: String?
}

/// A stored run result: the summary document, plus — when they were stored apart and asked for —
/// the per-entity results, as the binary document of a large result (`columns`, with the world
/// part it refers to in `worldColumns`, version 3) or, for results stored before it existed, as
/// JSON rows (by entity id).
package struct StoredResult: Sendable {
    package var summary: JSONValue
    package var entityTexts: [String]
    package var columns: [UInt8]?
    /// The world part the result refers to (`result_world_parts`), nil when it refers to none.
    package var worldColumns: [UInt8]?

    package init(summary: JSONValue, entityTexts: [String], columns: [UInt8]? = nil, worldColumns: [UInt8]? = nil) {
        self.summary = summary
        self.entityTexts = entityTexts
        self.columns = columns
        self.worldColumns = worldColumns
    }
}
