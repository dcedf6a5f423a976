import CascadeJSON
import Foundation

extension Store {
    /// Records a comparison as a running A/B test; audited.
    package func recordABTest(_ comparison: FormulaComparison, name: String) throws -> ABTest {
        guard let control = FormulaReference(comparison.control.formula), let treatment = FormulaReference(comparison.treatment.formula),
              let controlVersion = control.version, let treatmentVersion = treatment.version, control.name == treatment.name else {
            throw StoreError(.invalidInput, "an A/B test compares two stored versions of one formula",
                             hint: "compare NAME@A with NAME@B")
        }
        let id = UUID().uuidString.lowercased()
        return try write { db in
            try db.execute("""
                INSERT INTO ab_tests (id, name, formula_name, control_version, treatment_version, metric, min_improvement,
                  control_metrics, treatment_metrics, improvement, status, conclusion, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(id), .text(name), .text(control.name), .integer(Int64(controlVersion)), .integer(Int64(treatmentVersion)),
                .text(comparison.metric.rawValue), .real(comparison.minImprovement),
                .json(comparison.control.summaryJSON.serialized()), .json(comparison.treatment.summaryJSON.serialized()),
                .real(comparison.improvement), .text(ABTest.Status.running.rawValue), .text(comparison.conclusion),
                .text(actor), .text(now()))
            let test = try self.abTest(id, db)
            try audit(db, action: "create", table: "ab_tests", row: id, before: nil, after: test.json)
            return test
        }
    }

    /// Every A/B test (of one formula), oldest first.
    package func abTests(formula: String? = nil) throws -> [ABTest] {
        try read { db in
            try db.query("""
                SELECT \(ABTest.columns) FROM ab_tests WHERE (CAST(? AS TEXT) IS NULL OR formula_name = ?) ORDER BY created_at, id
                """, [.text(formula), .text(formula)]).map(ABTest.init(row:))
        }
    }

    /// One A/B test by its id.
    package func abTest(_ id: String) throws -> ABTest {
        try read { db in try self.abTest(id, db) }
    }

    func abTest(_ id: String, _ db: any DatabaseConnection, forUpdate: Bool = false) throws -> ABTest {
        let lock = forUpdate && db.dialect == .postgresql ? " FOR UPDATE" : ""
        // A malformed id cannot name a test (and PostgreSQL would reject it as a UUID).
        guard UUID(uuidString: id) != nil,
              let row = try db.queryOne("SELECT \(ABTest.columns) FROM ab_tests WHERE id = ?\(lock)", [.text(id.lowercased())]) else {
            throw StoreError(.notFound, "no A/B test `\(id)`", hint: "`cascade formula tests` lists them")
        }
        return try ABTest(row: row)
    }

    /// Concludes a running test: `promoted` activates the treatment and deactivates the control;
    /// `rejected` changes no version. Each change is audited with the state before and after.
    package func conclude(_ id: String, _ status: ABTest.Status, note: String? = nil) throws -> ABTest {
        precondition(status == .promoted || status == .rejected, "a test is concluded as promoted or rejected")
        return try write { db in
            let test = try self.abTest(id, db, forUpdate: true)
            guard test.status == .running else {
                throw StoreError(.conflict, "A/B test \(test.id) is already \(test.status.rawValue)",
                                 hint: status == .promoted ? "record a new comparison to promote again" : nil)
            }
            if status == .promoted {
                try self.setActive(test.formulaName, test.treatmentVersion, true, db, action: "promote", test: test.id)
                try self.setActive(test.formulaName, test.controlVersion, false, db, action: "promote", test: test.id)
            }
            return try self.setStatus(test, status, note ?? "\(status.rawValue) by \(actor)", db)
        }
    }

    /// Undoes the last promotion of `formula`: re-activates its control, deactivates its treatment,
    /// and marks the test `rollback`; audited. Refused when no promoted test is left to undo.
    package func rollback(formula: String) throws -> ABTest {
        try write { db in
            guard let row = try db.queryOne("""
                SELECT id FROM ab_tests WHERE formula_name = ? AND status = ? ORDER BY concluded_at DESC, created_at DESC LIMIT 1
                """, [.text(formula), .text(ABTest.Status.promoted.rawValue)]), let id = row.string("id") else {
                throw StoreError(.conflict, "`\(formula)` has no promotion to roll back",
                                 hint: "`cascade formula tests` lists the A/B tests; `cascade formula activate NAME@V` activates by hand")
            }
            let test = try self.abTest(id, db, forUpdate: true)
            try self.setActive(test.formulaName, test.controlVersion, true, db, action: "rollback", test: test.id)
            try self.setActive(test.formulaName, test.treatmentVersion, false, db, action: "rollback", test: test.id)
            return try self.setStatus(test, .rollback, "rolled back by \(actor): \(test.control) is active again", db)
        }
    }

    private func setActive(_ name: String, _ version: Int, _ isActive: Bool, _ db: any DatabaseConnection,
                           action: String, test: String) throws {
        let current = try formula(FormulaReference(name: name, version: version), db, forUpdate: true)
        guard current.isActive != isActive else { return }
        try db.execute("UPDATE formulas SET is_active = ? WHERE name = ? AND version = ?",
                       .bool(isActive), .text(name), .integer(Int64(version)))
        try audit(db, action: action, table: "formulas", row: current.reference,
                  before: .object(JSONObject([("is_active", .bool(!isActive)), ("ab_test", .string(test))])),
                  after: .object(JSONObject([("is_active", .bool(isActive)), ("ab_test", .string(test))])))
    }

    private func setStatus(_ test: ABTest, _ status: ABTest.Status, _ conclusion: String, _ db: any DatabaseConnection) throws -> ABTest {
        try db.execute("UPDATE ab_tests SET status = ?, conclusion = ?, concluded_at = ? WHERE id = ?",
                       .text(status.rawValue), .text(conclusion), .text(now()), .text(test.id))
        let after = try abTest(test.id, db)
        try audit(db, action: status == .rollback ? "rollback" : status == .promoted ? "promote" : "reject", table: "ab_tests", row: test.id,
                  before: .object(JSONObject([("status", .string(test.status.rawValue))])),
                  after: .object(JSONObject([("status", .string(status.rawValue)), ("conclusion", .string(conclusion))])))
        return after
    }
}
