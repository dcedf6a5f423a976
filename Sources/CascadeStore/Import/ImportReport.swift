import CascadeJSON
import Foundation

/// What an import wrote.
package struct ImportReport: Sendable {
    package var file: String?
    /// Rows in the file per table.
    package var rowsRead: [String: Int] = [:]
    /// Rows inserted or changed per table (an unchanged re-import writes 0).
    package var rowsWritten: [String: Int] = [:]
    package var formulas: [Registration] = []
    package var parseSeconds: Double = 0
    package var validateSeconds: Double = 0
    package var writeSeconds: Double = 0

    /// A report of `world`'s rows read from `file`; `times` are when reading, parsing and
    /// validation started, ended and ended (the write is timed by the caller).
    init(_ world: World, file: String?, times: (Date, Date, Date)) {
        self.file = file
        parseSeconds = times.1.timeIntervalSince(times.0)
        validateSeconds = times.2.timeIntervalSince(times.1)
        rowsRead = [
            "entities": world.entities.count, "relationships": world.relationships.count,
            "sector_coefficients": world.coefficients.count, "macro_data": world.macroData.count,
            "financial_data": world.financialData.count, "formulas": world.formulas.count,
        ]
    }

    package var totalRead: Int { rowsRead.values.reduce(0, +) }
    package var totalWritten: Int { rowsWritten.values.reduce(0, +) }

    /// The report; `file` only when the world came from one.
    package var json: JSONValue {
        func counts(_ d: [String: Int]) -> JSONValue {
            .object(JSONObject(d.sorted { JSONObject.canonicalOrder($0.key, $1.key) }.map { ($0.key, .number(Double($0.value))) }))
        }
        let source: [(String, JSONValue)] = file.map { [("file", .string($0))] } ?? []
        return .object(JSONObject(source + [
            ("rows_read", counts(rowsRead)),
            ("rows_written", counts(rowsWritten)),
            ("formulas", .array(formulas.map { .object(JSONObject([("name", .string($0.name)), ("version", .number(Double($0.version))), ("new", .bool($0.isNew))])) })),
            ("seconds", .object(JSONObject([("parse", .number(parseSeconds)), ("validate", .number(validateSeconds)), ("write", .number(writeSeconds))]))),
        ]))
    }
}
