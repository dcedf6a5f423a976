import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing

/// `cascade backtest --from A --to B`: the realized macro moves replayed through the graph and
/// scored against `financial_data`, on a tiny world computed by hand and on the bundled sample,
/// with the metrics recomputed by numpy.
@Suite("cascade backtest (whole-graph replay)")
struct BacktestCommandTests {
    /// `rate` is a `%` variable whose MACRO entity's current value (9 %) is not its history: the
    /// replay's baseline must be the 2.2 % of 2020-01-01, its scenario value the 4.4 % of 2020-06-30,
    /// written as decimals as an author would (0.044, not 4.4), to the last bit as the engine
    /// normalises (4.4 · 0.01). `oil` is an index (80 → 60). Rows after the window are ignored.
    ///
    /// By hand: a = −2 · (0.044 − 0.022) = −0.044; b = (60 − 80) / 100 = −0.2; c = 0.5 · a + b = −0.222;
    /// d = −1 · b = 0.2. Observed: a 100 → 90 (−0.1), b 50 → 30 (−0.4), c 20 → 19 (−0.05, the
    /// row of 2019-12-01 is the latest on or before --from), d 10 → 9 (−0.1, sign wrong);
    /// e has no row on or before --from and is left out.
    static let world = #"""
        {"entities": [
          {"id": "macro-rate", "type": "MACRO", "name": "Rate", "category": "INTEREST_RATE", "ontology_level": 0,
           "metadata": {"variable": "rate", "unit": "%", "current_value": 9.0}},
          {"id": "macro-oil", "type": "MACRO", "name": "Oil", "category": "COMMODITY", "ontology_level": 0,
           "metadata": {"variable": "oil", "unit": "index", "current_value": 75}},
          {"id": "co-a", "type": "COMPANY", "name": "A", "category": "X", "ontology_level": 1},
          {"id": "co-b", "type": "COMPANY", "name": "B", "category": "X", "ontology_level": 1},
          {"id": "co-c", "type": "COMPANY", "name": "C", "category": "X", "ontology_level": 2},
          {"id": "co-d", "type": "COMPANY", "name": "D", "category": "X", "ontology_level": 2},
          {"id": "co-e", "type": "COMPANY", "name": "E", "category": "X", "ontology_level": 2}],
         "relationships": [
          {"id": "r1", "source_entity_id": "macro-rate", "target_entity_id": "co-a", "type": "IMPACTS", "impact_formula": "return -2 * source.delta;"},
          {"id": "r2", "source_entity_id": "macro-oil", "target_entity_id": "co-b", "type": "IMPACTS", "impact_formula": "return source.delta / 100;"},
          {"id": "r3", "source_entity_id": "co-a", "target_entity_id": "co-c", "type": "SUPPLIES", "weight": 0.5},
          {"id": "r4", "source_entity_id": "co-b", "target_entity_id": "co-c", "type": "SUPPLIES"},
          {"id": "r5", "source_entity_id": "co-b", "target_entity_id": "co-d", "type": "SUPPLIES", "metadata": {"propagation": {"sign": -1}}},
          {"id": "r6", "source_entity_id": "co-b", "target_entity_id": "co-e", "type": "SUPPLIES"}],
         "macro_data": [
          {"date": "2020-01-01", "variable_name": "rate", "value": 2.2, "unit": "%"},
          {"date": "2020-06-30", "variable_name": "rate", "value": 4.4, "unit": "%"},
          {"date": "2021-01-01", "variable_name": "rate", "value": 4.0, "unit": "%"},
          {"date": "2019-12-31", "variable_name": "oil", "value": 80, "unit": "index"},
          {"date": "2020-06-01", "variable_name": "oil", "value": 60, "unit": "index"},
          {"date": "2020-07-15", "variable_name": "oil", "value": 70, "unit": "index"}],
         "financial_data": [
          {"entity_id": "co-a", "date": "2020-01-10", "share_price": 100},
          {"entity_id": "co-a", "date": "2020-06-30", "share_price": 90},
          {"entity_id": "co-a", "date": "2020-07-10", "share_price": 50},
          {"entity_id": "co-b", "date": "2020-01-15", "share_price": 50},
          {"entity_id": "co-b", "date": "2020-07-01", "share_price": 30},
          {"entity_id": "co-c", "date": "2019-12-01", "share_price": 20},
          {"entity_id": "co-c", "date": "2020-03-01", "share_price": 10},
          {"entity_id": "co-c", "date": "2020-06-15", "share_price": 19},
          {"entity_id": "co-d", "date": "2020-01-01", "share_price": 10},
          {"entity_id": "co-d", "date": "2020-07-01", "share_price": 9},
          {"entity_id": "co-e", "date": "2020-02-01", "share_price": 5},
          {"entity_id": "co-e", "date": "2020-06-01", "share_price": 6}]}
        """#

    /// n, r², MAE, RMSE, bias and the sign share of (observed, predicted) pairs, by numpy.
    static let numpy = """
        import json, sys
        import numpy as np
        groups = json.loads(sys.stdin.read())
        out = {}
        for name, pairs in groups.items():
            y = np.array([p[0] for p in pairs]); p = np.array([p[1] for p in pairs]); e = y - p
            out[name] = {"n": len(y), "r_squared": float(1 - np.sum(e ** 2) / np.sum((y - y.mean()) ** 2)),
                         "mae": float(np.mean(np.abs(e))), "rmse": float(np.sqrt(np.mean(e ** 2))),
                         "bias": float(np.mean(p - y)), "sign_share": float(np.mean(np.sign(y) == np.sign(p)))}
        print(json.dumps(out))
        """

    /// The metrics of each group of `(observed, predicted)` pairs, computed by numpy.
    static func numpyMetrics(_ groups: [String: [(Double, Double)]], in dir: URL) throws -> JSONValue {
        let input = JSONValue.object(JSONObject(groups.sorted { $0.key < $1.key }.map { name, pairs in
            (name, JSONValue.array(pairs.map { .array([.number($0.0), .number($0.1)]) }))
        })).serialized()
        let script = try StoreCLI.write(Self.numpy, to: "metrics.py", in: dir)
        let reference = try PackageExecutables.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "python3 \(script) <<'EOF'\n\(input)\nEOF"], in: dir)
        try #require(reference.status == 0, "numpy (scripts/setup.sh installs it): \(reference.stderr)")
        return try #require(try? JSONValue.parse(reference.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    static func expectClose(_ ours: JSONValue?, _ theirs: JSONValue?, _ what: String) throws {
        #expect(ours?["n"]?.numberValue == theirs?["n"]?.numberValue, "\(what) n")
        for key in ["r_squared", "mae", "rmse", "bias", "sign_share"] {
            let a = try #require(ours?[key]?.numberValue, "\(what) \(key)"), b = try #require(theirs?[key]?.numberValue)
            #expect(abs(a - b) <= 1e-9, "\(what) \(key): cascade \(a), numpy \(b)")
        }
    }

    static func tinyStore(_ backend: CLIBackend) throws -> (dir: URL, db: String, cleanup: () -> Void) {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let imported = try StoreCLI.run(["import", try StoreCLI.write(Self.world, to: "world.json", in: dir), "--db", db], in: dir)
        try #require(imported.status == 0, "\(imported.stderr)")
        return (dir, db, cleanup)
    }

    @Test(arguments: CLIBackend.available)
    func aTinyWorldScoresAsComputedByHand(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try Self.tinyStore(backend)
        defer { cleanup() }
        let run = try StoreCLI.run(["backtest", "--from", "2020-01-15", "--to", "2020-07-01", "--json", "--db", db], in: dir)
        try #require(run.status == 0, "\(run.stderr)")
        let replay = try #require(run.json)

        // The scenario is what an author would write: decimals for `%`, the index as is; the
        // baselines are the history at --from, not the entities' current values.
        #expect(replay["scenario"]?["macro_variables"] == .object(JSONObject([("oil", .number(60)), ("rate", .number(4.4 * 0.01))])))
        #expect(replay["baselines"] == .object(JSONObject([("oil", .number(80)), ("rate", .number(2.2 * 0.01))])))

        let expected: [(id: String, level: Int, predicted: Double, observed: Double)] = [
            ("co-a", 1, -0.044, -0.1), ("co-b", 1, -0.2, -0.4), ("co-c", 2, -0.222, -0.05), ("co-d", 2, 0.2, -0.1),
        ]
        let entities = replay["entities"]?.arrayValue ?? []
        #expect(entities.map { $0["id"]?.stringValue ?? "?" } == expected.map(\.id))
        for (entity, want) in zip(entities, expected) {
            #expect(entity["level"]?.numberValue == Double(want.level))
            #expect(abs((entity["predicted"]?.numberValue ?? .nan) - want.predicted) <= 1e-12, "\(want.id) predicted \(entity)")
            #expect(abs((entity["observed"]?.numberValue ?? .nan) - want.observed) <= 1e-12, "\(want.id) observed \(entity)")
        }
        #expect(replay["left_out"]?.arrayValue?.map { $0["id"] } == [.string("co-e")])

        let reference = try Self.numpyMetrics([
            "all": expected.map { ($0.observed, $0.predicted) },
            "1": expected.filter { $0.level == 1 }.map { ($0.observed, $0.predicted) },
            "2": expected.filter { $0.level == 2 }.map { ($0.observed, $0.predicted) },
        ], in: dir)
        try Self.expectClose(replay["overall"], reference["all"], "overall")
        let levels = replay["levels"]?.arrayValue ?? []
        #expect(levels.map { $0["level"] } == [.number(1), .number(2)])
        for level in levels { try Self.expectClose(level, reference[String(Int(level["level"]?.numberValue ?? -1))], "level \(level["level"]!)") }
        #expect(replay["overall"]?["sign_share"] == .number(0.75))
        #expect(levels.map { $0["sign_share"] } == [.number(1), .number(0.5)])

        // The human table: a row per level and the overall one.
        let text = try StoreCLI.run(["backtest", "--from", "2020-01-15", "--to", "2020-07-01", "--db", db], in: dir)
        #expect(text.status == 0, "\(text.stderr)")
        for part in ["replay of 2020-01-15 … 2020-07-01: 2 macro variables, scored on `share_price`", "sign right", "  all",
                     "left out 1 entity, e.g. co-e"] {
            #expect(text.stdout.contains(part), "\(part) in \(text.stdout)")
        }
    }

    @Test(arguments: CLIBackend.available)
    func theBundled2008And2020WindowsMatchNumpy(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        for (from, to) in [("2007-10-09", "2009-03-09"), ("2020-02-19", "2020-03-23")] {
            let run = try StoreCLI.run(["backtest", "--from", from, "--to", to, "--metric", "share_price", "--json", "--db", db], in: dir)
            try #require(run.status == 0, "\(run.stderr)")
            let replay = try #require(run.json)
            let entities = replay["entities"]?.arrayValue ?? []
            #expect(entities.count >= 30, "\(from): \(entities.count) entities scored")
            // Observed recomputed from the two rows each entity reports; predicted as the engine gave it.
            var groups: [String: [(Double, Double)]] = [:]
            for entity in entities {
                let a = try #require(entity["from_value"]?.numberValue), b = try #require(entity["to_value"]?.numberValue)
                #expect(entity["from_date"] == .string(from) && entity["to_date"] == .string(to))
                let pair = ((b - a) / a, try #require(entity["predicted"]?.numberValue))
                groups["all", default: []].append(pair)
                groups[String(Int(entity["level"]?.numberValue ?? -1)), default: []].append(pair)
            }
            let reference = try Self.numpyMetrics(groups, in: dir)
            try Self.expectClose(replay["overall"], reference["all"], "\(from) overall")
            let levels = replay["levels"]?.arrayValue ?? []
            #expect(levels.map { $0["level"] } == [.number(2), .number(3)], "sector ETFs at level 2, companies at 3")
            for level in levels { try Self.expectClose(level, reference[String(Int(level["level"]?.numberValue ?? -1))], "\(from) level") }
            #expect(replay["scenario"]?["macro_variables"]?["fed_funds_rate"] == .number(0.0025))
        }
    }

    @Test(arguments: CLIBackend.available)
    func badWindowsAndMetricsAreRefusedAndNothingIsStored(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try Self.tinyStore(backend)
        defer { cleanup() }
        let cases: [(arguments: [String], message: String, hint: String)] = [
            (["--from", "2020-01-15", "--to", "2020-07-01", "--metric", "price"], "`price` is not a financial_data metric", "share_price"),
            (["--from", "2020-07-01", "--to", "2020-01-15"], "--from 2020-07-01 is not before --to 2020-01-15", "earlier date"),
            (["--from", "2020-07-01", "--to", "2020-07-01"], "--from 2020-07-01 is not before --to 2020-07-01", "earlier date"),
            (["--from", "2020-1-15", "--to", "2020-07-01"], "--from `2020-1-15` is not a date", "YYYY-MM-DD"),
            (["--from", "2022-01-01", "--to", "2022-06-01"], "no macro_data between 2022-01-01 and 2022-06-01", "cascade import"),
            (["--from", "2019-01-01", "--to", "2019-12-31"], "no macro_data between 2019-01-01 and 2019-12-31", "cascade import"),
            (["--from", "2020-01-15", "--to", "2020-07-01", "--metric", "revenue"], "no entity has `revenue` on or before both", "financial_data"),
        ]
        for c in cases {
            let run = try StoreCLI.run(["backtest"] + c.arguments + ["--db", db], in: dir)
            #expect(run.status != 0, "\(c.arguments) should fail")
            #expect(run.stderr.contains(c.message), "\(c.arguments): \(run.stderr)")
            #expect(run.stderr.contains(c.hint), "\(c.arguments): \(run.stderr)")
        }
        let listed = try StoreCLI.run(["scenario", "list", "--json", "--db", db], in: dir)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!listed.stdout.contains("Replay"), "a replay stores no scenario: \(listed.stdout)")
    }
}
