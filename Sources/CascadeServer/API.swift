import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The HTTP API: its endpoints, and the checks every request passes before a handler runs —
/// key, rate limit, role, query parameters, body size and JSON.
final class API: Sendable {
    let pool: StorePool
    let options: ServerOptions
    let authenticator = Authenticator()
    let limiter: RateLimiter
    /// Wakes the in-process workers when a run is queued.
    let wakeUp: WakeUpSignal
    /// What `GET /metrics` shows.
    let metrics = ServerMetrics()

    init(options: ServerOptions, wakeUp: WakeUpSignal) {
        self.options = options
        self.wakeUp = wakeUp
        pool = StorePool(location: options.location, size: options.connections)
        limiter = RateLimiter(perMinute: options.rateLimitPerMinute)
    }

    /// Every endpoint, in the order of the OpenAPI description.
    static let endpoints: [Endpoint] = healthEndpoints + meEndpoints + scenarioEndpoints + diffEndpoints + explainEndpoints
        + sensitivityEndpoints + whatIfEndpoints + runEndpoints + reportEndpoints + formulaEndpoints + abTestEndpoints + replayEndpoints
        + evalEndpoints + graphEndpoints + coefficientEndpoints + macroDataEndpoints + importEndpoints + userEndpoints + metricsEndpoints

    /// The router: every endpoint, and JSON errors for unknown paths and methods.
    /// HEAD is answered for every GET endpoint: the same status and headers, no body. `GET /`
    /// is the workbench (`WorkbenchPage`); every response carries the security headers.
    func router() -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: AccessLogMiddleware(logger: options.accessLog, metrics: metrics))
        router.add(middleware: JSONErrorMiddleware())
        for endpoint in Self.endpoints {
            router.on(RouterPath(endpoint.routerPath), method: endpoint.method) { [self] request, context in
                await respond(endpoint, request, parameters: context.parameters)
            }
        }
        WorkbenchPage.add(to: router)
        return router
    }

    private func respond(_ endpoint: Endpoint, _ request: Request, parameters: Parameters) async -> Response {
        let record = RequestRecord.current
        record?.route = endpoint.path
        var bodyText: [UInt8]?
        do {
            let caller = try await authorize(endpoint, request)
            record?.user = caller?.username
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters {
                guard query[String(name)] == nil else {
                    throw APIError.badRequest("query parameter `\(name)` is given more than once", path: "?\(name)",
                                              hint: "give each parameter once", code: "repeated_parameter")
                }
                guard endpoint.query.contains(String(name)) else {
                    throw APIError.badRequest(
                        "unknown query parameter `\(name)`", path: "?\(name)",
                        hint: endpoint.query.isEmpty ? "this endpoint takes none" : "it takes: \(endpoint.query.joined(separator: ", "))",
                        code: "unknown_parameter")
                }
                query[String(name)] = String(value)  // Hummingbird has percent-decoded query values
            }
            var values: [String: String] = [:]
            // Path parameters arrive as written in the URL.
            for (name, value) in parameters { values[String(name)] = String(value).removingPercentEncoding ?? String(value) }
            if endpoint.hasBody { bodyText = try await readBody(request) }
            let body = try bodyText.map { try JSONValue.parse(bytes: $0) }
            let reply = try await endpoint.handler(APICall(caller: caller, parameters: values, query: query, body: body, api: self))
            return Self.response(reply)
        } catch {
            var refusal = APIError(error).withoutStoreLocation(options.location)
            if let bodyText { refusal.problems = refusal.problems.located(in: bodyText) }
            if refusal.status.code >= 500 {
                options.accessLog.error("request failed", metadata: [
                    "request_id": .string(record?.id ?? "-"), "route": .string(endpoint.path), "error": .string("\(error)"),
                ])
            }
            return Self.response(refusal)
        }
    }

    /// The caller of an endpoint that needs a key; 401 without a valid one, 429 over the rate
    /// limit, 403 outside the endpoint's roles.
    private func authorize(_ endpoint: Endpoint, _ request: Request) async throws -> Caller? {
        guard case .roles(let roles) = endpoint.access else { return nil }
        var key = request.headers[.init("X-API-Key")!]
        if key == nil, let authorization = request.headers[.authorization] {
            guard authorization.lowercased().hasPrefix("bearer ") else {
                throw APIError(.unauthorized, "unauthorized", "the Authorization header must be `Bearer <API key>`",
                               path: "Authorization")
            }
            key = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        guard let key else {
            throw APIError(.unauthorized, "unauthorized", "this endpoint needs an API key",
                           hint: "send `Authorization: Bearer <key>`; `cascade user add NAME --role ROLE` issues one")
        }
        let pool = self.pool
        switch try await authenticator.authenticate(key, lookup: { keyID in
            try await pool.withStore(as: nil) { try $0.user(keyID: keyID) }
        }) {
        case .refused(let reason):
            throw APIError(.unauthorized, "unauthorized", reason, path: "Authorization")
        case .caller(let caller):
            if let seconds = limiter.retryAfter(key: caller.keyID) {
                metrics.recordRateLimited()
                var error = APIError(.tooManyRequests, "rate_limited",
                                     "more than \(limiter.limit) requests in a minute with this key",
                                     hint: "retry after \(seconds) s")
                error.retryAfter = seconds
                throw error
            }
            guard roles.contains(caller.role) else {
                let allowed = UserRole.allCases.filter(roles.contains).map(\.rawValue).joined(separator: ", ")
                throw APIError.forbidden("role `\(caller.role.rawValue)` may not \(endpoint.summary.lowercasedFirst)",
                                         hint: "this needs the role \(allowed)")
            }
            return caller
        }
    }

    /// The body's bytes, at most `maxBodyBytes` (413 beyond); the caller parses them strictly
    /// (400 with the path) and locates the problems of a refused body in them.
    private func readBody(_ request: Request) async throws -> [UInt8] {
        let limit = options.maxBodyBytes
        let tooLarge = APIError(.contentTooLarge, "body_too_large", "the body is larger than the limit of \(limit) bytes",
                                path: "$", hint: "split the request, or start the server with a larger --max-body")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        guard buffer.readableBytes > 0 else {
            throw APIError.badRequest("this endpoint needs a JSON body", path: "$", hint: "send Content-Type: application/json")
        }
        return Array(buffer.readableBytesView)
    }

    static func response(_ reply: APIReply) -> Response {
        var headers = HTTPFields()
        for (name, value) in reply.headers { headers[HTTPField.Name(name)!] = value }
        if let document = reply.document {
            headers[.contentType] = reply.contentType
            return Response(status: reply.status, headers: headers, body: ResponseBody { writer in
                var chunks = document.documentChunks()
                while let chunk = chunks.next() { try await writer.write(ByteBuffer(string: chunk)) }
                try await writer.write(ByteBuffer(string: "\n"))
                try await writer.finish(nil)
            })
        }
        guard let text = reply.jsonText else { return Response(status: reply.status, headers: headers) }
        headers[.contentType] = reply.contentType
        return Response(status: reply.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func response(_ error: APIError) -> Response {
        var reply = APIReply.json(error.json, status: error.status)
        if let seconds = error.retryAfter { reply.headers.append(("Retry-After", String(seconds))) }
        return response(reply)
    }
}

/// Hummingbird's own errors (no such path, method not allowed) as the API's JSON errors. A method
/// the API does not use at all (CONNECT, TRACE, PATCH, anything invented) is a 405 before routing,
/// and the connection closes after it (a CONNECT's tunnel bytes would otherwise be read as the
/// next request); a known method on a path that lacks it is a 405 naming the allowed ones.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    /// The methods of the endpoint table, and HEAD (generated for every GET).
    static let knownMethods: Set<HTTPRequest.Method> = Set(API.endpoints.map(\.method)).union([.head])

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.knownMethods.contains(request.method) else {
            let allowed = Self.allowedMethods(at: request.uri.path)
            var response = API.response(APIError(.methodNotAllowed, "method_not_allowed", "the API does not use the method \(request.method)",
                                                 hint: "see docs/openapi.json for the endpoints"))
            response.headers[.allow] = (allowed.isEmpty ? Self.knownMethods : allowed).map(\.rawValue).sorted().joined(separator: ", ")
            response.headers[.connection] = "close"
            return response
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            if error.status == .notFound {
                let allowed = Self.allowedMethods(at: request.uri.path)
                if !allowed.isEmpty {
                    var response = API.response(APIError(.methodNotAllowed, "method_not_allowed",
                                                         "\(request.uri.path) does not answer \(request.method)",
                                                         hint: "it answers \(allowed.map(\.rawValue).sorted().joined(separator: ", "))"))
                    response.headers[.allow] = allowed.map(\.rawValue).sorted().joined(separator: ", ")
                    return response
                }
            }
            let code = error.status == .notFound ? "not_found" : "http_\(error.status.code)"
            let message = error.status == .notFound ? "no endpoint \(request.method) \(request.uri.path)"
                : (error.body ?? error.status.reasonPhrase)
            return API.response(APIError(error.status, code, message, hint: "see docs/openapi.json for the endpoints"))
        } catch {
            return API.response(APIError(error))
        }
    }

    /// The methods of the endpoints whose path template matches `path` (with HEAD where GET is).
    static func allowedMethods(at path: String) -> Set<HTTPRequest.Method> {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods: Set<HTTPRequest.Method> = []
        for endpoint in API.endpoints {
            let template = endpoint.path.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == parts.count else { continue }
            if zip(template, parts).allSatisfy({ t, p in t == p || (t.hasPrefix("{") && !p.isEmpty) }) {
                methods.insert(endpoint.method)
                if endpoint.method == .get { methods.insert(.head) }
            }
        }
        return methods
    }
}

extension String {
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}
