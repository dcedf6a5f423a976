import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers

/// What one request's access-log line says, filled in as the request passes the API: its id (sent
/// back as `X-Request-Id`), the endpoint it reached and the user who called it.
final class RequestRecord: Sendable {
    /// The record of the request this task is serving.
    @TaskLocal static var current: RequestRecord?

    let id: String
    private let fields = NIOLockedValueBox<(route: String?, user: String?)>((nil, nil))

    init(id: String) { self.id = id }

    var route: String? {
        get { fields.withLockedValue { $0.route } }
        set { fields.withLockedValue { $0.route = newValue } }
    }

    var user: String? {
        get { fields.withLockedValue { $0.user } }
        set { fields.withLockedValue { $0.user = newValue } }
    }

    /// A client's own request id when it is short and plain (so a proxy's id carries through), else a new one.
    static func id(from header: String?) -> String {
        if let header, (1...64).contains(header.utf8.count),
           header.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }) {
            return header
        }
        return UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16).description
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}

/// The outermost middleware: gives every request an id, and when it is answered writes one
/// structured access-log line (method, route, status, duration, user, request id) through
/// swift-log and counts it in the metrics.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let logger: Logger
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let record = RequestRecord(id: RequestRecord.id(from: request.headers[.requestID]))
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await RequestRecord.$current.withValue(record) { try await next(request, context) }
        } catch {
            response = API.response(APIError(error))
        }
        let duration = ContinuousClock.now - start
        response.headers[.requestID] = record.id
        let route = record.route ?? "unmatched"
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        logger.info("request", metadata: [
            "request_id": .string(record.id), "method": .string(request.method.rawValue), "route": .string(route),
            "path": .string(request.uri.path), "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.3f", milliseconds)), "user": .string(record.user ?? "-"),
        ])
        metrics.recordRequest(method: request.method.rawValue, route: route, status: response.status.code, duration: duration)
        return response
    }
}
