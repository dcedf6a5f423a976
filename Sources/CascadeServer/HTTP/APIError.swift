import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation
import HTTPTypes

/// A refused request: HTTP status, a stable code, what went wrong, where (a JSON path, a query
/// parameter, a header) and what to do. Rendered as `{"error": {…}}`; never a bare 500.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var path: String?
    var hint: String?
    var problems: [Problem] = []
    var retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, path: String? = nil, hint: String? = nil,
         problems: [Problem] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        self.hint = hint
        self.problems = problems
    }

    static func badRequest(_ message: String, path: String? = nil, hint: String? = nil, code: String = "bad_request") -> APIError {
        APIError(.badRequest, code, message, path: path, hint: hint)
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }

    static func forbidden(_ message: String, hint: String? = nil) -> APIError {
        APIError(.forbidden, "forbidden", message, hint: hint)
    }

    /// A failure from the store or the engine, by kind: bad input → 400 with its path and every
    /// problem, missing → 404, someone else's → 403, a lost race → 409; anything else is a 500
    /// that still says what failed.
    init(_ error: Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as JSONError:
            self.init(.badRequest, "invalid_json", error.message, path: error.path.description,
                      hint: "line \(error.line), column \(error.column) of the body")
        case let error as ScenarioError:
            self.init(error.storeError("the scenario is not valid"))
        case let error as EngineError:
            self.init(error.storeError)
        case let error as StoreError:
            let status: HTTPResponse.Status = switch error.kind {
            case .invalidInput: .badRequest
            case .notFound: .notFound
            case .forbidden: .forbidden
            case .conflict, .leaseLost: .conflict
            case .connection: .serviceUnavailable
            default: .internalServerError
            }
            let code = error.kind.name.replacingOccurrences(of: "-", with: "_")
            switch status {
            case .internalServerError, .serviceUnavailable:
                // The store's own words name its file or server, its SQL and its tables: none of
                // that is the caller's business (the server's log has the error).
                self.init(status, code, status == .serviceUnavailable ? "the store is not reachable" : "the store failed to answer",
                          hint: "try again; if it persists, the server's operator can find the cause in its log")
            default:
                // A location is a JSON path or a field name only for bad input; elsewhere it is the store's.
                self.init(status, code, error.message,
                          path: error.problems.first?.path ?? (error.kind == .invalidInput ? error.location : nil),
                          hint: error.hint, problems: error.problems)
            }
        default:
            self.init(.internalServerError, "internal", "the server failed to answer",
                      hint: "try again; if it persists, the server's operator can find the cause in its log")
        }
    }

    /// This error with every mention of the store's file or URL replaced by "the store": an error
    /// body must never tell a caller where the data lives (or the user the server logs in as).
    func withoutStoreLocation(_ location: StoreLocation) -> APIError {
        let secrets: [String] = switch location {
        case .sqlite(let path): [path, location.description]
        case .postgresql(let url): [url, location.description]
        }
        func scrub(_ text: String) -> String {
            secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "the store") }
        }
        var copy = self
        copy.message = scrub(message)
        copy.path = path.map(scrub)
        copy.hint = hint.map(scrub)
        copy.problems = problems.map { problem in
            var problem = problem
            problem.message = scrub(problem.message)
            return problem
        }
        return copy
    }

    var json: JSONValue {
        var o = JSONObject()
        o["status"] = .number(Double(status.code))
        o["code"] = .string(code)
        o["message"] = .string(message)
        if let path { o["path"] = .string(path) }
        if let hint { o["hint"] = .string(hint) }
        if !problems.isEmpty { o["problems"] = .array(problems.map(\.json)) }
        return .object(JSONObject([("error", .object(o))]))
    }
}
