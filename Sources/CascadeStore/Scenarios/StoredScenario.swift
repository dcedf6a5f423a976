import CascadeJSON

/// A scenario row: the seed's columns, the whole validated document, and its cached result.
public struct StoredScenario: Sendable {
    public var id: String
    public var name: String
    public var author: String
    public var asOf: String?
    public var isPublic: Bool
    public var createdAt: String
    /// The scenario document as submitted (validated, canonical).
    public var document: JSONValue
    public var resultFingerprint: String?
    public var resultDataVersion: String?
    public var resultsUpdatedAt: String?
}

/// A stored run result: the summary document, plus — when they were stored apart and asked for —
/// the per-entity results, as the binary document of a large result (`columns`) or, for results
/// stored before it existed, as JSON rows (by entity id).
public struct StoredResult: Sendable {
    public var summary: JSONValue
    public var entityTexts: [String]
    public var columns: [UInt8]?

    public init(summary: JSONValue, entityTexts: [String], columns: [UInt8]? = nil) {
        self.summary = summary
        self.entityTexts = entityTexts
        self.columns = columns
    }
}
