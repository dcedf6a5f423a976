import CascadeFormula

extension Store {
    /// The `macro_data` points of `variables` (every variable when nil) dated `from`…`to`
    /// (inclusive, YYYY-MM-DD; open when nil), ordered by variable name and date, a page of at
    /// most `limit` (all when nil) after skipping `offset`.
    package func macroData(variables: [String]? = nil, from: String? = nil, to: String? = nil,
                          limit: Int? = nil, offset: Int = 0) throws -> [MacroDatum] {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let variables {
            conditions.append("variable_name IN (\(variables.map { _ in "?" }.joined(separator: ", ")))")
            values += variables.map { .text($0) }
        }
        if let from {
            conditions.append("date >= ?")
            values.append(.text(from))
        }
        if let to {
            conditions.append("date <= ?")
            values.append(.text(to))
        }
        var sql = "SELECT date, variable_name, value, unit, data_source FROM macro_data"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY variable_name, date"
        if let limit {
            sql += " LIMIT ? OFFSET ?"
            values += [.integer(Int64(limit)), .integer(Int64(offset))]
        }
        return try read { db in
            try db.query(sql, values).map {
                MacroDatum(date: $0.date("date") ?? "", variableName: $0.string("variable_name") ?? "", value: $0.double("value"),
                           unit: $0.string("unit"), dataSource: $0.string("data_source"))
            }
        }
    }

    /// The names in `variables` that have no `macro_data` point at all, each with the nearest
    /// stored name when one is close.
    package func unknownMacroVariables(_ variables: [String]) throws -> [(name: String, suggestion: String?)] {
        try read { db in
            let known = Set(try db.query("SELECT DISTINCT variable_name FROM macro_data").compactMap { $0.string("variable_name") })
            return variables.filter { !known.contains($0) }.map { ($0, Suggestion.closest(to: $0, among: known)) }
        }
    }
}
