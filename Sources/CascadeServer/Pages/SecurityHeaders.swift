import HTTPTypes
import Hummingbird

/// The headers every response carries: the workbench's page and assets, the API's JSON, errors.
/// A JSON body is never a document a browser should render or frame, so the API's
/// Content-Security-Policy allows nothing at all; the workbench's page sets its own (`WorkbenchPage`).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    /// For responses that are not the page: nothing may load, run or frame them.
    static let apiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    static let headers: [(HTTPField.Name, String)] = [
        (.init("X-Content-Type-Options")!, "nosniff"),
        (.init("Referrer-Policy")!, "no-referrer"),
        (.init("X-Frame-Options")!, "DENY"),
        (.init("Cross-Origin-Opener-Policy")!, "same-origin"),
        (.init("Cross-Origin-Resource-Policy")!, "same-origin"),
        (.init("Permissions-Policy")!, "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(to: &response.headers)
        return response
    }

    static func apply(to fields: inout HTTPFields) {
        for (name, value) in headers where fields[name] == nil { fields[name] = value }
        if fields[.contentSecurityPolicy] == nil { fields[.contentSecurityPolicy] = apiPolicy }
    }
}
