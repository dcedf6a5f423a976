@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Testing

/// A Monte Carlo scenario document: distributions in place of values, `draws`, `seed`,
/// `correlation` and `threshold` — every malformed case a located problem with a stable code.
struct MonteCarloDocumentTests {
    static let head = #""name": "s", "author": "a""#

    /// (members after name and author, "path code" of every problem, in order)
    static let cases: [(String, [String])] = [
        (#""macro_variables": {"x": {"normal": {"mean": 0.025, "sd": 0.005}}}, "draws": 10, "seed": 7"#, []),
        (#""macro_variables": {"x": {"uniform": {"min": 1, "max": 2, "unit": "%"}}, "y": {"triangular": {"min": -1, "mode": 0, "max": 1}}}, "draws": 1, "seed": 0, "threshold": -0.01"#, []),
        // draws and seed are those of a distribution
        (#""macro_variables": {"x": {"normal": {"mean": 0.025, "sd": 0.005}}}, "seed": 1"#, ["$.draws json.missing"]),
        (#""macro_variables": {"x": 0.025}, "draws": 100, "seed": 1, "threshold": 0"#,
         ["$.draws scenario.monte-carlo", "$.seed scenario.monte-carlo", "$.threshold scenario.monte-carlo"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}}, "draws": 0"#, ["$.draws json.range"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}}, "draws": 100001"#, ["$.draws json.range"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}}, "draws": 2.5, "seed": -1"#, ["$.draws json.range", "$.seed json.range"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}}, "draws": 10, "seed": "abc", "threshold": "low""#,
         ["$.seed json.type", "$.threshold json.type"]),
        // the distributions themselves
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": -1}}}, "draws": 10"#, ["$.macro_variables.x.normal.sd json.range"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0}}}, "draws": 10"#, ["$.macro_variables.x.normal.sd json.missing"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1, "sdev": 2}}}, "draws": 10"#, ["$.macro_variables.x.normal.sdev json.unknown-key"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1, "unit": "pct"}}}, "draws": 10"#, ["$.macro_variables.x.normal.unit json.choice"]),
        (#""macro_variables": {"x": {"uniform": {"min": 2, "max": 1}}}, "draws": 10"#, ["$.macro_variables.x.uniform.max json.range"]),
        (#""macro_variables": {"x": {"triangular": {"min": 0, "mode": 3, "max": 1}}}, "draws": 10"#, ["$.macro_variables.x.triangular.mode json.range"]),
        (#""macro_variables": {"x": {"gaussian": {"mean": 0, "sd": 1}}}, "draws": 10"#, ["$.macro_variables.x.gaussian json.unknown-key"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}, "uniform": {"min": 0, "max": 1}}}, "draws": 10"#, ["$.macro_variables.x scenario.distribution"]),
        (#""macro_variables": {"x": {"normal": [0, 1]}}, "draws": 10"#, ["$.macro_variables.x.normal json.type"]),
        // correlation
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}, "y": {"uniform": {"min": 0, "max": 1}}}, "draws": 10, "correlation": {"variables": ["x", "y"], "matrix": [[1, 0.5], [0.5, 1]]}"#, []),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}, "y": {"uniform": {"min": 0, "max": 1}}}, "draws": 10, "correlation": {"variables": ["x", "z"], "matrix": [[1, 0.5], [0.5, 1]]}"#,
         ["$.correlation.variables[1] scenario.correlation"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}, "y": {"uniform": {"min": 0, "max": 1}}}, "draws": 10, "correlation": {"variables": ["x", "x"], "matrix": [[1, 0.5], [0.5, 1]]}"#,
         ["$.correlation.variables[1] scenario.correlation"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}, "y": {"uniform": {"min": 0, "max": 1}}}, "draws": 10, "correlation": {"variables": ["x", "y"], "matrix": [[1, 0.5], [0.4, 1]]}"#,
         ["$.correlation.matrix[1][0] scenario.correlation"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}, "y": {"uniform": {"min": 0, "max": 1}}}, "draws": 10, "correlation": {"variables": ["x", "y"], "matrix": [[0.9, 2], [2, 1]]}"#,
         ["$.correlation.matrix[0][0] scenario.correlation", "$.correlation.matrix[0][1] json.range", "$.correlation.matrix[1][0] json.range"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}, "y": {"uniform": {"min": 0, "max": 1}}}, "draws": 10, "correlation": {"variables": ["x", "y"], "matrix": [[1, 0.5]]}"#,
         ["$.correlation.matrix scenario.correlation"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}, "y": {"uniform": {"min": 0, "max": 1}}}, "draws": 10, "correlation": {"variables": ["x", "y"], "matrix": [[1, 0.5], [0.5]]}"#,
         ["$.correlation.matrix[1] scenario.correlation"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}, "y": {"normal": {"mean": 0, "sd": 1}}, "z": {"normal": {"mean": 0, "sd": 1}}}, "draws": 10, "correlation": {"variables": ["x", "y", "z"], "matrix": [[1, -0.9, -0.9], [-0.9, 1, -0.9], [-0.9, -0.9, 1]]}"#,
         ["$.correlation.matrix scenario.correlation"]),
        (#""macro_variables": {"x": {"normal": {"mean": 0, "sd": 1}}}, "draws": 10, "correlation": {"vars": ["x"], "matrix": [[1]]}"#,
         ["$.correlation.vars json.unknown-key", "$.correlation.variables json.missing"]),
    ]

    @Test(arguments: MonteCarloDocumentTests.cases)
    func everyMalformedMonteCarloDocumentIsLocated(_ members: String, _ expected: [String]) throws {
        let problems = try DocumentProblemTests.scenarioProblems("{\(Self.head), \(members)}")
        #expect(problems.map { "\($0.path) \($0.code)" } == expected, "\(problems)")
        if !expected.isEmpty { #expect(problems.allSatisfy { !$0.message.isEmpty }) }
    }

    /// Hints: a missing `draws` says what to add; an unknown correlated variable names the near one.
    @Test func problemsCarryAHint() throws {
        let missing = try DocumentProblemTests.scenarioProblems(#"{"name": "s", "author": "a", "macro_variables": {"fed_funds_rate": {"normal": {"mean": 0.025, "sd": 0.005}}}}"#)
        #expect(missing.first?.message.contains("`fed_funds_rate`") == true)
        #expect(missing.first?.hint?.contains("\"draws\"") == true, "\(missing)")
        let near = try DocumentProblemTests.scenarioProblems(#"{"name": "s", "author": "a", "macro_variables": {"fed_funds_rate": {"normal": {"mean": 0.025, "sd": 0.005}}, "us_cpi": {"normal": {"mean": 0.03, "sd": 0.01}}}, "draws": 5, "correlation": {"variables": ["fed_fund_rate", "us_cpi"], "matrix": [[1, 0], [0, 1]]}}"#)
        #expect(near.first?.hint == "did you mean `fed_funds_rate`?", "\(near)")
    }

    /// Units divide every parameter; the variable's central value is the distribution's mean;
    /// the canonical document writes decimals and the seed (0 when none was given), and reads
    /// back to the same scenario.
    @Test func parametersAreNormalisedAndTheCanonicalDocumentRoundTrips() throws {
        let text = #"{"name": "s", "author": "a", "macro_variables": {"r": {"normal": {"mean": 2.5, "sd": 50, "unit": "bp"}}, "u": {"uniform": {"min": 1, "max": 3, "unit": "%"}}, "t": {"triangular": {"min": 0, "mode": 0.03, "max": 0.06}}, "p": 0.01}, "draws": 200, "correlation": {"variables": ["u", "r"], "matrix": [[1, 0.3], [0.3, 1]]}}"#
        let scenario = try Scenario.parse(try JSONValue.parse(text), defaultAsOf: "2025-06-30")
        let mc = try #require(scenario.monteCarlo)
        #expect(mc.distributions["r"] == .normal(mean: 0.00025, sd: 0.005))
        #expect(mc.distributions["u"] == .uniform(min: 0.01, max: 0.03))
        #expect(mc.draws == 200 && mc.seed == 0 && mc.threshold == 0)
        #expect(scenario.macroVariables["u"] == 0.02 && scenario.macroVariables["t"] == 0.03 && scenario.macroVariables["p"] == 0.01)
        #expect(mc.variables == ["r", "t", "u"])
        let json = scenario.json
        #expect(json["seed"] == .number(0))
        #expect(json["macro_variables"]?["u"] == .object(JSONObject([("uniform", .object(JSONObject([("min", .number(0.01)), ("max", .number(0.03))])))])))
        let again = try Scenario.parse(json, defaultAsOf: "2000-01-01")
        #expect(again == scenario)
    }

    /// The fingerprint of `fed-rate-cut-2025.json` over the sample world. First recorded on the
    /// engine before Monte Carlo scenarios existed (`cascade-engine/3`:
    /// `xxh3-128:45baf68e4521e910233a1f25ee4ac195`, which h-snap's build without the Monte Carlo
    /// members gave, as main's did); re-recorded for `cascade-engine/4`, whose world digest is
    /// `WorldDigest` (a sum of per-row hashes): every fingerprint changed with it, and a point
    /// scenario still adds nothing of Monte Carlo to its fingerprint.
    static let pointFingerprint = "xxh3-128:b33beb7c45ddac0ccf66bc329ec4178b"

    /// A point scenario's document and fingerprint are unchanged by the Monte Carlo members; a
    /// Monte Carlo one's fingerprint moves with its draws and its seed.
    @Test func aPointScenarioIsUnchangedAndTheDrawsAreFingerprinted() throws {
        try ScenarioServiceTests.Backend.sqlite.withSampleStore { store in
            let world = try EngineWorld.load(from: store)
            let point = try Scenario.parse(try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json"), defaultAsOf: "2025-06-30")
            #expect(point.monteCarlo == nil && point.json["draws"] == nil && point.json["seed"] == nil)
            let fingerprint = try Engine.prepare(point, world: world).fingerprint
            #expect(fingerprint == Self.pointFingerprint, "a point scenario's fingerprint changed")
            var drawn = point
            drawn.monteCarlo = MonteCarlo(draws: 10, seed: 1, distributions: ["fed_funds_rate": .normal(mean: 0.025, sd: 0)])
            let a = try Engine.prepare(drawn, world: world).fingerprint
            drawn.monteCarlo?.seed = 2
            let b = try Engine.prepare(drawn, world: world).fingerprint
            drawn.monteCarlo?.draws = 11
            let c = try Engine.prepare(drawn, world: world).fingerprint
            #expect(Set([fingerprint, a, b, c]).count == 4)
        }
    }

    /// The plausibility check of a `%` variable applies to each parameter of its distribution,
    /// at the parameter's path; with `"unit"` the parameters mean what they say.
    @Test func distributionParametersMeetThePlausibilityCheck() throws {
        try ScenarioServiceTests.Backend.sqlite.withSampleStore { store in
            let service = ScenarioService(store: store)
            let bare = try JSONValue.parse(#"{"name": "s", "author": "a", "macro_variables": {"fed_funds_rate": {"normal": {"mean": 2.5, "sd": 0.5}}}, "draws": 10, "seed": 1}"#)
            #expect {
                _ = try service.submit(bare, today: "2025-06-30")
            } throws: { error in
                let problems = (error as? ScenarioError)?.problems ?? []
                return problems.map { "\($0.path) \($0.code)" } == ["$.macro_variables.fed_funds_rate.normal.mean scenario.implausible-value"]
                    && (problems[0].hint ?? "").contains("did you mean 0.025")
            }
            let explicit = try JSONValue.parse(#"{"name": "s", "author": "a", "macro_variables": {"fed_funds_rate": {"normal": {"mean": 2.5, "sd": 0.5, "unit": "%"}}}, "draws": 10, "seed": 1}"#)
            _ = try service.submit(explicit, today: "2025-06-30")
        }
    }
}
