import CascadeJSON
import Foundation

extension Store {
    /// Registers a formula version: checks it (compile against `parameters`, run every test case),
    /// then stores it under the next version number for its name. A byte-identical text and
    /// parameters returns the existing version. Any failure writes nothing.
    ///
    /// Concurrent registrations of one name from many processes get distinct consecutive versions:
    /// SQLite serialises writers (`BEGIN IMMEDIATE`); on PostgreSQL a lost race for a version
    /// number (unique violation) reruns the transaction.
    ///
    /// `isActive: false` stores a candidate that no run picks until it is activated. A version
    /// without test cases is refused unless `allowUntested` (an untested version is one whose
    /// `test_cases` is empty: `FormulaVersion.isUntested`).
    ///
    /// A document that carries a `backtest` spec is measured on the store's history and stored
    /// with the measured r², MAE and RMSE; a claimed number that differs from the measurement by
    /// more than `BacktestClaims.tolerance` is refused unless `trustClaimed` (then the claims are
    /// kept, and the measurement is in the warnings and the audit log).
    package func register(_ document: FormulaDocument, file: String? = nil, isActive: Bool = true,
                         allowUntested: Bool = false, trustClaimed: Bool = false) throws -> Registration {
        let check = try checkForRegistration(document, file: file, allowUntested: allowUntested, trustClaimed: trustClaimed)
        let measured = check.backtest.map { BacktestClaims.apply($0, to: document, trustClaimed: trustClaimed) } ?? document
        var registration = try writeRetrying { db in
            try self.insertChecked(measured, db, isActive: isActive, backtest: check.backtest)
        }
        registration.warnings = check.warnings
        return registration
    }

    /// The checks of `register` without writing anything: the text compiles against its
    /// parameters, every test case passes, and there is at least one (unless `allowUntested`).
    /// Throws every problem found; returns the check with its warnings.
    package func checkForRegistration(_ document: FormulaDocument, file: String? = nil, allowUntested: Bool = false,
                                     trustClaimed: Bool = false) throws -> FormulaCheck {
        var check = FormulaCheck.run(document, textPath: file.map { "\($0): $.formula_text" } ?? "$.formula_text")
        if document.testCases.isEmpty && !allowUntested {
            check.problems.append(Problem(path: JSONReader.place(file, JSONPath.root.appending("test_cases")), code: "formula.untested",
                                          message: "the version has no test cases",
                                          hint: "add at least one case with `inputs` and `expected`, or register it with --allow-untested"))
        }
        if check.isPassing, let spec = document.backtest {
            let result = try backtest(spec, document: document, label: "\(document.name) (as registered)")
            check.backtest = result
            let disagreements = BacktestClaims.disagreements(result, document, file: file)
            if trustClaimed {
                check.warnings += disagreements
            } else {
                check.problems += disagreements
            }
        }
        guard check.isPassing else {
            throw StoreError(.invalidInput, "formula `\(document.name)` was not registered: \(check.problems.count) problem\(check.problems.count == 1 ? "" : "s")",
                             location: file, hint: "fix every problem listed; nothing was written", problems: check.problems)
        }
        return check
    }

    /// The version that already holds this document's text and parameters, if any.
    package func existingVersion(of document: FormulaDocument) throws -> Int? {
        try read { db in
            try db.queryOne("SELECT version FROM formulas WHERE name = ? AND content_hash = ? ORDER BY version DESC LIMIT 1",
                            [.text(document.name), .text(document.contentHash)])?.int("version")
        }
    }

    /// Registers several documents all or nothing: every one is checked first (all problems are
    /// reported together), then all are stored in one transaction.
    package func registerAll(_ documents: [(document: FormulaDocument, file: String?)]) throws -> [Registration] {
        var problems: [Problem] = []
        for (document, file) in documents {
            problems += FormulaCheck.run(document, textPath: file.map { "\($0): $.formula_text" } ?? "$.formula_text").problems
        }
        guard problems.isEmpty else {
            throw StoreError(.invalidInput, "\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(documents.count) formula documents; none was registered",
                             hint: "fix every problem listed; nothing was written", problems: problems)
        }
        return try writeRetrying { db in try documents.map { try self.insertChecked($0.document, db) } }
    }

    /// Stores an already checked document inside the caller's transaction.
    func insertChecked(_ document: FormulaDocument, _ db: any DatabaseConnection, isActive: Bool = true,
                       backtest: BacktestResult? = nil) throws -> Registration {
        let hash = document.contentHash
        if db.dialect == .postgresql {
            // Under READ COMMITTED each statement sees newly committed rows, so a racing
            // registration could miss an identical version in the hash check yet see it in MAX()
            // and store a duplicate under the next number. One registrar per name at a time (until
            // commit) closes that; the unique (name, version) key and the retry stay as the backstop.
            _ = try db.query("SELECT pg_advisory_xact_lock(1129464644, hashtext(?))", [.text(document.name)])
        }
        if let existing = try db.queryOne(
            "SELECT version FROM formulas WHERE name = ? AND content_hash = ? ORDER BY version DESC LIMIT 1",
            [.text(document.name), .text(hash)]), let version = existing.int("version") {
            return Registration(name: document.name, version: version, isNew: false, contentHash: hash)
        }
        let next = (try db.queryOne("SELECT MAX(version) AS v FROM formulas WHERE name = ?", [.text(document.name)])?.int("v") ?? 0) + 1
        let id = UUID().uuidString.lowercased()
        do { try db.execute("""
            INSERT INTO formulas (id, name, version, formula_type, formula_text, parameters, effective_date,
              r_squared, mae, rmse, description, test_cases, is_active, created_by, content_hash, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(id), .text(document.name), .integer(Int64(next)), .text(document.formulaType),
            .text(document.formulaText), .json(document.canonicalParameters), .text(document.effectiveDate),
            .real(document.rSquared), .real(document.mae), .real(document.rmse), .text(document.description),
            .json(document.testCasesJSON.serialized()), .bool(isActive), .text(document.createdBy ?? actor), .text(hash),
            .text(now()))
        } catch {
            // Another registrar took version `next` between MAX() and this insert: a lost race,
            // which the caller's `writeRetrying` reruns with the next number.
            guard error.isUniqueViolation else { throw error }
            throw StoreError(.conflict, "version \(next) of \(document.name) was registered concurrently",
                             sql: error.sql, code: error.code)
        }
        var after = document.json.objectValue ?? JSONObject()
        after["version"] = .number(Double(next))
        after["is_active"] = .bool(isActive)
        after["content_hash"] = .string(hash)
        if let backtest {
            try db.execute("UPDATE formulas SET backtest_spec = ?, backtest_fingerprint = ?, backtested_at = ? WHERE id = ?",
                           .json(backtest.spec.json.serialized()), .text(backtest.fingerprint), .text(now()), .text(id))
            after["backtest"] = backtest.summaryJSON
        }
        try audit(db, action: "register", table: "formulas", row: "\(document.name)@\(next)", before: nil, after: .object(after))
        return Registration(name: document.name, version: next, isNew: true, contentHash: hash)
    }

    /// Every version of `name`, oldest first.
    package func history(named name: String) throws -> [FormulaVersion] {
        try read { db in
            try db.query("SELECT \(FormulaVersion.columns) FROM formulas WHERE name = ? ORDER BY version", [.text(name)])
                .map(FormulaVersion.init(row:))
        }
    }

    /// One version, or the latest when the reference has none; throws `notFound` with a hint.
    package func formula(_ reference: FormulaReference) throws -> FormulaVersion {
        try read { db in try self.formula(reference, db) }
    }

    /// `forUpdate` locks the row until commit on PostgreSQL (SQLite's writers are serialised anyway).
    func formula(_ reference: FormulaReference, _ db: any DatabaseConnection, forUpdate: Bool = false) throws -> FormulaVersion {
        let rows: [Row]
        let lock = forUpdate && db.dialect == .postgresql ? " FOR UPDATE" : ""
        if let version = reference.version {
            rows = try db.query("SELECT \(FormulaVersion.columns) FROM formulas WHERE name = ? AND version = ?\(lock)",
                                [.text(reference.name), .integer(Int64(version))])
        } else {
            rows = try db.query("SELECT \(FormulaVersion.columns) FROM formulas WHERE name = ? ORDER BY version DESC LIMIT 1",
                                [.text(reference.name)])
        }
        guard let row = rows.first else {
            let latest = try db.queryOne("SELECT MAX(version) AS v FROM formulas WHERE name = ?", [.text(reference.name)])?.int("v")
            throw StoreError(.notFound, "no formula `\(reference)` in the registry", location: location.description,
                             hint: latest.map { "`\(reference.name)` has versions 1…\($0)" } ?? "run `cascade formula list` to see registered names")
        }
        return try FormulaVersion(row: row)
    }

    /// The seed's `get_active_formula`: the highest active version whose `effective_date` is on
    /// or before `date` (default: today).
    package func activeFormula(named name: String, asOf date: String? = nil) throws -> FormulaVersion? {
        let day = date ?? Timestamp.day(clock())
        return try read { db in
            try db.queryOne("""
                SELECT \(FormulaVersion.columns) FROM formulas
                WHERE name = ? AND is_active = ? AND effective_date <= ?
                ORDER BY version DESC LIMIT 1
                """, [.text(name), .bool(true), .text(day)]).map(FormulaVersion.init(row:))
        }
    }

    /// Every registered name with its latest and currently active version.
    package func formulaSummaries(asOf date: String? = nil) throws -> [FormulaSummary] {
        let day = date ?? Timestamp.day(clock())
        return try read { db in
            try db.query("""
                SELECT f.name AS name, MAX(f.version) AS latest, COUNT(*) AS n,
                  MAX(CASE WHEN f.is_active = ? AND f.effective_date <= ? THEN f.version END) AS active,
                  (SELECT g.formula_type FROM formulas g WHERE g.name = f.name ORDER BY g.version DESC LIMIT 1) AS formula_type
                FROM formulas f GROUP BY f.name ORDER BY f.name
                """, [.bool(true), .text(day)]).map { row in
                FormulaSummary(name: row.string("name") ?? "", latestVersion: row.int("latest") ?? 0,
                               versionCount: row.int("n") ?? 0, activeVersion: row.int("active"),
                               formulaType: row.string("formula_type"))
            }
        }
    }

    /// Marks a version active or inactive; recorded in the audit log. Returns false when it
    /// already was in that state (nothing written).
    @discardableResult
    package func setActive(_ reference: FormulaReference, _ isActive: Bool) throws -> Bool {
        guard let version = reference.version else {
            throw StoreError(.invalidInput, "`\(reference.name)` names no version", location: reference.name,
                             hint: "write NAME@VERSION, e.g. \(reference.name)@1")
        }
        return try write { db in
            // Locked, so two concurrent toggles cannot both see the old state and both audit a change.
            let current = try self.formula(reference, db, forUpdate: true)
            guard current.isActive != isActive else { return false }
            try db.execute("UPDATE formulas SET is_active = ? WHERE name = ? AND version = ?",
                           .bool(isActive), .text(reference.name), .integer(Int64(version)))
            try audit(db, action: isActive ? "activate" : "deactivate", table: "formulas", row: reference.description,
                      before: .object(JSONObject([("is_active", .bool(!isActive))])),
                      after: .object(JSONObject([("is_active", .bool(isActive))])))
            return true
        }
    }

    /// Re-runs a stored version's test cases with this binary's formula engine.
    package func retest(_ reference: FormulaReference) throws -> (FormulaVersion, FormulaCheck) {
        let version = try formula(reference)
        return (version, FormulaCheck.run(version.document, label: version.reference))
    }
}
