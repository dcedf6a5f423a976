import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation

extension API {
    /// `/v1/whatif`: what-if runs and the caller's sessions (a session is its author's alone; admins see all).
    static let whatIfEndpoints: [Endpoint] = [
        Endpoint(method: .post, path: "/v1/whatif", access: .authors, hasBody: true,
                 summary: "Run a visible scenario with changes and compare; optionally save the session") { call in
            let (baseID, save, changes) = try BodyReader.read(call.document) { body, problems -> (String, String?, WhatIfChanges)? in
                body.rejectUnknownKeys(["base", "set", "shocks", "levels", "save"], problems: &problems)
                let base = body.string("base", required: true, problems: &problems)
                let save = body.string("save", problems: &problems)
                let changes = WhatIfChanges.read(body, problems: &problems)
                guard let base, let changes else { return nil }
                return (base, save, changes)
            }
            let user = call.user
            let base = try await visibleScenario(call, id: baseID)
            let (run, session) = try await call.store { store -> (WhatIfRun, StoredWhatIfSession?) in
                let run = try ScenarioService(store: store).whatIf(base: base.id, changes: changes, author: user.username,
                                                                   today: CalendarDate.today())
                let session = try save.map {
                    try store.insertWhatIfSession(name: $0, author: user.username, baseScenarioID: base.id, scenarioID: run.scenarioID,
                                                  modifications: changes.json, summary: run.summary())
                }
                return (run, session)
            }
            var reply = APIReply.json(whatIfReply(run, session), status: session == nil ? .ok : .created)
            if let session { reply.headers.append(("Location", "/v1/whatif/\(session.id)")) }
            return reply
        },
        Endpoint(method: .get, path: "/v1/whatif", access: .everyone, summary: "List your what-if sessions") { call in
            let user = call.user
            let sessions = try await call.store { store in try store.whatIfSessions(author: user.isAdmin ? nil : user.username) }
            return .json(.object(JSONObject([("sessions", .array(sessions.map(\.json)))])))
        },
        Endpoint(method: .get, path: "/v1/whatif/{id}", access: .everyone, summary: "Show a what-if session") { call in
            .json(try await ownSession(call).json)
        },
        Endpoint(method: .post, path: "/v1/whatif/{id}/changes", access: .authors, hasBody: true,
                 summary: "Add changes to your active session and re-run") { call in
            let added = try BodyReader.read(call.document) { body, problems in
                body.rejectUnknownKeys(["set", "shocks", "levels"], problems: &problems)
                return WhatIfChanges.read(body, problems: &problems)
            }
            guard !added.isEmpty else { throw APIError.badRequest("nothing to add: give `set`, `shocks` or `levels`", path: "$") }
            let session = try await ownSession(call), user = call.user
            let (run, updated) = try await call.store { store -> (WhatIfRun, StoredWhatIfSession) in
                let changes = try WhatIfChanges.parse(session.modifications).merged(with: added)
                let run = try ScenarioService(store: store).whatIf(base: session.baseScenarioID, changes: changes, author: session.author,
                                                                   today: CalendarDate.today())
                let updated = try store.addWhatIfChange(session.id, modifications: changes.json, scenarioID: run.scenarioID,
                                                        summary: run.summary(), by: user.username, isAdmin: user.isAdmin)
                return (run, updated)
            }
            return .json(whatIfReply(run, updated))
        },
        Endpoint(method: .post, path: "/v1/whatif/{id}/complete", access: .authors, summary: "Mark your active session completed") { call in
            .json(try await closeSession(call, as: .completed).json)
        },
        Endpoint(method: .post, path: "/v1/whatif/{id}/cancel", access: .authors, summary: "Mark your active session cancelled") { call in
            .json(try await closeSession(call, as: .cancelled).json)
        },
    ]

    static func whatIfReply(_ run: WhatIfRun, _ session: StoredWhatIfSession?) -> JSONValue {
        var object = run.summary(limit: 1_000).objectValue ?? JSONObject()
        object["base_scenario_id"] = .string(run.baseID)
        object["session"] = session?.json ?? .null
        return .object(object)
    }

    /// The session `{id}` when it is the caller's (or the caller is an admin); otherwise 404.
    static func ownSession(_ call: APICall) async throws -> StoredWhatIfSession {
        let id = call.parameter("id"), user = call.user
        let session = try await call.store { store -> StoredWhatIfSession? in
            guard UUID(uuidString: id) != nil else { return nil }
            return try store.whatIfSession(matching: id, author: user.isAdmin ? nil : user.username)
        }
        guard let session else { throw APIError.notFound("no what-if session `\(id)` of yours") }
        return session
    }

    static func closeSession(_ call: APICall, as status: StoredWhatIfSession.Status) async throws -> StoredWhatIfSession {
        let session = try await ownSession(call), user = call.user
        return try await call.store { store in try store.closeWhatIfSession(session.id, as: status, by: user.username, isAdmin: user.isAdmin) }
    }
}
