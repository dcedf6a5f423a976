import CascadeJSON
import CascadeStore

extension API {
    static let userEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/users", access: .admins, summary: "List users") { call in
            let users = try await call.store { store in try store.users() }
            return .json(.object(JSONObject([("users", .array(users.map(\.publicJSON)))])))
        },
        Endpoint(method: .post, path: "/v1/users", access: .admins, hasBody: true,
                 summary: "Add a user and issue their API key") { call in
            let (username, role) = try BodyReader.read(call.document) { body, problems -> (String, UserRole)? in
                body.rejectUnknownKeys(["username", "role"], problems: &problems)
                let username = body.string("username", required: true, problems: &problems)
                let role = body.choice("role", required: true, among: UserRole.allCases.map(\.rawValue), problems: &problems)
                guard let username, let role = role.flatMap(UserRole.init(rawValue:)) else { return nil }
                return (username, role)
            }
            let (user, key) = try await call.store { store in try APIKey.issue(username: username, role: role, in: store) }
            guard case .object(var object) = user.publicJSON else { return .json(user.publicJSON) }
            object["api_key"] = .string(key)
            return .json(.object(object), status: .created)
        },
        Endpoint(method: .get, path: "/v1/audit", access: .admins, query: ["table", "limit"],
                 summary: "Read the audit log") { call in
            let table = call.query["table"]
            let limit = try call.integer("limit", default: 100, in: 1...1000)
            let entries = try await call.store { store in try store.auditLog(table: table, limit: limit, newestFirst: true) }
            return .json(.object(JSONObject([("entries", .array(entries.map(\.json)))])))
        },
    ]
}
