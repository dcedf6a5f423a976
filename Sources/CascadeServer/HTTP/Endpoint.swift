import CascadeEngine
import CascadeJSON
import CascadeStore
import HTTPTypes

/// Who may call an endpoint.
enum Access: Sendable {
    /// No key needed (health).
    case open
    /// A valid key of one of these roles.
    case roles(Set<UserRole>)

    static let everyone = Access.roles(Set(UserRole.allCases))
    static let authors = Access.roles([.author, .admin])
    static let runners = Access.roles([.author, .calibrator, .admin])
    static let calibrators = Access.roles([.calibrator, .admin])
    static let admins = Access.roles([.admin])
}

/// One operation of the API: method, path (OpenAPI style, `{name}` for a parameter), who may
/// call it, the query parameters it accepts, whether it reads a JSON body, and its handler.
/// `API.endpoints` is the one list the router is built from and the OpenAPI test compares with.
struct Endpoint: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var access: Access
    var query: [String] = []
    var hasBody = false
    var summary: String
    var handler: @Sendable (APICall) async throws -> APIReply

    /// The path in the router's syntax (`:name`).
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }
}

/// A request that passed authentication, the role check, and body and query validation.
struct APICall: Sendable {
    var caller: Caller?
    var parameters: [String: String]
    var query: [String: String]
    var body: JSONValue?
    var api: API

    func parameter(_ name: String) -> String { parameters[name] ?? "" }

    /// The caller, for endpoints that require a key.
    var user: Caller { caller! }

    /// The JSON body (endpoints with `hasBody` always have one).
    var document: JSONValue { body ?? .null }

    /// Runs `body` with a store acting as the caller, off the event loop.
    func store<T: Sendable>(_ body: @escaping @Sendable (Store) throws -> T) async throws -> T {
        try await api.pool.withStore(as: caller, body)
    }

    func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = query[name] else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw APIError.badRequest("query parameter `\(name)` must be an integer from \(range.lowerBound) to \(range.upperBound), not `\(text)`",
                                      path: "?\(name)")
        }
        return n
    }

    func flag(_ name: String, default value: Bool = false) throws -> Bool {
        switch query[name] {
        case nil: return value
        case "false", "0": return false
        case "", "true", "1": return true
        case let text?: throw APIError.badRequest("query parameter `\(name)` must be true or false, not `\(text)`", path: "?\(name)")
        }
    }
}

/// What a handler answers: a status and a JSON body (already serialised, so large results are
/// written once), plus headers.
struct APIReply: Sendable {
    var status: HTTPResponse.Status
    var jsonText: String?
    /// A result document written into the response piece by piece instead of `jsonText` (a
    /// 1 M-entity result's is ~2.9 GB of text, which the server never holds whole).
    var document: ScenarioService.Outcome?
    var headers: [(name: String, value: String)] = []
    /// JSON but for `/metrics`, whose body is Prometheus' text format.
    var contentType = "application/json; charset=utf-8"

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> APIReply {
        APIReply(status: status, jsonText: value.serialized())
    }

    /// A body that is not JSON (the text already ends with a newline, as Prometheus writes it).
    static func text(_ text: String, contentType: String) -> APIReply {
        APIReply(status: .ok, jsonText: String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)), contentType: contentType)
    }

    static let noContent = APIReply(status: .noContent, jsonText: nil)
}

/// A request body read with the one document reader (`JSONReader`): every problem of the body
/// is collected, and the request is refused once, with all of them (`problems`, each with its
/// JSON path), the first also as the error's own message, path and hint.
enum BodyReader {
    static func read<T>(_ value: JSONValue, what: String = "the body", _ read: (JSONReader, inout [Problem]) -> T?) throws -> T {
        var problems: [Problem] = []
        let result = JSONReader(value, what: what, problems: &problems).flatMap { read($0, &problems) }
        if let result, problems.isEmpty { return result }
        throw refusal(problems)
    }

    /// One 400 for every problem of a body.
    static func refusal(_ problems: [Problem]) -> APIError {
        guard let first = problems.first else {
            return APIError.badRequest("the body is not valid", path: "$")
        }
        let code = problems.count == 1 && first.code == "json.unknown-key" ? "unknown_field" : "bad_request"
        let message = problems.count == 1 ? first.message : "the body has \(problems.count) problems: \(first.message), …"
        return APIError(.badRequest, code, message, path: first.path, hint: first.hint, problems: problems)
    }
}
