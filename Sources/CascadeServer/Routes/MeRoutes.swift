import CascadeJSON

extension API {
    /// `GET /v1/me`: who the key belongs to, so a client (the workbench) shows only what it may do.
    static let meEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/me", access: .everyone, summary: "Show the user and role of your API key") { call in
            let user = call.user
            return .json(.object(JSONObject([("username", .string(user.username)), ("role", .string(user.role.rawValue))])))
        },
    ]
}
