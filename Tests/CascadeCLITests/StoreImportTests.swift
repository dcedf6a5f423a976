import CascadeJSON
import CascadeStore
import Foundation
import Testing

@Suite("cascade import (end to end)")
struct StoreImportTests {
    static let world = """
    {"entities": [
       {"id": "fed", "type": "MACRO", "name": "Fed Funds Rate", "ontology_level": 1, "metadata": {"unit": "%", "current_value": 5.25}},
       {"id": "semis", "type": "SECTOR", "name": "Semiconductor", "category": "TECHNOLOGY", "ontology_level": 2},
       {"id": "nvda", "type": "COMPANY", "name": "NVIDIA", "category": "SEMICONDUCTOR", "ontology_level": 3}],
     "relationships": [
       {"id": "r1", "source_entity_id": "fed", "target_entity_id": "semis", "type": "IMPACTS", "weight": 0.5,
        "metadata": {"formula": "gdp_sector_impact@1", "bindings": {"gdpGrowth": "source.value", "baseline": "source.baseline", "elasticity": "coeff.gdp_elasticity"}}},
       {"id": "r2", "source_entity_id": "semis", "target_entity_id": "nvda", "type": "CONTAINS", "weight": 0.9}],
     "sector_coefficients": [{"sector": "SEMICONDUCTOR", "coefficient_type": "gdp_elasticity", "value": 1.8, "effective_date": "2025-01-01"}],
     "macro_data": [{"date": "2024-01-01", "variable_name": "fed_funds_rate", "value": 5.25, "unit": "%"}],
     "financial_data": [{"entity_id": "nvda", "date": "2024-Q1", "revenue": 60922, "net_income": 14881, "data_source": "MANUAL"}],
     "formulas": [\(StoreCLI.formulaDocument())]}
    """

    @Test(arguments: CLIBackend.available)
    func importIsIdempotent(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let file = try StoreCLI.write(Self.world, to: "world.json", in: dir)
        let first = try StoreCLI.run(["import", file, "--db", db, "--json"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.json?["rows_written"]?["entities"] == .number(3))
        #expect(first.json?["rows_written"]?["relationships"] == .number(2))
        let second = try StoreCLI.run(["import", file, "--db", db], in: dir)
        #expect(second.status == 0)
        #expect(second.stdout.contains("nothing changed"))
    }

    @Test(arguments: CLIBackend.available)
    func oneBadRowAmongManyWritesNothingAndEveryProblemIsPrinted(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        var entities: [String] = []
        for i in 0..<2000 { entities.append(#"{"id": "e\#(i)", "type": "COMPANY", "name": "E\#(i)", "ontology_level": \#(i % 10)}"#) }
        var relationships: [String] = []
        for i in 0..<5000 { relationships.append(#"{"id": "r\#(i)", "source_entity_id": "e\#(i % 2000)", "target_entity_id": "e\#((i * 7 + 1) % 2000)", "type": "SUPPLIES", "weight": 0.5}"#) }
        relationships[3210] = #"{"id": "r3210", "source_entity_id": "e1", "target_entity_id": "ghost", "type": "SUPPLIES", "weight": 1.25}"#
        entities[1234] = #"{"id": "e1234", "type": "COMPANY", "name": "E1234", "ontology_level": 10}"#
        let file = try StoreCLI.write(#"{"entities": [\#(entities.joined(separator: ","))], "relationships": [\#(relationships.joined(separator: ","))]}"#,
                                      to: "world.json", in: dir)
        let result = try StoreCLI.run(["import", file, "--db", db, "--json"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("world file has 3 problems; nothing was written"))
        #expect(result.stderr.contains("$.entities[1234].ontology_level: ontology level 10 is outside 0–9"))
        #expect(result.stderr.contains("$.relationships[3210].weight: weight 1.25 is outside 0–1"))
        #expect(result.stderr.contains("$.relationships[3210].target_entity_id: no entity has id `ghost`"))
        #expect(result.json?["error"]?["problems"]?.arrayValue?.count == 3)

        let counts = try Store(StoreLocation(db)).tableCounts()
        #expect(counts["entities"] == 0 && counts["relationships"] == 0)
    }

    /// A world in parts, imported by one command: the later part refers to entities the earlier one
    /// defines, one report per file comes back, and a problem in the last part writes nothing of
    /// any part — placed in that part, by line and column.
    @Test(arguments: CLIBackend.available)
    func theFilesOfASplitWorldImportInOneTransaction(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let entities = (0..<30).map { #"{"id": "e\#($0)", "type": "COMPANY", "name": "E\#($0)", "ontology_level": 3}"# }
        func edges(_ range: Range<Int>) -> String {
            range.map { #"{"id": "r\#($0)", "source_entity_id": "e\#($0 % 30)", "target_entity_id": "e\#(($0 + 1) % 30)", "type": "SUPPLIES", "weight": 0.5}"# }
                .joined(separator: ",\n")
        }
        let part0 = try StoreCLI.write(#"{"entities": [\#(entities.joined(separator: ","))]}"#, to: "part-0.json", in: dir)
        let part1 = try StoreCLI.write(#"{"relationships": [\#(edges(0..<20))]}"#, to: "part-1.json", in: dir)
        let broken = try StoreCLI.write("{\"relationships\": [\(edges(20..<25)),\n" + #"{"id": "r25", "source_entity_id": "e1", "target_entity_id": "ghost", "type": "SUPPLIES"}]}"#,
                                        to: "part-2.json", in: dir)
        let failed = try StoreCLI.run(["import", part0, part1, broken, "--db", db, "--json"], in: dir)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("part-2.json:6:"), "\(failed.stderr)")
        #expect(failed.stderr.contains("no entity has id `ghost`"))
        var counts = try Store(StoreLocation(db)).tableCounts()
        #expect(counts["entities"] == 0 && counts["relationships"] == 0)

        let part2 = try StoreCLI.write(#"{"relationships": [\#(edges(20..<30))]}"#, to: "part-2.json", in: dir)
        let result = try StoreCLI.run(["import", part0, part1, part2, "--db", db, "--json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json?["ok"] == .bool(true))
        let files = result.json?["files"]?.arrayValue ?? []
        #expect(files.compactMap { $0["file"]?.stringValue } == [part0, part1, part2])
        #expect(files.map { $0["rows_written"]?["entities"] } == [.number(30), .number(0), .number(0)])
        #expect(files.map { $0["rows_written"]?["relationships"] } == [.number(0), .number(20), .number(10)])
        counts = try Store(StoreLocation(db)).tableCounts()
        #expect(counts["entities"] == 30 && counts["relationships"] == 30)
        let again = try StoreCLI.run(["import", part0, part1, part2, "--db", db], in: dir)
        #expect(again.status == 0)
        #expect(again.stdout.components(separatedBy: "nothing changed").count == 4, "\(again.stdout)")
    }

    @Test func malformedJSONIsReportedWithLineAndColumn() throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(.sqlite)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let file = try StoreCLI.write("{\"entities\": [\n  {\"id\": \"a\",}\n]}", to: "broken.json", in: dir)
        let result = try StoreCLI.run(["import", file, "--db", db], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("broken.json:2:"))
    }

    /// `kill -9` while a large import is writing: the store must be exactly as before.
    @Test(arguments: CLIBackend.available)
    func killDashNineDuringImportLeavesTheStoreAsBefore(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let small = try StoreCLI.write(Self.world, to: "small.json", in: dir)
        try #require(try StoreCLI.run(["import", small, "--db", db], in: dir).status == 0)
        let store = try Store(StoreLocation(db))
        let before = try store.tableCounts()
        let beforeWorld = try store.loadWorld()

        let big = dir.appendingPathComponent("big.json").path
        try SyntheticWorld.write(to: big, entities: 60_000, relationships: 300_000)
        let process = Process()
        process.executableURL = StoreCLI.binary
        process.arguments = ["import", big, "--db", db]
        let errPath = try StoreCLI.write("", to: "import-err.txt", in: dir)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()

        // Wait until it is part-way through writing relationships, then kill it.
        let deadline = Date().addingTimeInterval(300)
        var sawWriting = false
        while Date() < deadline && process.isRunning {
            let progress = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            if progress.split(separator: "\n").contains(where: { $0.hasPrefix("import: writing relationships ") && $0.hasSuffix("%)") }) {
                sawWriting = true
                break
            }
            usleep(2_000)
        }
        try #require(sawWriting && process.isRunning, "the import finished or failed before it could be killed: \((try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let reopened = try Store(StoreLocation(db))
        #expect(try reopened.tableCounts() == before)
        let afterWorld = try reopened.loadWorld()
        #expect(afterWorld.entities == beforeWorld.entities)
        #expect(afterWorld.relationships == beforeWorld.relationships)
        if backend == .sqlite {
            let check = try reopened.read { db in try db.queryOne("PRAGMA integrity_check")?.values.first }
            #expect(check == .text("ok"))
        }
    }

    /// The tables can be read with the stock clients under the seed's column names.
    @Test(arguments: CLIBackend.available)
    func tablesAreReadableWithTheStockClients(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let file = try StoreCLI.write(Self.world, to: "world.json", in: dir)
        try #require(try StoreCLI.run(["import", file, "--db", db], in: dir).status == 0)
        let sql = "SELECT f.name, f.version, f.formula_text, e.name, e.type, e.ontology_level, r.type, r.weight FROM formulas f, entities e JOIN relationships r ON r.target_entity_id = e.id WHERE e.name = 'NVIDIA'"
        let tool: String
        let arguments: [String]
        switch backend {
        case .sqlite: (tool, arguments) = ("/usr/bin/sqlite3", [db, sql])
        case .postgresql: (tool, arguments) = ("/usr/bin/psql", [db, "-At", "-c", sql])
        }
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            Issue.record("\(tool) is not installed (scripts/setup.sh installs it)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                == "gdp_sector_impact|1|return (gdpGrowth - baseline) * elasticity * 100;|NVIDIA|COMPANY|3|CONTAINS|0.9")
    }
}
