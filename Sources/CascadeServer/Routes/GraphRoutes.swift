import CascadeJSON
import CascadeStore

extension API {
    static let evalEndpoints: [Endpoint] = [
        Endpoint(method: .post, path: "/v1/eval", access: .everyone, hasBody: true,
                 summary: "Evaluate a formula against bindings") { call in
            let request = try BodyReader.read(call.document) { body, problems in
                FormulaEvaluation.Request.read(body, problems: &problems)
            }
            return .json(request.evaluated())
        },
    ]

    static let graphEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/entities", access: .everyone, query: ["level", "type", "limit", "offset"],
                 summary: "List entities") { call in
            let level = try call.query["level"].map { _ in try call.integer("level", default: 0, in: 0...9) }
            let limit = try call.integer("limit", default: 100, in: 1...1000)
            let offset = try call.integer("offset", default: 0, in: 0...Int(Int32.max))
            let type = call.query["type"]
            let entities = try await call.store { store in try store.entities(level: level, type: type, limit: limit, offset: offset) }
            return .json(.object(JSONObject([("entities", .array(entities.map(\.json))), ("limit", .number(Double(limit))),
                                             ("offset", .number(Double(offset)))])))
        },
        Endpoint(method: .get, path: "/v1/entities/{id}", access: .everyone,
                 summary: "Show an entity and its relationships (get_entity_graph)") { call in
            let id = call.parameter("id")
            let (entity, edges) = try await call.store { store in (try store.entity(id), try store.entityGraph(of: id)) }
            guard let entity, case .object(var object) = entity.json else { throw APIError.notFound("no entity `\(id)`") }
            object["relationships"] = .array(edges.map { edge in
                .object(JSONObject([("entity_name", .string(edge.entityName)), ("relationship_type", .string(edge.relationshipType)),
                                    ("connected_entity", .string(edge.connectedEntity)),
                                    ("weight", edge.weight.map(JSONValue.number) ?? .null)]))
            })
            return .json(.object(object))
        },
    ]

    static let coefficientEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/coefficients", access: .everyone, query: ["sector", "type"],
                 summary: "List sector coefficients") { call in
            let sector = call.query["sector"], type = call.query["type"]
            let rows = try await call.store { store in try store.coefficients(sector: sector, type: type) }
            return .json(.object(JSONObject([("coefficients", .array(rows.map(\.json)))])))
        },
        Endpoint(method: .post, path: "/v1/coefficients", access: .calibrators, hasBody: true,
                 summary: "Append a sector coefficient row") { call in
            var problems: [Problem] = []
            guard let row = SectorCoefficient.decode(call.document, at: .root, problems: &problems) else {
                throw APIError(.badRequest, "invalid_coefficient", "the coefficient is not valid; nothing was added",
                               path: problems.first?.path, hint: "fix every problem listed", problems: problems)
            }
            let added = try await call.store { store in try store.addCoefficient(row) }
            guard case .object(var object) = row.json else { return .json(row.json) }
            object["added"] = .bool(added)
            return .json(.object(object), status: added ? .created : .ok)
        },
        Endpoint(method: .post, path: "/v1/coefficients/{id}/activate", access: .calibrators,
                 summary: "Activate a sector coefficient row") { call in
            let id = call.parameter("id")
            return .json(try await call.store { store in try store.setCoefficientActive(id: id, true) }.json)
        },
        Endpoint(method: .post, path: "/v1/coefficients/{id}/deactivate", access: .calibrators,
                 summary: "Deactivate a sector coefficient row") { call in
            let id = call.parameter("id")
            return .json(try await call.store { store in try store.setCoefficientActive(id: id, false) }.json)
        },
    ]

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
