import CascadeJSON

/// An entity as a world file gives it (the file's own `id`) and as the store returns it.
package struct EntityRecord: Sendable, Equatable {
    package var id: String
    package var type: String
    package var name: String
    package var description: String?
    package var category: String?
    package var ontologyLevel: Int?
    /// The metadata object serialised as JSON text, or nil.
    package var metadata: String?

    package init(id: String, type: String, name: String, description: String? = nil, category: String? = nil,
                ontologyLevel: Int? = nil, metadata: String? = nil) {
        self.id = id
        self.type = type
        self.name = name
        self.description = description
        self.category = category
        self.ontologyLevel = ontologyLevel
        self.metadata = metadata
    }

    /// The store's key for this entity: a UUID derived from the file's id.
    package var storeID: String { ContentHash.stableID("entity", id) }
}

/// A relationship (edge) with the file ids of its ends.
package struct RelationshipRecord: Sendable, Equatable {
    package var id: String
    package var sourceID: String
    package var targetID: String
    package var type: String
    package var weight: Double?
    package var impactFormula: String?
    package var metadata: String?

    package init(id: String, sourceID: String, targetID: String, type: String, weight: Double? = nil,
                impactFormula: String? = nil, metadata: String? = nil) {
        self.id = id
        self.sourceID = sourceID
        self.targetID = targetID
        self.type = type
        self.weight = weight
        self.impactFormula = impactFormula
        self.metadata = metadata
    }

    package var storeID: String { ContentHash.stableID("relationship", id) }
}

/// One `macro_data` point.
package struct MacroDatum: Sendable, Equatable {
    package var date: String
    package var variableName: String
    package var value: Double?
    package var unit: String?
    package var dataSource: String?
}

/// One `financial_data` row; `date` is a real date (quarters are converted to their last day).
package struct FinancialDatum: Sendable, Equatable {
    package var entityID: String
    package var date: String
    /// Column name → value for the seed's numeric columns present in the file.
    package var values: [String: Double]
    package var dataSource: String?

    static let numericColumns = [
        "revenue", "net_income", "ebitda", "operating_income", "total_assets", "total_debt", "equity",
        "operating_cash_flow", "free_cash_flow", "capex", "market_cap", "share_price",
    ]
}

/// A whole world file, validated.
package struct World: Sendable {
    package var entities: [EntityRecord] = []
    package var relationships: [RelationshipRecord] = []
    package var coefficients: [SectorCoefficient] = []
    package var macroData: [MacroDatum] = []
    package var financialData: [FinancialDatum] = []
    package var formulas: [FormulaDocument] = []
    /// Every `metadata.formula` reference, with the index of the relationship that holds it.
    var formulaReferences: [(relationship: Int, reference: FormulaReference)] = []
    /// Every entity id a row refers to, with its place — also from rows with other problems, so
    /// all of a row's problems are reported at once.
    var entityReferences: [EntityReference] = []
    /// Every entity id the file defines, including rows with other problems (so one bad entity
    /// does not also make every edge that uses it a problem).
    var entityIDsInFile = IDTable(namespace: "entity")
    /// Entity ids referenced by the file but defined only in the store, each once (set during
    /// validation).
    var externalEntityIDs: [String] = []
    /// Names of every formula document in the file, including ones that failed their checks.
    var formulaNamesInFile: Set<String> = []

    package init() {}

    package var rowCount: Int {
        entities.count + relationships.count + coefficients.count + macroData.count + financialData.count + formulas.count
    }
}

extension EntityRecord {
    /// The entity as a world file writes it (`id` is the file's id).
    package var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("type", .string(type)), ("name", .string(name)),
            ("description", description.map(JSONValue.string) ?? .null), ("category", category.map(JSONValue.string) ?? .null),
            ("ontology_level", ontologyLevel.map { .number(Double($0)) } ?? .null),
            ("metadata", metadata.flatMap { try? JSONValue.parse($0) } ?? .null),
        ]))
    }
}

extension MacroDatum {
    /// The point as a world file writes it (so what `GET /v1/macro-data` answers can be imported again).
    package var json: JSONValue {
        .object(JSONObject([
            ("date", .string(date)), ("variable_name", .string(variableName)), ("value", value.map(JSONValue.number) ?? .null),
            ("unit", unit.map(JSONValue.string) ?? .null), ("data_source", dataSource.map(JSONValue.string) ?? .null),
        ]))
    }
}

/// An entity id a row of a world file refers to; the row's JSON path is made only when needed.
struct EntityReference: Sendable {
    enum Field: UInt8, Sendable {
        case source, target, financial
    }

    var index: Int32
    var field: Field
    var id: String

    init(index: Int, field: Field, id: String) {
        self.index = Int32(truncatingIfNeeded: index)
        self.field = field
        self.id = id
    }

    var path: JSONPath {
        switch field {
        case .source: JSONPath.root.appending("relationships").appending(Int(index)).appending("source_entity_id")
        case .target: JSONPath.root.appending("relationships").appending(Int(index)).appending("target_entity_id")
        case .financial: JSONPath.root.appending("financial_data").appending(Int(index)).appending("entity_id")
        }
    }
}
