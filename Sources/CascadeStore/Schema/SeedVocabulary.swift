/// The closed vocabularies of the seed schema, checked on import and by table constraints.
package enum SeedVocabulary {
    /// `entities.type` (the seed's `entities_type_check`).
    package static let entityTypes: [String] = [
        "COMPANY", "PRODUCT", "COMPONENT", "SECTOR", "MACRO",
        "TECHNOLOGY", "SHAREHOLDER", "CUSTOMER", "EQUIPMENT", "FACILITY",
    ]
    /// `relationships.type`: the seed's list plus `REQUIRES`, which the seed's own example uses.
    package static let relationshipTypes: [String] = [
        "SUPPLIES", "COMPETES", "FINANCES", "CONTAINS", "IMPACTS",
        "MANUFACTURES", "DESIGNS", "OWNS", "INVESTS_IN", "REQUIRES",
    ]
    /// `ontology_level` bounds.
    package static let levels: ClosedRange<Int> = 0...9

    static func sqlList(_ values: [String]) -> String {
        values.map { "'\($0)'" }.joined(separator: ", ")
    }
}
