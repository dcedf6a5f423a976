/// One entity's value of a `financial_data` metric at the two ends of a window.
package struct FinancialChange: Sendable, Equatable {
    /// The entity's world-file id.
    package var entity: String
    /// The latest value on or before the window's first day, and its date.
    package var fromDate: String
    package var fromValue: Double
    /// The latest value on or before the window's last day, and its date.
    package var toDate: String
    package var toValue: Double

    /// (to − from) / from.
    package var relativeChange: Double { (toValue - fromValue) / fromValue }
}

extension Store {
    /// The numeric `financial_data` columns a backtest or replay may read.
    package static var financialMetrics: [String] { FinancialDatum.numericColumns }

    /// Every entity's `metric` at `from` and at `to` (the latest row on or before each date).
    /// Entities with rows of the metric but no usable pair — no row on or before `from`, or a
    /// zero there (no relative change) — are returned in `missing`, in id order.
    package func financialChanges(metric: String, from: String, to: String) throws -> (changes: [FinancialChange], missing: [String]) {
        guard FinancialDatum.numericColumns.contains(metric) else {
            throw StoreError(.invalidInput, "`\(metric)` is not a financial_data metric",
                             hint: "one of " + FinancialDatum.numericColumns.joined(separator: ", "))
        }
        // `metric` is one of FinancialDatum.numericColumns (checked above).
        let rows = try read { db in
            try db.query("""
                SELECT e.external_id AS entity, f.date AS date, f.\(metric) AS value
                FROM financial_data f JOIN entities e ON e.id = f.entity_id
                WHERE f.\(metric) IS NOT NULL ORDER BY e.external_id, f.date
                """).map { ($0.string("entity") ?? "", $0.date("date") ?? "", $0.double("value") ?? .nan) }
        }
        var changes: [FinancialChange] = []
        var missing: [String] = []
        var index = 0
        while index < rows.count {
            let entity = rows[index].0
            var atFrom: (String, Double)?, atTo: (String, Double)?
            while index < rows.count, rows[index].0 == entity {
                let (_, date, value) = rows[index]
                if date <= from { atFrom = (date, value) }
                if date <= to { atTo = (date, value) }
                index += 1
            }
            if let atFrom, let atTo, atFrom.1 != 0, atFrom.1.isFinite, atTo.1.isFinite {
                changes.append(FinancialChange(entity: entity, fromDate: atFrom.0, fromValue: atFrom.1, toDate: atTo.0, toValue: atTo.1))
            } else {
                missing.append(entity)
            }
        }
        return (changes, missing)
    }
}
