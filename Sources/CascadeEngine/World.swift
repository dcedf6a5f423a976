import CascadeStore

/// Everything a run may read: the graph, the coefficient rows, the formula registry and the
/// macro history. Loaded from a store (`Store.engineWorld()`) or built in memory.
public struct EngineWorld: Sendable {
    /// The graph: records as built in memory, or columns as loaded from a store.
    var columns: WorldColumns?
    private var entityList: [EntityRecord]
    private var relationshipList: [RelationshipRecord]

    /// The entities (materialised from the columns of a loaded world, which has no descriptions).
    public var entities: [EntityRecord] {
        get { columns?.entityRecords ?? entityList }
        _modify {
            materialize()
            yield &entityList
        }
        set {
            materialize()
            entityList = newValue
        }
    }

    public var relationships: [RelationshipRecord] {
        get { columns?.relationshipRecords ?? relationshipList }
        _modify {
            materialize()
            yield &relationshipList
        }
        set {
            materialize()
            relationshipList = newValue
        }
    }

    /// Entity and relationship counts, without materialising records.
    public var entityCount: Int { columns?.entityIDs.count ?? entityList.count }
    public var relationshipCount: Int { columns?.relationshipIDs.count ?? relationshipList.count }

    /// All coefficient rows, active or not; resolution picks per (sector, type) and date.
    public var coefficients: [SectorCoefficient]
    /// All registry formula versions.
    public var formulas: [RegistryFormula]
    public var macroData: [MacroPoint]

    public init(entities: [EntityRecord], relationships: [RelationshipRecord], coefficients: [SectorCoefficient] = [],
                formulas: [RegistryFormula] = [], macroData: [MacroPoint] = []) {
        self.entityList = entities
        self.relationshipList = relationships
        self.coefficients = coefficients
        self.formulas = formulas
        self.macroData = macroData
    }

    init(columns: WorldColumns, coefficients: [SectorCoefficient], formulas: [RegistryFormula], macroData: [MacroPoint]) {
        self.columns = columns
        self.entityList = []
        self.relationshipList = []
        self.coefficients = coefficients
        self.formulas = formulas
        self.macroData = macroData
    }

    private mutating func materialize() {
        guard let columns else { return }
        entityList = columns.entityRecords
        relationshipList = columns.relationshipRecords
        self.columns = nil
    }

    /// The graph as columns sorted by id (adopted as they are when loaded from a store).
    var sortedColumns: WorldColumns {
        var sorted = columns ?? WorldColumns(entities: entityList, relationships: relationshipList)
        if !sorted.isSorted { sorted.sortByID() }
        return sorted
    }
}

/// A formula version as the engine reads it from the registry.
public struct RegistryFormula: Sendable, Equatable {
    public var name: String
    public var version: Int
    public var text: String
    /// Parameter name → declared type name (`"number"`, …).
    public var parameters: [String: String]
    public var effectiveDate: String
    public var isActive: Bool
    /// The registry's content hash of text and parameters.
    public var contentHash: String

    public init(name: String, version: Int, text: String, parameters: [String: String], effectiveDate: String,
                isActive: Bool = true, contentHash: String = "") {
        self.name = name
        self.version = version
        self.text = text
        self.parameters = parameters
        self.effectiveDate = effectiveDate
        self.isActive = isActive
        self.contentHash = contentHash
    }

    public var reference: String { "\(name)@\(version)" }
}

/// One `macro_data` point.
public struct MacroPoint: Sendable, Equatable {
    public var date: String
    public var variable: String
    public var value: Double
    public var unit: String?

    public init(date: String, variable: String, value: Double, unit: String? = nil) {
        self.date = date
        self.variable = variable
        self.value = value
        self.unit = unit
    }
}

/// Problems that stop a run: before it starts (unresolvable names, missing coefficients, bad
/// metadata), or while it propagates (a value that is not a finite number).
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable {
        /// Where: `relationship rel-0042`, `entity macro-oil`, `$.macro_variables.x`, …
        public var location: String
        public var message: String
        /// A rendered formula diagnostic, when the problem is in a formula.
        public var detail: String?
    }

    /// Why the run stopped.
    public enum Kind: Sendable, Equatable {
        /// Found before the run: unresolvable names, missing coefficients, bad metadata.
        case binding
        /// Propagation itself failed: a contribution, impact or iterate was not a finite number.
        case nonFinite
        /// The run would need more memory than its budget; it stopped before allocating it.
        case overBudget
    }

    public var problems: [Problem]
    public var kind: Kind

    init(problems: [Problem], kind: Kind = .binding) {
        self.problems = problems
        self.kind = kind
    }

    public var description: String {
        problems.map { "\($0.location): \($0.message)" + ($0.detail.map { "\n" + $0 } ?? "") }.joined(separator: "\n")
    }
}
