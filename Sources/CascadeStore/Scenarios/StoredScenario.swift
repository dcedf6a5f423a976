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

/// A stored run result: the summary document, plus the per-entity rows (JSON text, by entity
/// id) when they were stored apart and asked for.
public struct StoredResult: Sendable {
    public var summary: JSONValue
    public var entityTexts: [String]
}
