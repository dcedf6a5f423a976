import CascadeStore

/// Everything a run may read: the graph, the coefficient rows, the formula registry and the
/// macro history. Loaded from a store (`Store.engineWorld()`) or built in memory.
package struct EngineWorld: Sendable {
    /// The graph: records as built in memory, or columns as loaded from a store.
    var columns: WorldColumns?
    private var entityList: [EntityRecord]
    private var relationshipList: [RelationshipRecord]

    /// The entities (materialised from the columns of a loaded world, which has no descriptions).
    package var entities: [EntityRecord] {
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

    package var relationships: [RelationshipRecord] {
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
    package var entityCount: Int { columns?.entityIDs.count ?? entityList.count }
    package var relationshipCount: Int { columns?.relationshipIDs.count ?? relationshipList.count }

    /// All coefficient rows, active or not; resolution picks per (sector, type) and date.
    package var coefficients: [SectorCoefficient]
    /// All registry formula versions.
    package var formulas: [RegistryFormula]
    package var macroData: [MacroPoint]
    /// The digest of the entities and relationships (`PreparedRun.worldDigest`), when the world
    /// was read from a snapshot that kept it; cleared by any change to them.
    var worldDigest: String?
    /// Where `worldDigest` came from: `"snapshot"` or `"store"` (recorded at the world version
    /// the world was read at, see `Store.recordedWorldDigest(at:)`); the run's `stats.world_digest`.
    var worldDigestSource: String?
    /// What the entities' metadata says (`EntityFacts`), when the world was read from a snapshot
    /// that kept it; cleared by any change to the entities.
    var entityFacts: EntityFacts?
    /// The edges as a run lays them out (`PreparedGraph`), when the world was read from a
    /// snapshot that kept them; cleared by any change to the entities or relationships.
    var preparedGraph: PreparedGraph?

    package init(entities: [EntityRecord], relationships: [RelationshipRecord], coefficients: [SectorCoefficient] = [],
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
        worldDigest = nil
        worldDigestSource = nil
        entityFacts = nil
        preparedGraph = nil
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
package struct RegistryFormula: Sendable, Equatable {
    package var name: String
    package var version: Int
    package var text: String
    /// Parameter name → declared type name (`"number"`, …).
    package var parameters: [String: String]
    package var effectiveDate: String
    package var isActive: Bool
    /// The registry's content hash of text and parameters.
    package var contentHash: String

    package init(name: String, version: Int, text: String, parameters: [String: String], effectiveDate: String,
                isActive: Bool = true, contentHash: String = "") {
        self.name = name
        self.version = version
        self.text = text
        self.parameters = parameters
        self.effectiveDate = effectiveDate
        self.isActive = isActive
        self.contentHash = contentHash
    }

    package var reference: String { "\(name)@\(version)" }
}

/// One `macro_data` point.
package struct MacroPoint: Sendable, Equatable {
    package var date: String
    package var variable: String
    package var value: Double
    package var unit: String?

    package init(date: String, variable: String, value: Double, unit: String? = nil) {
        self.date = date
        self.variable = variable
        self.value = value
        self.unit = unit
    }
}

/// Problems that stop a run: before it starts (unresolvable names, missing coefficients, bad
/// metadata), or while it propagates (a value that is not a finite number).
package struct EngineError: Error, Sendable, CustomStringConvertible {
    package struct Problem: Sendable, Equatable {
        /// Where: `relationship rel-0042`, `entity macro-oil`, `$.macro_variables.x`, …
        package var location: String
        package var message: String
        /// A rendered formula diagnostic, when the problem is in a formula.
        package var detail: String?
    }

    /// Why the run stopped.
    package enum Kind: Sendable, Equatable {
        /// Found before the run: unresolvable names, missing coefficients, bad metadata.
        case binding
        /// Propagation itself failed: a contribution, impact or iterate was not a finite number.
        case nonFinite
        /// The run would need more memory than its budget; it stopped before allocating it.
        case overBudget
    }

    package var problems: [Problem]
    package var kind: Kind

    init(problems: [Problem], kind: Kind = .binding) {
        self.problems = problems
        self.kind = kind
    }

    package var description: String {
        problems.map { "\($0.location): \($0.message)" + ($0.detail.map { "\n" + $0 } ?? "") }.joined(separator: "\n")
    }
}
