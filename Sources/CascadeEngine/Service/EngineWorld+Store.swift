import CascadeJSON
import CascadeStore

extension EngineWorld {
    /// Everything a run may read, from one store.
    /// - Complexity: O(rows) reads.
    public static func load(from store: Store) throws -> EngineWorld {
        let snapshot = try store.loadWorld()
        let formulas = try store.allFormulaVersions().map { version in
            RegistryFormula(
                name: version.name, version: version.version, text: version.document.formulaText,
                parameters: Dictionary(uniqueKeysWithValues: version.document.parameters.map { ($0.key, $0.value.stringValue ?? "") }),
                effectiveDate: version.document.effectiveDate, isActive: version.isActive, contentHash: version.contentHash)
        }
        let macroData = try store.macroData().compactMap { point in
            point.value.map { MacroPoint(date: point.date, variable: point.variable, value: $0, unit: point.unit) }
        }
        return EngineWorld(entities: snapshot.entities, relationships: snapshot.relationships,
                           coefficients: try store.coefficients(includeInactive: true), formulas: formulas, macroData: macroData)
    }
}
