import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    static let formulaEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/formulas", access: .everyone, query: ["as_of"],
                 summary: "List the registered formula names") { call in
            let asOf = call.query["as_of"]
            if let asOf, !CalendarDate.isValid(asOf) {
                throw APIError.badRequest("`\(asOf)` is not a calendar date", path: "?as_of", hint: "write YYYY-MM-DD")
            }
            let summaries = try await call.store { store in try store.formulaSummaries(asOf: asOf) }
            return .json(.object(JSONObject([("formulas", .array(summaries.map(\.json)))])))
        },
        Endpoint(method: .post, path: "/v1/formulas", access: .calibrators, query: ["inactive", "force", "allow_untested", "trust_claimed", "dry_run"], hasBody: true,
                 summary: "Register a formula version") { call in
            var problems: [Problem] = []
            guard let document = FormulaDocument.decode(call.document, file: nil, problems: &problems) else {
                throw APIError(.badRequest, "invalid_formula_document",
                               "the formula document has \(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was registered",
                               path: problems.first?.path, hint: "fix every problem listed", problems: problems)
            }
            let (inactive, force, allowUntested) = (try call.flag("inactive"), try call.flag("force"), try call.flag("allow_untested"))
            let (trustClaimed, dryRun) = (try call.flag("trust_claimed"), try call.flag("dry_run"))
            let outcome = try await call.store { store -> RegisterOutcome in
                let check = try store.checkForRegistration(document, allowUntested: allowUntested, trustClaimed: trustClaimed)
                let existing = try store.existingVersion(of: document)
                var breakage: [EngineError.Problem] = []
                if !inactive, existing == nil {
                    breakage = FormulaRollout.breakage(registering: document, in: try EngineWorld.load(from: store))
                    try refuse(breakage, "registering a new version of `\(document.name)`", force: force)
                }
                if dryRun {
                    let version = try existing ?? (store.history(named: document.name).map(\.version).max() ?? 0) + 1
                    return .preview(.object(JSONObject([
                        ("ok", .bool(true)), ("name", .string(document.name)), ("version", .number(Double(version))),
                        ("new", .bool(existing == nil)), ("content_hash", .string(document.contentHash)),
                        ("is_active", .bool(!inactive)), ("dry_run", .bool(true)),
                        ("breaks", .array(breakage.map(FormulaRollout.json))), ("warnings", .array(check.warnings.map(\.json))),
                    ])))
                }
                return .registered(try store.register(document, isActive: !inactive, allowUntested: allowUntested, trustClaimed: trustClaimed))
            }
            switch outcome {
            case .preview(let preview):
                return .json(preview)
            case .registered(let registration):
                var reply = APIReply.json(registration.json, status: registration.isNew ? .created : .ok)
                reply.headers.append(("Location", "/v1/formulas/\(registration.name)/versions/\(registration.version)"))
                return reply
            }
        },
        Endpoint(method: .get, path: "/v1/formulas/{name}", access: .everyone, summary: "Show every version of a formula") { call in
            let name = call.parameter("name")
            let history = try await call.store { store in try store.history(named: name) }
            guard !history.isEmpty else { throw APIError.notFound("no formula `\(name)`") }
            return .json(.object(JSONObject([("name", .string(name)), ("versions", .array(history.map(\.json)))])))
        },
        Endpoint(method: .get, path: "/v1/formulas/{name}/versions/{version}", access: .everyone,
                 summary: "Show one formula version") { call in
            let reference = try formulaReference(call)
            return .json(try await call.store { store in try store.formula(reference) }.json)
        },
        Endpoint(method: .post, path: "/v1/formulas/{name}/versions/{version}/activate", access: .calibrators, query: ["force", "dry_run"],
                 summary: "Activate a formula version") { call in
            try await toggle(call, true)
        },
        Endpoint(method: .get, path: "/v1/formulas/{name}/diff", access: .everyone, query: ["a", "b", "top"],
                 summary: "Show where two versions of a formula differ: text and computed values") { call in
            let name = call.parameter("name")
            let (a, b) = (try versionQuery(call, "a"), try versionQuery(call, "b"))
            let top = try call.integer("top", default: 10, in: 1...10_000)
            let diff = try await call.store { store in
                try store.diff(FormulaReference(name: name, version: a), FormulaReference(name: name, version: b))
            }
            return .json(diff.json(top: top))
        },
        Endpoint(method: .post, path: "/v1/formulas/{name}/versions/{version}/deactivate", access: .calibrators,
                 summary: "Deactivate a formula version") { call in
            try await toggle(call, false)
        },
        Endpoint(method: .post, path: "/v1/formulas/{name}/versions/{version}/test", access: .everyone,
                 summary: "Re-run a formula version's test cases") { call in
            let reference = try formulaReference(call)
            let (version, check) = try await call.store { store in try store.retest(reference) }
            return .json(check.json(for: version))
        },
        Endpoint(method: .get, path: "/v1/formulas/{name}/versions/{version}/coverage", access: .everyone,
                 summary: "Show what a formula version's test cases leave unexercised") { call in
            let reference = try formulaReference(call)
            let (version, check) = try await call.store { store in try store.retest(reference) }
            guard let coverage = check.coverage else {
                throw APIError(StoreError(.invalidInput, "\(version.reference) does not compile with this server", problems: check.problems))
            }
            return .json(coverage.json(for: version))
        },
        Endpoint(method: .post, path: "/v1/formulas/{name}/versions/{version}/backtest", access: .calibrators, query: ["store"],
                 hasBody: true, summary: "Backtest a formula version on stored history") { call in
            let reference = try formulaReference(call)
            var problems: [Problem] = []
            guard var spec = BacktestSpec.decode(call.document, embedded: true, problems: &problems) else {
                throw APIError(.badRequest, "invalid_backtest_spec",
                               "the backtest spec has \(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was run",
                               path: problems.first?.path, hint: "fix every problem listed", problems: problems)
            }
            if let named = spec.formula, named.name != reference.name || (named.version ?? reference.version) != reference.version {
                throw APIError.badRequest("the spec names `\(named)`, the path \(reference)", path: "$.formula",
                                          hint: "leave `formula` out: the path names the version")
            }
            spec.formula = reference
            let record = try call.flag("store")
            let named = spec
            let result = try await call.store { store in
                let result = try store.backtest(named)
                if record { try store.recordBacktest(result) }
                return result
            }
            guard case .object(var object) = result.json else { return .json(result.json) }
            object["stored"] = .bool(record)
            return .json(.object(object))
        },
    ]

    /// What `POST /v1/formulas` did: registered a version, or (`?dry_run=true`) described what it would do.
    private enum RegisterOutcome: Sendable {
        case registered(Registration)
        case preview(JSONValue)
    }

    /// A 409 listing every relationship `breakage` names, unless `force`.
    static func refuse(_ breakage: [EngineError.Problem], _ action: String, force: Bool) throws {
        guard !breakage.isEmpty, !force else { return }
        throw FormulaRollout.refusal(breakage, action, override: "?force=true")
    }

    static func formulaReference(_ call: APICall) throws -> FormulaReference {
        let text = call.parameter("version")
        guard let version = Int(text), version >= 1 else {
            throw APIError.badRequest("`\(text)` is not a version number", path: "version", hint: "versions are 1, 2, 3…")
        }
        return FormulaReference(name: call.parameter("name"), version: version)
    }

    /// A required version-number query parameter (`?a=2`).
    static func versionQuery(_ call: APICall, _ name: String) throws -> Int {
        let text = call.query[name] ?? ""
        guard let version = Int(text), version >= 1 else {
            throw APIError.badRequest(text.isEmpty ? "query parameter `\(name)` is required" : "`\(text)` is not a version number",
                                      path: "?\(name)", hint: "versions are 1, 2, 3…, e.g. ?a=1&b=2")
        }
        return version
    }

    private static func toggle(_ call: APICall, _ isActive: Bool) async throws -> APIReply {
        let reference = try formulaReference(call)
        let force = isActive ? try call.flag("force") : false
        let dryRun = isActive ? try call.flag("dry_run") : false
        let (changed, version, breakage) = try await call.store { store in
            let stored = try store.formula(reference)
            var breakage: [EngineError.Problem] = []
            if isActive && !stored.isActive {
                breakage = FormulaRollout.breakage(of: RegistryFormula(stored), in: try EngineWorld.load(from: store))
                try refuse(breakage, "activating \(reference)", force: force)
            }
            if dryRun { return (stored.isActive != isActive, stored, breakage) }
            return (try store.setActive(reference, isActive), try store.formula(reference), breakage)
        }
        if dryRun {
            return .json(.object(JSONObject([("formula", .string(reference.description)), ("is_active", .bool(isActive)),
                                             ("changed", .bool(false)), ("would_change", .bool(changed)), ("dry_run", .bool(true)),
                                             ("breaks", .array(breakage.map(FormulaRollout.json)))])))
        }
        return .json(.object(JSONObject([("formula", .string(reference.description)), ("is_active", .bool(version.isActive)),
                                         ("changed", .bool(changed))])))
    }
}
