import CascadeJSON
@testable import CascadeStore
import Foundation
import Testing

@Suite("Schema and migrations (both backends)")
struct SchemaConformanceTests {
    @Test(arguments: TestBackend.available)
    func migratingTwiceIsHarmless(_ backend: TestBackend) throws {
        try backend.withStore { store in
            #expect(try store.migrate().isEmpty)
            let status = try store.schemaStatus()
            #expect(status.applied == Migration.all.map(\.name))
            #expect(status.pending.isEmpty)
            try store.requireCurrentSchema()
            let counts = try store.tableCounts()
            #expect(counts["formulas"] == 0)
            #expect(counts["entities"] == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func aNewerSchemaIsRefused(_ backend: TestBackend) throws {
        try backend.withStore { store in
            try store.write { db in
                try db.execute("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)",
                               99, "from_the_future", "2030-01-01T00:00:00Z")
            }
            let error = #expect(throws: StoreError.self) { try store.migrate() }
            #expect(error?.kind == .schema)
            #expect(error?.message.contains("newer") == true)
            #expect(error?.message.contains("from_the_future") == true)
            #expect(error?.hint?.contains("upgrade") == true)
        }
    }

    @Test(arguments: TestBackend.available)
    func anUninitialisedStoreIsReportedWithAHint(_ backend: TestBackend) throws {
        let (location, cleanup) = try backend.freshLocation()
        defer { cleanup() }
        let store = try Store(location)
        let error = #expect(throws: StoreError.self) { try store.requireCurrentSchema() }
        #expect(error?.hint?.contains("cascade init") == true)
    }

    @Test(arguments: TestBackend.available)
    func seedColumnsAreReadableByName(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let names = try store.read { db in
                try db.query("""
                    SELECT id, name, version, formula_type, formula_text, parameters, effective_date, r_squared, mae, rmse,
                      description, test_cases, is_active, created_by, created_at FROM formulas
                    """).first?.columns ?? []
            }
            #expect(names.isEmpty)  // no rows yet, but the statement compiled against the seed's names
            _ = try store.read { db in
                try db.query("SELECT date, variable_name, value, unit, data_source FROM macro_data")
                + db.query("SELECT sector, coefficient_type, value, effective_date, calibrated_from, calibrated_to, r_squared, data_source, notes, is_active FROM sector_coefficients")
                + db.query("SELECT id, occurred_at, actor, action, table_name, row_id, before, after FROM audit_log")
                + db.query("SELECT id, started_at, finished_at, status, counts, error FROM run_log")
            }
        }
    }

    /// A unique-key violation is a bug in the writer, not a lost race: it fails at once instead of
    /// being retried (it used to be rerun 200 times with backoff).
    @Test(arguments: TestBackend.available)
    func aUniqueViolationIsNotRetried(_ backend: TestBackend) throws {
        try backend.withStore { store in
            var attempts = 0
            let error = #expect(throws: StoreError.self) {
                try store.writeRetrying { db in
                    attempts += 1
                    try db.execute("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)",
                                   1, "duplicate", "2030-01-01T00:00:00Z")
                }
            }
            #expect(error?.isUniqueViolation == true)
            #expect(error?.isTransient == false)
            #expect(attempts == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func textWithQuotesAndUnicodeRoundTrips(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let values = [Fixtures.injection, "", "O'Brien \"quoted\" ? $1 \\ ; --", "漢字 🚀 é", String(repeating: "x", count: 10_000)]
            for value in values {
                let back = try store.read { db in try db.queryOne("SELECT CAST(? AS TEXT) AS v", [.text(value)])?.string("v") }
                #expect(back == value)
            }
            if backend == .sqlite {
                let nul = "a\u{0}b"
                let back = try store.read { db in try db.queryOne("SELECT ? AS v", [.text(nul)])?.string("v") }
                #expect(back == nul)
            } else {
                let error = #expect(throws: StoreError.self) {
                    try store.read { db in try db.query("SELECT CAST(? AS TEXT) AS v", [.text("a\u{0}b")]) }
                }
                #expect(error?.message.contains("NUL") == true)
            }
        }
    }
}

@Suite("Run log and timestamps (both backends)")
struct RunLogConformanceTests {
    @Test(arguments: TestBackend.available)
    func runsAreRecordedWithTheInjectedClock(_ backend: TestBackend) throws {
        try backend.withStore(clock: { Date(timeIntervalSince1970: 1_767_225_600.25) }) { store in
            let id = try store.startRun(inputs: .object(JSONObject([("formulas", .array([.string("gdp_sector_impact@1")]))])))
            try store.finishRun(id, status: .succeeded, counts: .object(JSONObject([("entities", .number(5))])))
            let runs = try store.runs()
            #expect(runs.count == 1)
            #expect(runs[0].status == .succeeded)
            #expect(runs[0].startedAt == "2026-01-01T00:00:00.250Z")
            #expect(runs[0].finishedAt == "2026-01-01T00:00:00.250Z")
            #expect(runs[0].counts?["entities"] == .number(5))
            #expect(runs[0].inputs?["formulas"] == .array([.string("gdp_sector_impact@1")]))
            #expect(throws: StoreError.self) { try store.finishRun("no-such-run", status: .failed) }

            _ = try store.register(Fixtures.document())
            #expect(try store.formula(FormulaReference(name: "gdp_sector_impact")).createdAt == "2026-01-01T00:00:00.250Z")
            #expect(try store.auditLog(table: "formulas").first?.occurredAt == "2026-01-01T00:00:00.250Z")
        }
    }
}
