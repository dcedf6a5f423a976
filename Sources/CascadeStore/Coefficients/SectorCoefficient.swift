import CascadeFormula
import CascadeJSON

/// One `sector_coefficients` row: a calibrated value for (sector, coefficient type) from a date.
/// Rows are appended, never edited; only `is_active` changes.
package struct SectorCoefficient: Sendable, Equatable {
    package var id: String
    package var sector: String
    package var coefficientType: String
    package var value: Double
    package var effectiveDate: String
    package var calibratedFrom: String?
    package var calibratedTo: String?
    package var rSquared: Double?
    package var dataSource: String?
    package var notes: String?
    package var isActive: Bool

    static let keys: Set<String> = [
        "id", "sector", "coefficient_type", "value", "effective_date", "calibrated_from", "calibrated_to",
        "r_squared", "data_source", "notes", "is_active",
    ]
    static let columns = "id, sector, coefficient_type, value, effective_date, calibrated_from, calibrated_to, r_squared, data_source, notes, is_active"

    package init(
        sector: String, coefficientType: String, value: Double, effectiveDate: String,
        calibratedFrom: String? = nil, calibratedTo: String? = nil, rSquared: Double? = nil,
        dataSource: String? = nil, notes: String? = nil, isActive: Bool = true
    ) {
        self.sector = sector
        self.coefficientType = coefficientType
        self.value = value
        self.effectiveDate = effectiveDate
        self.calibratedFrom = calibratedFrom
        self.calibratedTo = calibratedTo
        self.rSquared = rSquared
        self.dataSource = dataSource
        self.notes = notes
        self.isActive = isActive
        self.id = ""
        self.id = contentID
    }

    /// Rows are identified by their content, so importing the same file twice adds nothing.
    var contentID: String {
        let parts: [String] = [
            sector, coefficientType, JSNumber.format(value), effectiveDate, calibratedFrom ?? "", calibratedTo ?? "",
            rSquared.map(JSNumber.format) ?? "", dataSource ?? "", notes ?? "",
        ]
        return ContentHash.stableID("sector_coefficient", parts.joined(separator: "\u{1}"))
    }

    init(row: Row) {
        id = row.string("id") ?? ""
        sector = row.string("sector") ?? ""
        coefficientType = row.string("coefficient_type") ?? ""
        value = row.double("value") ?? .nan
        effectiveDate = row.date("effective_date") ?? ""
        calibratedFrom = row.date("calibrated_from")
        calibratedTo = row.date("calibrated_to")
        rSquared = row.double("r_squared")
        dataSource = row.string("data_source")
        notes = row.string("notes")
        isActive = row.bool("is_active") ?? false
    }

    var arguments: [SQLValue] {
        [.text(id), .text(sector), .text(coefficientType), .real(value), .text(effectiveDate), .text(calibratedFrom),
         .text(calibratedTo), .real(rSquared), .text(dataSource), .text(notes), .bool(isActive)]
    }

    /// Reads a world file's coefficient row, collecting problems.
    package static func decode(_ value: JSONValue, at path: JSONPath, file: String? = nil, problems: inout [Problem]) -> SectorCoefficient? {
        guard let reader = JSONReader(value, at: path, file: file, what: "a sector coefficient", problems: &problems) else { return nil }
        let before = problems.count
        reader.rejectUnknownKeys(keys, problems: &problems)
        let sector = reader.string("sector", required: true, maxLength: 50, problems: &problems)
        let type = reader.string("coefficient_type", required: true, maxLength: 50, problems: &problems)
        let number = reader.number("value", required: true, problems: &problems)
        let effective = reader.date("effective_date", required: true, problems: &problems)
        let from = reader.date("calibrated_from", problems: &problems)
        let to = reader.date("calibrated_to", problems: &problems)
        let r2 = reader.number("r_squared", problems: &problems)
        if let r2, !(0...1).contains(r2) {
            problems.append(reader.problem("r_squared", "coefficient.r-squared", "`r_squared` is \(JSNumber.format(r2)); it must lie in 0…1"))
        }
        if let from, let to, from > to {
            problems.append(reader.problem("calibrated_to", "coefficient.period", "`calibrated_to` (\(to)) is before `calibrated_from` (\(from))"))
        }
        let source = reader.string("data_source", maxLength: 100, problems: &problems)
        let notes = reader.string("notes", problems: &problems)
        let active = reader.bool("is_active", problems: &problems) ?? true
        guard problems.count == before, let sector, let type, let number, let effective else { return nil }
        return SectorCoefficient(sector: sector, coefficientType: type, value: number, effectiveDate: effective,
                                 calibratedFrom: from, calibratedTo: to, rSquared: r2, dataSource: source, notes: notes,
                                 isActive: active)
    }

    package var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["sector"] = .string(sector)
        o["coefficient_type"] = .string(coefficientType)
        o["value"] = .number(value)
        o["effective_date"] = .string(effectiveDate)
        o["calibrated_from"] = calibratedFrom.map(JSONValue.string) ?? .null
        o["calibrated_to"] = calibratedTo.map(JSONValue.string) ?? .null
        o["r_squared"] = rSquared.map(JSONValue.number) ?? .null
        o["data_source"] = dataSource.map(JSONValue.string) ?? .null
        o["notes"] = notes.map(JSONValue.string) ?? .null
        o["is_active"] = .bool(isActive)
        return .object(o)
    }
}
