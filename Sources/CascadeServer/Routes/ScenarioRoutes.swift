import Foundation
import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    static let scenarioEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/scenarios", access: .everyone, query: ["author", "limit", "offset"],
                 summary: "List the scenarios you can see") { call in
            let limit = try call.integer("limit", default: 100, in: 1...1000)
            let offset = try call.integer("offset", default: 0, in: 0...Int(Int32.max))
            let user = call.user
            let author = call.query["author"]
            let scenarios = try await call.store { store in
                try store.scenarios(visibleTo: user.isAdmin ? nil : user.username, author: author, limit: limit, offset: offset)
            }
            return .json(.object(JSONObject([
                ("scenarios", .array(scenarios.map(\.summaryJSON))), ("limit", .number(Double(limit))),
                ("offset", .number(Double(offset))),
            ])))
        },
        Endpoint(method: .post, path: "/v1/scenarios", access: .authors, query: ["sensitivities"], hasBody: true,
                 summary: "Submit a scenario as its author") { call in
            // `?sensitivities=true` is `"sensitivities": true` in the document: its runs carry them.
            let document = try call.flag("sensitivities") ? withSensitivities(call.document) : call.document
            try requireOwnAuthor(document, call.user)
            let (id, scenario) = try await call.store { store in
                try ScenarioService(store: store).submit(document, today: CalendarDate.today())
            }
            var reply = APIReply.json(.object(JSONObject([
                ("id", .string(id)), ("name", .string(scenario.name)), ("author", .string(scenario.author)),
                ("as_of", .string(scenario.asOf)), ("is_public", .bool(scenario.isPublic)),
            ])), status: .created)
            reply.headers.append(("Location", "/v1/scenarios/\(id)"))
            return reply
        },
        Endpoint(method: .get, path: "/v1/scenarios/{id}", access: .everyone, summary: "Show a scenario") { call in
            let scenario = try await visibleScenario(call)
            var summary = scenario.summaryJSON.objectValue ?? JSONObject()
            summary["scenario"] = scenario.document
            return .json(.object(summary))
        },
        Endpoint(method: .put, path: "/v1/scenarios/{id}", access: .authors, hasBody: true,
                 summary: "Replace your scenario's document") { call in
            let document = call.document
            let id = call.parameter("id"), user = call.user
            let scenario = try Scenario.parse(document, defaultAsOf: CalendarDate.today())
            try await call.store { store in
                if let existing = try store.scenario(id), existing.id == id.lowercased() {
                    guard user.canSee(existing) else { throw APIError.notFound("no scenario `\(id)` that you can see") }
                    if scenario.author != existing.author {
                        throw APIError.forbidden("a scenario keeps its author (`\(existing.author)`)", hint: "submit a new scenario instead")
                    }
                }
                try store.replaceScenario(id, name: scenario.name, description: scenario.description, author: scenario.author,
                                          asOf: scenario.asOf, isPublic: scenario.isPublic, document: scenario.json,
                                          by: user.username, isAdmin: user.isAdmin)
            }
            return .json(.object(JSONObject([("id", .string(id.lowercased())), ("name", .string(scenario.name)),
                                             ("as_of", .string(scenario.asOf)), ("is_public", .bool(scenario.isPublic))])))
        },
        Endpoint(method: .delete, path: "/v1/scenarios/{id}", access: .authors, summary: "Delete your scenario") { call in
            let id = call.parameter("id"), user = call.user
            try await call.store { store in try store.deleteScenario(id, by: user.username, isAdmin: user.isAdmin) }
            return .noContent
        },
    ]

    /// A scenario the caller may see (public, their own, or any for an admin); 404 otherwise.
    /// On PostgreSQL row-level security filters the same way underneath.
    static func visibleScenario(_ call: APICall, parameter: String = "id") async throws -> StoredScenario {
        try await visibleScenario(call, id: call.parameter(parameter))
    }

    /// The scenario `id` when the caller can see it; otherwise 404.
    static func visibleScenario(_ call: APICall, id: String) async throws -> StoredScenario {
        let user = call.user
        let scenario = try await call.store { store -> StoredScenario? in
            guard UUID(uuidString: id) != nil else { return nil }
            return try store.scenario(id)
        }
        guard let scenario, user.canSee(scenario) else {
            throw APIError.notFound("no scenario `\(id)` that you can see")
        }
        return scenario
    }

    /// Authors submit as themselves: the document's `author` must be the caller.
    static func requireOwnAuthor(_ document: JSONValue, _ user: Caller) throws {
        if case .string(let author)? = document["author"], author != user.username {
            throw APIError.forbidden("you are `\(user.username)`; you cannot submit a scenario as `\(author)`",
                                     hint: "set \"author\" to \"\(user.username)\"")
        }
    }
}

extension StoredScenario {
    var summaryJSON: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("name", .string(name)), ("author", .string(author)), ("is_public", .bool(isPublic)),
            ("as_of", asOf.map(JSONValue.string) ?? .null), ("created_at", .string(createdAt)),
            ("result_fingerprint", resultFingerprint.map(JSONValue.string) ?? .null),
            ("results_updated_at", resultsUpdatedAt.map(JSONValue.string) ?? .null),
        ]))
    }
}
