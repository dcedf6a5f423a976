import CascadeJSON
@testable import CascadeStore
import Foundation
import Testing

@Suite("Formula registry (both backends)")
struct RegistryConformanceTests {
    @Test(arguments: TestBackend.available)
    func registerAssignsConsecutiveVersionsAndIdenticalTextReturnsTheExistingOne(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let first = try store.register(Fixtures.document())
            #expect(first.version == 1 && first.isNew)
            #expect(first.contentHash.hasPrefix("xxh3-128:") && first.contentHash.count == 9 + 32)

            // Same text and parameters, different description: the existing version.
            let again = try store.register(Fixtures.document(description: "changed words"))
            #expect(again == Registration(name: "gdp_sector_impact", version: 1, isNew: false, contentHash: first.contentHash))

            let second = try store.register(Fixtures.document(text: "return (gdpGrowth - baseline) * elasticity * 100 + 0;"))
            #expect(second.version == 2 && second.isNew)

            let history = try store.history(named: "gdp_sector_impact")
            #expect(history.map(\.version) == [1, 2])
            #expect(history[0].document.formulaText == Fixtures.gdpText)
            #expect(history[0].document.parameters.keys == ["baseline", "elasticity", "gdpGrowth"])
            #expect(history[0].document.rSquared == 0.82)
            #expect(history[0].document.effectiveDate == "2025-01-01")
            #expect(history[0].document.testCases.count == 1)
            #expect(history[0].isActive)

            let latest = try store.formula(FormulaReference(name: "gdp_sector_impact"))
            #expect(latest.version == 2)
            let audit = try store.auditLog(table: "formulas")
            #expect(audit.map(\.action) == ["register", "register"])
            #expect(audit.map(\.actor) == ["tester", "tester"])
            #expect(audit[0].rowID == "gdp_sector_impact@1")
        }
    }

    @Test(arguments: TestBackend.available)
    func activeVersionFollowsEffectiveDateAndActivation(_ backend: TestBackend) throws {
        try backend.withStore { store in
            _ = try store.register(Fixtures.document(effectiveDate: "2025-01-01"))
            _ = try store.register(Fixtures.document(text: "return (gdpGrowth - baseline) * elasticity * 100 * 1;", effectiveDate: "2025-07-01"))
            #expect(try store.activeFormula(named: "gdp_sector_impact", asOf: "2024-12-31") == nil)
            #expect(try store.activeFormula(named: "gdp_sector_impact", asOf: "2025-06-30")?.version == 1)
            #expect(try store.activeFormula(named: "gdp_sector_impact", asOf: "2025-07-01")?.version == 2)

            #expect(try store.setActive(FormulaReference("gdp_sector_impact@2")!, false))
            #expect(try store.setActive(FormulaReference("gdp_sector_impact@2")!, false) == false)  // no-op
            #expect(try store.activeFormula(named: "gdp_sector_impact", asOf: "2025-12-31")?.version == 1)
            #expect(try store.setActive(FormulaReference("gdp_sector_impact@2")!, true))
            #expect(try store.activeFormula(named: "gdp_sector_impact", asOf: "2025-12-31")?.version == 2)

            let audit = try store.auditLog(table: "formulas").map(\.action)
            #expect(audit == ["register", "register", "deactivate", "activate"])
            let summaries = try store.formulaSummaries(asOf: "2025-12-31")
            #expect(summaries == [FormulaSummary(name: "gdp_sector_impact", latestVersion: 2, versionCount: 2, activeVersion: 2, formulaType: "IMPACT_CALCULATION")])
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailingTestCaseRefusesTheVersionAndWritesNothing(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let before = try store.tableCounts()
            let error = #expect(throws: StoreError.self) { try store.register(Fixtures.document(expected: 2.5)) }
            #expect(error?.kind == .invalidInput)
            #expect(error?.problems.count == 1)
            #expect(error?.problems.first?.path == "$.test_cases[0]")
            #expect(error?.problems.first?.message.contains("expected 2.5") == true)
            #expect(try store.tableCounts() == before)
        }
    }

    @Test(arguments: TestBackend.available)
    func aFormulaThatDoesNotCompileIsRefusedWithItsDiagnostic(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let before = try store.tableCounts()
            let error = #expect(throws: StoreError.self) {
                try store.register(Fixtures.document(text: "return gdpGrowth * unknownName;"))
            }
            let problem = try #require(error?.problems.first)
            #expect(problem.code.hasPrefix("name."))
            #expect(problem.path.hasPrefix("$.formula_text 1:"))
            #expect(problem.rendered != nil)
            #expect(try store.tableCounts() == before)
        }
    }

    @Test(arguments: TestBackend.available)
    func injectionShapedNamesAreStoredVerbatim(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let registration = try store.register(Fixtures.document(name: Fixtures.injection, description: Fixtures.injection))
            #expect(registration.version == 1)
            let stored = try store.formula(FormulaReference(name: Fixtures.injection))
            #expect(stored.name == Fixtures.injection)
            #expect(stored.document.description == Fixtures.injection)
            #expect(try store.formulaSummaries().map(\.name) == [Fixtures.injection])
        }
    }

    @Test(arguments: TestBackend.available)
    func storedVersionsAreImmutable(_ backend: TestBackend) throws {
        try backend.withStore { store in
            _ = try store.register(Fixtures.document())
            #expect(throws: StoreError.self) {
                try store.write { db in try db.execute("UPDATE formulas SET formula_text = ? WHERE name = ?", "return 0;", "gdp_sector_impact") }
            }
            #expect(throws: StoreError.self) {
                try store.write { db in try db.execute("DELETE FROM formulas") }
            }
            #expect(try store.formula(FormulaReference("gdp_sector_impact@1")!).document.formulaText == Fixtures.gdpText)
        }
    }

    @Test(arguments: TestBackend.available)
    func unknownVersionsAreReportedWithAHint(_ backend: TestBackend) throws {
        try backend.withStore { store in
            _ = try store.register(Fixtures.document())
            let error = #expect(throws: StoreError.self) { try store.formula(FormulaReference("gdp_sector_impact@7")!) }
            #expect(error?.kind == .notFound)
            #expect(error?.hint == "`gdp_sector_impact` has versions 1…1")
        }
    }

    @Test(arguments: TestBackend.available)
    func retestRerunsStoredCases(_ backend: TestBackend) throws {
        try backend.withStore { store in
            _ = try store.register(Fixtures.document())
            let (version, check) = try store.retest(FormulaReference(name: "gdp_sector_impact"))
            #expect(version.version == 1)
            #expect(check.isPassing)
            #expect(check.results.map(\.passed) == [true])
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentRegistrationsFromSeparateConnectionsGetDistinctVersions(_ backend: TestBackend) throws {
        let (location, cleanup) = try backend.freshLocation()
        defer { cleanup() }
        try Store(location).migrate()
        let workers = 4, each = 10
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            do {
                let store = try Store(location, actor: "worker-\(worker)")
                for i in 0..<each {
                    _ = try store.register(Fixtures.document(text: "return \(worker * 1000 + i) + gdpGrowth * 0 + baseline * 0 + elasticity * 0;",
                                                             expected: Double(worker * 1000 + i)))
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let versions = try Store(location).history(named: "gdp_sector_impact").map(\.version)
        #expect(versions == Array(1...(workers * each)))
    }

    @Test(arguments: TestBackend.available)
    func testCasesCanExpectUndefinedAndErrors(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let json = """
            {"name": "partial", "formula_text": "if (x > 0) return 1 / x;", "parameters": {"x": "number"},
             "effective_date": "2025-01-01",
             "test_cases": [{"name": "positive", "inputs": {"x": 4}, "expected": 0.25},
                            {"name": "negative", "inputs": {"x": -1}, "expected_type": "undefined"}]}
            """
            var problems: [Problem] = []
            let doc = try #require(FormulaDocument.decode(try JSONValue.parse(json), problems: &problems))
            let registration = try store.register(doc)
            #expect(registration.version == 1)
            #expect(!registration.warnings.isEmpty)  // the checker notes the uncovered region

            let division = """
            {"name": "ratio", "formula_text": "return 1 / x;", "parameters": {"x": "number"}, "effective_date": "2025-01-01",
             "test_cases": [{"inputs": {"x": 0}, "expected_error": "runtime"}, {"inputs": {"x": 2}, "expected_error": "runtime"}]}
            """
            let ratio = try #require(FormulaDocument.decode(try JSONValue.parse(division), problems: &problems))
            let error = #expect(throws: StoreError.self) { try store.register(ratio) }
            #expect(error?.problems.map(\.path) == ["$.test_cases[1]"])
            #expect(error?.problems.first?.message.contains("expected error runtime, got 0.5") == true)
        }
    }

    @Test(arguments: TestBackend.available)
    func racingIdenticalRegistrationsShareOneVersion(_ backend: TestBackend) throws {
        let (location, cleanup) = try backend.freshLocation()
        defer { cleanup() }
        try Store(location).migrate()
        let results = Locked<[Registration]>([])
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let registration = try Store(location).register(Fixtures.document())
                results.withLock { $0.append(registration) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = results.withLock { $0 }
        #expect(all.map(\.version) == [1, 1, 1, 1])
        #expect(all.filter(\.isNew).count == 1)
        #expect(try Store(location).history(named: "gdp_sector_impact").count == 1)
    }
}
