import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// Runs the built `cascade` binary, as a user would, against a fresh store per test.
enum StoreCLI {
    /// The `cascade` executable next to the test bundle (swift test builds it too).
    static let binary = PackageExecutables.url("cascade")

    static let packageRoot = PackageExecutables.root

    /// The environment that points `init --sample` at the package's `Formulas/`.
    static let sampleFormulas = ["CASCADE_FORMULAS": packageRoot.appendingPathComponent("Formulas").path]
    /// A standard scenario that moves the sample world.
    static let sampleScenario = packageRoot.appendingPathComponent("Scenarios/oil-up-5.json").path

    /// A new empty temporary directory (the caller removes it).
    static func emptyDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A fresh store with the sample loaded (`init --sample`).
    static func sampleStore(_ backend: CLIBackend) throws -> (dir: URL, db: String, cleanup: () -> Void) {
        let (dir, db, cleanup) = try fresh(backend)
        let initialised = try run(["init", "--sample", "--db", db], in: dir, environment: sampleFormulas)
        #expect(initialised.status == 0, "\(initialised.stderr)")
        return (dir, db, cleanup)
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSONValue? { try? JSONValue.parse(stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Runs `cascade arguments…` to completion in `directory`.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Result {
        let result = try PackageExecutables.run(binary, arguments, in: directory, environment: environment)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// A temporary working directory and a fresh `--db` location for `backend`.
    static func fresh(_ backend: CLIBackend) throws -> (dir: URL, db: String, cleanup: () -> Void) {
        let fresh = try TestStores.fresh(postgres: backend == .postgresql, prefix: "cascade-cli")
        return (fresh.directory, fresh.db, fresh.cleanup)
    }

    static func write(_ text: String, to name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A small world for scenario tests: the Fed funds rate (a `%` MACRO entity), the oil price
    /// (an index), and one company whose inline formula also reads the bare variable `tariff`,
    /// which no MACRO entity binds (so a scenario must set it for the formula to compile).
    static let macroWorld = #"""
        {"entities": [
          {"id": "macro-fed-funds", "type": "MACRO", "name": "Fed Funds Rate", "category": "INTEREST_RATE", "ontology_level": 0,
           "metadata": {"variable": "fed_funds_rate", "unit": "%", "current_value": 5.25}},
          {"id": "macro-oil", "type": "MACRO", "name": "Oil Price", "category": "COMMODITY", "ontology_level": 0,
           "metadata": {"variable": "oil_price", "unit": "index", "current_value": 75}},
          {"id": "co-nvidia", "type": "COMPANY", "name": "NVIDIA", "category": "SEMICONDUCTOR", "ontology_level": 3}],
         "relationships": [
          {"id": "rel-1", "source_entity_id": "macro-fed-funds", "target_entity_id": "co-nvidia", "type": "IMPACTS",
           "impact_formula": "return -2 * source.delta + (tariff > 0.1 ? -0.01 : 0);"}]}
        """#

    /// `cascade init` and an import of `macroWorld` into `db`.
    static func initWithMacroWorld(_ db: String, in dir: URL) throws {
        try #require(try run(["init", "--db", db], in: dir).status == 0)
        let imported = try run(["import", try write(macroWorld, to: "macro-world.json", in: dir), "--db", db], in: dir)
        try #require(imported.status == 0, "\(imported.stderr)")
    }

    static func formulaDocument(name: String = "gdp_sector_impact", text: String = "return (gdpGrowth - baseline) * elasticity * 100;",
                                expected: Double = 1.8) -> String {
        """
        {"name": \(JSONValue.string(name).serialized()), "formula_type": "IMPACT_CALCULATION",
         "formula_text": \(JSONValue.string(text).serialized()),
         "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"},
         "effective_date": "2025-01-01", "r_squared": 0.82, "description": "GDP shock to sector", "created_by": "cli-test",
         "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": \(expected), "tolerance": 1e-9}]}
        """
    }
}

/// Backends for the end-to-end tests; PostgreSQL only when the test command started a server.
enum CLIBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql
    var testDescription: String { rawValue }

    static var postgresURL: String? { TestStores.postgresURL }

    static let available: [CLIBackend] = {
        if postgresURL != nil { return [.sqlite, .postgresql] }
        FileHandle.standardError.write(Data(
            "CascadeCLITests: CASCADE_TEST_POSTGRES_URL is not set; PostgreSQL end-to-end tests are skipped (run scripts/test.sh)\n".utf8))
        return [.sqlite]
    }()
}
