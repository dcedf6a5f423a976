import CascadeJSON
import CascadeStore

extension API {
    /// The most variable names one request may filter by.
    static let maxMacroVariables = 100

    /// The stored history (`macro_data`) for calibration scripts, a page at a time: what
    /// `cascade import` and `POST /v1/import` wrote, in world-file form.
    static let macroDataEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/macro-data", access: .everyone, query: ["variable", "from", "to", "limit", "offset"],
                 summary: "List macro data points (history)") { call in
            let variables = try macroVariables(call.query["variable"])
            let from = try date(call, "from"), to = try date(call, "to")
            if let from, let to, from > to {
                throw APIError.badRequest("`from` (\(from)) is after `to` (\(to))", path: "?from", hint: "the window is from…to, oldest first")
            }
            let limit = try call.integer("limit", default: 100, in: 1...1000)
            let offset = try call.integer("offset", default: 0, in: 0...Int(Int32.max))
            let (points, unknown) = try await call.store { store in
                (try store.macroData(variables: variables, from: from, to: to, limit: limit, offset: offset),
                 try variables.map { try store.unknownMacroVariables($0) } ?? [])
            }
            if let first = unknown.first {
                let names = unknown.map { "`\($0.name)`" }.joined(separator: ", ")
                throw APIError(.notFound, "not_found", "no macro_data series \(names)", path: "?variable",
                               hint: first.suggestion.map { "did you mean `\($0)`?" } ?? "`GET /v1/macro-data` without `variable` lists every series")
            }
            return .json(.object(JSONObject([("macro_data", .array(points.map(\.json))), ("limit", .number(Double(limit))),
                                             ("offset", .number(Double(offset)))])))
        },
    ]

    /// `variable=a,b`: the names, or nil for every variable.
    private static func macroVariables(_ text: String?) throws -> [String]? {
        guard let text else { return nil }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard !names.contains(where: \.isEmpty) else {
            throw APIError.badRequest("`variable` has an empty name: `\(text)`", path: "?variable",
                                      hint: "variable names separated by commas, e.g. us_real_gdp,us_real_investment")
        }
        guard names.count <= maxMacroVariables else {
            throw APIError.badRequest("`variable` names \(names.count) series; at most \(maxMacroVariables) at once", path: "?variable",
                                      hint: "ask for them in several requests")
        }
        return names
    }

    private static func date(_ call: APICall, _ name: String) throws -> String? {
        guard let text = call.query[name] else { return nil }
        guard CalendarDate.isValid(text) else {
            throw APIError.badRequest("`\(text)` is not a calendar date", path: "?\(name)", hint: "write YYYY-MM-DD")
        }
        return text
    }
}
