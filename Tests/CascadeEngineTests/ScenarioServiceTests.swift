@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// Submitting, running and caching scenarios against real stores (SQLite, and PostgreSQL when the
/// test command started one), with the bundled sample world.
struct ScenarioServiceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, postgresql
        var testDescription: String { rawValue }

        static let available: [Backend] = TestStores.postgresURL == nil ? [.sqlite] : [.sqlite, .postgresql]

        /// A migrated, empty store at a fresh location.
        func withStore<T>(_ body: (Store) throws -> T) throws -> T {
            let (location, _, _, cleanup) = try TestStores.fresh(postgres: self == .postgresql, prefix: "cascade-engine")
            defer { cleanup() }
            let store = try Store(location, actor: "tests")
            try store.migrate()
            return try body(store)
        }

        /// A migrated store at a fresh location, holding the sample world and Formulas/.
        func withSampleStore<T>(_ body: (Store) throws -> T) throws -> T {
            try withStore { store in
                _ = try store.importWorld(path: PackageExecutables.root.appendingPathComponent("Scenarios/world/sample-world.json").path)
                return try body(store)
            }
        }
    }


    static func scenarioFile(_ name: String) throws -> JSONValue {
        try JSONValue.parse(String(contentsOfFile: PackageExecutables.root.appendingPathComponent("Scenarios/\(name)").path, encoding: .utf8))
    }

    @Test(arguments: Backend.available)
    func aSecondRunIsCachedAndOnlyChangesItReadRecompute(_ backend: Backend) throws {
        try backend.withSampleStore { store in
            let service = ScenarioService(store: store)
            let (id, _) = try service.submit(try Self.scenarioFile("fed-rate-cut-2025.json"), today: "2025-06-30")
            let first = try service.run(id, includeEntities: true)
            #expect(!first.isCached)
            let second = try service.run(id, includeEntities: true)
            #expect(second.isCached)
            #expect(second.fingerprint == first.fingerprint)
            let same = second.document["entities"] == first.document["entities"]
            #expect(same, "the cached entities differ from the computed ones")

            // A coefficient row the run does not read (dated after as_of): still cached, via the fingerprint.
            _ = try store.addCoefficient(SectorCoefficient(sector: "SEMICONDUCTOR", coefficientType: "gdp_elasticity",
                                                           value: 2.4, effectiveDate: "2026-01-01"))
            let third = try service.run(id, includeEntities: true)
            #expect(third.isCached)
            #expect(third.cacheNote.contains("nothing this run reads"))

            // A coefficient row it reads (a newer calibration in force on as_of): recomputed.
            _ = try store.addCoefficient(SectorCoefficient(sector: "SEMICONDUCTOR", coefficientType: "gdp_elasticity",
                                                           value: 2.1, effectiveDate: "2025-03-01"))
            let fourth = try service.run(id, includeEntities: true)
            #expect(!fourth.isCached)
            #expect(fourth.fingerprint != first.fingerprint)
            #expect(try service.run(id, includeEntities: true).isCached)
        }
    }

    @Test func sqliteAndPostgreSQLGiveBitIdenticalResults() throws {
        guard Backend.available.contains(.postgresql) else { return }
        var documents: [JSONValue] = []
        for backend in Backend.allCases {
            try backend.withSampleStore { store in
                let service = ScenarioService(store: store)
                let (id, _) = try service.submit(try Self.scenarioFile("financial-crisis-2008.json"), today: "2025-06-30")
                var document = try service.run(id, includeEntities: true).document.objectValue!
                document["scenario_id"] = nil
                document["stats"] = nil  // timings
                documents.append(.object(document))
            }
        }
        let same = documents[0] == documents[1]
        #expect(same, "SQLite and PostgreSQL results differ")
    }

    @Test(arguments: ["fed-rate-cut-2025.json", "market-up-10.json", "market-down-10.json", "rates-up-25bp.json",
                      "rates-down-25bp.json", "oil-up-5.json", "oil-down-5.json", "financial-crisis-2008.json",
                      "covid-crash-2020.json"])
    func everyBundledScenarioRuns(_ file: String) throws {
        try Backend.sqlite.withSampleStore { store in
            let service = ScenarioService(store: store)
            let (id, _) = try service.submit(try Self.scenarioFile(file), today: "2025-06-30")
            let outcome = try service.run(id, includeEntities: true)
            let entities = outcome.document["entities"]?.arrayValue ?? []
            #expect(entities.count > 100)
            #expect(entities.contains { ($0["impact"]?.numberValue ?? 0) != 0 })
            #expect(!entities.contains { $0["status"] == .string("error") })
        }
    }

    static let badScenarios: [(String, String)] = [
        (#"{"name": "x", "author": "a", "macro_variables": {}, "colour": "red"}"#, "$.colour"),
        (#"{"name": "x", "author": "a", "macro_variables": {"fed_funds_rate": "0.025"}}"#, "$.macro_variables.fed_funds_rate"),
        (#"{"name": "x", "author": "a", "macro_variables": {}, "level_settings": {"12": {"enabled": false}}}"#, "$.level_settings[\"12\"]"),
        (#"{"name": "x", "author": "a", "macro_variables": {"oil": NaN}}"#, "$.macro_variables.oil"),
        (#"{"name": "x", "macro_variables": {}}"#, "$.author"),
        (#"{"name": "x", "author": "a", "macro_variables": {}, "as_of": "2025-02-30"}"#, "$.as_of"),
        (#"{"name": "x", "author": "a", "macro_variables": {}, "level_settings": {"3": {"damping": 10, "clamp": [-1, 1.7e308]}}}"#,
         "$.level_settings[\"3\"].clamp[1]"),
        (#"{"name": "x", "author": "a", "macro_variables": {}, "level_settings": {"3": {"clamp": [-1e7, 1]}}}"#,
         "$.level_settings[\"3\"].clamp[0]"),
        (#"{"name": "x", "author": "a", "macro_variables": {}, "level_settings": {"3": {"damping": 11}}}"#,
         "$.level_settings[\"3\"].damping"),
        (#"{"name": "x", "author": "a", "macro_variables": {}, "feedback_rounds": 1001}"#, "$.feedback_rounds"),
        (#"{"name": "x", "author": "a", "macro_variables": {}, "feedback_rounds": "forever"}"#, "$.feedback_rounds"),
        (#"{"name": "x", "author": "a", "macro_variables": {}, "feedback_rounds": 3, "feedback_tolerance": 1e-9}"#, "$.feedback_tolerance"),
        (#"{"name": "x", "author": "a", "macro_variables": {}, "feedback_rounds": "converge", "feedback_max_rounds": 0}"#,
         "$.feedback_max_rounds"),
    ]

    /// `cascade run FILE` (which loads and resolves the world once for the checks and the run —
    /// not observed here) gives the same result as submitting and running apart, with the load
    /// timed; a second call returns the cached result; `force` recomputes under the same id; an
    /// invalid document is refused by the same checks and stores nothing.
    @Test(arguments: Backend.available)
    func submitAndRunMatchesSubmitThenRunAndCaches(_ backend: Backend) throws {
        let document = try Self.scenarioFile("fed-rate-cut-2025.json")
        let apart = try backend.withSampleStore { store in
            let service = ScenarioService(store: store)
            return try service.run(try service.submit(document, today: "2025-06-30").id, includeEntities: true)
        }
        try backend.withSampleStore { store in
            let service = ScenarioService(store: store)
            let first = try service.submitAndRun(document, today: "2025-06-30", includeEntities: true)
            #expect(!first.outcome.isCached)
            #expect(first.outcome.fingerprint == apart.fingerprint)
            #expect(first.outcome.entityTexts == apart.entityTexts)
            #expect(first.outcome.summary["stats"]?["timings_ms"]?["load"] != nil)
            // Submitting is timed in the result; storing it, in the run log (after the result was stored).
            #expect(first.outcome.summary["stats"]?["timings_ms"]?["submit"]?.numberValue != nil)
            let logged = try #require(try store.runs(limit: 1).first)
            #expect(logged.status == .succeeded)
            #expect(logged.counts?["timings_ms"]?["store"]?.numberValue != nil, "run log counts: \(String(describing: logged.counts))")
            #expect(logged.counts?["timings_ms"]?["submit"] == first.outcome.summary["stats"]?["timings_ms"]?["submit"])
            let second = try service.submitAndRun(document, today: "2025-06-30", includeEntities: true)
            #expect(second.id == first.id && second.outcome.isCached)
            #expect(second.outcome.cacheNote.contains("nothing was written"))
            #expect(second.outcome.entityTexts == apart.entityTexts)
            let forced = try service.submitAndRun(document, today: "2025-06-30", force: true)
            #expect(!forced.outcome.isCached && forced.id == first.id)

            var bad = document.objectValue!
            bad["name"] = .string("typo")
            bad["macro_variables"] = .object(JSONObject([("fed_fund_rate", .number(0.04))]))
            #expect(throws: ScenarioError.self) { try service.submitAndRun(.object(bad), today: "2025-06-30") }
            #expect(try store.scenarios().map(\.name) == [first.scenario.name])
        }
    }

    @Test(arguments: ScenarioServiceTests.badScenarios)
    func badScenariosNameTheirPathAndStoreNothing(_ text: String, _ path: String) throws {
        try Backend.sqlite.withSampleStore { store in
            let service = ScenarioService(store: store)
            do {
                _ = try service.submit(try JSONValue.parse(text), today: "2025-06-30")
                Issue.record("accepted \(text)")
            } catch let error as ScenarioError {
                #expect(error.problems.map(\.path).contains(path), "\(error.problems)")
            } catch let error as JSONError {
                #expect(error.path.description == path, "\(error)")
            }
            #expect(try store.scenarios().isEmpty)
        }
    }
}
