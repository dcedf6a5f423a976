import CascadeJSON
import CascadeStore

extension API {
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
}
