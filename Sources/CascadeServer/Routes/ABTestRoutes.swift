import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    /// Champion and challenger for calibration scripts: compare (and record), list, promote, reject, roll back.
    static let abTestEndpoints: [Endpoint] = [
        Endpoint(method: .post, path: "/v1/formulas/{name}/compare", access: .calibrators, query: ["record"], hasBody: true,
                 summary: "Compare two versions of a formula on one backtest and on scenarios") { call in
            let name = call.parameter("name")
            var problems: [Problem] = []
            let request = ComparisonRequest.decode(call.document, problems: &problems)
            let today = CalendarDate.today()
            var scenarios: [Scenario] = []
            for (i, document) in (request?.scenarios ?? []).enumerated() {
                do {
                    scenarios.append(try Scenario.parse(document, defaultAsOf: today))
                } catch let error as ScenarioError {
                    let place = JSONPath.root.appending("scenarios").appending(i).description
                    problems += error.problems.map { Problem(path: place + $0.path.dropFirst(), code: "scenario.invalid", message: $0.message) }
                }
            }
            guard let request, problems.isEmpty else {
                throw APIError(.badRequest, "invalid_comparison",
                               "the comparison request has \(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was run",
                               path: problems.first?.path, hint: "fix every problem listed", problems: problems)
            }
            let record = try call.flag("record")
            let parsed = scenarios
            let (comparison, runs, test) = try await call.store { store in
                var spec = request.backtest
                spec.formula = FormulaReference(name: name, version: request.control)
                let control = try store.backtest(spec)
                spec.formula = FormulaReference(name: name, version: request.treatment)
                let treatment = try store.backtest(spec)
                let comparison = FormulaComparison(control: control, treatment: treatment, metric: request.metric,
                                                   minImprovement: request.minImprovement)
                var runs: [ScenarioComparison] = []
                if !parsed.isEmpty {
                    let world = try EngineWorld.load(from: store)
                    let (a, b) = (FormulaReference(name: name, version: request.control), FormulaReference(name: name, version: request.treatment))
                    runs = try parsed.map { try ScenarioComparison.run($0, world: world, control: a, treatment: b, top: request.top) }
                }
                let test = record ? try store.recordABTest(comparison, name: request.name ?? "\(name)@\(request.control) vs @\(request.treatment)") : nil
                return (comparison, runs, test)
            }
            guard case .object(var object) = comparison.json else { preconditionFailure("a comparison is a JSON object") }
            object["scenarios"] = .array(runs.map(\.json))
            object["ab_test"] = test?.json ?? .null
            return .json(.object(JSONObject([("ok", .bool(true))] + object.pairs.map { ($0.key, $0.value) })), status: test == nil ? .ok : .created)
        },
        Endpoint(method: .get, path: "/v1/ab-tests", access: .everyone, query: ["formula"], summary: "List the recorded A/B tests") { call in
            let formula = call.query["formula"]
            let tests = try await call.store { store in try store.abTests(formula: formula) }
            return .json(.object(JSONObject([("tests", .array(tests.map(\.json)))])))
        },
        Endpoint(method: .post, path: "/v1/ab-tests/{id}/promote", access: .calibrators, query: ["force"],
                 summary: "Promote an A/B test's treatment (and deactivate its control)") { call in
            let id = call.parameter("id")
            let force = try call.flag("force")
            let test = try await call.store { store in
                let recorded = try store.abTest(id)
                let treatment = try store.formula(FormulaReference(name: recorded.formulaName, version: recorded.treatmentVersion))
                if !treatment.isActive {
                    try refuse(FormulaRollout.breakage(of: RegistryFormula(treatment), in: try EngineWorld.load(from: store)),
                               "promoting \(treatment.reference)", force: force)
                }
                return try store.conclude(id, .promoted)
            }
            return .json(.object(JSONObject([("ok", .bool(true)), ("ab_test", test.json)])))
        },
        Endpoint(method: .post, path: "/v1/ab-tests/{id}/reject", access: .calibrators, summary: "Reject an A/B test's treatment") { call in
            let id = call.parameter("id")
            let test = try await call.store { store in try store.conclude(id, .rejected) }
            return .json(.object(JSONObject([("ok", .bool(true)), ("ab_test", test.json)])))
        },
        Endpoint(method: .post, path: "/v1/formulas/{name}/rollback", access: .calibrators,
                 summary: "Undo the last promotion of a formula") { call in
            let name = call.parameter("name")
            let test = try await call.store { store in try store.rollback(formula: name) }
            return .json(.object(JSONObject([("ok", .bool(true)), ("ab_test", test.json)])))
        },
    ]
}
