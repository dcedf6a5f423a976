import CascadeJSON
import CascadeStore

extension API {
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

}
