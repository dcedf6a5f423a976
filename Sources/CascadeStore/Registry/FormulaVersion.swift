import CascadeJSON

/// A stored, immutable formula version (one `formulas` row).
package struct FormulaVersion: Sendable, Equatable {
    package var id: String
    package var document: FormulaDocument
    package var version: Int
    package var isActive: Bool
    package var contentHash: String
    package var createdAt: String
    /// The fingerprint of the history the stored r², MAE and RMSE were measured on (nil: never backtested).
    package var backtestFingerprint: String?
    package var backtestedAt: String?

    package var name: String { document.name }
    /// `name@version`.
    package var reference: String { "\(document.name)@\(version)" }
    /// Stored without test cases (registered with `--allow-untested`, or before they were required).
    package var isUntested: Bool { document.testCases.isEmpty }

    static let columns = """
        id, name, version, formula_type, formula_text, parameters, effective_date, r_squared, mae, rmse,
        description, test_cases, is_active, created_by, content_hash, created_at, backtest_spec,
        backtest_fingerprint, backtested_at
        """

    init(row: Row) throws {
        func json(_ column: String) throws -> JSONValue {
            guard let text = row.string(column) else { return .null }
            do { return try JSONValue.parse(text) } catch {
                throw StoreError(.database, "stored `\(column)` of formula \(row.string("name") ?? "?")@\(row.int("version") ?? 0) is not valid JSON: \(error)")
            }
        }
        let parameters = try json("parameters").objectValue ?? JSONObject()
        let testCasesJSON = try json("test_cases")
        var problems: [Problem] = []
        var cases: [FormulaTestCase] = []
        for (index, raw) in (testCasesJSON.arrayValue ?? []).enumerated() {
            if let c = FormulaTestCase.decode(raw, at: JSONPath.root.appending("test_cases").appending(index), file: nil, problems: &problems) {
                cases.append(c)
            }
        }
        // PostgreSQL's jsonb reorders keys; present parameters in sorted order on both backends.
        let sortedParameters = parameters.sortedCanonically()
        document = FormulaDocument(
            name: row.string("name") ?? "", formulaType: row.string("formula_type"),
            formulaText: row.string("formula_text") ?? "", parameters: sortedParameters,
            effectiveDate: row.date("effective_date") ?? "", rSquared: row.double("r_squared"),
            mae: row.double("mae"), rmse: row.double("rmse"), description: row.string("description"),
            createdBy: row.string("created_by"), testCases: cases, testCasesJSON: testCasesJSON)
        id = row.string("id") ?? ""
        version = row.int("version") ?? 0
        isActive = row.bool("is_active") ?? false
        contentHash = row.string("content_hash") ?? ""
        createdAt = row.timestamp("created_at") ?? ""
        backtestFingerprint = row.string("backtest_fingerprint")
        backtestedAt = row.timestamp("backtested_at")
        if let spec = try json("backtest_spec").objectValue {
            var ignored: [Problem] = []
            document.backtest = BacktestSpec.decode(.object(spec), at: JSONPath.root.appending("backtest"), embedded: true, problems: &ignored)
        }
    }

    /// The version as JSON: the document's fields plus `version`, `is_active`, `content_hash`.
    package var json: JSONValue {
        guard case .object(var o) = document.json else { return .null }
        var out = JSONObject()
        out["name"] = o["name"]
        out["version"] = .number(Double(version))
        out["is_active"] = .bool(isActive)
        out["is_untested"] = .bool(isUntested)
        o["name"] = nil
        for (key, value) in o { out[key] = value }
        out["content_hash"] = .string(contentHash)
        out["created_at"] = .string(createdAt)
        out["backtest_fingerprint"] = backtestFingerprint.map(JSONValue.string) ?? .null
        out["backtested_at"] = backtestedAt.map(JSONValue.string) ?? .null
        return .object(out)
    }
}

/// What registering a document did.
package struct Registration: Sendable, Equatable {
    package var name: String
    package var version: Int
    /// False when byte-identical text and parameters were already stored under this version.
    package var isNew: Bool
    package var contentHash: String
    /// Non-fatal findings of the checker (e.g. inputs for which the formula returns no value).
    package var warnings: [Problem] = []
    package var reference: String { "\(name)@\(version)" }
}

/// A formula name with a summary of its versions.
package struct FormulaSummary: Sendable, Equatable {
    package var name: String
    package var latestVersion: Int
    package var versionCount: Int
    /// The version active today, if any.
    package var activeVersion: Int?
    package var formulaType: String?
}
