import CascadeJSON
import CascadeStore

/// A scenario's stored result as an incremental re-run reads it (see `RecomputePlan`): its
/// fingerprint, the coefficient rows and formula versions it read (the summary's `inputs`), and
/// its per-entity columns when it was stored as columns.
struct PreviousResult {
    let fingerprint: String
    /// The coefficient rows it read, by id, as `inputs.coefficients` lists them (a row is read
    /// only while it is active).
    let coefficientRows: [String: SectorCoefficient]
    /// The formula versions it used, by reference (`name@version`); nil when one of them is no
    /// longer in the registry.
    let formulas: [String: RegistryFormula]?
    /// Its columns; nil for a result stored whole (small results) or stored before columns existed.
    let table: ResultTable?

    /// Reads a stored summary; nil when it lacks a fingerprint or its `inputs` are not as this
    /// engine writes them (a damaged or foreign document: the re-run is full).
    init?(summary: JSONValue, table: ResultTable?, registry: [RegistryFormula]) {
        guard let fingerprint = summary["fingerprint"]?.stringValue, let inputs = summary["inputs"],
              let references = inputs["formulas"]?.arrayValue, let coefficients = inputs["coefficients"]?.arrayValue
        else { return nil }
        var rows: [String: SectorCoefficient] = [:]
        for item in coefficients {
            guard let id = item["id"]?.stringValue, let sector = item["sector"]?.stringValue,
                  let type = item["coefficient_type"]?.stringValue, let value = item["value"]?.numberValue,
                  let date = item["effective_date"]?.stringValue else { return nil }
            var row = SectorCoefficient(sector: sector, coefficientType: type, value: value, effectiveDate: date, isActive: true)
            row.id = id
            rows[id] = row
        }
        var byReference: [String: RegistryFormula] = [:]
        for formula in registry { byReference[formula.reference] = formula }
        var formulas: [String: RegistryFormula]? = [:]
        for item in references {
            guard let reference = item.stringValue else { return nil }
            formulas?[reference] = byReference[reference]
            if byReference[reference] == nil { formulas = nil }
        }
        self.fingerprint = fingerprint
        self.coefficientRows = rows
        self.formulas = formulas
        self.table = table
    }
}
