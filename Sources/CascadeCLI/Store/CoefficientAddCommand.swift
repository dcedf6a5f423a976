import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade coefficient add --sector S --type T --value X --effective-date D …`.
struct CoefficientAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Append a sector coefficient row (audited).")

    @OptionGroup var store: StoreOptions

    @Option(help: "Sector, e.g. SEMICONDUCTOR.") var sector: String
    @Option(name: .customLong("type"), help: "Coefficient type, e.g. gdp_elasticity.") var coefficientType: String
    @Option(parsing: .unconditional, help: "The value (negative ones too: `--value -0.05`).",
            transform: NumericOption.number()) var value: Double
    @Option(name: .customLong("effective-date"), help: "First day it applies (YYYY-MM-DD).") var effectiveDate: String
    @Option(name: .customLong("calibrated-from"), help: "Start of the calibration period.") var calibratedFrom: String?
    @Option(name: .customLong("calibrated-to"), help: "End of the calibration period.") var calibratedTo: String?
    @Option(name: .customLong("r-squared"), parsing: .unconditional, help: "Regression R² (0…1).",
            transform: NumericOption.number()) var rSquared: Double?
    @Option(name: .customLong("source"), help: "Where the value came from.") var dataSource: String?
    @Option(help: "Free-form notes.") var notes: String?

    func run() throws {
        try StoreOutput.run(json: store.json) {
            var fields: [(String, JSONValue)] = [
                ("sector", .string(sector)), ("coefficient_type", .string(coefficientType)), ("value", .number(value)),
                ("effective_date", .string(effectiveDate)),
            ]
            if let calibratedFrom { fields.append(("calibrated_from", .string(calibratedFrom))) }
            if let calibratedTo { fields.append(("calibrated_to", .string(calibratedTo))) }
            if let rSquared { fields.append(("r_squared", .number(rSquared))) }
            if let dataSource { fields.append(("data_source", .string(dataSource))) }
            if let notes { fields.append(("notes", .string(notes))) }
            var problems: [Problem] = []
            let row = SectorCoefficient.decode(.object(JSONObject(fields)), at: .root, problems: &problems)
            // Name the command-line option rather than a JSON path.
            let options = ["$.sector": "--sector", "$.coefficient_type": "--type", "$.value": "--value",
                           "$.effective_date": "--effective-date", "$.calibrated_from": "--calibrated-from",
                           "$.calibrated_to": "--calibrated-to", "$.r_squared": "--r-squared", "$.data_source": "--source", "$.notes": "--notes"]
            problems = problems.map { p in var p = p; p.path = options[p.path] ?? p.path; return p }
            guard problems.isEmpty, let row else {
                throw StoreError(.invalidInput, "the coefficient is not valid", location: "options",
                                 hint: "fix the options listed", problems: problems)
            }
            let added = try store.openStore().addCoefficient(row)
            if store.json {
                guard case .object(var o) = row.json else { return }
                o["added"] = .bool(added)
                StoreOutput.printJSON(.object(o))
            } else {
                StoreOutput.print(added ? "added \(row.id): \(row.sector) \(row.coefficientType) = \(StoreOutput.number(row.value)) from \(row.effectiveDate)"
                                        : "an identical row \(row.id) already exists; nothing added")
            }
        }
    }
}
