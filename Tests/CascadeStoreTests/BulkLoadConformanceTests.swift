@testable import CascadeStore
import Foundation
import Testing

/// `DatabaseConnection.bulkLoad` on both backends: rows into an empty table and upserted over
/// stored ones give the same rows and counts; on PostgreSQL an empty table gets its rows by
/// `COPY` straight into it (no staging table), a table with rows through a staging table and
/// the `ON CONFLICT` suffix; a row that breaks a constraint in the middle of a batch fails the
/// load with the statement named, and the transaction's rollback leaves nothing.
@Suite("Bulk load (both backends)")
struct BulkLoadConformanceTests {
    static let columns = ["date", "variable_name", "value", "unit"]

    /// Above PostgreSQL's `COPY` threshold and over several SQLite batches.
    static let count = 1_500

    func suffix(_ db: any DatabaseConnection) -> String {
        let distinct = db.dialect == .sqlite ? "IS NOT" : "IS DISTINCT FROM"
        return "ON CONFLICT (date, variable_name) DO UPDATE SET value = excluded.value WHERE macro_data.value \(distinct) excluded.value"
    }

    /// Loads `count` points (`value(i)` each) into `macro_data`; returns the rows written.
    func load(_ db: any DatabaseConnection, value: (Int) -> Double, breakingAt broken: Int? = nil) throws -> Int {
        try db.bulkLoad(into: "macro_data", columns: Self.columns, count: Self.count, suffix: suffix(db), progress: { _ in }) { i, out in
            out.text("2020-01-01")
            out.text(i == broken ? nil : "v\(i)")  // variable_name is NOT NULL
            out.real(value(i))
            out.text("%")
        }
    }

    /// This session's staging tables (PostgreSQL's temporary tables named `cascade_staging_…`).
    func stagingTables(_ db: any DatabaseConnection) throws -> Int {
        guard db.dialect == .postgresql else { return 0 }
        return try db.queryOne("""
            SELECT COUNT(*) AS n FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relname LIKE 'cascade!_staging!_%' ESCAPE '!'
            """)?.int("n") ?? -1
    }

    @Test(arguments: TestBackend.available)
    func anEmptyTableIsLoadedWithoutStagingAndAStoredOneIsUpserted(_ backend: TestBackend) throws {
        try backend.withStore { store in
            try store.write { db in
                #expect(try load(db) { Double($0) } == Self.count)
                #expect(try stagingTables(db) == 0, "an empty table is copied into directly")
                // Every other point changes: only those are written, through the suffix.
                #expect(try load(db) { $0 % 2 == 0 ? Double($0) : -1 } == Self.count / 2)
                if backend == .postgresql { #expect(try stagingTables(db) == 1, "a table with rows is loaded through staging") }
                let rows = try db.query("SELECT variable_name, value FROM macro_data ORDER BY value", [])
                #expect(rows.count == Self.count)
                #expect(rows.filter { $0.double("value") == -1 }.count == Self.count / 2)
                #expect(try db.queryOne("SELECT value FROM macro_data WHERE variable_name = 'v1498'")?.double("value") == 1498)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aBrokenRowInTheMiddleOfABatchFailsTheLoadAndNothingIsLeft(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let error = #expect(throws: StoreError.self) {
                try store.write { db in _ = try load(db, value: { Double($0) }, breakingAt: 777) }
            }
            #expect(error?.kind == .database, "\(String(describing: error))")
            #expect(error?.message.lowercased().contains("null") == true, "\(String(describing: error?.message))")
            let left = try store.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM macro_data")?.int("n") }
            #expect(left == 0)
        }
    }
}
