import CascadeJSON
import CascadeStore
import Foundation
import Testing

@Suite("cascade init / formula / coefficient (end to end)")
struct StoreCommandTests {
    @Test(arguments: CLIBackend.available)
    func initTwiceIsHarmless(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        let first = try StoreCLI.run(["init", "--db", db, "--json"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.json?["migrations_applied"]?.arrayValue?.count == Migration.all.count)
        let second = try StoreCLI.run(["init", "--db", db, "--json"], in: dir)
        #expect(second.status == 0)
        #expect(second.json?["migrations_applied"] == .array([]))
        let human = try StoreCLI.run(["init", "--db", db], in: dir)
        #expect(human.stdout.contains("schema is up to date"))
    }

    @Test(arguments: CLIBackend.available)
    func aNewerSchemaIsRefusedClearly(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        try Store(StoreLocation(db)).write { conn in
            try conn.execute("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)", 99, "from_the_future", "2030-01-01")
        }
        for arguments in [["init"], ["formula", "list"]] {
            let result = try StoreCLI.run(arguments + ["--db", db], in: dir)
            #expect(result.status == 1)
            #expect(result.stderr.contains("newer than this cascade understands"))
            #expect(result.stderr.contains("from_the_future"))
            #expect(result.stderr.contains("hint: upgrade cascade"))
        }
    }

    @Test(arguments: CLIBackend.available)
    func anUninitialisedStoreIsRefusedWithAHint(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        let result = try StoreCLI.run(["formula", "list", "--db", db, "--json"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("cascade init"))
        #expect(result.json?["ok"] == .bool(false))
    }

    @Test(arguments: CLIBackend.available)
    func theRegistryWorkflow(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let v1 = try StoreCLI.write(StoreCLI.formulaDocument(), to: "v1.json", in: dir)
        let v2 = try StoreCLI.write(StoreCLI.formulaDocument(text: "return (gdpGrowth - baseline) * elasticity * 100.0;"), to: "v2.json", in: dir)

        let r1 = try StoreCLI.run(["formula", "register", v1, "--db", db], in: dir)
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(r1.stdout.contains("registered gdp_sector_impact@1"))
        let again = try StoreCLI.run(["formula", "register", v1, "--db", db, "--json"], in: dir)
        #expect(again.json?["version"] == .number(1))
        #expect(again.json?["new"] == .bool(false))
        let r2 = try StoreCLI.run(["formula", "register", v2, "--db", db, "--json"], in: dir)
        #expect(r2.json?["version"] == .number(2))

        let list = try StoreCLI.run(["formula", "list", "--db", db, "--json", "--as-of", "2025-06-30"], in: dir)
        #expect(list.json?.arrayValue?.first?["latest_version"] == .number(2))
        #expect(list.json?.arrayValue?.first?["active_version"] == .number(2))

        let show = try StoreCLI.run(["formula", "show", "gdp_sector_impact@1", "--db", db, "--json"], in: dir)
        #expect(show.json?["formula_text"] == .string("return (gdpGrowth - baseline) * elasticity * 100;"))
        #expect(show.json?["content_hash"]?.stringValue?.hasPrefix("xxh3-128:") == true)

        let history = try StoreCLI.run(["formula", "history", "gdp_sector_impact", "--db", db, "--json"], in: dir)
        #expect(history.json?.arrayValue?.compactMap { $0["version"]?.numberValue } == [1, 2])

        let test = try StoreCLI.run(["formula", "test", "gdp_sector_impact@2", "--db", db], in: dir)
        #expect(test.status == 0)
        #expect(test.stdout.contains("1 of 1 test cases passed"))

        let off = try StoreCLI.run(["formula", "deactivate", "gdp_sector_impact@2", "--db", db], in: dir)
        #expect(off.stdout.contains("now inactive"))
        let listed = try StoreCLI.run(["formula", "list", "--db", db, "--json", "--as-of", "2025-06-30"], in: dir)
        #expect(listed.json?.arrayValue?.first?["active_version"] == .number(1))
        let on = try StoreCLI.run(["formula", "activate", "gdp_sector_impact@2", "--db", db, "--json"], in: dir)
        #expect(on.json?["changed"] == .bool(true))

        let missing = try StoreCLI.run(["formula", "show", "gdp_sector_impact@9", "--db", db], in: dir)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("versions 1…2"))
        let noVersion = try StoreCLI.run(["formula", "activate", "gdp_sector_impact", "--db", db], in: dir)
        #expect(noVersion.status != 0)
        #expect(noVersion.stderr.contains("NAME@VERSION"))
    }

    @Test(arguments: CLIBackend.available)
    func aFailingVersionWritesNothingAndPrintsEveryProblem(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let bad = try StoreCLI.write("""
            {"name": "bad", "formula_text": "return x * 2;", "parameters": {"x": "number"}, "effective_date": "2025-01-01",
             "test_cases": [{"inputs": {"x": 2}, "expected": 4}, {"inputs": {"x": 3}, "expected": 7}, {"inputs": {"y": 1}, "expected": 2}]}
            """, to: "bad.json", in: dir)
        let result = try StoreCLI.run(["formula", "register", bad, "--db", db, "--json"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.json: $.test_cases[1]: test case 1: expected 7"))
        #expect(result.stderr.contains("bad.json: $.test_cases[2]: test case 2: input `y` is not a declared parameter"))
        let problems = result.json?["error"]?["problems"]?.arrayValue ?? []
        #expect(problems.count == 2)

        let compileError = try StoreCLI.write(StoreCLI.formulaDocument(name: "broken", text: "return gdpGrowth ^ 2;"), to: "broken.json", in: dir)
        let compiled = try StoreCLI.run(["formula", "register", compileError, "--db", db], in: dir)
        #expect(compiled.status == 1)
        #expect(compiled.stderr.contains("$.formula_text 1:18"))
        #expect(compiled.stderr.contains("forbidden.bitwise"))

        let list = try StoreCLI.run(["formula", "list", "--db", db, "--json"], in: dir)
        #expect(list.json == .array([]))
    }

    @Test(arguments: CLIBackend.available)
    func injectionShapedNamesRoundTrip(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let evil = "'); DROP TABLE formulas; --"
        let file = try StoreCLI.write(StoreCLI.formulaDocument(name: evil), to: "evil.json", in: dir)
        let registered = try StoreCLI.run(["formula", "register", file, "--db", db, "--json"], in: dir)
        #expect(registered.json?["name"] == .string(evil), "\(registered.stderr)")
        let shown = try StoreCLI.run(["formula", "show", evil + "@1", "--db", db, "--json"], in: dir)
        #expect(shown.json?["name"] == .string(evil))
        let coefficient = try StoreCLI.run(["coefficient", "add", "--sector", evil, "--type", "gdp_elasticity", "--value", "1.5",
                                            "--effective-date", "2025-01-01", "--notes", evil, "--db", db, "--json"], in: dir)
        #expect(coefficient.json?["sector"] == .string(evil), "\(coefficient.stderr)")
        let listed = try StoreCLI.run(["coefficient", "list", "--db", db, "--json"], in: dir)
        #expect(listed.json?.arrayValue?.first?["notes"] == .string(evil))
    }

    @Test(arguments: CLIBackend.available)
    func coefficientsAddListResolveAndDeactivate(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let old = try StoreCLI.run(["coefficient", "add", "--sector", "SEMICONDUCTOR", "--type", "gdp_elasticity", "--value", "1.6",
                                    "--effective-date", "2024-01-01", "--db", db, "--json"], in: dir)
        let new = try StoreCLI.run(["coefficient", "add", "--sector", "SEMICONDUCTOR", "--type", "gdp_elasticity", "--value", "1.8",
                                    "--effective-date", "2025-01-01", "--r-squared", "0.85", "--db", db, "--json"], in: dir)
        #expect(old.status == 0 && new.status == 0)
        let resolved = try StoreCLI.run(["coefficient", "list", "--as-of", "2025-03-01", "--db", db, "--json"], in: dir)
        #expect(resolved.json?.arrayValue?.map { $0["value"] } == [.number(1.8)])
        let id = try #require(new.json?["id"]?.stringValue)
        let off = try StoreCLI.run(["coefficient", "deactivate", String(id.prefix(8)), "--db", db], in: dir)
        #expect(off.status == 0, "\(off.stderr)")
        let after = try StoreCLI.run(["coefficient", "list", "--as-of", "2025-03-01", "--db", db, "--json"], in: dir)
        #expect(after.json?.arrayValue?.map { $0["value"] } == [.number(1.6)])

        let bad = try StoreCLI.run(["coefficient", "add", "--sector", "S", "--type", "t", "--value", "1",
                                    "--effective-date", "2025-02-30", "--db", db], in: dir)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--effective-date: `2025-02-30` is not a calendar date"))
    }

    @Test func initSampleRegistersTheBundledFormulas() throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(.sqlite)
        defer { cleanup() }
        let result = try StoreCLI.run(["init", "--sample", "--db", db, "--json"], in: dir,
                                      environment: ["CASCADE_FORMULAS": StoreCLI.packageRoot.appendingPathComponent("Formulas").path])
        #expect(result.status == 0, "\(result.stderr)")
        let names = result.json?["formulas"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("gdp_sector_impact"))
        #expect(names.count >= 4)
        let again = try StoreCLI.run(["init", "--sample", "--db", db, "--json"], in: dir,
                                     environment: ["CASCADE_FORMULAS": StoreCLI.packageRoot.appendingPathComponent("Formulas").path])
        #expect(again.json?["formulas"]?.arrayValue?.allSatisfy { $0["new"] == .bool(false) } == true)
        let seed = try StoreCLI.run(["formula", "show", "gdp_sector_impact@1", "--db", db, "--json"], in: dir)
        #expect(seed.json?["parameters"] == (try JSONValue.parse(#"{"baseline": "number", "elasticity": "number", "gdpGrowth": "number"}"#)))
    }

    @Test func theDefaultStoreIsCreatedWithTheSampleOnFirstUse() throws {
        let (dir, _, cleanup) = try StoreCLI.fresh(.sqlite)
        defer { cleanup() }
        let result = try StoreCLI.run(["formula", "list", "--json"], in: dir,
                                      environment: ["CASCADE_FORMULAS": StoreCLI.packageRoot.appendingPathComponent("Formulas").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".cascade/cascade.sqlite").path))
        #expect((result.json?.arrayValue?.count ?? 0) >= 4)
    }
}
