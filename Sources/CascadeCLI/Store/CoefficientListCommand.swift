import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade coefficient list [--sector S] [--type T] [--as-of D]`.
struct CoefficientListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List coefficient rows, or with --as-of the value in force for each (sector, type).")

    @OptionGroup var store: StoreOptions

    @Option(help: "Only this sector.") var sector: String?
    @Option(name: .customLong("type"), help: "Only this coefficient type.") var coefficientType: String?
    @Option(name: .customLong("as-of"), help: "Show only the row in force on this date for each (sector, type).") var asOf: String?

    func run() throws {
        try StoreOutput.run(json: store.json) {
            if let asOf, !CalendarDate.isValid(asOf) {
                throw StoreError(.invalidInput, "`\(asOf)` is not a calendar date", location: "--as-of", hint: "write YYYY-MM-DD")
            }
            let opened = try store.openStore()
            var rows = try opened.coefficients(sector: sector, type: coefficientType)
            if let asOf {
                var seen = Set<String>()
                var resolved: [SectorCoefficient] = []
                for row in rows where !seen.contains(row.sector + "\u{0}" + row.coefficientType) {
                    seen.insert(row.sector + "\u{0}" + row.coefficientType)
                    if let active = try opened.activeCoefficient(sector: row.sector, type: row.coefficientType, asOf: asOf) {
                        resolved.append(active)
                    }
                }
                rows = resolved
            }
            if store.json {
                StoreOutput.printJSON(.array(rows.map(\.json)))
            } else if rows.isEmpty {
                StoreOutput.print("no coefficients")
            } else {
                StoreOutput.print(StoreOutput.table(
                    ["id", "sector", "type", "value", "effective", "active", "r²", "source"],
                    rows.map { [String($0.id.prefix(13)), $0.sector, $0.coefficientType, StoreOutput.number($0.value), $0.effectiveDate,
                                $0.isActive ? "yes" : "no", StoreOutput.number($0.rSquared), $0.dataSource ?? "-"] }))
            }
        }
    }
}
